"""verify/linearized: torch.func Jacobians, the linearized flow and its minimum-norm limit."""

from __future__ import annotations

import torch

from specbias.verify.lfp import LFPNet
from specbias.verify.linearized import (jacobian, jvp_check, min_norm_bound, min_norm_delta,
                                        row_space_residual, train_linearized)


def test_jacobian_matches_autograd_and_jvp():
    net = LFPNet(1, 32, 1.0, 1.0, 1.5, seed=0)
    X = torch.linspace(-1, 1, 5, dtype=torch.float64)[:, None]
    J = jacobian(net, X)
    net(X)[2].backward()
    auto = torch.cat([p.grad.reshape(-1) for p in net.parameters()])
    assert torch.allclose(J[2], auto, atol=1e-14)
    assert jvp_check(net, X, J) < 1e-13


def test_linearized_gd_reaches_the_minimum_norm_step_for_two_losses():
    net = LFPNet(1, 64, 1.0, 1.0, 1.5, seed=1)
    X = torch.linspace(-0.9, 0.9, 5, dtype=torch.float64)[:, None]
    Y = torch.sin(3 * X[:, 0])
    J = jacobian(net, X)
    with torch.no_grad():
        h0 = net(X)
    star = min_norm_delta(J, h0, Y)
    lam = torch.linalg.eigvalsh(J @ J.T / 5)
    lr = float(1 / lam.max())
    steps = int(25 / (lr * float(lam.min())))
    for loss in ("mse", "logcosh"):
        run = train_linearized(J, h0, Y, lr, steps, loss)
        assert float(torch.linalg.norm(run.delta - star)) <= min_norm_bound(J, run.residual) + 1e-10
        assert row_space_residual(J, run.delta) < 1e-8
