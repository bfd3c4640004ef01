"""The public strategies: what they draw, how they validate their arguments."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given

from specbias.derive.ntk import arccos, kernels
from specbias.derive.matrix.knots import Knots
from specbias.derive.sphere.density import PiecewiseDensity
from specbias.errors import InvalidArgument
from specbias.testing import strategies as sts


def exact_angle(x, y) -> float:
    """The angle between the float rows, at 50 digits (independent of specbias's angles)."""
    with mpmath.workdps(50):
        xm, ym = [mpmath.mpf(v) for v in x], [mpmath.mpf(v) for v in y]
        dot = mpmath.fsum(a * b for a, b in zip(xm, ym))
        cross = mpmath.sqrt(mpmath.fsum(a * a for a in xm) * mpmath.fsum(b * b for b in ym) - dot ** 2)
        return float(mpmath.atan2(cross, dot))


@given(sts.angle_pairs(dim=4, max_norm_ratio=3.0))
def test_pairs_have_the_drawn_angle(pair):
    """Rounding y moves it by a few ulps absolute, so the realized angle is θ to ~1e-15
    absolute (relative near 0 for x = e_1; see AnglePair's docstring)."""
    assert 1e-12 <= pair.theta <= math.pi
    assert abs(exact_angle(pair.x, pair.y) - pair.theta) <= 4e-16 * max(1.0, 4 * pair.theta) + 4e-15
    for r in (np.linalg.norm(pair.x), np.linalg.norm(pair.y)):
        assert 1 / 3 - 1e-12 <= r <= 3 + 1e-12


@given(sts.angles(1e-8, 1.0))
def test_angles_stay_in_range(t):
    assert 1e-8 <= t <= 1.0


@given(sts.point_sets(2, 5, dim=3))
def test_point_sets(X):
    assert X.ndim == 2 and 2 <= X.shape[0] <= 5 and X.shape[1] == 3
    assert np.all(np.linalg.norm(X, axis=1) > 0)


@given(sts.knots(2, 30))
def test_knots_are_valid_and_follow_their_rule(kn):
    assert isinstance(kn, Knots) and kn.rule in sts.KNOT_RULES
    vals = kn.values
    assert all(-1 <= v <= 1 for v in vals) and list(vals) == sorted(set(vals))
    n = len(vals)
    if kn.rule == "uniform":
        assert vals == tuple(Fraction(-1) + Fraction(2 * i, n) for i in range(n))
    if kn.rule == "quasi-uniform":  # o(1/n): within h n^(-1/2) / 4 of the uniform knots
        h = 2 / n
        assert max(abs(float(v) - (-1 + i * h)) for i, v in enumerate(vals)) <= h / (4 * math.sqrt(n)) + 1e-15


@given(sts.circle_densities(4), sts.circle_densities(3, in_pi=True))
def test_circle_densities(d, e):
    """Valid densities of issue 11's type: total mass 1 (exactly, by mpmath at 30 digits)."""
    for p in (d, e):
        assert isinstance(p, PiecewiseDensity) and 1 <= len(p.breakpoints) <= 4
        assert list(p.breakpoints) == sorted(set(p.breakpoints)) and all(w > 0 for w in p.weights)
        with mpmath.workdps(30):
            assert abs(p.total_mass() - 1) < mpmath.mpf(10) ** -25
    assert e.in_pi and all((12 * b).denominator == 1 for b in e.breakpoints)


@given(sts.kernel_configs("ntk", 3))
def test_kernel_configs_are_accepted_by_the_kernels(cfg):
    assert cfg.activation != "step" and 1 <= cfg.depth <= 3
    X = np.eye(2)
    S, T = kernels.kernels(X, X, **{k: v for k, v in cfg.kwargs().items()})
    assert np.isfinite(T).all()


def test_tuples_match_the_library():
    assert sts.ACTIVATIONS == arccos.ACTIVATIONS
    assert sts.PARAMETRIZATIONS == kernels.PARAMETRIZATIONS


@pytest.mark.parametrize("make, match", [
    (lambda: sts.unit_vectors(0), "dim=0"),
    (lambda: sts.unit_vectors(2.5), "dim=2.5"),
    (lambda: sts.angle_pairs(dim=1), "dim=1"),
    (lambda: sts.angles(0.0), "min_angle=0.0"),
    (lambda: sts.angles(0.5, 0.1), "max_angle=0.1"),
    (lambda: sts.angles(1e-3, 4.0), "max_angle=4.0"),
    (lambda: sts.point_sets(5, 2), "n_min=5"),
    (lambda: sts.knots(rules=("fibonacci",)), "fibonacci"),
    (lambda: sts.knots(rules=()), "empty"),
    (lambda: sts.activations("ntk", ("step",)), "finite NTK"),
    (lambda: sts.activations("cntk"), "cntk"),
    (lambda: sts.depths(0), "max_depth=0"),
    (lambda: sts.variances(-1.0), "max_weight_var=-1.0"),
    (lambda: sts.dtypes(("float8",)), "float8"),
    (lambda: sts.circle_densities(0), "max_pieces=0"),
    (lambda: sts.circle_densities(65), "max_pieces=65"),
    (lambda: sts.norms(float("nan")), "max_ratio=nan"),
])
def test_bad_arguments_fail_when_the_strategy_is_built(make, match):
    """Validation is eager (at build time) and names the value and a fix ('use', 'e.g.')."""
    with pytest.raises(InvalidArgument, match=match) as info:
        make()
    assert "use" in str(info.value) or "give" in str(info.value) or "add" in str(info.value)
