"""E4: linear stability of GD and SGD.

* ``sharpness`` (:func:`run`): full-batch GD at step size η on Cohen et al.'s (ICLR 2021)
  ``chebyshev-k-20`` regression (20 points evenly spaced on [−1, 1], labels T_k(x)), their
  network 1 → 100 tanh → 1 (first layer Xavier-normal with gain 1.9 and zero bias, output
  Xavier-normal without bias) and their loss ½·mean (f − y)²; every ``sharpness_every`` steps
  the top Hessian eigenvalue by Lanczos on Hessian-vector products
  (:mod:`specbias.verify.hessian`), to compare with 2/η; at the end the top eigenvalue of the
  full Hessian (a second method), and how often the loss rose over the last quarter of steps
  (GD near a minimum with λ₁ < 2/η decreases it at every step; above 2/η it cannot settle).
* ``sgd_quadratic`` (:func:`run_quadratic`): SGD on ℓ_j(θ) = H_j θ²/2 (n curvatures drawn from
  the seed, scaled to mean a = 1) with batch B drawn with or without replacement; ``chains``
  independent runs of ``steps`` steps from θ₀ = 1. Measured: the mean of θ²_{t+1}/θ²_t (the
  mean-square multiplier ρ), (mean θ²_T)^{1/T}, the fraction of chains with |θ_T| < 1, beside the
  exact ρ of every batch (:mod:`specbias.derive.dynamics.stability`), the slide's
  (1 − ηa)² + η²s²/B and the Lyapunov exponent E log|1 − ηX̄|.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import torch

from specbias.derive.dynamics import stability as S
from specbias.verify.sweep.registry import Experiment, register
from specbias.verify.experiments.common import Config, as_list, environment, torch_threads
from specbias.verify.hessian import flat_loss, hvp_fn, lanczos_top

NAME, QUAD_NAME = "sharpness", "sgd_quadratic"
SUMMARY = ("E4: sharpness (top Hessian eigenvalue, Lanczos on HVPs) over GD training against "
           "2/eta on Cohen et al.'s chebyshev-k-20 regression")
QUAD_SUMMARY = "E4: SGD on a 1D quadratic, mean-square multiplier vs (1 - eta a)^2 + eta^2 s^2/B"
DEFAULTS = dict(seed=0, degree=3, points=20, width=100, lr=0.1, steps=4000, sharpness_every=50,
                lanczos_iters=20, device="cpu", dtype="float64")
PROFILES = {"quick": dict(DEFAULTS, steps=2000, sharpness_every=100),
            "full": dict(DEFAULTS, steps=20000, sharpness_every=100)}
QUAD_DEFAULTS = dict(seed=0, losses=10, lr=0.5, batch=2, sampling="with", chains=20000, steps=20)
QUAD_PROFILES = {"quick": dict(QUAD_DEFAULTS), "full": dict(QUAD_DEFAULTS, chains=1000000)}


def chebyshev_data(degree: int, points: int, dtype, device) -> tuple[torch.Tensor, torch.Tensor]:
    """x evenly spaced on [−1, 1], y = T_degree(x) (NumPy's Chebyshev basis)."""
    x = np.linspace(-1, 1, points)
    y = np.polynomial.chebyshev.chebval(x, [0] * degree + [1])
    return (torch.tensor(x, dtype=dtype, device=device)[:, None],
            torch.tensor(y, dtype=dtype, device=device)[:, None])


def cohen_network(width: int, seed: int, dtype, device) -> torch.nn.Sequential:
    """1 → width tanh → 1 as in Cohen et al.'s ``make_one_layer_network`` (σ_w = 1.9)."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    first = torch.nn.Linear(1, width, dtype=dtype, device=device)
    out = torch.nn.Linear(width, 1, bias=False, dtype=dtype, device=device)
    with torch.no_grad():   # Xavier normal: std = gain·sqrt(2/(fan_in + fan_out))
        first.weight.copy_(torch.randn(width, 1, generator=g, dtype=torch.float64)
                           * 1.9 * math.sqrt(2 / (1 + width)))
        first.bias.zero_()
        out.weight.copy_(torch.randn(1, width, generator=g, dtype=torch.float64)
                         * math.sqrt(2 / (width + 1)))
    return torch.nn.Sequential(first, torch.nn.Tanh(), out)


def run(config: dict) -> dict:
    """GD with sharpness tracking; see the module docstring."""
    cfg = Config(config, NAME)
    seed, degree = cfg.seed(), cfg.integer("degree", 0, 50)
    points, width = cfg.integer("points", 2, 10 ** 6), cfg.integer("width", 1, 1 << 16)
    lr, steps = cfg.number("lr", 0, 100, open_lo=True), cfg.integer("steps", 1, 10 ** 8)
    period, iters = cfg.integer("sharpness_every", 1, 10 ** 8), cfg.integer("lanczos_iters", 2, 500)
    device, dtype = cfg.device(), cfg.dtype()
    with torch_threads(1):
        X, Y = chebyshev_data(degree, points, dtype, device)
        theta, L = flat_loss(cohen_network(width, seed, dtype, device),
                             lambda net: 0.5 * ((net(X) - Y) ** 2).mean())
        grad_L = torch.func.grad_and_value(L)
        losses, sharp_steps, sharp = [], [], []
        diverged = False
        for t in range(steps + 1):
            if t % period == 0 or t == steps:
                top = lanczos_top(hvp_fn(L, theta), theta.numel(), iters, 1, seed + t, dtype, device)
                sharp_steps.append(t), sharp.append(float(top[0]))
            g, loss = grad_L(theta)
            losses.append(float(loss))
            if not math.isfinite(losses[-1]) or losses[-1] > 1e8:
                diverged = True
                break
            if t < steps:
                theta = theta - lr * g
        exact_top = (None if diverged else
                     float(torch.linalg.eigvalsh(torch.func.hessian(L)(theta))[-1]))
    stride = max(1, len(losses) // 400)
    late = np.asarray(losses[3 * len(losses) // 4:])
    # a rise counts when it exceeds float64 rounding of the loss (relative 1e-12)
    rises = int(np.sum(np.diff(late) > 1e-12 * np.abs(late[:-1])))
    return {"lr": lr, "two_over_lr": 2 / lr, "sharpness_steps": sharp_steps,
            "final_sharpness_exact": None if exact_top is None else float(f"{exact_top:.12g}"), "late_loss_rises": rises,
            "late_steps": len(late) - 1,
            "sharpness": as_list(sharp, 6), "loss_steps": list(range(0, len(losses), stride)),
            "loss": as_list(losses[::stride], 6), "final_loss": as_list([losses[-1]], 6)[0],
            "diverged": diverged, **environment(device, dtype)}


def curvatures(n: int, seed: int) -> list[Fraction]:
    """n curvatures H_j = exp(z_j), z ~ N(0, 1) from ``seed``, scaled to mean 1, as exact
    rationals of their 12-digit decimal forms (so that exact and float arithmetic see the same
    numbers)."""
    h = np.exp(np.random.default_rng(seed).standard_normal(n))
    return [Fraction(f"{v:.12g}") for v in h / h.mean()]


def run_quadratic(config: dict) -> dict:
    """SGD chains on the quadratic; see the module docstring."""
    cfg = Config(config, QUAD_NAME)
    seed, n = cfg.seed(), cfg.integer("losses", 1, 10 ** 6)
    lr, batch = cfg.number("lr", 0, 100, open_lo=True), cfg.integer("batch", 1, n)
    sampling = cfg.choice("sampling", S.SAMPLINGS)
    chains, steps = cfg.integer("chains", 2, 10 ** 9), cfg.integer("steps", 1, 10 ** 6)
    Hq = curvatures(n, seed)
    H = np.array([float(h) for h in Hq])
    a_, s2 = float(np.mean(H)), float(np.mean(H ** 2) - np.mean(H) ** 2)
    rng = np.random.default_rng(seed + 1)
    theta = np.ones(chains)
    ratio_sum, ratio_count = 0.0, 0
    for _ in range(steps):
        if sampling == "with":
            idx = rng.integers(0, n, (chains, batch))
        else:
            idx = np.argsort(rng.random((chains, n)), axis=1)[:, :batch]
        factor = 1 - lr * H[idx].mean(1)
        ratio_sum += float(np.sum(factor ** 2))
        ratio_count += chains
        theta = theta * factor
    try:
        exact = float(S.exact_multiplier(Hq, Fraction(repr(lr)), batch, sampling))
        lyap = S.lyapunov_exponent(H.tolist(), lr, batch, sampling)
    except ValueError:   # too many batches to enumerate
        exact = lyap = None
    return {"a": a_, "s": math.sqrt(s2), "lr": lr, "batch": batch, "sampling": sampling,
            "slide_multiplier": (1 - lr * a_) ** 2 + lr ** 2 * s2 / batch,
            "exact_multiplier": exact, "lyapunov": lyap,
            "mc_multiplier": ratio_sum / ratio_count,
            "mc_growth": float(np.mean(theta ** 2)) ** (1 / steps),
            "fraction_shrunk": float(np.mean(np.abs(theta) < 1)), "chains": chains,
            "steps": steps}


register(Experiment(NAME, run, PROFILES, SUMMARY,
                    depends=("specbias.verify.experiments.common", "specbias.verify.hessian"),
                    keys={"degree": "Chebyshev degree k of the labels", "points": "training points",
                          "width": "hidden tanh units", "lr": "GD step size eta",
                          "steps": "GD steps", "sharpness_every": "Lanczos every this many steps",
                          "lanczos_iters": "Lanczos iterations"}))
register(Experiment(QUAD_NAME, run_quadratic, QUAD_PROFILES, QUAD_SUMMARY,
                    depends=("specbias.derive.dynamics.stability",),
                    keys={"losses": "n curvatures", "lr": "step size eta", "batch": "batch size B",
                          "sampling": "with or without replacement", "chains": "independent runs",
                          "steps": "SGD steps per run"}))
