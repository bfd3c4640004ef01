"""The experiment runners: registration, input checks, and results against independent
computations (a linearized prediction, a known spectrum, exact enumeration)."""

import numpy as np
import pytest

from specbias.errors import InvalidArgument
from specbias.verify.experiments import common, monte_carlo, rashomon, sharpness, zhao_dynamics
from specbias.verify.sweep.registry import experiments

NAMES = ("zhao_dynamics", "rahaman", "fprinciple", "fprinciple_filter", "monte_carlo",
         "sharpness", "sgd_quadratic", "rashomon")


def test_every_runner_is_registered_with_both_profiles():
    reg = experiments()
    for name in NAMES:
        assert set(reg[name].profiles) == {"quick", "full"} and "seed" in reg[name].grid_keys


def test_dft_amplitudes_read_a_known_sum_of_sines():
    j = np.arange(200)
    v = 0.7 * np.sin(2 * np.pi * 5 * j / 200 + 1.0) + 0.2 * np.sin(2 * np.pi * 30 * j / 200)
    assert np.allclose(common.dft_amplitudes(v, [5, 30, 7]), [0.7, 0.2, 0.0], atol=1e-12)


@pytest.mark.parametrize("mode", [1, 2])
def test_fixed_bias_training_equals_the_exact_halving_step(mode):
    """With fixed biases GD is linear in a: training step by step (torch autograd) and the SVD
    formula (NumPy) give the same halving step."""
    cfg = dict(zhao_dynamics.PROFILES["quick"], mode=mode, biases="fixed", width=16, grid=64)
    trained = zhao_dynamics.run(cfg)["halving_steps"]
    exact = zhao_dynamics.run(dict(cfg, method="linear"))["halving_steps"]
    assert trained is not None and trained == exact


@pytest.mark.parametrize("cols", [12, 3])
def test_exact_halving_step_against_the_matrix_power(cols):
    """The SVD formula against (I - lr w J J^T)^t r0 iterated directly, on a small problem:
    J of full rank (the mode halves) or of rank 3 (the part outside its range may not)."""
    rng = np.random.default_rng(3)
    J, r0 = rng.random((12, cols)), rng.standard_normal(12)
    proj, w = common.fourier_projector(12, [1])[0], 1 / 6
    lr = 1 / np.linalg.eigvalsh(w * J @ J.T).max()
    t = zhao_dynamics.linear_halving_time(J, r0, lr, w, proj, 20000)
    A, target = np.eye(12) - lr * w * J @ J.T, 0.5 * abs(proj @ r0)
    amps, r = [], r0.copy()
    for _ in range(20000 if t is None else t):
        r = A @ r
        amps.append(abs(proj @ r))
    if t is None:
        assert min(amps) > target
    else:
        assert amps[-1] <= target < min(amps[:-1], default=np.inf)


@pytest.mark.parametrize("bad, match", [({"mode": "x"}, "not a number"),
                                        ({"biases": "frozen"}, "unknown"),
                                        ({"width": 15}, "even"),
                                        ({"method": "linear"}, "fixed")])
def test_bad_config_names_the_value(bad, match):
    with pytest.raises(InvalidArgument, match=match):
        zhao_dynamics.run(dict(zhao_dynamics.PROFILES["quick"], **bad))


def test_sharpness_lanczos_against_the_full_hessian():
    out = sharpness.run(dict(sharpness.PROFILES["quick"], lr=0.2, steps=40, sharpness_every=20))
    # 20 Lanczos steps on a 301-dimensional Hessian: converged to float64 rounding
    assert out["sharpness"][-1] == pytest.approx(out["final_sharpness_exact"], rel=1e-6)


def test_random_features_estimator_matches_its_variance():
    out = monte_carlo.run(dict(monte_carlo.PROFILES["quick"], part="features", m_max=40,
                               m_count=2, feature_reps=40, fit_points=500, test_points=500))
    ratios = np.array(out["mc_error"]) ** 2 * np.array(out["m"]) / out["V"]
    # mean of 40 squared errors: relative spread at most sqrt(2/40) ~ 0.22; four of those
    assert np.all(np.abs(ratios - 1) < 0.9)
    assert np.all(np.array(out["ls_error"]) <= np.array(out["mc_error"]))


def test_sgd_quadratic_measures_the_exact_multiplier():
    out = sharpness.run_quadratic(dict(sharpness.QUAD_PROFILES["quick"], lr=1.0, batch=2,
                                       sampling="without", chains=20000))
    # mean of 4e5 i.i.d. squared factors: standard error below 2 * rho / sqrt(4e5)
    assert abs(out["mc_multiplier"] - out["exact_multiplier"]) < 8 * out["exact_multiplier"] / 632


def test_monte_carlo_integration_ratio():
    out = monte_carlo.run(dict(monte_carlo.PROFILES["quick"], m_max=100, m_count=3, reps=400))
    ratio = np.array(out["m"]) * np.array(out["mse"]) / out["variance"]
    se = np.array(out["m"]) * np.array(out["mse_stderr"]) / out["variance"]
    assert np.all(np.abs(ratio - 1) < 4 * se)


def test_rashomon_inner_event_matches_its_integral():
    """n = 1: P(a g(wb) >= t) = E_b[max(0, A - t/|g(b)|)/(2A)] over b ~ U[-1, 1] (w is a sign
    flip of b), computed on a fine grid, against the Monte Carlo count."""
    cfg = dict(rashomon.PROFILES["quick"], neurons=1, nu=1.0, eps=0.9, samples=200000)
    out = rashomon.run(cfg)
    import sympy

    from specbias.derive.dynamics import rashomon as R
    _, g, _ = R.potential("bump", 1)
    b = np.linspace(-1, 1, 400001)
    gb = np.abs(sympy.lambdify(R.x, g, "numpy")(b))
    t, A = (1 - cfg["eps"]) * out["norm_squared"], cfg["A"]
    p = np.mean(np.clip(A - t / np.maximum(gb, 1e-300), 0, None) / (2 * A))
    se = np.sqrt(p * (1 - p) / cfg["samples"])
    assert abs(out["hits_inner"] / cfg["samples"] - p) < 4 * se
