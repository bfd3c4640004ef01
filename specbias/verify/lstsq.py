"""Least-squares fits of a target f on (-1, 1) by a ReLU (two-layer network, fixed biases) or
a hat (P1 finite element) basis, in float32 or float64 (Zhao, seeds/000, Table 1 and the
stability slide; arXiv:2306.17301 Sec. 4).

Both bases span the same space, so differences are purely numerical:

* ``relu``: h(x) = c + sum_i a_i sigma(x - b_i) over the knots b_i < 1 (an output bias c: every
  unit vanishes at x = -1, so without it the span misses functions with f(-1) != 0; a knot at
  1 gives a zero unit and is dropped);
* ``hat``: the hat functions on the nodes {-1, 1} union {b_i}: continuous piecewise linear
  functions with the same breakpoints.

Samples: ``samples`` midpoints x_j = -1 + (2j + 1)/m ("sufficient samples": m = 10 n by
default, at least 2000) plus two Gauss points in every knot interval (a graded adaptive mesh
has elements far smaller than 2/m that would otherwise hold no sample). Solvers: ``normal`` forms the Gram matrix A^T A and A^T f in the
dtype and solves it (LU, the slides' alpha = G^-1 f); ``lstsq`` is LAPACK's SVD-based
least squares on A (``gelsd``) in the dtype. Errors: MAX and MSE of h - f on a uniform test
grid of ``test_points`` points (evaluation in float64 from the fitted coefficients).
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from specbias.support.formula import check_finite_on, parse_formula
from specbias.derive.matrix.knots import knots as make_knots
from specbias.support.params import check_count
from specbias.errors import InvalidArgument, require
from specbias.verify.options import (LSTSQ_BASES, LSTSQ_DTYPES, LSTSQ_KNOTS, LSTSQ_SOLVERS,
                                     MAX_LSTSQ_N, MAX_LSTSQ_SAMPLES, check_design_size,
                                     default_samples)

BASES, KNOT_RULES, SOLVERS, DTYPES = LSTSQ_BASES, LSTSQ_KNOTS, LSTSQ_SOLVERS, LSTSQ_DTYPES


def target_function(text: str):
    """The parsed target as a NumPy function (whitelist parser, checked finite on [-1, 1])."""
    expr = check_finite_on(parse_formula(text), "x", (-1, 1), text=text)
    return sympy.lambdify(sympy.Symbol("x", real=True), expr, modules="numpy")


def target_values(f, x: np.ndarray, text: str, dtype: str) -> np.ndarray:
    """f on the points x in float64, refused when it overflows or when its size would
    overflow the fit's sums of squares in ``dtype`` (beyond sqrt(max float) / 10^4)."""
    with np.errstate(over="ignore", invalid="ignore"):
        y = np.broadcast_to(np.asarray(f(x), dtype=np.float64), x.shape).copy()
    limit = float(np.sqrt(np.finfo(dtype).max)) / 1e4
    bad = ~np.isfinite(y)
    if bad.any():
        raise InvalidArgument(f"target {text!r} overflows float64 on [-1, 1] (at x = "
                              f"{x[bad][0]:.6g}): divide it by a constant or shrink its argument")
    peak = float(np.max(np.abs(y)))
    require(peak <= limit, f"target {text!r} reaches {peak:.3g} on [-1, 1], beyond {limit:.1g} "
                           f"where the {dtype} sums of squares overflow: divide it by a constant")
    return y


def design(x: np.ndarray, b: np.ndarray, basis: str) -> np.ndarray:
    """Columns of the basis evaluated at x (float64)."""
    if basis == "relu":
        b = b[b < 1]
        return np.hstack([np.ones((x.size, 1)), np.maximum(x[:, None] - b[None, :], 0.0)])
    nodes = np.unique(np.concatenate([[-1.0, 1.0], b]))
    eye = np.eye(nodes.size)
    return np.stack([np.interp(x, nodes, eye[i]) for i in range(nodes.size)], axis=1)


def element_points(b: np.ndarray) -> np.ndarray:
    """Two Gauss-Legendre points in every interval between consecutive nodes, so that every
    element of a graded (adaptive) mesh is sampled however small it is."""
    nodes = np.unique(np.concatenate([[-1.0, 1.0], b]))
    mid, half = (nodes[1:] + nodes[:-1]) / 2, (nodes[1:] - nodes[:-1]) / 2
    g = 1 / np.sqrt(3)
    return np.concatenate([mid - g * half, mid + g * half])


def solve(a: np.ndarray, f: np.ndarray, dtype: str, solver: str) -> np.ndarray:
    a32, f32 = a.astype(dtype), f.astype(dtype)
    if solver == "normal":
        g = a32.T @ a32
        try:
            return np.linalg.solve(g, a32.T @ f32).astype(np.float64)
        except np.linalg.LinAlgError:  # singular in this precision: report it as a failed fit
            return np.full(a.shape[1], np.nan)
    return np.linalg.lstsq(a32, f32, rcond=None)[0].astype(np.float64)


def fit(target: str, n: int, basis: str = "relu", knots: str = "uniform", dtype: str = "float64",
        solver: str = "lstsq", samples: int | None = None, test_points: int = 20001,
        noise: float = 0.0, seed: int = 0, biases: int | None = None,
        element_samples: bool = True) -> dict:
    """Fit, and measure MAX and MSE on the test grid; ``noise`` adds N(0, noise^2) to the
    samples (seeded); ``biases`` overrides the number of knots (over-parametrization)."""
    n = check_count(n, MAX_LSTSQ_N, "n")
    require(basis in BASES, f"basis {basis!r} is unknown: use one of {', '.join(BASES)}")
    require(knots in KNOT_RULES, f"knots {knots!r} is unknown here: use one of {', '.join(KNOT_RULES)}")
    require(dtype in DTYPES, f"dtype {dtype!r} is unknown: use one of {', '.join(DTYPES)}")
    require(solver in SOLVERS, f"solver {solver!r} is unknown: use one of {', '.join(SOLVERS)}")
    require(isinstance(noise, (int, float)) and math.isfinite(noise) and noise >= 0,
            f"noise {noise!r} must be a finite number >= 0")
    nb = check_count(biases, MAX_LSTSQ_N, "biases") if biases is not None else n
    m = check_count(samples if samples is not None else default_samples(n), MAX_LSTSQ_SAMPLES,
                    "samples")
    check_design_size(nb, m, element_samples)
    f = target_function(target)
    kn = make_knots("uniform" if knots == "uniform" else f"adaptive:{target}", nb, 20)
    b = kn.floats()
    x = -1 + (2 * np.arange(m) + 1) / m
    if element_samples:
        x = np.sort(np.concatenate([x, element_points(b)]))
    y = target_values(f, x, target, dtype)
    if noise:
        y = y + np.random.default_rng(seed).normal(0.0, noise, x.size)
    a = design(x, b, basis)
    coef = solve(a, y, dtype, solver)
    xt = np.linspace(-1, 1, test_points)
    ft = np.broadcast_to(np.asarray(f(xt), dtype=np.float64), xt.shape)
    err = design(xt, b, basis) @ coef - ft
    if not np.all(np.isfinite(err)):
        fix = ("use the solver lstsq (SVD)" if solver == "normal" else
               "use the dtype float64" if dtype == "float32" else "use fewer knots")
        raise InvalidArgument(f"the {solver} solve in {dtype} gave no finite fit (singular "
                              f"matrix in this precision): {fix}")
    return {"target": target, "n": n, "biases": nb, "basis": basis, "knots": knots, "dtype": dtype,
            "solver": solver, "samples": int(x.size), "test_points": test_points, "noise": noise,
            "seed": seed, "MAX": float(np.max(np.abs(err))), "MSE": float(np.mean(err**2)),
            "coef_norm": float(np.linalg.norm(coef)), "columns": a.shape[1]}


__all__ = ["BASES", "DTYPES", "KNOT_RULES", "SOLVERS", "design", "fit", "solve", "target_function"]
