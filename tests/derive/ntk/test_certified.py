"""Certified arb kernels and Gram spectra against independent computations: the mpmath
deviation closed forms, the float64 recursion, and mpmath's dense symmetric eigensolver."""

from __future__ import annotations

import math

import flint
import mpmath
import numpy as np
import pytest
from hypothesis import given, strategies as st

from specbias.derive.ntk.certified import check_points, gram_eigenvalues, kernel_balls
from specbias.derive.ntk.deviation import reference_deviation
from specbias.derive.ntk.kernels import kernels
from specbias.errors import InvalidArgument


@given(k=st.integers(4, 40), depth=st.integers(1, 3), act=st.sampled_from(["relu", "relu2"]),
       bv=st.sampled_from([0.0, 0.4]), par=st.sampled_from(["ntk", "standard"]))
def test_diagonal_minus_entry_is_the_mpmath_deviation(k, depth, act, bv, par):
    """K(x,x) − K(x,y) from arb balls (the diagonal by the aligned branch) equals the 60-digit
    closed-form deviation. x = (1, b), y = (b, 1) have exactly equal norms r (b = 1 + 2^-k: angle
    ~2^-k); unit inputs in R^d at that angle with d = 2/r² give the same Σ¹, so
    reference_deviation applies."""
    b = 1.0 + 2.0 ** -k
    X = np.array([[1.0, b], [b, 1.0]])
    with mpmath.workdps(80):
        r2 = 1 + mpmath.mpf(b) ** 2
        th = mpmath.acos(2 * mpmath.mpf(b) / r2)
        refs = reference_deviation(th, depth, act, 2.0, bv, par, dim=2 / r2, dps=80)
    for kernel, ref in (("nngp", refs[0]), ("ntk", refs[1])):
        K = kernel_balls(X, None, kernel, act, depth, 2.0, bv, par, prec=500)
        with flint.ctx.workprec(500):
            dev = K[0][0] - K[0][1]
        # 500 bits carry 150 digits; the deviation (>= 1e-24 here) keeps > 100 of them, and
        # the reference loses at most 2k log10(2) < 25 of its 80 to acos near 1
        with mpmath.workdps(80):
            assert abs(mpmath.mpf(dev.mid().str(60, radius=False)) / ref - 1) < mpmath.mpf(10) ** -30


@pytest.mark.parametrize("act, kernel", [("relu", "ntk"), ("relu2", "ntk"), ("erf", "ntk"),
                                         ("step", "nngp")])
@pytest.mark.parametrize("par", ["ntk", "standard"])
@pytest.mark.parametrize("bv", [0.0, 0.3])
def test_entries_agree_with_the_float64_recursion(act, kernel, par, bv):
    """Independent float64 path (specbias.derive.ntk.kernels, a few ulps per entry) within
    4e-14 relative of the balls' midpoints on generic rows, a parallel copy and a repeat."""
    rng = np.random.default_rng(7)
    X, Y = rng.standard_normal((4, 3)), rng.standard_normal((3, 3))
    Y[0], Y[1] = 2.0 * X[0], X[1]  # exactly parallel (the aligned branch) and a repeat
    S, T = kernels(X, Y, 2, act, 1.7, bv, par, want_ntk=kernel == "ntk")
    F = T if kernel == "ntk" else S
    B = kernel_balls(X, Y, kernel, act, 2, 1.7, bv, par, prec=200)
    mid = np.array([[float(b.mid()) for b in row] for row in B])
    assert np.all([b.rad() < 1e-40 * abs(b.mid()) for row in B for b in row])  # 200 bits: 1e-60
    np.testing.assert_allclose(mid, F, rtol=4e-14, atol=0)


def test_spectrum_encloses_mpmath_eigsy():
    """arb_mat.eig enclosures contain mpmath's eigsy eigenvalues of the same matrix (40 digits)."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((8, 3))
    out = gram_eigenvalues(X, "ntk", "relu", 2, 2.0, 0.1, digits=25)
    assert all(out["certified"])
    K = kernel_balls(X, None, "ntk", "relu", 2, 2.0, 0.1, "ntk", prec=300)
    with mpmath.workdps(60):
        M = mpmath.matrix([[mpmath.mpf(b.mid().str(70, radius=False)) for b in row] for row in K])
        ev = sorted(mpmath.eigsy(M, eigvals_only=True), reverse=True)
        for s, e in zip(out["values"], ev):
            assert abs(mpmath.mpf(s) / e - 1) < mpmath.mpf(10) ** -24


def test_repeated_points_give_an_uncertified_zero():
    X = np.array([[1.0, 0.2, 0.0], [0.3, 1.0, 0.5], [1.0, 0.2, 0.0]])
    out = gram_eigenvalues(X, "nngp", "relu", 1, digits=10)
    assert out["certified"][:2] == [True, True] and out["certified"][2] is False
    assert abs(float(out["values"][2])) < 1e-30


@pytest.mark.parametrize("bad, match", [
    (np.zeros(3), "shape"), (np.zeros((2, 3), dtype=int), "dtype"),
    (np.full((2, 2), np.nan), "NaN"), (np.ones((401, 2)), "too many"),
])
def test_bad_points(bad, match):
    with pytest.raises(InvalidArgument, match=match):
        check_points(bad)


def test_zero_row_and_step_ntk_are_refused():
    with pytest.raises(InvalidArgument, match="zero"):
        kernel_balls(np.array([[0.0, 0.0], [1.0, 0.0]]))
    with pytest.raises(InvalidArgument, match="step"):
        kernel_balls(np.eye(2), kernel="ntk", activation="step")
    assert flint.ctx.prec == 53  # the working precision is restored
