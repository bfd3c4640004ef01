"""The linearized model of a network (torch.func) and its gradient flow (claim L8).

h_lin(x; theta) = h(x; theta_0) + J(x) (theta - theta_0), J the Jacobian at theta_0 computed
with torch.func. Gradient descent on a loss dist(h_lin(X), Y) moves theta - theta_0 only along
J(X)^T, so its limit, when it interpolates, is theta_0 + J^T (J J^T)^-1 (Y - h(X; theta_0)), the
interpolating parameter nearest theta_0 (Zhang, Xu, Luo, Ma, MSML 2020, Theorem 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.func import functional_call, jacrev, jvp, vmap

from specbias.errors import require

LOSSES = ("mse", "logcosh")


def flat_parameters(model: torch.nn.Module) -> tuple[dict, torch.Tensor]:
    """The trainable parameters (detached) and their concatenation."""
    params = {k: v.detach() for k, v in model.named_parameters() if v.requires_grad}
    return params, torch.cat([p.reshape(-1) for p in params.values()])


def jacobian(model: torch.nn.Module, X: torch.Tensor) -> torch.Tensor:
    """J (n, P) of a scalar-output model at its current parameters (torch.func.jacrev)."""
    params, _ = flat_parameters(model)
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def f(p, x):
        return functional_call(model, (p, buffers), (x[None],))[0]

    jac = vmap(jacrev(f), (None, 0))(params, X)
    return torch.cat([jac[k].reshape(X.shape[0], -1) for k in params], dim=1)


def jvp_check(model: torch.nn.Module, X: torch.Tensor, J: torch.Tensor, seed: int = 0) -> float:
    """Relative difference between torch.func.jvp along a random direction and J v."""
    params, _ = flat_parameters(model)
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    g = torch.Generator(device="cpu").manual_seed(seed)
    tangent = {k: torch.randn(v.shape, generator=g, dtype=v.dtype).to(v.device) for k, v in params.items()}
    _, out = jvp(lambda p: functional_call(model, (p, buffers), (X,)), (params,), (tangent,))
    flat = torch.cat([t.reshape(-1) for t in tangent.values()])
    return float(torch.linalg.norm(out - J @ flat) / torch.linalg.norm(out))


@dataclass
class LinearizedRun:
    """theta_T - theta_0 after gradient descent on the linearized model, and the residual."""

    delta: torch.Tensor
    residual: torch.Tensor
    steps: int


def train_linearized(J: torch.Tensor, h0: torch.Tensor, Y: torch.Tensor, lr: float, steps: int,
                     loss: str = "mse") -> LinearizedRun:
    """GD on (1/n) sum ell(h_lin(x_i) - y_i): ell = r^2/2 ('mse') or log cosh r ('logcosh')."""
    require(loss in LOSSES, f"loss {loss!r} is unknown: use one of {', '.join(LOSSES)}")
    n = J.shape[0]
    delta = torch.zeros(J.shape[1], dtype=J.dtype, device=J.device)
    for _ in range(steps):
        r = h0 + J @ delta - Y
        g = r if loss == "mse" else torch.tanh(r)
        delta -= lr * (J.T @ g) / n
    return LinearizedRun(delta, h0 + J @ delta - Y, steps)


def min_norm_delta(J: torch.Tensor, h0: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """theta* - theta_0 = J^T (J J^T)^-1 (Y - h0) (the minimum-norm interpolating step)."""
    K = J @ J.T
    return J.T @ torch.linalg.solve(K, Y - h0)


def min_norm_bound(J: torch.Tensor, residual: torch.Tensor) -> float:
    """Bound on |delta - delta*| for delta in the row space of J: |residual| / sigma_min(J)."""
    sigma = torch.linalg.svdvals(J)
    return float(torch.linalg.norm(residual) / sigma.min())


def row_space_residual(J: torch.Tensor, delta: torch.Tensor) -> float:
    """|delta - P delta| / |delta| with P the projection on the row space of J."""
    coef = torch.linalg.lstsq(J.T, delta[:, None]).solution
    return float(torch.linalg.norm(delta - (J.T @ coef)[:, 0]) / torch.linalg.norm(delta))


def kernel_prediction(J_eval: torch.Tensor, J: torch.Tensor, h0_eval: torch.Tensor, h0: torch.Tensor,
                      Y: torch.Tensor) -> torch.Tensor:
    """h_ini(x) + k(x, X) K^-1 (Y - h_ini(X)) with the empirical NTK k = J(x) J(X)^T (Theorem 6)."""
    return h0_eval + (J_eval @ J.T) @ torch.linalg.solve(J @ J.T, Y - h0)
