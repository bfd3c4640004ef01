"""Gaussian duals V(ρ) = E[σ(u)σ(v)] and V̇(ρ) = E[σ'(u)σ'(v)] at equal variances q, to many
digits, for any activation.

* ReLU^p (``step``, ``relu``, ``relu2``) and ``erf``: the closed forms derived by SymPy in
  :mod:`specbias.derive.ntk.arccos` (Cho & Saul 2009; Williams 1997), lambdified to mpmath.
* ``tanh``, ``sigmoid``, ``gelu`` and a user's formula (``formula:EXPR`` in the variable t,
  parsed by the whitelist parser :func:`specbias.support.formula.parse_formula`): from the
  Hermite expansion σ(√q z) = Σ_n a_n He_n(z)/√(n!), z ~ N(0, 1), which gives
  V(ρ) = Σ a_n² ρ^n and, by Price's theorem (∂V/∂q12 = E[σ'σ']), V̇(ρ) = Σ n a_n² ρ^(n−1)/q
  (Mehler's formula; e.g. Daniely, Frostig, Singer, NeurIPS 2016, Sec. 6).
  a_n = ∫ σ(√q z) √φ(z) h_n(z) dz with the normalized Hermite functions
  h_n = He_n √φ/√(n!) (bounded, three-term recurrence), by the trapezoid rule, which converges
  geometrically for integrands analytic in a strip. Certificates: V(1) = E[σ²] and
  V̇(1) = E[σ'²] computed directly by quadrature bound the truncated tails (all terms ≥ 0),
  and a second step size bounds the quadrature.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import sympy

from specbias.derive.ntk.arccos import dual_activation, q11, q12, q22, theta
from specbias.errors import InvalidArgument, require
from specbias.support.formula import parse_formula

CLOSED_FORM = ("step", "relu", "relu2", "erf")
HERMITE = ("tanh", "sigmoid", "gelu")
ACTIVATIONS = CLOSED_FORM + HERMITE
_t = sympy.Symbol("t", real=True)
_NAMED = {"tanh": sympy.tanh(_t), "sigmoid": 1 / (1 + sympy.exp(-_t)),
          "gelu": _t * (1 + sympy.erf(_t / sympy.sqrt(2))) / 2}


def check_activation(name: object) -> str:
    """A name of ``ACTIVATIONS`` or ``formula:EXPR`` (EXPR in t, whitelist-parsed)."""
    if isinstance(name, str) and name.startswith("formula:"):
        parse_formula(name[len("formula:"):], "t")
        return name
    if name not in ACTIVATIONS:
        raise InvalidArgument(f"activation {name!r} is unknown: use one of "
                              f"{', '.join(ACTIVATIONS)} or formula:EXPR (e.g. formula:tanh(2*t))")
    return str(name)


def activation_expr(name: str) -> sympy.Expr:
    """σ(t) as a SymPy expression (for the Hermite route)."""
    name = check_activation(name)
    if name.startswith("formula:"):
        return parse_formula(name[len("formula:"):], "t")
    return _NAMED[name]


@dataclass
class Dual:
    """V(ρ), V̇(ρ) at variance q (mpmath callables) and the certificate of the Hermite route."""

    name: str
    q: object
    value: object
    derivative: object
    diagonal: object          # V(1) = E[σ(u)²]
    certificate: dict


def _closed_dual(name: str, q, dps: int) -> Dual:
    dual = dual_activation(name)
    args = (q11, q22, q12, theta)
    fv = sympy.lambdify(args, dual.value, "mpmath")
    fd = sympy.lambdify(args, dual.derivative, "mpmath") if name != "step" else None

    def ang(rho):
        return mpmath.acos(max(-1, min(1, rho)))

    value = lambda rho: fv(q, q, q * rho, ang(rho))  # noqa: E731
    deriv = (lambda rho: fd(q, q, q * rho, ang(rho))) if fd else None  # noqa: E731
    return Dual(name, q, value, deriv, value(mpmath.mpf(1)), {"method": "closed form"})


def hermite_coefficients(sigma, q, count: int, step, zmax) -> list:
    """a_n = E[σ(√q z) He_n(z)]/√(n!), n < count, by the trapezoid rule on [−zmax, zmax] with
    the normalized Hermite functions h_n = He_n √φ/√(n!) (|h_n| ≤ 1; recurrence
    h_(n+1) = (z h_n − √n h_(n−1))/√(n+1)), in gmpy2 at the current mpmath precision."""
    import gmpy2
    with gmpy2.context(gmpy2.get_context(), precision=mpmath.mp.prec + 20):
        mpfr = lambda v: gmpy2.mpfr(mpmath.nstr(v, mpmath.mp.dps + 8))  # noqa: E731
        m = int(mpmath.ceil(zmax / step))
        sq = mpmath.sqrt(q)
        c0 = mpfr(1 / mpmath.root(2 * mpmath.pi, 4))
        roots = [gmpy2.sqrt(gmpy2.mpfr(n)) for n in range(count + 1)]
        acc = [gmpy2.mpfr(0)] * count
        st = mpfr(step)
        for j in range(-m, m + 1):
            z = j * st
            g = gmpy2.exp(-z * z / 4) * c0
            s = mpfr(sigma(sq * mpmath.mpf(j) * step)) * g
            h_prev, h = g, z * g
            acc[0] += s * h_prev
            if count > 1:
                acc[1] += s * h
            for n in range(1, count - 1):
                h_prev, h = h, (z * h - roots[n] * h_prev) / roots[n + 1]
                acc[n + 1] += s * h
        return [mpmath.mpf(str(a * st)) for a in acc]


def _gauss_expect(f, q):
    """E[f(√q z)], z ~ N(0, 1), by tanh–sinh quadrature."""
    sq = mpmath.sqrt(q)
    return mpmath.quad(lambda z: f(sq * z) * mpmath.exp(-z * z / 2), [-mpmath.inf, 0, mpmath.inf]) \
        / mpmath.sqrt(2 * mpmath.pi)


def _hermite_dual(name: str, q, dps: int, max_terms: int = 3000) -> Dual:
    expr = activation_expr(name)
    sigma = sympy.lambdify(_t, expr, "mpmath")
    dsigma = sympy.lambdify(_t, sympy.diff(expr, _t), "mpmath")
    tol = mpmath.mpf(10) ** (-(dps + 2))
    e2 = _gauss_expect(lambda u: sigma(u) ** 2, q)
    ed2 = _gauss_expect(lambda u: dsigma(u) ** 2, q)
    zmax = mpmath.sqrt(4 * (dps + 12) * mpmath.log(10)) + 2
    count = 160
    while True:
        step = mpmath.mpf(1) / (4 + count ** 0.5)
        full = [a * a for a in hermite_coefficients(sigma, q, count, step, zmax)]
        found = None
        for n in range(16, count + 1, 8):  # the shortest series whose tails are within tol
            tail_v = e2 - mpmath.fsum(full[:n])
            tail_d = ed2 - mpmath.fsum(k * a for k, a in enumerate(full[:n])) / q
            if abs(tail_v) <= tol * abs(e2) and abs(tail_d) <= tol * max(abs(ed2), tol):
                found = n
                break
        if found is not None:
            a2 = full[:found]
            break
        require(count < max_terms, f"activation {name}: the Hermite series needs more than "
                                   f"{max_terms} terms for {dps} digits (is it smooth?): ask "
                                   "for fewer digits or use a closed-form activation")
        count = min(max_terms, 3 * count)
    check = [a * a for a in hermite_coefficients(sigma, q, len(a2), step * 4 / 5, zmax)]
    quad_diff = max(abs(x - y) for x, y in zip(a2, check))
    count = len(a2)
    value = lambda rho: mpmath.polyval(a2[::-1], rho)  # noqa: E731
    deriv = lambda rho: mpmath.polyval([n * a for n, a in enumerate(a2)][:0:-1], rho) / q  # noqa: E731
    cert = {"method": "Hermite series", "terms": count, "tail_value": mpmath.nstr(tail_v, 3),
            "tail_derivative": mpmath.nstr(tail_d, 3),
            "quadrature_step_change": mpmath.nstr(quad_diff, 3)}
    return Dual(name, q, value, deriv, e2, cert)


def gaussian_dual(name: str, q, dps: int = 30) -> Dual:
    """The dual of ``name`` at variance q (work at the caller's mpmath precision ≥ dps + 10)."""
    name = check_activation(name)
    q = mpmath.mpf(q)
    require(q > 0, f"variance q = {q} must be > 0")
    if name in CLOSED_FORM:
        return _closed_dual(name, q, dps)
    return _cached_hermite(name, mpmath.nstr(q, mpmath.mp.dps), dps, mpmath.mp.dps)


@lru_cache(maxsize=64)
def _cached_hermite(name: str, q_text: str, dps: int, work: int) -> Dual:
    with mpmath.workdps(work):
        return _hermite_dual(name, mpmath.mpf(q_text), dps)


__all__ = ["ACTIVATIONS", "CLOSED_FORM", "Dual", "HERMITE", "activation_expr", "check_activation",
           "gaussian_dual", "hermite_coefficients"]
