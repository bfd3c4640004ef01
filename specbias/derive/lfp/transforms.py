"""Fourier transforms of the building blocks of two-layer networks, as distributions.

Convention: F[f](xi) = integral of f(x) exp(-2 pi i xi x) dx (the lecture's, seeds/003).
Rules (each checked in tests): F[f(r(x + l))](xi) = exp(2 pi i xi l) |r|^-1 F[f](xi / r),
F[f'](xi) = 2 pi i xi F[f](xi), F[x f(x)](xi) = (i / 2 pi) F[f]'(xi).

|x|, |x|^3, ReLU, the Heaviside step H, sign and tanh are tempered distributions but not
integrable. Their transforms are stated *away from xi = 0*, i.e. on test functions that
vanish near xi = 0; at xi = 0 they carry delta and its derivatives (the transforms of
polynomials), which the LFP statements leave out. The derivations regularize with
exp(-eps |x|) (Abel summation, Gel'fand & Shilov, Generalized Functions I, Ch. II.2) or go
through an integrable derivative (tanh' = sech^2, integrated by residues).

Numeric references, independent of the derivations: pairings <F[T], phi> = <T, F[phi]> with
Gaussian-type test functions by mpmath quadrature, and direct quadrature of integrable parts.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath
import sympy

from specbias.errors import require
from specbias.records import Derivation

XI = sympy.Symbol("xi", real=True, nonzero=True)
X = sympy.Symbol("x", real=True)
EPS = sympy.Symbol("epsilon", positive=True)
R, L, W, B = sympy.symbols("r l w b", real=True, nonzero=True)
CONVENTION = ("Fourier transform $\\hat f(\\xi) = \\int f(x) e^{-2\\pi i \\xi x} dx$ (the lecture's "
              "convention); transforms of non-integrable functions are distributions, stated for "
              "$\\xi \\neq 0$ (test functions vanishing near $\\xi = 0$)")


def named(latex: str) -> sympy.Symbol:
    """A left-hand side for derivation steps, printed verbatim (``named(r"\\gamma(\\xi)")``)."""
    return sympy.Symbol(latex)


def scaled(hat: sympy.Expr, r: sympy.Expr, l: sympy.Expr = sympy.Integer(0)) -> sympy.Expr:
    """F[f(r(x + l))] from F[f] = ``hat`` (an expression in XI): exp(2 pi i xi l) hat(xi/r)/|r|."""
    return sympy.exp(2 * sympy.pi * sympy.I * XI * l) * hat.subs(XI, XI / r) / sympy.Abs(r)


def times_x(hat: sympy.Expr) -> sympy.Expr:
    """F[x f(x)] = (i / 2 pi) d/dxi F[f]."""
    return sympy.I / (2 * sympy.pi) * sympy.diff(hat, XI)


@lru_cache(maxsize=None)
def abs_power(alpha: int) -> tuple[sympy.Expr, Derivation]:
    """F[|x|^alpha] for xi != 0, alpha = 1 or 3, by Abel regularization exp(-eps |x|)."""
    require(alpha in (1, 3), f"power {alpha!r} is not supported here: use 1 or 3")
    xp = sympy.Symbol("x", positive=True)
    d = Derivation(f"Fourier transform of $\\vert x \\vert^{{{alpha}}}$", assumptions=[CONVENTION])
    half = {}
    for sgn in (1, -1):
        half[sgn] = sympy.integrate(xp ** alpha * sympy.exp(-(EPS + sgn * 2 * sympy.pi * sympy.I * XI) * xp),
                                    (xp, 0, sympy.oo), conds="none")
    reg = d.step("Regularize with $e^{-\\epsilon\\vert x\\vert }$: the halves $x > 0$ and $x < 0$ integrate to",
                 half[1] + half[-1], labels=[named(f"F[\\vert x \\vert^{{{alpha}}} e^{{-\\varepsilon \\vert x \\vert}}](\\xi)")], rule="integrate")
    lim = sympy.simplify(sympy.limit(reg, EPS, 0, "+"))
    d.step("Limit $\\epsilon \\to 0^+$ for $\\xi \\neq 0$:", lim, rule="limit")
    d.result, d.result_lhs = lim, named(f"F[\\vert x \\vert^{{{alpha}}}](\\xi)")
    d.references.append("Gel'fand & Shilov, Generalized Functions I, Ch. II.2 (Abel regularization)")
    return lim, d


@lru_cache(maxsize=None)
def sign_transform() -> sympy.Expr:
    """F[sign](xi) = 1 / (pi i xi) (principal value), by the same regularization."""
    xp = sympy.Symbol("x", positive=True)
    right = sympy.integrate(sympy.exp(-(EPS + 2 * sympy.pi * sympy.I * XI) * xp), (xp, 0, sympy.oo),
                            conds="none")
    left = sympy.integrate(sympy.exp(-(EPS - 2 * sympy.pi * sympy.I * XI) * xp), (xp, 0, sympy.oo),
                           conds="none")
    return sympy.simplify(sympy.limit(right - left, EPS, 0, "+"))


@lru_cache(maxsize=None)
def elementary() -> dict[str, sympy.Expr]:
    """Transforms for xi != 0 of the activation pieces: |x|, |x|^3, sign, H, ReLU.

    H = (1 + sign)/2 and ReLU = (x + |x|)/2; 1 and x transform to delta, delta' (at xi = 0 only).
    """
    abs1, abs3, sgn = abs_power(1)[0], abs_power(3)[0], sign_transform()
    return {"abs1": abs1, "abs3": abs3, "sign": sgn, "heaviside": sgn / 2, "relu": abs1 / 2}


@lru_cache(maxsize=None)
def sech2_transform() -> tuple[sympy.Expr, Derivation]:
    """F[sech^2](xi) = 2 pi^2 xi / sinh(pi^2 xi), by residues (xi > 0, then evenness)."""
    z, n = sympy.Symbol("z"), sympy.Symbol("n", integer=True, nonnegative=True)
    xi = sympy.Symbol("xi", positive=True)
    q = sympy.Symbol("q", positive=True)
    d = Derivation("Fourier transforms of $\\mathrm{sech}^2$ and $\\tanh$ by residues", assumptions=[
        CONVENTION, "$\\mathrm{sech}^2$ is integrable and analytic in the strip $\\vert \\mathrm{Im}\\, z \\vert < \\pi/2$; "
        "$\\tanh' = \\mathrm{sech}^2$"])
    integrand = sympy.sech(z) ** 2 * sympy.exp(-2 * sympy.pi * sympy.I * xi * z)
    pole0 = -sympy.I * sympy.pi / 2
    res0 = d.step("For $\\xi > 0$ close the contour in the lower half plane; the double pole at "
                  "$z = -i\\pi/2$ has residue", sympy.residue(integrand, z, pole0), rule="residue")
    period = sympy.simplify((sympy.cosh(z - sympy.I * sympy.pi * n) ** 2 - sympy.cosh(z) ** 2)
                            .rewrite(sympy.exp))
    d.step("$\\cosh^2$ has period $i\\pi$ (difference below), so the pole at $-i\\pi(n + 1/2)$ has "
           "the residue times $e^{-2\\pi^2 \\xi n}$:", period,
           labels=[named("\\cosh^{2}(z - i\\pi n) - \\cosh^{2}(z)")], rule="periodicity")
    geom = sympy.summation(q ** n, (n, 0, sympy.oo)).args[0][0]
    total = -2 * sympy.pi * sympy.I * res0 * geom.subs(q, sympy.exp(-2 * sympy.pi ** 2 * xi))
    value = sympy.simplify(total.rewrite(sympy.exp))
    d.step("Sum the geometric series ($q = e^{-2\\pi^2\\xi} < 1$); the clockwise contour gives "
           "$-2\\pi i$ times the sum:", value, rule="summation")
    closed = 2 * sympy.pi ** 2 * xi / sympy.sinh(sympy.pi ** 2 * xi)
    check = sympy.simplify((value - closed).rewrite(sympy.exp))
    d.step("which equals $2\\pi^2\\xi/\\sinh(\\pi^2\\xi)$ (difference):", check,
           labels=[named("F[\\mathrm{sech}^{2}](\\xi) - \\frac{2\\pi^{2}\\xi}{\\sinh(\\pi^{2}\\xi)}")],
           rule="simplify")
    require(check == 0, "sech^2 transform: the residue sum does not simplify to the closed form")
    sech2 = closed.subs(xi, XI)
    tanh = sympy.simplify(sech2 / (2 * sympy.pi * sympy.I * XI))
    d.step("$\\xi < 0$ follows by evenness. From $\\tanh' = \\mathrm{sech}^2$, "
           "$2\\pi i\\xi\\,F[\\tanh] = F[\\mathrm{sech}^2]$, and $F[\\tanh]$ is odd (no "
           "$\\delta$ term):", sech2, tanh, labels=[named("F[\\mathrm{sech}^{2}](\\xi)"), named("F[\\tanh](\\xi)")],
           rule="derivative rule")
    d.result, d.result_lhs = tanh, named("F[\\tanh](\\xi)")
    return sech2, d


def tanh_transform() -> sympy.Expr:
    """F[tanh](xi) = -i pi / sinh(pi^2 xi) for xi != 0."""
    return sympy.simplify(sech2_transform()[0] / (2 * sympy.pi * sympy.I * XI))


def tanh_neuron(w: sympy.Expr = W, b: sympy.Expr = B) -> sympy.Expr:
    """F[tanh(w x + b)](xi) = exp(2 pi i xi b/w) F[tanh](xi/w) / |w| (affine rule with r = w, l = b/w)."""
    return scaled(tanh_transform(), w, b / w)


# ------------------------------------------------------------------ numeric references

def _gauss_moment_transform(k: int) -> sympy.Expr:
    """F[xi^k exp(-pi xi^2)](x) = (i/2pi)^k d^k/dx^k exp(-pi x^2) (closed form, by SymPy)."""
    return sympy.simplify((sympy.I / (2 * sympy.pi)) ** k * sympy.diff(sympy.exp(-sympy.pi * X ** 2), X, k))


def pairing(hat: sympy.Expr, spatial, k: int, dps: int = 30) -> tuple:
    """Both sides of <F[T], phi> = <T, F[phi]> for phi(xi) = xi^k exp(-pi xi^2).

    ``hat`` is F[T] as an expression in XI (valid for xi != 0; k must make hat*phi integrable);
    ``spatial`` is T as a function of an mpmath number. Returns (Fourier side, space side).
    """
    phi_hat = sympy.lambdify(X, _gauss_moment_transform(k), "mpmath")
    fourier = sympy.lambdify(XI, hat * XI ** k * sympy.exp(-sympy.pi * XI ** 2), "mpmath")
    with mpmath.workdps(dps):
        lhs = mpmath.quad(fourier, [-mpmath.inf, -1, 0, 1, mpmath.inf])
        rhs = mpmath.quad(lambda t: spatial(t) * phi_hat(t), [-mpmath.inf, -1, 0, 1, mpmath.inf])
    return lhs, rhs


def sech2_quadrature(xi, dps: int = 30):
    """F[sech^2](xi) = 2 * integral_0^inf sech^2(x) cos(2 pi xi x) dx by direct quadrature."""
    with mpmath.workdps(dps):
        xi = mpmath.mpf(xi)
        f = lambda t: mpmath.sech(t) ** 2 * mpmath.cos(2 * mpmath.pi * xi * t)  # noqa: E731
        return 2 * mpmath.quad(f, mpmath.linspace(0, 60, 61))


def tanh_network_quadrature(a, w, b, xi, dps: int = 30):
    """F[sum_j a_j tanh(w_j x + b_j)](xi) by quadrature, independent of the residue derivation.

    tanh(w x + b) = sign(w) sign(x + b/w) + g(x), g decaying like exp(-2|w x + b|): the sign part
    transforms to sign(w) exp(2 pi i xi b/w) / (pi i xi) (regularization), g by quadrature.
    """
    with mpmath.workdps(dps):
        xi, total = mpmath.mpf(xi), mpmath.mpc(0)
        for aj, wj, bj in zip(a, w, b):
            aj, wj, bj = mpmath.mpf(aj), mpmath.mpf(wj), mpmath.mpf(bj)
            c = -bj / wj
            g = lambda t: mpmath.tanh(wj * t + bj) - mpmath.sign(wj) * mpmath.sign(t - c)  # noqa: E731
            span = 60 / abs(wj)
            pts = [c - span] + [c + span * k / 30 for k in range(-29, 30)] + [c + span]
            part = mpmath.quad(lambda t: g(t) * mpmath.expj(-2 * mpmath.pi * xi * t), sorted(pts))
            sign_part = mpmath.sign(wj) * mpmath.expj(-2 * mpmath.pi * xi * c) / (mpmath.pi * 1j * xi)
            total += aj * (part + sign_part)
        return total
