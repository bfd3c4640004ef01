"""Dual activations: each derived closed form against Monte Carlo, quadrature and Price's theorem."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, strategies as st

from specbias.derive.ntk.arccos import (ACTIVATIONS, SERIES_SWITCH, dual_activation,
                                    gaussian_expectation, numeric_factors, q11, q12, q22, theta)
from specbias.errors import InvalidArgument
from specbias.reports.render import derivation_md

SIGMA = {"step": lambda t: (t > 0) * 1.0, "relu": lambda t: np.maximum(t, 0),
         "relu2": lambda t: np.maximum(t, 0) ** 2, "erf": np.vectorize(math.erf)}
DSIGMA = {"relu": lambda t: (t > 0) * 1.0, "relu2": lambda t: 2 * np.maximum(t, 0),
          "erf": lambda t: 2 / math.sqrt(math.pi) * np.exp(-t ** 2)}


def evaluate(dual, expr, a, b, c):
    """The dual's expression at covariances (a, b, c) in mpmath (θ from the cosine at 30 digits)."""
    with mpmath.workdps(30):
        th = mpmath.acos(c / mpmath.sqrt(a * b))
        f = sympy.lambdify((q11, q22, q12, theta), expr, "mpmath")
        return float(f(mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(c), th))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_dual_matches_monte_carlo(name):
    rng = np.random.default_rng(1)
    dual = dual_activation(name)
    samples = 400_000
    for a, b, rho in ((1.0, 1.0, 0.3), (0.5, 2.0, -0.6), (1.5, 0.7, 0.9)):
        c = rho * math.sqrt(a * b)
        L = np.linalg.cholesky([[a, c], [c, b]])
        uv = rng.standard_normal((samples, 2)) @ L.T
        for expr, fn in ((dual.value, SIGMA[name]), (dual.derivative, DSIGMA.get(name))):
            if fn is None:  # the step's derivative is a distribution: no samples of it
                continue
            # math.erf is a Python loop: 40k samples of it, all the others vectorized.
            z = uv[:40_000] if fn is SIGMA["erf"] else uv
            vals = fn(z[:, 0]) * fn(z[:, 1])
            se = vals.std() / math.sqrt(len(vals))
            # 4.5 standard errors: two-sided false-alarm probability 7e-6 per comparison.
            assert abs(vals.mean() - evaluate(dual, expr, a, b, c)) < 4.5 * se + 1e-12, (name, a, b, rho)


@given(q=st.floats(0.1, 5.0))
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_diagonal_closed_form_equals_one_dimensional_quadrature(name, q):
    dual = dual_activation(name)
    sig = {"step": lambda t: 1 if t > 0 else 0, "relu": lambda t: max(t, 0),
           "relu2": lambda t: max(t, 0) ** 2, "erf": mpmath.erf}[name]
    with mpmath.workdps(25):
        quad = mpmath.quad(lambda u: sig(u) ** 2 * mpmath.exp(-u ** 2 / (2 * q)), [-mpmath.inf, 0, mpmath.inf]) \
            / mpmath.sqrt(2 * mpmath.pi * q)
        closed = sympy.lambdify(q11, dual.diagonal, "mpmath")(mpmath.mpf(q))
        assert abs(closed - quad) < mpmath.mpf(10) ** -18 * (1 + abs(quad))


@given(a=st.floats(0.2, 3.0), b=st.floats(0.2, 3.0), rho=st.floats(-0.95, 0.95))
@pytest.mark.parametrize("name", ["relu", "relu2", "erf"])
def test_price_theorem(name, a, b, rho):
    """∂/∂q12 E[σ(u)σ(v)] = E[σ'(u)σ'(v)]: ties each value to its derivative kernel."""
    dual = dual_activation(name)
    c = rho * math.sqrt(a * b)
    with mpmath.workdps(40):
        f = lambda cc: evaluate_mp(dual.value, a, b, cc)  # noqa: E731
        deriv = mpmath.diff(f, mpmath.mpf(c))
        assert abs(deriv - evaluate_mp(dual.derivative, a, b, c)) < mpmath.mpf(10) ** -25


def evaluate_mp(expr, a, b, c):
    """Every argument as an mpf, so that no intermediate is rounded to a float."""
    a, b, c = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(c)
    th = mpmath.acos(c / mpmath.sqrt(a * b))
    return sympy.lambdify((q11, q22, q12, theta), expr, "mpmath")(a, b, c, th)


@pytest.mark.parametrize("p", [0, 1, 2])
def test_deviation_split_matches_closed_form_at_high_precision(p):
    """π(B(1) − B(1 − v)) + h is an identity for J_p(0) − J_p(θ); the Taylor polynomial of h
    replaces h below the switch with truncation far below float64's resolution."""
    f = numeric_factors(p, "mpmath")
    # 90 digits: the closed-form subtraction J(0) − J(θ) itself loses 2 log10(1/θ) = 12 of them.
    with mpmath.workdps(90):
        for t in ("1e-6", "0.01", "0.2", "0.2499", "0.3", "1", "2.5", "3.1"):
            t = mpmath.mpf(t)
            exact = f["J"](0) - f["J"](t)
            v = 1 - mpmath.cos(t)
            split = f["pi_part"](v) + f["h"](t, mpmath.cos(t), mpmath.sin(t))
            assert abs(split / exact - 1) < mpmath.mpf(10) ** -50
            if t < SERIES_SWITCH:
                # first omitted term (2θ)^20/20! at θ = 1/4: below 1e-19 of D
                assert abs((f["pi_part"](v) + f["h_series"](t)) / exact - 1) < mpmath.mpf(10) ** -19


def test_gaussian_expectation_of_polynomials_against_isserlis():
    t = sympy.Symbol("t")
    val, _ = gaussian_expectation(t ** 3, t)
    # Isserlis: E[u^3 v^3] = 9 q11 q22 q12 + 6 q12^3
    assert sympy.expand(val - (9 * q11 * q22 * q12 + 6 * q12 ** 3)) == 0


def test_unknown_activation_is_invalid():
    with pytest.raises(InvalidArgument, match="tanh"):
        dual_activation("tanh")


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_dual_checks_hold_and_the_derivation_renders(name):
    """The checks made while deriving (diagonal, Price's theorem) leave zero residuals, and every
    formula of the derivation passes the report's math check."""
    dual = dual_activation(name)
    assert dual.checks and all(v == 0 for v in dual.checks.values())
    assert "$" in derivation_md(dual.derivation)


@pytest.mark.parametrize("par", ["arora", "basri", "random-features"])
def test_two_layer_derivation_result_is_what_the_kernel_evaluates(par):
    """The derivation's result, lambdified, is the numeric two-layer kernel (one source)."""
    from specbias.derive.ntk.two_layer import (NORM_X, NORM_Y, two_layer_derivation,
                                               two_layer_kernel)
    from specbias.derive.ntk.symbols import DIM

    d = two_layer_derivation(par)
    X = np.random.default_rng(3).standard_normal((4, 3))
    fn = sympy.lambdify((NORM_X, NORM_Y, DIM, theta), d.result, "mpmath")
    with mpmath.workdps(30):
        for i in range(4):
            for j in range(4):
                u, v = (mpmath.matrix(list(map(float, r))) for r in (X[i], X[j]))
                nu, nv = mpmath.norm(u), mpmath.norm(v)
                th = mpmath.acos(min(mpmath.mpf(1), (u.T * v)[0] / (nu * nv)))
                ref = fn(nu, nv, 3, th)
                assert abs(two_layer_kernel(X[i:i + 1], X[j:j + 1], par)[0, 0] - ref) < 1e-12 * (1 + abs(ref))
    assert "$" in derivation_md(d)
