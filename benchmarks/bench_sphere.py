"""Benchmark of the circle and sphere spectra (issue 11 targets), each against a named baseline
measured in the same run.

1. Circle: the seed's three-piece density, the 50 largest eigenvalues of the B2 kernel operator
   to 20 digits (target: 5 s). Baseline: dense Nyström with mpmath (Gauss–Legendre nodes split
   at the breakpoints and their antipodes, the symmetric matrix sqrt(w p) k sqrt(w p),
   ``mpmath.eigsy`` at 25 digits): its time and its error against our certified values (the
   kernel's kink on the diagonal limits Nyström to algebraic convergence).
2. Sphere: the depth-3 ReLU NTK, the first 50 Funk–Hecke eigenvalues to 20 digits for
   d = 2..10 (target: 10 s each). Baseline: ``mpmath.quad`` (tanh–sinh, its own error control)
   per degree on the same integrand, for d = 3 and d = 10.

Run: ``python benchmarks/bench_sphere.py [--quick]``; writes benchmarks/results/sphere.json.
The machine is shared: absolute times vary with its load (printed); the ratios compare runs
made back to back.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import mpmath

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from specbias.derive.sphere.circle import circle_kernel  # noqa: E402
from specbias.derive.sphere.density import seed_three_piece  # noqa: E402
from specbias.derive.sphere.funk_hecke import sphere_spectrum, zonal_kernel  # noqa: E402
from specbias.derive.sphere.galerkin import circle_spectrum, make_panels  # noqa: E402


def nystrom_mpmath(density, nodes_per_panel: int, count: int, dps: int = 25) -> list:
    """Dense Nyström with mpmath: the baseline named in the issue."""
    k = circle_kernel().mp()
    with mpmath.workdps(dps):
        pts, wts = [], []
        t, w = zip(*_gl(nodes_per_panel))
        for P in make_panels(density):
            half, mid = (P.b - P.a) / 2, (P.a + P.b) / 2
            for tq, wq in zip(t, w):
                pts.append(mid + half * tq)
                wts.append(half * wq * P.p)
        n = len(pts)
        A = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(i, n):
                A[i, j] = A[j, i] = mpmath.sqrt(wts[i] * wts[j]) * k(pts[i] - pts[j])
        ev = mpmath.eigsy(A, eigvals_only=True)
        return sorted(ev, reverse=True)[:count]


def _gl(n: int):
    """Gauss–Legendre nodes and weights on [−1, 1] (mpmath's polynomial roots)."""
    out = []
    for k in range(1, n + 1):
        x = mpmath.cos(mpmath.pi * (k - mpmath.mpf(1) / 4) / (n + mpmath.mpf(1) / 2))
        for _ in range(100):
            p0, p1 = mpmath.mpf(1), x
            for m in range(2, n + 1):
                p0, p1 = p1, ((2 * m - 1) * x * p1 - (m - 1) * p0) / m
            dp = n * (x * p1 - p0) / (x * x - 1)
            dx = p1 / dp
            x -= dx
            if abs(dx) < mpmath.mpf(10) ** (-mpmath.mp.dps - 2):
                break
        out.append((x, 2 / ((1 - x * x) * dp * dp)))
    return out


def bench_circle(quick: bool) -> dict:
    density = seed_three_piece()
    count, dps = (20, 20) if quick else (50, 20)
    w0, wc = time.perf_counter(), time.process_time()
    circle_spectrum(density, count=4, dps=12)   # first call: SymPy derives the kernel once
    first = {"seconds": time.perf_counter() - w0, "cpu_seconds": time.process_time() - wc}
    t0, c0 = time.perf_counter(), time.process_time()
    spec = circle_spectrum(density, count=count, dps=dps)
    ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {"count": count, "dps": dps, "seconds": ours, "cpu_seconds": ours_cpu,
           "first_call_small": first, "certificate": spec.certificate, "baseline": []}
    for m in ((8, 12) if quick else (10, 20)):
        t0, c0 = time.perf_counter(), time.process_time()
        base = nystrom_mpmath(density, m, count)
        sec, cpu = time.perf_counter() - t0, time.process_time() - c0
        with mpmath.workdps(30):
            err = max(float(abs(b / a - 1)) for a, b in zip(spec.mp_values, base))
        out["baseline"].append({"nodes": 6 * m, "seconds": sec, "cpu_seconds": cpu,
                                "max_rel_error": err, "ratio_baseline_over_ours": sec / ours})
        print(f"circle: ours {ours:.2f} s wall, {ours_cpu:.2f} s CPU ({count} eigenvalues, "
              f"{dps} digits); Nystrom mpmath N = {6 * m}: {sec:.2f} s wall, {cpu:.2f} s CPU, "
              f"max relative error {err:.1e}")
    return out


def bench_sphere(quick: bool) -> dict:
    count, dps = (20, 20) if quick else (50, 20)
    dims = (2, 3, 10) if quick else tuple(range(2, 11))
    out = {"count": count, "dps": dps, "depth": 3, "ours": {}, "ours_cpu": {}, "baseline": {}}
    for d in dims:
        t0, c0 = time.perf_counter(), time.process_time()
        sp = sphere_spectrum(d, 3, "relu", "ntk", count, dps)
        out["ours"][d] = time.perf_counter() - t0
        out["ours_cpu"][d] = time.process_time() - c0
        print(f"sphere d = {d}: {out['ours'][d]:.2f} s wall, {out['ours_cpu'][d]:.2f} s CPU "
              f"({count} eigenvalues, {dps} digits, working "
              f"{sp.certificate['working_digits']} digits)")
        if d in (3, 10):
            t0, c0 = time.perf_counter(), time.process_time()
            with mpmath.workdps(sp.certificate["working_digits"]):
                kap, _ = zonal_kernel(3, "relu", "ntk", d, 2.0, 0.0, dps)
                ratio = mpmath.gamma(mpmath.mpf(d) / 2) / (mpmath.sqrt(mpmath.pi)
                                                           * mpmath.gamma(mpmath.mpf(d - 1) / 2))
                worst = 0.0
                for l in range(count):
                    if d == 2:
                        P = lambda th, l=l: mpmath.cos(l * th)  # noqa: E731
                    else:
                        a = mpmath.mpf(d - 2) / 2
                        P = lambda th, l=l, a=a: mpmath.gegenbauer(l, a, mpmath.cos(th)) \
                            / mpmath.binomial(l + 2 * a - 1, l)  # noqa: E731
                    v = ratio * mpmath.quad(lambda th: kap(mpmath.cos(th)) * P(th)
                                            * mpmath.sin(th) ** (d - 2), [0, mpmath.pi / 2, mpmath.pi])
                    if sp.mp_values[l] != 0:
                        worst = max(worst, float(abs(v / sp.mp_values[l] - 1)))
            sec, cpu = time.perf_counter() - t0, time.process_time() - c0
            out["baseline"][d] = {"seconds": sec, "cpu_seconds": cpu, "max_rel_difference": worst,
                                  "ratio_baseline_over_ours": sec / out["ours"][d]}
            print(f"  baseline mpmath.quad per degree: {sec:.2f} s wall, {cpu:.2f} s CPU, max "
                  f"relative difference {worst:.1e}")
    return out


def main() -> None:
    quick = "--quick" in sys.argv
    only = [a for a in ("circle", "sphere") if f"--only-{a}" in sys.argv]
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} on {os.cpu_count()} cores")
    result = {"load_average": load, "cores": os.cpu_count(), "quick": quick,
              "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")}
    for name, fn in (("circle", bench_circle), ("sphere", bench_sphere)):
        if not only or name in only:
            result[name] = fn(quick)
    stem = "sphere_quick" if quick else "sphere"
    if only:
        stem += "_" + "_".join(only)
    path = Path(__file__).resolve().parent / "results" / f"{stem}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
