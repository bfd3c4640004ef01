"""Validation of the parameters every derivation shares (power, interval, dps, count).

Numbers from users are parsed with :class:`fractions.Fraction`, which accepts
only numeric literals (``-1``, ``0.25``, ``3/4``): no expression is evaluated.

This module is light (SymPy is imported only when a rational is built), so that the command
line can check sizes at parse time without importing the mathematics.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from specbias.errors import InvalidArgument, require

if TYPE_CHECKING:  # pragma: no cover
    import sympy

#: Powers of the ReLU^P basis that the symbolic pipeline supports.
MAX_POWER = 6
#: Decimal digits accepted for high-precision output.
MIN_DPS, MAX_DPS = 5, 200


def check_power(power: object) -> int:
    """Return ``power`` as an int in ``0..MAX_POWER`` or raise InvalidArgument."""
    if isinstance(power, bool) or not isinstance(power, int):
        raise InvalidArgument(f"power {power!r} must be an integer from 0 to {MAX_POWER}")
    require(0 <= power <= MAX_POWER, f"power {power} is unsupported: use 0..{MAX_POWER}")
    return power


def parse_number(text: object, what: str) -> "sympy.Rational":
    """Parse an exact rational from an int, a Fraction or a numeric literal string."""
    import sympy

    if isinstance(text, sympy.Rational):
        return text
    if isinstance(text, bool):
        raise InvalidArgument(f"{what} {text!r} is not a number: use e.g. -1, 0.5 or 3/4")
    if isinstance(text, (int, Fraction)):
        f = Fraction(text)
    elif isinstance(text, float):
        require(text == text and abs(text) != float("inf"), f"{what} {text!r} is not finite")
        f = Fraction(text)
    elif isinstance(text, str):
        try:
            f = Fraction(text.strip())
        except (ValueError, ZeroDivisionError):
            raise InvalidArgument(
                f"{what} {text!r} is not a number: use a decimal or a fraction such as -1, 0.5, 3/4"
            ) from None
    else:
        raise InvalidArgument(f"{what} {text!r} is not a number: use e.g. -1, 0.5 or 3/4")
    return sympy.Rational(f.numerator, f.denominator)


def check_interval(interval: object = (-1, 1)) -> tuple["sympy.Rational", "sympy.Rational"]:
    """Return (A, B) as exact rationals with A < B.

    Accepts a pair or a string ``"A,B"``.
    """
    if isinstance(interval, str):
        parts = interval.split(",")
        require(
            len(parts) == 2,
            f"interval {interval!r} must be two numbers 'A,B' with A < B, e.g. -1,1",
        )
    else:
        try:
            parts = list(interval)  # type: ignore[arg-type]
        except TypeError:
            raise InvalidArgument(f"interval {interval!r} must be a pair (A, B) with A < B") from None
        require(len(parts) == 2, f"interval {interval!r} must be a pair (A, B) with A < B")
    where = f" of {interval!r}" if isinstance(interval, str) else ""
    a = parse_number(parts[0], "interval start" + where)
    b = parse_number(parts[1], "interval end" + where)
    given = repr(interval) if isinstance(interval, str) else f"[{a}, {b}]"
    require(a < b, f"interval {given} is empty or reversed: use A < B, e.g. -1,1")
    return a, b


def check_dps(dps: object, maximum: int = MAX_DPS) -> int:
    """Return the requested decimal digits, an int in ``MIN_DPS..maximum``."""
    if isinstance(dps, bool) or not isinstance(dps, int):
        raise InvalidArgument(f"dps {dps!r} must be an integer from {MIN_DPS} to {maximum}")
    require(MIN_DPS <= dps <= maximum, f"dps {dps} is out of range: use {MIN_DPS}..{maximum}")
    return dps


def check_count(count: object, maximum: int = 10_000, what: str = "count") -> int:
    """Return a positive integer count no larger than ``maximum``."""
    if isinstance(count, bool) or not isinstance(count, int):
        raise InvalidArgument(f"{what} {count!r} must be a positive integer")
    require(count >= 1, f"{what} {count} must be at least 1")
    require(count <= maximum, f"{what} {count} is too large: use at most {maximum}")
    return count
