"""The equation eigenfunctions satisfy (claim B4), derived from the kernel's singularities.

For k(δ) = c(1 + cos δ)(π − |δ|) on S¹, every smooth branch lies in the span of
{1, δ, cos δ, sin δ, δ cos δ, δ sin δ}, which L = D²(D² + 1)² annihilates. k is singular only
at δ = 0 (a kink) and δ = π (a jump of the third derivative), so as a distribution
L k = Σ_r a_r δ₀^(r) + Σ_r b_r δ_π^(r), with a_r, b_r from the jumps of k's derivatives there
(D^m u = {D^m u} + Σ_(j<m) [u^(j)] δ^(m−1−j) for a piecewise smooth u). Applying L to
λ f = ∫ k(x − z) h(z) dz, h = p f, gives the exact differential-delay equation

    λ L f(x) = Σ_r a_r h^(r)(x) + Σ_r b_r h^(r)(x − π),

a sixth-order equation coupling x and its antipode. Inside an arc where p(x) = p₁ and
p(x − π) = p₂ are constant, (f(x), f(x − π)) solve a constant-coefficient system; the slide's
f'' = −p f/(πλ) keeps only the leading power of the frequency. The jumps of f^(j) at a point
x₀ follow from λ f^(j) = ∫ ∂^j k(x − z) h(z) dz: λ [f^(j)]_x₀ = Σ_c Σ_i [k^(i)]_c [h^(j−1−i)]_(x₀−c)
(matching conditions). Everything here is SymPy; the tests check it against the uniform
Fourier coefficients and against Ritz eigenfunctions of a non-uniform density.
"""

from __future__ import annotations

from functools import lru_cache

import sympy

from specbias.derive.sphere.circle import DEFAULT_CONVENTION, circle_kernel, delta
from specbias.records import Derivation

D = sympy.Symbol("D")          # d/dx (acting on e^{iωx}: D = iω)
lam = sympy.Symbol("lambda", positive=True)
p1, p2 = sympy.symbols("p_1 p_2", positive=True)   # p(x) and p(x − π) on the arc
omega = sympy.Symbol("omega", positive=True)
q = sympy.Symbol("q", integer=True, positive=True)
#: The annihilator of the smooth branches, as a polynomial in D.
L_POLY = sympy.expand(D ** 2 * (D ** 2 + 1) ** 2)
ORDER = 6


def _branches(k: sympy.Expr) -> dict:
    """k on the four sides of its singular points, as functions of δ (k is even, 2π-periodic):
    near 0 from the right (δ ∈ (0, π)) and the left (k(−δ)); near π from the left (δ < π) and
    from the right (δ > π, where k(δ) = k(2π − δ))."""
    return {("0", "+"): k, ("0", "-"): k.subs(delta, -delta),
            ("pi", "-"): k, ("pi", "+"): k.subs(delta, 2 * sympy.pi - delta)}


def _jumps(k: sympy.Expr, point: str) -> list:
    """[k^(j)]_c = k^(j)(c+) − k^(j)(c−) for j = 0..ORDER−1 (SymPy limits of the branches)."""
    c = 0 if point == "0" else sympy.pi
    br = _branches(k)
    return [sympy.simplify(sympy.diff(br[(point, "+")], delta, j).subs(delta, c)
                           - sympy.diff(br[(point, "-")], delta, j).subs(delta, c))
            for j in range(ORDER)]


@lru_cache(maxsize=None)
def derive_eigen_equation(convention=DEFAULT_CONVENTION) -> tuple[dict, Derivation]:
    """The exact equation, its symbol, the local frequency equation and the matching data."""
    ker = circle_kernel(*convention)
    k = ker.expr
    d = Derivation(f"Eigen-equation of the kernel operator on the circle ({ker.label})",
                   assumptions=["$p$ is piecewise constant; $p$ and $f$ are $2\\pi$-periodic; "
                                "$h = p f$.",
                                "$k(\\delta)$ for $0 \\le \\delta \\le \\pi$ as derived for B2, "
                                "even and $2\\pi$-periodic."],
                   references=["Basri et al., ICML 2020, Lemma behind Eq. (14), audited here"])
    Lk = sum(c * sympy.diff(k, delta, int(m)) for (m,), c in sympy.Poly(L_POLY, D).terms())
    d.step("$L = D^2 (D^2 + 1)^2$ applied to the smooth branch of $k$ on $(0, \\pi)$, "
           "simplified (by symmetry the same holds on the other branches):", sympy.simplify(Lk),
           labels=["$L k$ on $(0, \\pi)$"], rule="diff")
    coeffs = sympy.Poly(L_POLY, D).all_coeffs()[::-1]        # a_m of D^m
    out = {"jumps": {}, "delta_coeffs": {}}
    for point in ("0", "pi"):
        J = _jumps(k, point)
        out["jumps"][point] = J
        where = "0" if point == "0" else "\\pi"
        d.step(f"Jumps of the derivatives $k^{{(j)}}$ at $\\delta = {where}$, $j = 0, \\ldots, 5$ "
               "(one-sided derivatives of the branches):", sympy.Matrix([J]),
               labels=[f"jumps at ${where}$"])
        # coefficient of δ_c^(r) in L k: Σ_m a_m [k^(m−1−r)]
        out["delta_coeffs"][point] = [sympy.simplify(sum(coeffs[m] * J[m - 1 - r]
                                                         for m in range(r + 1, ORDER + 1)))
                                      for r in range(ORDER)]
    a, b = out["delta_coeffs"]["0"], out["delta_coeffs"]["pi"]
    d.step("Hence $L k = \\sum_r a_r \\delta_0^{(r)} + \\sum_r b_r \\delta_\\pi^{(r)}$ with "
           "coefficients ($r = 0, \\ldots, 5$):", sympy.Matrix([a]), sympy.Matrix([b]),
           labels=["$a_r$", "$b_r$"])
    rhs0 = sum(a[r] * D ** r for r in range(ORDER))
    rhs1 = sum(b[r] * D ** r for r in range(ORDER))
    out["L"], out["A"], out["B"] = L_POLY, sympy.expand(rhs0), sympy.expand(rhs1)
    d.step("Exact equation: $\\lambda L(D) f(x) = A(D) h(x) + B(D) h(x - \\pi)$ with $h = p f$ and",
           L_POLY, out["A"], out["B"],
           labels=[sympy.Function("L")(D), sympy.Function("A")(D), sympy.Function("B")(D)])
    # Uniform density: h = f/(2π), f = e^{iqx}, h(x − π) = (−1)^q h(x).
    sym = sympy.simplify((out["A"] + (-1) ** q * out["B"]).subs(D, sympy.I * q)
                         / (2 * sympy.pi * L_POLY.subs(D, sympy.I * q)))
    out["uniform_eigenvalue"] = sym
    d.step("Check with the uniform density $p = 1/(2\\pi)$ and $f = e^{iqx}$: "
           "$\\lambda_q = (A + (-1)^q B)/(2\\pi L)$ at $D = iq$, which must equal the Fourier "
           "coefficient $c_q$ for $q \\ge 2$. At $q = 0$ and $q = 1$ both $L(iq)$ and "
           "$A(iq) \\pm B(iq)$ vanish and the equation reads $0 = 0$: it is necessary, not "
           "sufficient, and $\\lambda_0$, $\\lambda_1$ follow from the integral equation "
           "projected onto $1$, $\\cos x$, $\\sin x$:", sym, labels=[sympy.Symbol("lambda_q")])
    # Arc with p(x) = p1, p(x − π) = p2: e^{iωx} components of (f(x), f(x − π)).
    Aw, Bw, Lw = (e.subs(D, sympy.I * omega) for e in (out["A"], out["B"], L_POLY))
    M = sympy.Matrix([[lam * Lw - p1 * Aw, -p2 * Bw], [-p1 * Bw, lam * Lw - p2 * Aw]])
    out["local_determinant"] = sympy.expand(M.det())
    d.step("On an arc where $p(x) = p_1$ and $p(x - \\pi) = p_2$ are constant, the pair "
           "$(f(x), f(x - \\pi))$ has components $e^{i\\omega x}$ with", out["local_determinant"],
           labels=["determinant, set to zero"], rule="det")
    lead = sympy.limit(out["A"].subs(D, sympy.I * omega) / omega ** 4, omega, sympy.oo)
    llead = sympy.limit(Lw / omega ** 6, omega, sympy.oo)
    out["leading_omega2"] = sympy.simplify(p1 * lead / (lam * llead))
    d.step("Keeping only the leading powers of $\\omega$ ($\\lambda L \\approx p_1 A$):",
           out["leading_omega2"], labels=[omega ** 2], rule="limit")
    d.result = sympy.Eq(lam * sympy.Function("L")(D), sympy.Function("A")(D)
                        + sympy.Function("B")(D) * sympy.Symbol("S_pi"))
    d.result_lhs = None
    return out, d


def matching_conditions(convention=DEFAULT_CONVENTION, order: int = 4) -> list[tuple]:
    """[(j, terms)] with λ[f^(j)]_x₀ = Σ coeff·[h^(r)]_(x₀ − c): terms are (coeff, c, r)."""
    eq, _ = derive_eigen_equation(convention)
    out = []
    for j in range(order + 1):
        terms = []
        for point, shift in (("0", 0), ("pi", sympy.pi)):
            J = eq["jumps"][point]
            for i in range(j):
                r = j - 1 - i
                if J[i] != 0:
                    terms.append((J[i], shift, r))
        out.append((j, terms))
    return out


def slide_b4_omega2(p, lam_value):
    """The statement under audit (B4): f'' = −p f/(πλ), i.e. ω² = p/(πλ)."""
    return p / (sympy.pi * lam_value)


__all__ = ["derive_eigen_equation", "matching_conditions", "slide_b4_omega2"]
