"""verify/lfp: the networks, their closed-form GD step, NUDFT and timing, the per-neuron NTK."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from specbias.errors import InvalidArgument
from specbias.verify.empirical_ntk import empirical_ntk
from specbias.verify.lfp import (AntiSymmetric, LFPNet, check_regime, efold_times, neuron_ntk, nudft,
                                 regime_model, train)
from specbias.verify.lfp_runs import frequency_run, initial_functions, interpolant_run, uniform_points


@pytest.mark.parametrize("dim,act", [(1, "relu"), (1, "tanh"), (2, "relu"), (3, "tanh")])
def test_closed_form_gradients_equal_autograd(dim, act):
    net = AntiSymmetric(LFPNet(dim, 48, 1.0, 0.7, 1.5, activation=act, seed=3))
    with torch.no_grad():
        for p in net.b.parameters():
            p.add_(0.01 * torch.randn(p.shape, generator=torch.Generator().manual_seed(1), dtype=p.dtype))
    g = torch.Generator().manual_seed(2)
    X = torch.randn(9, dim, generator=g, dtype=torch.float64)
    c = torch.randn(9, generator=g, dtype=torch.float64)
    (net(X) @ c).backward()
    closed = [t for half in net.coefficient_gradients(X, c) for t in half]
    auto = [p.grad for p in (net.a.w, net.a.r, net.a.l, net.b.w, net.b.r, net.b.l)]
    assert max(float((a - b).abs().max()) for a, b in zip(auto, closed)) < 1e-13


@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_closed_form_training_equals_torch_sgd(momentum):
    X = torch.tensor(uniform_points(6)[:, None])
    y = torch.sin(3 * X[:, 0])
    runs = []
    for closed in (True, False):
        net = AntiSymmetric(LFPNet(1, 64, 1.0, 1.0, 1.5, seed=7))
        net.closed_form = closed
        runs.append(train(net, X, y, 1e-3, 20, record_every=5, momentum=momentum).residuals)
    assert np.abs(runs[0] - runs[1]).max() < 1e-12


def test_asi_starts_at_zero_and_neuron_ntk_is_torch_func():
    net = LFPNet(2, 256, 1.0, 1.0, 1.5, seed=1)
    X = np.random.default_rng(0).uniform(-1, 1, (5, 2))
    mean, se = neuron_ntk(net, X)
    emp = empirical_ntk(net, torch.tensor(X)).numpy() / 256
    assert np.abs(mean - emp).max() < 1e-12 * np.abs(emp).max() and np.all(se > 0)
    with torch.no_grad():
        assert float(AntiSymmetric(net)(torch.tensor(X)).abs().max()) == 0.0


def test_nudft_is_the_fft_on_uniform_points():
    x = uniform_points(16)
    v = np.random.default_rng(1).standard_normal(16)
    k = np.arange(8)
    ours = nudft(v, x, k / 2.0)          # xi = k / (b - a) with b - a = 2
    fft = np.fft.fft(v)[:8] / 16 * np.exp(-2j * np.pi * (k / 2.0) * x[0])
    assert np.allclose(ours, fft, atol=1e-14)


def test_efold_times_of_exponentials():
    t = np.linspace(0, 10, 2001)
    amps = np.stack([np.exp(-t / 2), np.exp(-t / 7), np.exp(-t / 70)], 1)
    tau = efold_times(t, amps)
    assert abs(tau[0] - 2) < 1e-3 and abs(tau[1] - 7) < 1e-3 and math.isnan(tau[2])


def test_initial_functions_have_the_nngp_variance():
    """E h(x)^2 = s_w^2 s_r^2 (x^2 + L^2/3) / 2 for the normalized network with symmetric r."""
    x = np.array([-0.5, 0.0, 0.8])
    H = initial_functions(64, 3000, x, seed=4)
    var = (x ** 2 + 1.5 ** 2 / 3) / 2
    se = H.var(0) * math.sqrt(2 / len(H))     # standard error of a variance, Gaussian-like sums
    assert np.all(np.abs(H.var(0) - var) < 5 * se) and np.all(np.abs(H.mean(0)) < 5 * np.sqrt(var / len(H)))


def test_bad_input_is_named():
    with pytest.raises(InvalidArgument, match="regime 'flat'"):
        check_regime("flat")
    with pytest.raises(InvalidArgument, match="width 0"):
        LFPNet(1, 0, 1.0, 1.0, 1.0)
    with pytest.raises(InvalidArgument, match="dimension 0"):
        LFPNet(0, 4, 1.0, 1.0, 1.0)
    with pytest.raises(InvalidArgument, match="r_std"):
        LFPNet(1, 4, float("nan"), 1.0, 1.0)
    net = regime_model("linear", 8, seed=0)
    X = torch.tensor([[0.0], [float("nan")]], dtype=torch.float64)
    with pytest.raises(InvalidArgument, match="NaN"):
        train(net, X, torch.zeros(2, dtype=torch.float64), 0.1, 1)


@pytest.mark.slow
def test_frequency_and_interpolant_runs_follow_their_ntk():
    fr = frequency_run("linear", 512, 0, ks=(1, 2, 4))
    assert np.all(np.abs(np.log(fr.tau_network / fr.tau_empirical)) < 0.05)
    ir = interpolant_run("cubic", 1024, 0, n=6)
    assert ir.final_residual < 1e-6
    assert np.sqrt(np.mean((ir.network - ir.empirical) ** 2)) < 0.05


@pytest.mark.gpu
def test_cuda_training_matches_cpu():
    runs = [frequency_run("linear", 256, 0, ks=(1, 2), device=d).trace.residuals for d in ("cpu", "cuda")]
    assert np.abs(runs[0] - runs[1]).max() < 1e-9
