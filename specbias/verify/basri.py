"""Convergence times of the Basri et al. two-layer network on S¹ and S² (claims B7, B9).

The network is :class:`specbias.verify.models.TwoLayer` in the ``basri`` parametrization
(f = m^(−1/2) Σ a_r σ(w_rᵀx + b_r), a_r = ±1 fixed, b_r(0) = 0, (w, b) trained, symmetric
initialization so that f ≡ 0 at the start), trained by full-batch gradient descent on
Φ = ½ Σ_i (y_i − f(x_i))² (Basri et al., ICML 2020, Eq. (5)-(6)). Its kernel-regime
prediction is r(t) = (I − ηH)^t y with H_ij = k(x_i, x_j) the derived NTK
(:func:`specbias.derive.ntk.kernels.two_layer_kernel`, ``basri``), computed exactly from H's
eigendecomposition.

A convergence time is the first iteration t at which ‖r(t)‖ ≤ δ‖y‖ on the points of a region
(the whole sample, or one half). Every draw takes a seed; CPU by default, CUDA when asked and
present; float64 unless asked otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from specbias.derive.ntk.two_layer import two_layer_kernel
from specbias.derive.sphere.density import PiecewiseDensity
from specbias.errors import InvalidArgument, require
from specbias.verify.models import TwoLayer, check_dtype, resolve_device


# ------------------------------------------------------------------------------- sampling

def sample_circle(density: PiecewiseDensity, n: int, seed: int) -> np.ndarray:
    """n angles drawn from a piecewise-constant density (choose a piece by its mass, then a
    uniform point in it)."""
    require(isinstance(n, int) and n >= 1, f"sample size n = {n!r} must be a positive integer")
    rng = np.random.default_rng(seed)
    pieces = [(float(a), float(b), float(p)) for a, b, p in density.pieces()]
    mass = np.array([(b - a) * p for a, b, p in pieces])
    k = rng.choice(len(pieces), size=n, p=mass / mass.sum())
    lo = np.array([pieces[i][0] for i in k])
    hi = np.array([pieces[i][1] for i in k])
    return np.mod(lo + (hi - lo) * rng.random(n), 2 * np.pi)


def circle_points(angles: np.ndarray) -> np.ndarray:
    return np.column_stack([np.cos(angles), np.sin(angles)])


def sample_hemispheres(ratio: float, n: int, seed: int) -> np.ndarray:
    """n points on S² with density ratio 1 : ``ratio`` between the upper (z > 0) and the lower
    half (each half uniform)."""
    require(ratio > 0, f"density ratio {ratio!r} must be positive")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    lower = rng.random(n) < ratio / (1 + ratio)
    x[:, 2] = np.where(lower, -np.abs(x[:, 2]), np.abs(x[:, 2]))
    return x


def sectoral_harmonic(x: np.ndarray, degree: int) -> np.ndarray:
    """Re (x₁ + i x₂)^κ: a spherical harmonic of degree κ, even in x₃ (equal in both halves)."""
    return np.real((x[:, 0] + 1j * x[:, 1]) ** degree)


def polar_harmonic(x: np.ndarray, degree: int) -> np.ndarray:
    """Re (x₁ + i x₃)^κ: a spherical harmonic of degree κ concentrated on the great circle
    x₂ = 0 through the poles, so that most of its mass lies away from the equator (where the
    density jumps), unlike :func:`sectoral_harmonic`."""
    return np.real((x[:, 0] + 1j * x[:, 2]) ** degree)


#: Targets of the S² experiment (B9), each a spherical harmonic of degree κ.
TARGETS = {"sectoral": sectoral_harmonic, "polar": polar_harmonic}


# ------------------------------------------------------------------------------- kernel regime

@dataclass
class KernelDynamics:
    """r(t) = (I − ηH)^t y through H = V diag(λ) Vᵀ, η = ``lr_scale``/λ_max."""

    H: np.ndarray
    lr: float
    values: np.ndarray = field(repr=False, default=None)
    vectors: np.ndarray = field(repr=False, default=None)

    def __post_init__(self):
        self.values, self.vectors = np.linalg.eigh(self.H)

    def residual(self, y: np.ndarray, t: float) -> np.ndarray:
        c = self.vectors.T @ y
        return self.vectors @ (np.clip(1 - self.lr * self.values, 0, None) ** t * c)


def kernel_time(dyn: KernelDynamics, y: np.ndarray, delta: float, mask=None,
                max_steps: int = 10 ** 9) -> float:
    """The first t with ‖r_mask(t)‖ ≤ δ‖y_mask‖ (bisection on integers; ‖r_mask‖ is not
    always monotone on a region, so the first crossing on a geometric grid is refined)."""
    mask = np.ones(len(y), bool) if mask is None else mask
    target = delta * np.linalg.norm(y[mask])

    def ok(t):
        return np.linalg.norm(dyn.residual(y, t)[mask]) <= target

    hi = 1
    while not ok(hi):
        hi *= 2
        if hi > max_steps:
            return math.inf
    lo = hi // 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return float(hi)


def basri_gram(X: np.ndarray) -> np.ndarray:
    """H_ij = (x_iᵀx_j + 1)(π − θ_ij)/(2π), the derived NTK of the network above."""
    return two_layer_kernel(X, X, "basri")


@dataclass
class ContinuumGrid:
    """The operator f -> int k(x, z) p(z) f(z) dz on S^1 by Nystrom on a midpoint grid cut at the
    breakpoints (no sampling): ``x`` the nodes, ``sqrt_w`` = sqrt(p(x_i) h_i), ``S`` the
    symmetrized matrix sqrt_w_i k(x_i, x_j) sqrt_w_j. A function g is represented by
    sqrt_w * g, whose Euclidean norm on a region is the L2(p) norm there (midpoint rule)."""

    density: PiecewiseDensity
    x: np.ndarray
    sqrt_w: np.ndarray
    S: np.ndarray

    def dynamics(self, lr: float) -> KernelDynamics:
        return KernelDynamics(self.S, lr)

    def represent(self, g: np.ndarray) -> np.ndarray:
        return self.sqrt_w * g


def continuum_grid(density: PiecewiseDensity, nodes: int) -> ContinuumGrid:
    """Midpoint Nystrom grid with about ``nodes`` points, each piece split into cells of equal
    length (Basri et al.'s continuum operator; the kink of k on the diagonal makes the rule
    second order in the cell length)."""
    require(isinstance(nodes, int) and nodes >= 8, f"nodes = {nodes!r}: use an integer >= 8")
    xs, ws = [], []
    for a, b, p in density.pieces():
        a, b, p = float(a), float(b), float(p)
        m = max(2, round(nodes * (b - a) / (2 * np.pi)))
        h = (b - a) / m
        xs.append(a + h * (np.arange(m) + 0.5))
        ws.append(np.full(m, p * h))
    x, sw = np.mod(np.concatenate(xs), 2 * np.pi), np.sqrt(np.concatenate(ws))
    S = basri_gram(circle_points(x)) * sw[:, None] * sw[None, :]
    return ContinuumGrid(density, x, sw, S)


# ------------------------------------------------------------------------------- training

@dataclass
class TrainingTimes:
    times: dict          # region name -> first iteration below δ (inf if never)
    final_residual: dict
    steps: int
    lr: float


def train_times(X: np.ndarray, y: np.ndarray, width: int, lr: float, delta: float,
                masks: dict, max_steps: int, seed: int = 0, device: str | None = "cpu",
                dtype="float64", progress=None) -> TrainingTimes:
    """Full-batch GD on the basri network; the first iteration each region's residual falls
    below δ times its initial norm."""
    dev = resolve_device(device)
    dt = check_dtype(dtype)
    Xt = torch.tensor(X, dtype=dt, device=dev)
    yt = torch.tensor(y, dtype=dt, device=dev)
    model = TwoLayer(X.shape[1], width, "basri", "relu", seed=seed, dtype=dt, device=dev,
                     symmetric=True)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    masks_t = {k: torch.tensor(m, device=dev) for k, m in masks.items()}
    norms = {k: float(torch.linalg.norm(yt[m])) for k, m in masks_t.items()}
    times = {k: math.inf for k in masks}
    res = {}
    for t in range(max_steps + 1):
        u = model(Xt)
        r = yt - u
        with torch.no_grad():
            for k, m in masks_t.items():
                res[k] = float(torch.linalg.norm(r[m])) / norms[k]
                if times[k] == math.inf and res[k] <= delta:
                    times[k] = float(t)
        if all(v < math.inf for v in times.values()) or t == max_steps:
            break
        opt.zero_grad()
        (0.5 * (r ** 2).sum()).backward()
        opt.step()
        if progress is not None:
            progress()
    return TrainingTimes(times, res, t, lr)


# ------------------------------------------------------------------------------- experiments

PROFILES = ("quick", "full")


def check_profile(profile: object) -> str:
    if profile not in PROFILES:
        raise InvalidArgument(f"profile {profile!r} is unknown: use quick or full")
    return str(profile)


def circle_experiment(density: PiecewiseDensity, kappas, n: int, delta: float, seed: int,
                      width: int = 0, max_steps: int = 20000, device="cpu") -> dict:
    """B7: times to learn cos(κx) (kernel prediction; and a trained network if width > 0)."""
    ang = sample_circle(density, n, seed)
    X = circle_points(ang)
    dyn = KernelDynamics(basri_gram(X), 0.0)
    dyn.lr = 1.0 / float(dyn.values[-1])
    out = {"kernel": [], "network": []}
    for kappa in kappas:
        y = np.cos(kappa * ang)
        out["kernel"].append(kernel_time(dyn, y, delta))
        if width:
            tr = train_times(X, y, width, dyn.lr, delta, {"all": np.ones(n, bool)}, max_steps,
                             seed=seed, device=device)
            out["network"].append(tr.times["all"])
    out["lr"] = dyn.lr
    return out


def sphere_experiment(ratio: float, kappas, n: int, delta: float, seed: int, width: int = 0,
                      max_steps: int = 20000, device="cpu", targets=("sectoral",)) -> dict:
    """B9: times for the sparse and the dense half to learn a degree-κ harmonic; the first of
    ``targets`` (names in :data:`TARGETS`) fills ``kernel`` and ``network``, every one of them
    ``by_target`` (kernel regime, the same points and eigendecomposition)."""
    X = sample_hemispheres(ratio, n, seed)
    dyn = KernelDynamics(basri_gram(X), 0.0)
    dyn.lr = 1.0 / float(dyn.values[-1])
    upper = X[:, 2] > 0          # density 1 (sparse when ratio > 1)
    masks = {"sparse": upper, "dense": ~upper}
    for name in targets:
        require(name in TARGETS, f"target {name!r} is unknown: use one of {', '.join(TARGETS)}")
    by = {name: {"sparse": [], "dense": []} for name in targets}
    out = {"kernel": by[targets[0]], "network": {"sparse": [], "dense": []}, "by_target": by}
    for kappa in kappas:
        for name in targets:
            yt = TARGETS[name](X, kappa)
            for k, m in masks.items():
                by[name][k].append(kernel_time(dyn, yt, delta, m))
        y = TARGETS[targets[0]](X, kappa)
        if width:
            tr = train_times(X, y, width, dyn.lr, delta, masks, max_steps, seed=seed,
                             device=device)
            for k in masks:
                out["network"][k].append(tr.times[k])
    out["lr"] = dyn.lr
    return out


def power_fit(x, y) -> tuple[float, float]:
    """Slope and its standard error of log y on log x (finite points only)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = np.isfinite(y) & (y > 0)
    x, y = np.log(x[keep]), np.log(y[keep])
    require(len(x) >= 3, "too few finite times to fit a power law")
    A = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    r = y - A @ coef
    cov = np.linalg.inv(A.T @ A) * float(r @ r) / max(1, len(x) - 2)
    return float(coef[1]), float(math.sqrt(cov[1, 1]))


__all__ = ["ContinuumGrid", "KernelDynamics", "continuum_grid", "PROFILES", "PROFILE_SIZES", "TrainingTimes", "basri_gram", "check_profile",
           "circle_experiment", "circle_points", "kernel_time", "power_fit", "run_profile", "sample_circle",
           "polar_harmonic", "sample_hemispheres", "sectoral_harmonic", "TARGETS", "sphere_experiment", "train_times"]


#: Sizes of the experiments: ``quick`` for CI, ``full`` near the paper's scale (Basri et al.
#: train on a few thousand points; the network part wants a GPU at this size).
PROFILE_SIZES = {
    "quick": {"n": 300, "seeds": 2, "kappas": [2, 3, 4, 5, 6], "width": 1000, "net_n": 150,
              "max_steps": 5000},
    "full": {"n": 2000, "seeds": 5, "kappas": [2, 3, 4, 5, 6, 7, 8], "width": 10000,
             "net_n": 2000, "max_steps": 100000},
}


def run_profile(experiment: str, profile: str = "quick", network: bool = False,
                device: str | None = "cpu", seed: int = 0, progress=None) -> dict:
    """B9 (``"sphere"``: density ratios 1, 2, 3, 4) or B7 (``"circle"``: two-piece densities
    with weights 1:1, 1:2, 1:4, 1:8) at the sizes of ``profile``; times of the kernel regime and,
    with ``network``, of trained networks (on ``device``). Returns the raw times per seed."""
    sizes = PROFILE_SIZES[check_profile(profile)]
    if experiment not in ("sphere", "circle"):
        raise InvalidArgument(f"experiment {experiment!r} is unknown: use sphere or circle")
    out = {"profile": profile, "sizes": sizes, "runs": {}}
    for r in (1, 2, 3, 4) if experiment == "sphere" else (1, 2, 4, 8):
        per_seed = []
        for s in range(sizes["seeds"]):
            kw = dict(width=sizes["width"] if network else 0, max_steps=sizes["max_steps"],
                      device=device)
            if experiment == "sphere":
                per_seed.append(sphere_experiment(r, sizes["kappas"], sizes["n"], 0.05,
                                                  seed + 101 * s + r, **kw))
            else:
                dens = PiecewiseDensity.from_pi_fractions([0, 1], [1, r])
                kappas = [2 * k + 1 for k in range(len(sizes["kappas"]))]
                per_seed.append(circle_experiment(dens, kappas, sizes["n"], 0.05,
                                                  seed + 17 * s + r, **kw))
            if progress is not None:
                progress()
        out["runs"][r] = per_seed
    return out
