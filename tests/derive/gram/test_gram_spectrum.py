"""mu_k from the characteristic equation against independent computations."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st

from specbias.derive.gram.eigen_ode import eigen_ode
from specbias.derive.gram.eigenfunctions import eigenfunction, integral_equation_residual
from specbias.derive.gram.galerkin import ritz_values
from specbias.derive.gram.spectrum import characteristic_roots, gram_eigenvalues
from specbias.errors import InvalidArgument


def _mp(values):
    return [mpmath.mpf(v) for v in values]


@pytest.mark.parametrize("power", [0, 1, 2, 3, 4])
def test_roots_agree_with_exact_galerkin(power):
    """Two independent methods: characteristic roots vs exact-rational Rayleigh-Ritz (N = 40).

    Ritz values are lower bounds; for the first 6 modes at N = 40 the gap is below 1e-25
    (super-exponential convergence, see the Z2 audit), far above 30-digit rounding.
    """
    with mpmath.workdps(30):
        roots = _mp(gram_eigenvalues(power, count=6, dps=30).values)
        ritz = ritz_values(power, size=40, dps=30)[:6]
        for m, r in zip(roots, ritz):
            assert r <= m * (1 + mpmath.mpf(10) ** -28)
            assert abs(m - r) / m < mpmath.mpf(10) ** -20


def test_step_kernel_against_classical_closed_form():
    """P = 0: G = B - max(x, y) is the covariance of a reversed Brownian motion, whose
    eigenvalues are (L / ((k - 1/2) pi))^2 (Karhunen-Loeve; derived independently here)."""
    with mpmath.workdps(40):
        got = _mp(gram_eigenvalues(0, (-1, 2), count=8, dps=40).values)
        for k, m in enumerate(got, start=1):
            exact = (3 / ((k - mpmath.mpf(1) / 2) * mpmath.pi)) ** 2
            assert abs(m / exact - 1) < mpmath.mpf(10) ** -38


@given(st.integers(0, 3), st.fractions(min_value=-3, max_value=3, max_denominator=4),
       st.fractions(min_value=Fraction(1, 2), max_value=4, max_denominator=4))
def test_scaling_law(power, start, length):
    """Mapping [A, A+L] to [-1, 1] scales mu_k by (L/2)^(2P+2): a relation the root finder
    never uses."""
    with mpmath.workdps(25):
        ref = _mp(gram_eigenvalues(power, (-1, 1), count=4, dps=25).values)
        got = _mp(gram_eigenvalues(power, (start, start + length), count=4, dps=25).values)
        factor = (mpmath.mpf(length.numerator) / length.denominator / 2) ** (2 * power + 2)
        for r, g in zip(ref, got):
            assert abs(g / (r * factor) - 1) < mpmath.mpf(10) ** -22


def test_digits_are_stable_under_more_precision():
    """Values printed at 30 digits are the leading digits of the 60-digit values."""
    with mpmath.workdps(60):
        lo = _mp(gram_eigenvalues(2, count=8, dps=30).values)
        hi = _mp(gram_eigenvalues(2, count=8, dps=60).values)
        for a, b in zip(lo, hi):
            assert abs(a - b) / b < mpmath.mpf(10) ** -29


@pytest.mark.parametrize("power", [1, 2])
def test_eigenfunctions_solve_the_integral_equation(power):
    """phi from the null vector of M(omega_k), substituted into int G phi = mu phi (quadrature)."""
    ode = eigen_ode(power)
    with mpmath.workdps(30):
        roots = characteristic_roots(ode, 5)
        for k, w in enumerate(roots):
            ef = eigenfunction(ode, w)
            for at in ("-0.71", "0.13", "0.9"):
                # 30-digit quadrature of smooth pieces: residual ~1e-27 expected.
                assert integral_equation_residual(ef, mpmath.mpf(at)) < mpmath.mpf(10) ** -22


def test_certificates_reported():
    spec = gram_eigenvalues(1, count=10, dps=20).to_json()
    assert spec["certificate"]["trace_ok"] and spec["certificate"]["digits_ok"]
    assert len(spec["values"]) == 10 and spec["digits"] == 20


@pytest.mark.parametrize("kwargs,match", [
    (dict(count=0), "count 0"), (dict(count=10**6), "too large"), (dict(dps=2), "dps 2"),
    (dict(dps=1000), "dps 1000"), (dict(power=9), "power 9")])
def test_bad_input(kwargs, match):
    args = dict(power=1, count=3, dps=20) | kwargs
    with pytest.raises(InvalidArgument, match=match):
        gram_eigenvalues(**args)
