"""Dual activations: E[σ(u)σ(v)] and E[σ'(u)σ'(v)] for a centred bivariate Gaussian (u, v).

With Var u = q11, Var v = q22, Cov(u, v) = q12 and cos θ = q12 / sqrt(q11 q22), the
ReLU^p activations σ_p(t) = max(0, t)^p give the arc-cosine kernels of Cho & Saul
(NIPS 2009, Eq. (4)-(6))

    E[σ_p(u) σ_p(v)] = (q11 q22)^(p/2) J_p(θ) / (2π),

and erf gives Williams (1997): E[erf(u) erf(v)] = (2/π) asin(2 q12 / sqrt((1+2q11)(1+2q22))).
Nothing below is copied from those papers: SymPy integrates each expectation and the
:class:`~specbias.records.Derivation` records what it returned (prose with ``$...$``, formulas
as SymPy expressions). Each dual carries its own checks (:attr:`DualActivation.checks`: the
diagonal against a one-dimensional integral, Price's theorem tying the value to its derivative
kernel), and the tests compare the results with Monte Carlo and quadrature.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import sympy

from specbias.derive.ntk.symbols import kernel_function
from specbias.derive.ntk.options import ACTIVATIONS
from specbias.errors import InvalidArgument
from specbias.notation import tex
from specbias.records import Derivation

theta = sympy.Symbol("theta", positive=True)
q11, q22 = sympy.symbols("q_11 q_22", positive=True)
q12 = sympy.Symbol("q_12", real=True)
_r, _phi = sympy.symbols("r phi", real=True)

#: ReLU^p power of each arc-cosine activation.
POWERS = {"step": 0, "relu": 1, "relu2": 2}
SOURCES = ("Cho & Saul, Kernel methods for deep learning, NIPS 2009",
           "Williams, Computing with infinite networks, NIPS 1997")
#: How each arc-cosine unit is named in derivation titles.
_UNIT = {0: "the step function $\\sigma_0(t) = H(t)$",
         1: "the ReLU $\\sigma_1(t) = \\max(0, t)$",
         2: "$\\sigma_2(t) = \\max(0, t)^2$"}

#: Below this angle the small part h_p of the deviation (see :func:`deviation_split`) is
#: evaluated from its Taylor polynomial; above it, directly (losing at most ~3 ulps of D_p).
SERIES_SWITCH = 0.25
#: Order of that polynomial: the first omitted term is below (2θ)^19/19! < 1e-19 at θ = 1/4.
SERIES_ORDER = 19


def check_activation(name: object) -> str:
    if name not in ACTIVATIONS:
        raise InvalidArgument(f"activation {name!r} is unknown: use one of {', '.join(ACTIVATIONS)}")
    return str(name)


@dataclass(frozen=True)
class DualActivation:
    """The derived dual kernels of one activation.

    ``value``/``derivative`` are E[σσ] and E[σ'σ'] in q11, q22, q12 (θ stands for
    acos(q12/sqrt(q11 q22)) in the arc-cosine family); ``diagonal`` is E[σ(u)²] in q11.
    ``J`` is the angular factor (2π E[σσ] / (q11 q22)^(p/2)) for ReLU^p, else None.
    ``checks`` maps the name of each check made while deriving to the SymPy residual it left
    (zero when the check holds): ``"diagonal"`` (J_p(0) against the one-dimensional integral)
    and ``"price"`` (∂E[σσ]/∂q12 − E[σ'σ'], Price's theorem).
    """

    name: str
    value: sympy.Expr
    derivative: sympy.Expr
    diagonal: sympy.Expr
    derivation: Derivation = field(compare=False, repr=False)
    power: int | None = None
    J: sympy.Expr | None = None
    J_derivative: sympy.Expr | None = None
    checks: dict = field(default_factory=dict, compare=False, repr=False)


@lru_cache(maxsize=None)
def angular_factor(p: int) -> tuple[sympy.Expr, Derivation]:
    """J_p(θ) = 2π E[σ_p(u)σ_p(v)] / (q11 q22)^(p/2), by integrating in polar coordinates."""
    d = Derivation(f"Arc-cosine kernel of degree {p}: {_UNIT[p]}", assumptions=[
        "$w \\sim N(0, I)$; by rotation invariance only the plane of $x$ and $x'$ matters: "
        "$x = \\Vert x \\Vert e_1$, $x' = \\Vert x' \\Vert (\\cos\\theta, \\sin\\theta)$ with "
        "$0 < \\theta < \\pi$",
        "polar coordinates $w = r (\\cos\\varphi, \\sin\\varphi)$: $w^{T} x \\ge 0$ and "
        "$w^{T} x' \\ge 0$ exactly when $\\theta - \\pi/2 \\le \\varphi \\le \\pi/2$"],
        references=[SOURCES[0]])
    integrand = d.step(
        "In polar coordinates the product of the two units, divided by $(\\Vert x \\Vert "
        f"\\Vert x' \\Vert)^{{p}}$ with $p = {p}$, is the expression below; the Gaussian density "
        "is $e^{-r^2/2} r \\, dr \\, d\\varphi / (2\\pi)$.",
        _r ** (2 * p) * sympy.cos(_phi) ** p * sympy.cos(_phi - theta) ** p)
    radial_integral = sympy.Integral(_r ** (2 * p + 1) * sympy.exp(-_r ** 2 / 2), (_r, 0, sympy.oo))
    radial = d.step("The radial integral:", radial_integral.doit(), labels=[radial_integral],
                    rule="integrate")
    angular_integral = sympy.Integral(integrand.subs(_r, 1),
                                      (_phi, theta - sympy.pi / 2, sympy.pi / 2))
    angular = d.step("The angular integral, over the cone where both units are active:",
                     angular_integral.doit(), labels=[angular_integral], rule="integrate")
    J_p = kernel_function(f"J_{{{p}}}")(theta)
    scale = f"(q_{{11}} q_{{22}})^{{{sympy.Rational(p, 2)}}} " if p else ""
    J = d.step(f"$J_{p}(\\theta)$ is their product, simplified; then $\\mathbb{{E}}[\\sigma_{p}(u) "
               f"\\sigma_{p}(v)] = {scale}J_{p}(\\theta) / (2\\pi)$.",
               sympy.simplify(radial * angular), labels=[J_p], rule="simplify")
    d.result, d.result_lhs = J, J_p
    return J, d


def _price_residual(value: sympy.Expr, derivative: sympy.Expr) -> sympy.Expr:
    """∂value/∂q12 − derivative with θ = acos(q12/sqrt(q11 q22)) (Price's theorem), simplified."""
    angle = sympy.acos(q12 / sympy.sqrt(q11 * q22))
    return sympy.simplify(sympy.diff(value.subs(theta, angle), q12) - derivative.subs(theta, angle))


def _polar_dual(p: int) -> DualActivation:
    J, base = angular_factor(p)
    d = replace(base, steps=list(base.steps))  # angular_factor's derivation stays as it was
    scale = (q11 * q22) ** sympy.Rational(p, 2)
    value = scale * J / (2 * sympy.pi)
    diag = sympy.simplify((value / scale * q11 ** p).subs(theta, 0))
    u = sympy.Symbol("u", positive=True)
    direct = sympy.Integral(u ** (2 * p) * sympy.exp(-u ** 2 / (2 * q11)), (u, 0, sympy.oo)) \
        / sympy.sqrt(2 * sympy.pi * q11)
    diag_residual = sympy.simplify(diag - direct.doit())
    d.step(f"The diagonal $\\theta = 0$ gives $\\mathbb{{E}}[\\sigma_{p}(u)^2]$; independently, the "
           "one-dimensional integral; their difference:", diag, sympy.simplify(direct.doit()),
           diag_residual, labels=[f"$\\mathbb{{E}}[\\sigma_{p}(u)^2]$ from $J_{p}(0)$", direct,
                                  "difference"])
    if p == 0:
        deriv = 1 / (2 * sympy.pi * sympy.sqrt(q11 * q22) * sympy.sin(theta))
        d.step("$\\sigma_0' = \\delta$: $\\mathbb{E}[\\delta(u) \\delta(v)]$ is the density of "
               "$(u, v)$ at the origin, $1 / (2\\pi \\sqrt{\\det \\Lambda})$, infinite as "
               "$\\theta \\to 0$ (no finite NTK through a step layer).", deriv,
               labels=["$\\mathbb{E}[\\sigma_0'(u) \\sigma_0'(v)]$"])
        Jd = None
    else:
        Jd, _ = angular_factor(p - 1)
        times = f"{p} " if p > 1 else ""
        deriv = d.step(
            f"$\\sigma_{p}' = {times}\\sigma_{p - 1}$, so $\\mathbb{{E}}[\\sigma_{p}'(u) "
            f"\\sigma_{p}'(v)] = {p ** 2 if p > 1 else ''} \\mathbb{{E}}[\\sigma_{p - 1}(u) "
            f"\\sigma_{p - 1}(v)]$, from $J_{p - 1}$:",
            p ** 2 * (q11 * q22) ** sympy.Rational(p - 1, 2) * Jd / (2 * sympy.pi),
            labels=[f"$\\mathbb{{E}}[\\sigma_{p}'(u) \\sigma_{p}'(v)]$"])
    price = _price_residual(value, deriv)
    d.step("Check by Price's theorem, $\\partial \\mathbb{E}[\\sigma(u) \\sigma(v)] / \\partial q_{12} "
           "= \\mathbb{E}[\\sigma'(u) \\sigma'(v)]$ with $\\theta = \\arccos(q_{12} / \\sqrt{q_{11} "
           "q_{22}})$; the difference simplifies to", price, labels=["difference"])
    name = f"relu{p}" if p > 1 else ("relu" if p else "step")
    return DualActivation(name, value, deriv, diag, d, p, J, Jd,
                          {"diagonal": diag_residual, "price": price})


def _erf_dual() -> DualActivation:
    d = Derivation("Dual activation of $\\operatorname{erf}$", assumptions=[
        "$(u, v) \\sim N(0, \\Lambda)$, $\\Lambda$ with entries $q_{11}$, $q_{12}$, $q_{22}$",
        "Price's theorem: $\\partial \\mathbb{E}[f(u) g(v)] / \\partial q_{12} = "
        "\\mathbb{E}[f'(u) g'(v)]$"], references=[SOURCES[1]])
    lam = sympy.Matrix([[q11, q12], [q12, q22]])
    det = d.step("$\\operatorname{erf}'(t) = 2 e^{-t^2} / \\sqrt{\\pi}$, so "
                 "$\\mathbb{E}[\\operatorname{erf}'(u) \\operatorname{erf}'(v)] = (4/\\pi) "
                 "\\mathbb{E}[e^{-u^2 - v^2}]$, and the Gaussian integral gives "
                 "$\\det(I + 2\\Lambda)^{-1/2}$; SymPy computes the determinant:",
                 sympy.expand((sympy.eye(2) + 2 * lam).det()),
                 labels=["$\\det(I + 2\\Lambda)$"], rule="det")
    deriv = 4 / (sympy.pi * sympy.sqrt(det))
    a, c = sympy.Symbol("a", positive=True), sympy.Symbol("c", real=True)
    prim = d.step("Integrate in $q_{12}$ from 0 (where $\\mathbb{E}[\\operatorname{erf}(u) "
                  "\\operatorname{erf}(v)] = 0$ by oddness), with $a = (1 + 2 q_{11})(1 + 2 q_{22})$:",
                  sympy.integrate(4 / (sympy.pi * sympy.sqrt(a - 4 * c ** 2)), (c, 0, q12)),
                  labels=["$\\mathbb{E}[\\operatorname{erf}(u) \\operatorname{erf}(v)]$"],
                  rule="integrate")
    value = prim.subs(a, (1 + 2 * q11) * (1 + 2 * q22))
    check = d.step("Check: the derivative of the result in $q_{12}$ minus "
                   "$\\mathbb{E}[\\operatorname{erf}'(u) \\operatorname{erf}'(v)]$ simplifies to",
                   sympy.simplify(sympy.diff(value, q12) - deriv), labels=["difference"])
    if check != 0:
        raise ArithmeticError(f"erf dual: Price's theorem check left {check}")
    diag = sympy.simplify(value.subs({q22: q11, q12: q11}))
    d.result = value
    return DualActivation("erf", value, deriv, diag, d, checks={"price": check})


@lru_cache(maxsize=None)
def dual_activation(name: str) -> DualActivation:
    """The derived dual kernels of ``name`` in ``ACTIVATIONS`` (cached)."""
    name = check_activation(name)
    return _erf_dual() if name == "erf" else _polar_dual(POWERS[name])


def gaussian_expectation(expr: sympy.Expr, var: sympy.Symbol) -> tuple[sympy.Expr, Derivation]:
    """E[σ(u)σ(v)] for an activation σ(var) SymPy can integrate against a Gaussian (polynomials,
    exponentials of linear forms): u = sqrt(q11) z1, v = sqrt(q22)(ρ z1 + sqrt(1−ρ²) z2).

    >>> val, _ = gaussian_expectation(sympy.Symbol('t') ** 2, sympy.Symbol('t'))
    >>> sympy.expand(val - (q11*q22 + 2*q12**2))
    0
    """
    z1, z2 = sympy.symbols("z_1 z_2", real=True)
    rho = sympy.Symbol("rho", real=True)
    d = Derivation(f"Gaussian expectation of $\\sigma(u) \\sigma(v)$ for "
                   f"$\\sigma({tex(var)}) = {tex(expr)}$",
                   assumptions=["$(z_1, z_2) \\sim N(0, I)$, $\\rho = q_{12} / \\sqrt{q_{11} q_{22}}$, "
                                "$\\vert \\rho \\vert < 1$"])
    uv = expr.subs(var, sympy.sqrt(q11) * z1) * expr.subs(
        var, sympy.sqrt(q22) * (rho * z1 + sympy.sqrt(1 - rho ** 2) * z2))
    pdf = sympy.exp(-(z1 ** 2 + z2 ** 2) / 2) / (2 * sympy.pi)
    inner = d.step("Integrate over $z_2$:", sympy.integrate(sympy.expand(uv) * pdf,
                                                              (z2, -sympy.oo, sympy.oo),
                                                              conds="none"), rule="integrate")
    outer = sympy.integrate(inner, (z1, -sympy.oo, sympy.oo), conds="none")
    value = d.step("Integrate over $z_1$ and put $\\rho = q_{12} / \\sqrt{q_{11} q_{22}}$:",
                   sympy.simplify(outer.subs(rho, q12 / sympy.sqrt(q11 * q22))), rule="integrate")
    if value.has(sympy.Integral):
        raise InvalidArgument(f"SymPy cannot integrate activation {expr} against a Gaussian: "
                              "use one of " + ", ".join(ACTIVATIONS))
    d.result = value
    return value, d


_c, _s, _v = sympy.symbols("c s v", real=True)


@lru_cache(maxsize=None)
def deviation_split(p: int) -> dict:
    """D_p(θ) = J_p(0) − J_p(θ) ≥ 0 split into parts float code can evaluate without cancellation.

    With c = cos θ, s = sin θ, SymPy writes J_p = A(c, s) + (π − θ) B(c) (checked below), so

        D_p = π (B(1) − B(1 − v)) + h(θ, c, s),   h = θ B(c) − (A(c, s) − A(1, 0)),

    where v = 1 − cos θ: the first part is v times a polynomial in v (exact in v, no
    cancellation), and h = O(θ³) is the only part whose terms cancel; it is evaluated from its
    Taylor polynomial below ``SERIES_SWITCH``. Returns the SymPy pieces.
    """
    J, _ = angular_factor(p)
    Jcs = sympy.expand(sympy.expand_trig(J).subs({sympy.cos(theta): _c, sympy.sin(theta): _s}))
    B = Jcs.coeff(sympy.pi)
    A = sympy.expand(Jcs - (sympy.pi - theta) * B)
    if A.has(theta) or A.has(sympy.pi):
        raise ArithmeticError(f"J_{p} is not of the form A(c, s) + (π − θ)B(c): {Jcs}")
    pi_part = sympy.factor(sympy.expand((B.subs(_c, 1) - B).subs(_c, 1 - _v)))
    h = theta * B - (A - A.subs({_c: 1, _s: 0}))
    h_theta = h.subs({_c: sympy.cos(theta), _s: sympy.sin(theta)})
    series = sympy.expand(sympy.series(h_theta, theta, 0, SERIES_ORDER + 1).removeO())
    return {"J_cs": Jcs, "pi_part": pi_part, "h": h, "h_series": series}


@lru_cache(maxsize=None)
def numeric_factors(p: int, module: str = "numpy") -> dict:
    """The arc-cosine factors as functions for ``module`` (``"numpy"``, ``"mpmath"`` or
    ``"torch"``, the latter asked for by verify/ only), all lambdified from the SymPy results:
    ``J(θ)``, ``J_cs(θ, c, s)`` (J with cos θ, sin θ passed in: the float recursion knows them
    without calling cos and sin), and the parts of
    :func:`deviation_split`: ``pi_part(v)``, ``h(θ, c, s)``, ``h_series(θ)``; ``J0`` = J_p(0)."""
    J, _ = angular_factor(p)
    split = deviation_split(p)
    lam = lambda args, e: sympy.lambdify(args, e, modules=module, cse=True)  # noqa: E731
    return {"J": lam(theta, J),
            "J_cs": lam((theta, _c, _s), split["J_cs"]),
            "pi_part": lam(_v, sympy.pi * split["pi_part"]),
            "h": lam((theta, _c, _s), split["h"]),
            "h_series": lam(theta, sympy.horner(split["h_series"], wrt=theta)),
            "J0": J.subs(theta, 0), "J0f": float(J.subs(theta, 0))}
