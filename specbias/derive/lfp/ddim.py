"""The LFP operator in d dimensions (claim L3), derived from the NTK.

Network: h(x) = m^(-1/2) sum_i w_i ReLU(|r_i| (rhat_i . x + l_i)) = m^(-1/2) sum_i w_i ReLU(r_i . x + |r_i| l_i),
r_i in R^d, l_i the signed offset of the neuron's hyperplane; for d = 1 and a symmetric law of l
this is the lecture's w ReLU(r(x + l)). All of w, r, l are trained.

Two facts carry the derivation (seeds/003, "Lemma 2 (a)"): the transform of a ridge function is
F[g(rhat . x)](xi) = delta_rhat(xi) g_hat(xi . rhat), and averaging delta_rhat over a uniform
direction rhat gives E[delta_rhat(xi) G(rhat)] = (2 / |S^(d-1)|) |xi|^(1-d) (G(xihat) + G(-xihat)) / 2.
The gradient in r is w (x + l rhat) H(z): besides the part along rhat, which behaves as in one
dimension, it has a part P_perp x (P_perp = I - rhat rhat^T) that makes the kernel non-stationary
and adds an angular-Laplacian term to the operator.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy

from specbias.derive.lfp.multiplier import ASSUMPTIONS, RHO
from specbias.derive.lfp.options import MAX_DIM
from specbias.derive.lfp.transforms import elementary, named
from specbias.errors import InvalidArgument, require
from specbias.records import Derivation

D = sympy.Symbol("d", positive=True, integer=True)
K = sympy.Symbol(r"\vert \xi \vert", positive=True)
R2d, W2d, R2W2d = (sympy.Symbol(r"\langle \vert r \vert^{2}\rangle", positive=True),
                   sympy.Symbol(r"\langle w^{2}\rangle", positive=True),
                   sympy.Symbol(r"\langle \vert r \vert^{2} w^{2}\rangle", positive=True))
ELL = sympy.Symbol("ell", nonnegative=True, integer=True)
GAMMA_D = named("\\gamma_{d}(\\vert \\xi \\vert)")


def sphere_area(d=D) -> sympy.Expr:
    """|S^(d-1)| = 2 pi^(d/2) / Gamma(d/2)."""
    return 2 * sympy.pi ** (sympy.Rational(1, 1) * d / 2) / sympy.gamma(sympy.Rational(1, 1) * d / 2)


def check_dim(dim: object) -> int:
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise InvalidArgument(f"dimension {dim!r} must be an integer >= 1")
    require(dim <= MAX_DIM, f"dimension {dim} is too large for the symbolic report: use at most {MAX_DIM}")
    return dim


def _perpendicular_identity() -> sympy.Expr:
    """(x + l rhat).(x' + l rhat) - (rhat.x + l)(rhat.x' + l) - P_perp x . P_perp x' in d = 3 (-> 0)."""
    th, ph, l = sympy.symbols("theta phi l", real=True)
    u = sympy.Matrix([sympy.sin(th) * sympy.cos(ph), sympy.sin(th) * sympy.sin(ph), sympy.cos(th)])
    x = sympy.Matrix(sympy.symbols("x1:4", real=True))
    y = sympy.Matrix(sympy.symbols("y1:4", real=True))
    P = sympy.eye(3) - u * u.T
    lhs = (x + l * u).dot(y + l * u) - (u.dot(x) + l) * (u.dot(y) + l)
    return sympy.simplify(lhs - (P * x).dot(P * y))


def _riesz_check(alpha: int, coeff) -> sympy.Expr:
    """Ratio of two routes to F_d[E_rhat coeff |rhat . y|^alpha]: Riesz potential vs ridge average."""
    a = sympy.Integer(alpha)
    mean_power = sympy.gamma(D / 2) * sympy.gamma((a + 1) / 2) / (sympy.sqrt(sympy.pi) * sympy.gamma((a + D) / 2))
    riesz = sympy.pi ** (-a - D / 2) * sympy.gamma((a + D) / 2) / sympy.gamma(-a / 2) * K ** (-a - D)
    one_d = elementary()["abs3" if alpha == 3 else "abs1"].subs(sympy.Symbol("xi", real=True, nonzero=True), K)
    ridge = 2 / sphere_area() * K ** (1 - D) * one_d
    return sympy.simplify(sympy.gammasimp(coeff * mean_power * riesz / (coeff * ridge)))


def _angular_identity_2d() -> sympy.Expr:
    """div(|xi|^-(d+1) P_perp grad u) - |xi|^-(d+3) d^2u/dphi^2 in d = 2, polar coordinates (-> 0)."""
    rho_, phi = sympy.symbols("varrho phi", positive=True)
    f, g = sympy.Function("f"), sympy.Function("g")
    u = f(rho_) * g(phi)
    # In polar coordinates P_perp grad u = (1/rho) u_phi e_phi; div(V e_phi) = (1/rho) dV/dphi.
    v_phi = rho_ ** (-3) * sympy.diff(u, phi) / rho_
    div = sympy.diff(v_phi, phi) / rho_
    return sympy.simplify(div - rho_ ** (-5) * sympy.diff(u, phi, 2))


@lru_cache(maxsize=None)
def multiplier_ddim() -> tuple[sympy.Expr, sympy.Expr, Derivation]:
    """(radial multiplier gamma_d(|xi|), coefficient c_perp of |xi|^-(d+3) Delta_S, derivation)."""
    d = Derivation("LFP operator of the two-layer ReLU network in $d$ dimensions", assumptions=[
        ASSUMPTIONS[0], "network $h(x) = m^{-1/2}\\sum_i w_i\\,\\mathrm{ReLU}(r_i\\cdot x + \\vert r_i\\vert  l_i)$, "
        "$r_i \\in \\mathbb{R}^d$, all parameters trained, loss $\\frac{1}{2n}\\sum_i(h(x_i) - y_i)^2$",
        ASSUMPTIONS[2], "direction $\\hat r = r/\\vert r\\vert $ uniform on $S^{d-1}$ and independent of $\\vert r\\vert $, "
        "$w$, $l$; $l$ with density $\\rho$ on the offsets $-\\hat r\\cdot x$ of the data region"])
    d.step("Gradients of one neuron, $z = r\\cdot x + \\vert r\\vert  l$: $\\partial_w = \\mathrm{ReLU}(z)$, "
           "$\\partial_r = w(x + l\\hat r)H(z)$, $\\partial_l = w\\vert r\\vert H(z)$. The $r$-gradient product "
           "splits as $(\\hat r\\cdot x + l)(\\hat r\\cdot x' + l) + P_\\perp x\\cdot P_\\perp x'$; "
           "SymPy, $d = 3$ (difference of the two sides):", _perpendicular_identity(), rule="simplify")
    d.step("So the kernel is, with ridge profiles $k_3(s) = \\rho\\vert s\\vert ^3/12$ and $k_1(s) = -\\rho\\vert s\\vert /2$ "
           "(the $l$-averages of the ReLU and step products, up to polynomials), $E[(\\vert r\\vert ^2 + w^2)k_3"
           "(\\hat r\\cdot(x - x')) + (\\vert r\\vert ^2 w^2 + w^2 P_\\perp x\\cdot P_\\perp x')k_1(\\hat r\\cdot(x - x'))]$.")
    gamma = _radial()
    d.step("Lemma 2(a) and the average over $\\hat r$ ($E[\\delta_{\\hat r}(\\xi)] = 2\\vert \\xi\\vert ^{1-d}/\\vert S^{d-1}\\vert $) "
           "give the stationary part, with $\\vert S^{d-1}\\vert  = 2\\pi^{d/2}/\\Gamma(d/2)$:", gamma,
           labels=[GAMMA_D], rule="ridge average")
    d.step("Cross-check by Riesz potentials ($E\\vert \\hat r\\cdot y\\vert ^a$ and $F_d[\\vert y\\vert ^a]$, Stein 1970 V.1): ratio "
           "of the two routes for $\\vert y\\vert ^3/12$ and $-\\vert y\\vert /2$, any $d$:", _riesz_check(3, sympy.Rational(1, 12)),
           _riesz_check(1, -sympy.Rational(1, 2)), rule="gammasimp")
    cp = c_perp()
    d.step("The perpendicular part: $x_j \\to \\frac{i}{2\\pi}\\partial_{\\xi_j}$ on both sides gives "
           "$-\\frac{1}{4\\pi^2}\\nabla\\cdot(E[\\hat k_1 P_\\perp]\\nabla\\hat u_p)$, and "
           "$\\nabla\\cdot(\\vert \\xi\\vert ^{-(d+1)}P_\\perp\\nabla\\hat u) = \\vert \\xi\\vert ^{-(d+3)}\\Delta_S \\hat u$ "
           "($\\Delta_S$ the Laplacian on the unit sphere; SymPy, $d = 2$, difference):",
           _angular_identity_2d(), cp, labels=[None, named("c_{\\perp}")], rule="F[x g]")
    d.step("Hence $\\partial_t\\hat h = -\\gamma_d(\\vert \\xi\\vert )(\\hat h_p - \\hat f_p) + c_\\perp\\vert \\xi\\vert ^{-(d+3)}"
           "\\Delta_S(\\hat h_p - \\hat f_p)$; on a spherical harmonic of degree $\\ell$ "
           "($-\\Delta_S = \\ell(\\ell + d - 2)$) the multiplier is", effective_multiplier(),
           labels=[named("\\gamma_{d, \\ell}(\\vert \\xi \\vert)")], rule="spherical harmonics")
    d.result, d.result_lhs = gamma, GAMMA_D
    d.references += ["Seeds/003 Lemma 2 (transforms of ridge functions)",
                     "Stein, Singular Integrals (1970), Ch. V.1 (Riesz potentials)"]
    return gamma, cp, d


def _radial() -> sympy.Expr:
    """rho (2 / |S^(d-1)|) |xi|^(1-d) [(<|r|^2> + <w^2>) F[|s|^3/12] + <|r|^2 w^2> F[-|s|/2]]."""
    ridge = 2 / sphere_area() * K ** (1 - D)
    one3, one1 = (elementary()[k].subs(sympy.Symbol("xi", real=True, nonzero=True), K) for k in ("abs3", "abs1"))
    return sympy.simplify(RHO * ridge * ((R2d + W2d) * one3 / 12 - R2W2d * one1 / 2))


def c_perp() -> sympy.Expr:
    """Coefficient of |xi|^-(d+3) Delta_S in the operator: 2 rho <w^2> / (16 pi^4 |S^(d-1)|)."""
    return sympy.simplify(2 * RHO * W2d / (16 * sympy.pi ** 4 * sphere_area()))


def effective_multiplier() -> sympy.Expr:
    """gamma_d + c_perp ell (ell + d - 2) |xi|^-(d+3): the multiplier on degree-ell harmonics."""
    return sympy.simplify(_radial() + c_perp() * ELL * (ELL + D - 2) * K ** (-(D + 3)))


def slide_l3() -> sympy.Expr:
    """The lecture's d-dimensional multiplier, as written (claim L3)."""
    return (R2d + W2d) / K ** (D + 3) + 4 * sympy.pi ** 2 * R2W2d / K ** (D + 1)


# ------------------------------------------------------------------ the kernel in x-space, d = 2

def _ridge_A(s, t, L):
    return L ** 2 / 6 + s * t / 2 + np.abs(s - t) ** 3 / (24 * L)


def _ridge_B(s, t, L):
    return 0.5 - np.abs(s - t) / (4 * L)


def relu_kernel_2d(X: np.ndarray, Y: np.ndarray, m3: float, m1: float, mw: float, L: float,
                   angles: int = 2048, perpendicular: bool = True) -> np.ndarray:
    """E over the initialization of the NTK in d = 2 for l ~ U[-L, L] (|rhat . x| <= L).

    K = E_rhat[m3 A(rhat.x, rhat.x') + (m1 + mw P_perp x . P_perp x') B(rhat.x, rhat.x')] with
    m3 = <|r|^2> + <w^2>, m1 = <|r|^2 w^2>, mw = <w^2>; A, B the sign-averaged l-means of the
    ReLU and step products (as in 1D). The direction average is the trapezoid rule on [0, pi)
    (rhat and -rhat give the same symmetric A, B); the kinks make it O(angles^-2) accurate.
    ``perpendicular=False`` keeps only the polynomial part mw P_perp x . P_perp x' / 2 of the
    perpendicular term: the kernel whose symbol is the lecture's L3 (up to its constant).
    """
    X, Y = np.asarray(X, float), np.asarray(Y, float)
    require(X.ndim == 2 and X.shape[1] == 2 and Y.ndim == 2 and Y.shape[1] == 2,
            "relu_kernel_2d takes arrays of shape (n, 2)")
    out = np.zeros((len(X), len(Y)))
    for phi in np.pi * np.arange(angles) / angles:
        u = np.array([np.cos(phi), np.sin(phi)])
        v = np.array([-np.sin(phi), np.cos(phi)])
        s, t = (X @ u)[:, None], (Y @ u)[None, :]
        perp = (X @ v)[:, None] * (Y @ v)[None, :]
        b = _ridge_B(s, t, L) if perpendicular else 0.5
        out += m3 * _ridge_A(s, t, L) + m1 * _ridge_B(s, t, L) + mw * perp * b
    return out / angles


def derivation_for(dim: int) -> Derivation:
    """The d-dimensional derivation with the result evaluated at d = ``dim`` (dim >= 2)."""
    dim = check_dim(dim)
    require(dim >= 2, f"dimension {dim}: use multiplier.lfp_multiplier for d = 1")
    radial, cp, base = multiplier_ddim()
    d = Derivation(f"{base.title} (here $d = {dim}$)", list(base.assumptions), list(base.steps),
                   base.result, base.result_lhs, list(base.references))
    at = sympy.simplify(radial.subs(D, dim))
    d.step(f"At $d = {dim}$:", at, sympy.simplify(cp.subs(D, dim)), labels=[GAMMA_D, named("c_{\\perp}")],
           rule="substitute")
    d.result = at
    return d
