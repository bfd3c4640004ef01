"""Piecewise-constant probability densities on the circle S¹ (public API).

A density is given by its breakpoints 0 ≤ b_1 < b_2 < ... < b_m < 2π and positive relative
weights w_1, ..., w_m: on the arc from b_j to b_(j+1) (the last arc wraps from b_m through 2π
to b_1) the density is p_j = w_j / Σ_i w_i ℓ_i, where ℓ_j is the arc length, so that
∫ p = 1. Breakpoints and weights are kept as exact rationals (multiples of π for the
breakpoints are accepted through :meth:`PiecewiseDensity.from_pi_fractions`), numbers are
produced at any precision with mpmath.

This is the density of Basri et al., "Frequency Bias in Neural Networks for Input of
Non-Uniform Density", ICML 2020, Sec. 3 (piecewise constant p on S¹).

>>> p = PiecewiseDensity.parse("0:1,2.1:2,4.2:4")
>>> len(p.breakpoints), p.min_density() < p.max_density()
(3, True)
>>> abs(float(p.total_mass()) - 1) < 1e-15
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath

from specbias.errors import InvalidArgument, require

TWO_PI = 2 * math.pi
#: Most pieces a density may have (the spectrum's cost grows with the number of panels).
MAX_PIECES = 64


def _as_fraction(value: object, what: str) -> Fraction:
    if isinstance(value, bool) or value is None:
        raise InvalidArgument(f"{what} {value!r} is not a number: use e.g. 0, 2.1 or 3/4")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        require(math.isfinite(value), f"{what} {value!r} is not finite: use a finite number")
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise InvalidArgument(f"{what} {value!r} is not a number: use a decimal or a "
                                  "fraction such as 2.1 or 3/4") from None
    if isinstance(value, mpmath.mpf):
        require(mpmath.isfinite(value), f"{what} {value!r} is not finite: use a finite number")
        return Fraction(*_mpf_ratio(value))
    raise InvalidArgument(f"{what} {value!r} is not a number: use e.g. 0, 2.1 or 3/4")


def _mpf_ratio(x: mpmath.mpf) -> tuple[int, int]:
    man, exp = mpmath.mpf(x).man_exp
    return (man * 2 ** exp, 1) if exp >= 0 else (man, 2 ** -exp)


@dataclass(frozen=True)
class PiecewiseDensity:
    """A piecewise-constant probability density on S¹ = [0, 2π).

    ``breakpoints`` (strictly increasing, in [0, 2π)) are the starts of the pieces in units of
    radians, or in units of π when ``in_pi`` is True (then a breakpoint 2/3 means 2π/3, exactly);
    ``weights`` are the relative heights, all > 0. Both are stored as Fractions. Build it with
    :meth:`from_pieces` (checks everything), :meth:`parse` (the CLI's ``0:1,2.1:2,4.2:4``),
    :meth:`uniform`, :meth:`from_pi_fractions`.
    """

    breakpoints: tuple[Fraction, ...]
    weights: tuple[Fraction, ...]
    in_pi: bool = False

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_pieces(cls, breakpoints, weights, in_pi: bool = False) -> "PiecewiseDensity":
        """Check and build: ``breakpoints`` b_1 < ... < b_m in [0, 2π) (in [0, 2) when
        ``in_pi``), ``weights`` w_j > 0 of the arc [b_j, b_(j+1)); m ≥ 1."""
        bps = tuple(_as_fraction(b, "breakpoint") for b in breakpoints)
        ws = tuple(_as_fraction(w, "weight") for w in weights)
        require(len(bps) >= 1, "a density needs at least one piece: give one breakpoint and "
                               "one weight, e.g. 0:1 for the uniform density")
        require(len(bps) == len(ws), f"{len(bps)} breakpoints but {len(ws)} weights: give one "
                                     "weight per breakpoint")
        require(len(bps) <= MAX_PIECES, f"{len(bps)} pieces is too many: use at most {MAX_PIECES}")
        for w in ws:
            require(w > 0, f"weight {_show(w)} is not positive: every piece needs a weight > 0")
        top = Fraction(2) if in_pi else None
        for b in bps:
            inside = (0 <= b < top) if in_pi else (0 <= b and float(b) < TWO_PI)
            require(inside, f"breakpoint {_show(b)}{'π' if in_pi else ''} is outside [0, 2π): "
                            "use values from 0 up to (not including) 2π")
        for a, b in zip(bps, bps[1:]):
            require(a != b, f"breakpoint {_show(b)} is repeated: give each breakpoint once")
            require(a < b, f"breakpoints {_show(a)}, {_show(b)} are not increasing: sort them")
        if not in_pi:
            # the arc that wraps through 2π must have positive length in floating point too
            require(float(bps[-1]) < TWO_PI, f"breakpoint {_show(bps[-1])} is 2π or more")
        return cls(bps, ws, in_pi)

    @classmethod
    def from_pi_fractions(cls, breakpoints, weights) -> "PiecewiseDensity":
        """Breakpoints given as multiples of π (e.g. 0, 2/3, 4/3 for three equal arcs)."""
        return cls.from_pieces(breakpoints, weights, in_pi=True)

    @classmethod
    def uniform(cls) -> "PiecewiseDensity":
        """p = 1/(2π)."""
        return cls.from_pieces([0], [1])

    @classmethod
    def parse(cls, text: object) -> "PiecewiseDensity":
        """Parse ``B1:W1,B2:W2,...`` (radians; ``B`` may end in ``pi`` for multiples of π, e.g.
        ``0:1,2/3pi:2,4/3pi:4``: then every breakpoint must be written that way)."""
        require(isinstance(text, str) and text.strip() != "",
                f"density {text!r} is empty: use breakpoint:weight pairs such as 0:1,2.1:2,4.2:4")
        items = [t.strip() for t in text.split(",") if t.strip()]
        bps, ws = [], []
        for item in items:
            parts = item.split(":")
            require(len(parts) == 2, f"density piece {item!r} is not BREAKPOINT:WEIGHT: use e.g. "
                                     "0:1,2.1:2,4.2:4")
            bps.append(parts[0].strip())
            ws.append(parts[1].strip())
        pis = [b.lower().endswith("pi") for b in bps]
        zero = [b.strip() in ("0", "0.0") for b in bps]
        if any(pis):  # a bare 0 is 0 in either unit
            pis = [p or z for p, z in zip(pis, zero)]
        require(all(pis) or not any(pis), f"density {text!r} mixes breakpoints in radians and in "
                                          "multiples of pi: write all of them one way")
        if all(pis):
            bps = [(b[:-2].strip() or "1") if b.lower().endswith("pi") else b for b in bps]
        return cls.from_pieces(bps, ws, in_pi=all(pis))

    # ------------------------------------------------------------------ numbers
    def breakpoints_mp(self) -> list:
        """Breakpoints in radians as mpf at the current mpmath precision."""
        scale = mpmath.pi if self.in_pi else mpmath.mpf(1)
        return [mpmath.mpf(b.numerator) / b.denominator * scale for b in self.breakpoints]

    def lengths_mp(self) -> list:
        """Arc lengths ℓ_j (the last wraps through 2π)."""
        b = self.breakpoints_mp()
        return [b[j + 1] - b[j] for j in range(len(b) - 1)] + [2 * mpmath.pi - b[-1] + b[0]]

    def values_mp(self) -> list:
        """Densities p_j = w_j / Σ w_i ℓ_i (mpf)."""
        lengths = self.lengths_mp()
        ws = [mpmath.mpf(w.numerator) / w.denominator for w in self.weights]
        mass = mpmath.fsum(w * l for w, l in zip(ws, lengths))
        return [w / mass for w in ws]

    def total_mass(self):
        """∫ p over the circle (1 up to rounding; for checks)."""
        return mpmath.fsum(p * l for p, l in zip(self.values_mp(), self.lengths_mp()))

    def pieces(self) -> list[tuple]:
        """[(start, end, p_j)] with start < end ≤ start + 2π, in radians (mpf)."""
        b, p = self.breakpoints_mp(), self.values_mp()
        ends = b[1:] + [b[0] + 2 * mpmath.pi]
        return list(zip(b, ends, p))

    def __call__(self, x):
        """p(x) for a real x (any real: reduced mod 2π), as mpf."""
        x = mpmath.mpf(x) % (2 * mpmath.pi)
        b, p = self.breakpoints_mp(), self.values_mp()
        j = max((i for i, bi in enumerate(b) if bi <= x), default=len(b) - 1)
        return p[j]

    def min_density(self):
        return min(self.values_mp())

    def max_density(self):
        return max(self.values_mp())

    def rotated(self, angle) -> "PiecewiseDensity":
        """p(x − angle) as a density (the breakpoints shifted by ``angle``, a Fraction in the
        same units as the breakpoints)."""
        a = _as_fraction(angle, "rotation angle")
        if self.in_pi:
            bs = [(b + a) % 2 for b in self.breakpoints]
        else:  # 2π is irrational: reduce at 60 digits (exact to far below any use)
            with mpmath.workdps(60):
                bs = [Fraction(*_mpf_ratio(mpmath.fmod(mpmath.mpf(b.numerator) / b.denominator
                                                       + mpmath.mpf(a.numerator) / a.denominator,
                                                       2 * mpmath.pi)))
                      for b in self.breakpoints]
        order = sorted(range(len(bs)), key=lambda i: bs[i])
        return PiecewiseDensity.from_pieces([bs[i] for i in order],
                                            [self.weights[i] for i in order], self.in_pi)

    def split(self, index: int, at) -> "PiecewiseDensity":
        """The same density with piece ``index`` cut in two at ``at`` (same weight on both)."""
        require(0 <= index < len(self.breakpoints), f"piece index {index} is out of range")
        bs, ws = list(self.breakpoints), list(self.weights)
        bs.insert(index + 1, _as_fraction(at, "split point"))
        ws.insert(index + 1, ws[index])
        order = sorted(range(len(bs)), key=lambda i: bs[i])
        return PiecewiseDensity.from_pieces([bs[i] for i in order], [ws[i] for i in order],
                                            self.in_pi)

    def psi_total(self):
        """Ψ(2π) = ∫ sqrt(p) over the circle (Basri et al.'s Ψ(π) with their x ∈ [−π, π))."""
        return mpmath.fsum(mpmath.sqrt(p) * l for p, l in zip(self.values_mp(), self.lengths_mp()))

    def describe(self) -> str:
        unit = "π" if self.in_pi else ""
        return "p = " + ", ".join(f"{_show(w)} on [{_show(b)}{unit if b else ''}, …)"
                                  for b, w in zip(self.breakpoints, self.weights)) \
            + " (relative weights, normalized to mass 1)"

    def to_json(self) -> dict:
        return {"breakpoints": [str(b) for b in self.breakpoints],
                "weights": [str(w) for w in self.weights],
                "units": "pi" if self.in_pi else "radians"}

    def key(self) -> tuple:
        """A hashable identity (for caches)."""
        return (tuple(map(str, self.breakpoints)), tuple(map(str, self.weights)), self.in_pi)


def _show(v: Fraction) -> str:
    if v.denominator == 1:
        return str(v.numerator)
    f = float(v)
    return f"{v.numerator}/{v.denominator}" if v.denominator < 1000 else repr(f)


def seed_three_piece() -> PiecewiseDensity:
    """Three arcs of length 2π/3 with p ∈ 3/(2π)·{1/7, 2/7, 4/7} (Basri et al., Fig. 2)."""
    return PiecewiseDensity.from_pi_fractions([0, Fraction(2, 3), Fraction(4, 3)], [1, 2, 4])


def two_level_period_pi(ratio=3) -> PiecewiseDensity:
    """Two levels alternating on quarter circles, p(x + π) = p(x): weights 1, ratio, 1, ratio."""
    return PiecewiseDensity.from_pi_fractions([0, Fraction(1, 2), 1, Fraction(3, 2)],
                                              [1, ratio, 1, ratio])


__all__ = ["MAX_PIECES", "PiecewiseDensity", "seed_three_piece", "two_level_period_pi"]
