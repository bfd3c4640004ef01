"""Benchmark: all eigenvalues of the ReLU^P Gram matrix, three ways, on the same matrices.

* fast    -- banded B-spline pencil, secant + certified inertia counts (specbias spectrum gram);
* eigsy   -- dense mpmath.eigsy on G at the same digits + 10 (O(N^3) multiprecision; skipped
  above --eigsy-max);
* numpy   -- numpy.linalg.eigvalsh in float64 (fast, but only the top eigenvalues are right).

Prints wall times, ratios against eigsy (and numpy), and the worst relative error of each
method against the fast one. Run:

    .venv/bin/python benchmarks/bench_matrix_spectrum.py [--power 1] [--sizes 50,100,1000] [--dps 30]
"""

from __future__ import annotations

import argparse
import os
import time

import mpmath
import numpy as np

from specbias.derive.bspline import gram_matrix_exact
from specbias.derive.knots import knots
from specbias.derive.matrix_spectrum import gram_matrix_spectrum
from specbias.verify.precision import gram_float64


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--power", type=int, default=1)
    ap.add_argument("--sizes", default="50,100,1000")
    ap.add_argument("--dps", type=int, default=30)
    ap.add_argument("--eigsy-max", type=int, default=100)
    args = ap.parse_args()
    os.environ["SPECBIAS_CACHE"] = "off"
    print(f"{'N':>6} {'fast s':>8} {'eigsy s':>9} {'numpy s':>8} {'eigsy/fast':>10} "
          f"{'fast/numpy':>10} {'eigsy err':>10} {'numpy err (worst k)':>20}")
    for n in (int(s) for s in args.sizes.split(",")):
        kn = knots("uniform", n, args.dps)
        t = time.perf_counter()
        spec = gram_matrix_spectrum(args.power, kn, dps=args.dps)
        t_fast = time.perf_counter() - t
        with mpmath.workdps(args.dps + 5):
            fast = [mpmath.mpf(v) for v in spec.values]
        t = time.perf_counter()
        lam64 = np.sort(np.linalg.eigvalsh(gram_float64(kn, args.power)))[::-1]
        t_np = time.perf_counter() - t
        err_np = max(abs(float(a / b) - 1) for a, b in zip(lam64, fast))
        t_eigsy, err_eigsy = float("nan"), float("nan")
        if n <= args.eigsy_max:
            g = gram_matrix_exact(kn.values, args.power)
            t = time.perf_counter()
            with mpmath.workdps(args.dps + 10):
                a = mpmath.matrix([[mpmath.mpf(int(v.numerator)) / int(v.denominator) for v in r]
                                   for r in g])
                ev = sorted(mpmath.eigsy(a, eigvals_only=True), reverse=True)
                err_eigsy = float(max(abs(x / y - 1) for x, y in zip(ev, fast)))
            t_eigsy = time.perf_counter() - t
        print(f"{n:6d} {t_fast:8.2f} {t_eigsy:9.2f} {t_np:8.3f} {t_eigsy / t_fast:10.1f} "
              f"{t_fast / t_np:10.0f} {err_eigsy:10.1e} {err_np:20.1e}")


if __name__ == "__main__":
    main()
