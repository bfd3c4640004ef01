"""Dual activations: E[σ(u)σ(v)] and E[σ'(u)σ'(v)] for a centred bivariate Gaussian (u, v).

With Var u = q11, Var v = q22, Cov(u, v) = q12 and cos θ = q12 / sqrt(q11 q22), the
ReLU^p activations σ_p(t) = max(0, t)^p give the arc-cosine kernels of Cho & Saul
(NIPS 2009, Eq. (4)-(6))

    E[σ_p(u) σ_p(v)] = (q11 q22)^(p/2) J_p(θ) / (2π),

and erf gives Williams (1997): E[erf(u) erf(v)] = (2/π) asin(2 q12 / sqrt((1+2q11)(1+2q22))).
Nothing below is copied from those papers: SymPy integrates each expectation and the
:class:`~specbias.records.Derivation` records what it returned. The tests compare the results
with Monte Carlo and with one-dimensional quadrature of the diagonal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import sympy

from specbias.errors import InvalidArgument
from specbias.records import Derivation

theta = sympy.Symbol("theta", positive=True)
q11, q22 = sympy.symbols("q_11 q_22", positive=True)
q12 = sympy.Symbol("q_12", real=True)
_r, _phi = sympy.symbols("r phi", real=True)

ACTIVATIONS = ("step", "relu", "relu2", "erf")
#: ReLU^p power of each arc-cosine activation.
POWERS = {"step": 0, "relu": 1, "relu2": 2}
SOURCES = ("Cho & Saul, Kernel methods for deep learning, NIPS 2009",
           "Williams, Computing with infinite networks, NIPS 1997")

#: Below this angle the deviation J_p(0) - J_p(θ) is evaluated from its Taylor polynomial.
SERIES_SWITCH = 1.0
#: Order of that polynomial: the first omitted term is below (2θ)^28/28! < 1e-21 at θ = 1, far
#: under float64's 1.1e-16 relative to D_p(1) > 0.3.
SERIES_ORDER = 28


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
    """

    name: str
    value: sympy.Expr
    derivative: sympy.Expr
    diagonal: sympy.Expr
    derivation: Derivation = field(compare=False, repr=False)
    power: int | None = None
    J: sympy.Expr | None = None
    J_derivative: sympy.Expr | None = None


@lru_cache(maxsize=None)
def angular_factor(p: int) -> tuple[sympy.Expr, Derivation]:
    """J_p(θ) = 2π E[σ_p(u)σ_p(v)] / (q11 q22)^(p/2), by integrating in polar coordinates."""
    d = Derivation(f"Arc-cosine kernel of ReLU^{p}", assumptions=[
        "w ~ N(0, I); by rotation invariance only the plane of x, y matters: "
        "x = |x| e_1, y = |y| (cos θ, sin θ), 0 < θ < π",
        "polar coordinates w = r (cos φ, sin φ): w·x ≥ 0 and w·y ≥ 0 iff θ − π/2 ≤ φ ≤ π/2"],
        references=[SOURCES[0]])
    integrand = d.step("In polar coordinates the product of the two units is r^(2p) cos^p φ "
                       "cos^p(φ−θ) |x|^p|y|^p, and the Gaussian density is e^(−r²/2)/(2π) r dr dφ.",
                       _r ** (2 * p) * sympy.cos(_phi) ** p * sympy.cos(_phi - theta) ** p,
                       labels=["integrand / (|x||y|)^p"])
    radial = d.step("Radial integral (SymPy integrate):",
                    sympy.integrate(_r ** (2 * p + 1) * sympy.exp(-_r ** 2 / 2), (_r, 0, sympy.oo)),
                    labels=["∫_0^∞ r^(2p+1) e^(−r²/2) dr"], rule="integrate")
    angular = d.step("Angular integral over the cone where both units are active:",
                     sympy.integrate(integrand.subs(_r, 1), (_phi, theta - sympy.pi / 2, sympy.pi / 2)),
                     labels=["∫ cos^p φ cos^p(φ−θ) dφ"], rule="integrate")
    J = d.step("J_p(θ) = radial × angular, simplified; then E[σ_p(u)σ_p(v)] = (q11 q22)^(p/2) J_p(θ)/(2π).",
               sympy.simplify(radial * angular), labels=["J_p(θ)"], rule="simplify")
    d.result, d.result_label = J, f"J_{p}(θ)"
    return J, d


def _polar_dual(p: int) -> DualActivation:
    J, d = angular_factor(p)
    scale = (q11 * q22) ** sympy.Rational(p, 2)
    value = scale * J / (2 * sympy.pi)
    diag = sympy.simplify((value / scale * q11 ** p).subs(theta, 0))
    u = sympy.Symbol("u", positive=True)
    direct = sympy.integrate(u ** (2 * p) * sympy.exp(-u ** 2 / (2 * q11)), (u, 0, sympy.oo)) \
        / sympy.sqrt(2 * sympy.pi * q11)
    d.step("Diagonal θ = 0, and independently the one-dimensional integral "
           "∫_0^∞ u^(2p) e^(−u²/2q)/sqrt(2πq) du; their difference:",
           diag, sympy.simplify(direct), sympy.simplify(diag - direct),
           labels=["E[σ_p(u)²] from J_p(0)", "one-dimensional integral", "difference"])
    if p == 0:
        deriv = 1 / (2 * sympy.pi * sympy.sqrt(q11 * q22) * sympy.sin(theta))
        d.step("σ_0' = δ: E[δ(u)δ(v)] is the density of (u, v) at the origin, "
               "1/(2π sqrt(det Λ)), infinite as θ → 0 (no finite NTK through a step layer).",
               deriv, labels=["E[σ'(u)σ'(v)]"])
        Jd = None
    else:
        Jd, _ = angular_factor(p - 1)
        deriv = d.step("σ_p' = p σ_{p−1}, so E[σ_p'(u)σ_p'(v)] = p² E[σ_{p−1}(u)σ_{p−1}(v)]:",
                       p ** 2 * (q11 * q22) ** sympy.Rational(p - 1, 2) * Jd / (2 * sympy.pi),
                       labels=["E[σ'(u)σ'(v)]"])
    return DualActivation(f"relu{p}" if p > 1 else ("relu" if p else "step"), value, deriv, diag,
                          d, p, J, Jd)


def _erf_dual() -> DualActivation:
    d = Derivation("Dual activation of erf", assumptions=[
        "(u, v) ~ N(0, Λ), Λ = [[q11, q12], [q12, q22]]",
        "Price's theorem: ∂/∂q12 E[f(u)g(v)] = E[f'(u)g'(v)]"], references=[SOURCES[1]])
    lam = sympy.Matrix([[q11, q12], [q12, q22]])
    det = d.step("erf'(t) = (2/sqrt π) e^(−t²), so E[erf'(u)erf'(v)] = (4/π) E[e^(−u²−v²)] and the "
                 "Gaussian integral gives det(I + 2Λ)^(−1/2); SymPy computes the determinant:",
                 sympy.expand((sympy.eye(2) + 2 * lam).det()), labels=["det(I + 2Λ)"], rule="det")
    deriv = 4 / (sympy.pi * sympy.sqrt(det))
    a, c = sympy.Symbol("a", positive=True), sympy.Symbol("c", real=True)
    prim = d.step("Integrate in q12 from 0 (where E[erf(u)erf(v)] = 0 by oddness), with "
                  "a = (1 + 2q11)(1 + 2q22):",
                  sympy.integrate(4 / (sympy.pi * sympy.sqrt(a - 4 * c ** 2)), (c, 0, q12)),
                  labels=["E[erf(u)erf(v)]"], rule="integrate")
    value = prim.subs(a, (1 + 2 * q11) * (1 + 2 * q22))
    check = d.step("Check: ∂/∂q12 of the result minus E[erf'erf'] simplifies to", 
                   sympy.simplify(sympy.diff(value, q12) - deriv), labels=["residual"])
    if check != 0:
        raise ArithmeticError(f"erf dual: Price's theorem check left {check}")
    diag = sympy.simplify(value.subs({q22: q11, q12: q11}))
    d.result, d.result_label = value, "E[erf(u)erf(v)]"
    return DualActivation("erf", value, deriv, diag, d)


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
    z1, z2 = sympy.symbols("z1 z2", real=True)
    rho = sympy.Symbol("rho", real=True)
    d = Derivation(f"Gaussian expectation of σ(u)σ(v), σ(t) = {sympy.sstr(expr)}",
                   assumptions=["(z1, z2) ~ N(0, I), ρ = q12 / sqrt(q11 q22), |ρ| < 1"])
    uv = expr.subs(var, sympy.sqrt(q11) * z1) * expr.subs(
        var, sympy.sqrt(q22) * (rho * z1 + sympy.sqrt(1 - rho ** 2) * z2))
    pdf = sympy.exp(-(z1 ** 2 + z2 ** 2) / 2) / (2 * sympy.pi)
    inner = d.step("Integrate over z2:", sympy.integrate(sympy.expand(uv) * pdf, (z2, -sympy.oo, sympy.oo),
                                                         conds="none"), rule="integrate")
    outer = sympy.integrate(inner, (z1, -sympy.oo, sympy.oo), conds="none")
    value = d.step("Integrate over z1 and put ρ = q12/sqrt(q11 q22):",
                   sympy.simplify(outer.subs(rho, q12 / sympy.sqrt(q11 * q22))), rule="integrate")
    if value.has(sympy.Integral):
        raise InvalidArgument(f"SymPy cannot integrate activation {expr} against a Gaussian: "
                              "use one of " + ", ".join(ACTIVATIONS))
    d.result = value
    return value, d


@lru_cache(maxsize=None)
def deviation_series(p: int) -> tuple[sympy.Expr, sympy.Expr]:
    """(D_p, its Taylor polynomial) with D_p(θ) = J_p(0) − J_p(θ) ≥ 0.

    The polynomial is what float code evaluates for θ < ``SERIES_SWITCH``: it has no
    cancellation, while J_p(0) − J_p(θ) computed from the closed form loses ~2 log10(1/θ) digits.
    """
    J, _ = angular_factor(p)
    D = sympy.simplify(J.subs(theta, 0) - J)
    poly = sympy.expand(sympy.series(D, theta, 0, SERIES_ORDER).removeO())
    # Drop the tail terms that cannot matter for θ ≤ 1: |c_k| θ^k ≤ |c_k| < 1e-22.
    kept = [t for t in sympy.Add.make_args(poly) if abs(float(t.subs(theta, 1))) >= 1e-22]
    return D, sympy.Add(*kept)


@lru_cache(maxsize=None)
def numeric_factors(p: int, module: str = "numpy") -> dict:
    """J_p, D_p (closed form), D_p (series) and J_p(0) as functions for ``module``
    (``"numpy"``, ``"mpmath"`` or ``"torch"``, the latter asked for by verify/ only)."""
    J, _ = angular_factor(p)
    D, poly = deviation_series(p)
    lam = lambda e: sympy.lambdify(theta, e, modules=module, cse=True)  # noqa: E731
    # J in θ, cos θ and sin θ as separate arguments (the float recursion knows all three
    # without calling cos and sin): the same expression, trig-expanded and substituted.
    c, s = sympy.symbols("c s", real=True)
    J_cs = sympy.expand_trig(J).subs({sympy.cos(theta): c, sympy.sin(theta): s})
    return {"J": lam(J), "D": lam(D), "D_series": lam(sympy.horner(poly, wrt=theta)),
            "J_cs": sympy.lambdify((theta, c, s), J_cs, modules=module, cse=True),
            "J0": J.subs(theta, 0)}
