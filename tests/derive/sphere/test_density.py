"""Piecewise-constant densities: construction, validation, normalization."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from specbias.derive.sphere.density import PiecewiseDensity, seed_three_piece, two_level_period_pi
from specbias.errors import InvalidArgument


def test_mass_is_one_and_values_follow_weights():
    with mpmath.workdps(40):
        p = seed_three_piece()
        # independent: the mass by integrating p(x) piece by piece at midpoints of a fine grid
        xs = [2 * mpmath.pi * (j + mpmath.mpf(1) / 2) / 3000 for j in range(3000)]
        riemann = mpmath.fsum(p(x) for x in xs) * 2 * mpmath.pi / 3000
        assert abs(riemann - 1) < mpmath.mpf(10) ** -30  # breakpoints fall on grid cell edges
        vals = p.values_mp()
        assert abs(vals[1] / vals[0] - 2) < mpmath.mpf(10) ** -35
        assert abs(vals[2] * 2 * mpmath.pi / 3 * 7 / 4 - 1) < mpmath.mpf(10) ** -35


def test_parse_radians_and_pi_units():
    a = PiecewiseDensity.parse("0:1,2.1:2,4.2:4")
    assert a.breakpoints == (0, Fraction(21, 10), Fraction(21, 5)) and not a.in_pi
    b = PiecewiseDensity.parse("0:1, 2/3pi:2, 4/3pi:4")
    assert b == seed_three_piece()
    assert PiecewiseDensity.parse("0:3") .weights == (3,)


@pytest.mark.parametrize("text,needle", [
    ("0:1,1:0", "weight 0 is not positive"),
    ("0:1,1:-2", "weight -2 is not positive"),
    ("2:1,1:2", "not increasing"),
    ("0:1,1:1,1:2", "repeated"),
    ("0:1,7:2", "outside [0, 2π)"),
    ("-1:1", "outside [0, 2π)"),
    ("0:1,1pi:2,2:1", "mixes"),
    ("0:1,2pi:1", "outside [0, 2π)"),
    ("0;1", "BREAKPOINT:WEIGHT"),
    ("", "empty"),
    ("a:1", "not a number"),
])
def test_bad_input_names_the_value(text, needle):
    with pytest.raises(InvalidArgument, match=None) as err:
        PiecewiseDensity.parse(text)
    assert needle in str(err.value)


def test_rotation_and_split_keep_the_density():
    p = two_level_period_pi(3)
    r = p.rotated(Fraction(1, 3))
    with mpmath.workdps(30):
        for x in (0.1, 1.0, 2.5, 4.0, 6.0):
            assert r(x + mpmath.pi / 3) == p(x)
        s = p.split(1, Fraction(3, 4))
        assert len(s.breakpoints) == 5
        for x in (0.1, 1.0, 2.5, 4.0, 6.0):
            assert abs(s(x) - p(x)) < mpmath.mpf(10) ** -28
