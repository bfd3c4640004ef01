"""Benchmark: all eigenvalues of the ReLU^P Gram matrix, three ways, on the same matrices.

* fast    -- banded B-spline pencil, secant + certified inertia counts (specbias spectrum gram:
  compiled double-double / quad-double sweeps, starts from counts);
* mpfr    -- the same pencil and certificate with gmpy2 sweeps and dense float64 starts
  (``arithmetic="mpfr"``, the previous implementation; skipped above --mpfr-max);
* eigsy   -- dense mpmath.eigsy on G at the same digits + 10 (O(N^3) multiprecision; skipped
  above --eigsy-max);
* numpy   -- numpy.linalg.eigvalsh in float64 (fast, but only the top eigenvalues are right).

Prints wall times, ratios, and the worst relative error of each method against the fast one;
writes benchmarks/results/matrix_spectrum.json. The first call compiles the kernels (cached
on disk afterwards); a warm-up call keeps that out of the timings. Run:

    .venv/bin/python benchmarks/bench_matrix_spectrum.py [--power 1] [--sizes 100,1000,10000] [--dps 30]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import mpmath
import numpy as np

from specbias.derive.matrix.bspline import gram_matrix_exact
from specbias.derive.matrix.knots import knots
from specbias.derive.matrix.spectrum import gram_matrix_spectrum
from specbias.verify.precision import gram_float64


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--power", type=int, default=1)
    ap.add_argument("--sizes", default="100,1000,2000,10000")
    ap.add_argument("--dps", type=int, default=30)
    ap.add_argument("--eigsy-max", type=int, default=100)
    ap.add_argument("--mpfr-max", type=int, default=2000)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "matrix_spectrum.json"))
    args = ap.parse_args()
    os.environ["SPECBIAS_CACHE"] = "off"
    gram_matrix_spectrum(args.power, "uniform", 20, dps=args.dps, use_cache=False)  # compile
    rows = []
    print(f"{'N':>6} {'fast s':>8} {'mpfr s':>8} {'eigsy s':>9} {'numpy s':>8} {'mpfr/fast':>9} "
          f"{'eigsy/fast':>10} {'fast/numpy':>10} {'mpfr err':>9} {'eigsy err':>10} "
          f"{'numpy err (worst k)':>20}")
    for n in (int(s) for s in args.sizes.split(",")):
        kn = knots("uniform", n, args.dps)
        t = time.perf_counter()
        spec = gram_matrix_spectrum(args.power, kn, dps=args.dps, use_cache=False)
        t_fast = time.perf_counter() - t
        with mpmath.workdps(args.dps + 5):
            fast = [mpmath.mpf(v) for v in spec.values]
        t_mpfr, err_mpfr = float("nan"), float("nan")
        if n <= args.mpfr_max:
            t = time.perf_counter()
            slow = gram_matrix_spectrum(args.power, kn, dps=args.dps, use_cache=False,
                                        arithmetic="mpfr")
            t_mpfr = time.perf_counter() - t
            with mpmath.workdps(args.dps + 5):
                err_mpfr = float(max(abs(mpmath.mpf(a) / b - 1) for a, b in zip(slow.values, fast)))
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
        cert = spec.extras["certificate"]
        print(f"{n:6d} {t_fast:8.2f} {t_mpfr:8.2f} {t_eigsy:9.2f} {t_np:8.3f} "
              f"{t_mpfr / t_fast:9.1f} {t_eigsy / t_fast:10.1f} {t_fast / t_np:10.0f} "
              f"{err_mpfr:9.1e} {err_eigsy:10.1e} {err_np:20.1e}", flush=True)
        rows.append({k: (None if isinstance(v, float) and v != v else v) for k, v in {
                     "n": n, "fast_s": t_fast, "mpfr_s": t_mpfr, "eigsy_s": t_eigsy,
                     "numpy_s": t_np, "mpfr_rel_err": err_mpfr, "eigsy_rel_err": err_eigsy,
                     "numpy_rel_err_worst": err_np, "certified": cert.certified,
                     "arithmetic": cert.arithmetic, "sweeps": cert.sweeps,
                     "working_digits": cert.working_digits}.items()})
    Path(args.out).write_text(json.dumps({
        "power": args.power, "dps": args.dps, "knots": "uniform", "cpu_count": os.cpu_count(),
        "machine": platform.machine(), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
