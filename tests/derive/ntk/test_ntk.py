"""Deep NNGP/NTK kernels: properties, float64 vs mpmath near θ = 0, numpy vs torch, bad input."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy
import torch
from hypothesis import given, strategies as st

from specbias.derive.ntk.arccos import numeric_factors
from specbias.derive.ntk.kernels import angles, derive_ntk, kernels, nngp, unrolled_ntk
from specbias.derive.ntk.symbols import layer_kernel, x, x_prime
from specbias.derive.ntk.two_layer import two_layer_kernel
from specbias.derive.ntk.deviation import angular_deviation, arccos_deviation, reference_deviation
from specbias.errors import InvalidArgument
from specbias.notation import split_prose
from specbias.reports.render import derivation_md, derivation_tex

configs = st.tuples(st.sampled_from(["relu", "relu2", "erf"]), st.sampled_from(["ntk", "standard"]),
                    st.integers(1, 4), st.floats(0.5, 3.0), st.sampled_from([0.0, 0.1, 1.0]))


def points(seed, n=7, d=4):
    return np.random.default_rng(seed).standard_normal((n, d))


@given(cfg=configs, seed=st.integers(0, 10_000))
def test_symmetric_and_positive_semidefinite(cfg, seed):
    act, par, depth, wv, bv = cfg
    X, Y = points(seed), points(seed + 1, 5)
    S, T = kernels(X, Y, depth, act, wv, bv, par)
    S2, T2 = kernels(Y, X, depth, act, wv, bv, par)
    assert np.allclose(S, S2.T, rtol=1e-13, atol=0) and np.allclose(T, T2.T, rtol=1e-13, atol=0)
    for K in kernels(X, X, depth, act, wv, bv, par):
        lam = np.linalg.eigvalsh(K)
        # PSD up to rounding: eigenvalues above -n·eps·‖K‖.
        assert lam.min() > -len(X) * 1e-15 * 50 * abs(lam).max()


@given(cfg=configs, seed=st.integers(0, 10_000))
def test_rotation_invariance(cfg, seed):
    act, par, depth, wv, bv = cfg
    X = points(seed)
    Q, _ = np.linalg.qr(np.random.default_rng(seed + 7).standard_normal((4, 4)))
    for A, B in zip(kernels(X, X, depth, act, wv, bv, par), kernels(X @ Q, X @ Q, depth, act, wv, bv, par)):
        assert np.allclose(A, B, rtol=1e-12, atol=1e-14 * abs(A).max())


@given(depth=st.integers(1, 5), wv=st.floats(0.5, 3.0), bv=st.floats(0.0, 1.0), q0=st.floats(0.1, 4.0))
def test_diagonal_follows_its_own_closed_form(depth, wv, bv, q0):
    """On the diagonal the ReLU NNGP obeys q' = σ_w² q/2 + σ_b² and Θ' = q' + Θ σ_w²/2."""
    x = np.array([[math.sqrt(q0 * 3), 0.0, 0.0]])
    S, T = kernels(x, x, depth, "relu", wv, bv)
    q = wv * q0 + bv
    th = q
    for _ in range(depth):
        q = wv * q / 2 + bv
        th = q + th * wv / 2
    assert S[0, 0] == pytest.approx(q, rel=1e-13) and T[0, 0] == pytest.approx(th, rel=1e-13)


@pytest.mark.parametrize("par", ["ntk", "standard"])
@pytest.mark.parametrize("depth", [1, 2, 4])
@pytest.mark.parametrize("bv", [0.0, 0.3])
def test_deviation_keeps_full_relative_accuracy(par, depth, bv):
    thetas = np.logspace(-12, 0.4, 12)
    dS, dT = angular_deviation(thetas, depth, "relu", 2.0, bv, par, dim=3)
    for i, t in enumerate(thetas):
        ref = reference_deviation(t, depth, "relu", 2.0, bv, par, dim=3)
        # a few ulps per layer: 1e-14 is the target for float64.
        assert abs(dS[i] / float(ref[0]) - 1) < 1e-14
        assert abs(dT[i] / float(ref[1]) - 1) < 1e-14


def test_arccos_baseline_loses_every_digit_below_1e8():
    ref = reference_deviation(1e-10, 2)
    base = arccos_deviation(1e-10, 2)
    assert abs(base[1] / float(ref[1]) - 1) > 0.5


def test_matrix_kernel_agrees_with_angular_deviation_on_the_sphere():
    t = 1e-9
    X = np.array([[1.0, 0.0, 0.0], [math.cos(t), math.sin(t), 0.0]])
    S, T = kernels(X, X, 3, "relu", 2.0, 0.1)
    th = angles(X, X, np)[0][0, 1]
    dS, dT = angular_deviation(np.array([th]), 3, "relu", 2.0, 0.1, dim=3)
    # Kernel values are O(1); their difference is O(θ²) and is only good to eps·O(1) absolute.
    assert abs((S[0, 0] - S[0, 1]) - dS[0]) < 1e-15 * 8 and abs((T[0, 0] - T[0, 1]) - dT[0]) < 1e-15 * 32


def test_kahan_angles_are_accurate_for_tiny_angles():
    X = np.array([[1.0, 0.0]])
    for t in (1e-14, 1e-9, 1e-3, 3.0):
        Y = np.array([[math.cos(t), math.sin(t)]])
        with mpmath.workdps(50):
            exact = mpmath.atan2(mpmath.mpf(Y[0, 1]), mpmath.mpf(Y[0, 0]))
        assert abs(angles(X, Y, np)[0][0, 0] / float(exact) - 1) < 4e-16


@pytest.mark.parametrize("act", ["relu", "relu2", "erf"])
def test_torch_and_numpy_evaluate_the_same_formula(act):
    X = points(3)
    a = kernels(X, X, 3, act, 1.7, 0.2)
    b = kernels(torch.tensor(X), torch.tensor(X), 3, act, 1.7, 0.2, xp=torch)
    for u, v in zip(a, b):
        # same formulas; only summation orders differ (the Gram matrix U Vᵀ): a few ulps of the
        # largest entry in absolute terms, 1e-13 relative elsewhere
        np.testing.assert_allclose(v.numpy(), u, rtol=1e-13, atol=16e-16 * np.abs(u).max())


def test_two_layer_kernels_from_their_statements():
    X = points(4, 5, 3)
    th, nx, ny = angles(X, X, np)
    dot = X @ X.T
    assert np.allclose(two_layer_kernel(X, X, "arora"), dot * (math.pi - th) / (2 * math.pi))
    assert np.allclose(two_layer_kernel(X, X, "basri"), (dot + 1) * (math.pi - th) / (2 * math.pi))
    J1 = numeric_factors(1)["J"](th)
    assert np.allclose(two_layer_kernel(X, X, "random-features"), np.outer(nx, ny) * J1 / (6 * math.pi))


@pytest.mark.parametrize("act, par", [("erf", "standard"), ("relu", "ntk")])
def test_derivation_has_one_step_per_layer(act, par):
    """One step per hidden layer, each ending with Theta^(h) (the slide's indexing: Theta^(L))."""
    d = derive_ntk(act, 3, True, par)
    layers = [s for s in d.steps if s.text.startswith("Layer ")]
    assert [s.labels[-1] for s in layers] == [layer_kernel("Theta", h)(x, x_prime) for h in (1, 2, 3)]
    assert d.result_lhs == layer_kernel("Theta", 3)(x, x_prime)


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_unrolled_ntk_is_the_expanded_recursion(depth):
    """Arora et al.'s sum form against SymPy's expansion of the layer recursion."""
    recursion, form = unrolled_ntk(depth)
    assert sympy.expand(recursion - form) == 0
    assert len(form.args) == depth + 1


@pytest.mark.parametrize("act", ["relu", "relu2", "step", "erf"])
@pytest.mark.parametrize("par", ["ntk", "standard"])
def test_derivations_render_as_mathematics(act, par):
    """Every formula passes the report's math check; prose holds no Unicode pseudo-math."""
    d = derive_ntk(act, 2, True, par)
    derivation_md(d), derivation_tex(d)  # raise on math outside the vocabulary
    prose = [d.title, *d.assumptions] + [s.text for s in d.steps] + [
        lab for s in d.steps for lab in s.labels if isinstance(lab, str)]
    for text in prose:
        plain = "".join(part for kind, part in split_prose(text) if kind == "text")
        assert all(ord(c) < 128 for c in plain), text


@pytest.mark.parametrize("bad, match", [
    (dict(X=np.zeros((2, 3))), "zero"),
    (dict(X=np.array([[np.nan, 1.0]])), "NaN"),
    (dict(X=np.ones(3)), "shapes"),
    (dict(depth=0), "depth"),
    (dict(activation="tanh"), "tanh"),
    (dict(parametrization="mup"), "mup"),
    (dict(weight_var=-1.0), "weight variance"),
])
def test_bad_input(bad, match):
    args = dict(X=points(0, 3, 3), depth=1, activation="relu", parametrization="ntk", weight_var=2.0)
    args.update(bad)
    X = args.pop("X")
    with pytest.raises(InvalidArgument, match=match):
        kernels(X, X, args["depth"], args["activation"], args["weight_var"], 0.0, args["parametrization"])


def test_step_has_an_nngp_but_no_ntk():
    X = points(1, 4, 3)
    K = nngp(X, X, 2, "step", 2.0, 0.1)
    assert np.all(np.isfinite(K))
    with pytest.raises(InvalidArgument, match="step"):
        kernels(X, X, 2, "step")


@given(logt=st.floats(-12, 0.49), depth=st.integers(1, 4), wv=st.floats(0.5, 3.0),
       bv=st.floats(0.0, 1.0), act=st.sampled_from(["relu", "relu2"]),
       par=st.sampled_from(["ntk", "standard"]))
def test_deviation_property_against_mpmath(logt, depth, wv, bv, act, par):
    """Any angle in [1e-12, 3.1], depth, variances: float64 within 2e-14 of 60-digit mpmath
    (a few ulps per layer, and relu2's larger terms)."""
    t = 10.0 ** logt
    dS, dT = angular_deviation(np.array([t]), depth, act, wv, bv, par, dim=2)
    ref = reference_deviation(t, depth, act, wv, bv, par, dim=2)
    assert abs(dS[0] / float(ref[0]) - 1) < 2e-14
    assert abs(dT[0] / float(ref[1]) - 1) < 2e-14
