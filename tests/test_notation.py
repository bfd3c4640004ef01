"""The printer and the math vocabulary: what specbias prints passes its own check, nothing
dangerous does."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from specbias.errors import InvalidArgument
from specbias.notation import check_math, check_prose, inline, split_prose, tex

x, y, b = sympy.symbols("x y b", real=True)
_ATOMS = [x, y, b, sympy.Symbol("phi"), sympy.Symbol("epsilon"), sympy.Symbol("x'"),
          sympy.Symbol("mu_k"), sympy.Integer(3), sympy.Rational(1, 2), sympy.pi]


def _expressions():
    """Random SymPy expressions built from the constructions the derivations use."""
    atoms = st.sampled_from(_ATOMS)

    def extend(children):
        return st.one_of(
            st.tuples(children, children).map(lambda p: p[0] + p[1]),
            st.tuples(children, children).map(lambda p: p[0] * p[1]),
            st.tuples(children, st.integers(-4, 4)).map(lambda p: p[0] ** p[1]),
            children.map(sympy.Abs), children.map(sympy.Heaviside), children.map(sympy.sqrt),
            children.map(sympy.cos), children.map(sympy.exp), children.map(sympy.DiracDelta),
            children.map(lambda e: sympy.Function("G_<")(e, x)),
            children.map(lambda e: sympy.Integral(e, (x, -1, 1))),
            children.map(lambda e: sympy.Derivative(sympy.Function("phi")(x) * e, (x, 2))),
        )

    scalars = st.recursive(atoms, extend, max_leaves=6)
    return st.one_of(scalars, scalars.map(lambda e: sympy.Piecewise((e, x <= y), (x, True))),
                     scalars.map(lambda e: sympy.Matrix([[e, 1], [0, e]])))


@given(_expressions())
def test_every_printed_expression_passes_the_vocabulary_check(expr):
    latex = tex(expr)
    assert check_math(latex) == latex
    assert "|" not in latex  # Abs prints as \vert: a bare bar would split a Markdown cell


def test_printer_conventions():
    assert tex(sympy.Function("phi")(x)) == r"\varphi{\left(x \right)}"
    assert tex(sympy.Symbol("epsilon")) == r"\varepsilon"
    assert tex(sympy.Heaviside(x)) == r"H\left(x\right)"
    assert tex(sympy.Symbol("x'")) == "x'"
    assert inline(sympy.Abs(x)) == r"$\left\vert x \right\vert$"


@pytest.mark.parametrize("bad", [
    r"\input{/etc/passwd}", r"\include{x}", r"\catcode`\$=11", r"\def\x{y}", r"\write18{ls}",
    r"\immediate\write", r"\csname input\endcsname", r"^^5cinput{/etc/passwd}", r"x % comment",
    r"\openin", r"\begin{verbatim}x\end{verbatim}", r"a}\input{b", "{a", r"\usepackage{x}",
    r"\lowercase{\INPUT}", r"\href{javascript:alert(1)}{x}", "a\x00b", r"#1",
])
def test_dangerous_math_is_rejected(bad):
    with pytest.raises(InvalidArgument):
        check_math(bad)


def test_prose_splits_on_dollar_pairs_only():
    assert split_prose("a $x$ b $y$") == [("text", "a "), ("math", "x"), ("text", " b "),
                                          ("math", "y")]
    with pytest.raises(InvalidArgument, match="unmatched"):
        split_prose("costs $5")
    with pytest.raises(InvalidArgument, match=r"\\input"):
        check_prose(r"see $\input{x}$")
