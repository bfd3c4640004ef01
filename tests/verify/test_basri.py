"""The Basri et al. network on S¹ and S²: sampling, kernel, kernel-regime times, training."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from specbias.derive.sphere.density import seed_three_piece
from specbias.verify.basri import (KernelDynamics, basri_gram, circle_points, kernel_time,
                                   sample_circle, sample_hemispheres, sectoral_harmonic,
                                   train_times)
from specbias.verify.empirical_ntk import empirical_ntk
from specbias.verify.models import TwoLayer


def test_sampling_follows_the_density():
    p = seed_three_piece()
    n = 60_000
    ang = sample_circle(p, n, seed=3)
    counts = np.histogram(ang, bins=[0, 2 * np.pi / 3, 4 * np.pi / 3, 2 * np.pi])[0]
    expected = n * np.array([1, 2, 4]) / 7
    # binomial standard deviations; 5 sigma
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))


def test_hemisphere_ratio_and_harmonic_symmetry():
    X = sample_hemispheres(3, 40_000, seed=1)
    lower = np.mean(X[:, 2] < 0)
    assert abs(lower - 0.75) < 5 * math.sqrt(0.75 * 0.25 / 40_000)
    assert np.allclose(np.linalg.norm(X, axis=1), 1)
    y = sectoral_harmonic(X, 3)
    Xm = X * np.array([1, 1, -1])
    assert np.allclose(sectoral_harmonic(Xm, 3), y)


def test_gram_matches_the_empirical_ntk():
    ang = np.array([0.0, 0.7, 2.0, 3.5])
    X = circle_points(ang)
    H = basri_gram(X)
    width = 200_000
    emp = empirical_ntk(TwoLayer(2, width, "basri", seed=0), torch.tensor(X)).numpy()
    # each entry averages `width` terms bounded by 2: standard error below 2/sqrt(width)
    assert np.max(np.abs(emp - H)) < 5 * 2 / math.sqrt(width)


def test_kernel_time_against_direct_iteration():
    X = circle_points(sample_circle(seed_three_piece(), 60, seed=2))
    dyn = KernelDynamics(basri_gram(X), 0.0)
    dyn.lr = 1 / float(dyn.values[-1])
    y = np.cos(3 * np.arctan2(X[:, 1], X[:, 0]))
    t = kernel_time(dyn, y, 0.1)
    r, H = y.copy(), basri_gram(X)
    steps = 0
    while np.linalg.norm(r) > 0.1 * np.linalg.norm(y):
        r = r - dyn.lr * (H @ r)
        steps += 1
    assert t == steps


def test_training_reaches_the_target_near_the_kernel_time():
    X = circle_points(sample_circle(seed_three_piece(), 40, seed=4))
    y = np.cos(2 * np.arctan2(X[:, 1], X[:, 0]))
    dyn = KernelDynamics(basri_gram(X), 0.0)
    dyn.lr = 1 / float(dyn.values[-1])
    pred = kernel_time(dyn, y, 0.1)
    tr = train_times(X, y, 4000, dyn.lr, 0.1, {"all": np.ones(40, bool)}, int(3 * pred), seed=0)
    # width 4000: the NTK moves by O(m^-1/2) ≈ 2%; allow 30% on the time
    assert math.isfinite(tr.times["all"]) and abs(tr.times["all"] / pred - 1) < 0.3


@pytest.mark.gpu
def test_training_on_cuda_matches_cpu():
    X = circle_points(sample_circle(seed_three_piece(), 40, seed=4))
    y = np.cos(2 * np.arctan2(X[:, 1], X[:, 0]))
    args = (X, y, 2000, 0.01, 0.1, {"all": np.ones(40, bool)}, 200)
    cpu = train_times(*args, seed=0, device="cpu")
    gpu = train_times(*args, seed=0, device="cuda")
    assert cpu.times == gpu.times
    assert abs(cpu.final_residual["all"] - gpu.final_residual["all"]) < 1e-10


@pytest.mark.slow
def test_full_profile_sphere_ratios_kernel_regime():
    """The full B9 grid in the kernel regime (n = 2000, 5 seeds, κ = 2..8): every time is
    finite and the sparse half is never faster than the dense one on average."""
    from specbias.verify.basri import run_profile
    res = run_profile("sphere", "full")
    for r, per_seed in res["runs"].items():
        for ps in per_seed:
            assert all(math.isfinite(t) for t in ps["kernel"]["sparse"] + ps["kernel"]["dense"])
        if r > 1:
            ratio = np.mean([np.median(np.array(ps["kernel"]["sparse"]) /
                                       np.array(ps["kernel"]["dense"])) for ps in per_seed])
            assert ratio > 1


def test_bad_grid_and_target_are_refused():
    from specbias.errors import InvalidArgument
    from specbias.verify.basri import continuum_grid, sphere_experiment
    with pytest.raises(InvalidArgument, match="nodes"):
        continuum_grid(seed_three_piece(), 4)
    with pytest.raises(InvalidArgument, match="target 'zonal'"):
        sphere_experiment(2, [2], 20, 0.1, 0, targets=("zonal",))


def test_polar_harmonic_is_a_harmonic_of_its_degree():
    """Re (x1 + i x3)^k restricted to the sphere: its Laplacian in R^3 vanishes (checked by
    finite differences of the polynomial, an independent computation)."""
    from specbias.verify.basri import polar_harmonic
    x0 = np.array([[0.3, -0.5, 0.4]])
    h = 1e-3
    lap = sum((polar_harmonic(x0 + h * e, 4) - 2 * polar_harmonic(x0, 4)
               + polar_harmonic(x0 - h * e, 4)) / h ** 2 for e in np.eye(3)[:, None, :])
    # second differences of a degree-4 polynomial: error O(h^2) times its 4th derivatives (~24)
    assert abs(lap[0]) < 1e-4
