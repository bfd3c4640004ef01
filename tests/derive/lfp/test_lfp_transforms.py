"""Fourier transforms of specbias.derive.lfp.transforms against quadrature (an independent route)."""

from __future__ import annotations

import mpmath
import pytest
import sympy
from hypothesis import given, strategies as st

from specbias.derive.lfp import transforms as T
from specbias.errors import InvalidArgument

DPS = 30
TOL = 1e-20     # 30-digit quadrature of Gaussian-weighted or exponentially decaying integrands


def _quad_transform(f, xi):
    """integral f(x) exp(-2 pi i xi x) dx for a rapidly decaying f, by mpmath at DPS digits."""
    with mpmath.workdps(DPS):
        return mpmath.quad(lambda t: f(t) * mpmath.expj(-2 * mpmath.pi * xi * t), mpmath.linspace(-12, 12, 25))


@pytest.mark.parametrize("alpha,k", [(1, 2), (3, 4)])
def test_abs_power_by_pairing(alpha, k):
    hat, d = T.abs_power(alpha)
    lhs, rhs = T.pairing(hat, lambda t: abs(t) ** alpha, k, DPS)
    assert abs(lhs / rhs - 1) < TOL
    assert d.result == hat


def test_relu_and_heaviside_by_pairing():
    e = T.elementary()
    # phi(xi) = xi^2 e^{-pi xi^2} is even, so the linear part x/2 of ReLU pairs to zero
    lhs, rhs = T.pairing(e["relu"], lambda t: max(t, 0), 2, DPS)
    assert abs(lhs / rhs - 1) < TOL
    lhs, rhs = T.pairing(e["heaviside"], lambda t: mpmath.mpf(1) if t > 0 else mpmath.mpf(0), 1, DPS)
    assert abs(lhs / rhs - 1) < TOL


@given(r=st.floats(0.3, 3.0) | st.floats(-3.0, -0.3), l=st.floats(-1.0, 1.0), xi=st.floats(0.05, 1.5))
def test_affine_and_multiplication_rules_on_a_gaussian(r, l, xi):
    g = sympy.exp(-sympy.pi * T.XI ** 2)             # F[exp(-pi x^2)] = exp(-pi xi^2)
    rule = complex(T.scaled(g, sympy.Float(r), sympy.Float(l)).subs(T.XI, xi))
    quad = complex(_quad_transform(lambda t: mpmath.exp(-mpmath.pi * (r * (t + l)) ** 2), xi))
    assert abs(rule - quad) < 1e-12
    times = complex(T.times_x(g).subs(T.XI, xi))
    assert abs(times - complex(_quad_transform(lambda t: t * mpmath.exp(-mpmath.pi * t ** 2), xi))) < 1e-12


@given(xi=st.floats(0.02, 2.0))
def test_sech2_transform_against_quadrature(xi):
    hat = sympy.lambdify(T.XI, T.sech2_transform()[0], "mpmath")
    with mpmath.workdps(20):
        assert abs(hat(mpmath.mpf(xi)) / T.sech2_quadrature(xi, 20) - 1) < 1e-15


def test_tanh_by_pairing_and_network_transform():
    lhs, rhs = T.pairing(T.tanh_transform(), mpmath.tanh, 1, DPS)
    assert abs(lhs / rhs - 1) < TOL
    a, w, b = (1.0, -0.6), (1.3, -0.8), (0.2, 0.5)
    f = sympy.lambdify((T.XI, T.W, T.B), T.tanh_neuron(), "mpmath")
    with mpmath.workdps(DPS):
        for xi in (0.1, 0.7):
            exact = sum(aj * f(mpmath.mpf(xi), wj, bj) for aj, wj, bj in zip(a, w, b))
            assert abs(exact / T.tanh_network_quadrature(a, w, b, xi, DPS) - 1) < TOL


def test_unsupported_power_is_named():
    with pytest.raises(InvalidArgument, match="power 2"):
        T.abs_power(2)
