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

from specbias.derive.lfp.features import MLP, features, periodic_spectrum
from specbias.verify.empirical_ntk import empirical_ntk
from specbias.verify.lfp import train
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


def dft_components(residuals: np.ndarray, count: int) -> np.ndarray:
    """|DFT| of each residual row at frequencies 0..count (rows: times)."""
    return np.abs(np.fft.rfft(np.asarray(residuals), axis=1))[:, :count + 1]


@dataclass
class FeatureRun:
    """Per-frequency decay factors over the run: measured, and predicted by three kernels."""

    freqs: np.ndarray
    spectrum: np.ndarray          # analytic circulant eigenvalues lambda_k / N
    measured: np.ndarray          # |u_k(T)| / |u_k(0)|
    analytic: np.ndarray          # (1 - lr lambda_k / N)^T
    start: np.ndarray             # linear dynamics with the network's NTK at initialization
    end: np.ndarray               # ... and at the end
    lr: float
    steps: int


def feature_run(p: float, width: int, seed: int = 0, points: int = 32, count: int = 16,
                steps: int = 400, device="cpu", dtype="float64", progress=None) -> FeatureRun:
    """Train a Fourier-feature network (a_j = j^-p, b_j = j) on a target with every frequency.

    The target is sum_{k=1}^{N/2-1} cos(2 pi k v + phi_k) on N = ``points`` uniform points, phases
    seeded; the learning rate is 1/max_k (lambda_k/N) of the analytic NTK; ``steps`` GD steps.
    """
    from specbias.derive.lfp.features import deterministic_features
    from specbias.verify.training import linear_residuals

    dev = resolve_device(device)
    B, a = deterministic_features(p, count)
    v = np.arange(points)[:, None] / points
    g = np.random.default_rng(seed)
    freqs = np.arange(1, points // 2)
    y = sum(np.cos(2 * np.pi * k * v[:, 0] + g.uniform(0, 2 * np.pi)) for k in freqs)
    spec = periodic_spectrum(B, a, points) / points
    lr = 1.0 / float(spec.max())
    model = FourierFeatureNet(B, a, width, seed=seed, dtype=dtype, device=dev)
    V = torch.tensor(v, dtype=check_dtype(dtype), device=dev)
    K0 = empirical_ntk(model, V).cpu().numpy() / points
    trace = train(model, V, torch.tensor(y, dtype=V.dtype, device=dev), lr, steps, record_every=steps,
                  progress=progress)
    K1 = empirical_ntk(model, V).cpu().numpy() / points
    comp = lambda R: dft_components(R, points // 2 - 1)[:, freqs]  # noqa: E731
    measured = comp(trace.residuals)
    ratio = lambda R: (R[-1] / R[0])  # noqa: E731
    lin = [comp(linear_residuals(K, -y, lr, [0, steps])) for K in (K0, K1)]
    analytic = (1 - lr * spec[freqs]) ** steps
    return FeatureRun(freqs, spec[freqs], ratio(measured), analytic, ratio(lin[0]), ratio(lin[1]), lr, steps)
