"""The formula parser and knot rules against independent computations."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from specbias.support.formula import check_finite_on, parse_formula
from specbias.derive.matrix.knots import knots
from specbias.errors import InvalidArgument

X = sympy.Symbol("x", real=True)


@pytest.mark.parametrize("text,expected", [
    ("atan(25*x)", sympy.atan(25 * X)),
    ("-x^2 + 0.5", sympy.Rational(1, 2) - X**2),
    ("2^3^2", sympy.Integer(512)),            # right-associative
    ("sin(pi*x)**2/(1+x^2)", sympy.sin(sympy.pi * X)**2 / (1 + X**2)),
    ("exp(-x)*e + ln(2)", sympy.E * sympy.exp(-X) + sympy.log(2)),
    ("arctan(x) - atan(x)", sympy.Integer(0)),
    ("1e-3*x", X / 1000),
])
def test_parse_matches_sympy_built_by_hand(text, expected):
    assert sympy.simplify(parse_formula(text) - expected) == 0


@pytest.mark.parametrize("text,needle", [
    ("__import__('os')", "unexpected character"),
    ("foo(x)", "unknown name 'foo'"),
    ("2x", "implicit multiplication"),
    ("sin x", "needs parentheses"),
    ("(x", "missing ')'"),
    ("", "empty"),
    ("1/0", "division by zero"),
    ("x^1000", "too large"),
    ("((2^64)^64)^64", "too large"),
    ("y + 1", "unknown name 'y'"),
])
def test_parse_rejects_with_named_value(text, needle):
    with pytest.raises(InvalidArgument, match="formula") as info:
        parse_formula(text)
    assert needle in str(info.value)


@pytest.mark.parametrize("text", ["log(x)", "sqrt(x)", "1/(x-0.3)", "1/x", "tan(2*x)"])
def test_not_finite_on_interval(text):
    with pytest.raises(InvalidArgument, match="not finite|singular"):
        check_finite_on(parse_formula(text), text=text)


@given(st.lists(st.integers(-9, 9), min_size=1, max_size=5))
def test_polynomial_round_trip(coeffs):
    """A polynomial printed as text parses back to the same polynomial."""
    poly = sum(c * X**i for i, c in enumerate(coeffs))
    text = " + ".join(f"({c})*x^{i}" for i, c in enumerate(coeffs))
    assert sympy.expand(parse_formula(text) - poly) == 0


def test_uniform_and_validation():
    k = knots("uniform", 8)
    assert k.values == tuple(Fraction(-1) + Fraction(2 * i, 8) for i in range(8))
    for rule, n, needle in [("foo", 3, "unknown"), ("uniform", 0, "at least 1"),
                            ("list:0,0", 2, "repeated"), ("list:0,1.5", 2, "outside"),
                            ("random:-1", 3, "non-negative"), ("uniform:3", 3, "takes no argument"),
                                ("random:", 3, "missing a seed"), ("list:", 2, "missing the knots"),
                            ("adaptive:2", 4, "constant"), ("adaptive:log(x)", 4, "not finite")]:
        with pytest.raises(InvalidArgument, match=needle):
            knots(rule, n)


def test_random_is_seeded_and_chebyshev_is_exact_rounding():
    assert knots("random:5", 20).values == knots("random:5", 20).values
    assert knots("random:5", 20).values != knots("random:6", 20).values
    with mpmath.workdps(40):
        cheb = knots("chebyshev", 7, dps=30).mpf()
        ref = sorted(-mpmath.cos((2 * i - 1) * mpmath.pi / 14) for i in range(1, 8))
        # knots are the dps+10-digit roundings: agreement to 1e-38 at least
        assert max(abs(a - b) for a, b in zip(cheb, ref)) < mpmath.mpf(10) ** -38


@pytest.mark.parametrize("text", ["atan(25*x)", "sin(3*x)", "x^2"])
def test_adaptive_knots_equidistribute_variation_by_quadrature(text):
    """F(b_i) = (i-1)/(n-1), with F recomputed by quadrature of |f'| (independent of the
    total-variation formula used to build the knots)."""
    n = 9
    kn = knots(f"adaptive:{text}", n, dps=20)
    fp = sympy.lambdify(X, sympy.diff(parse_formula(text), X), "mpmath")
    with mpmath.workdps(25):
        b = kn.mpf()
        g = lambda t: abs(fp(t))  # noqa: E731
        crit = [mpmath.mpf(c) for c in (-1, 0, 1)] + [r * mpmath.pi / 6 for r in (-3, -1, 1, 3)
                                                       if abs(r * mpmath.pi / 6) < 1]
        pts = lambda a, c: sorted({a, c, *[p for p in crit if a < p < c]})  # noqa: E731
        total = mpmath.quad(g, pts(mpmath.mpf(-1), mpmath.mpf(1)))
        for i, bi in enumerate(b):
            f_i = mpmath.quad(g, pts(mpmath.mpf(-1), bi)) / total if i else 0
            # 25-digit Gauss-Legendre split at the kinks of |f'|: 1e-15 is far above its error
            assert abs(f_i - mpmath.mpf(i) / (n - 1)) < 1e-15
