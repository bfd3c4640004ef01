"""A textbook deep ReLU NTK, written the way most code writes it (not specbias's code).

The recursion of Jacot et al. (2018) and Arora et al. (2019, Eq. (4)-(6)) in the NTK
parametrization, σ_w² = 2, no bias, two hidden layers: each layer takes θ = arccos of the
rounded cosine, which is where it loses digits for nearby inputs (dθ = dc / sin θ). Used by
the docs, the README and tests/testing/test_demonstrations.py as code that specbias's
property search should catch: ``specbias check examples.naive_ntk:ntk --against ntk
--depth 2``. ``ntk_atan2`` is the same recursion with neural-tangents' angle,
atan2(sqrt(q11 q22 − q12²), q12).
"""

import numpy as np

DEPTH, WEIGHT_VAR, BIAS_VAR = 2, 2.0, 0.0


def _recursion(X, Y, angle, depth=DEPTH, weight_var=WEIGHT_VAR, bias_var=BIAS_VAR):
    d = X.shape[1]
    sxy = weight_var * (X @ Y.T) / d + bias_var
    sxx = weight_var * np.sum(X * X, axis=1) / d + bias_var
    syy = weight_var * np.sum(Y * Y, axis=1) / d + bias_var
    ntk = sxy
    for _ in range(depth):
        norm = np.sqrt(np.outer(sxx, syy))
        t = angle(sxy, norm)
        new = weight_var / (2 * np.pi) * norm * (np.sin(t) + (np.pi - t) * np.cos(t)) + bias_var
        sdot = weight_var / (2 * np.pi) * (np.pi - t)
        ntk = new + ntk * sdot
        sxy = new
        sxx, syy = weight_var / 2 * sxx + bias_var, weight_var / 2 * syy + bias_var
    return ntk


def ntk(X, Y):
    """Θ(X, Y) with θ = arccos(clip(q12 / sqrt(q11 q22), −1, 1))."""
    return _recursion(X, Y, lambda q12, norm: np.arccos(np.clip(q12 / norm, -1, 1)))


def ntk_atan2(X, Y):
    """Θ(X, Y) with θ = atan2(sqrt(max(q11 q22 − q12², 0)), q12) (neural-tangents' form)."""
    return _recursion(X, Y, lambda q12, norm: np.arctan2(
        np.sqrt(np.maximum(norm ** 2 - q12 ** 2, 0)), q12))
