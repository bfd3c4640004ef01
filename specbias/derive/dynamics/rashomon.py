"""The Rashomon bound of Z11 in one dimension (D = B₁(1) = (−1, 1), w ∈ S⁰ = {−1, 1}).

Zhang, Zhao, Zhong, Zhou, arXiv:2306.17301 (the seed's "Rashomon set" slides): for
h = (1/n) Σ a_j σ(w_j x − b_j), |a_j| ≤ A, |b_j| ≤ 1, and f = Δg with g ∈ C²₀(D),
⟨h, f⟩ = (1/n) Σ X_j, X_j = a_j ∫_{w_j·x = b_j} g dH⁰ = a_j g(w_j b_j), and Hoeffding gives
P(‖h − f‖ ≤ ε‖f‖) ≤ exp(−n(1 − ε)²‖f‖⁴/(2A²κ²)), κ = sup_{(w,b)} |∫_{w·x=b} g dH^{d−1}|.

Here: the solution of g'' = f with g(±1) = g'(±1) = 0 (which exists only when ∫f = ∫xf = 0),
κ = max_{|b|≤1} |g(b)| to many digits, the two targets of the audit (a bump-modulated
oscillation and a projected sine), and the Gram integrals ∫σ(w₁x − b₁)σ(w₂x − b₂)dx of the
three sign cases, each integrated by SymPy once and lambdified (one source of truth).
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import sympy

from specbias.errors import InvalidArgument, require
from specbias.records import Derivation

x, s = sympy.symbols("x s", real=True)
b1, b2 = sympy.symbols("b_1 b_2", real=True)
TARGETS = ("bump", "projected")


def check_frequency(nu: object) -> sympy.Rational:
    """ν as an exact positive rational (an int, a float or a numeric string)."""
    from specbias.support.params import parse_number

    q = parse_number(nu, "frequency nu")
    require(0 < q <= 1000, f"frequency nu={nu!r} must be in (0, 1000]")
    return q


def target(kind: str, nu) -> tuple[sympy.Expr, Derivation]:
    """The target f_ν of kind ``bump`` or ``projected`` and how it was built.

    * bump: f = g'' with g = (1 − x²)² sin(πνx)/(πν)² (so g ∈ C²₀ by construction and
      f = −(1 − x²)² sin(πνx) + O(1/ν));
    * projected: f = sin(πνx) minus its L² projection on span{1, x} (so that ∫f = ∫xf = 0,
      the solvability conditions of g'' = f with four boundary conditions).
    """
    nu = check_frequency(nu)
    if kind not in TARGETS:
        raise InvalidArgument(f"target {kind!r} is unknown: use one of {', '.join(TARGETS)}")
    d = Derivation(f"Target f of kind {kind}, frequency nu = {nu}",
                   assumptions=["D = (-1, 1), ||.|| the L2(D) norm"])
    if kind == "bump":
        g = d.step("Potential chosen in C^2_0(D):",
                   (1 - x ** 2) ** 2 * sympy.sin(sympy.pi * nu * x) / (sympy.pi * nu) ** 2,
                   labels=["g(x)"])
        f = d.step("Target f = g'':", sympy.expand(sympy.diff(g, x, 2)), labels=["f(x)"],
                   rule="diff")
    else:
        base = sympy.sin(sympy.pi * nu * x)
        m0 = sympy.integrate(base, (x, -1, 1))
        m1 = sympy.integrate(x * base, (x, -1, 1))
        d.step("Moments of sin(pi nu x) against 1 and x:", sympy.simplify(m0), sympy.simplify(m1),
               labels=["int f", "int x f"], rule="integrate")
        f = d.step("Remove the projection on span{1, x} (orthogonal: ||1||^2 = 2, ||x||^2 = 2/3):",
                   base - m0 / 2 - sympy.Rational(3, 2) * m1 * x, labels=["f(x)"])
    d.result, d.result_label = f, "f(x)"
    return f, d


def solve_poisson(f: sympy.Expr, d: Derivation | None = None) -> sympy.Expr:
    """g with g'' = f on (−1, 1), g(±1) = g'(±1) = 0: g(x) = ∫_{−1}^x (x − s) f(s) ds, which
    satisfies the conditions at −1; those at 1 hold iff ∫f = ∫xf = 0 (else InvalidArgument)."""
    g = sympy.integrate((x - s) * f.subs(x, s), (s, -1, x))
    g = sympy.simplify(g)
    at1 = [sympy.simplify(g.subs(x, 1)), sympy.simplify(sympy.diff(g, x).subs(x, 1))]
    if d is not None:
        d.step("Variation of constants from x = -1: g(x) = int_{-1}^x (x - s) f(s) ds:", g,
               labels=["g(x)"], rule="integrate")
        d.step("Conditions at x = 1 (must vanish):", *at1, labels=["g(1)", "g'(1)"])
        d.step("Check: g'' - f simplifies to", sympy.simplify(sympy.diff(g, x, 2) - f),
               labels=["g'' - f"])
    if any(abs(complex(sympy.N(v, 30))) > 1e-25 for v in at1):
        raise InvalidArgument(f"f = {f} has int f or int x f nonzero, so g'' = f has no solution "
                              "with g(+-1) = g'(+-1) = 0: remove f's projection on span{1, x}")
    return g


def check_potential(f: sympy.Expr, g: sympy.Expr, d: Derivation) -> None:
    """Verify g'' = f and g(±1) = g'(±1) = 0 by substitution (InvalidArgument otherwise)."""
    res = sympy.simplify(sympy.diff(g, x, 2) - f)
    bc = [sympy.simplify(e.subs(x, p)) for e in (g, sympy.diff(g, x)) for p in (-1, 1)]
    d.step("Check by substitution: g'' - f and g(-1), g(1), g'(-1), g'(1):", res, *bc,
           labels=["g'' - f", "g(-1)", "g(1)", "g'(-1)", "g'(1)"])
    require(res == 0 and all(v == 0 for v in bc), f"g = {g} is not a C^2_0 solution of g'' = f")


@functools.lru_cache(maxsize=64)
def _problem(kind: str, nu) -> tuple:
    f, d = target(kind, nu)
    if kind == "bump":   # g is known by construction: check it rather than integrate again
        g = d.steps[0].exprs[0]
        check_potential(f, g, d)
    else:
        g = solve_poisson(f, d)
    return f, g, d


def potential(kind: str, nu) -> tuple[sympy.Expr, sympy.Expr, Derivation]:
    """(f, g, derivation) for the target ``kind`` at frequency ``nu`` (cached)."""
    return _problem(kind, check_frequency(nu))


def kappa(g: sympy.Expr, dps: int = 30, grid: int = 4001) -> mpmath.mpf:
    """κ = max_{|b| ≤ 1} |g(b)| (in 1D the hyperplane {w·x = b} is the point wb and H⁰ counts):
    the best of ``grid`` float samples, refined by a root of g' at ``dps`` digits."""
    pts = np.linspace(-1, 1, grid)
    vals = np.abs(sympy.lambdify(x, g, "numpy")(pts) * np.ones(grid))
    i = int(np.argmax(vals))
    with mpmath.workdps(dps + 10):
        gf = sympy.lambdify(x, g, "mpmath")
        best = abs(gf(mpmath.mpf(float(pts[i]))))
        if 0 < i < grid - 1:
            dg = sympy.lambdify(x, sympy.diff(g, x), "mpmath")
            try:
                root = mpmath.findroot(dg, (mpmath.mpf(float(pts[i - 1])),
                                            mpmath.mpf(float(pts[i + 1]))), solver="anderson")
                if -1 <= root <= 1:
                    best = max(best, abs(gf(root)))
            except (ValueError, ZeroDivisionError):  # pragma: no cover - keep the sample max
                pass
        return +best


def norm_squared(f: sympy.Expr, dps: int = 30, panels: int = 16) -> mpmath.mpf:
    """‖f‖²_{L²(−1,1)} by mpmath's Gauss–Legendre quadrature at ``dps`` digits on ``panels``
    panels (f is entire: a few oscillations per panel converge fast)."""
    with mpmath.workdps(dps + 5):
        ff = sympy.lambdify(x, f ** 2, "mpmath")
        return +mpmath.quad(ff, mpmath.linspace(-1, 1, panels + 1))


@functools.lru_cache(maxsize=1)
def ridge_gram_pieces() -> dict:
    """∫_{−1}^{1} σ(w₁x − b₁)σ(w₂x − b₂) dx for (w₁, w₂) = (+,+), (−,−), (+,−), each as a SymPy
    expression in b₁, b₂ valid when the supports meet as stated, lambdified to NumPy:

    * (+,+): ∫_{c}^{1} (x − b₁)(x − b₂) dx, c = max(b₁, b₂);
    * (−,−): ∫_{−1}^{c} (−b₁ − x)(−b₂ − x) dx, c = min(−b₁, −b₂);
    * (+,−): ∫_{b₁}^{−b₂} (x − b₁)(−b₂ − x) dx when b₁ < −b₂, else 0.
    """
    c = sympy.Symbol("c", real=True)
    pp = sympy.factor(sympy.integrate((x - b1) * (x - b2), (x, c, 1)))
    mm = sympy.factor(sympy.integrate((-b1 - x) * (-b2 - x), (x, -1, c)))
    pm = sympy.factor(sympy.integrate((x - b1) * (-b2 - x), (x, b1, -b2)))
    exprs = {"pp": pp, "mm": mm, "pm": pm}
    fns = {k: sympy.lambdify((b1, b2, c), e, "numpy") for k, e in exprs.items()}
    return {"exprs": exprs, "fns": fns}


def ridge_gram(w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """G_ij = ∫σ(w_i x − b_i)σ(w_j x − b_j)dx over (−1, 1) for arrays w ∈ {±1}, |b| ≤ 1 of
    shape (..., n); returns (..., n, n)."""
    fns = ridge_gram_pieces()["fns"]
    wi, wj = w[..., :, None], w[..., None, :]
    bi, bj = b[..., :, None], b[..., None, :]
    pp = fns["pp"](bi, bj, np.maximum(bi, bj))
    mm = fns["mm"](bi, bj, np.minimum(-bi, -bj))
    # mixed signs: the + ridge is (x − b₊)₊, the − ridge (−b₋ − x)₊; overlap iff b₊ < −b₋
    bp = np.where(wi > 0, bi, bj)
    bm = np.where(wi > 0, bj, bi)
    pm = np.where(bp < -bm, fns["pm"](bp, bm, 0.0), 0.0)
    return np.where((wi > 0) & (wj > 0), pp, np.where((wi < 0) & (wj < 0), mm, pm))


def hoeffding_bound(n: int, eps: float, A: float, norm2: float, kap: float) -> float:
    """exp(−n(1 − ε)²‖f‖⁴/(2A²κ²)) (the slide's bound; ``norm2`` = ‖f‖²)."""
    return math.exp(-n * (1 - eps) ** 2 * norm2 ** 2 / (2 * A ** 2 * kap ** 2))


def bump_kappa_bounds(nu) -> tuple[float, float]:
    """Exact bounds on κ for the bump target, g = (1 − x²)² sin(πνx)/(πν)²:
    g(1/(2ν)) ≤ κ ≤ 1/(πν)² (|g| ≤ (1 − x²)²/(πν)² ≤ 1/(πν)², and the sine is 1 at x = 1/(2ν),
    where g = (1 − 1/(4ν²))²/(πν)²). Both ∝ ν⁻², so κ ≈ ν⁻² with constants, for every ν ≥ 1/2."""
    nu = check_frequency(nu)
    _, g, _ = potential("bump", nu)
    low = g.subs(x, 1 / (2 * nu))
    return float(sympy.N(low, 30)), float(sympy.N(1 / (sympy.pi * nu) ** 2, 30))


def low_frequency_part(nu) -> tuple[sympy.Expr, float]:
    """For the projected target f = sin(πνx) − (its projection on span{1, x}): the potential is
    g = −sin(πνx)/(πν)² + P(x) with P the cubic potential of the removed projection (g'' = f and
    the four boundary conditions fix it). Returns P and sup_{|x| ≤ 1} |P| (critical points and
    end points, exactly, then to 30 digits). By the triangle inequality
    |κ − sup|P|| ≤ 1/(πν)², so κ ≈ ν⁻² exactly when the low-frequency part is O(ν⁻²)."""
    nu = check_frequency(nu)
    _, g, _ = potential("projected", nu)
    P = sympy.simplify(g + sympy.sin(sympy.pi * nu * x) / (sympy.pi * nu) ** 2)
    require(P.is_polynomial(x), f"the potential of the projected sine at nu = {nu} is not a "
            "sine plus a polynomial: the target is not the one this function expects")
    crit = [r for r in sympy.solve(sympy.diff(P, x), x) if r.is_real and -1 <= r <= 1]
    sup = max(abs(float(sympy.N(P.subs(x, p), 30))) for p in [-1, 1, *crit])
    return P, sup
