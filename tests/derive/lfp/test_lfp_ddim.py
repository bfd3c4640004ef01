"""The d-dimensional LFP operator: the ridge average by Monte Carlo over directions, the x-space
kernel in two dimensions by Monte Carlo over neurons."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from specbias.derive.lfp import ddim
from specbias.errors import InvalidArgument
from specbias.verify.lfp import LFPNet, neuron_ntk


def test_derivation_checks_pass():
    radial, cp, d = ddim.multiplier_ddim()
    zeros = [e for s in d.steps for e in s.exprs[:1] if s.rule in ("simplify", "F[x g]")]
    assert all(z == 0 for z in zeros)
    assert [e for s in d.steps if s.rule == "gammasimp" for e in s.exprs] == [1, 1]
    assert sympy.simplify(radial.subs(ddim.D, 1) * 16 * sympy.pi ** 4 / ddim.RHO
                          - (ddim.R2d + ddim.W2d) / ddim.K ** 4 - 4 * sympy.pi ** 2 * ddim.R2W2d / ddim.K ** 2) == 0


@pytest.mark.parametrize("dim,alpha", [(2, 3), (3, 3), (3, 1), (5, 1)])
def test_mean_power_of_a_random_direction(dim, alpha):
    """E|rhat . e1|^alpha over uniform directions: the Gamma formula behind the Riesz check vs Monte Carlo."""
    g = np.random.default_rng(dim * 10 + alpha)
    u = g.standard_normal((400_000, dim))
    samples = np.abs(u[:, 0] / np.linalg.norm(u, axis=1)) ** alpha
    a = sympy.Integer(alpha)
    formula = float(sympy.gamma(sympy.Rational(dim, 2)) * sympy.gamma((a + 1) / 2)
                    / (sympy.sqrt(sympy.pi) * sympy.gamma((a + dim) / 2)))
    assert abs(samples.mean() - formula) < 5 * samples.std() / np.sqrt(len(samples))


def test_two_dimensional_kernel_against_monte_carlo():
    net = LFPNet(2, 2 ** 14, 0.3, 1.0, 1.2, seed=2)
    g = np.random.default_rng(1)
    ang, rad = g.uniform(0, 2 * np.pi, 6), np.sqrt(g.uniform(0.25, 1, 6))
    X = np.stack([rad * np.cos(ang), rad * np.sin(ang)], 1)
    mean, se = neuron_ntk(net, X)
    derived = ddim.relu_kernel_2d(X, X, 2 * 0.09 + 1, 2 * 0.09, 1.0, 1.2, angles=1024)
    assert (np.abs(mean - derived) / se)[np.triu_indices(6)].max() < 4.0   # 21 entries, family level 1e-3


def test_derivation_for_a_dimension_and_bad_dimensions():
    d = ddim.derivation_for(3)
    assert ddim.D not in d.result.free_symbols
    for bad in (0, -1, 2.5, True, 10 ** 6):
        with pytest.raises(InvalidArgument, match="dimension"):
            ddim.check_dim(bad)
    with pytest.raises(InvalidArgument, match="shape"):
        ddim.relu_kernel_2d(np.zeros((2, 3)), np.zeros((2, 3)), 1, 1, 1, 1)
