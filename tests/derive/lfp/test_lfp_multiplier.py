"""The LFP multiplier against independent computations: quadrature of the l-averaged kernel
(tanh), the exact uniform-l kernel against quadrature and Monte Carlo over neurons (ReLU)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy

from specbias.derive.lfp import luo, multiplier as M
from specbias.derive.lfp.transforms import XI
from specbias.errors import InvalidArgument
from specbias.verify.lfp import LFPNet, neuron_ntk


def test_relu_multiplier_structure_and_kernel_transform():
    g, d = M.lfp_multiplier("relu")
    assert d.steps and d.result == g
    # The transform of the derived x-space kernel rho[m3 |s|^3/12 - m1 |s|/2] is the multiplier:
    # check through the numeric forms at random frequencies.
    xi = np.array([0.3, 1.0, 2.5])
    fn = sympy.lambdify(XI, g.subs({M.RHO: 0.7, M.R2: 1.3, M.W2: 0.4, M.R2W2: 0.9}), "numpy")
    assert np.allclose(fn(xi), M.relu_multiplier_numeric(xi, 1.7, 0.9, 0.7), rtol=1e-14)


def test_uniform_kernel_closed_form_against_quadrature():
    K, _ = M.relu_kernel_uniform()
    L = 1.7
    f = sympy.lambdify((sympy.Symbol("x", real=True), M.XP, sympy.Symbol("L", real=True), M.R2, M.W2, M.R2W2),
                       K, "mpmath")
    rng = np.random.default_rng(3)
    for _ in range(4):
        x, xp = sorted(rng.uniform(-1.5, 1.5, 2))
        relu = lambda s: max(s, 0)  # noqa: E731
        with mpmath.workdps(25):
            # sign-averaged l-means of the ReLU and step products, by quadrature
            A = sum(mpmath.quad(lambda l: relu(s * (x + l)) * relu(s * (xp + l)), [-L, -xp, -x, L]) for s in (1, -1)) / (4 * L)
            B = sum(mpmath.quad(lambda l: (s * (x + l) > 0) * (s * (xp + l) > 0), [-L, -xp, -x, L]) for s in (1, -1)) / (4 * L)
            assert abs(f(x, xp, L, 1, 0, 0) - A) < 1e-15 and abs(f(x, xp, L, 0, 0, 1) - B) < 1e-15
    X = np.array([-1.0, 0.2, 0.9])
    assert np.allclose(M.relu_kernel_numeric(X, X, 2.0, 1.0, L)[0, 1],
                       float(f(-1.0, 0.2, L, 1.0, 1.0, 1.0)), rtol=1e-14)


def test_uniform_kernel_against_monte_carlo_over_neurons():
    net = LFPNet(1, 2 ** 15, 1.2, 0.8, 1.5, seed=5)
    X = np.linspace(-1, 1, 7)[:, None]
    mean, se = neuron_ntk(net, X)
    derived = M.relu_kernel_numeric(X[:, 0], X[:, 0], 1.44 + 0.64, 1.44 * 0.64, 1.5)
    z = np.abs(mean - derived) / se
    # 28 distinct entries: a Bonferroni bound at family level 1e-3 is |z| < 4.1
    assert z[np.triu_indices(7)].max() < 4.1


def test_tanh_multiplier_is_the_transform_of_the_l_averaged_kernel(s=0.6):
    """k(s) - k(0) = integral (cos 2 pi xi s - 1) gamma(xi | r, w) dxi with rho = 1, both by quadrature."""
    r, w = 1.3, 0.8
    cond = M.lfp_multiplier("tanh")[0].subs({M.RHO: 1, M.Rs: r, M.Ws: w})
    gamma = sympy.lambdify(XI, cond, "mpmath")
    with mpmath.workdps(15):
        sech2 = lambda t: mpmath.sech(r * t) ** 2  # noqa: E731
        profiles = [lambda u: mpmath.tanh(r * u), lambda u: w * u * sech2(u), lambda u: w * r * sech2(u)]
        space = sum(mpmath.quad(lambda u: g(u) * (g(u - s) - g(u)), [-40, -5, 0, 5, 40]) for g in profiles)
        fourier = 2 * mpmath.quad(lambda x: (mpmath.cos(2 * mpmath.pi * x * s) - 1) * gamma(x), [0, 0.5, 2, 8, 40])
    assert abs(space / fourier - 1) < 1e-8      # 15-digit quadrature of smooth, decaying integrands


def test_tanh_mean_multiplier_decays_like_laplace():
    """The local exponent of -log(gamma) tends to 2/3 (Laplace's method), from above here."""
    xi = np.array([4.0, 8.0, 16.0, 32.0, 64.0])
    g = M.tanh_mean_multiplier(xi, 1.0, 1.0)
    local = np.diff(np.log(-np.log(g))) / np.diff(np.log(xi))
    assert np.all(np.abs(np.diff(np.abs(local - 2 / 3))) > 0) and np.all(np.diff(local) < 0)
    assert abs(local[-1] - 2 / 3) < 0.08


def test_luo_kink_coefficients_are_the_kink_density_times_the_profile():
    c3, c1, d = luo.kink_coefficients()
    w = sympy.Symbol("w", positive=True)
    # both leading coefficients carry the kink-location density |w| / (sqrt(2 pi) sigma_b)
    density = w / (sympy.sqrt(2 * sympy.pi) * luo.SIGMA_B)
    assert sympy.simplify(c3 - density * w ** 2 / 12) == 0
    assert sympy.simplify(c1 + density / 2) == 0
    _, rows, ratios = luo.luo_comparison()
    assert len(rows) == 3 and set(ratios) == {"a", "b", "w"}


def test_unknown_activation_is_named():
    with pytest.raises(InvalidArgument, match="'sigmoid'"):
        M.lfp_multiplier("sigmoid")
