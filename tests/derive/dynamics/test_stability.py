"""The SGD multiplier derived by SymPy against exact enumeration of every batch."""

from fractions import Fraction

import pytest
import sympy

from specbias.derive.dynamics import stability as S

H = [Fraction(1), Fraction(2), Fraction(5), Fraction(1, 2), Fraction(3), Fraction(7, 3)]


@pytest.mark.parametrize("sampling", S.SAMPLINGS)
@pytest.mark.parametrize("batch", [1, 2, 3])
@pytest.mark.parametrize("lr", ["1/4", "3/5"])
def test_derived_multiplier_equals_enumeration(sampling, batch, lr):
    out, _ = S.multiplier_derivation()
    n = len(H)
    a = sum(H) / n
    s2 = sum(h * h for h in H) / n - a * a
    value = out[sampling].subs({S.eta: sympy.Rational(lr), S.a: sympy.Rational(a.numerator, a.denominator),
                                S.s: sympy.sqrt(sympy.Rational(s2.numerator, s2.denominator)),
                                S.B: batch, S.n: n})
    exact = S.exact_multiplier(H, lr, batch, sampling)
    assert sympy.nsimplify(value) == sympy.Rational(exact.numerator, exact.denominator)


def test_slide_formula_is_the_with_replacement_case():
    out, d = S.multiplier_derivation()
    slide = (1 - S.eta * S.a) ** 2 + S.eta ** 2 * S.s ** 2 / S.B
    assert sympy.simplify(out["with"] - slide) == 0
    assert sympy.simplify(out["without"] - slide) != 0
