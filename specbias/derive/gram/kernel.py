"""Gram kernels of ReLU^P bases, derived with SymPy.

For sigma_P(t) = max(0, t)^P (P = 0: the Heaviside step) the continuous Gram kernel on
[A, B] is

    G_P(x, y) = int_A^B sigma_P(z - x) sigma_P(z - y) dz,     x, y in [A, B].

It is the Gram kernel of the basis {sigma_P(. - b)} of a two-layer network with biases b
(H. Zhao, "Numerical Analysis 101 for Neural Networks", lecture slides; Zhang, Zhao, Zhong,
Zhou, arXiv:2306.17301, Sec. 2). The derivation below is computed, not written: each step
records what SymPy returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import sympy

from specbias.notation import tex
from specbias.records import Derivation
from specbias.support.params import check_interval, check_power

x, y, z, t = sympy.symbols("x y z t", real=True)

SOURCE = ('H. Zhao, "Numerical Analysis 101 for Neural Networks" (lecture slides); S. Zhang, '
          "H. Zhao, Y. Zhong, H. Zhou, arXiv:2306.17301, Sec. 2")

#: The kernel's two branches as functions, to name them in derivations: G_<(x, y) on x <= y.
_G_LOWER_FN, _G_UPPER_FN = sympy.Function("G_<"), sympy.Function("G_>")
G_LOWER, G_UPPER = _G_LOWER_FN(x, y), _G_UPPER_FN(x, y)


def relu_power(t: sympy.Expr, power: int) -> sympy.Expr:
    """sigma_P(t) = max(0, t)^P written as t^P * Heaviside(t) (Heaviside(t) for P = 0)."""
    return sympy.Heaviside(t) if power == 0 else t**power * sympy.Heaviside(t)


@dataclass(frozen=True)
class GramKernel:
    """The derived kernel: ``lower`` is G_P on x <= y, ``upper`` on x >= y (polynomials)."""

    power: int
    a: sympy.Rational
    b: sympy.Rational
    lower: sympy.Expr
    upper: sympy.Expr
    derivation: Derivation = field(compare=False, hash=False, repr=False)

    @property
    def piecewise(self) -> sympy.Piecewise:
        """G_P(x, y) as one SymPy Piecewise in x and y."""
        return sympy.Piecewise((self.lower, x <= y), (self.upper, True))

    @property
    def diagonal(self) -> sympy.Expr:
        """G_P(x, x), a polynomial in x."""
        return sympy.expand(self.lower.subs(y, x))

    @property
    def length(self) -> sympy.Rational:
        return self.b - self.a

    def numeric(self, module: str = "mpmath") -> Callable:
        """Evaluate G_P(x, y) from the SymPy expression (lambdify), via G(x,y) = lower(min, max).

        ``module`` is ``"mpmath"`` (scalars, use inside ``mp.workdps``) or ``"numpy"``
        (broadcasting arrays).
        """
        f = sympy.lambdify((x, y), self.lower, modules=module)
        if module == "numpy":
            import numpy as np

            return lambda u, v: f(np.minimum(u, v), np.maximum(u, v))
        return lambda u, v: f(min(u, v), max(u, v))


@lru_cache(maxsize=64)
def _derive(power: int, a: sympy.Rational, b: sympy.Rational) -> GramKernel:
    d = Derivation(
        title=f"Gram kernel of the ReLU$^{{{power}}}$ basis on ${tex(sympy.Interval(a, b))}$",
        assumptions=[
            f"${tex(sympy.Function(f'sigma_{power}')(t))} = {tex(sympy.Max(0, t) ** power)}$"
            + (" (the Heaviside step)" if power == 0 else ""),
            f"$x$ and $y$ lie in ${tex(sympy.Interval(a, b))}$",
        ],
        references=[SOURCE],
    )
    integrand = relu_power(z - x, power) * relu_power(z - y, power)
    d.step(
        f"Definition of the Gram kernel, with $\\sigma_{{{power}}}$ written through the Heaviside "
        "step $H$.",
        sympy.Eq(sympy.Function("G")(x, y), sympy.Integral(integrand, (z, a, b))),
        rule="definition",
    )
    on_support = integrand.subs({sympy.Heaviside(z - x): 1, sympy.Heaviside(z - y): 1})
    d.step(
        "The integrand vanishes unless $z > \\max(x, y)$. For $x \\le y$ the domain shrinks "
        f"to $(y, {tex(b)})$, where both Heaviside factors equal 1.",
        sympy.Integral(on_support, (z, y, b)),
        rule=f"support of $\\sigma_{{{power}}}$",
    )
    antiderivative = sympy.integrate(sympy.expand(on_support), z)
    d.step("Antiderivative in $z$.", antiderivative, rule="sympy.integrate (indefinite)")
    lower = sympy.factor(sympy.expand(antiderivative.subs(z, b) - antiderivative.subs(z, y)))
    d.step(
        f"Evaluate between $z = y$ and $z = {tex(b)}$ and factor: the kernel on $x \\le y$.",
        lower,
        labels=[G_LOWER],
        rule="fundamental theorem of calculus; sympy.factor",
    )
    upper_direct = sympy.factor(sympy.integrate(sympy.expand(on_support), (z, x, b)))
    swapped = lower.subs({x: y, y: x}, simultaneous=True)
    symmetry = sympy.expand(upper_direct - swapped)
    d.step(
        f"For $x \\ge y$ integrate over $(x, {tex(b)})$ directly; the difference from "
        "$G_<(y, x)$ expands to zero, so the kernel is symmetric.",
        upper_direct,
        symmetry,
        labels=[G_UPPER, G_UPPER - _G_LOWER_FN(y, x)],
        rule="sympy.integrate (definite); sympy.expand",
    )
    continuity = sympy.expand((upper_direct - lower).subs(x, y))
    d.step(
        "The two branches agree on the diagonal $x = y$.",
        continuity,
        labels=[_G_UPPER_FN(y, y) - _G_LOWER_FN(y, y)],
        rule="substitution",
    )
    if symmetry != 0 or continuity != 0:  # pragma: no cover - would be a SymPy bug
        raise ArithmeticError(f"Gram kernel for P={power} failed its symmetry check")
    result = sympy.Piecewise((lower, x <= y), (upper_direct, True))
    d.result, d.result_lhs = result, sympy.Function(f"G_{power}")(x, y)
    return GramKernel(power, a, b, lower, upper_direct, d)


def gram_kernel(power: int, interval: object = (-1, 1)) -> GramKernel:
    """Derive G_P(x, y) = int_A^B sigma_P(z-x) sigma_P(z-y) dz symbolically.

    >>> k = gram_kernel(1)
    >>> import mpmath
    >>> with mpmath.workdps(30):
    ...     quad = mpmath.quad(lambda t: max(t + 0.5, 0) * max(t - 0.25, 0), [-1, 0.25, 1])
    ...     print(mpmath.nstr(abs(k.numeric()(-0.5, 0.25) - quad), 3))
    0.0
    """
    a, b = check_interval(interval)
    return _derive(check_power(power), a, b)
