"""Z11 mathematics against independent computations (quadrature, dense sampling)."""

import math

import numpy as np
import pytest
import sympy
from scipy.integrate import quad

from specbias.derive.dynamics import rashomon as R
from specbias.errors import InvalidArgument


def test_ridge_gram_matches_quadrature():
    rng = np.random.default_rng(1)
    w, b = rng.choice([-1.0, 1.0], 6), rng.uniform(-1, 1, 6)
    G = R.ridge_gram(w, b)
    for i in range(6):
        for j in range(6):
            q, _ = quad(lambda x: max(w[i] * x - b[i], 0) * max(w[j] * x - b[j], 0), -1, 1,
                        points=sorted({b[i] * w[i], b[j] * w[j]}), epsabs=1e-13)
            # adaptive quadrature of a piecewise quadratic split at its kinks: ~1e-14
            assert G[i, j] == pytest.approx(q, abs=1e-11)


@pytest.mark.parametrize("kind", R.TARGETS)
def test_inner_product_with_a_ridge_is_the_potential(kind):
    """<sigma(w x - b), f> = g(w b) (two integrations by parts), checked by quadrature."""
    f, g, _ = R.potential(kind, 3)
    fn, gn = sympy.lambdify(R.x, f, "math"), sympy.lambdify(R.x, g, "math")
    for w, b in [(1, -0.3), (-1, 0.45), (1, 0.8)]:
        q, _ = quad(lambda x: max(w * x - b, 0) * fn(x), -1, 1, points=[w * b], limit=200,
                    epsabs=1e-13)
        assert q == pytest.approx(gn(w * b), abs=1e-10)


def test_poisson_needs_the_moment_conditions():
    with pytest.raises(InvalidArgument, match="projection"):
        R.solve_poisson(sympy.sin(sympy.pi * R.x) + R.x)


def test_kappa_against_dense_sampling():
    _, g, _ = R.potential("bump", 4)
    xs = np.linspace(-1, 1, 200001)
    dense = np.max(np.abs(sympy.lambdify(R.x, g, "numpy")(xs)))
    # the refined maximum is at least the sampled one and exceeds it by at most the curvature
    # term g'' h^2/8 with h = 1e-5
    assert float(R.kappa(g)) >= dense - 1e-15
    assert float(R.kappa(g)) - dense < 1e-9


def test_bound_formula():
    assert R.hoeffding_bound(2, 0.5, 1.0, 1.0, 0.5) == pytest.approx(math.exp(-2 * 0.25 / 0.5))


def _numeric_potential(f, xs):
    """g(x) = x F0(x) - F1(x), F0 = int f, F1 = int s f from -1 (trapezoid): the solution of
    g'' = f with g(-1) = g'(-1) = 0, computed without SymPy."""
    from scipy.integrate import cumulative_trapezoid

    fv = sympy.lambdify(R.x, f, "numpy")(xs) * np.ones_like(xs)
    return xs * cumulative_trapezoid(fv, xs, initial=0) - cumulative_trapezoid(xs * fv, xs, initial=0)


@pytest.mark.parametrize("nu", [2, 3, sympy.Rational(5, 2), sympy.Rational(9, 2)])
def test_low_frequency_part_against_numeric_potential(nu):
    f, _, _ = R.potential("projected", nu)
    xs = np.linspace(-1, 1, 400001)
    P = _numeric_potential(f, xs) + np.sin(np.pi * float(nu) * xs) / (np.pi * float(nu)) ** 2
    _, sup = R.low_frequency_part(nu)
    # trapezoid error ~ h^2 max|f'|/12 with h = 5e-6: far below 1e-8
    assert np.max(np.abs(P)) == pytest.approx(sup, abs=1e-8)
    # the removed projection's size: 1/(3 sqrt(3) pi nu) at integer nu, (pi nu)^-2 otherwise
    expected = (1 / (3 * math.sqrt(3) * math.pi * float(nu)) if nu == int(nu)
                else 1 / (math.pi * float(nu)) ** 2)
    assert sup == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("nu", [1, sympy.Rational(3, 2), 4])
def test_bump_kappa_bounds_hold_and_bracket_the_sampled_maximum(nu):
    _, g, _ = R.potential("bump", nu)
    xs = np.linspace(-1, 1, 200001)
    dense = np.max(np.abs(sympy.lambdify(R.x, g, "numpy")(xs)))
    lo, hi = R.bump_kappa_bounds(nu)
    assert lo <= dense + 1e-15 and dense <= hi
    assert hi == pytest.approx(1 / (math.pi * float(nu)) ** 2, rel=1e-14)
