"""Training runs against kernel predictions; the linear-algebra helpers against direct formulas."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from specbias.claims.ntk_dynamics import circle_data
from specbias.derive.ntk.two_layer import two_layer_kernel
from specbias.verify.training import (kernel_regression, linear_residuals, train_conventional,
                                      train_two_layer)

torch.set_num_threads(1)


def test_linear_residuals_equal_matrix_powers():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((5, 5))
    H = A @ A.T
    r0 = rng.standard_normal(5)
    lr = 0.5 / np.linalg.eigvalsh(H).max()
    out = linear_residuals(H, r0, lr, [0, 3, 10])
    for row, t in zip(out, [0, 3, 10]):
        np.testing.assert_allclose(row, np.linalg.matrix_power(np.eye(5) - lr * H, t) @ r0, rtol=1e-12)


def test_kernel_regression_interpolates_and_equals_solve():
    X, y, _ = circle_data(6, 0)
    K = two_layer_kernel(X, X)
    np.testing.assert_allclose(kernel_regression(K, y, K), y, rtol=1e-10, atol=1e-12)
    Xs, _, _ = circle_data(9, 1)
    Ks = two_layer_kernel(Xs, X)
    np.testing.assert_allclose(kernel_regression(K, y, Ks), Ks @ np.linalg.solve(K, y), rtol=1e-10)


def test_first_gd_step_follows_the_empirical_ntk():
    """One GD step from u(0) = 0 moves u by η Ĥ y exactly to first order in η."""
    from specbias.verify.empirical_ntk import empirical_ntk
    from specbias.verify.models import TwoLayer

    X, y, _ = circle_data(5, 2)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    lr = 1e-6
    run = train_two_layer(Xt, yt, 256, lr, 1, seed=3)
    H0 = empirical_ntk(TwoLayer(2, 256, "arora", seed=3, symmetric=True), Xt).numpy()
    step = run.residuals[0] - run.residuals[1]  # = u(1) - u(0)
    # second-order term O(η²): relative 1e-6 at most here; rounding ~1e-10.
    np.testing.assert_allclose(step, lr * H0 @ y, rtol=1e-5)


def test_conventional_scaling_risk_decreases_monotonically():
    X = torch.tensor(circle_data(6, 4)[0])
    y = torch.tensor(np.random.default_rng(5).standard_normal(6))
    run, phi = train_conventional(X, y, 200, 1e-3, 200, seed=0, record_every=20)
    assert phi.shape == (6, 200)
    assert all(b <= a for a, b in zip(run.losses, run.losses[1:]))


def test_slides_risk_is_the_half_risk_at_twice_the_step():
    """GD on (1/n) sum r^2 with step eta is GD on (1/2n) sum r^2 with step 2 eta: the same
    iterates, the risk twice as large (E3 uses the slides' convention)."""
    X = torch.tensor(circle_data(6, 4)[0])
    y = torch.tensor(np.random.default_rng(5).standard_normal(6))
    slides, _ = train_conventional(X, y, 100, 1e-3, 50, seed=1, record_every=10, risk_factor=1.0)
    half, _ = train_conventional(X, y, 100, 2e-3, 50, seed=1, record_every=10)
    np.testing.assert_allclose(slides.residuals, half.residuals, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(slides.losses, 2 * np.array(half.losses), rtol=1e-12)


@pytest.mark.slow
def test_wide_network_follows_kernel_dynamics_more_closely_as_width_grows():
    X, y, _ = circle_data(10, 0)
    H = two_layer_kernel(X, X)
    lr = 1 / np.linalg.eigvalsh(H).max()
    eps = []
    for m in (1024, 8192, 65536):
        run = train_two_layer(torch.tensor(X), torch.tensor(y), m, lr, 200, seed=1, record_every=10)
        lin = linear_residuals(H, y, lr, run.times)
        eps.append(np.max(np.linalg.norm(run.residuals - lin, axis=1)) / np.linalg.norm(y))
    assert eps[0] > eps[1] > eps[2] and eps[2] < 0.1


@pytest.mark.gpu
def test_cuda_training_run_matches_cpu_run():
    X, y, _ = circle_data(8, 0)
    H = two_layer_kernel(X, X)
    lr = 1 / np.linalg.eigvalsh(H).max()
    cpu = train_two_layer(torch.tensor(X), torch.tensor(y), 1024, lr, 50, seed=1, record_every=10)
    gpu = train_two_layer(torch.tensor(X).cuda(), torch.tensor(y).cuda(), 1024, lr, 50, seed=1,
                          record_every=10)
    # same float64 initialization (drawn on the CPU); reduction orders differ: ~1e-13 drift.
    np.testing.assert_allclose(gpu.residuals, cpu.residuals, rtol=0, atol=1e-10)
