"""Numbers printed with the digits they carry, checked against an independent Decimal rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specbias.errors import InvalidArgument
from specbias.numbers import Approx, Certified, Exact, Measured, as_number, num, number_from_json

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).filter(lambda v: abs(v) > 1e-12 or v == 0)
positive = st.floats(min_value=1e-9, max_value=1e9)


def _to_float(text: str) -> float:
    """Parse our printed form back: '1.23 ± 0.05', '(1.2 ± 0.3)e-5', '3.2e-16'."""
    if text.startswith("("):
        body, exp = text[1:].split(")e")
        return float(body.split(" ± ")[0]) * 10.0 ** int(exp)
    return float(text.split(" ± ")[0])


@given(finite, positive)
def test_measured_value_is_rounded_at_the_uncertainty(value, unc):
    m = Measured(value, unc)
    text = m.text()
    shown_unc = text.split(" ± ")[1].split(")")[0]
    digits = len(shown_unc.replace(".", "").lstrip("0"))
    assert digits in (1, 2)  # the uncertainty keeps one or two significant digits
    # The printed value is within one unit of the last printed place of the true value.
    place = Decimal(shown_unc).as_tuple().exponent
    scale = 10.0 ** int(text.split(")e")[1]) if ")e" in text else 1.0
    assert abs(_to_float(text) - value) <= 10.0 ** place * scale * 0.5 + abs(value) * 1e-12


@given(finite, st.integers(1, 6))
def test_approx_keeps_its_significant_digits(value, digits):
    a = Approx(value, digits)
    expect = Decimal(repr(value)).quantize(Decimal(1)) if value == 0 else None
    got = float(a.text())
    if value != 0:
        exp = Decimal(repr(value)).adjusted()
        q = Decimal(1).scaleb(exp - digits + 1)
        expect = float(Decimal(repr(value)).quantize(q, rounding=ROUND_HALF_EVEN))
        assert got == pytest.approx(expect, rel=10.0 ** (1 - digits))
    else:
        assert got == 0 and expect == 0


def test_examples_from_the_reports():
    assert str(Measured(1.2959354841270851, 0.0017)) == "1.2959 ± 0.0017"
    assert str(Approx(1.9999999999999998)) == "2.0"
    assert Measured(3.21e-5, 4.4e-6).tex() == r"(3.2 \pm 0.4) \times 10^{-5}"
    assert str(Certified("0.03295443840671515589874248486658134379044", 10)) == "0.03295443841"
    assert Exact(Fraction(-3, 4)).tex() == r"-\frac{3}{4}"


@given(st.one_of(finite.map(Approx), st.tuples(finite, positive).map(lambda p: Measured(*p)),
                 st.integers(-10**6, 10**6).map(as_number)))
def test_json_round_trip(n):
    assert number_from_json(n.to_json()) == n


@pytest.mark.parametrize("bad", [True, "1.0", {"value": 1}, {"decimal": "x", "digits": 3}, [1]])
def test_untrusted_numbers_are_rejected(bad):
    with pytest.raises(InvalidArgument):
        number_from_json(bad)


def test_rounding_level_values_print_and_store_only_their_bound():
    from specbias.numbers import Below, rounding_level

    a, b = rounding_level(6.6e-15, 1e-12), rounding_level(1.1e-14, 1e-12)
    assert a == b == Below(1e-12)  # two runs that differ in rounding give the same report
    assert num(a) == "$<10^{-12}$" and number_from_json(a.to_json()) == a
    assert rounding_level(3.0e-12, 1e-12) == Approx(3.0e-12)
    with pytest.raises(InvalidArgument):
        Below(0.0)
