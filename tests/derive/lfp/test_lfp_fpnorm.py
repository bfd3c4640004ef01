"""The FP-norm kernel, the minimum-norm interpolant and the two bounds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from specbias.derive.lfp import fpnorm as F
from specbias.errors import InvalidArgument

C4, C2 = 2 / (16 * np.pi ** 4), 1 / (4 * np.pi ** 2)


def test_kernel_against_its_fourier_series():
    tau = np.linspace(0, 1, 11)
    k = np.arange(1, 40001)[:, None]
    direct = (C4 + C2) + 2 * np.sum((C4 / k ** 4 + C2 / k ** 2) * np.cos(2 * np.pi * k * tau), axis=0)
    assert np.abs(direct - F.kernel_numeric(tau, C4, C2, C4 + C2)).max() < 2 * C2 / 40000


def test_min_norm_interpolant_interpolates_and_has_no_larger_norm():
    g = np.random.default_rng(0)
    x = g.uniform(0, 1, 12)
    f = lambda t: np.sin(2 * np.pi * 3 * t)  # noqa: E731
    h = F.min_norm_interpolant(x, f(x), x, C4, C2, C4 + C2)
    assert np.abs(h - f(x)).max() < 1e-9
    K = F.kernel_numeric(x[:, None] - x[None, :], C4, C2, C4 + C2)
    norm_h = np.sqrt(f(x) @ np.linalg.solve(K, f(x)))
    assert norm_h <= F.fp_norm({3: -0.5j, -3: 0.5j}, C4, C2, C4 + C2) * (1 + 1e-9)


@given(st.floats(0.1, 10), st.floats(0.1, 50), st.floats(0.5, 5), st.integers(1, 10 ** 6), st.floats(1e-4, 0.5))
def test_slides_bound_is_never_below_the_derived_one(f_inf, f_gam, g_l2, n, delta):
    b = F.bound_numeric(f_inf, f_gam, g_l2, n, delta)
    assert b["slides"] >= b["derived"] > 0


def test_bad_delta():
    with pytest.raises(InvalidArgument, match="delta"):
        F.bound_numeric(1, 1, 1, 10, 1.5)
