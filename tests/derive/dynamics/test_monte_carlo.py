"""var(g) of the product integrand against a large seeded Monte Carlo sample."""

import numpy as np

from specbias.derive.dynamics import monte_carlo as MC


def test_variance_against_sampling():
    exact, _ = MC.product_integrand(3)
    X = np.random.default_rng(0).random((400000, 3))
    g = MC.product_values(X)
    # the sample variance has relative standard error about sqrt((kurtosis - 1)/N) < 0.01 here
    assert abs(g.var() / float(exact["variance"]) - 1) < 0.03
    assert abs(g.mean() - float(exact["integral"])) < 5 * g.std() / np.sqrt(len(g))


def test_rkhs_norm_is_the_kernel_quadratic_form():
    rng = np.random.default_rng(2)
    Z, c = rng.random((4, 3)), rng.standard_normal(4)
    W = rng.standard_normal((400000, 3)) / np.sqrt(3)
    a_star = np.maximum(Z @ W.T, 0).T @ c
    # ||f||_H^2 = E a*(w)^2: Monte Carlo with 4e5 draws, relative error ~ 1/sqrt(4e5) * few
    assert abs(np.mean(a_star ** 2) / MC.rkhs_target(Z, c)["norm_squared"] - 1) < 0.02
