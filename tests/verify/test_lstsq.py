"""Least-squares fits: the conventions of Table 1, and the exact noise gain against Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest

from specbias.errors import InvalidArgument
from specbias.verify.lstsq import fit, fit_knots, noise_response, sample_points
from specbias.verify.precision import single_thread


def test_knot_rules_and_samples():
    assert np.allclose(fit_knots("x", 5, "uniform-ends"), [-1, -0.5, 0, 0.5, 1])
    assert np.allclose(fit_knots("x", 4, "uniform"), [-1, -0.5, 0, 0.5])
    assert np.allclose(sample_points(5, "linspace", np.zeros(1), True), np.linspace(-1, 1, 5))
    with pytest.raises(InvalidArgument, match="sampling"):
        sample_points(5, "random", np.zeros(1), True)
    with pytest.raises(InvalidArgument, match="knots"):
        fit("x", 5, knots="chebyshev")


def test_relu_without_constant_misses_f_at_minus_one():
    """Every unit vanishes at x = -1: without the output bias the error there is |f(-1)|."""
    r = fit("atan(25*x)", 20, "relu", "uniform-ends", samples=400, sampling="linspace",
            errors="samples", constant=False)
    assert abs(r["MAX"] - np.arctan(25)) < 1e-12
    with_c = fit("atan(25*x)", 20, "relu", "uniform-ends", samples=400, sampling="linspace",
                 errors="samples")
    hat = fit("atan(25*x)", 20, "hat", "uniform-ends", samples=400, sampling="linspace",
              errors="samples")
    # the same space: both bases give the same least-squares fit in float64
    assert abs(with_c["MSE"] / hat["MSE"] - 1) < 1e-8


@pytest.mark.parametrize("p", [20, 60])
def test_noise_response_against_monte_carlo(p):
    """The exact mean and spread of the excess test MSE against 200 seeded noise draws, below
    and above the number of samples."""
    m, sigma, draws = 40, 0.1, 200
    with single_thread():   # small matrices: one BLAS thread is the fast choice
        resp = noise_response("sin(3*x)", p, m, sigma, test_points=2001)
        clean = fit("sin(3*x)", p, biases=p, samples=m, element_samples=False, test_points=2001)
        excess = np.array([fit("sin(3*x)", p, biases=p, samples=m, element_samples=False,
                               test_points=2001, noise=sigma, seed=s)["MSE"] - clean["MSE"]
                           for s in range(draws)]) / sigma**2
    # four exact standard errors of the mean: a false alarm below 1e-4
    assert abs(excess.mean() - resp.gain) < 4 * resp.spread / np.sqrt(draws)
    # the sample standard deviation of 200 draws is good to about 10% (skewed: allow 30%)
    assert abs(excess.std(ddof=1) / resp.spread - 1) < 0.3


def test_truncated_noise_response_against_monte_carlo():
    """The low-pass (truncated) response against seeded noise fitted by NumPy's lstsq with the
    same relative cut-off (rcond), a separate route, and its rank against the singular values."""
    m, p, sigma, draws, cut = 40, 60, 0.1, 200, 0.05
    x = -1 + (2 * np.arange(m) + 1) / m                    # midpoint samples
    b = fit_knots("sin(3*x)", p, "uniform")
    xt = np.linspace(-1, 1, 2001)
    a = np.hstack([np.ones((m, 1)), np.maximum(x[:, None] - b[None, :], 0.0)])
    at = np.hstack([np.ones((xt.size, 1)), np.maximum(xt[:, None] - b[None, :], 0.0)])
    rng = np.random.default_rng(0)
    with single_thread():
        resp = noise_response("sin(3*x)", p, m, sigma, test_points=2001, cutoff=cut)
        # the noise enters linearly: the excess MSE is |A_test c(e)|^2 / T + 2 r.A_test c(e) / T
        # with mean sigma^2 gain; the cross term has mean zero, so the quadratic part suffices
        moved = [np.mean((at @ np.linalg.lstsq(a, rng.normal(0, sigma, m), rcond=cut)[0]) ** 2)
                 for _ in range(draws)]
    quad = np.array(moved) / sigma**2
    # four standard errors of the mean of the quadratic part (estimated from the draws)
    assert abs(quad.mean() - resp.gain) < 4 * quad.std(ddof=1) / np.sqrt(draws)
    assert resp.rank == int(np.sum(np.linalg.svd(a, compute_uv=False) > cut *
                                   np.linalg.svd(a, compute_uv=False)[0]))
    assert resp.gain < noise_response("sin(3*x)", p, m, sigma, test_points=2001).gain


def test_noise_response_rejects_bad_options():
    with pytest.raises(InvalidArgument, match="placement"):
        noise_response("sin(3*x)", 10, 20, 0.1, placement="random")
    with pytest.raises(InvalidArgument, match="cutoff"):
        noise_response("sin(3*x)", 10, 20, 0.1, cutoff=2.0)
