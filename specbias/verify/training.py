"""Training runs measured against their kernel predictions (B8, P1, P4, E3).

* :func:`train_two_layer`: full-batch gradient descent on L = ½‖u − y‖² for the two-layer
  ReLU network of Arora et al. (2019) with symmetric initialization (u(0) = 0), recording the
  residual y − u(t) and the predictions at test points.
* :func:`linear_residuals`: the kernel prediction (I − ηH)^t r(0), mode by mode:
  v_iᵀ r(t) = (1 − ηλ_i)^t v_iᵀ r(0) for the eigenpairs (λ_i, v_i) of H.
* :func:`kernel_regression`: f(x) = k(x, X) K⁻¹ y, the t → ∞ limit of the linear dynamics
  from u(0) = 0 (and the GP posterior mean when k is the NNGP).
* :func:`train_conventional`: E's conventional scaling f = Σ a_j σ(w_jᵀx), a(0) = 0,
  w ~ N(0, I/d), both layers trained, R̂ = (c/n) Σ (f(x_i) − y_i)² with c = 1/2 or, as on E's
  slides, c = 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from specbias.verify.models import TwoLayer, check_dtype


@dataclass
class Run:
    """A training record: residuals r(t) = y − u(t) at ``times`` (rows), test predictions."""

    times: list
    residuals: np.ndarray
    test_predictions: np.ndarray | None = None
    losses: list = field(default_factory=list)
    model: torch.nn.Module | None = None
    observed: list = field(default_factory=list)


def train_two_layer(X: torch.Tensor, y: torch.Tensor, width: int, lr: float, steps: int,
                    seed: int = 0, record_every: int = 1, X_test: torch.Tensor | None = None,
                    activation: str = "relu", progress=None, observe=None) -> Run:
    """Full-batch GD on the first layer of the Arora et al. network (a = ±1 fixed, u(0) = 0).

    ``observe(model)``, if given, is called at every recorded step (before the update); what it
    returns is collected in ``Run.observed`` (e.g. the empirical NTK along the trajectory).
    """
    model = TwoLayer(X.shape[1], width, "arora", activation, seed=seed, dtype=X.dtype,
                     device=X.device, symmetric=True)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    times, res, observed = [], [], []
    for t in range(steps + 1):
        u = model(X)
        r = y - u
        if t % record_every == 0 or t == steps:
            times.append(t)
            res.append(r.detach().cpu().numpy().copy())
            if observe is not None:
                observed.append(observe(model))
        if t == steps:
            break
        opt.zero_grad()
        (0.5 * (r ** 2).sum()).backward()
        opt.step()
        if progress is not None:
            progress()
    preds = None
    if X_test is not None:
        with torch.no_grad():
            preds = model(X_test).cpu().numpy()
    return Run(times, np.array(res), preds, model=model, observed=observed)


def linear_residuals(H: np.ndarray, r0: np.ndarray, lr: float, times) -> np.ndarray:
    """(I − ηH)^t r0 for each t in ``times``, through the eigendecomposition of H."""
    lam, V = np.linalg.eigh(H)
    c = V.T @ r0
    return np.array([V @ ((1 - lr * lam) ** t * c) for t in times])


def mode_projections(H: np.ndarray, residuals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(eigenvalues descending, projections v_iᵀ r(t) as (times, modes)) for H's eigenvectors."""
    lam, V = np.linalg.eigh(H)
    order = np.argsort(lam)[::-1]
    return lam[order], residuals @ V[:, order]


def kernel_regression(K: np.ndarray, y: np.ndarray, K_test: np.ndarray) -> np.ndarray:
    """f(X_test) = K(X_test, X) K⁻¹ y by a Cholesky solve (K symmetric positive definite)."""
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return K_test @ alpha


def train_conventional(X: torch.Tensor, y: torch.Tensor, width: int, lr: float, steps: int,
                       seed: int = 0, record_every: int = 1, train_hidden: bool = True,
                       dtype="float64", risk_factor: float = 0.5) -> tuple[Run, np.ndarray]:
    """GD on R̂ = (c/n)‖f − y‖² for f = Σ_j a_j σ(w_jᵀx), a(0) = 0, w ~ N(0, I/d), with
    c = ``risk_factor``: 1/2 (the default) or 1 (E's slides, R̂_n = (1/n) Σ (f(x_j) − y_j)²).
    GD on c R̂ with step η is GD on R̂/2 with step 2cη: the same iterates, time scaled by 2c.

    Returns the run (times in units of gradient-flow time t = lr × steps) and the features
    σ(W₀X) at initialization (n × m), from which the random-feature Gram matrix follows.
    """
    dt = check_dtype(dtype)
    g = torch.Generator(device="cpu").manual_seed(seed)
    n, d = X.shape
    W = (torch.randn(width, d, generator=g, dtype=torch.float64) / d ** 0.5).to(dt).to(X.device)
    W.requires_grad_(train_hidden)
    a = torch.zeros(width, dtype=dt, device=X.device, requires_grad=True)
    phi0 = torch.relu(X @ W.T).detach().cpu().numpy()
    params = [a, W] if train_hidden else [a]
    opt = torch.optim.SGD(params, lr=lr)
    times, res, losses = [], [], []
    for t in range(steps + 1):
        r = y - torch.relu(X @ W.T) @ a
        loss = risk_factor * (r ** 2).mean()
        if t % record_every == 0 or t == steps:
            times.append(t * lr)
            res.append(r.detach().cpu().numpy().copy())
            losses.append(float(loss.detach()))
        if t == steps:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    return Run(times, np.array(res), None, losses), phi0
