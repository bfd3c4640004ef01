"""Fourier-feature networks (Tancik et al., NeurIPS 2020) trained and measured frequency by frequency.

:class:`FourierFeatureNet` maps v to gamma(v) = [a cos(2 pi B v), a sin(2 pi B v)] (fixed) and
feeds it to the fully connected network of :class:`specbias.verify.models.DeepFC` in the NTK
parametrization of :data:`specbias.derive.lfp.features.MLP`. On N uniform points of [0, 1) with
integer frequencies B the NTK Gram matrix is circulant, so the DFT components of the training
residual decay independently, as (1 - lr lambda_k / N)^t with the circulant eigenvalues lambda_k
(loss (1/2N) sum (f - y)^2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from specbias.derive.lfp.features import MLP, periodic_spectrum
from specbias.verify.empirical_ntk import empirical_ntk
from specbias.verify.lfp import AntiSymmetric, train
from specbias.verify.models import DeepFC, check_dtype, resolve_device


class FourierFeatureNet(torch.nn.Module):
    """f(v) = MLP(gamma(v)), gamma fixed (a buffer), the MLP trained."""

    def __init__(self, B: np.ndarray, a: np.ndarray, width: int, seed: int = 0, dtype="float64",
                 device="cpu", **mlp):
        super().__init__()
        cfg = dict(MLP, **mlp)
        kw = dict(dtype=check_dtype(dtype), device=device)
        self.register_buffer("B", torch.tensor(np.atleast_2d(B), **kw))
        self.register_buffer("a", torch.tensor(np.asarray(a, float), **kw))
        self.mlp = DeepFC(2 * len(a), width, cfg["depth"], cfg["activation"], cfg["parametrization"],
                          cfg["weight_var"], cfg["bias_var"], seed=seed, dtype=dtype, device=device)
        self.lr_scales = self.mlp.lr_scales

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        arg = 2 * math.pi * v @ self.B.T
        return self.mlp(torch.cat([self.a * torch.cos(arg), self.a * torch.sin(arg)], dim=1))


@dataclass
class FeatureRun:
    """Per-frequency e-folding times (in GD steps) of the residual: measured and predicted."""

    freqs: np.ndarray
    spectrum: np.ndarray          # analytic circulant eigenvalues lambda_k / N
    measured: np.ndarray
    analytic: np.ndarray          # 1 / -log(1 - lr lambda_k / N), exact for the circulant NTK
    start: np.ndarray             # GD on the linear model with the network's NTK at initialization
    end: np.ndarray               # ... and with its NTK at the end
    lr: float
    steps: int


def feature_run(p: float, width: int, seed: int = 0, points: int = 32, count: int = 16,
                steps: int | None = None, device="cpu", dtype="float64", progress=None) -> FeatureRun:
    """Train an ASI Fourier-feature network (a_j = j^-p, b_j = j) on a target with every frequency.

    The target is sum_{k=1}^{N/2-1} cos(2 pi k v + phi_k) / sqrt(N/2 - 1) on N = ``points`` uniform
    points, phases seeded; the learning rate is 1/max_k (lambda_k/N) of the analytic NTK; ``steps``
    GD steps (default: two e-folds of the slowest frequency under the analytic NTK), recorded at
    every step. Each DFT component is timed to 1/e (:func:`specbias.verify.lfp.efold_times`).
    """
    from specbias.derive.lfp.features import deterministic_features
    from specbias.verify.lfp import efold_times
    from specbias.verify.training import linear_residuals

    dev = resolve_device(device)
    B, a = deterministic_features(p, count)
    v = np.arange(points)[:, None] / points
    g = np.random.default_rng(seed)
    freqs = np.arange(1, points // 2)
    # unit total amplitude: a small residual keeps the NTK still (its motion grows with the residual)
    y = sum(np.cos(2 * np.pi * k * v[:, 0] + g.uniform(0, 2 * np.pi)) for k in freqs) / np.sqrt(len(freqs))
    spec = periodic_spectrum(B, a, points) / points
    lr = 1.0 / float(spec.max())
    if steps is None:
        steps = int(np.ceil(2.0 / -np.log(1 - lr * float(spec[freqs].min()))))
    # ASI: zero output at initialization, the same NTK, so the residual starts at -y exactly
    model = AntiSymmetric(FourierFeatureNet(B, a, width, seed=seed, dtype=dtype, device=dev))
    V = torch.tensor(v, dtype=check_dtype(dtype), device=dev)
    K0 = empirical_ntk(model, V).cpu().numpy() / points
    trace = train(model, V, torch.tensor(y, dtype=V.dtype, device=dev), lr, steps, record_every=1,
                  progress=progress)
    K1 = empirical_ntk(model, V).cpu().numpy() / points
    ticks = np.arange(steps + 1)
    comp = lambda R: np.fft.rfft(np.asarray(R), axis=1)[:, freqs]  # noqa: E731
    tau = lambda R: efold_times(ticks.astype(float), comp(R))  # noqa: E731
    analytic = 1 / -np.log(1 - lr * spec[freqs])
    return FeatureRun(freqs, spec[freqs], tau(trace.residuals), analytic,
                      tau(linear_residuals(K0, -y, lr, ticks)), tau(linear_residuals(K1, -y, lr, ticks)),
                      lr, steps)
