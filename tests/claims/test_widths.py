"""The width-convergence helpers of the NTK audits: slopes from the means a table shows, and a
test of a fall that fails on a flat curve and passes on a falling one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from specbias.claims.widths import falls, local_slopes, seed_mean, slope_between
from specbias.numbers import Approx


def _errors(rate: float, spread: float, seeds: int = 3, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {m: list(m ** -rate * (1 + spread * rng.standard_normal(seeds)))
            for m in (1024, 4096, 16384)}


def test_slope_is_computed_from_the_arithmetic_means():
    errors = _errors(0.5, 0.05)
    slope, dof = slope_between(errors, 1, 2)
    expected = math.log(np.mean(errors[16384]) / np.mean(errors[4096])) / math.log(4)
    assert slope.value == pytest.approx(expected, rel=1e-12) and dof > 1
    assert local_slopes(errors)[-1] is None and len(local_slopes(errors)) == 3


def test_a_falling_error_passes_and_a_flat_one_fails():
    assert falls(_errors(0.5, 0.05), -2, -1)[0]
    assert not falls(_errors(0.0, 0.05), -2, -1)[0]
    # a fall buried in the seed spread is not significant with three seeds
    assert not falls(_errors(0.05, 0.3, seed=3), -2, -1)[0]


def test_one_seed_has_no_error_bar():
    assert isinstance(seed_mean([0.5]), Approx)
