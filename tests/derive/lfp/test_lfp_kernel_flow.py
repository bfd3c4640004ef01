"""Kernel-flow identities (L6-L8) against numerical linear algebra."""

from __future__ import annotations

import numpy as np
import sympy

from specbias.derive.lfp import kernel_flow as KF


def test_symbolic_identities():
    assert KF.initialization_decomposition()[0] == 0 or KF.initialization_decomposition()[0].is_ZeroMatrix
    assert KF.asi_ntk_ratio(sympy.sqrt(2) / 2)[0] == 1 and KF.asi_ntk_ratio(sympy.Integer(1))[0] == 2
    assert KF.min_norm_limit().steps


def test_min_norm_step_is_numpys_minimum_norm_solution():
    g = np.random.default_rng(4)
    J, b = g.standard_normal((5, 40)), g.standard_normal(5)
    formula = J.T @ np.linalg.solve(J @ J.T, b)
    assert np.allclose(formula, np.linalg.lstsq(J, b, rcond=None)[0], atol=1e-12)
