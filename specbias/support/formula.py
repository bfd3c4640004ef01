"""A safe parser for user formulas in one variable, e.g. ``atan(25*x)``.

User text is never given to ``eval`` or ``sympify``: it is tokenized with one regular
expression and parsed by recursive descent (precedence climbing) into SymPy objects built
only from a whitelist of names. Numbers become exact rationals (``0.1`` is 1/10).

Grammar (``^`` and ``**`` are the same, right-associative, binding tighter than unary minus,
so ``-x^2`` is ``-(x^2)`` as in mathematics)::

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/') unary)*
    unary  := ('+' | '-') unary | power
    power  := atom (('^' | '**') unary)?
    atom   := NUMBER | NAME | FUNC '(' expr ')' | '(' expr ')'

A formula is accepted for an interval only if it evaluates to a finite real number at a
dense set of points there (:func:`check_finite_on`), and SymPy finds no singularity inside.
"""

from __future__ import annotations

import re
from fractions import Fraction

import mpmath
import sympy

from specbias.errors import InvalidArgument, require

#: Functions a formula may call, by the names users type.
FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "asin": sympy.asin, "arcsin": sympy.asin, "acos": sympy.acos, "arccos": sympy.acos,
    "atan": sympy.atan, "arctan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "asinh": sympy.asinh, "arcsinh": sympy.asinh, "atanh": sympy.atanh, "arctanh": sympy.atanh,
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt,
    "abs": sympy.Abs, "erf": sympy.erf,
}
#: Constants a formula may name.
CONSTANTS = {"pi": sympy.pi, "e": sympy.E}
MAX_LENGTH = 500
MAX_DEPTH = 60
#: Largest |exponent| of a numeric power evaluated exactly (``9^9^9`` would not finish).
MAX_NUMERIC_EXPONENT = 64

_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)"
                    r"|(\*\*|[-+*/^()]))")


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise InvalidArgument(
                f"formula {text!r}: unexpected character {text[pos:].strip()[0]!r} at position "
                f"{pos}: use numbers, x, + - * / ^, parentheses and functions such as atan(25*x)")
        num, name, op = m.groups()
        tokens.append(("num", num) if num else ("name", name) if name else ("op", op))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str, var: str):
        self.text, self.var = text, var
        self.symbol = sympy.Symbol(var, real=True)
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self):
        tok = self.peek()
        self.pos += 1
        return tok

    def fail(self, what: str):
        raise InvalidArgument(f"formula {self.text!r}: {what}: write e.g. atan(25*x) or "
                              f"sin(pi*{self.var})^2 + 1/(1+{self.var}^2)")

    def parse(self) -> sympy.Expr:
        if not self.tokens:
            self.fail("it is empty")
        out = self.expr()
        if self.peek()[0] != "end":
            self.fail(f"unexpected {self.peek()[1]!r} (implicit multiplication is not "
                      "supported; write 2*x)")
        return out

    def expr(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail("nesting is too deep")
        out = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            rhs = self.term()
            out = out + rhs if op == "+" else out - rhs
        self.depth -= 1
        return out

    def term(self):
        out = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            rhs = self.unary()
            if op == "/" and rhs == 0:
                self.fail("division by zero")
            out = out * rhs if op == "*" else out / rhs
        return out

    def unary(self):
        if self.peek() in (("op", "+"), ("op", "-")):
            sign = self.take()[1]
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self.fail("nesting is too deep")
            inner = self.unary()
            self.depth -= 1
            return -inner if sign == "-" else inner
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek() in (("op", "^"), ("op", "**")):
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self.fail("nesting is too deep")
            exponent = self.unary()
            self.depth -= 1
            if exponent.is_number and abs(float(sympy.N(exponent, 15))) > MAX_NUMERIC_EXPONENT:
                self.fail(f"exponent {exponent} is too large (at most {MAX_NUMERIC_EXPONENT})")
            if base.is_number and exponent.is_number and abs(float(sympy.N(exponent, 15))) * max(
                    1.0, float(sympy.log(abs(sympy.N(base, 15)) + 2, 2))) > 4096:
                self.fail(f"the power ({str(base)[:12]}...)^({exponent}) is too large to evaluate "
                          "exactly")
            return base ** exponent
        return base

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            f = Fraction(value)
            return sympy.Rational(f.numerator, f.denominator)
        if kind == "name":
            if value == self.var:
                return self.symbol
            if value in CONSTANTS:
                return CONSTANTS[value]
            if value in FUNCTIONS:
                if self.take() != ("op", "("):
                    self.fail(f"function {value!r} needs parentheses, e.g. {value}({self.var})")
                arg = self.expr()
                if self.take() != ("op", ")"):
                    self.fail(f"missing ')' after the argument of {value}")
                return FUNCTIONS[value](arg)
            known = ", ".join(sorted(FUNCTIONS) + sorted(CONSTANTS))
            self.fail(f"unknown name {value!r} (the variable is {self.var!r}; known: {known})")
        if (kind, value) == ("op", "("):
            inner = self.expr()
            if self.take() != ("op", ")"):
                self.fail("missing ')'")
            return inner
        self.fail(f"unexpected {value or 'end of formula'!r}")


def parse_formula(text: object, var: str = "x") -> sympy.Expr:
    """Parse ``text`` into a SymPy expression in the real symbol ``var``.

    >>> parse_formula("atan(25*x)")
    atan(25*x)
    >>> parse_formula("-x^2 + 0.5")
    1/2 - x**2
    """
    require(isinstance(text, str), f"formula {text!r} must be a string such as 'atan(25*x)'")
    require(len(text) <= MAX_LENGTH, f"formula of {len(text)} characters is too long: "
                                     f"use at most {MAX_LENGTH}")
    require(re.fullmatch(r"[A-Za-z_]\w*", var or "") is not None, f"variable {var!r} is not a name")
    return _Parser(text, var).parse()


def check_finite_on(expr: sympy.Expr, var: str = "x", interval=(-1, 1), samples: int = 401,
                    text: str | None = None) -> sympy.Expr:
    """Require ``expr`` to be real and finite on the closed interval; return it.

    Evaluates at ``samples`` equispaced points and the Chebyshev points of the same number
    (30 digits, mpmath) and asks SymPy for singularities inside; names the first bad point.
    """
    sym = sympy.Symbol(var, real=True)
    label = text if text is not None else sympy.sstr(expr)
    a, b = (sympy.Rational(v) for v in interval)
    f = sympy.lambdify(sym, expr, modules="mpmath")
    with mpmath.workdps(30):
        lo, hi = mpmath.mpf(a.p) / a.q, mpmath.mpf(b.p) / b.q
        pts = [lo + (hi - lo) * j / (samples - 1) for j in range(samples)]
        pts += [(lo + hi) / 2 + (hi - lo) / 2 * mpmath.cos(mpmath.pi * (2 * j + 1) / (2 * samples))
                for j in range(samples)]
        for t in pts:
            try:
                v = mpmath.mpmathify(f(t))
                bad = not mpmath.isfinite(v) or (isinstance(v, mpmath.mpc) and v.imag != 0)
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                bad = True
            if bad:
                raise InvalidArgument(
                    f"formula {label!r} is not finite and real at {var} = {mpmath.nstr(t, 6)} "
                    f"in [{a}, {b}]: choose a formula defined on the whole interval")
    try:
        sing = sympy.calculus.util.singularities(expr, sym, sympy.Interval(a, b))
    except (NotImplementedError, TypeError, ValueError):  # SymPy cannot tell: sampling stands
        sing = sympy.S.EmptySet
    if isinstance(sing, sympy.FiniteSet) and len(sing) > 0:
        raise InvalidArgument(f"formula {label!r} is singular at {var} = {sorted(sing, key=str)[0]} "
                              f"in [{a}, {b}]: choose a formula defined on the whole interval")
    return expr


__all__ = ["CONSTANTS", "FUNCTIONS", "check_finite_on", "parse_formula"]
