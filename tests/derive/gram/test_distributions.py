"""Z10's identities, checked by pairing with test functions and by Cartesian quadrature."""

from __future__ import annotations

import mpmath
import pytest

from specbias.derive.gram.distributions import laplacian_chain_rule, mollified_pairing, one_dimensional, pairing_2d


def test_one_dimensional_pairings():
    _, checks = one_dimensional()
    assert checks["by_parts_x"] and checks["by_parts_b"] and checks["mollifier"]
    errs = checks["mollifier_rel_errors"]
    # O(eps^2): each factor 10 in eps gains about two digits.
    assert errs[1] < errs[0] / 50 and errs[2] < errs[1] / 50


def test_mollifier_converges_to_point_value():
    with mpmath.workdps(30):
        val = mollified_pairing("0.5", "0.1", "0.3", "1e-5")
        target = mpmath.exp(-(mpmath.mpf("0.4")) ** 2 / (2 * mpmath.mpf("0.3") ** 2))
        assert abs(val / target - 1) < 1e-8  # O(eps^2 / s^2) ~ 1e-9


def test_chain_rule():
    _, ok = laplacian_chain_rule(3)
    assert ok


@pytest.mark.parametrize("w,expected_ratio", [((0.6, 0.8), 1.0), ((1.5, -2.0), 2.5)])
def test_pairing_2d(w, expected_ratio):
    """Ratio of <Delta sigma(w.x - b), phi> to the line integral is |w| (1 for unit w)."""
    pairing, line, norm = pairing_2d(w, 0.2, (0.3, -0.4), dps=15)
    # nested 15-digit quadrature on kink-split smooth pieces: 1e-9 is conservative.
    assert abs(pairing / line - expected_ratio) < 1e-9
