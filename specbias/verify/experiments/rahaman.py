"""P2: the spectral-bias experiment of Rahaman et al., "On the Spectral Bias of Neural Networks"
(ICML 2019, Fig. 1), as in their notebook ``ICML_SpectralBias.ipynb``.

Target λ(t) = Σ_i A_i sin(2πk_i t + 2πφ_i) on N = 200 points t = j/N of [0, 1), k_i = 5, 10,
…, 50, φ_i ~ U[0, 1) (seeded); case ``equal``: A_i = 1, case ``rising``: A_i = 0.1 i (0.1 …
1.0). A ReLU MLP 1 → 256 → (four 256 → 256) → 1 (PyTorch's default initialization), full-batch
Adam at lr 3·10⁻⁴ on the mean squared error, float32; every ``record_every`` steps the
normalized amplitude |f̃_{k_i}|/A_i = 2|FFT(f)[k_i]|/(N A_i) of the network's output on the same
points. The paper: 60,000 iterations, recorded every 100, averaged over runs (seeds).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from specbias.verify.sweep.registry import Experiment, register
from specbias.verify.experiments.common import (Config, as_list, dft_amplitudes, environment, every,
                                                mlp, optimizer, torch_threads, train_loop)

NAME = "rahaman"
SUMMARY = ("P2: Rahaman et al. 2019, ReLU MLP on a sum of sinusoids k = 5..50; normalized |FFT| "
           "per frequency over Adam training")
DEFAULTS = dict(seed=0, case="equal", points=200, width=256, hidden=5, lr=3e-4, steps=60000,
                record_every=100, device="cpu", dtype="float32")
# quick: width 128 at lr 1e-3 learns k = 5..15 or 20 in order within 4000 steps (about 15 s a
# run on one core); width 64 learns only k = 5 and 10 in 3000 steps, and the paper's width 256
# at lr 3e-4 needs about 8000 steps for k = 20 (several minutes a run)
PROFILES = {"quick": dict(DEFAULTS, width=128, steps=4000, lr=1e-3, record_every=10),
            "full": dict(DEFAULTS)}
FREQUENCIES = tuple(range(5, 55, 5))


def target(points: int, case: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, λ(t), A): the sum of sinusoids of the paper, phases drawn from ``seed``."""
    phases = np.random.default_rng(seed).uniform(0, 1, len(FREQUENCIES))
    amps = np.ones(len(FREQUENCIES)) if case == "equal" else 0.1 * np.arange(1, len(FREQUENCIES) + 1)
    t = np.arange(points) / points
    y = sum(A * np.sin(2 * math.pi * k * t + 2 * math.pi * p)
            for A, k, p in zip(amps, FREQUENCIES, phases))
    return t, y, amps


def run(config: dict) -> dict:
    """Train the MLP and record the normalized spectrum; see the module docstring."""
    with torch_threads(1):
        return _run(config)


def _run(config: dict) -> dict:
    cfg = Config(config, NAME)
    seed, case = cfg.seed(), cfg.choice("case", ("equal", "rising"))
    points = cfg.integer("points", 2 * max(FREQUENCIES) + 2, 10 ** 6)
    width, hidden = cfg.integer("width", 1, 1 << 14), cfg.integer("hidden", 1, 64)
    lr, steps = cfg.number("lr", 0, 1, open_lo=True), cfg.integer("steps", 1, 10 ** 8)
    period = cfg.integer("record_every", 1, 10 ** 8)
    device, dtype = cfg.device(), cfg.dtype()

    t, y, amps = target(points, case, seed)
    kw = dict(dtype=dtype, device=device)
    X, Y = torch.tensor(t, **kw)[:, None], torch.tensor(y, **kw)
    net = mlp([1] + [width] * hidden + [1], torch.nn.ReLU, seed, dtype, device)
    recorded, spectra, losses = [], [], []
    record = every(period, steps)

    def observe(step, out, loss):
        if record(step):
            recorded.append(step)
            spectra.append(dft_amplitudes(out.detach().cpu().double().numpy(), FREQUENCIES) / amps)
            losses.append(float(loss.detach()))

    def forward():
        out = net(X)[:, 0]
        return out, ((out - Y) ** 2).mean()

    train_loop(optimizer("adam", net.parameters(), lr), forward, steps,
               f"{NAME} {case} seed {seed}", observe)
    return {"frequencies": list(FREQUENCIES), "amplitudes": as_list(amps), "steps": recorded,
            "normalized_amplitude": [as_list(s, 5) for s in spectra], "loss": as_list(losses, 6),
            **environment(device, dtype)}


register(Experiment(NAME, run, PROFILES, SUMMARY, depends=("specbias.verify.experiments.common",), keys={
    "case": "equal amplitudes or rising (0.1 .. 1.0)", "points": "N samples of [0, 1)",
    "width": "units per hidden layer", "hidden": "hidden layers", "lr": "Adam step size",
    "steps": "Adam iterations", "record_every": "spectrum recorded every this many steps"}))
