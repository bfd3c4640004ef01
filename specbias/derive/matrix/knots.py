"""Knot (bias) sequences b_1 < ... < b_N in [-1, 1] for ReLU^P bases.

Rules (H. Zhao, "Numerical Analysis 101 for Neural Networks", lecture slides; arXiv:2306.17301):

* ``uniform``: b_i = -1 + 2(i-1)/N, i = 1..N (the slides' quasi-even spacing; b_N = 1 - 2/N);
* ``random:SEED``: N i.i.d. uniform draws on [-1, 1) from ``numpy.random.default_rng(SEED)``,
  sorted; the float64 draws are the knots, exactly;
* ``chebyshev``: b_i = -cos((2i-1) pi / (2N)), the Chebyshev-Gauss points (interior);
* ``adaptive:EXPR``: F(b_i) = (i-1)/(N-1) with F(x) = int_{-1}^x |f'| / int_{-1}^1 |f'|
  (the slides' adaptive biases; b_1 = -1 and b_N = 1). int_{-1}^x |f'| is the total variation
  of f on [-1, x], so F is computed from values of f at the critical points (sign changes of
  f' on a grid of ``CRITICAL_GRID`` points, refined with mpmath) with no quadrature;
* ``list:V1,V2,...``: the given numbers (decimals or fractions), sorted.

Every knot is an exact rational (:class:`fractions.Fraction`): irrational knots are rounded
to ``dps + 10`` digits (binary) and *that* rational is the knot, so derived matrices are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import sympy

from specbias.support.formula import check_finite_on, parse_formula
from specbias.support.params import check_count, check_dps, parse_number
from specbias.derive.matrix.options import KNOT_RULES, MAX_KNOTS
from specbias.errors import InvalidArgument, require

RULES = KNOT_RULES
#: Grid on which sign changes of f' are looked for (adaptive rule).
CRITICAL_GRID = 4096


@dataclass(frozen=True)
class Knots:
    """Sorted exact knots and the rule that made them."""

    values: tuple
    rule: str

    def __len__(self) -> int:
        return len(self.values)

    def floats(self) -> np.ndarray:
        return np.array([float(v) for v in self.values])

    def mpf(self) -> list:
        """The knots as mpmath numbers at the current precision."""
        return [mpmath.mpf(v.numerator) / v.denominator for v in self.values]

    def describe(self) -> dict:
        return {"rule": self.rule, "n": len(self.values)}


def mpf_to_fraction(v) -> Fraction:
    """The exact rational value of an mpmath mpf."""
    sign, man, exp, _ = mpmath.mpf(v)._mpf_  # value = (-1)^sign * man * 2^exp
    require(bool(man) or exp == 0, f"value {v} is not finite")
    return (-1) ** sign * Fraction(int(man)) * (Fraction(2) ** int(exp))


def check_knots(values, rule: str = "list") -> Knots:
    """Validate knots: at least one, all in [-1, 1], none repeated; return them sorted."""
    vals = [parse_number(v, "knot") for v in values]
    require(len(vals) >= 1, f"knot list for rule {rule!r} is empty: give at least one knot")
    fr = sorted(Fraction(int(v.p), int(v.q)) for v in vals)
    for v in fr:
        require(-1 <= v <= 1, f"knot {float(v)!r} lies outside [-1, 1]: use knots in [-1, 1]")
    for a, b in zip(fr, fr[1:]):
        require(a != b, f"knot {float(a)!r} is repeated: knots must be distinct")
    return Knots(tuple(fr), rule)


def _uniform(n: int) -> list[Fraction]:
    return [Fraction(-1) + Fraction(2 * i, n) for i in range(n)]


def _random(seed_text: str, n: int) -> list[Fraction]:
    try:
        seed = int(seed_text)
    except ValueError:
        raise InvalidArgument(f"random seed {seed_text!r} is not an integer: use e.g. random:0") from None
    require(seed >= 0, f"random seed {seed} must be non-negative: use e.g. random:0")
    draws = np.random.default_rng(seed).uniform(-1.0, 1.0, n)
    return [Fraction(float(v)) for v in draws]


def _chebyshev(n: int, dps: int) -> list[Fraction]:
    with mpmath.workdps(dps + 10):
        return [mpf_to_fraction(-mpmath.cos((2 * i - 1) * mpmath.pi / (2 * n))) for i in range(1, n + 1)]


def bracketed_root(g, a, b, max_iter: int = 400):
    """A root of g in [a, b] with g(a) g(b) <= 0 (Illinois regula falsi, which keeps the
    bracket, with a bisection step whenever it stalls), to the working precision."""
    fa, fb = g(a), g(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    require(fa * fb < 0, f"no sign change of the function on [{a}, {b}]")
    tol = mpmath.eps * 4 * max(abs(a), abs(b), 1)
    last = 0  # which end was kept last time (-1: a, +1: b); twice in a row halves its value
    for _ in range(max_iter):
        c = (a * fb - b * fa) / (fb - fa)
        if not a < c < b:
            c = (a + b) / 2
        fc = g(c)
        if fc == 0 or b - a < tol:
            return c
        if (fa < 0) == (fc < 0):
            a, fa = c, fc
            if last == 1:
                fb /= 2
            last = 1
        else:
            b, fb = c, fc
            if last == -1:
                fa /= 2
            last = -1
    return (a + b) / 2


def _critical_points(fprime, dps: int) -> list:
    """Sign changes of f' on a grid, refined with a bracketing solver (mpmath)."""
    grid = [mpmath.mpf(-1) + mpmath.mpf(2) * j / CRITICAL_GRID for j in range(CRITICAL_GRID + 1)]
    vals = [fprime(t) for t in grid]
    roots = []
    for (a, fa), (b, fb) in zip(zip(grid, vals), zip(grid[1:], vals[1:])):
        if fa == 0 and a not in (grid[0],):
            roots.append(a)
        elif fa * fb < 0:
            roots.append(bracketed_root(fprime, a, b))
    return roots


def adaptive_knots(text: str, n: int, dps: int = 30) -> list[Fraction]:
    """F(b_i) = (i-1)/(n-1) for F the normalized total variation of f on [-1, x]."""
    expr = check_finite_on(parse_formula(text), "x", (-1, 1), text=text)
    xs = sympy.Symbol("x", real=True)
    with mpmath.workdps(dps + 10):
        f = sympy.lambdify(xs, expr, modules="mpmath")
        fp = sympy.lambdify(xs, sympy.diff(expr, xs), modules="mpmath")
        ends = [mpmath.mpf(-1)] + _critical_points(lambda t: mpmath.re(fp(t)), dps) + [mpmath.mpf(1)]
        fvals = [mpmath.re(f(t)) for t in ends]
        cum = [mpmath.mpf(0)]
        for a, b in zip(fvals, fvals[1:]):
            cum.append(cum[-1] + abs(b - a))
        total = cum[-1]
        require(total > 0, f"formula {text!r} is constant on [-1, 1]: adaptive knots need a "
                           "formula that varies (or use --knots uniform)")
        if n == 1:
            return [Fraction(-1)]
        out = []
        piece = 0
        for i in range(n):
            target = total * i / (n - 1)
            if i == 0:
                out.append(Fraction(-1))
                continue
            if i == n - 1:
                out.append(Fraction(1))
                continue
            while piece < len(ends) - 2 and cum[piece + 1] < target:
                piece += 1
            a, b = ends[piece], ends[piece + 1]
            level = fvals[piece] + mpmath.sign(fvals[piece + 1] - fvals[piece]) * (target - cum[piece])
            g = lambda t, level=level: mpmath.re(f(t)) - level  # noqa: E731
            root = bracketed_root(g, a, b)
            out.append(mpf_to_fraction(root))
    return out


def knots(rule: object, n: object, dps: object = 30) -> Knots:
    """The knots of ``rule`` (see the module docstring), validated and sorted.

    >>> [str(v) for v in knots("uniform", 4).values]
    ['-1', '-1/2', '0', '1/2']
    >>> k = knots("adaptive:x", 5); [str(v) for v in k.values]
    ['-1', '-1/2', '0', '1/2', '1']
    """
    n = check_count(n, MAX_KNOTS, "number of knots N")
    dps = check_dps(dps)
    require(isinstance(rule, str), f"knot rule {rule!r} must be a string: use one of {', '.join(RULES)}")
    name, _, arg = rule.partition(":")
    name = name.strip().lower()
    if name == "uniform" and not arg:
        vals = _uniform(n)
    elif name == "random" and arg.strip():
        vals = _random(arg.strip(), n)
    elif name == "chebyshev" and not arg:
        vals = _chebyshev(n, dps)
    elif name == "adaptive" and arg.strip():
        vals = adaptive_knots(arg, n, dps)
    elif name == "list" and arg.strip():
        vals = [v.strip() for v in arg.split(",")]
        require(len(vals) == n, f"knot list {arg!r} has {len(vals)} values but N = {n}: "
                                "give N values")
    else:
        raise InvalidArgument(_rule_error(rule, name, arg))
    return check_knots(vals, rule)


#: What each rule's argument is, for the messages of :func:`knots`.
_RULE_ARGUMENT = {"random": "a seed, e.g. random:0", "adaptive": "a formula in x, e.g. "
                  "adaptive:atan(25*x)", "list": "the knots, e.g. list:-1,0,0.5"}


def _rule_error(rule: str, name: str, arg: str) -> str:
    """The message for a rule that is unknown, lacks its argument or has one it does not take."""
    if name in _RULE_ARGUMENT:
        return f"knot rule {rule!r} is missing {_RULE_ARGUMENT[name]}"
    if name in ("uniform", "chebyshev"):
        return f"knot rule {rule!r} takes no argument: use {name}"
    return f"knot rule {rule!r} is unknown: use one of {', '.join(RULES)}"


__all__ = ["Knots", "RULES", "adaptive_knots", "check_knots", "knots", "mpf_to_fraction"]
