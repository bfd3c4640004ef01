"""The FP-norm, the FP-space and the a priori generalization bound of claim L5, in one dimension.

Setting (seeds/003, "FP-norm and FP-space"): functions on the torus [0, 1) with Fourier series
h_hat(k) = integral_0^1 h(x) exp(-2 pi i k x) dx, ||h||_gamma = (sum_k gamma(k)^-2 |h_hat(k)|^2)^(1/2)
with gamma(k)^2 the LFP multiplier, here gamma(k)^2 = c4 / k^4 + c2 / k^2 for k != 0 (the ReLU
multiplier up to the factor rho / (16 pi^4), which cancels in the bound). The slides sum over
Z^d* and leave k = 0 open; the bound needs a finite gamma(0) (sup|h| <= ||h||_gamma ||gamma||_l2
uses every k), so gamma(0)^2 is a stated parameter (default gamma(1)^2).

The minimizer of ||h||_gamma subject to h(X) = Y is kernel interpolation with the periodic kernel
K(tau) = sum_k gamma(k)^2 exp(2 pi i k tau), which is a combination of Bernoulli polynomials.
The loss in L(h) is taken as E_x |h(x) - f(x)|, x uniform: the bound's form (a 1-Lipschitz loss
bounded by ||f||_inf + ||f||_gamma ||gamma||) is that of Shalev-Shwartz & Ben-David,
Understanding Machine Learning (2014), Theorem 26.5 with Lemma 26.9 (contraction).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy

from specbias.derive.lfp.transforms import named
from specbias.errors import require
from specbias.records import Derivation

C4, C2, G0 = sympy.symbols("c_4 c_2 gamma_0^2", positive=True)
KK = sympy.Symbol("k", integer=True, positive=True)
TAU = sympy.Symbol("tau", real=True)
F_INF, F_GAM, G_L2, N = (sympy.Symbol(r"\Vert f\Vert_{\infty}", positive=True),
                         sympy.Symbol(r"\Vert f\Vert_{\gamma}", positive=True),
                         sympy.Symbol(r"\Vert\gamma\Vert_{\ell^{2}}", positive=True), sympy.Symbol("n", positive=True))
#: log(4/delta), positive for delta in (0, 1): a symbol, so that signs are decided.
LOG4D = sympy.Symbol(r"\log(4/\delta)", positive=True)


def gamma_sq(k):
    """gamma(k)^2 = c4 / k^4 + c2 / k^2 (k != 0)."""
    return C4 / k ** 4 + C2 / k ** 2


@lru_cache(maxsize=None)
def periodic_kernel() -> tuple[sympy.Expr, Derivation]:
    """K(tau) on [0, 1) and the l2 norm of gamma, with their derivation."""
    d = Derivation("The FP-norm's reproducing kernel and $\\Vert \\gamma \\Vert_{\\ell^2}$ on the torus", assumptions=[
        "$\\gamma(k)^2 = c_4/k^4 + c_2/k^2$ for $k \\neq 0$ (the ReLU LFP multiplier up to a constant "
        "factor), $\\gamma(0)^2 = \\gamma_0^2$ finite", "Fourier series $\\hat h(k) = \\int_0^1 h(x) "
        "e^{-2\\pi i k x}dx$"])
    coeffs = [sympy.simplify(sympy.integrate(sympy.bernoulli(p, TAU) * sympy.exp(-2 * sympy.pi * sympy.I * KK * TAU),
                                             (TAU, 0, 1))) for p in (2, 4)]
    d.step("Fourier coefficients ($k \\neq 0$) of the Bernoulli polynomials $B_2$ and $B_4$ on $[0, 1)$; "
           "both have mean zero:", *coeffs, labels=["coefficient of $B_2$", "coefficient of $B_4$"], rule="integrate")
    kern = G0 + C2 * B2_FACTOR * sympy.bernoulli(2, TAU) + C4 * B4_FACTOR * sympy.bernoulli(4, TAU)
    check = [sympy.simplify(B2_FACTOR * coeffs[0] - 1 / KK ** 2), sympy.simplify(B4_FACTOR * coeffs[1] - 1 / KK ** 4)]
    d.step("So $\\sum_{k\\neq 0} e^{2\\pi i k\\tau}/k^2 = 2\\pi^2 B_2(\\tau)$ and $\\sum_{k\\neq 0}"
           "e^{2\\pi i k\\tau}/k^4 = -\\frac{2\\pi^4}{3}B_4(\\tau)$ (coefficient differences), and the kernel is",
           *check, kern, labels=[None, None, named("K(\\tau)")], rule="Fourier series")
    norm2 = G0 + 2 * sympy.summation(gamma_sq(KK), (KK, 1, sympy.oo))
    d.step("$\\Vert \\gamma\\Vert _{\\ell^2}^2 = \\gamma_0^2 + 2\\sum_{k\\ge 1}\\gamma(k)^2 = K(0)$:", sympy.simplify(norm2),
           sympy.simplify(kern.subs(TAU, 0) - norm2), labels=[named("\\Vert \\gamma \\Vert_{\\ell^2}^2"), named("K(0) - \\Vert \\gamma \\Vert_{\\ell^2}^2")],
           rule="zeta values")
    d.result, d.result_lhs = kern, named("K(\\tau)")
    return kern, d


B2_FACTOR = 2 * sympy.pi ** 2
B4_FACTOR = -2 * sympy.pi ** 4 / 3


@lru_cache(maxsize=None)
def bounds() -> tuple[sympy.Expr, sympy.Expr, Derivation]:
    """(the slides' bound, the textbook bound, derivation): both for the min-FP-norm interpolant."""
    d = Derivation("An a priori bound for the minimum-FP-norm interpolant", assumptions=[
        "$f \\in F_\\gamma$, $n$ samples $x_i$ i.i.d. uniform, $h_n = \\arg\\min\\Vert h\\Vert _\\gamma$ subject to "
        "$h(x_i) = f(x_i)$; loss $\\vert h(x) - f(x)\\vert $ (1-Lipschitz), $L(h) = E_x\\vert h(x) - f(x)\\vert $",
        "probability at least $1 - \\delta$ over the samples"])
    d.step("$\\Vert h_n\\Vert _\\gamma \\le \\Vert f\\Vert _\\gamma$ ($f$ is feasible), and by Cauchy-Schwarz $\\sup\\vert h\\vert  \\le "
           "\\sum_k\\vert \\hat h(k)\\vert  \\le \\Vert h\\Vert _\\gamma\\Vert \\gamma\\Vert _{\\ell^2}$: the loss is bounded by "
           "$c = \\Vert f\\Vert _\\infty + \\Vert f\\Vert _\\gamma\\Vert \\gamma\\Vert _{\\ell^2}$ on the class "
           "$\\{\\Vert h\\Vert _\\gamma \\le \\Vert f\\Vert _\\gamma\\}$, whose empirical Rademacher complexity is at most "
           "$\\Vert f\\Vert _\\gamma\\Vert \\gamma\\Vert _{\\ell^2}/\\sqrt{n}$.", rule="Cauchy-Schwarz")
    tail = sympy.sqrt(2 * LOG4D / N)
    textbook = 2 * F_GAM * G_L2 / sympy.sqrt(N) + 4 * (F_INF + F_GAM * G_L2) * tail
    d.step("Theorem 26.5 of Shalev-Shwartz & Ben-David with the contraction lemma and $L_S(h_n) = 0$:",
           textbook, labels=["bound on $L(h_n)$"], rule="Rademacher bound")
    slide = (F_INF + 2 * F_GAM * G_L2) * (2 / sympy.sqrt(N) + 4 * tail)
    gap = sympy.expand(slide - textbook)
    d.step("The slides' bound, and its excess over this one (every term non-negative):", slide, gap,
           labels=["the slides' bound", "the slides' bound minus the derived one"], rule="expand")
    d.result = textbook
    d.references.append("Shalev-Shwartz & Ben-David, Understanding Machine Learning (2014), Thm 26.5, Lemma 26.9")
    return slide, textbook, d


# ------------------------------------------------------------------ numerics

def kernel_numeric(tau, c4: float, c2: float, g0: float) -> np.ndarray:
    """K(tau) = g0 + 2 pi^2 c2 B_2({tau}) - (2 pi^4/3) c4 B_4({tau}) (periodic)."""
    t = np.mod(np.asarray(tau, float), 1.0)
    b2 = t ** 2 - t + 1 / 6
    b4 = t ** 4 - 2 * t ** 3 + t ** 2 - 1 / 30
    return g0 + B2_NUM * c2 * b2 + B4_NUM * c4 * b4


B2_NUM, B4_NUM = float(B2_FACTOR), float(B4_FACTOR)


def gamma_l2(c4: float, c2: float, g0: float) -> float:
    return float(np.sqrt(kernel_numeric(0.0, c4, c2, g0)))


def fp_norm(coeffs: dict, c4: float, c2: float, g0: float) -> float:
    """||f||_gamma of a trigonometric polynomial given by its Fourier coefficients {k: f_hat(k)}."""
    total = 0.0
    for k, c in coeffs.items():
        g2 = g0 if k == 0 else c4 / k ** 4 + c2 / k ** 2
        total += abs(c) ** 2 / g2
    return float(np.sqrt(total))


def min_norm_fit(x, y, x_eval, c4: float, c2: float, g0: float) -> tuple[np.ndarray, float]:
    """(argmin ||h||_gamma subject to h(x_i) = y_i at x_eval, its norm ||h||_gamma = sqrt(y K^-1 y))."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    require(len(x) == len(y) and len(x) >= 1, "min_norm_interpolant needs one value per point")
    K = kernel_numeric(x[:, None] - x[None, :], c4, c2, g0)
    alpha = np.linalg.solve(K, y)
    h = kernel_numeric(np.asarray(x_eval, float)[:, None] - x[None, :], c4, c2, g0) @ alpha
    return h, float(np.sqrt(max(float(y @ alpha), 0.0)))


def min_norm_interpolant(x, y, x_eval, c4: float, c2: float, g0: float) -> np.ndarray:
    """argmin ||h||_gamma subject to h(x_i) = y_i, evaluated at x_eval (kernel interpolation)."""
    return min_norm_fit(x, y, x_eval, c4, c2, g0)[0]


def bound_numeric(f_inf: float, f_gamma: float, g_l2: float, n: int, delta: float) -> dict:
    """The slides' and the textbook bound as numbers."""
    slide, textbook, _ = bounds()
    require(0 < delta < 1, f"confidence delta {delta!r} must lie in (0, 1)")
    subs = {F_INF: f_inf, F_GAM: f_gamma, G_L2: g_l2, N: n, LOG4D: float(np.log(4 / delta))}
    return {"slides": float(slide.subs(subs)), "derived": float(textbook.subs(subs))}
