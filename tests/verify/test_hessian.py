"""Lanczos on Hessian-vector products against the dense Hessian (torch.func.hessian)."""

import torch

from specbias.verify.experiments.sharpness import chebyshev_data, cohen_network
from specbias.verify.hessian import dense_hessian, flat_loss, hvp_fn, lanczos_top


def test_lanczos_top_eigenvalue_matches_dense():
    X, Y = chebyshev_data(3, 20, torch.float64, "cpu")
    theta, L = flat_loss(cohen_network(12, 0, torch.float64, "cpu"),
                         lambda net: 0.5 * ((net(X) - Y) ** 2).mean())
    dense = torch.linalg.eigvalsh(dense_hessian(L, theta))
    top = lanczos_top(hvp_fn(L, theta), theta.numel(), iters=30, k=2)
    # 30 Lanczos steps on a 36-dimensional operator: the top Ritz values are exact to rounding
    assert torch.allclose(top, dense.flip(0)[:2], rtol=1e-8, atol=1e-10)


def test_hvp_is_the_hessian_times_v():
    X, Y = chebyshev_data(2, 10, torch.float64, "cpu")
    theta, L = flat_loss(cohen_network(5, 1, torch.float64, "cpu"),
                         lambda net: 0.5 * ((net(X) - Y) ** 2).mean())
    v = torch.randn(theta.numel(), generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert torch.allclose(hvp_fn(L, theta)(v), dense_hessian(L, theta) @ v, atol=1e-12)
