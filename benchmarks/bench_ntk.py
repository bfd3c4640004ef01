"""Analytic and empirical NTKs: specbias vs neural-tangents on the same inputs, in one run.

    python benchmarks/bench_ntk.py [--n 1000] [--depth 5] [--rounds 5] [--nt-python PATH]

* Analytic depth-5 ReLU NTK (σ_w² = 2, σ_b² = 0.1, float64, CPU): entries per second of
  specbias (the fused numba kernel; the NumPy array path; torch CPU; torch CUDA when present)
  and of neural-tangents (JAX, jit, x64), in ``--rounds`` interleaved rounds (best of 3 each),
  with the ratios per round; the first call's SymPy derivation and numba compile (or cache
  load) in fresh processes; the agreement of the kernels, and their accuracy against mpmath on
  pairs of inputs at angles 1e-12..1e-1.
* Empirical NTK of a finite network (width 512, depth 2, 64 inputs): torch.func vs
  neural_tangents.empirical_ntk_fn.

neural-tangents lives in its own environment (``make bench-nt-env`` builds benchmarks/.ntvenv:
neural-tangents 0.6.5 with jax 0.4.30, the newest JAX it imports with). Without it, only the
specbias side is printed. Results are written to benchmarks/results/ntk.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
import torch

from specbias.derive.ntk.kernels import angles, kernels
from specbias.derive.ntk.deviation import angular_deviation, reference_deviation
from specbias.verify.empirical_ntk import empirical_ntk
from specbias.verify.models import DeepFC

HERE = Path(__file__).resolve().parent
W_VAR, B_VAR = 2.0, 0.1


def best_time(fn, repeats=3):
    fn()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def tiny_angle_inputs(dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (e1, cos t e1 + sin t e2) for t = 1e-12..1e-1, stacked as rows 2i, 2i+1."""
    ts = np.logspace(-12, -1, 12)
    rows = []
    for t in ts:
        a = np.zeros(dim); a[0] = 1
        b = np.zeros(dim); b[0], b[1] = math.cos(t), math.sin(t)
        rows += [a, b]
    return np.array(rows), ts


def deviation_errors(K: np.ndarray | None, X: np.ndarray, depth: int) -> list[float]:
    """Relative error of Θ(x,x) − Θ(x,x') per pair against mpmath (angle of the float inputs):
    from the matrix K by subtraction, or (K None) from specbias's angular_deviation."""
    errs = []
    for i in range(0, len(X), 2):
        th = angles(X[i:i + 1], X[i + 1:i + 2], np)[0][0, 0]
        ref = float(reference_deviation(float(th), depth, "relu", W_VAR, B_VAR, "ntk", dim=X.shape[1])[1])
        dev = (K[i, i] - K[i, i + 1]) if K is not None else angular_deviation(
            np.array([th]), depth, "relu", W_VAR, B_VAR, "ntk", dim=X.shape[1])[1][0]
        errs.append(min(1.0, abs(dev / ref - 1)))
    return errs


def entry_reference(x: np.ndarray, y: np.ndarray, depth: int, dps: int = 50) -> float:
    """Θ(x, y) of the depth-``depth`` ReLU network by the closed forms in mpmath (no angle
    tricks): Σ and Σ̇ from dual_activation('relu'), the cosine from the covariances."""
    import mpmath
    import sympy
    from specbias.derive.ntk.arccos import dual_activation, q11, q12, q22, theta
    d = dual_activation("relu")
    val = sympy.lambdify((q11, q22, q12, theta), d.value, "mpmath")
    der = sympy.lambdify((q11, q22, q12, theta), d.derivative, "mpmath")
    with mpmath.workdps(dps):
        xs, ys = [mpmath.mpf(v) for v in x], [mpmath.mpf(v) for v in y]
        dim = len(xs)
        dot = lambda a, b: mpmath.fsum(u * v for u, v in zip(a, b))  # noqa: E731
        a, b, c = (W_VAR * dot(u, v) / dim + B_VAR for u, v in ((xs, xs), (ys, ys), (xs, ys)))
        T = c
        for _ in range(depth):
            th = mpmath.acos(c / mpmath.sqrt(a * b))
            a, b, c, cd = (W_VAR * val(a, a, a, 0) + B_VAR, W_VAR * val(b, b, b, 0) + B_VAR,
                           W_VAR * val(a, b, c, th) + B_VAR, W_VAR * der(a, b, c, th))
            T = c + T * cd
        return T


def first_call_seconds(depth: int) -> dict:
    """The first kernels() call of a fresh process (2x3 inputs), in parts: for the fused path the
    SymPy derivation of its factors, then the call with numba's cache empty (compile) and warm
    (load from disk); for the array path, the whole first call (its derivation included)."""
    code = ("import time, numpy as np\nfrom specbias.derive.ntk import fused as ntk_fused\n"
            "from specbias.derive.ntk.kernels import kernels\n"
            "X = np.random.default_rng(0).standard_normal((2, 3))\nt = time.perf_counter()\n"
            "if {fused}: ntk_fused._scalar_factors()\nu = time.perf_counter()\n"
            f"kernels(X, X, {depth}, 'relu', 2.0, 0.1, compiled={{fused}})\n"
            "print(u - t, time.perf_counter() - u)")
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        for key, fused in (("fused_empty_cache", True), ("fused_warm_cache", True),
                           ("array_path", False)):
            run = subprocess.run([sys.executable, "-c", code.format(fused=fused)], check=True,
                                 env=dict(os.environ, NUMBA_CACHE_DIR=cache),
                                 capture_output=True, text=True)
            sympy_s, call_s = map(float, run.stdout.split()[-2:])
            out[key] = {"sympy_seconds": sympy_s, "call_seconds": call_s} if fused else sympy_s + call_s
    return out


def run_nt(args, arrays: dict, names, empirical: bool) -> tuple[dict, dict]:
    """neural-tangents on the same arrays, in its own environment: (timings, kernels by name)."""
    with tempfile.TemporaryDirectory() as tmp:
        job = {"out": tmp, "depth": args.depth, "width": 512, "w_std": math.sqrt(W_VAR),
               "b_std": math.sqrt(B_VAR), "repeats": 3, "names": names, "empirical": empirical}
        for name, arr in arrays.items():
            np.save(f"{tmp}/{name}.npy", arr)
            job[name] = f"{tmp}/{name}.npy"
        json.dump(job, open(f"{tmp}/job.json", "w"))
        env = dict(os.environ, JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
        subprocess.run([args.nt_python, str(HERE / "nt_side.py"), f"{tmp}/job.json"], check=True,
                       env=env, capture_output=True)
        return json.load(open(f"{tmp}/nt.json")), {n: np.load(f"{tmp}/nt_{n}.npy") for n in names}


def spread(values) -> dict:
    return {"min": min(values), "median": float(np.median(values)), "max": max(values)}


def report(res: dict, args, ts) -> None:
    entries, f = res["entries"], res["first_call_seconds"]
    print(f"Analytic depth-{args.depth} ReLU NTK, {args.n}x{args.n} float64 ({entries:.1e} entries), "
          f"{args.rounds} rounds of best-of-3 (min / median / max seconds):")
    rows = [("specbias fused (numba)", res["specbias_fused_seconds"]),
            ("specbias numpy arrays", res["specbias_numpy_seconds"])]
    if isinstance(res["neural_tangents"], dict):
        rows.append(("neural-tangents (jit)", res["neural_tangents_seconds"]))
    for name, s in rows:
        print(f"  {name:24s} {s['min']:.3f} / {s['median']:.3f} / {s['max']:.3f} s   "
              f"{entries / s['median']:.2e} entries/s at the median")
    for key in ("specbias_torch_cpu", "specbias_torch_cuda"):
        if f"{key}_seconds" in res:
            s = res[f"{key}_seconds"]
            print(f"  {key:24s} {s:.3f} s   {entries / s:.2e} entries/s")
    print(f"  first call in a new process: fused {f['fused_empty_cache']['sympy_seconds']:.1f} s SymPy "
          f"+ {f['fused_empty_cache']['call_seconds']:.1f} s numba compile (empty cache) or "
          f"{f['fused_warm_cache']['call_seconds']:.2f} s load (warm cache); array path "
          f"{f['array_path']:.1f} s; fused vs array: max relative difference "
          f"{res['max_rel_diff_fused_vs_array']:.1e}")
    if not isinstance(res["neural_tangents"], dict):
        print(" ", res["neural_tangents"])
        for t, a in zip(ts, res["specbias_deviation_rel_err"]):
            print(f"  θ = {t:7.0e}: deviation rel. error {a:9.1e}")
        return
    for r in res["rounds"]:
        print(f"  round: NT/fused = {r['ratio_nt_over_fused']:.2f}, "
              f"NT/numpy arrays = {r['ratio_nt_over_numpy_array']:.2f}")
    e = res["entry_rel_err_vs_mpmath"]
    print(f"  max relative difference of the kernels: {res['max_rel_diff_vs_nt']:.1e}; against "
          f"mpmath at {e['entries']} entries (the worst one included): specbias "
          f"{e['specbias_max']:.1e}, neural-tangents {e['nt_max']:.1e}")
    print("Relative error of Θ(x,x) − Θ(x,x') vs mpmath (60 digits), by angle:\n"
          "  specbias angular_deviation | specbias matrix, subtracted | neural-tangents, subtracted")
    for t, a, m, b in zip(ts, res["specbias_deviation_rel_err"],
                          res["specbias_matrix_subtraction_rel_err"], res["nt_deviation_rel_err"]):
        print(f"  θ = {t:7.0e}: {a:9.1e} | {m:9.1e} | {b:9.1e}")
    print(f"Empirical NTK (width 512, depth 2, 64 inputs): torch.func "
          f"{res['specbias_empirical_seconds']:.3f} s, neural-tangents "
          f"{res['neural_tangents']['empirical_seconds']:.3f} s, ratio NT/specbias = "
          f"{res['ratio_empirical_nt_over_specbias']:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--depth", type=int, default=5)
    ap.add_argument("--dim", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5,
                    help="timing rounds, each: fused, array path, neural-tangents (best of 3 each)")
    ap.add_argument("--nt-python", default=os.environ.get("SPECBIAS_NT_PYTHON",
                                                           str(HERE / ".ntvenv/bin/python")))
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.n, args.dim))
    T, ts = tiny_angle_inputs(args.dim)
    E = rng.standard_normal((64, args.dim))
    entries = args.n ** 2
    have_nt = Path(args.nt_python).exists()
    res: dict = {"n": args.n, "depth": args.depth, "dim": args.dim, "entries": entries,
                 "cpu_threads": torch.get_num_threads(), "numba_threads": numba.get_num_threads(),
                 "first_call_seconds": first_call_seconds(args.depth)}
    rounds = []
    for r in range(args.rounds):
        row = {"specbias_fused": best_time(lambda: kernels(X, X, args.depth, "relu", W_VAR, B_VAR)),
               "specbias_numpy_array": best_time(lambda: kernels(
                   X, X, args.depth, "relu", W_VAR, B_VAR, compiled=False))}
        if have_nt:
            if r == 0:  # the full job: timings and kernels for the accuracy comparisons below
                nt, K_nts = run_nt(args, {"X": X, "T": T, "E": E}, ["X", "T"], True)
            row["neural_tangents"] = (nt if r == 0 else run_nt(args, {"X": X}, ["X"], False)[0]
                                      )["analytic_X_seconds"]
            row["ratio_nt_over_fused"] = row["neural_tangents"] / row["specbias_fused"]
            row["ratio_nt_over_numpy_array"] = row["neural_tangents"] / row["specbias_numpy_array"]
        rounds.append(row)
    res["rounds"] = rounds
    res["specbias_fused_seconds"] = spread([r["specbias_fused"] for r in rounds])
    res["specbias_numpy_seconds"] = spread([r["specbias_numpy_array"] for r in rounds])
    Xt = torch.tensor(X)
    res["specbias_torch_cpu_seconds"] = best_time(
        lambda: kernels(Xt, Xt, args.depth, "relu", W_VAR, B_VAR, xp=torch))
    if torch.cuda.is_available():
        Xc = Xt.cuda()

        def cuda_run():
            kernels(Xc, Xc, args.depth, "relu", W_VAR, B_VAR, xp=torch)
            torch.cuda.synchronize()
        res["specbias_torch_cuda_seconds"] = best_time(cuda_run)
        res["cuda_device"] = torch.cuda.get_device_name()
    _, K_ours = kernels(X, X, args.depth, "relu", W_VAR, B_VAR)
    _, K_array = kernels(X, X, args.depth, "relu", W_VAR, B_VAR, compiled=False)
    res["max_rel_diff_fused_vs_array"] = float(np.max(np.abs(K_ours - K_array) / np.abs(K_array)))
    _, KT_ours = kernels(T, T, args.depth, "relu", W_VAR, B_VAR)
    res["specbias_deviation_rel_err"] = deviation_errors(None, T, args.depth)
    res["specbias_matrix_subtraction_rel_err"] = deviation_errors(KT_ours, T, args.depth)
    model = DeepFC(args.dim, 512, 2, "relu", "ntk", W_VAR, B_VAR, seed=0)
    Et = torch.tensor(E)
    res["specbias_empirical_seconds"] = best_time(lambda: empirical_ntk(model, Et))
    res["angles"] = ts.tolist()

    if have_nt:
        K_nt, KT_nt = K_nts["X"], K_nts["T"]
        res["neural_tangents"] = nt
        res["neural_tangents_seconds"] = spread([r["neural_tangents"] for r in rounds])
        res["max_rel_diff_vs_nt"] = float(np.max(np.abs(K_nt - K_ours) / np.abs(K_ours)))
        # where they differ most, and at 20 random entries: who is right (mpmath, 50 digits)?
        worst = np.unravel_index(np.argmax(np.abs(K_nt - K_ours) / np.abs(K_ours)), K_ours.shape)
        picks = [worst] + [tuple(rng.integers(0, args.n, 2)) for _ in range(20)]
        err_ours, err_nt = [], []
        for i, j in picks:
            ref = float(entry_reference(X[i], X[j], args.depth))
            err_ours.append(abs(K_ours[i, j] / ref - 1))
            err_nt.append(abs(K_nt[i, j] / ref - 1))
        res["entry_rel_err_vs_mpmath"] = {"specbias_max": float(max(err_ours)),
                                          "nt_max": float(max(err_nt)), "entries": len(picks)}
        res["nt_deviation_rel_err"] = deviation_errors(KT_nt, T, args.depth)
        for key, ours in (("fused", "fused"), ("numpy", "numpy_array")):
            res[f"ratio_analytic_nt_over_specbias_{key}"] = spread(
                [r[f"ratio_nt_over_{ours}"] for r in rounds])
        res["ratio_empirical_nt_over_specbias"] = nt["empirical_seconds"] / res["specbias_empirical_seconds"]
    else:
        res["neural_tangents"] = f"not run: {args.nt_python} missing (make bench-nt-env)"
    report(res, args, ts)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "ntk.json").write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    sys.exit(main())
