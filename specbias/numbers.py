"""Numbers printed with the digits they carry.

A report prints three kinds of numbers, each as a typed value that stays an object until it
is rendered or written to JSON:

- :class:`Measured`: a value with a standard uncertainty (a fit, a Monte Carlo mean). The
  uncertainty is printed to two significant digits when its leading digit is 1 or 2 and to
  one otherwise (the Particle Data Group's rule), the value to the same decimal place.
- :class:`Certified`: a decimal string whose digits are proved (a certified eigenvalue).
- :class:`Approx`: a float computed once in finite precision (a maximum error, a ratio),
  printed to a stated number of significant digits (two by default), enough to say what it
  is and few enough that the printout does not change from run to run or machine to machine.

Integers and exact rationals are printed as they are. :func:`as_number` turns what an audit
produced into one of these; :func:`number_tex` and :func:`number_text` render it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from specbias.errors import InvalidArgument


def _sci_parts(x: float, sig: int) -> tuple[str, int]:
    """Mantissa string with ``sig`` significant digits and the decimal exponent of ``x``."""
    if x == 0:
        return "0", 0
    mant, exp = f"{x:.{sig - 1}e}".split("e")
    return mant, int(exp)


def _tex_sci(mant: str, exp: int) -> str:
    return mant if exp == 0 else rf"{mant} \times 10^{{{exp}}}"


def _text_sci(mant: str, exp: int) -> str:
    return mant if exp == 0 else f"{mant}e{exp}"


def _plain_range(exp: int) -> bool:
    """Print positionally (0.0017, 1296) rather than with a power of ten."""
    return -3 <= exp <= 4


@dataclass(frozen=True)
class Approx:
    """A float shown to ``digits`` significant digits.

    >>> str(Approx(1.9999999999999998))
    '2.0'
    >>> str(Approx(3.2187e-16))
    '3.2e-16'
    """

    value: float
    digits: int = 2

    def __post_init__(self) -> None:
        if not 1 <= self.digits <= 17:
            raise InvalidArgument(f"digits {self.digits!r} must be 1..17")

    def _parts(self) -> tuple[str, int] | None:
        v = float(self.value)
        if not math.isfinite(v):
            return None
        return _sci_parts(v, self.digits)

    def _positional(self) -> str | None:
        parts = self._parts()
        if parts is None:
            return None
        mant, exp = parts
        if not _plain_range(exp):
            return None
        decimals = max(self.digits - 1 - exp, 0)
        return f"{float(mant) * 10 ** exp:.{decimals}f}"

    def text(self) -> str:
        parts = self._parts()
        if parts is None:
            return str(float(self.value))
        return self._positional() or _text_sci(*parts)

    def tex(self) -> str:
        parts = self._parts()
        if parts is None:
            return {"inf": r"\infty", "-inf": r"-\infty"}.get(str(float(self.value)), r"\mathrm{NaN}")
        return self._positional() or _tex_sci(*parts)

    def to_json(self):
        return {"value": float(self.value), "digits": self.digits}

    __str__ = text


@dataclass(frozen=True)
class Measured:
    """A value with its standard uncertainty, printed to the precision of the uncertainty.

    >>> str(Measured(1.2959354841270851, 0.0017))
    '1.2959 ± 0.0017'
    >>> str(Measured(-0.5312, 0.087))
    '-0.53 ± 0.09'
    >>> str(Measured(3.21e-5, 4.4e-6))
    '(3.2 ± 0.4)e-5'
    """

    value: float
    uncertainty: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.uncertainty) and self.uncertainty >= 0):
            raise InvalidArgument(f"uncertainty {self.uncertainty!r} must be finite and >= 0")

    def _decimal_place(self) -> int:
        """Exponent of the last printed digit (from the uncertainty)."""
        u = float(self.uncertainty)
        if u == 0:
            return _sci_parts(float(self.value), 6)[1] - 5 if self.value else 0
        mant, exp = _sci_parts(u, 2)
        keep_two = mant[0] in "12"
        return exp - 1 if keep_two else exp

    def _pieces(self) -> tuple[str, str, int]:
        """(value, uncertainty, common power of ten) as strings rounded at the same place."""
        v, u = float(self.value), float(self.uncertainty)
        lead = _sci_parts(max(abs(v), u), 1)[1] if (v or u) else 0
        shift = 0 if _plain_range(lead) else lead
        place = self._decimal_place() - shift

        def fmt(x: float) -> str:
            x = x / 10.0 ** shift
            if place >= 0:
                return f"{round(x / 10.0 ** place) * 10.0 ** place:.0f}"
            return f"{x:.{-place}f}"

        return fmt(v), fmt(u), shift

    def text(self) -> str:
        v, u, shift = self._pieces()
        return f"{v} ± {u}" if shift == 0 else f"({v} ± {u})e{shift}"

    def tex(self) -> str:
        v, u, shift = self._pieces()
        return rf"{v} \pm {u}" if shift == 0 else rf"({v} \pm {u}) \times 10^{{{shift}}}"

    def to_json(self):
        return {"value": float(self.value), "uncertainty": float(self.uncertainty)}

    __str__ = text


@dataclass(frozen=True)
class Certified:
    """A decimal string whose ``digits`` significant digits are proved.

    >>> str(Certified("1.294250906828532239404726606235712022568", 12))
    '1.29425090683'
    """

    decimal: str
    digits: int

    def __post_init__(self) -> None:
        try:
            Fraction(self.decimal)
        except (ValueError, ZeroDivisionError):
            raise InvalidArgument(f"certified value {self.decimal!r} is not a decimal") from None
        if not 1 <= int(self.digits) <= 10_000:
            raise InvalidArgument(f"digits {self.digits!r} must be 1..10000")

    def text(self) -> str:
        import mpmath

        with mpmath.workdps(self.digits + 5):
            out = mpmath.nstr(mpmath.mpf(self.decimal), self.digits, strip_zeros=False,
                              min_fixed=-4, max_fixed=6)
        return out.replace("e+", "e")

    def tex(self) -> str:
        t = self.text()
        if "e" in t:
            mant, exp = t.split("e")
            return _tex_sci(mant, int(exp))
        return t

    def to_json(self):
        return {"decimal": self.decimal, "digits": self.digits}

    __str__ = text


@dataclass(frozen=True)
class Exact:
    """An integer or rational, printed exactly."""

    value: Fraction

    def text(self) -> str:
        v = Fraction(self.value)
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"

    def tex(self) -> str:
        v = Fraction(self.value)
        if v.denominator == 1:
            return str(v.numerator)
        sign = "-" if v < 0 else ""
        return rf"{sign}\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"

    def to_json(self):
        v = Fraction(self.value)
        return v.numerator if v.denominator == 1 else {"fraction": self.text()}

    __str__ = text


@dataclass(frozen=True)
class Below:
    """A value known only to lie below ``bound``: a result at the level of rounding, whose
    digits change with the order of floating-point operations (the BLAS thread count), printed
    and stored as the bound so that reports stay byte-identical.

    >>> str(Below(1e-12)), Below(1e-12).tex()
    ('< 1e-12', '<10^{-12}')
    """

    bound: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.bound) and self.bound > 0):
            raise InvalidArgument(f"bound {self.bound!r} must be a positive number")

    def text(self) -> str:
        return "< " + Approx(self.bound, 1).text()

    def tex(self) -> str:
        mant, exp = _sci_parts(self.bound, 1)
        return "<" + (f"10^{{{exp}}}" if mant == "1" else _tex_sci(mant, exp))

    def to_json(self):
        return {"below": float(self.bound)}

    __str__ = text


def rounding_level(value: float, floor: float, digits: int = 2) -> "Approx | Below":
    """``Below(floor)`` when ``|value| < floor`` (a rounding-level result), else ``Approx``."""
    return Below(floor) if abs(float(value)) < floor else Approx(float(value), digits)


Number = Approx | Measured | Certified | Exact | Below


def as_number(value) -> Number:
    """The typed form of a number an audit produced (ints and Fractions exact, floats Approx)."""
    if isinstance(value, (Approx, Measured, Certified, Exact, Below)):
        return value
    if isinstance(value, bool):
        raise InvalidArgument(f"{value!r} is a truth value, not a number")
    if isinstance(value, (int, Fraction)):
        return Exact(Fraction(value))
    try:
        return Approx(float(value))
    except (TypeError, ValueError):
        raise InvalidArgument(f"{value!r} is not a number") from None


def number_tex(value) -> str:
    """LaTeX of a number (no ``$``)."""
    return as_number(value).tex()


def number_text(value) -> str:
    """Plain-text form of a number."""
    return as_number(value).text()


def num(value, digits: int | None = None) -> str:
    """``$...$`` inline math of a number, for prose; ``digits`` sets an Approx's digits.

    >>> num(0.118347, 3)
    '$0.118$'
    >>> num(Measured(-0.53, 0.09))
    '$-0.53 \\\\pm 0.09$'
    """
    if digits is not None and not isinstance(value, (Measured, Certified, Exact, Below, int)):
        value = Approx(float(value), digits)
    return f"${number_tex(value)}$"


def number_from_json(data) -> Number:
    """Read back :meth:`to_json` of any number (untrusted input: only numbers are accepted)."""
    if isinstance(data, bool):
        raise InvalidArgument(f"{data!r} is not a stored number")
    if isinstance(data, int):
        return Exact(Fraction(data))
    if isinstance(data, dict):
        if set(data) == {"value", "uncertainty"}:
            return Measured(float(data["value"]), float(data["uncertainty"]))
        if set(data) == {"value", "digits"}:
            return Approx(float(data["value"]), int(data["digits"]))
        if set(data) == {"decimal", "digits"}:
            return Certified(str(data["decimal"]), int(data["digits"]))
        if set(data) == {"below"}:
            return Below(float(data["below"]))
        if set(data) == {"fraction"}:
            return Exact(Fraction(str(data["fraction"])))
    raise InvalidArgument(f"{str(data)[:60]!r} is not a stored number: the audit JSON is damaged")


__all__ = ["Approx", "Below", "Certified", "Exact", "Measured", "Number", "as_number", "num",
           "number_from_json", "number_tex", "number_text", "rounding_level"]
