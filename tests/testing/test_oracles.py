"""Mutation tests of the oracles and strategies: deliberately wrong kernels (a factor, a sign,
arccos of a rounded cosine, a subtraction for the deviation) must be caught; specbias's own
kernels, computed by an independent float path, must pass without a false alarm."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings

from examples.naive_ntk import ntk as naive_ntk
from specbias.derive.ntk.certified import gram_eigenvalues
from specbias.derive.ntk.deviation import angular_deviation
from specbias.derive.ntk.kernels import kernels
from specbias.errors import InvalidArgument
from specbias.testing import strategies as sts
from specbias.testing.oracles import (OracleFailure, assert_kernel_close, assert_psd,
                                      assert_spectrum_close, kernel_spectrum_reference,
                                      operator_spectrum_reference)
from specbias.testing.search import search_kernel

CONFIGS = [("relu", 3, 2.0, 0.1, "ntk"), ("relu2", 2, 1.3, 0.5, "standard"),
           ("erf", 2, 1.5, 0.2, "ntk")]


def specbias_ntk(act, depth, wv, bv, par, xp=np):
    def fn(X, Y):
        if xp is torch:
            X, Y = torch.tensor(X), torch.tensor(Y)
        return kernels(X, Y, depth, act, wv, bv, par, xp=xp)[1]
    return fn


# --------------------------------------------------------------- mutants are caught

MUTANTS = {
    "factor 2 (the 4 pi vs 2 pi slip)": lambda X, Y: 2 * kernels(X, Y, 2)[1],
    "factor 1 + 1e-13": lambda X, Y: (1 + 1e-13) * kernels(X, Y, 2)[1],
    "sign of x . y": lambda X, Y: kernels(X, -Y, 2)[1],
    "arccos of the rounded cosine": naive_ntk,
    "transposed depth (L = 1 for L = 2)": lambda X, Y: kernels(X, Y, 1)[1],
}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_the_search_catches_each_mutant(name):
    r = search_kernel(MUTANTS[name], depth=2, examples=25, properties=("pairs", "diagonal"))
    assert r.found, name
    assert "ulps of float64" in r.counterexamples[0].message


def test_a_mutant_with_a_nan_is_caught():
    def nan_on_the_diagonal(X, Y):
        K = kernels(X, Y, 2)[1]
        return np.where(np.isclose(K, kernels(X, X, 2)[1][0, 0]) & (X.shape == Y.shape), np.nan, K)
    assert search_kernel(nan_on_the_diagonal, depth=2, examples=25, properties=("diagonal",)).found


def test_the_naive_kernel_shrinks_to_a_small_angle():
    """The pairs property's shrunk counterexample is the least extreme failing angle: small
    (arccos of the rounded cosine costs eps / sin θ) but far from the 1e-12 of the range."""
    r = search_kernel(naive_ntk, depth=2, examples=50, properties=("pairs",))
    (c,) = r.counterexamples
    X, Y = c.inputs["X"], c.inputs["Y"]
    cos = float(X[0] @ Y[0] / np.linalg.norm(X[0]) / np.linalg.norm(Y[0]))
    assert 1e-6 < np.arccos(min(abs(cos), 1.0)) < 0.05


@given(pair=sts.angle_pairs(dim=3, max_angle=1e-4))
def test_oracle_rejects_the_naive_kernel_at_every_small_angle(pair):
    """Below 1e-4 rad the textbook recursion is off by >= 1e-13 relative: always caught."""
    X, Y = pair.stacked()
    with pytest.raises(OracleFailure):
        assert_kernel_close(naive_ntk, X, Y, depth=2)


def test_subtracted_deviation_is_caught_and_the_careful_one_passes():
    th = np.logspace(-9, -1, 9)
    careful = lambda t: angular_deviation(t, 2, "relu", 2.0, 0.0, "ntk", dim=3)[1]  # noqa: E731

    def subtracted(t):
        X = np.array([[1.0, 0.0, 0.0]])
        out = []
        for a in t:
            Y = np.array([[np.cos(a), np.sin(a), 0.0]])
            out.append(kernels(X, X, 2)[1][0, 0] - kernels(X, Y, 2)[1][0, 0])
        return np.array(out)
    assert_kernel_close(careful, thetas=th, dim=3, depth=2)
    with pytest.raises(OracleFailure, match=r"worst angle 1(\.0+1)?e-09"):
        assert_kernel_close(subtracted, thetas=th, dim=3, depth=2)


# --------------------------------------------------------------- no false alarms

@pytest.mark.parametrize("cfg", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_specbias_kernels_pass_every_property(cfg):
    """The fused float64 kernel (numba), the NumPy array path and torch float32: independent
    float evaluations of the same closed forms, within a few ulps per layer everywhere."""
    act, depth, wv, bv, par = cfg
    kw = dict(activation=act, depth=depth, weight_var=wv, bias_var=bv, parametrization=par)
    assert not search_kernel(specbias_ntk(*cfg), examples=15, **kw).found
    assert not search_kernel(specbias_ntk(*cfg, xp=torch), examples=10, dtypes=("float32",),
                             properties=("pairs", "matrices"), **kw).found


@pytest.mark.slow
@pytest.mark.parametrize("cfg", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_specbias_kernels_pass_thorough(cfg):
    """The 'thorough' profile's 300 examples per property: still no false alarm."""
    act, depth, wv, bv, par = cfg
    r = search_kernel(specbias_ntk(*cfg), examples=300, activation=act, depth=depth,
                      weight_var=wv, bias_var=bv, parametrization=par)
    assert not r.found, r.counterexamples[0].message if r.found else ""


@given(cfg=sts.kernel_configs("ntk", 3, allowed=("relu", "relu2", "erf")),
       X=sts.point_sets(2, 4, dim=3))
@settings(max_examples=8)
def test_assert_kernel_close_accepts_the_array_path(cfg, X):
    fn = lambda A, B: kernels(A, B, cfg.depth, cfg.activation, cfg.weight_var, cfg.bias_var,  # noqa: E731
                              cfg.parametrization, compiled=False)[1]
    c = assert_kernel_close(fn, X, **cfg.kwargs())
    assert c.passed and c.total == len(X) ** 2


# --------------------------------------------------------------- spectra and PSD

def gram(X, depth=2):
    return kernels(X, X, depth)[1]


def test_spectrum_oracle_accepts_float64_and_rejects_float32_at_float64_tolerance():
    X = np.random.default_rng(1).standard_normal((30, 3))
    ref = kernel_spectrum_reference(X, depth=2)
    assert_spectrum_close(np.linalg.eigvalsh(gram(X)), ref)
    lam32 = np.linalg.eigvalsh(gram(X).astype(np.float32))
    assert_spectrum_close(lam32, ref)                     # its own dtype's tolerance
    with pytest.raises(OracleFailure, match="lambda_"):
        assert_spectrum_close(lam32.astype(np.float64), ref, dtype="float64")


def test_spectrum_oracle_catches_a_wrong_scale_and_a_dropped_eigenvalue():
    X = np.random.default_rng(2).standard_normal((12, 3))
    ref = kernel_spectrum_reference(X, depth=1)
    lam = np.linalg.eigvalsh(gram(X, 1))
    with pytest.raises(OracleFailure):
        assert_spectrum_close(lam * (1 + 1e-10), ref)
    with pytest.raises(InvalidArgument, match="same matrix"):
        assert_spectrum_close(lam[1:], ref)


def test_relative_accuracy_of_small_eigenvalues_is_checked_on_request():
    """A near-duplicate point (1e-12 away): lambda_10 / lambda_1 ~ 1e-12 (the NTK deviation is
    linear in θ), so float64 eigvalsh holds |error| <= n eps lambda_1 (the default passes) but
    not 1e-6 relative on lambda_10 (caught with atol=0)."""
    X = np.random.default_rng(3).standard_normal((10, 3))
    X[1] = X[0] + 1e-12
    ref = kernel_spectrum_reference(X, depth=1)
    lam = np.linalg.eigvalsh(gram(X, 1))
    assert_spectrum_close(lam, ref)
    with pytest.raises(OracleFailure, match="lambda_10"):
        assert_spectrum_close(lam, ref, rtol=1e-6, atol=0.0)


def test_psd_oracle():
    X = np.random.default_rng(4).standard_normal((6, 3))
    assert assert_psd(gram(X)).passed
    bad = gram(X) - 2 * gram(X)[0, 0] * np.outer(np.eye(6)[2], np.eye(6)[2])
    with pytest.raises(OracleFailure, match="rows 2"):
        assert_psd(bad)
    asym = gram(X).copy()
    asym[0, 1] += 1e-6
    with pytest.raises(OracleFailure, match="not symmetric"):
        assert_psd(asym)
    with pytest.raises(OracleFailure, match="not finite"):
        assert_psd(np.full((2, 2), np.nan))


def test_failure_reports_input_reference_value_and_ulps():
    X = np.array([[1.0, 0.0, 0.0]])
    Y = np.array([[np.cos(1e-6), np.sin(1e-6), 0.0]])
    with pytest.raises(OracleFailure) as info:
        assert_kernel_close(naive_ntk, X, Y, depth=2)
    msg = str(info.value)
    for part in ("worst entry (0, 0)", "x = [1. 0. 0.]", "angle 1e-06 rad", "reference",
                 "value", "ulps of float64"):
        assert part in msg
    c = info.value.comparison
    exact = abs((Fraction(c.value) - Fraction(c.reference)) / Fraction(c.reference))
    assert c.ulps > 1e3 and abs(c.rel_err - float(exact)) < 1e-12 * c.rel_err


def test_certified_reference_of_the_oracle_is_the_gram_eigenvalues():
    X = np.random.default_rng(5).standard_normal((5, 2))
    assert kernel_spectrum_reference(X, kernel="nngp") == gram_eigenvalues(X, "nngp")["values"]


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_specbias_torch_kernels_on_cuda_pass(dtype):
    """The torch path on CUDA, results handed back as CUDA tensors (the oracle moves them)."""
    def fn(X, Y):
        X, Y = (torch.tensor(A, dtype=dtype, device="cuda") for A in (X, Y))
        return kernels(X, Y, 3, "relu", 2.0, 0.1, xp=torch)[1]
    r = search_kernel(fn, depth=3, bias_var=0.1, examples=15,
                      dtypes=(str(dtype).replace("torch.", ""),))
    assert not r.found, r.counterexamples[0].message if r.found else ""


def test_search_mode_runs_the_properties_and_raises_the_shrunk_counterexample():
    """assert_kernel_close(fn, kernel=, depth=) with no inputs: the property search at the
    profile's size; the textbook kernel fails with its shrunk example, specbias's passes."""
    with pytest.raises(OracleFailure, match="shrunk"):
        assert_kernel_close(naive_ntk, kernel="ntk", depth=2, examples=5)
    good = lambda X, Y: kernels(X, Y, 2, "relu", 2.0, 0.1)[1]  # noqa: E731
    assert assert_kernel_close(good, kernel="ntk", depth=2, bias_var=0.1, examples=5).passed


def test_operator_spectrum_reference_checks_leading_eigenvalues():
    """The Gram operator's mu_k (characteristic roots) against an independent Nystrom
    discretization of the same kernel: only its leading values are accurate, to about 1e-4
    at 400 midpoints (the kernel's kink limits Nystrom to algebraic convergence)."""
    from specbias.derive.gram.kernel import gram_kernel

    ref = operator_spectrum_reference(1, 8)
    n = 400
    x = -1 + (np.arange(n) + 0.5) * 2 / n
    G = gram_kernel(1).numeric("numpy")(x[:, None], x[None, :]) * (2 / n)
    nystrom = np.sort(np.linalg.eigvalsh(G))[::-1][:4]
    assert_spectrum_close(nystrom, ref[:4], rtol=1e-3, atol=0.0)
    assert_spectrum_close(nystrom, ref, rtol=1e-3, atol=0.0, largest=True)
    with pytest.raises(OracleFailure):
        assert_spectrum_close(nystrom, ref, rtol=1e-9, atol=0.0, largest=True)
