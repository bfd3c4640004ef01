"""The B2 kernel on S¹ under each convention, against Monte Carlo; Fourier coefficients."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy

from specbias.derive.sphere.circle import (BIASES, INPUTS, circle_kernel, delta,
                                           fourier_coefficients, matching_conventions, q_sym,
                                           uniform_eigenvalue)


@pytest.mark.parametrize("bias", BIASES)
@pytest.mark.parametrize("inputs", INPUTS)
def test_kernel_against_monte_carlo(bias, inputs):
    """NTK = x̃ᵀx̃' E[1{w̃ᵀx̃ ≥ 0} 1{w̃ᵀx̃' ≥ 0}] by seeded sampling of w̃."""
    rng = np.random.default_rng(5)
    s2 = 0.5 if inputs == "normalized" else 1.0
    draws = 400_000
    W = rng.standard_normal((draws, 3))
    if bias == "zero":
        W[:, 2] = 0.0
    f = sympy.lambdify(delta, circle_kernel(bias, inputs).expr, "numpy")
    for d in (0.3, 1.4, 2.9):
        x = np.sqrt(s2) * np.array([1.0, 0.0, 1.0])
        z = np.sqrt(s2) * np.array([np.cos(d), np.sin(d), 1.0])
        vals = (x @ z) * ((W @ x >= 0) & (W @ z >= 0))
        se = vals.std() / np.sqrt(draws)
        # 4.5 standard errors: two-sided 7e-6 per comparison, 12 comparisons
        assert abs(vals.mean() - f(d)) < 4.5 * se


def test_slide_form_holds_only_for_normalized_inputs_with_zero_bias():
    assert matching_conventions() == [("zero", "normalized")]


def test_fourier_coefficients_against_quadrature():
    c, _ = fourier_coefficients()
    k = circle_kernel().mp()
    with mpmath.workdps(30):
        for q in range(0, 10):
            exact = mpmath.mpf(str(sympy.N(c[q] if q < 2 else c["general"].subs(q_sym, q), 35)))
            quad = mpmath.quad(lambda t: k(t) * mpmath.cos(q * t), [0, 1, mpmath.pi]) / mpmath.pi
            assert abs(quad / exact - 1) < mpmath.mpf(10) ** -25


def test_gaussian_bias_eigenvalues_by_quadrature_are_positive_and_decay():
    vals = [uniform_eigenvalue(q, "gaussian", "augmented", 20) for q in range(6)]
    assert all(v > 0 for v in vals) and vals[5] < vals[1]
