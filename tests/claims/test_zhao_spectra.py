"""The shared references of the Z3, Z4, Z6 audits, each against an independent computation."""

from __future__ import annotations

import numpy as np

from specbias.claims.zhao_spectra import (bootstrap_quantile, certified_lambda, float64_bound,
                                          float64_lambda, operator_mu, power_law,
                                          quantile_nodes, weighted_operator_eigenvalues)
from specbias.derive.matrix.knots import knots


def test_float64_within_its_bound_of_certified():
    """float64 eigvalsh of random-knot Gram matrices against certified spectra (20 digits)."""
    for seed in (1, 2):
        kn = knots(f"random:{seed}", 30, 20)
        exact, cert = certified_lambda(1, kn)
        assert cert.certified
        assert np.max(np.abs(float64_lambda(kn.floats()) - exact)) <= float64_bound(exact)


def test_weighted_nystrom_converges_to_the_operator():
    """rho = 1/2: the midpoint Nystrom eigenvalues approach mu_k / 2 at the rate O(N^-2)."""
    mu = operator_mu(1, 5)
    errs = [np.max(np.abs(weighted_operator_eigenvalues("uniform", 5, n) / (mu / 2) - 1))
            for n in (100, 200)]
    assert errs[1] < errs[0] / 3          # second order: a factor 4 per doubling
    # the linear density's quantile nodes: increasing, from near -1 to near 1
    y = quantile_nodes("linear", 50)
    assert np.all(np.diff(y) > 0) and -1 < y[0] < -0.9 and 0.95 < y[-1] < 1


def test_power_law_recovers_a_known_exponent():
    rng = np.random.default_rng(3)
    n = np.array([50, 100, 200, 400, 800])
    y = 2.0 * n**0.5 * np.exp(rng.normal(0, 0.01, n.size))
    fit = power_law(n, y)
    # 1% scatter over a factor 16 in n: the slope's standard error is about 0.01/sqrt(5)/1.1
    assert abs(fit.exponent.value - 0.5) < 4 * fit.exponent.uncertainty + 1e-3
    weighted = power_law(n, y, 0.01 * y)
    assert abs(weighted.exponent.value - 0.5) < 4 * weighted.exponent.uncertainty


def test_bootstrap_quantile_error_matches_the_spread_over_samples():
    """The bootstrap error of the median against the spread of medians over fresh samples."""
    rng = np.random.default_rng(4)
    medians = [np.median(rng.exponential(1.0, 200)) for _ in range(300)]
    q = bootstrap_quantile(rng.exponential(1.0, 200), 0.5, np.random.default_rng(5))
    # a bootstrap standard error is good to about 20% at this size
    assert 0.6 < q.uncertainty / np.std(medians) < 1.6
