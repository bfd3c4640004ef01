"""The project's one notation: SymPy expressions printed to LaTeX by one printer.

Every formula in a record is a SymPy expression, or LaTeX that :func:`tex` printed from one;
prose is plain text with ``$...$`` for inline math written once (by :func:`inline` or by hand
in the catalog). Markdown, LaTeX and matplotlib's mathtext all receive the same LaTeX, so a
formula reads the same in every report and every figure.

:class:`Printer` is SymPy's :class:`~sympy.printing.latex.LatexPrinter` with a few
``_print_<Class>`` hooks (the extension points SymPy documents):

- ``Abs`` as ``\\left\\vert ... \\right\\vert`` (a bare ``|`` would split a Markdown table cell);
- ``Heaviside`` as ``H(t)`` (SymPy's default, ``\\theta``, collides with the angle);
- ``phi`` and ``epsilon`` as ``\\varphi`` and ``\\varepsilon`` (the slides' letters);
- ``Symbol`` names with a trailing prime (``x'``) kept as primes;
- inverse trigonometric functions as ``\\arccos`` (the slides' letters), not ``\\operatorname{acos}``.

:func:`check_math` is the other half: the LaTeX that may appear between ``$`` signs in a
report is the LaTeX this printer emits plus the same vocabulary written by hand, nothing
else. Reports built from an untrusted ``audit.json`` pass every math segment through it, so
that no ``\\input``, ``\\catcode`` or ``\\write`` reaches TeX (see :mod:`specbias.reports`).
"""

from __future__ import annotations

import re

import sympy
from sympy.printing.latex import LatexPrinter

from specbias.errors import InvalidArgument

#: Symbol names printed with the slides' variant letters.
_VARIANTS = {"phi": r"\varphi", "epsilon": r"\varepsilon"}


class Printer(LatexPrinter):
    """SymPy's LaTeX printer with the project's conventions (see the module docstring)."""

    _default_settings = {**LatexPrinter._default_settings, "inv_trig_style": "full"}

    def _print_Abs(self, expr, exp=None):
        body = rf"\left\vert {self._print(expr.args[0])} \right\vert"
        return rf"{body}^{{{exp}}}" if exp is not None else body

    def _hprint_Function(self, func: str) -> str:
        head, sep, tail = func.partition("_")
        if head in _VARIANTS:
            return _VARIANTS[head] + (f"_{{{tail}}}" if sep else "")
        return super()._hprint_Function(func)

    def _print_Heaviside(self, expr, exp=None):
        body = rf"H\left({self._print(expr.args[0])}\right)"
        return rf"{body}^{{{exp}}}" if exp is not None else body

    def _print_Symbol(self, expr, style="plain"):
        name = expr.name
        primes = len(name) - len(name.rstrip("'"))
        base = name.rstrip("'") or name
        head, sep, tail = base.partition("_")
        if head in _VARIANTS:
            out = _VARIANTS[head] + (f"_{{{self._print(sympy.Symbol(tail))}}}" if sep else "")
        else:
            out = super()._print_Symbol(sympy.Symbol(base, **expr.assumptions0), style=style)
        return out + "'" * primes


_PRINTER = Printer()


def tex(expr) -> str:
    """The LaTeX of a SymPy expression (or anything SymPy can convert: ints, Rationals).

    >>> x = sympy.Symbol("x")
    >>> tex(sympy.Abs(x - 1) ** 3 / 12)
    '\\\\frac{\\\\left\\\\vert x - 1 \\\\right\\\\vert^{3}}{12}'
    """
    if isinstance(expr, bool) or expr is None:
        raise InvalidArgument(f"cannot print {expr!r} as mathematics: pass a SymPy expression")
    return _PRINTER.doprint(sympy.sympify(expr) if isinstance(expr, (int, float)) else expr)


def inline(expr) -> str:
    """``$...$`` around :func:`tex` of ``expr``, for prose."""
    return f"${tex(expr)}$"


def equation(lhs, rhs) -> str:
    """LaTeX of ``lhs = rhs`` (two expressions, printed separately so neither is simplified)."""
    return f"{tex(lhs)} = {tex(rhs)}"


# ---------------------------------------------------------------------------------------------
# The vocabulary of math a report may contain.

_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu "
          "nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma "
          "Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()
_SYMBOLS = ("frac dfrac tfrac sqrt left right cdot cdots ldots dots times div pm mp le leq ge geq "
            "neq ne approx simeq sim lesssim gtrsim ll gg equiv propto to mapsto rightarrow "
            "Rightarrow leftarrow in notin subset subseteq infty partial nabla int iint oint sum "
            "prod lim limits max min sup inf det exp log ln sin cos tan arcsin arccos arctan sinh "
            "cosh tanh sec csc cot operatorname mathrm mathbf mathcal mathbb mathit text textrm "
            "hat widehat dot ddot tilde widetilde bar overline underline vec boldsymbol vert Vert "
            "lvert rvert langle rangle lfloor rfloor lceil rceil quad qquad begin end binom top "
            "intercal prime circ star ast dagger mid emptyset forall exists neg land lor cup cap "
            "setminus ell hbar Re Im wedge vee perp parallel odot otimes oplus displaystyle "
            "textstyle scriptstyle lim limsup liminf arg deg dim ker gcd Pr bmod pmod big Big "
            "bigg Bigg bigl bigr Bigl Bigr lbrace rbrace backslash colon vdots ddots stackrel "
            "overset underset substack atop smash phantom hspace mathrm nolimits ne").split()
#: Control words allowed in math (letters only; ``\,`` and friends are handled separately).
MATH_COMMANDS = frozenset(_GREEK + _SYMBOLS)
#: Environments allowed in math (SymPy prints matrices and Piecewise with these).
MATH_ENVIRONMENTS = frozenset({"matrix", "pmatrix", "bmatrix", "smallmatrix", "cases",
                               "array", "aligned", "split"})
#: Control symbols (a backslash and one non-letter) allowed in math.
_CONTROL_SYMBOLS = set(",;:! {}|\\_#%&$") - {"#", "%", "$"}

_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|\^\^|([#%$])", re.S)
_ENV = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}")


def check_math(latex: str) -> str:
    """Return ``latex`` if it uses only the project's math vocabulary, else raise.

    Rejected: control words outside :data:`MATH_COMMANDS` (``\\input``, ``\\def``,
    ``\\catcode``, ``\\write``, ``\\csname`` ...), environments outside
    :data:`MATH_ENVIRONMENTS`, TeX's ``^^`` character codes, ``#``, ``%`` and ``$``,
    unbalanced braces, and characters outside printable ASCII and the Unicode letters a
    formula may hold. This is what stands between an untrusted ``audit.json`` and TeX.

    >>> check_math(r"\\frac{1}{2}\\left\\vert x \\right\\vert")
    '\\\\frac{1}{2}\\\\left\\\\vert x \\\\right\\\\vert'
    >>> check_math(r"\\input{/etc/passwd}")
    Traceback (most recent call last):
    ...
    specbias.errors.InvalidArgument: math '\\\\input{/etc/passwd}' uses \\input, which specbias never prints: reports allow only the LaTeX of specbias's own printer
    """
    if not isinstance(latex, str):
        raise InvalidArgument(f"math {latex!r} is not text")
    short = latex if len(latex) <= 60 else latex[:57] + "..."
    for m in _TOKEN.finditer(latex):
        word, sym, other = m.group(1), m.group(2), m.group(3)
        if word is not None and word not in MATH_COMMANDS:
            raise InvalidArgument(f"math {short!r} uses \\{word}, which specbias never prints: "
                                  "reports allow only the LaTeX of specbias's own printer")
        if sym is not None and sym not in _CONTROL_SYMBOLS:
            raise InvalidArgument(f"math {short!r} uses the control symbol \\{sym}: not allowed "
                                  "in reports")
        if m.group(0) == "^^" or other is not None:
            raise InvalidArgument(f"math {short!r} contains {m.group(0)!r}: not allowed in reports")
    for m in _ENV.finditer(latex):
        if m.group(2) not in MATH_ENVIRONMENTS:
            raise InvalidArgument(f"math {short!r} uses the environment {m.group(2)!r}: use one "
                                  f"of {', '.join(sorted(MATH_ENVIRONMENTS))}")
    depth = 0
    for i, ch in enumerate(latex):
        if ch in "{}" and (i == 0 or latex[i - 1] != "\\" or (i > 1 and latex[i - 2] == "\\")):
            depth += 1 if ch == "{" else -1
            if depth < 0:
                break
    if depth != 0:
        raise InvalidArgument(f"math {short!r} has unbalanced braces")
    if any(ord(c) < 32 and c not in "\n\t" for c in latex):
        raise InvalidArgument(f"math {short!r} contains control characters")
    return latex


_INLINE = re.compile(r"\$([^$]*)\$")


def split_prose(text: str) -> list[tuple[str, str]]:
    """Split prose into ``("text", ...)`` and ``("math", ...)`` parts at ``$...$`` pairs.

    An unmatched ``$`` is an error (prose writes money as "USD", never a lone dollar sign),
    so that no renderer has to guess.

    >>> split_prose("width $m$ grows")
    [('text', 'width '), ('math', 'm'), ('text', ' grows')]
    """
    if not isinstance(text, str):
        raise InvalidArgument(f"prose {text!r} is not text")
    if text.count("$") % 2:
        short = text if len(text) <= 60 else text[:57] + "..."
        raise InvalidArgument(f"prose {short!r} has an unmatched '$': inline math is $...$")
    parts: list[tuple[str, str]] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            parts.append(("text", text[pos:m.start()]))
        elif parts:  # "$a$$b$": GitHub would read the "$$" as display math
            raise InvalidArgument(f"prose {text[:60]!r} has two inline formulas touching ('$$'): "
                                  "write them as one $...$")
        parts.append(("math", m.group(1)))
        pos = m.end()
    if pos < len(text):
        parts.append(("text", text[pos:]))
    return parts


def check_prose(text: str) -> str:
    """Return ``text`` if its inline math passes :func:`check_math` (raise otherwise)."""
    for kind, part in split_prose(text):
        if kind == "math":
            check_math(part)
    return text


__all__ = ["MATH_COMMANDS", "MATH_ENVIRONMENTS", "Printer", "check_math", "check_prose",
           "equation", "inline", "split_prose", "tex"]
