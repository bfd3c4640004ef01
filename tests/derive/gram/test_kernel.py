"""The derived Gram kernel against independent computations (quadrature, exact algebra)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from specbias.derive.gram.eigen_ode import eigen_ode
from specbias.derive.gram.kernel import gram_kernel, x, y
from specbias.errors import InvalidArgument

powers = st.integers(min_value=0, max_value=4)


@st.composite
def intervals(draw):
    """Rational intervals A < B with small numerators and denominators."""
    a = Fraction(draw(st.integers(-8, 7)), draw(st.integers(1, 4)))
    width = Fraction(draw(st.integers(1, 12)), draw(st.integers(1, 4)))
    return a, a + width


@st.composite
def point_in(draw, interval):
    a, b = interval
    t = Fraction(draw(st.integers(0, 1000)), 1000)
    return a + t * (b - a)


@given(powers, intervals(), st.data())
def test_kernel_matches_quadrature(power, interval, data):
    """G_P(x, y) equals mpmath quadrature of max(0,z-x)^P max(0,z-y)^P over [A, B]."""
    u, v = data.draw(point_in(interval)), data.draw(point_in(interval))
    g = gram_kernel(power, interval).numeric("mpmath")
    with mpmath.workdps(40):
        uu, vv = mpmath.mpf(u.numerator) / u.denominator, mpmath.mpf(v.numerator) / v.denominator
        step = (lambda t: 1 if t > 0 else 0) if power == 0 else (lambda t: max(t, 0) ** power)
        a, b = (mpmath.mpf(e.numerator) / e.denominator for e in interval)
        quad = mpmath.quad(lambda z: step(z - uu) * step(z - vv), sorted([a, uu, vv, b]))
        scale = (b - a) ** (2 * power + 1)
        # 40-digit Gauss-Legendre on polynomial pieces: error far below 1e-30 of the scale.
        assert abs(g(uu, vv) - quad) <= mpmath.mpf(10) ** -30 * scale


@given(powers, intervals(), st.data())
def test_kernel_symmetric_exactly(power, interval, data):
    u, v = data.draw(point_in(interval)), data.draw(point_in(interval))
    k = gram_kernel(power, interval)
    ru, rv = sympy.Rational(u.numerator, u.denominator), sympy.Rational(v.numerator, v.denominator)
    assert k.piecewise.subs({x: ru, y: rv}) == k.piecewise.subs({x: rv, y: ru})


def _ldl_pivots(m: list[list[Fraction]]) -> list[Fraction]:
    """Pivots of Gaussian elimination without pivoting, in exact arithmetic."""
    m = [row[:] for row in m]
    n, out = len(m), []
    for i in range(n):
        p = m[i][i]
        out.append(p)
        if p == 0:
            return out
        for r in range(i + 1, n):
            f = m[r][i] / p
            for c in range(i, n):
                m[r][c] -= f * m[i][c]
    return out


@given(powers, intervals(), st.data())
def test_gram_matrix_positive_definite(power, interval, data):
    """Distinct knots in [A, B) give linearly independent units: every LDL pivot is > 0."""
    a, b = interval
    knots = data.draw(st.lists(point_in(interval), min_size=1, max_size=7, unique=True))
    knots = [t for t in knots if t < b] or [a]
    f = sympy.lambdify((x, y), gram_kernel(power, interval).lower, modules=[{}, "sympy"])
    gram = [[Fraction(str(f(min(s, t), max(s, t)))) for t in knots] for s in knots]
    assert all(p > 0 for p in _ldl_pivots(gram))


def _apply_operator_by_definition(power, interval, f):
    """u(x) = int G(x, y) f(y) dy computed from the definition, not from the derived kernel:
    u(x) = int_x^B (z - x)^P F(z) dz with F(z) = int_A^z (z - y)^P f(y) dy (Fubini)."""
    a, b = (sympy.Rational(e.numerator, e.denominator) for e in interval)
    z = sympy.Symbol("z", real=True)
    t = sympy.Symbol("t", real=True)
    F = sympy.integrate((z - t) ** power * f.subs(x, t), (t, a, z))
    return sympy.expand(sympy.integrate((z - x) ** power * F, (z, x, b)))


@given(st.integers(0, 3), intervals(), st.lists(st.integers(-5, 5), min_size=1, max_size=4))
def test_derived_ode_and_boundary_conditions_by_substitution(power, interval, coeffs):
    """L u = c f and the boundary conditions hold for u = G f computed by the definition."""
    f = sum(c * x**i for i, c in enumerate(coeffs))
    u = _apply_operator_by_definition(power, interval, f)
    ode = eigen_ode(power, interval)
    assert sympy.expand(sympy.diff(u, x, ode.order) - ode.jump * f) == 0
    for endpoint, j in ode.conditions:
        assert sympy.diff(u, x, j).subs(x, endpoint) == 0


def test_conditions_are_exactly_those_of_the_operator():
    """For a generic f the orders that vanish are exactly the derived ones (no extra ones)."""
    f = 7 + 3 * x - 5 * x**2 + 2 * x**3 + x**4  # generic: a special f could zero an extra order
    for power in range(4):
        ode = eigen_ode(power, (-1, 1))
        u = _apply_operator_by_definition(power, (Fraction(-1), Fraction(1)), f)
        vanishing = {(e, j) for e in (-1, 1) for j in range(ode.order)
                     if sympy.diff(u, x, j).subs(x, e) == 0}
        assert vanishing == set(ode.conditions)


@pytest.mark.parametrize("bad,match", [
    (dict(power=-1), "power -1"), (dict(power=7), "power 7"), (dict(power=1.5), "power 1.5"),
    (dict(power=1, interval="1,-1"), "reversed"), (dict(power=1, interval="a,1"), "'a'"),
    (dict(power=1, interval="1"), "two numbers"), (dict(power=1, interval=(0, 0)), "empty"),
])
def test_bad_input_is_named(bad, match):
    with pytest.raises(InvalidArgument, match=match):
        gram_kernel(**bad)
