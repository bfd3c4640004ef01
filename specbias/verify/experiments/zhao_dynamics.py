"""Z9: time steps to halve the error in Fourier mode m for h(x) = Σ a_i σ(x − b_i) on (−1, 1).

Zhang, Zhao, Zhong, Zhou, arXiv:2306.17301 (the seed's "Training dynamics" slides): gradient flow
of E = ½‖h − f‖²_{L²(−1,1)}; it "takes at least O(m) time steps to get the initial error in
Fourier mode m reduced by half", O(m²) under mild conditions, O(m³) with fixed biases, slower for
smoother activations, and Adam "similar at first".

One run trains on f(x) = sin(πmx) (so the initial error sits in mode m) and measures the first
step at which |r̂_m(t)| ≤ ½|r̂_m(0)|, r = h − f, r̂_m its coefficient on e^{iπmx}. The network
starts at h ≡ 0: neurons come in pairs (a, b), (−a, b) (the symmetric initialization of Arora
et al. 2019), the n/2 pair positions quasi-evenly spaced, b_j = −1 + 2(j − ½ + u_j)/(n/2),
u_j ~ U(−0.3, 0.3), a ~ N(0, a_scale²). E is the midpoint rule on M points (weight 2/M). GD runs
at lr = lr_factor/λ_max, λ_max the top eigenvalue of the Gauss–Newton matrix (2/M) JᵀJ at
initialization (the stability limit is 2/λ_max); Adam at an absolute lr.

Beside the measured time, the run reports the halving time of the *linearized* dynamics
r_{t+1} = (I − lr·(2/M) J Jᵀ) r_t at initialization (exact for fixed biases under GD).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from specbias.verify.sweep.registry import Experiment, register
from specbias.verify.experiments.common import (Config, as_list, environment, fourier_projector,
                                                optimizer, torch_threads, train_loop)

NAME = "zhao_dynamics"
SUMMARY = ("Z9: GD/Adam steps to halve the error in Fourier mode m of a two-layer ReLU (or ReLU^2) "
           "network on (-1, 1), trained or fixed biases")
DEFAULTS = dict(seed=0, mode=2, width=64, grid=512, activation="relu", biases="trained",
                optimizer="gd", lr_factor=1.0, lr_adam=1e-3, a_scale=1.0, max_steps=20000,
                device="cpu", dtype="float64")
PROFILES = {"quick": dict(DEFAULTS, width=32, grid=256),
            "full": dict(DEFAULTS, width=256, grid=2048, max_steps=400000)}

ACTIVATIONS = {"relu": (lambda t: torch.relu(t), lambda t: (t > 0).to(t.dtype)),
               "relu2": (lambda t: torch.relu(t) ** 2, lambda t: 2 * torch.relu(t))}


def initial_parameters(width: int, a_scale: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of the symmetric initialization: pairs (a_j, b_j), (−a_j, b_j) with jittered,
    evenly spaced b_j in (−1, 1)."""
    g = np.random.default_rng(seed)
    half = width // 2
    b = -1 + 2 * (np.arange(half) + 0.5 + g.uniform(-0.3, 0.3, half)) / half
    a = a_scale * g.standard_normal(half)
    return np.concatenate([a, -a]), np.concatenate([b, b])


def jacobian(x: torch.Tensor, a: torch.Tensor, b: torch.Tensor, act: str, train_b: bool):
    """J = ∂h(x_j)/∂(a, b): columns σ(x − b_i) and −a_i σ'(x − b_i)."""
    sigma, dsigma = ACTIVATIONS[act]
    z = x[:, None] - b[None, :]
    cols = [sigma(z)] + ([-a[None, :] * dsigma(z)] if train_b else [])
    return torch.cat(cols, 1)


def linear_halving_time(J: np.ndarray, r0: np.ndarray, lr: float, weight: float, proj: np.ndarray,
                        max_steps: int, chunk: int = 2048):
    """First t with |P(I − lr·w·JJᵀ)^t r0| ≤ ½|P r0| (None past ``max_steps``): the halving time
    of the dynamics linearized at initialization, mode by mode through the eigenpairs of w·JJᵀ."""
    lam, V = np.linalg.eigh(weight * (J @ J.T))
    c = V.T @ r0
    pv = proj @ V                                  # the mode's coefficient of each eigenvector
    target = 0.5 * abs(proj @ r0)
    q = 1 - lr * lam
    for start in range(1, max_steps + 1, chunk):
        t = np.arange(start, min(start + chunk, max_steps + 1))
        amp = np.abs((q[None, :] ** t[:, None] * c) @ pv)  # (len(t),)
        hit = np.nonzero(amp <= target)[0]
        if hit.size:
            return int(t[hit[0]])
    return None


def run(config: dict) -> dict:
    """Train on sin(πmx) until the error in mode m halves; see the module docstring."""
    with torch_threads(1):
        return _run(config)


def _run(config: dict) -> dict:
    cfg = Config(config, NAME)
    seed, m = cfg.seed(), cfg.integer("mode", 1, 1000)
    width, M = cfg.integer("width", 2, 1 << 16), cfg.integer("grid", 16, 1 << 20)
    act = cfg.choice("activation", tuple(ACTIVATIONS))
    train_b = cfg.choice("biases", ("trained", "fixed")) == "trained"
    opt_name = cfg.choice("optimizer", ("gd", "adam"))
    lr_factor, lr_adam = cfg.number("lr_factor", 0, 2, open_lo=True), cfg.number("lr_adam", 0, 1, True)
    a_scale, max_steps = cfg.number("a_scale", 0, 1e3, True), cfg.integer("max_steps", 1, 10 ** 8)
    device, dtype = cfg.device(), cfg.dtype()
    if width % 2 or M < 8 * m:
        from specbias.errors import InvalidArgument
        raise InvalidArgument(f"{NAME}: width={width} must be even and grid={M} at least 8 × mode "
                              f"= {8 * m} (resolve the mode): raise grid or lower mode")

    a0, b0 = initial_parameters(width, a_scale, seed)
    kw = dict(dtype=dtype, device=device)
    x = torch.tensor(-1 + 2 * (np.arange(M) + 0.5) / M, **kw)
    f = torch.sin(math.pi * m * x)
    a = torch.tensor(a0, **kw, requires_grad=True)
    b = torch.tensor(b0, **kw, requires_grad=train_b)
    weight = 2.0 / M
    proj = fourier_projector(M, [m])[0]
    proj_t = torch.tensor(proj, dtype=torch.complex128 if dtype == torch.float64 else torch.complex64,
                          device=device)

    J0 = jacobian(x, a.detach(), b.detach(), act, train_b)
    lam_max = float(weight * torch.linalg.matrix_norm(J0, 2) ** 2)
    lr = lr_factor / lam_max if opt_name == "gd" else lr_adam
    sigma = ACTIVATIONS[act][0]
    opt = optimizer(opt_name, [a, b] if train_b else [a], lr)
    errors, steps, losses = [], [], []
    record = set(np.unique(np.round(np.geomspace(1, max_steps, 200))).astype(int).tolist())
    state = {"e0": None, "halving": None, "diverged": False}

    def forward():
        r = sigma(x[:, None] - b[None, :]) @ a - f
        return r, 0.5 * weight * (r ** 2).sum()

    def observe(t, r, loss):
        err = float(torch.abs(proj_t @ r.detach().to(proj_t.dtype)))
        state["e0"] = err if state["e0"] is None else state["e0"]
        halved = t > 0 and err <= 0.5 * state["e0"]
        if not math.isfinite(float(loss.detach())):
            state["diverged"] = True
            return True
        if t == 0 or t in record or halved or t == max_steps:
            steps.append(t), errors.append(err), losses.append(float(loss.detach()))
        if halved:
            state["halving"] = t
        return halved

    train_loop(opt, forward, max_steps, f"{NAME} m={m}", observe)
    halving, diverged, e0 = state["halving"], state["diverged"], state["e0"]

    lin = None
    if opt_name == "gd":
        lin = linear_halving_time(J0.cpu().numpy().astype(float), (-f).cpu().numpy().astype(float),
                                  lr, weight, proj, max_steps)
    return {"mode": m, "halving_steps": halving, "halving_time": None if halving is None else
            halving * lr, "linear_halving_steps": lin, "lr": lr, "lambda_max": lam_max,
            "diverged": diverged, "initial_error": e0, "steps": steps,
            "mode_error": as_list(errors, 6), "loss": as_list(losses, 6),
            "b_moved": float(torch.max(torch.abs(b.detach() - torch.tensor(b0, **kw)))),
            **environment(device, dtype)}


register(Experiment(NAME, run, PROFILES, SUMMARY, depends=("specbias.verify.experiments.common",), keys={
    "mode": "Fourier mode m of the target sin(pi m x)", "width": "neurons n (even: symmetric pairs)",
    "grid": "midpoint quadrature points M on (-1, 1)", "activation": "relu or relu2 (smoother)",
    "biases": "trained or fixed", "optimizer": "gd or adam",
    "lr_factor": "GD step size in units of 1/lambda_max at initialization (stable below 2)",
    "lr_adam": "Adam step size", "a_scale": "standard deviation of the initial a",
    "max_steps": "steps before a run counts as censored"}))
