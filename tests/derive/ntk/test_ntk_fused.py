"""The compiled per-entry NTK recursion (specbias.derive.ntk.fused) against the NumPy array path
(kernels(..., compiled=False): the same formulas, array by array) and against mpmath near θ = 0."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import mpmath
import numpy as np
import pytest
from hypothesis import given, strategies as st

from specbias.derive.ntk import fused as ntk_fused
from specbias.derive.ntk.arccos import numeric_factors
from specbias.derive.ntk.kernels import angles, kernels
from specbias.derive.ntk.deviation import reference_deviation

EPS = np.finfo(float).eps


@pytest.fixture
def fused_calls(monkeypatch):
    """Counts the calls of the fused kernel, so a comparison cannot silently compare the array
    path with itself."""
    calls = []
    inner = ntk_fused.fused_kernels

    def spy(*args):
        calls.append(args[5])  # the activation
        return inner(*args)
    monkeypatch.setattr(ntk_fused, "fused_kernels", spy)
    return calls


def inputs(seed, n, k, d):
    """Random rows, with a scaled copy and a near-copy (|Δ| ~ 1e-9: Kahan's branch) of X's rows."""
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((n, d)), rng.standard_normal((k, d))
    Y[0] = 2.5 * X[0]
    Y[1] = X[1] + 1e-9 * rng.standard_normal(d)
    return X, Y


def assert_same(fused, array):
    # a few ulps relative; entries that nearly vanish (θ near π, no bias: J_1 ~ (π − θ)³/3) carry
    # the cancellation of both paths, a few ulps of the largest entry in absolute terms
    np.testing.assert_allclose(fused, array, rtol=1e-14, atol=4 * EPS * np.abs(array).max())


@pytest.mark.parametrize("act", ["relu", "relu2", "step"])
@pytest.mark.parametrize("par", ["ntk", "standard"])
@pytest.mark.parametrize("bv", [0.0, 0.3])
@pytest.mark.parametrize("d", [3, ntk_fused.GRAM_DIM + 6])  # U Vᵀ summed in the kernel / BLAS
def test_fused_matches_the_array_path(act, par, bv, d, fused_calls):
    X, Y = inputs(d, 9, 6, d)
    want_ntk = act != "step"  # the step activation has an NNGP only
    for depth in (1, 4):
        S, T = kernels(X, Y, depth, act, 1.7, bv, par, want_ntk=want_ntk)
        S0, T0 = kernels(X, Y, depth, act, 1.7, bv, par, want_ntk=want_ntk, compiled=False)
        assert_same(S, S0)
        if want_ntk:
            assert_same(T, T0)
        else:
            assert T is None and T0 is None
    assert len(fused_calls) == 2


@given(act=st.sampled_from(["relu", "relu2"]), par=st.sampled_from(["ntk", "standard"]),
       depth=st.integers(1, 6), wv=st.floats(0.5, 3.0), bv=st.floats(0.0, 1.0),
       seed=st.integers(0, 10_000))
def test_fused_matches_the_array_path_for_any_variances(act, par, depth, wv, bv, seed):
    X, Y = inputs(seed, 5, 4, 4)
    for a, b in zip(kernels(X, Y, depth, act, wv, bv, par),
                    kernels(X, Y, depth, act, wv, bv, par, compiled=False)):
        assert_same(a, b)


@pytest.mark.parametrize("act", ["relu", "relu2"])
@pytest.mark.parametrize("par", ["ntk", "standard"])
@pytest.mark.parametrize("bv", [0.0, 0.1])
def test_fused_deviation_near_zero_angle_against_mpmath(act, par, bv, fused_calls):
    """Pairs (e1, cos t e1 + sin t e2), t = 1e-12..0.5: K(x,x) − K(x,x′) from the fused matrix vs
    the 60-digit deviation of ntk_deviation, within a few ulps of K(x,x) (the subtraction of two
    O(1) entries bounds it; at t ≳ 1e-3 that is a relative test of the series and its switch)."""
    depth = 3
    for t in np.logspace(-12, math.log10(0.5), 9):
        X = np.array([[1.0, 0.0, 0.0], [math.cos(t), math.sin(t), 0.0]])
        S, T = kernels(X, X, depth, act, 2.0, bv, par)
        th = float(angles(X[:1], X[1:], np)[0][0, 0])
        ref = reference_deviation(th, depth, act, 2.0, bv, par, dim=3)
        assert abs((S[0, 0] - S[0, 1]) - float(ref[0])) <= 8 * EPS * S[0, 0]
        assert abs((T[0, 0] - T[0, 1]) - float(ref[1])) <= 32 * EPS * T[0, 0]
    assert len(fused_calls) == 9


def test_compiled_deviation_has_full_relative_accuracy():
    """J_p(0) − J_p(θ) as the kernel evaluates it per entry (series below SERIES_SWITCH) from
    vers = 1 − cos θ, vs the closed form subtracted at 60 digits: within a few ulps, for vers
    from 1e-24 (θ ≈ 1.4e-12, where the direct form keeps ~4 digits) to 1.9. One test for all p:
    one compile of the scalar function."""
    ntk_fused._scalar_factors()
    for p in (0, 1, 2):
        J = numeric_factors(p, "mpmath")["J"]
        for v in np.logspace(-24, math.log10(1.9), 40):
            th, c, s = 2 * math.asin(math.sqrt(v / 2)), 1 - v, math.sqrt(v * (2 - v))
            with mpmath.workdps(60):
                exact = J(0) - J(2 * mpmath.asin(mpmath.sqrt(mpmath.mpf(v) / 2)))
                assert abs(ntk_fused._deviation(p, th, c, s, v) / exact - 1) < 1e-15, (p, v)


def test_concurrent_calls_under_the_workqueue_threading_layer():
    """numba's workqueue layer (no OpenMP or TBB) aborts the process on concurrent parallel
    launches; fused_kernels serializes them. Checked in a fresh process that selects it."""
    code = ("import numpy as np\nfrom concurrent.futures import ThreadPoolExecutor\n"
            "from specbias.derive.ntk.kernels import kernels\n"
            "X = np.random.default_rng(0).standard_normal((64, 3))\n"
            "ref = kernels(X, X, 2)[1]\nwith ThreadPoolExecutor(4) as ex:\n"
            "    outs = list(ex.map(lambda _: kernels(X, X, 2)[1], range(8)))\n"
            "print(all(np.array_equal(o, ref) for o in outs))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, NUMBA_THREADING_LAYER="workqueue"), timeout=120)
    assert run.returncode == 0 and run.stdout.split()[-1:] == ["True"], run.stderr[-2000:]
