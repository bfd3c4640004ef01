"""The ReLU LFP operator in the parametrization of Luo, Ma, Xu, Zhang (arXiv:2010.08153), derived.

Their network is f(x) = m^(-1/2) sum_j a_j sigma(w_j x + b_j) with a, w ~ N(0, 1) and
b ~ N(0, sigma_b^2), sigma_b >> 1. Writing w x + b = w (x + b/w) maps it to the lecture's
network (r = w, location l = b/w), with two differences that change the operator:

1. the location b/w is not independent of w: its density at x is |w| phi_{sigma_b}(w x), which
   is |w| / (sqrt(2 pi) sigma_b) to leading order in 1/sigma_b; so every term gains a factor |w|;
2. the gradient in w is a x H(w x + b), not a (x + l) H: the kernel a^2 x x' H H' is not a
   convolution, and x, x' become derivatives in xi (a divergence term).

The coefficients are read off the kernel itself, without Fourier transforms: SymPy integrates
E_b[ReLU(w x + b) ReLU(w x' + b)] and E_b[H H] exactly and takes the jump of the third (first)
x'-derivative at x' = x, which is 12 c_3 (2 c_1) for a kernel c_3|x - x'|^3 + c_1|x - x'| +
smooth. The transforms of |s|^3 / 12 and -|s| / 2 then give the multiplier.

Luo et al.'s own statement is compared as the overview of Xu, Zhang, Luo (Commun. Appl. Math.
Comput. 2024, "Corollary: LFP operator for ReLU") quotes it; the paper itself was not available here.
"""

from __future__ import annotations

from functools import lru_cache

import sympy

from specbias.derive.lfp.transforms import XI, elementary, named
from specbias.records import Derivation

SIGMA_B = sympy.Symbol("sigma_b", positive=True)
E_R3, E_A2R = sympy.Symbol(r"E[r^{3}]", positive=True), sympy.Symbol(r"E[a^{2} r]", positive=True)
D = sympy.Symbol("d", positive=True, integer=True)


def _jump(kernel_below, kernel_above, order, xp, x):
    """Jump of the order-th x'-derivative at x' = x (above minus below)."""
    d = lambda k: sympy.diff(k, xp, order).doit()  # noqa: E731
    return sympy.simplify((d(kernel_above) - d(kernel_below)).subs(xp, x))


@lru_cache(maxsize=None)
def kink_coefficients() -> tuple[sympy.Expr, sympy.Expr, Derivation]:
    """(c_3, c_1) at x of the b-averaged ReLU and step kernels, for w > 0, exact in sigma_b."""
    x, xp, b = sympy.symbols("x x' b", real=True)
    w = sympy.Symbol("w", positive=True)
    density = sympy.exp(-b ** 2 / (2 * SIGMA_B ** 2)) / (sympy.sqrt(2 * sympy.pi) * SIGMA_B)
    d = Derivation("Kink coefficients of the $b$-averaged kernels (Luo et al.'s parametrization)",
                   assumptions=["$b \\sim N(0, \\sigma_b^2)$, $w > 0$ fixed (by symmetry $\\vert w\\vert $ for $w < 0$)"])
    relu = [sympy.Integral((w * x + b) * (w * xp + b) * density, (b, -w * lo, sympy.oo)) for lo in (xp, x)]
    step = [sympy.Integral(density, (b, -w * lo, sympy.oo)) for lo in (xp, x)]
    j3 = d.step("$E_b[\\mathrm{ReLU}(wx + b)\\mathrm{ReLU}(wx' + b)]$: jump of $\\partial^3_{x'}$ at "
                "$x' = x$ (the lower limit is $-w\\min(x, x')$):", _jump(*relu, 3, xp, x),
                labels=[named("12 c_3")], rule="Leibniz rule")
    j1 = d.step("$E_b[H(wx + b)H(wx' + b)]$: jump of $\\partial_{x'}$ at $x' = x$:",
                _jump(*step, 1, xp, x), labels=[named("2 c_1")], rule="Leibniz rule")
    c3, c1 = sympy.simplify(j3 / 12), sympy.simplify(j1 / 2)
    lead = [sympy.simplify(sympy.limit(c * SIGMA_B, SIGMA_B, sympy.oo) / SIGMA_B) for c in (c3, c1)]
    d.step("Leading order in $1/\\sigma_b$ (the density of the kink location is $\\vert w\\vert \\phi_{\\sigma_b}"
           "(wx) = \\vert w\\vert /(\\sqrt{2\\pi}\\sigma_b) + O(\\sigma_b^{-3})$):", *lead, labels=[named("c_3"), named("c_1")],
           rule="limit")
    return lead[0], lead[1], d


@lru_cache(maxsize=None)
def luo_comparison() -> tuple[Derivation, list[list[str]], dict]:
    """The derived 1D operator in Luo et al.'s parametrization, term by term against their statement.

    Returns (derivation, table rows [term, derived, Luo et al. as quoted, derived / quoted], ratios).
    """
    c3, c1, d = kink_coefficients()
    d.title = ("The ReLU LFP operator for $f = m^{-1/2}\\sum_j a_j \\mathrm{ReLU}(w_j x + b_j)$, "
               "$b \\sim N(0, \\sigma_b^2)$")
    d.assumptions += ["NTK regime and $m \\to \\infty$ as in the lecture's derivation; $a, w \\sim N(0, 1)$; "
                      "in one dimension $r = \\vert w\\vert $"]
    w = sympy.Symbol("w", positive=True)
    abs1, abs3 = elementary()["abs1"], elementary()["abs3"]
    # a-gradient: sigma sigma' -> c3(|w|) |s|^3; b-gradient: a^2 H H' -> c1 |s|; w-gradient: a^2 x x' H H'
    t_a = sympy.simplify((c3 * abs3).subs(w ** 3, E_R3))
    t_b = sympy.simplify((c1 * abs1).subs(w, E_A2R))
    d.step("Term by term for $\\xi \\neq 0$: the $a$-gradient kernel $c_3\\vert x - x'\\vert ^3$ and the $b$-gradient "
           "kernel $c_1\\vert x - x'\\vert $ (times $a^2$), averaged over $(a, w)$:", t_a, t_b,
           labels=["gradient in $a$", "gradient in $b$"], rule="transforms")
    u = sympy.Function("u_rho")
    div = sympy.simplify(-(1 / (4 * sympy.pi ** 2)) * sympy.diff(t_b * sympy.diff(u(XI), XI), XI))
    d.step("The $w$-gradient kernel $a^2 x x' H H'$ is $x\\,x'$ times the $b$-gradient kernel; "
           "$F[x g] = \\frac{i}{2\\pi}\\partial_\\xi \\hat g$ on both sides gives the divergence term "
           "acting on $\\hat u_\\rho$:", div, labels=["gradient in $w$"], rule="F[x g]")
    pref = sympy.gamma(D / 2) / (2 * sympy.sqrt(2) * sympy.pi ** ((D + 1) / 2) * SIGMA_B)
    pref1 = sympy.simplify(pref.subs(D, 1))
    quoted = {"a": pref1 * E_R3 / (16 * sympy.pi ** 4 * XI ** 4), "b": pref1 * E_A2R / (4 * sympy.pi ** 2 * XI ** 2),
              "w": pref1 * E_A2R / (4 * sympy.pi ** 2 * XI ** 2)}
    derived_div_coeff = sympy.simplify(t_b / (4 * sympy.pi ** 2))
    ratios = {"a": sympy.simplify(t_a / quoted["a"]), "b": sympy.simplify(t_b / quoted["b"]),
              "w": sympy.simplify(derived_div_coeff / quoted["w"])}
    d.step("Luo et al.'s prefactor as quoted, $\\Gamma(d/2)/(2\\sqrt{2}\\pi^{(d+1)/2}\\sigma_b)$, at "
           "$d = 1$, and the ratios derived / quoted for the $a$, $b$ and $w$ (divergence) terms:",
           pref1, ratios["a"], ratios["b"], ratios["w"],
           labels=["prefactor", "ratio for $a$", "ratio for $b$", "ratio for $w$"], rule="simplify")
    rows = [["$a$-gradient, $\\xi^{-4}$", f"${sympy.latex(t_a)}$", f"${sympy.latex(quoted['a'])}$",
             f"${sympy.latex(ratios['a'])}$"],
            ["$b$-gradient, $\\xi^{-2}$", f"${sympy.latex(t_b)}$", f"${sympy.latex(quoted['b'])}$",
             f"${sympy.latex(ratios['b'])}$"],
            ["$w$-gradient, coefficient $D$ of $-\\partial_\\xi(D\\,\\partial_\\xi \\hat u_\\rho)$",
             f"${sympy.latex(derived_div_coeff)}$", f"${sympy.latex(quoted['w'])}$",
             f"${sympy.latex(ratios['w'])}$"]]
    d.result, d.result_lhs = t_a + t_b, named("\\gamma(\\xi)")
    d.references.append("Luo, Ma, Xu, Zhang, arXiv:2010.08153, as quoted by Xu, Zhang, Luo, "
                        "Commun. Appl. Math. Comput. (2024), Corollary 'LFP operator for ReLU'")
    return d, rows, ratios
