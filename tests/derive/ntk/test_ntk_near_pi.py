"""Regression test of the near-π accuracy of the float kernels (found by specbias check):
the first layer's sin θ now comes from (1 − cos θ)(1 + cos θ), both carried without
cancellation, instead of sqrt(v (2 − v)), which lost digits to 2 − v as θ → π."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from specbias.derive.ntk.kernels import kernels
from specbias.testing.oracles import assert_kernel_close


@pytest.mark.parametrize("path", ["fused", "array", "torch"])
@pytest.mark.parametrize("act, depth", [("relu", 1), ("relu", 2), ("relu2", 2), ("relu", 3)])
def test_entries_near_antipodal_inputs_keep_their_digits(path, act, depth):
    """θ = π − 10^-k, k = 1..8, no bias: within the oracle's few ulps per layer of the
    certified entries (before the fix: 1.95e-13 relative, 93 ulps of the scale, at k = 3)."""
    X = np.array([[1.0, 0.0, 0.0]] * 8)
    Y = np.array([[math.cos(math.pi - 10.0 ** -k), math.sin(math.pi - 10.0 ** -k), 0.0]
                  for k in range(1, 9)])

    def fn(A, B):
        if path == "torch":
            return kernels(torch.tensor(A), torch.tensor(B), depth, act, 2.0, 0.0, xp=torch)[1]
        return kernels(A, B, depth, act, 2.0, 0.0, compiled=path == "fused")[1]
    assert_kernel_close(fn, X, Y, depth=depth, activation=act)
