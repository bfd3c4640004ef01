"""``demo``: spectral bias of gradient descent on random ReLU features (cheap, NumPy only).

The engine's own experiment, for tests, the benchmark and users trying ``specbias sweep``.
A random-features model f(x) = sum_j theta_j relu(w_j x + b_j) / sqrt(m) (Rahimi & Recht 2007)
is fitted by full-batch gradient descent on the square loss to sin(pi k x) on n equispaced
points of [-1, 1]. The features' Gram matrix has decaying eigenvalues whose eigenvectors
oscillate more as they decay, so the residual of a target of higher frequency k decays more
slowly: the number of steps until the relative error halves grows with k (the frequency
principle, Xu et al. 2019; Rahaman et al. 2019, section 3). The step size is
``lr / lambda_max`` with lambda_max the largest eigenvalue of Phi^T Phi / n, so ``lr < 2`` is
stable. The matrices are small (n x m, a few hundred), so the run is pinned to one BLAS thread:
more threads only add synchronization (measured here: 5000 steps at n = m = 256 take 0.42 s on
one thread, 0.81 s on two), and a sweep gets its parallelism from running configs side by side.

    >>> from specbias.verify.sweep.registry import get
    >>> out = run(dict(get("demo").profiles["quick"], steps=200))
    >>> out["relative_error"] < 1.0
    True
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from specbias.verify.sweep.registry import Experiment, register

#: Relative-error curve points kept in the result (log-spaced steps).
CURVE_POINTS = 24


def features(n: int, width: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs x (n equispaced points of [-1, 1]) and random ReLU features Phi (n x width)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(-1.0, 1.0, n)
    w = rng.standard_normal(width)
    b = rng.uniform(-1.0, 1.0, width)
    return x, np.maximum(np.outer(x, w) + b, 0.0) / np.sqrt(width)


def run(config: dict) -> dict:
    """Fit sin(pi k x) by gradient descent on random ReLU features; the error curve.

    Returns the final relative error ||f - y|| / ||y||, the first step at which it is at most
    one half (None if never), lambda_max, and the error at log-spaced steps.
    """
    with threadpool_limits(1):
        return _descend(config)


def _descend(config: dict) -> dict:
    x, phi = features(config["n"], config["width"], config["seed"])
    y = np.sin(np.pi * config["freq"] * x)
    lam_max = float(np.linalg.norm(phi, 2) ** 2 / config["n"])
    eta = config["lr"] / lam_max if lam_max > 0 else 0.0  # no active feature: nothing to learn
    steps = config["steps"]
    keep = set(np.unique(np.geomspace(1, steps, CURVE_POINTS).astype(int)).tolist())
    theta, y_norm = np.zeros(phi.shape[1]), float(np.linalg.norm(y))
    half, curve = None, []
    for t in range(steps + 1):
        resid = phi @ theta - y
        err = float(np.linalg.norm(resid)) / y_norm  # the error after t steps
        if half is None and err <= 0.5:
            half = t
        if t in keep:
            curve.append([t, err])
        if t < steps:
            theta -= eta * (phi.T @ resid) / config["n"]
    return {"relative_error": curve[-1][1], "steps_to_half": half, "lambda_max": lam_max,
            "curve": curve}


def plot(runs: list[dict], swept: list[str]) -> list[dict]:
    """Plot specifications: the error curves (mean over seeds, one line per value of the other
    swept keys), then the generic figures of :func:`~specbias.verify.sweep.summary.default_plot`."""
    from specbias.records import line_plot
    from specbias.verify.sweep.config import format_value
    from specbias.verify.sweep.summary import default_plot, groups

    keys = [k for k in swept if k != "seed"]
    series = []
    for combo, members in groups(runs, keys).items():
        steps = [t for t, _ in members[0]["result"]["curve"]]
        errors = np.mean([[e for _, e in m["result"]["curve"]] for m in members], axis=0)
        series.append({"label": ", ".join(f"{k} {format_value(v)}" for k, v in zip(keys, combo)),
                       "x": steps, "y": errors.tolist(), "style": ".-"})
    curves = line_plot("demo_error_curves", series, xlabel="gradient-descent step",
                       ylabel=f"relative error (mean over {len(runs) // len(series)} runs)",
                       xscale="log", yscale="log")
    return [curves, *default_plot(runs, swept, "demo")]


EXPERIMENT = register(Experiment(
    name="demo",
    run=run,
    profiles={
        "quick": {"freq": 1, "n": 256, "width": 256, "steps": 20000, "lr": 1.0, "seed": 0},
        "full": {"freq": 1, "n": 1024, "width": 2048, "steps": 200000, "lr": 1.0, "seed": 0},
    },
    summary="gradient descent on random ReLU features fitting sin(pi k x): error against steps",
    keys={"freq": "frequency k of the target sin(pi k x)", "n": "training points on [-1, 1]",
          "width": "number of random ReLU features", "steps": "gradient-descent steps",
          "lr": "step size in units of 1/lambda_max (stable below 2)",
          "seed": "seed of the random features"},
    plot=plot,
))
