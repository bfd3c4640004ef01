"""Least-squares fits of a target f on (-1, 1) by a ReLU (two-layer network, fixed biases) or
a hat (P1 finite element) basis, in float32 or float64 (H. Zhao, "Numerical Analysis 101 for
Neural Networks", Table 1 and the stability slide; arXiv:2306.17301 Sec. 4).

Both bases span the same space, so differences are purely numerical:

* ``relu``: h(x) = c + sum_i a_i sigma(x - b_i) over the knots b_i < 1 (an output bias c: every
  unit vanishes at x = -1, so without it the span misses functions with f(-1) != 0;
  ``constant=False`` drops it, as the slide's h(x) = sum_i a_i sigma(x - b_i) is written; a
  knot at 1 gives a zero unit and is dropped);
* ``hat``: the hat functions on the nodes {-1, 1} union {b_i}: continuous piecewise linear
  functions with the same breakpoints.

Knots: ``uniform`` b_i = -1 + 2(i-1)/n (the theorem's quasi-even knots), ``uniform-ends``
b_i = -1 + 2(i-1)/(n-1) (both ends, like the adaptive rule F(b_i) = (i-1)/(n-1)),
``adaptive`` (:func:`specbias.derive.matrix.knots.adaptive_knots`).

Samples (``sampling``): ``midpoints``, m midpoints x_j = -1 + (2j + 1)/m ("sufficient
samples": m = 10 n by default, at least 2000) plus two Gauss points in every knot interval (a
graded adaptive mesh has elements far smaller than 2/m that would otherwise hold no sample); or
``linspace``, m equispaced points including both ends (no extra points). Solvers: ``normal``
forms the Gram matrix A^T A and A^T f in the dtype and solves it (LU, the slides'
alpha = G^-1 f); ``lstsq`` is LAPACK's SVD-based least squares on A (``gelsd``, minimum norm)
in the dtype. Errors (``errors``): MAX and MSE of h - f on a uniform test grid of
``test_points`` points, or at the samples themselves (evaluation in float64 from the fitted
coefficients).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy

from specbias.support.formula import check_finite_on, parse_formula
from specbias.derive.matrix.knots import knots as make_knots
from specbias.support.params import check_count
from specbias.errors import InvalidArgument, require
from specbias.verify.options import (LSTSQ_BASES, LSTSQ_DTYPES, LSTSQ_ERRORS, LSTSQ_KNOTS,
                                     LSTSQ_SAMPLINGS, LSTSQ_SOLVERS, MAX_LSTSQ_N,
                                     MAX_LSTSQ_SAMPLES, check_design_size, default_samples)

BASES, KNOT_RULES, SOLVERS, DTYPES = LSTSQ_BASES, LSTSQ_KNOTS, LSTSQ_SOLVERS, LSTSQ_DTYPES
SAMPLINGS, ERRORS = LSTSQ_SAMPLINGS, LSTSQ_ERRORS


@lru_cache(maxsize=32)
def target_function(text: str):
    """The parsed target as a NumPy function (whitelist parser, checked finite on [-1, 1]);
    kept per text, since parsing and the finiteness check cost more than a small fit."""
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


def design(x: np.ndarray, b: np.ndarray, basis: str, constant: bool = True) -> np.ndarray:
    """Columns of the basis evaluated at x (float64); ``constant``: the ReLU basis's output bias."""
    if basis == "relu":
        b = b[b < 1]
        units = np.maximum(x[:, None] - b[None, :], 0.0)
        return np.hstack([np.ones((x.size, 1)), units]) if constant else units
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


def fit_knots(target: str, n: int, knots: str) -> np.ndarray:
    """The n knots of a rule of :data:`KNOT_RULES`, as float64."""
    require(knots in KNOT_RULES, f"knots {knots!r} is unknown here: use one of "
                                 f"{', '.join(KNOT_RULES)}")
    if knots == "uniform-ends":
        return -1 + 2 * np.arange(n) / max(n - 1, 1)
    return make_knots("uniform" if knots == "uniform" else f"adaptive:{target}", n, 20).floats()


def sample_points(m: int, sampling: str, b: np.ndarray, element_samples: bool) -> np.ndarray:
    """The sample abscissae of :data:`SAMPLINGS` (sorted)."""
    require(sampling in SAMPLINGS, f"sampling {sampling!r} is unknown: use midpoints or linspace")
    if sampling == "linspace":
        return np.linspace(-1.0, 1.0, m)
    x = -1 + (2 * np.arange(m) + 1) / m
    return np.sort(np.concatenate([x, element_points(b)])) if element_samples else x


def fit(target: str, n: int, basis: str = "relu", knots: str = "uniform", dtype: str = "float64",
        solver: str = "lstsq", samples: int | None = None, test_points: int = 20001,
        noise: float = 0.0, seed: int = 0, biases: int | None = None,
        element_samples: bool = True, constant: bool = True, sampling: str = "midpoints",
        errors: str = "test") -> dict:
    """Fit, and measure MAX and MSE (see the module docstring); ``noise`` adds N(0, noise^2) to
    the samples (seeded); ``biases`` overrides the number of knots (over-parametrization)."""
    n = check_count(n, MAX_LSTSQ_N, "n")
    require(basis in BASES, f"basis {basis!r} is unknown: use one of {', '.join(BASES)}")
    require(dtype in DTYPES, f"dtype {dtype!r} is unknown: use one of {', '.join(DTYPES)}")
    require(solver in SOLVERS, f"solver {solver!r} is unknown: use one of {', '.join(SOLVERS)}")
    require(errors in ERRORS, f"errors {errors!r} is unknown: use one of {', '.join(ERRORS)}")
    require(isinstance(noise, (int, float)) and math.isfinite(noise) and noise >= 0,
            f"noise {noise!r} must be a finite number >= 0")
    nb = check_count(biases, MAX_LSTSQ_N, "biases") if biases is not None else n
    m = check_count(samples if samples is not None else default_samples(n), MAX_LSTSQ_SAMPLES,
                    "samples")
    check_design_size(nb, m, element_samples and sampling == "midpoints")
    f = target_function(target)
    b = fit_knots(target, nb, knots)
    x = sample_points(m, sampling, b, element_samples)
    y = target_values(f, x, target, dtype)
    if noise:
        y = y + np.random.default_rng(seed).normal(0.0, noise, x.size)
    a = design(x, b, basis, constant)
    coef = solve(a, y, dtype, solver)
    xt = x if errors == "samples" else np.linspace(-1, 1, test_points)
    ft = np.broadcast_to(np.asarray(f(xt), dtype=np.float64), xt.shape)
    err = design(xt, b, basis, constant) @ coef - ft
    if not np.all(np.isfinite(err)):
        fix = ("use the solver lstsq (SVD)" if solver == "normal" else
               "use the dtype float64" if dtype == "float32" else "use fewer knots")
        raise InvalidArgument(f"the {solver} solve in {dtype} gave no finite fit (singular "
                              f"matrix in this precision): {fix}")
    return {"target": target, "n": n, "biases": nb, "basis": basis, "knots": knots, "dtype": dtype,
            "solver": solver, "samples": int(x.size), "test_points": int(xt.size), "noise": noise,
            "seed": seed, "MAX": float(np.max(np.abs(err))), "MSE": float(np.mean(err**2)),
            "coef_norm": float(np.linalg.norm(coef)), "columns": a.shape[1]}


@dataclass(frozen=True)
class NoiseResponse:
    """How the minimum-norm least-squares fit turns white data noise N(0, s^2) into test error:
    the excess test MSE over the noise-free fit has mean ``gain`` s^2 and standard deviation
    ``spread`` s^2 per draw (both exact for the linear fit); ``rank``: singular values kept."""

    gain: float
    spread: float
    rank: int = 0


def noise_response(target: str, n_biases: int, samples: int, sigma: float,
                   test_points: int = 20001, basis: str = "relu", cutoff: float | None = None,
                   placement: str = "midway") -> NoiseResponse:
    """The exact :class:`NoiseResponse` of the fit of :func:`fit` with uniform knots and midpoint
    samples without element points (the stability experiment). With P = A_test V_k S_k^-1 from
    the SVD of the design A (singular values above LAPACK's default cut-off eps max(m, n)
    sigma_1, as ``lstsq``, or above ``cutoff`` sigma_1: a truncated, low-pass fit), the fit moves
    the test values by P U_k^T e for data noise e, so the excess MSE is
    (2 r^T P U_k^T e + |P U_k^T e|^2) / T (r the noise-free test residual): mean
    s^2 |P|_F^2 / T, variance (4 s^2 |P^T r|^2 + 2 s^4 |P^T P|_F^2) / T^2. ``placement``:
    "midway" (knots -1 + 2(i-1)/n, midpoint samples: with as many knots as samples each knot
    lies midway between two samples) or "equispaced" (knots and samples both from -1 to 1)."""
    n_biases = check_count(n_biases, MAX_LSTSQ_N, "biases")
    samples = check_count(samples, MAX_LSTSQ_SAMPLES, "samples")
    check_design_size(n_biases, samples, False)
    require(placement in ("midway", "equispaced"),
            f"placement {placement!r} is unknown: use midway or equispaced")
    require(cutoff is None or (isinstance(cutoff, float) and 0 < cutoff < 1),
            f"cutoff {cutoff!r} must be a float in (0, 1) (relative to sigma_1), or None")
    midway = placement == "midway"
    b = fit_knots(target, n_biases, "uniform" if midway else "uniform-ends")
    x = sample_points(samples, "midpoints" if midway else "linspace", b, False)
    a = design(x, b, basis)
    u, sig, vt = np.linalg.svd(a, full_matrices=False)
    rel = np.finfo(np.float64).eps * max(a.shape) if cutoff is None else cutoff
    keep = sig > rel * sig[0]
    f = target_function(target)
    xt = np.linspace(-1, 1, test_points)
    at = design(xt, b, basis)
    coef = vt[keep].T @ ((u[:, keep].T @ np.asarray(f(x), dtype=np.float64)) / sig[keep])
    resid = at @ coef - np.broadcast_to(np.asarray(f(xt), dtype=np.float64), xt.shape)
    proj = at @ vt[keep].T / sig[keep]
    t = float(test_points)
    var = (4 * sigma**2 * np.sum((proj.T @ resid) ** 2)
           + 2 * sigma**4 * np.sum((proj.T @ proj) ** 2)) / t**2
    return NoiseResponse(float(np.sum(proj**2) / t), float(np.sqrt(var)) / sigma**2,
                         int(np.sum(keep)))


__all__ = ["BASES", "DTYPES", "ERRORS", "KNOT_RULES", "SAMPLINGS", "SOLVERS", "design", "fit",
           "fit_knots", "NoiseResponse", "noise_response", "sample_points", "solve",
           "target_function"]
