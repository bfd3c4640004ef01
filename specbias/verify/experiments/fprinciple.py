"""L9: the frequency principle (Xu, Zhang, Xiao 2018; Xu, Zhang, Luo, Xiao, Ma, CiCP 28, 2020).

Two runners:

* :func:`run_curve` (``fprinciple``): a tanh network 1 → 200 → 100 → 100 → 50 → 1 (the lecture's
  "tanh-DNN, 200-100-100-50") fitting y = sin x + 2 sin 3x + 3 sin 5x (the public TF2 example)
  on N points x = −π + 2πj/N (periodic, so each frequency is one DFT bin), full-batch Adam on
  the mean squared error. Recorded: the relative error per frequency
  Δ_F(k) = |ĥ_k − ŷ_k|/|ŷ_k| (the slides' definition, with the DFT of the training points).
* :func:`run_filter` (``fprinciple_filter``): the filtering method on scikit-learn's digits
  (1797 images of 8 × 8 pixels, shipped with the package: nothing is downloaded), inputs scaled
  to [0, 1], one-hot labels, a tanh DNN 64 → 200 → 100 → 10 with Adam on the mean squared error.
  Low part y^{low,δ}_i = Σ_j y_j G^δ(x_i − x_j) / Σ_j G^δ(x_i − x_j), G^δ(x) = exp(−|x|²/(2δ))
  (the normalized Gaussian filter of Xu et al. 2020, Sec. 4.2), high part y − y^{low,δ}, and
  e_low, e_high the relative errors of the network's output's parts against the labels' parts.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from specbias.errors import InvalidArgument
from specbias.verify.sweep.registry import Experiment, register
from specbias.verify.experiments.common import (Config, as_list, environment, every,
                                                fourier_projector, mlp, optimizer, torch_threads,
                                                train_loop)

NAME, FILTER_NAME = "fprinciple", "fprinciple_filter"
SUMMARY = ("L9: tanh DNN 200-100-100-50 on sin x + 2 sin 3x + 3 sin 5x; relative error per "
           "frequency over Adam training")
FILTER_SUMMARY = ("L9: filtering method (Gaussian filter in input space) on scikit-learn's digits; "
                  "e_low and e_high over Adam training")
CURVE_DEFAULTS = dict(seed=0, points=128, lr=2e-4, steps=3000, record_every=20, device="cpu",
                      dtype="float32")
# lr 2e-4 as in the public TF2 example; the three errors fall below 1/2 within about 300 steps
CURVE_PROFILES = {"quick": dict(CURVE_DEFAULTS, steps=1500, record_every=10),
                  "full": dict(CURVE_DEFAULTS, steps=10000)}
FILTER_DEFAULTS = dict(seed=0, samples=1797, delta=0.5, width=200, lr=1e-3, steps=2000,
                       record_every=20, device="cpu", dtype="float32")
FILTER_PROFILES = {"quick": dict(FILTER_DEFAULTS, samples=600, steps=1000, record_every=10),
                   "full": dict(FILTER_DEFAULTS)}
CURVE_WIDTHS = (200, 100, 100, 50)
CURVE_TERMS = ((1, 1.0), (3, 2.0), (5, 3.0))   # (frequency, amplitude) of the target


def curve_target(points: int) -> tuple[np.ndarray, np.ndarray]:
    """x = −π + 2πj/N and y = Σ A sin(kx) over ``CURVE_TERMS``."""
    x = -math.pi + 2 * math.pi * np.arange(points) / points
    return x, sum(A * np.sin(k * x) for k, A in CURVE_TERMS)


def _train(net, X, Y, lr, steps, period, desc, observe):
    """Full-batch Adam on the mean squared error; ``observe(output)`` every ``period`` steps and
    at the end. Returns the recorded steps and losses."""
    steps_rec, losses = [], []
    record = every(period, steps)

    def watch(step, out, loss):
        if record(step):
            steps_rec.append(step)
            losses.append(float(loss.detach()))
            observe(out.detach().cpu().double().numpy())

    def forward():
        out = net(X)
        return out, ((out - Y) ** 2).mean()

    train_loop(optimizer("adam", net.parameters(), lr), forward, steps, desc, watch)
    return steps_rec, losses


def run_curve(config: dict) -> dict:
    """Relative error per frequency of the 1D tanh network over training."""
    with torch_threads(1):
        cfg = Config(config, NAME)
        seed, points = cfg.seed(), cfg.integer("points", 2 * max(k for k, _ in CURVE_TERMS) + 2,
                                               10 ** 6)
        lr, steps = cfg.number("lr", 0, 1, open_lo=True), cfg.integer("steps", 1, 10 ** 8)
        period, device, dtype = cfg.integer("record_every", 1, 10 ** 8), cfg.device(), cfg.dtype()
        x, y = curve_target(points)
        kw = dict(dtype=dtype, device=device)
        net = mlp([1, *CURVE_WIDTHS, 1], torch.nn.Tanh, seed, dtype, device)
        freqs = [k for k, _ in CURVE_TERMS]
        P = fourier_projector(points, freqs)
        y_hat = P @ y
        errors = []
        observe = lambda out: errors.append(np.abs(P @ out[:, 0] - y_hat) / np.abs(y_hat))  # noqa: E731
        steps_rec, losses = _train(net, torch.tensor(x, **kw)[:, None], torch.tensor(y, **kw)[:, None],
                                   lr, steps, period, f"{NAME} seed {seed}", observe)
    return {"frequencies": freqs, "steps": steps_rec, "relative_error": [as_list(e, 5) for e in errors],
            "loss": as_list(losses, 6), **environment(device, dtype)}


def load_digits_data(samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``samples`` images of scikit-learn's digits (a seeded subset), pixels in [0, 1], and
    one-hot labels."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # pragma: no cover - scikit-learn is a dependency
        raise InvalidArgument("the filtering experiment needs scikit-learn (pip install "
                              "scikit-learn): it ships the digits data set") from None
    data = load_digits()
    idx = np.sort(np.random.default_rng(seed).permutation(len(data.target))[:samples])
    return data.data[idx] / 16.0, np.eye(10)[data.target[idx]]


def gaussian_filter_weights(X: np.ndarray, delta: float) -> np.ndarray:
    """Row-normalized weights G^δ(x_i − x_j)/Σ_j G^δ(x_i − x_j), G^δ(x) = exp(−|x|²/(2δ)),
    computed with the row minimum distance subtracted (no underflow)."""
    sq = (X ** 2).sum(1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * X @ X.T, 0.0)
    logits = -(d2 - d2.min(1, keepdims=True)) / (2 * delta)
    W = np.exp(logits)
    return W / W.sum(1, keepdims=True)


def filter_scale(X: np.ndarray, W: np.ndarray) -> dict:
    """What the filter averages over: the median squared distance from an input to its nearest
    neighbour, the mean weight of an input on itself, and the median effective number of inputs
    averaged, 1/Σ_j W_ij² (so δ can be judged against the data's own distances)."""
    sq = (X ** 2).sum(1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * X @ X.T, 0.0)
    np.fill_diagonal(d2, np.inf)
    return {"nearest_sq_distance": float(np.median(d2.min(1))),
            "self_weight": float(np.mean(np.diag(W))),
            "effective_neighbours": float(np.median(1 / (W ** 2).sum(1)))}


def baselines(X: np.ndarray, y: np.ndarray, W: np.ndarray) -> dict:
    """(e_low, e_high) of two predictors that learn nothing in time: the label mean, and the
    least-squares affine map of the pixels (smoother than the labels)."""
    A = np.hstack([X, np.ones((len(X), 1))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return {"label mean": split_errors(W, y, np.tile(y.mean(0), (len(y), 1))),
            "affine least squares": split_errors(W, y, A @ coef)}


def split_errors(W: np.ndarray, y: np.ndarray, h: np.ndarray) -> tuple[float, float]:
    """(e_low, e_high) of the output h against the labels y under the filter W."""
    y_low, h_low = W @ y, W @ h
    y_high, h_high = y - y_low, h - h_low
    e_low = np.linalg.norm(y_low - h_low) / np.linalg.norm(y_low)
    e_high = np.linalg.norm(y_high - h_high) / np.linalg.norm(y_high)
    return float(e_low), float(e_high)


def run_filter(config: dict) -> dict:
    """e_low and e_high of a tanh DNN on the digits over training (the filtering method)."""
    with torch_threads(1):
        cfg = Config(config, FILTER_NAME)
        seed, samples = cfg.seed(), cfg.integer("samples", 20, 1797)
        delta, width = cfg.number("delta", 0, 1e6, open_lo=True), cfg.integer("width", 1, 1 << 14)
        lr, steps = cfg.number("lr", 0, 1, open_lo=True), cfg.integer("steps", 1, 10 ** 8)
        period, device, dtype = cfg.integer("record_every", 1, 10 ** 8), cfg.device(), cfg.dtype()
        X, y = load_digits_data(samples, seed)
        W = gaussian_filter_weights(X, delta)
        low_share = float(np.linalg.norm(W @ y) ** 2 / np.linalg.norm(y) ** 2)
        kw = dict(dtype=dtype, device=device)
        net = mlp([64, width, width // 2, 10], torch.nn.Tanh, seed, dtype, device)
        e_low, e_high = [], []

        def observe(out):
            lo, hi = split_errors(W, y, out)
            e_low.append(lo), e_high.append(hi)

        steps_rec, losses = _train(net, torch.tensor(X, **kw), torch.tensor(y, **kw), lr, steps,
                                   period, f"{FILTER_NAME} seed {seed}", observe)
    scale = {k: round(v, 4) for k, v in filter_scale(X, W).items()}
    # the slide's smallest delta (3, for MNIST) on these inputs, for comparison
    scale["effective_neighbours_delta3"] = round(filter_scale(X, gaussian_filter_weights(X, 3.0))
                                                 ["effective_neighbours"], 4)
    base = {k: as_list(v, 4) for k, v in baselines(X, y, W).items()}
    return {"steps": steps_rec, "e_low": as_list(e_low, 5), "e_high": as_list(e_high, 5),
            "loss": as_list(losses, 6), "low_energy_share": round(low_share, 4),
            "filter_scale": scale, "baselines": base, **environment(device, dtype)}


_DEPENDS = ("specbias.verify.experiments.common",)
register(Experiment(NAME, run_curve, CURVE_PROFILES, SUMMARY, depends=_DEPENDS, keys={
    "points": "N training points on [-pi, pi)", "lr": "Adam step size", "steps": "iterations",
    "record_every": "errors recorded every this many steps"}))
register(Experiment(FILTER_NAME, run_filter, FILTER_PROFILES, FILTER_SUMMARY, depends=_DEPENDS,
                    keys={"samples": "digits used (a seeded subset of 1797)",
                          "delta": "variance of the Gaussian filter in input space (pixels in [0, 1])",
                          "width": "first hidden width (the second is half)", "lr": "Adam step size",
                          "steps": "iterations", "record_every": "errors recorded every this many steps"}))
