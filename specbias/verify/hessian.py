"""Top Hessian eigenvalues ("sharpness") of a training loss by Lanczos on Hessian-vector products.

Hessian-vector products are forward-over-reverse: Hv = d/dε ∇L(θ + εv) at ε = 0, with
``torch.func.jvp`` of ``torch.func.grad`` (no Hessian is formed). :func:`lanczos_top` runs the
Lanczos iteration with full reorthogonalization (Golub & Van Loan, Matrix Computations, 4th ed.,
Sec. 10.1) and returns the largest Ritz values; Cohen et al. (ICLR 2021) call the same with
SciPy's ``eigsh``. :func:`dense_hessian` forms the whole matrix (small models only) for checks.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch.func import functional_call, grad, hessian, jvp

from specbias.errors import require


def flat_loss(model: torch.nn.Module, loss: Callable[[torch.Tensor], torch.Tensor]):
    """(θ₀ as one vector, L(θ) as a function of such vectors) for the trainable parameters of
    ``model``; ``loss(output_fn)`` receives ``lambda X: model_θ(X)``."""
    names = [k for k, v in model.named_parameters() if v.requires_grad]
    params = [p.detach() for k, p in model.named_parameters() if p.requires_grad]
    shapes = [p.shape for p in params]
    sizes = [p.numel() for p in params]
    theta0 = torch.cat([p.reshape(-1) for p in params])

    def unflatten(theta):
        return {k: c.reshape(s) for k, c, s in zip(names, torch.split(theta, sizes), shapes)}

    def L(theta):
        return loss(lambda X: functional_call(model, unflatten(theta), (X,)))

    return theta0, L


def hvp_fn(L: Callable, theta: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """v ↦ ∇²L(θ) v by forward-mode differentiation of the gradient."""
    g = grad(L)
    return lambda v: jvp(g, (theta,), (v,))[1]


def lanczos_top(matvec: Callable, dim: int, iters: int = 20, k: int = 1, seed: int = 0,
                dtype=torch.float64, device="cpu") -> torch.Tensor:
    """The ``k`` largest Ritz values (descending) of a symmetric operator after ``iters``
    Lanczos steps from a seeded random start, with full reorthogonalization."""
    require(1 <= k <= iters, f"k={k} must be between 1 and iters={iters}")
    iters = min(iters, dim)
    g = torch.Generator(device="cpu").manual_seed(seed)
    q = torch.randn(dim, generator=g, dtype=torch.float64).to(dtype=dtype, device=device)
    Q = [q / torch.linalg.norm(q)]
    alpha, beta = [], []
    for j in range(iters):
        w = matvec(Q[j])
        alpha.append(torch.dot(Q[j], w))
        B = torch.stack(Q)
        w = w - B.T @ (B @ w)
        w = w - B.T @ (B @ w)                         # twice is enough (Kahan–Parlett)
        nrm = torch.linalg.norm(w)
        if j == iters - 1 or nrm <= 1e-12 * abs(float(alpha[-1]) or 1.0):
            break
        beta.append(nrm)
        Q.append(w / nrm)
    T = torch.diag(torch.stack(alpha))
    if beta:
        off = torch.stack(beta[:len(alpha) - 1])
        T = T + torch.diag(off, 1) + torch.diag(off, -1)
    return torch.linalg.eigvalsh(T).flip(0)[:k]


def dense_hessian(L: Callable, theta: torch.Tensor) -> torch.Tensor:
    """∇²L(θ) as a matrix (torch.func.hessian): for checking on small models."""
    return hessian(L)(theta)
