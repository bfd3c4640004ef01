"""Benchmark: high-precision mu_k of the Gram operator, three ways, in one run.

* roots     -- characteristic-equation roots (specbias eigen gram), the method under test;
* galerkin  -- exact-rational Legendre Galerkin + mpmath.eigsy (specbias.derive.gram.galerkin);
* nystrom   -- the textbook baseline: Gauss-Legendre Nystrom discretization + mpmath.eigsy.
  The kernel has a kink on the diagonal, so Nystrom converges only algebraically.

For each method: wall time and the worst relative error of mu_1..mu_K against the roots at
20 extra digits. Prints ratios of time against the Nystrom baseline. Run:

    .venv/bin/python benchmarks/bench_gram_eigen.py [--power 1] [--count 10] [--dps 30]
"""

from __future__ import annotations

import argparse
import time

import mpmath

from specbias.derive.gram.galerkin import ritz_values
from specbias.derive.gram.kernel import gram_kernel
from specbias.derive.gram.spectrum import gram_eigenvalues


def nystrom(power: int, size: int, dps: int) -> list:
    g = gram_kernel(power).numeric("mpmath")
    with mpmath.workdps(dps + 10):
        nodes, weights = zip(*mpmath.calculus.quadrature.GaussLegendre(mpmath.mp).calc_nodes(
            max(1, (size - 1).bit_length() - 1), mpmath.mp.prec))
        n = len(nodes)
        m = mpmath.matrix(n, n)
        sw = [mpmath.sqrt(w) for w in weights]
        for i in range(n):
            for j in range(i + 1):
                m[i, j] = m[j, i] = sw[i] * g(nodes[i], nodes[j]) * sw[j]
        e = mpmath.eigsy(m, eigvals_only=True)
        return sorted((e[i] for i in range(n)), reverse=True), n


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--power", type=int, default=1)
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--dps", type=int, default=30)
    args = ap.parse_args()
    p, k, d = args.power, args.count, args.dps
    reference = gram_eigenvalues(p, count=k, dps=d + 20).values
    rows = []
    spec, t = timed(lambda: gram_eigenvalues(p, count=k, dps=d))
    rows.append(("roots", f"K={k}", t, spec.values))
    for size in (24, 48):
        vals, t = timed(lambda: ritz_values(p, size=size, dps=d))
        rows.append(("galerkin", f"N={size}", t, vals[:k]))
    for size in (24, 48):
        (vals, n), t = timed(lambda: nystrom(p, size, d))
        rows.append(("nystrom", f"N={n}", t, vals[:k]))
    base = [r for r in rows if r[0] == "nystrom"][-1][2]
    print(f"mu_1..mu_{k} of G_{p} on [-1, 1] at {d} digits (reference: roots at {d + 20} digits)")
    print(f"{'method':<10}{'size':<8}{'seconds':>9}{'x nystrom':>11}{'worst rel err':>15}")
    with mpmath.workdps(d + 20):
        for name, size, t, vals in rows:
            err = max(abs(mpmath.mpf(v) / mpmath.mpf(r) - 1) for v, r in zip(vals, reference))
            print(f"{name:<10}{size:<8}{t:9.3f}{t / base:11.3f}{mpmath.nstr(err, 3):>15}")


if __name__ == "__main__":
    main()
