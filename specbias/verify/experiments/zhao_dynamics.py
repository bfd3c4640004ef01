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

With ``method=linear`` (fixed biases and GD only) nothing is trained: E is then quadratic in a,
GD is exactly r_{t+1} = (I − lr·(2/M) J Jᵀ) r_t with J = [σ(x_j − b_i)], and the halving step
follows from the singular value decomposition of J (:func:`linear_halving_time`) for modes and
step counts (millions) that training could not reach. ``method=train`` runs the optimizer.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from specbias.errors import require
from specbias.verify.sweep.registry import Experiment, register
from specbias.verify.experiments.common import (Config, as_list, environment, fourier_projector,
                                                optimizer, torch_threads, train_loop)

NAME = "zhao_dynamics"
SUMMARY = ("Z9: GD/Adam steps to halve the error in Fourier mode m of a two-layer ReLU (or ReLU^2) "
           "network on (-1, 1), trained or fixed biases")
DEFAULTS = dict(seed=0, mode=2, width=256, grid=1024, activation="relu", biases="trained",
                optimizer="gd", method="train", lr_factor=1.0, lr_adam=1e-3, a_scale=1.0,
                max_steps=20000, device="cpu", dtype="float64")
# quick: 128 bias positions, so that the modes measured (m <= 16) stay well below them
PROFILES = {"quick": dict(DEFAULTS),
            "full": dict(DEFAULTS, width=1024, grid=4096, max_steps=400000)}

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
                        max_steps: int, grid: int = 512):
    """First t ≤ ``max_steps`` with |P(I − lr·w·JJᵀ)^t r0| ≤ ½|P r0| (None if there is none), for
    GD on E = ½ w‖Ja − f‖², whose residual obeys exactly that recursion.

    With J = U S Vᵀ, r_t = (r0 − U Uᵀr0) + U diag(1 − lr·w·S²)^t Uᵀr0: the part outside the
    range of J never moves. The amplitude is evaluated on ``grid`` log-spaced steps; the first
    grid step at or below the target is refined by bisection against the grid step before it
    (so a crossing is missed only if the amplitude dips below half and comes back between two
    neighbouring grid steps, at most 4% apart beyond t = 400)."""
    U, S, _ = np.linalg.svd(J, full_matrices=False)
    q = 1 - lr * weight * S ** 2
    c = U.T @ r0
    fixed = proj @ (r0 - U @ c)                    # the mode's part outside the range of J
    weights = (proj @ U) * c
    target = 0.5 * abs(proj @ r0)

    def amplitude(t):
        t = np.asarray(t, float)
        return np.abs(fixed + np.power(q[None, :], t[:, None]) @ weights)

    ts = np.unique(np.round(np.geomspace(1, max_steps, grid)).astype(np.int64))
    hit = np.nonzero(amplitude(ts) <= target)[0]
    if not hit.size:
        return None
    i = int(hit[0])
    lo, hi = (int(ts[i - 1]) if i else 0), int(ts[i])
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if amplitude([mid])[0] <= target else (mid, hi)
    return hi


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
    method = cfg.choice("method", ("train", "linear"))
    lr_factor, lr_adam = cfg.number("lr_factor", 0, 2, open_lo=True), cfg.number("lr_adam", 0, 1, True)
    a_scale, max_steps = cfg.number("a_scale", 0, 1e3, True), cfg.integer("max_steps", 1, 10 ** 9)
    device, dtype = cfg.device(), cfg.dtype()
    require(width % 2 == 0 and M >= 8 * m, f"{NAME}: width={width} must be even and grid={M} at "
            f"least 8 × mode = {8 * m} (resolve the mode): raise grid or lower mode")
    require(method == "train" or (not train_b and opt_name == "gd"), f"{NAME}: method=linear is "
            f"exact only for biases=fixed and optimizer=gd (got biases="
            f"{cfg.raw['biases']!r}, optimizer={opt_name!r}): use method=train")

    a0, b0 = initial_parameters(width, a_scale, seed)
    kw = dict(dtype=dtype, device=device)
    x = torch.tensor(-1 + 2 * (np.arange(M) + 0.5) / M, **kw)
    f = torch.sin(math.pi * m * x)
    weight = 2.0 / M
    proj = fourier_projector(M, [m])[0]
    J0 = jacobian(x, torch.tensor(a0, **kw), torch.tensor(b0, **kw), act, train_b)
    lam_max = float(weight * torch.linalg.matrix_norm(J0, 2) ** 2)
    lr = lr_factor / lam_max if opt_name == "gd" else lr_adam
    out = {"mode": m, "method": method, "lr": lr, "lambda_max": lam_max}
    if method == "linear":
        halving = linear_halving_time(J0.cpu().numpy().astype(float),
                                      (-f).cpu().numpy().astype(float), lr, weight, proj, max_steps)
        out.update(halving_steps=halving, diverged=False)
    else:
        out.update(_train(x, f, a0, b0, act, train_b, opt_name, lr, weight, proj, max_steps, kw))
    out["halving_time"] = None if out["halving_steps"] is None else out["halving_steps"] * lr
    return {**out, **environment(device, dtype)}


def _train(x, f, a0, b0, act: str, train_b: bool, opt_name: str, lr: float, weight: float,
           proj: np.ndarray, max_steps: int, kw: dict) -> dict:
    """Train from (a0, b0) until the error in the mode of ``proj`` halves (or ``max_steps``)."""
    a = torch.tensor(a0, **kw, requires_grad=True)
    b = torch.tensor(b0, **kw, requires_grad=train_b)
    proj_t = torch.tensor(proj, dtype=torch.complex128 if kw["dtype"] == torch.float64
                          else torch.complex64, device=kw["device"])
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

    train_loop(opt, forward, max_steps, f"{NAME} {act} {opt_name}", observe)
    return {"halving_steps": state["halving"], "diverged": state["diverged"],
            "initial_error": state["e0"], "steps": steps, "mode_error": as_list(errors, 6),
            "loss": as_list(losses, 6),
            "b_moved": float(torch.max(torch.abs(b.detach() - torch.tensor(b0, **kw))))}


register(Experiment(NAME, run, PROFILES, SUMMARY, depends=("specbias.verify.experiments.common",), keys={
    "mode": "Fourier mode m of the target sin(pi m x)", "width": "neurons n (even: symmetric pairs)",
    "grid": "midpoint quadrature points M on (-1, 1)", "activation": "relu or relu2 (smoother)",
    "biases": "trained or fixed", "optimizer": "gd or adam",
    "method": "train, or linear: exact GD halving step from the SVD (fixed biases, GD only)",
    "lr_factor": "GD step size in units of 1/lambda_max at initialization (stable below 2)",
    "lr_adam": "Adam step size", "a_scale": "standard deviation of the initial a",
    "max_steps": "steps before a run counts as censored"}))
