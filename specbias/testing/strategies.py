"""Public Hypothesis strategies for code that computes NTK/NNGP kernels, Gram matrices and spectra.

Every strategy checks its arguments when it is built (not at the first draw) and raises
:class:`specbias.errors.InvalidArgument` naming the bad value and the fix, as Hypothesis's own
``internal/validation.py`` does. Arrays are NumPy float64 unless a dtype is asked for; each
strategy shrinks toward the most ordinary input (the first basis vector, an angle of 1 rad,
unit norms, uniform knots), so a shrunk counterexample shows how far from ordinary an input
must be to fail.

>>> from hypothesis import given
>>> @given(angle_pairs(dim=3))
... def test(pair):
...     assert abs(float(pair.x @ pair.x) - 1) < 1e-15
>>> test()
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from specbias.errors import InvalidArgument, require

#: Kept here (equal to specbias.derive.ntk's tuples, checked by a test) so that importing the
#: strategies does not import SymPy.
ACTIVATIONS = ("step", "relu", "relu2", "erf")
PARAMETRIZATIONS = ("ntk", "standard")
KERNELS = ("ntk", "nngp")
KNOT_RULES = ("uniform", "quasi-uniform", "random", "clustered")
DTYPES = ("float16", "float32", "float64")
MIN_ANGLE = 1e-12


def _check_int(name: str, value, lo: int, hi: int, example: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidArgument(f"{name}={value!r} must be an integer: use {lo}..{hi}, "
                              f"e.g. {name}={example}")
    require(lo <= value <= hi, f"{name}={value!r} is out of range: use {lo}..{hi}, e.g. {name}={example}")
    return int(value)


def _check_float(name: str, value, lo: float, hi: float, example) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
            or not math.isfinite(value):
        raise InvalidArgument(f"{name}={value!r} must be a finite number: use [{lo}, {hi}], "
                              f"e.g. {name}={example}")
    require(lo <= value <= hi, f"{name}={value!r} is out of range: use [{lo}, {hi}], e.g. {name}={example}")
    return float(value)


def _check_choice(name: str, value, allowed) -> str:
    if value not in allowed:
        raise InvalidArgument(f"{name}={value!r} is unknown: use one of {', '.join(allowed)}")
    return value


def _check_subset(name: str, values, allowed) -> tuple:
    values = tuple([values] if isinstance(values, str) else values)
    require(values, f"{name}=() is empty: give at least one of {', '.join(allowed)}")
    for v in values:
        _check_choice(name, v, allowed)
    return values


# ------------------------------------------------------------------ points and angles

def _normalize(v: list) -> np.ndarray:
    x = np.array(v, dtype=np.float64)
    n = float(np.linalg.norm(x))
    if n < 1e-3:  # the all-zero draw (the shrink target) becomes e_1
        x = np.zeros(len(v))
        x[0] = 1.0
        return x
    return x / n


def unit_vectors(dim: int = 3):
    """Points on S^(dim−1) (float64, norm 1 to rounding); shrinks toward e_1."""
    dim = _check_int("dim", dim, 1, 10_000, 3)
    return st.lists(st.floats(-1, 1, allow_subnormal=False), min_size=dim,
                    max_size=dim).map(_normalize)


def sphere_points(n: int = 5, dim: int = 3, min_n: int | None = None):
    """(k, dim) arrays of unit rows, min_n <= k <= n (min_n defaults to n)."""
    n = _check_int("n", n, 1, 10_000, 5)
    min_n = n if min_n is None else _check_int("min_n", min_n, 1, n, 1)
    return st.lists(unit_vectors(dim), min_size=min_n, max_size=n).map(np.array)


def angles(min_angle: float = MIN_ANGLE, max_angle: float = math.pi):
    """Angles in [min_angle, max_angle], log-spaced toward both ends: θ = 10^(−s) for small
    angles and π − 10^(−s) near π, s uniform, so 1e-12 and π − 1e-12 are as likely as 0.5.
    Shrinks toward 1 rad (clipped into the range): the shrunk angle is the least extreme
    one that still fails."""
    lo = _check_float("min_angle", min_angle, 1e-300, math.pi, 1e-12)
    hi = _check_float("max_angle", max_angle, lo, math.pi, math.pi)
    deep = max(-math.log10(lo), 0.0)

    def clip(t: float) -> float:
        return min(max(t, lo), hi)

    small = st.floats(0, deep).map(lambda s: clip(10.0 ** -s))
    near_pi = st.floats(0, 12).map(lambda s: clip(math.pi - 10.0 ** -s))
    return st.one_of(small, near_pi) if deep > 0 else st.just(clip(1.0))


@dataclass(frozen=True)
class AnglePair:
    """Two rows x, y whose angle is ``theta`` up to the rounding of y (a few ulps absolute:
    the references are computed from the rounded rows, never from ``theta``)."""

    x: np.ndarray
    y: np.ndarray
    theta: float

    def stacked(self) -> tuple[np.ndarray, np.ndarray]:
        """X = [x], Y = [y] as (1, d) arrays."""
        return self.x[None, :], self.y[None, :]


def _orthogonal(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """w made orthogonal to unit x and normalized (a fixed axis when w is nearly parallel)."""
    w = w - (w @ x) * x
    if np.linalg.norm(w) < 1e-3:
        w = np.zeros_like(x)
        w[int(np.argmin(np.abs(x)))] = 1.0
        w = w - (w @ x) * x
    return w / np.linalg.norm(w)


@st.composite
def _pairs(draw, dim, angle_st, norm_st):
    x = draw(unit_vectors(dim))
    w = _orthogonal(x, draw(unit_vectors(dim)))
    th = draw(angle_st)
    rx, ry = draw(norm_st), draw(norm_st)
    y = ry * (math.cos(th) * x + math.sin(th) * w)
    return AnglePair(rx * x, y, th)


def norms(max_ratio: float = 4.0):
    """Row norms in [1/max_ratio, max_ratio], 1 most often (the shrink target)."""
    r = _check_float("max_ratio", max_ratio, 1.0, 1e6, 4.0)
    return st.one_of(st.just(1.0), st.floats(1 / r, r))


def angle_pairs(dim: int = 3, min_angle: float = MIN_ANGLE, max_angle: float = math.pi,
                max_norm_ratio: float = 1.0):
    """:class:`AnglePair` at controlled angles (see :func:`angles`) in R^dim, dim >= 2; norms
    in [1/max_norm_ratio, max_norm_ratio] (1.0: unit vectors, the sphere)."""
    dim = _check_int("dim", dim, 2, 10_000, 3)
    return _pairs(dim, angles(min_angle, max_angle), norms(max_norm_ratio))


@st.composite
def _point_set(draw, n_min, n_max, dim, max_norm_ratio):
    k = draw(st.integers(n_min, n_max))
    rows = []
    for _ in range(k):
        kind = draw(st.sampled_from(["fresh", "near", "scaled"])) if rows else "fresh"
        if kind == "fresh":
            rows.append(draw(unit_vectors(dim)) * draw(norms(max_norm_ratio)))
        else:
            base = rows[draw(st.integers(0, len(rows) - 1))]
            if kind == "near":  # a near-duplicate at distance 10^-s
                s = draw(st.floats(1, 12))
                rows.append(base + 10.0 ** -s * draw(unit_vectors(dim)))
            else:
                rows.append(base * draw(norms(max(max_norm_ratio, 2.0))))
    return np.array(rows)


def point_sets(n_min: int = 2, n_max: int = 6, dim: int = 3, max_norm_ratio: float = 4.0):
    """(k, dim) float64 arrays, n_min <= k <= n_max, mixing fresh rows, near-duplicates of
    earlier rows (distance 1e-1 .. 1e-12: the ill-conditioned Gram matrices) and scaled
    copies (the same direction, another norm)."""
    n_max = _check_int("n_max", n_max, 1, 10_000, 6)
    n_min = _check_int("n_min", n_min, 1, n_max, 2)
    dim = _check_int("dim", dim, 1, 10_000, 3)
    return _point_set(n_min, n_max, dim, _check_float("max_norm_ratio", max_norm_ratio, 1.0, 1e6, 4.0))


# ------------------------------------------------------------------ knots and densities

def _as_knots(values, rule: str):
    from specbias.derive.matrix.knots import check_knots

    return check_knots(list(values), rule)


@st.composite
def _knots(draw, n_min, n_max, rules):
    n = draw(st.integers(n_min, n_max))
    rule = draw(st.sampled_from(rules))
    h = Fraction(2, n)
    uniform = [Fraction(-1) + i * h for i in range(n)]
    if rule == "uniform":
        vals = uniform
    elif rule == "quasi-uniform":  # b_i = -1 + 2(i-1)/n + o(1/n): shifts below h n^(-1/2)/4
        amp = float(h) / (4 * math.sqrt(n))
        vals = [max(b + Fraction(draw(st.floats(-amp, amp))), Fraction(-1)) for b in uniform]
    elif rule == "random":
        vals = [Fraction(v) for v in draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n,
                                                   unique_by=lambda v: v))]
    else:  # clustered: a few centres, knots 10^-s apart around each
        centres = draw(st.lists(st.floats(-0.9, 0.9), min_size=1, max_size=3))
        s = draw(st.floats(2, 8))
        vals = [Fraction(min(max(centres[i % len(centres)] + (i // len(centres)) * 10.0 ** -s,
                                 -1.0), 1.0)) for i in range(n)]
    return _as_knots(sorted(set(vals)), rule)


def knots(n_min: int = 2, n_max: int = 40, rules=KNOT_RULES):
    """:class:`specbias.derive.matrix.knots.Knots` (exact rationals in [-1, 1]) by rule:
    ``uniform`` (b_i = −1 + 2(i−1)/n), ``quasi-uniform`` (plus o(1/n) shifts, Zhao's Z3),
    ``random`` (distinct floats) or ``clustered`` (groups at spacing 1e-2 .. 1e-8)."""
    n_max = _check_int("n_max", n_max, 1, 100_000, 40)
    n_min = _check_int("n_min", n_min, 1, n_max, 2)
    return _knots(n_min, n_max, _check_subset("rules", rules, KNOT_RULES))


@st.composite
def _densities(draw, max_pieces, in_pi):
    from specbias.derive.sphere.density import PiecewiseDensity

    k = draw(st.integers(1, max_pieces))
    if in_pi:  # exact multiples of π: j/12 for j = 0..23
        cuts = draw(st.lists(st.integers(0, 23), min_size=k, max_size=k, unique=True))
        cuts = [Fraction(j, 12) for j in cuts]
    else:
        cuts = draw(st.lists(st.floats(0, 2 * math.pi, exclude_max=True), min_size=k,
                             max_size=k, unique_by=lambda v: round(v, 9)))
    weights = draw(st.lists(st.floats(0.05, 20), min_size=k, max_size=k))
    return PiecewiseDensity.from_pieces(sorted(cuts), weights, in_pi=in_pi)


def circle_densities(max_pieces: int = 5, in_pi: bool = False):
    """Piecewise-constant densities on S¹ (:class:`specbias.derive.sphere.density.PiecewiseDensity`):
    1..max_pieces breakpoints in [0, 2π), distinct, with positive relative weights (0.05..20);
    ``in_pi=True`` draws breakpoints that are exact multiples of π (j π / 12). Shrinks toward
    the uniform density (one piece)."""
    from specbias.derive.sphere.density import MAX_PIECES

    return _densities(_check_int("max_pieces", max_pieces, 1, MAX_PIECES, 5), bool(in_pi))


# ------------------------------------------------------------------ kernel parameters

def activations(kernel: str = "ntk", allowed=ACTIVATIONS):
    """Activations of the supported set; ``kernel="ntk"`` leaves out the step (no finite NTK)."""
    kernel = _check_choice("kernel", kernel, KERNELS)
    allowed = _check_subset("allowed", allowed, ACTIVATIONS)
    pool = [a for a in allowed if not (kernel == "ntk" and a == "step")]
    require(pool, f"allowed={allowed!r} leaves no activation with a finite NTK: add relu, relu2 or erf")
    return st.sampled_from(pool)


def depths(max_depth: int = 4):
    """Numbers of hidden layers 1..max_depth."""
    return st.integers(1, _check_int("max_depth", max_depth, 1, 1000, 4))


def variances(max_weight_var: float = 4.0, max_bias_var: float = 2.0):
    """(σ_w², σ_b²): σ_w² in [0.1, max], σ_b² 0 (often) or in [0, max]."""
    w = _check_float("max_weight_var", max_weight_var, 0.1, 1e6, 4.0)
    b = _check_float("max_bias_var", max_bias_var, 0.0, 1e6, 2.0)
    return st.tuples(st.one_of(st.just(2.0 if w >= 2 else w), st.floats(0.1, w)),
                     st.one_of(st.just(0.0), st.floats(0.0, b)))


def parametrizations():
    return st.sampled_from(PARAMETRIZATIONS)


def dtypes(names=("float32", "float64")):
    """NumPy dtype names from ``DTYPES``."""
    return st.sampled_from(_check_subset("names", names, DTYPES))


def devices():
    """"cpu", and "cuda" where torch sees a GPU (torch is imported on first use only)."""
    import torch

    return st.sampled_from(["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"])


@dataclass(frozen=True)
class KernelConfig:
    """One NTK/NNGP configuration, as :func:`specbias.testing.assert_kernel_close` takes it."""

    activation: str = "relu"
    depth: int = 1
    weight_var: float = 2.0
    bias_var: float = 0.0
    parametrization: str = "ntk"

    def kwargs(self) -> dict:
        return dict(activation=self.activation, depth=self.depth, weight_var=self.weight_var,
                    bias_var=self.bias_var, parametrization=self.parametrization)


@st.composite
def _configs(draw, kernel, max_depth, allowed):
    wv, bv = draw(variances())
    return KernelConfig(draw(activations(kernel, allowed)), draw(depths(max_depth)), wv, bv,
                        draw(parametrizations()))


def kernel_configs(kernel: str = "ntk", max_depth: int = 4, allowed=ACTIVATIONS):
    """:class:`KernelConfig` over activations, depths, variances and parametrizations."""
    _check_choice("kernel", kernel, KERNELS)
    _check_int("max_depth", max_depth, 1, 1000, 4)
    _check_subset("allowed", allowed, ACTIVATIONS)
    return _configs(kernel, max_depth, allowed)


__all__ = ["ACTIVATIONS", "AnglePair", "DTYPES", "KNOT_RULES", "KernelConfig", "activations",
           "angle_pairs", "angles", "circle_densities", "depths", "devices", "dtypes",
           "kernel_configs", "knots", "norms", "parametrizations", "point_sets",
           "sphere_points", "unit_vectors", "variances"]
