"""Certified kernel Gram spectra (specbias.derive.ntk.certified.gram_eigenvalues: arb entries,
arb_mat.eig enclosures) against the dense multiprecision baseline mpmath.eigsy, in one run.

Depth-3 ReLU NTK (σ_w² = 2, σ_b² = 0.1) on n random points in R^3 (seed 0), every eigenvalue
to 20 certified digits. Baseline: mpmath.eigsy at 30 digits on the same matrix (its entries
from the arb midpoints), for the sizes where it finishes in minutes; NumPy float64 eigvalsh
for scale. Writes benchmarks/results/certified_kernel.json. Sizes: --sizes 50,100,200,400.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import mpmath
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from specbias.derive.ntk.certified import gram_eigenvalues, kernel_balls  # noqa: E402
from specbias.derive.ntk.kernels import kernels  # noqa: E402

CFG = dict(kernel="ntk", activation="relu", depth=3, weight_var=2.0, bias_var=0.1)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50,100,200,400")
    ap.add_argument("--baseline-max", type=int, default=100, help="largest n for mpmath.eigsy")
    args = ap.parse_args()
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        X = np.random.default_rng(0).standard_normal((n, 3))
        ref, t_cert = timed(lambda: gram_eigenvalues(X, digits=20, **CFG))
        _, t_np = timed(lambda: np.linalg.eigvalsh(kernels(X, X, 3, "relu", 2.0, 0.1)[1]))
        row = {"n": n, "certified_seconds": round(t_cert, 2), "prec_bits": ref["prec"],
               "all_certified": all(ref["certified"]), "numpy_float64_seconds": round(t_np, 4),
               "lambda_max": ref["values"][0], "lambda_min": ref["values"][-1]}
        if n <= args.baseline_max:
            K = kernel_balls(X, None, prec=128, **CFG)
            with mpmath.workdps(30):
                M = mpmath.matrix([[mpmath.mpf(v.mid().str(35, radius=False)) for v in r] for r in K])
                ev, t_mp = timed(lambda: mpmath.eigsy(M, eigvals_only=True))
                worst = max(abs(mpmath.mpf(a) / b - 1) for a, b in
                            zip(ref["values"], sorted(ev, reverse=True)))
            row.update(mpmath_eigsy_seconds=round(t_mp, 2), ratio=round(t_mp / t_cert, 2),
                       eigsy_vs_certified=float(f"{float(worst):.2g}"))
        rows.append(row)
        print(json.dumps(row), flush=True)
    (HERE / "results/certified_kernel.json").write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
