"""The LFP multiplier of h(x) = m^(-1/2) sum_i w_i sigma(r_i (x + l_i)), derived from its NTK.

Setting (seeds/003, "Linear F-Principle dynamics"; Zhang, Xu, Luo, Ma, CPL 38 (2021),
arXiv:1905.10264): full-batch gradient flow of L = (1/2n) sum_i (h(x_i) - y_i)^2 on all of
(w_i, r_i, l_i), so that dh/dt(x) = -integral K(x, x') (h - f)(x') p(x') dx' with the empirical
data density p = (1/n) sum_i delta(x - x_i) and the NTK K = sum over neurons of the gradient
products. Each gradient of a neuron is a function of x + l_i alone; averaging over l with a
density rho turns each product into a convolution kernel whose transform is rho |g_hat|^2 (for
xi != 0). This gives, for any activation sigma,

    gamma(xi) = rho E_{r,w}[ |F[sigma(r.)]|^2 + w^2 |F[s sigma'(r s)]|^2 + w^2 r^2 |F[sigma'(r.)]|^2 ],

and for ReLU gamma(xi) = rho [ (<r^2> + <w^2>) / (16 pi^4 xi^4) + <r^2 w^2> / (4 pi^2 xi^2) ].
Luo, Ma, Xu, Zhang (SIAM J. Math. Data Sci. 4 (2022), arXiv:2010.08153) computed the same
operator for f = m^(-1/2) sum a_j sigma(w_j x + b_j) with b ~ N(0, sigma_b^2), sigma_b >> 1
(:func:`luo_comparison`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy

from specbias.derive.lfp.options import ACTIVATIONS
from specbias.derive.lfp.transforms import CONVENTION, XI, elementary, named, scaled, sech2_transform, \
    tanh_transform, times_x
from specbias.errors import InvalidArgument
from specbias.records import Derivation

RHO = sympy.Symbol("rho", positive=True)
#: Moments of the initialization, averaged over neurons (the slides' <.>).
R2, W2, R2W2 = (sympy.Symbol(r"\langle r^{2}\rangle", positive=True),
                sympy.Symbol(r"\langle w^{2}\rangle", positive=True),
                sympy.Symbol(r"\langle r^{2} w^{2}\rangle", positive=True))
XP = sympy.Symbol("x'", real=True)
GAMMA_LHS = named("\\gamma(\\xi)")
S = sympy.Symbol("s", real=True)
Rs, Ws, Ls = sympy.symbols("r w l", real=True, nonzero=True)

ASSUMPTIONS = [
    CONVENTION,
    "network $h(x) = \\alpha\\sum_{i=1}^m w_i \\sigma(r_i(x + l_i))$ with $\\alpha = m^{-1/2}$, so that the "
    "NTK is the mean over neurons (for the lecture's $\\alpha = 1$ it is $m$ times the mean and every "
    "multiplier below gains the factor $m$); all of $w_i, r_i, l_i$ trained; loss "
    "$\\frac{1}{2n}\\sum_i (h(x_i) - y_i)^2$, gradient flow (an assumption: the lecture's NTK slide "
    "writes the flow $\\partial_t h = -\\sum_i K(x, x_i)(h(x_i) - y_i)$ with no $1/n$, which multiplies "
    "every multiplier below by $n$, and its loss $\\sum_i (h(x_i) - y_i)^2$ by $2n$)",
    "NTK regime: the kernel keeps its value at initialization, and $m \\to \\infty$ so that the "
    "sum over neurons is the expectation over one neuron (the slides' mean $\\langle\\cdot\\rangle$)",
    "$l$ independent of $(r, w)$, with density $\\rho$ constant on the reflection $[-b, -a]$ of "
    "the interval $[a, b]$ that holds the data and the points where $h$ is evaluated ('widely spread "
    "$l$'); for ReLU the rest of the law of $l$ only adds polynomials of degree at most one in $x$ "
    "and $x'$ (transforms supported at $\\xi = 0$); for tanh $l$ must be uniform on $[-L, L]$ with "
    "$L - \\max\\vert x\\vert  \\gg 1/\\vert r\\vert $ (the ends add constants up to $e^{-2\\vert r\\vert (L - \\vert x\\vert )}$)",
    "for the moments: the sign of $r$ independent of $\\vert r\\vert $ and $w$ (symmetric law)",
]


def check_activation(name: object) -> str:
    if name not in ACTIVATIONS:
        raise InvalidArgument(f"activation {name!r} is not supported by the LFP derivation: use one "
                              f"of {', '.join(ACTIVATIONS)}")
    return str(name)


@lru_cache(maxsize=None)
def pieces(activation: str) -> dict[str, sympy.Expr]:
    """F[sigma(r s)], F[sigma'(r s)] and F[s sigma'(r s)] in XI (xi != 0), r = ``Rs``."""
    activation = check_activation(activation)
    if activation == "relu":
        act, der = elementary()["relu"], elementary()["heaviside"]
    else:
        act, der = tanh_transform(), sech2_transform()[0]
    d_hat = scaled(der, Rs)
    return {"act": scaled(act, Rs), "der": d_hat, "x_der": times_x(d_hat)}


def _abs2(expr: sympy.Expr) -> sympy.Expr:
    out = sympy.simplify(expr * sympy.conjugate(expr))
    return sympy.simplify(out.subs(sympy.Abs(Rs) ** 2, Rs ** 2).subs(sympy.sign(Rs) ** 2, 1))


def _moments(expr: sympy.Expr) -> sympy.Expr:
    """Average a polynomial in r^2, w^2 over the initialization: r^2 -> <r^2>, ..."""
    poly = sympy.Poly(sympy.expand(expr), Rs, Ws)
    table = {(2, 0): R2, (0, 2): W2, (2, 2): R2W2, (0, 0): sympy.Integer(1)}
    out = sympy.Integer(0)
    for (pr, pw), coeff in poly.terms():
        if (pr, pw) not in table:
            raise InvalidArgument(f"moment r^{pr} w^{pw} has no symbol")  # pragma: no cover
        out += coeff * table[(pr, pw)]
    return sympy.collect(sympy.expand(out), XI)


@lru_cache(maxsize=None)
def lfp_multiplier(activation: str = "relu") -> tuple[sympy.Expr, Derivation]:
    """gamma(xi) for the 1D network, with the derivation. For tanh the result is conditional on (r, w)."""
    activation = check_activation(activation)
    sigma, sigma_p = sympy.Function("sigma"), sympy.Function(r"\sigma^{\prime}")
    x = sympy.Symbol("x", real=True)
    d = Derivation(f"LFP multiplier of the two-layer {activation} network in one dimension",
                   assumptions=list(ASSUMPTIONS))
    neuron = Ws * sigma(Rs * (x + Ls))
    as_prime = lambda e: e.replace(lambda t: isinstance(t, sympy.Subs),  # noqa: E731
                                   lambda t: sigma_p(t.point[0]))
    grads = [as_prime(sympy.diff(neuron, v).doit()) for v in (Ws, Rs, Ls)]
    d.step("Gradients of one neuron $w\\sigma(r(x + l))$ with respect to $w$, $r$, $l$:", *grads,
           labels=[named("\\partial_{w}"), named("\\partial_{r}"), named("\\partial_{l}")], rule="diff")
    profiles = [sigma(Rs * S), Ws * S * sigma_p(Rs * S), Ws * Rs * sigma_p(Rs * S)]
    shifted = [sympy.simplify(g - p.subs(S, x + Ls)) for g, p in zip(grads, profiles)]
    d.step("Each gradient is $g(x + l)$ for one profile $g(s)$ (the differences $\\partial - g(x + l)$ "
           "follow the profiles), so the NTK is a sum of products $g(x + l) g(x' + l)$:", *profiles, *shifted,
           labels=[named("g_{w}(s)"), named("g_{r}(s)"), named("g_{l}(s)"), named("\\partial_{w} - g_{w}(x + l)"),
                   named("\\partial_{r} - g_{r}(x + l)"), named("\\partial_{l} - g_{l}(x + l)")], rule="substitute")
    d.step("Averaging over $l$ with density $\\rho$ gives the kernel $\\rho\\int g(x + l) g(x' + l) dl$, "
           "a convolution; acting on $u$ its transform is $\\rho\\,\\hat g(\\xi)\\hat g(-\\xi)\\hat u(\\xi)"
           " = \\rho\\vert \\hat g(\\xi)\\vert ^2 \\hat u(\\xi)$ for real $g$ (convolution theorem), with $u = (h - f)p$.",
           rule="convolution theorem")
    p = pieces(activation)
    hats = [p["act"], Ws * p["x_der"], Ws * Rs * p["der"]]
    d.step("Transforms of the three profiles for $\\xi \\neq 0$ (affine rule, $F[s g] = "
           "\\frac{i}{2\\pi}\\hat g'$):", *hats, labels=[named("\\hat g_{w}(\\xi)"), named("\\hat g_{r}(\\xi)"), named("\\hat g_{l}(\\xi)")], rule="transforms")
    squares = [_abs2(h) for h in hats]
    d.step("Their squared moduli:", *squares, labels=[named("\\vert \\hat g_{w} \\vert^{2}"), named("\\vert \\hat g_{r} \\vert^{2}"), named("\\vert \\hat g_{l} \\vert^{2}")])
    conditional = RHO * sympy.Add(*squares)
    if activation == "relu":
        result = d.step("Sum, times $\\rho$, averaged over the initialization:", _moments(conditional),
                        labels=[GAMMA_LHS], rule="expectation")
    else:
        result = conditional
        lead = _tanh_asymptotics(conditional)
        d.step("Sum, times $\\rho$, conditional on $(r, w)$; it decays like $e^{-2\\pi^2\\vert \\xi\\vert /\\vert r\\vert }$: "
               "the limit below is $\\lim_{\\xi\\to\\infty} \\gamma\\, e^{2\\pi^2\\xi/r}/\\xi^2$ for $r > 0$",
               conditional, lead, labels=[named("\\gamma(\\xi \\mid r, w)"), "leading coefficient"], rule="limit")
        d.step("Averaged over Gaussian $r \\sim N(0, s_r^2)$ the exponent is minimized at "
               "$r^3 = 2\\pi^2\\xi s_r^2$ (Laplace's method): the mean multiplier decays like "
               "$\\exp(-\\frac{3}{2}(2\\pi^2\\vert \\xi\\vert /s_r)^{2/3})$, faster than any power but slower than "
               "any exponential; for $\\vert r\\vert  \\le R$ it decays like $e^{-2\\pi^2\\vert \\xi\\vert /R}$.",
               tanh_saddle_exponent(), labels=[named("\\min_{r}\\left(\\frac{2\\pi^{2}\\xi}{r} + \\frac{r^{2}}{2 s_{r}^{2}}\\right)")],
               rule="Laplace's method")
    d.result, d.result_lhs = result, GAMMA_LHS
    d.references += ["Zhang, Luo, Ma, Xu, Chinese Phys. Lett. 38 (2021) 038701, arXiv:1905.10264",
                     "Luo, Ma, Xu, Zhang, SIAM J. Math. Data Sci. 4 (2022), arXiv:2010.08153"]
    return result, d


def _tanh_asymptotics(conditional: sympy.Expr) -> sympy.Expr:
    rp, xi = sympy.Symbol("r", positive=True), sympy.Symbol("xi", positive=True)
    expr = conditional.subs(Rs, rp).subs(XI, xi) * sympy.exp(2 * sympy.pi ** 2 * xi / rp) / xi ** 2
    return sympy.simplify(sympy.limit(sympy.simplify(expr.rewrite(sympy.exp)), xi, sympy.oo))


@lru_cache(maxsize=None)
def tanh_saddle_exponent() -> sympy.Expr:
    """min over r > 0 of 2 pi^2 xi / r + r^2 / (2 s^2), by SymPy (Laplace's method for E_r)."""
    rp, xi, s = sympy.Symbol("r", positive=True), sympy.Symbol("xi", positive=True), \
        sympy.Symbol("s_r", positive=True)
    phi = 2 * sympy.pi ** 2 * xi / rp + rp ** 2 / (2 * s ** 2)
    (rstar,) = sympy.solve(sympy.diff(phi, rp), rp)
    return sympy.simplify(phi.subs(rp, rstar))


def tanh_conditional_stable() -> sympy.Expr:
    """The conditional tanh multiplier with csch and coth (no overflow for small |r|), checked equal."""
    cond = lfp_multiplier("tanh")[0]
    t = sympy.pi ** 2 * XI / Rs
    stable = RHO * sympy.csch(t) ** 2 * (sympy.pi ** 2 * (1 + 4 * sympy.pi ** 2 * Ws ** 2 * XI ** 2) / Rs ** 2
                                         + sympy.pi ** 2 * Ws ** 2 * (Rs - sympy.pi ** 2 * XI * sympy.coth(t)) ** 2
                                         / Rs ** 6)
    diff = sympy.simplify((stable - cond).rewrite(sympy.exp))
    if diff != 0:  # pragma: no cover - a SymPy regression
        raise ArithmeticError("tanh multiplier: the stable form differs from the derived one")
    return stable


def tanh_mean_multiplier(xi, s_r: float, s_w: float, rho: float = 1.0, nodes: int = 400) -> np.ndarray:
    """E over r ~ N(0, s_r^2), w ~ N(0, s_w^2) of the conditional tanh multiplier.

    Gauss-Legendre in r on (0, R] with R = max(12 s_r, 3 r*), r* = (2 pi^2 xi s_r^2)^(1/3) the
    maximum of the integrand (Laplace's method): beyond R both the Gaussian weight and the
    multiplier are negligible. The multiplier is even in r and quadratic in w, so E_w is exact
    with <w^2> = s_w^2.
    """
    stable_fns = {"coth": lambda z: 1 / np.tanh(z), "csch": lambda z: 1 / np.sinh(z)}
    f = sympy.lambdify((XI, Rs, Ws), tanh_conditional_stable().subs(RHO, rho), [stable_fns, "numpy"])
    t, wt = np.polynomial.legendre.leggauss(nodes)
    out = []
    for x in np.atleast_1d(np.asarray(xi, float)):
        R = max(12 * s_r, 3 * (2 * np.pi ** 2 * abs(x) * s_r ** 2) ** (1 / 3))
        r = R * (t + 1) / 2
        weights = R / 2 * wt * 2 * np.exp(-r ** 2 / (2 * s_r ** 2)) / (np.sqrt(2 * np.pi) * s_r)
        with np.errstate(over="ignore", under="ignore"):
            f0 = f(x, r, 0.0)
            vals = f0 + (f(x, r, 1.0) - f0) * s_w ** 2
        out.append(float(vals @ weights))
    return np.array(out)


def slide_ratio(derived: sympy.Expr, slide: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
    """(slide / derived simplified, ratio of the xi^-2 coefficients, ratio of the xi^-4 coefficients)."""
    coeff = lambda e, k: sympy.expand(e).coeff(XI, -k)  # noqa: E731
    return (sympy.simplify(slide / derived), sympy.simplify(coeff(slide, 2) / coeff(derived, 2)),
            sympy.simplify(coeff(slide, 4) / coeff(derived, 4)))


# ------------------------------------------------------------------ exact kernel, uniform l

@lru_cache(maxsize=None)
def relu_kernel_uniform() -> tuple[sympy.Expr, Derivation]:
    """E over the initialization of the NTK for l ~ U[-L, L] and sign-symmetric r, |x|, |x'| <= L.

    K(x, x') = (<r^2> + <w^2>) A(x, x') + <r^2 w^2> B(x, x') with A the l-mean of
    ReLU(s(x + l)) ReLU(s(x' + l)) and B of H(s(x + l)) H(s(x' + l)), averaged over s = sign r.
    """
    x, xp, l, Lb = sympy.symbols("x x' l L", real=True)
    Lp = sympy.Symbol("L", positive=True)
    d = Derivation("NTK of the 1D ReLU LFP network for $l$ uniform on $[-L, L]$", assumptions=[
        ASSUMPTIONS[1], "$l \\sim U[-L, L]$ independent of $(r, w)$, sign of $r$ symmetric and "
        "independent of $\\vert r\\vert , w$; $\\vert x\\vert , \\vert x'\\vert  \\le L$; the case $x \\le x'$ (the kernel is symmetric)"])
    # r > 0: ReLU(x+l) ReLU(x'+l) is nonzero for l > -x (x <= x'); r < 0: for l < -x'.
    a_pos = sympy.integrate((x + l) * (xp + l), (l, -x, Lp)) / (2 * Lp)
    a_neg = sympy.integrate((x + l) * (xp + l), (l, -Lp, -xp)) / (2 * Lp)
    b_pos = sympy.integrate(1, (l, -x, Lp)) / (2 * Lp)
    b_neg = sympy.integrate(1, (l, -Lp, -xp)) / (2 * Lp)
    A = sympy.expand((a_pos + a_neg) / 2)
    Bk = sympy.expand((b_pos + b_neg) / 2)
    d.step("The $l$-means of the ReLU and step products for $r > 0$ and $r < 0$, averaged over the "
           "sign ($x \\le x'$):", A, Bk, labels=[named("A(x, x')"), named("B(x, x')")], rule="integrate")
    dx = xp - x
    A_form = Lp ** 2 / 6 + x * xp / 2 + dx ** 3 / (24 * Lp)
    B_form = sympy.Rational(1, 2) - dx / (4 * Lp)
    checks = [sympy.simplify(A - A_form), sympy.simplify(Bk - B_form)]
    d.step("So, with $\\rho = 1/(2L)$, $A = L^2/6 + x x'/2 + \\rho\\vert x - x'\\vert ^3/12$ and "
           "$B = 1/2 - \\rho\\vert x - x'\\vert /2$ (differences):", *checks,
           labels=[named("A(x, x') - A_{\\mathrm{closed}}"), named("B(x, x') - B_{\\mathrm{closed}}")], rule="simplify")
    if any(c != 0 for c in checks):  # pragma: no cover - a SymPy regression
        raise ArithmeticError("relu_kernel_uniform: closed form does not match the integral")
    K = (R2 + W2) * A_form + R2W2 * B_form
    d.result, d.result_lhs = K.subs(Lp, Lb), named("K(x, x')")
    return d.result, d


def relu_kernel_numeric(x: np.ndarray, y: np.ndarray, m3: float, m1: float, L: float) -> np.ndarray:
    """The kernel of :func:`relu_kernel_uniform` on arrays: m3 = <r^2> + <w^2>, m1 = <r^2 w^2>."""
    X, Y = np.meshgrid(np.asarray(x, float), np.asarray(y, float), indexing="ij")
    s = np.abs(X - Y)
    return m3 * (L ** 2 / 6 + X * Y / 2 + s ** 3 / (24 * L)) + m1 * (0.5 - s / (4 * L))


def relu_multiplier_numeric(xi, m3: float, m1: float, rho: float) -> np.ndarray:
    """gamma(xi) = rho [m3 / (16 pi^4 xi^4) + m1 / (4 pi^2 xi^2)] (the derived ReLU multiplier)."""
    xi = np.asarray(xi, float)
    return rho * (m3 / (16 * np.pi ** 4 * xi ** 4) + m1 / (4 * np.pi ** 2 * xi ** 2))
