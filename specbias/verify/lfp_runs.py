"""Experiments with the LFP networks of :mod:`specbias.verify.lfp` (claims L2, L4, L6).

* :func:`frequency_run`: per-frequency decay of the training residual (its non-uniform DFT on the
  training points, timed to 1/e) for a network, its linearizations and the LFP rate (L2);
* :func:`interpolant_run`: a network trained to interpolation against its NTK's interpolant (L4);
* :func:`initial_functions`: many independent initial functions at once (L6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from specbias.errors import require
from specbias.verify.lfp import (REGIMES, LFPNet, Trace, check_regime, efold_times, heavy_ball, nudft,
                                 regime_model, train)
from specbias.verify.models import check_dtype


def uniform_points(n: int, a: float = -1.0, b: float = 1.0) -> np.ndarray:
    """x_i = a + (b - a) i / n, i = 0..n-1: the DFT bins k/(b - a) are orthogonal on them."""
    require(isinstance(n, int) and n >= 2, f"number of points {n!r} must be an integer >= 2")
    return a + (b - a) * np.arange(n) / n


def sinusoid_target(x: np.ndarray, xis, seed: int) -> np.ndarray:
    """sum_k cos(2 pi xi_k x + phi_k) with seeded random phases."""
    g = np.random.default_rng(seed)
    return sum(np.cos(2 * np.pi * xi * x + g.uniform(0, 2 * np.pi)) for xi in xis)


@dataclass
class FrequencyRun:
    """Per-frequency e-folding times of the training residual: network, linear models, LFP."""

    xis: np.ndarray
    tau_network: np.ndarray
    tau_empirical: np.ndarray     # linear dynamics with the network's NTK at initialization
    tau_kernel: np.ndarray        # linear dynamics with the analytic (infinite-width) NTK
    tau_lfp: np.ndarray           # 1 / (m p gamma(xi)) with the derived multiplier
    tau_final: np.ndarray         # linear dynamics with the network's NTK at the end of training
    lr: float
    steps: int
    trace: Trace
    config: dict


def frequency_run(regime: str, width: int, seed: int = 0, n: int = 16, ks=(1, 2, 3),
                  l_range: float = 1.05, efolds: float = 1.3, device="cpu", dtype="float64",
                  progress=None) -> FrequencyRun:
    """Train an ASI LFP network on n uniform points of [-1, 1) and time each frequency.

    Target: cosines at xi_k = k / 2 (DFT bins of the interval) with seeded phases; h_ini = 0
    (ASI). The residual's NUDFT at xi_k is timed to 1/e for the network, for GD on the linear
    model with its NTK at initialization, for GD with the analytic NTK of
    :func:`specbias.derive.lfp.multiplier.relu_kernel_numeric` (times m), and by the LFP rate
    m p gamma(xi) with p = 1/2 the density of the data on [-1, 1]. Steps run until the LFP
    predicts ``efolds`` e-folds of the slowest frequency.
    """
    from specbias.derive.lfp.multiplier import relu_kernel_numeric, relu_multiplier_numeric
    from specbias.verify.empirical_ntk import empirical_ntk
    from specbias.verify.models import resolve_device
    from specbias.verify.training import linear_residuals

    s_r, s_w = REGIMES[check_regime(regime)]
    dev = resolve_device(device)
    x = uniform_points(n)
    xis = np.asarray(ks, float) / 2.0
    y = sinusoid_target(x, xis, seed)
    m3, m1 = s_r ** 2 + s_w ** 2, s_r ** 2 * s_w ** 2
    K = width * relu_kernel_numeric(x, x, m3, m1, l_range) / n
    lr = 1.0 / float(np.linalg.eigvalsh(K).max())
    rate = width * relu_multiplier_numeric(xis, m3, m1, 1 / (2 * l_range)) / 2.0
    steps = int(np.ceil(efolds / (rate.min() * lr)))
    model = regime_model(regime, width, l_range, seed=seed, dtype=dtype, device=dev)
    X = torch.tensor(x[:, None], dtype=check_dtype(dtype), device=dev)
    Ke = empirical_ntk(model, X).cpu().numpy() / n
    trace = train(model, X, torch.tensor(y, dtype=X.dtype, device=dev), lr, steps,
                  record_every=max(1, steps // 400), progress=progress)
    ticks = np.round(trace.times / lr).astype(int)
    taus = [efold_times(trace.times, nudft(R, x, xis))
            for R in (trace.residuals, linear_residuals(Ke, -y, lr, ticks), linear_residuals(K, -y, lr, ticks))]
    K_end = empirical_ntk(model, X).cpu().numpy() / n
    tau_final = efold_times(trace.times, nudft(linear_residuals(K_end, -y, lr, ticks), x, xis))
    config = {"regime": regime, "width": width, "seed": seed, "n": n, "l_range": l_range,
              "s_r": s_r, "s_w": s_w, "device": str(dev), "dtype": str(dtype)}
    return FrequencyRun(xis, taus[0], taus[1], taus[2], 1 / rate, tau_final, lr, steps, trace, config)


def fourier_quotients(K: np.ndarray, x: np.ndarray, xis) -> np.ndarray:
    """Rayleigh quotients e^* K e of the unit Fourier vectors e = exp(2 pi i xi x) / sqrt(n)."""
    E = np.exp(2j * np.pi * np.outer(np.asarray(x, float), np.asarray(xis, float))) / np.sqrt(len(x))
    return np.real(np.einsum("ik,ij,jk->k", E.conj(), K, E))


@dataclass
class InterpolantRun:
    """A network trained to interpolation and the interpolants it is compared with (claim L4)."""

    x: np.ndarray
    y: np.ndarray
    grid: np.ndarray
    network: np.ndarray
    empirical: np.ndarray         # kernel interpolant with the network's NTK at initialization
    kernel: np.ndarray            # kernel interpolant with the analytic NTK (l uniform on [-L, L])
    final_residual: float
    steps: int
    config: dict


def spline_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n points from -0.9 to 0.9, the inner ones jittered by up to 30 % of the spacing (seeded),
    and y = sin(2.5 pi x) + x/2."""
    require(isinstance(n, int) and n >= 3, f"number of points {n!r} must be an integer >= 3")
    g = np.random.default_rng(seed)
    h = 1.8 / (n - 1)
    x = -0.9 + h * np.arange(n)
    x[1:-1] += g.uniform(-0.3, 0.3, n - 2) * h
    return x, np.sin(2.5 * np.pi * x) + 0.5 * x


def interpolant_run(regime: str, width: int, seed: int = 0, n: int = 8, l_range: float = 1.5,
                    device="cpu", dtype="float64", progress=None) -> InterpolantRun:
    """Train an ASI LFP network to interpolate ``spline_data`` (h_ini = 0) and evaluate it on [-1, 1].

    Heavy-ball momentum with Polyak's optimal (lr, beta) for the analytic NTK's condition number:
    every increment lies in the span of the gradients, so in the kernel regime the limit is the
    same minimum-norm interpolant as gradient descent's (claim L8), reached in about sqrt(kappa)
    times fewer steps.
    """
    from specbias.derive.lfp.multiplier import relu_kernel_numeric
    from specbias.verify.empirical_ntk import empirical_ntk
    from specbias.verify.models import resolve_device

    s_r, s_w = REGIMES[check_regime(regime)]
    dev = resolve_device(device)
    x, y = spline_data(n, seed)
    grid = np.linspace(-1, 1, 401)
    m3, m1 = s_r ** 2 + s_w ** 2, s_r ** 2 * s_w ** 2
    K = width * relu_kernel_numeric(x, x, m3, m1, l_range)
    model = regime_model(regime, width, l_range, seed=seed, dtype=dtype, device=dev)
    kw = dict(dtype=check_dtype(dtype), device=dev)
    X, G = torch.tensor(x[:, None], **kw), torch.tensor(grid[:, None], **kw)
    Ke = empirical_ntk(model, X).cpu().numpy()
    Kge = empirical_ntk(model, G, X).cpu().numpy()
    lr, beta, steps = heavy_ball(Ke / n)
    trace = train(model, X, torch.tensor(y, **kw), lr, steps, record_every=steps, momentum=beta,
                  X_eval=G, progress=progress)
    kernel = width * relu_kernel_numeric(grid, x, m3, m1, l_range) @ np.linalg.solve(K, y)
    config = {"regime": regime, "width": width, "seed": seed, "n": n, "l_range": l_range,
              "lr": lr, "momentum": beta, "device": str(dev)}
    return InterpolantRun(x, y, grid, trace.predictions, Kge @ np.linalg.solve(Ke, y), kernel,
                          float(np.abs(trace.residuals[-1]).max()), steps, config)


def initial_functions(width: int, draws: int, x: np.ndarray, seed: int, r_std: float = 1.0,
                      w_std: float = 1.0, l_range: float = 1.5, block: int = 64) -> np.ndarray:
    """h(x, theta_0) of ``draws`` independent m^(-1/2)-normalized LFP networks of width ``width``.

    One LFPNet of width ``width * block`` per block of draws, its neurons split into groups of
    ``width`` (the same initialization law as ``draws`` separate networks). Shape (draws, len(x)).
    """
    require(isinstance(draws, int) and draws >= 1, f"draws {draws!r} must be an integer >= 1")
    X = torch.tensor(np.asarray(x, float)[:, None])
    out = []
    for start in range(0, draws, block):
        count = min(block, draws - start)
        net = LFPNet(1, width * count, r_std, w_std, l_range, seed=seed + start)
        with torch.no_grad():
            act, _ = net._parts(X)
            per = (act * net.w).reshape(len(x), count, width).sum(-1) / math.sqrt(width)
        out.append(per.T.numpy())
    return np.concatenate(out)
