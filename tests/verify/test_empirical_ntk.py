"""Empirical NTKs of the torch models against the analytic kernels of derive/."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from specbias.derive.ntk.kernels import kernels
from specbias.derive.ntk.two_layer import two_layer_kernel
from specbias.errors import InvalidArgument
from specbias.verify.empirical_ntk import empirical_ntk, fit_power_law, width_convergence
from specbias.verify.models import DeepFC, TwoLayer, resolve_device

torch.set_num_threads(1)


def inputs(n=6, d=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=torch.float64)


@pytest.mark.parametrize("par", ["arora", "basri", "random-features"])
def test_two_layer_empirical_ntk_matches_derived_kernel(par):
    X = inputs()
    m = 1 << 15
    model = TwoLayer(3, m, par, seed=1)
    if par == "random-features":  # the trained layer is a: its NTK is the hidden layer's NNGP
        model.w.copy_(torch.randn(m, 3, generator=torch.Generator().manual_seed(2),
                                  dtype=torch.float64) / math.sqrt(3))
    emp = empirical_ntk(model, X)
    ana = torch.tensor(two_layer_kernel(X.numpy(), X.numpy(), par))
    # Each entry is a mean of m i.i.d. bounded terms: relative error ~ 1/sqrt(m); allow 6x.
    assert torch.linalg.norm(emp - ana) / torch.linalg.norm(ana) < 6 / math.sqrt(m)


@pytest.mark.parametrize("act", ["relu", "erf", "relu2"])
@pytest.mark.parametrize("par", ["ntk", "standard"])
def test_deep_empirical_ntk_matches_recursion(act, par):
    X = inputs(5)
    width = 2048
    _, ana = kernels(X, X, 2, act, 2.0, 0.2, par, xp=torch)
    errs = [float(torch.linalg.norm(empirical_ntk(DeepFC(3, width, 2, act, par, 2.0, 0.2, seed=s), X) - ana)
                  / torch.linalg.norm(ana)) for s in range(2)]
    # Fluctuations of a depth-2 NTK at width m are O(1/sqrt(m)) with constants of a few units
    # (relu2's are largest: its fourth moments are big); 12/sqrt(m) = 0.27 at m = 2048.
    assert np.mean(errs) < 12 / math.sqrt(width)


def test_float32_empirical_ntk_agrees_with_float64():
    X = inputs()
    a = empirical_ntk(DeepFC(3, 256, 2, seed=3, dtype=torch.float64), X)
    b = empirical_ntk(DeepFC(3, 256, 2, seed=3, dtype=torch.float32), X.float())
    # float32 contraction over ~70k parameters: relative error ~ sqrt(P)·eps32 ≈ 3e-5.
    assert torch.linalg.norm(b.double() - a) / torch.linalg.norm(a) < 1e-4


def test_fit_power_law_recovers_a_known_rate():
    rng = np.random.default_rng(0)
    widths = [64, 128, 256, 512, 1024]
    errs = [[3 * m ** -0.5 * math.exp(rng.normal(0, 0.05)) for _ in range(8)] for m in widths]
    fit = fit_power_law(widths, errs)
    assert abs(fit.slope + 0.5) < 4 * fit.slope_stderr and fit.slope_stderr < 0.05


def test_fit_power_law_on_arithmetic_means_reports_the_means_it_fits():
    """mean="arithmetic": the fit's errors are the plain means over seeds (what a table shows),
    and the rate is recovered as well."""
    rng = np.random.default_rng(1)
    widths = [64, 128, 256, 512, 1024]
    errs = [[3 * m ** -0.5 * (1 + rng.normal(0, 0.1)) for _ in range(8)] for m in widths]
    fit = fit_power_law(widths, errs, mean="arithmetic")
    np.testing.assert_allclose(fit.errors, np.mean(errs, 1), rtol=1e-12)
    assert abs(fit.slope + 0.5) < 4 * fit.slope_stderr and fit.slope_stderr < 0.05


@pytest.mark.slow
def test_width_convergence_rate_is_one_over_sqrt_width():
    X = inputs(6)
    _, ana = kernels(X, X, 2, "relu", 2.0, 0.1, xp=torch)
    fit = width_convergence(lambda m, s: DeepFC(3, m, 2, "relu", "ntk", 2.0, 0.1, seed=s), ana, X,
                            [64, 128, 256, 512, 1024, 2048], range(6))
    # 3 standard errors from the seed spread, plus 0.1 for pre-asymptotic curvature.
    assert abs(fit.slope + 0.5) < 3 * fit.slope_stderr + 0.1


def test_symmetric_initialization_starts_at_zero():
    model = TwoLayer(3, 64, "arora", seed=0, symmetric=True)
    # paired terms cancel up to the rounding of a 64-term float64 sum
    assert torch.all(model(inputs()).abs() < 1e-14)


def test_model_bad_input():
    with pytest.raises(InvalidArgument, match="width"):
        TwoLayer(3, 0)
    with pytest.raises(InvalidArgument, match="even"):
        TwoLayer(3, 5, symmetric=True)
    with pytest.raises(InvalidArgument, match="float16"):
        DeepFC(3, 4, 1, dtype="float16")
    with pytest.raises(InvalidArgument, match="device"):
        resolve_device("tpu")


@pytest.mark.gpu
def test_cuda_empirical_ntk_matches_cpu():
    X = inputs()
    cpu = empirical_ntk(DeepFC(3, 512, 2, seed=4), X)
    gpu = empirical_ntk(DeepFC(3, 512, 2, seed=4, device="cuda"), X.cuda())
    assert torch.linalg.norm(gpu.cpu() - cpu) / torch.linalg.norm(cpu) < 1e-12
    _, ana_gpu = kernels(X.cuda(), X.cuda(), 2, "relu", xp=torch)
    _, ana = kernels(X, X, 2, "relu", xp=torch)
    assert torch.allclose(ana_gpu.cpu(), ana, rtol=1e-13)


def test_two_layer_nngp_is_the_output_covariance_at_initialization():
    """Monte Carlo over networks: the sample covariance of f(x), f(x') at initialization."""
    X = inputs(4)
    nets = 400
    outs = torch.stack([TwoLayer(3, 512, "arora", seed=s)(X) for s in range(nets)]).detach().numpy()
    emp = outs.T @ outs / nets
    ana = two_layer_kernel(X.numpy(), X.numpy(), "arora", kernel="nngp")
    # each entry: mean of `nets` products with variance <= 2 max(k)^2 -> se ~ sqrt(2/nets) max(k)
    assert np.max(np.abs(emp - ana)) < 5 * math.sqrt(2 / nets) * np.max(np.abs(ana))
