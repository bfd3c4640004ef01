"""The two spline limits: the kernel interpolants against scipy's and numpy's splines."""

from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st

from specbias.derive.lfp import variational as V


@given(st.integers(0, 10 ** 6), st.integers(4, 12))
def test_kernel_interpolants_are_the_splines(seed, n):
    g = np.random.default_rng(seed)
    x = np.sort(g.uniform(-1, 1, n))
    if np.min(np.diff(x)) < 1e-2:
        x = np.linspace(-1, 1, n)
    y = g.standard_normal(n)
    grid = np.linspace(-1.3, 1.3, 301)
    scale = np.abs(y).max()
    assert np.abs(V.cpd_interpolant(x, y, grid, 1.0, 0.0) - V.natural_cubic_spline(x, y, grid)).max() < 1e-7 * scale * 1e3
    assert np.abs(V.cpd_interpolant(x, y, grid, 0.0, -1.0) - V.linear_spline(x, y, grid)).max() < 1e-9 * scale * 1e3


def test_symbolic_limits_and_crossover():
    d = V.spline_limits()
    assert [s.exprs[0] for s in d.steps if s.rule == "solve"] == [0, 0]
    assert V.parseval_constants()[1] * 16 == 1 / V.sympy.pi ** 4
    xs = V.crossover_numeric(2.0, 1.0, 0.5)
    ratio = V.sympy.lambdify(V.XI, V.crossover_ratio().subs({V.R2: 2.0, V.W2: 1.0, V.R2W2: 0.5}))
    assert abs(ratio(xs) - 1) < 1e-12
