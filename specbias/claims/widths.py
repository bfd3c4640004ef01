"""Convergence in the width, measured over seeds (B3, B8, P4, E3): means with standard errors,
and slopes of the error against the width between two widths.

Every number here is computed from the arithmetic means over seeds that the reports' tables
show, so that a reader can recompute a slope from a table: between widths $m_a < m_b$ the slope
is $\\log(\\bar{e}_b / \\bar{e}_a) / \\log(m_b / m_a)$, its standard error by the delta method
from the standard errors of the two means. A fall is significant when the slope is below zero by
more than the one-sided Student quantile at level ``ALPHA`` with the Welch-Satterthwaite degrees
of freedom of the two seed spreads (Welch, Biometrika 34, 1947): with three seeds per width that
asks for about 4.6 standard errors, with twelve about 2.8.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from specbias.numbers import Approx, Measured, num

#: One-sided false-alarm probability of a test that the error falls between two widths.
ALPHA = 0.005


def seed_mean(values) -> Measured | Approx:
    """Mean and standard error over seeds (one seed: the value, with no error bar)."""
    v = np.asarray(values, float)
    if len(v) == 1:
        return Approx(float(v[0]), 2)
    return Measured(float(v.mean()), float(v.std(ddof=1) / math.sqrt(len(v))))


def _log_mean(values) -> tuple[float, float, int]:
    """log of the mean over seeds, its delta-method variance, and the number of seeds."""
    v = np.asarray(values, float)
    return float(np.log(v.mean())), float(v.var(ddof=1) / len(v) / v.mean() ** 2), len(v)


def slope_between(errors: dict, a: int, b: int) -> tuple[Measured, float]:
    """The slope of the mean error against the width between the a-th and b-th widths of
    ``errors`` ({width: errors over seeds}), and its Welch-Satterthwaite degrees of freedom."""
    widths = list(errors)
    (la, va, na), (lb, vb, nb) = _log_mean(errors[widths[a]]), _log_mean(errors[widths[b]])
    span = math.log(widths[b] / widths[a])
    dof = (va + vb) ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1))
    return Measured((lb - la) / span, math.sqrt(va + vb) / span), dof


def local_slopes(errors: dict) -> list:
    """The slope between each width and the next (None for the last width): a table column."""
    return [slope_between(errors, i, i + 1)[0] for i in range(len(errors) - 1)] + [None]


def falls(errors: dict, a: int = 0, b: int = -1, size: str = "width",
          symbol: str = "m") -> tuple[bool, str, dict]:
    """Does the mean error fall from the a-th to the b-th width, beyond the seed spread?

    Returns (passed, prose, numbers); the prose states the slope between the two widths, not
    a law over all widths. ``size`` and ``symbol`` name what plays the width (e.g. "features",
    "M").
    """
    widths = list(errors)
    slope, dof = slope_between(errors, a, b)
    crit = float(stats.t.ppf(1 - ALPHA, dof))
    ok = slope.value + crit * slope.uncertainty < 0
    ma, mb = widths[a], widths[b]
    factor = float(np.mean(errors[mb]) / np.mean(errors[ma]))
    text = (f"from {size} {ma} to {mb} the mean error changes by a factor {num(factor, 2)}, a "
            f"slope of {num(slope)} in $\\log {symbol}$; "
            + ("a significant fall" if ok else "not a significant fall")
            + f" (the slope must be below zero by {num(crit, 2)} standard errors: the one-sided "
            f"Student quantile at {ALPHA} with {num(dof, 2)} degrees of freedom from the seed "
            "spread)")
    return ok, text, {"slope": slope.value, "stderr": slope.uncertainty, "critical": crit,
                      "factor": factor, "from": ma, "to": mb}
