"""Certified circle spectra against independent computations, and their properties."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sympy

from specbias.derive.sphere.circle import (circle_kernel, fourier_coefficients, q_sym,
                                           uniform_eigenvalue)
from specbias.derive.sphere.density import PiecewiseDensity, seed_three_piece
from specbias.derive.sphere.galerkin import circle_spectrum, make_panels
from specbias.errors import InvalidArgument


def test_uniform_density_matches_fourier_coefficients():
    sp = circle_spectrum(PiecewiseDensity.uniform(), count=9, dps=20)
    with mpmath.workdps(30):
        for i, v in enumerate(sp.mp_values):
            exact = uniform_eigenvalue((i + 1) // 2, dps=30)
            # certified to 20 digits: allow 10^-19 relative
            assert abs(v / exact - 1) < mpmath.mpf(10) ** -19
    assert sp.certificate["ritz_monotone"] and float(sp.certificate["trace_defect"]) >= 0


def fourier_galerkin(density: PiecewiseDensity, modes: int) -> np.ndarray:
    """Independent method: K^(1/2) P K^(1/2) in the Fourier basis e^{inx}/sqrt(2π), with the
    exact Fourier coefficients of p (algebraic convergence, float64)."""
    n = np.arange(-modes, modes + 1)
    c, _ = fourier_coefficients()
    general = sympy.lambdify(q_sym, c["general"], "numpy")
    q = np.abs(n).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cq = np.where(q > 1, general(np.maximum(q, 2)), 0.0)
    cq[q == 0], cq[q == 1] = float(c[0]), float(c[1])
    kappa = 2 * np.pi * cq
    pieces = [(float(a), float(b), float(p)) for a, b, p in density.pieces()]
    diff = np.arange(-2 * modes, 2 * modes + 1)
    phat = np.zeros(len(diff), complex)
    for a, b, p in pieces:
        nz = diff != 0
        k = diff[nz]
        phat[nz] += p * (np.exp(-1j * k * a) - np.exp(-1j * k * b)) / (2j * np.pi * k)
        phat[~nz] += p * (b - a) / (2 * np.pi)
    P = phat[(n[:, None] - n[None, :]) + 2 * modes]
    s = np.sqrt(kappa)
    return np.sort(np.linalg.eigvalsh(s[:, None] * P * s[None, :]))[::-1]


def test_three_piece_density_against_fourier_galerkin():
    sp = circle_spectrum(seed_three_piece(), count=10, dps=16)
    ref = fourier_galerkin(seed_three_piece(), 400)
    rel = np.abs(ref[:10] / np.array([float(v) for v in sp.mp_values]) - 1)
    # Fourier–Galerkin converges algebraically for a jump in p (2e-8 at 600 modes, about 7e-8
    # expected at 400)
    assert rel.max() < 1e-6


def test_panels_are_invariant_under_half_turn():
    panels = make_panels(PiecewiseDensity.parse("0:1,1:2,2.5:3"))
    with mpmath.workdps(30):
        starts = np.array([float(mpmath.fmod(P.a, 2 * mpmath.pi)) for P in panels])
        for P in panels:
            shifted = float(mpmath.fmod(P.a + mpmath.pi, 2 * mpmath.pi))
            gap = np.abs((starts - shifted + np.pi) % (2 * np.pi) - np.pi)  # circular distance
            assert gap.min() < 1e-12


def test_bad_arguments():
    with pytest.raises(InvalidArgument, match="count 0"):
        circle_spectrum(PiecewiseDensity.uniform(), count=0)
    with pytest.raises(InvalidArgument, match="dps 2"):
        circle_spectrum(PiecewiseDensity.uniform(), dps=2)
    with pytest.raises(InvalidArgument, match="PiecewiseDensity"):
        circle_spectrum("0:1")
    with pytest.raises(InvalidArgument, match="non-uniform spectra need"):
        circle_spectrum(seed_three_piece(), convention=("gaussian", "normalized"))


# Properties. Each example costs two certified spectra (seconds), so examples are few.
sixths = st.integers(min_value=1, max_value=11).map(lambda k: Fraction(k, 6))
densities = st.lists(st.integers(min_value=0, max_value=11), min_size=1, max_size=3,
                     unique=True).flatmap(
    lambda bs: st.lists(st.integers(min_value=1, max_value=5), min_size=len(bs),
                        max_size=len(bs)).map(
        lambda ws: PiecewiseDensity.from_pi_fractions(sorted(Fraction(b, 6) for b in bs), ws)))
DPS, COUNT = 12, 6


def _agree(a, b) -> bool:
    with mpmath.workdps(DPS + 10):
        return all(abs(x / y - 1) < mpmath.mpf(10) ** -(DPS - 1) for x, y in zip(a, b))


@settings(max_examples=4)
@given(densities, sixths)
def test_spectrum_invariant_under_rotation(density, angle):
    a = circle_spectrum(density, COUNT, DPS).mp_values
    b = circle_spectrum(density.rotated(angle), COUNT, DPS).mp_values
    assert _agree(a, b)


@settings(max_examples=4)
@given(densities, st.integers(min_value=0, max_value=2), st.integers(min_value=1, max_value=9))
def test_spectrum_unchanged_by_splitting_a_piece(density, which, tenth):
    index = which % len(density.breakpoints)
    start = density.breakpoints[index]
    end = density.breakpoints[index + 1] if index + 1 < len(density.breakpoints) else \
        density.breakpoints[0] + 2
    cut = start + (end - start) * Fraction(tenth, 10)
    if cut >= 2:
        cut -= 2
    split = PiecewiseDensity.from_pi_fractions(
        sorted(list(density.breakpoints) + [cut]),
        [w for _, w in sorted(list(zip(density.breakpoints, density.weights))
                              + [(cut, density.weights[index])])])
    assert _agree(circle_spectrum(density, COUNT, DPS).mp_values,
                  circle_spectrum(split, COUNT, DPS).mp_values)


@settings(max_examples=4)
@given(densities)
def test_trace_identity(density):
    """tr T = k(0) ∫ p = k(0) = 1/2 (closed form); the Ritz trace tr A_N stays below it, and the
    defect is the tail of the spectrum, about Σ_{i>N} 4Z²/(π i²) ≈ 4Z²/(πN) (Weyl)."""
    sp = circle_spectrum(density, COUNT, DPS)
    k0 = float(circle_kernel().at_zero())
    assert k0 == 0.5
    defect = float(sp.certificate["trace_defect"])
    N = sp.certificate["matrix_size"]
    z2 = float(density.psi_total() / (2 * mpmath.pi)) ** 2
    weyl = 4 * z2 / (np.pi * N)
    assert 0 < defect and 0.5 * weyl < defect < 2 * weyl
