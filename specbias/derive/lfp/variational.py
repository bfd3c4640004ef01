"""The long-time limit of the LFP dynamics as a variational problem, and its spline limits (L4).

With multiplier gamma(xi) = rho [c4 / (16 pi^4 xi^4) + c2 / (4 pi^2 xi^2)] (c4 = <r^2> + <w^2>,
c2 = <r^2 w^2>), the limit minimizes integral gamma^-1 |h_hat - h_ini_hat|^2 subject to h(X) = Y
(seeds/003, "Theorem (informal)"): a kernel interpolation with the kernel F^-1[gamma] =
rho (c4 |s|^3 / 12 - c2 |s| / 2), conditionally positive definite, whose null space (functions
the penalty does not see) is the affine functions when c4 > 0 (gamma^-1 ~ xi^4 at 0) and the
constants when c4 = 0. The minimizer is h_ini + sum_i alpha_i K(x - x_i) + p(x) with
sum_i alpha_i q(x_i) = 0 for every q in the null space (Wahba, Spline Models for Observational
Data, 1990, Ch. 1-2; Duchon 1977).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy
from scipy.interpolate import CubicSpline

from specbias.derive.lfp.multiplier import R2, R2W2, RHO, W2
from specbias.derive.lfp.transforms import CONVENTION, XI, named
from specbias.errors import require
from specbias.records import Derivation


@lru_cache(maxsize=None)
def parseval_constants() -> tuple[sympy.Expr, sympy.Expr]:
    """integral xi^(2k) |h_hat|^2 dxi / integral |h^(k)|^2 dx for k = 1, 2: (2 pi)^(-2k)."""
    out = []
    for k in (1, 2):
        deriv_hat = (2 * sympy.pi * sympy.I * XI) ** k     # F[h^(k)] = (2 pi i xi)^k h_hat
        out.append(sympy.simplify(XI ** (2 * k) / (deriv_hat * sympy.conjugate(deriv_hat))))
    return out[0], out[1]


def _constrained_sum(n: int, power: int, null_dim: int):
    """sum_i alpha_i |x - x_i|^power for x left of all knots, with the moment conditions solved."""
    x = sympy.Symbol("x", real=True)
    knots = sympy.symbols(f"x1:{n + 1}", real=True)
    alpha = sympy.symbols(f"alpha1:{n + 1}", real=True)
    conds = [sum(alpha)] + ([sum(a * k for a, k in zip(alpha, knots))] if null_dim == 2 else [])
    sol = sympy.solve(conds, alpha[-null_dim:], dict=True)[0]
    left = sum(a * (k - x) ** power for a, k in zip(alpha, knots))      # x < x_1: |x - x_i| = x_i - x
    return x, sympy.simplify(left.subs(sol))


@lru_cache(maxsize=None)
def spline_limits() -> Derivation:
    """The two limits of L4 and the boundary conditions that come out of them."""
    d = Derivation("Long-time limit of the LFP dynamics: the two spline limits", assumptions=[
        CONVENTION, "the derived multiplier $\\gamma(\\xi) = \\rho[(\\langle r^2\\rangle + \\langle w^2\\rangle)"
        "/(16\\pi^4\\xi^4) + \\langle r^2 w^2\\rangle/(4\\pi^2\\xi^2)]$; the lecture's multiplier is this "
        "times $16\\pi^4/\\rho$, which leaves every minimizer unchanged",
        "data $x_1 < \\dots < x_n$ on the line, $h_{ini} = 0$ (else replace $h$ by $h - h_{ini}$)"])
    k1, k2 = parseval_constants()
    d.step("Parseval with $F[h^{(k)}] = (2\\pi i\\xi)^k\\hat h$: $\\int\\xi^{2k}\\vert \\hat h\\vert ^2 d\\xi$ divided by "
           "$\\int\\vert h^{(k)}\\vert ^2dx$ for $k = 1, 2$:", k1, k2, rule="Parseval")
    s = sympy.Symbol("s", real=True)
    kernel = RHO * ((R2 + W2) * sympy.Abs(s) ** 3 / 12 - R2W2 * sympy.Abs(s) / 2)
    d.step("The minimizer is a kernel interpolant with $K = F^{-1}[\\gamma]$ (up to polynomials of "
           "the null space), from the transforms of $\\vert s\\vert ^3$ and $\\vert s\\vert $:", kernel, labels=[named("K(s)")])
    x, h2_left = _constrained_sum(4, 1, 2)
    d.step("$\\xi^{-4}$ dominant over the data's frequencies ($\\xi_*$ far above the data's band): $h = \\sum_i\\alpha_i\\vert x - x_i\\vert ^3 + "
           "\\beta_0 + \\beta_1 x$ with $\\sum\\alpha_i = \\sum\\alpha_i x_i = 0$ (null space: affine). It "
           "is a cubic between knots, $C^2$ ($\\vert s\\vert ^3$ has a jump only in the third derivative). Its "
           "second derivative left of the knots, $6\\sum\\alpha_i(x_i - x)$ with the conditions imposed "
           "($n = 4$):", h2_left, rule="solve")
    x, h1_left = _constrained_sum(4, 0, 1)
    d.step("So $h'' = 0$ outside $[x_1, x_n]$ and, by continuity, $h''(x_1) = h''(x_n) = 0$: the natural "
           "cubic spline, extended linearly; it minimizes $\\int\\vert h''\\vert ^2$. "
           "$\\xi^{-2}$ dominant over the data's frequencies ($\\xi_*$ far below the data's band): $h = "
           "\\sum_i\\alpha_i\\vert x - x_i\\vert  + \\beta_0$ with $\\sum\\alpha_i = 0$; left of the knots $h'$ is "
           "$-\\sum\\alpha_i$:", h1_left, rule="solve")
    d.step("So $h' = 0$ outside $[x_1, x_n]$: the piecewise-linear interpolant extended by constants; "
           "it minimizes $\\int\\vert h'\\vert ^2$.")
    ratio = crossover_ratio()
    d.step("Which term dominates at frequency $\\xi$: the ratio of the $\\xi^{-4}$ term to the "
           "$\\xi^{-2}$ term, and the crossover $\\xi_*$ where they are equal:", ratio, crossover(),
           labels=["ratio of the $\\xi^{-4}$ term to the $\\xi^{-2}$ term", named("\\xi_*")])
    d.result, d.result_lhs = kernel, named("K(s)")
    d.references += ["Wahba, Spline Models for Observational Data (1990), Ch. 1-2",
                     "Zhang, Luo, Ma, Xu, Chinese Phys. Lett. 38 (2021), arXiv:1905.10264"]
    return d


def crossover_ratio() -> sympy.Expr:
    """(xi^-4 term) / (xi^-2 term) of the multiplier at frequency xi."""
    return sympy.simplify(((R2 + W2) / (16 * sympy.pi ** 4 * XI ** 4)) / (R2W2 / (4 * sympy.pi ** 2 * XI ** 2)))


def crossover() -> sympy.Expr:
    """xi_* with equal terms: sqrt((<r^2> + <w^2>) / (4 pi^2 <r^2 w^2>))."""
    xi = sympy.Symbol("xi", positive=True)
    (sol,) = sympy.solve(sympy.Eq(crossover_ratio().subs(XI, xi), 1), xi)
    return sol


def crossover_numeric(r2: float, w2: float, r2w2: float) -> float:
    return float(np.sqrt((r2 + w2) / (4 * np.pi ** 2 * r2w2)))


# ------------------------------------------------------------------ numerics

def cpd_interpolant(x, y, x_eval, c3: float, c1: float) -> np.ndarray:
    """The minimizer of L4: sum alpha_i (c3|x - x_i|^3 + c1|x - x_i|) + null-space polynomial.

    Null space: affine when c3 != 0, constants when c3 == 0; the moment conditions are imposed
    through the saddle-point system [[K, P], [P^T, 0]] (Wahba 1990, Sec. 2.4).
    """
    x, y, x_eval = (np.asarray(v, float) for v in (x, y, x_eval))
    require(len(x) == len(y) and len(x) >= 2, "cpd_interpolant needs as many values as knots (>= 2)")
    kern = lambda a, b: c3 * np.abs(a[:, None] - b[None, :]) ** 3 + c1 * np.abs(a[:, None] - b[None, :])  # noqa: E731
    deg = 2 if c3 != 0 else 1
    P = np.vander(x, deg, increasing=True)
    A = np.block([[kern(x, x), P], [P.T, np.zeros((deg, deg))]])
    coef = np.linalg.solve(A, np.concatenate([y, np.zeros(deg)]))
    return kern(x_eval, x) @ coef[:len(x)] + np.vander(x_eval, deg, increasing=True) @ coef[len(x):]


def natural_cubic_spline(x, y, x_eval) -> np.ndarray:
    """scipy's natural cubic spline inside [x_1, x_n], extended linearly outside (h'' = 0 there)."""
    x, y, x_eval = (np.asarray(v, float) for v in (x, y, x_eval))
    cs = CubicSpline(x, y, bc_type="natural")
    out = cs(np.clip(x_eval, x[0], x[-1]))
    for end, mask in ((x[0], x_eval < x[0]), (x[-1], x_eval > x[-1])):
        out[mask] = cs(end) + cs(end, 1) * (x_eval[mask] - end)
    return out


def linear_spline(x, y, x_eval) -> np.ndarray:
    """The piecewise-linear interpolant, constant outside [x_1, x_n] (np.interp)."""
    return np.interp(np.asarray(x_eval, float), np.asarray(x, float), np.asarray(y, float))
