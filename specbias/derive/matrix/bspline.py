"""The congruence S^T G S = M: ReLU^P Gram matrices as banded B-spline pencils, exactly.

Let b_1 < ... < b_N be knots in [-1, 1) and G_ij = G_P(b_i, b_j) = int_{-1}^1
sigma_P(z - b_i) sigma_P(z - b_j) dz the Gram matrix of the ReLU^P units (H. Zhao, "Numerical
Analysis 101 for Neural Networks"; arXiv:2306.17301). Column j of S holds the coefficients of
the divided difference over the knots J_j = {b_j, ..., b_min(j+P+1, N)} (de Boor, *A Practical
Guide to Splines*, ch. IX):

    phi_j(z) = [b_J] (z - .)_+^P = sum_{r in J_j} S_rj sigma_P(z - b_r),
    S_rj = 1 / prod_{s in J_j, s != r} (b_r - b_s).

phi_j vanishes for z < b_j (every term does) and, when |J_j| = P + 2, for z > b_{j+P+1}
(there it is the (P+1)-th divided difference of the degree-P polynomial (z - t)^P in t). So
phi_j is, up to a constant, the degree-P B-spline on [b_j, b_{j+P+1}]; the last P + 1 columns
use lower-order differences, supported on [b_j, 1]. S is triangular with a nonzero diagonal,
hence invertible, and

    M := S^T G S,  M_ij = int phi_i phi_j  is banded with half-bandwidth P,
    B := S^T S  is banded with half-bandwidth P + 1,

so (Sylvester) G - t I = S^-T (M - t B) S^-1: the eigenvalues of G are those of the definite
pencil M y = lambda B y, and the inertia of M - t B counts the eigenvalues of G below t.

Everything here is exact (``fractions.Fraction`` / ``gmpy2.mpq``); :func:`congruence_derivation`
checks the band structure and the identity entry by entry against direct integration.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import gmpy2
import sympy

from specbias.derive.gram.kernel import gram_kernel, x, y
from specbias.support.params import check_power
from specbias.errors import require
from specbias.notation import tex
from specbias.records import Derivation


@lru_cache(maxsize=16)
def _kernel_terms(power: int) -> tuple:
    """G_P on x <= y as ((i, j), coefficient) monomial terms with exact mpq coefficients."""
    poly = sympy.Poly(gram_kernel(power, (-1, 1)).lower, x, y)
    return tuple(((i, j), gmpy2.mpq(int(c.p), int(c.q))) for (i, j), c in poly.terms())


def kernel_exact(power: int, u, v):
    """G_P(u, v) on (-1, 1) in exact rational arithmetic (u, v: Fraction or mpq)."""
    lo, hi = (u, v) if u <= v else (v, u)
    lo, hi = gmpy2.mpq(lo), gmpy2.mpq(hi)
    return sum((c * lo**i * hi**j for (i, j), c in _kernel_terms(power)), gmpy2.mpq(0))


def support(j: int, n: int, power: int) -> range:
    """Rows r of column j of S (0-based): the knots of its divided difference."""
    return range(j, min(j + power + 1, n - 1) + 1)


def divided_difference_columns(knots, power: int) -> list[dict]:
    """Columns of S as {row: exact coefficient}; ``knots`` sorted, distinct, in [-1, 1)."""
    b = [gmpy2.mpq(v) for v in knots]
    cols = []
    for j in range(len(b)):
        rows = support(j, len(b), power)
        col = {}
        for r in rows:
            den = gmpy2.mpq(1)
            for s in rows:
                if s != r:
                    den *= b[r] - b[s]
            col[r] = 1 / den
        cols.append(col)
    return cols


def banded_pencil(knots, power: int, scale: bool = True):
    """The exact band of M = S^T G S (half-bandwidth P) and B = S^T S (P + 1).

    Returns ``(M, B, c)`` with ``M[d][i] = M_{i, i-d}`` for d = 0..P+1 (``M[P+1]`` is zero) and
    ``B[d][i] = B_{i, i-d}`` (entries with i < d are 0), after the congruence with
    diag(c), c_j = 2^-round(log2(M_jj)/2), which makes diag(M) close to 1 and changes no
    eigenvalue of the pencil (c is a power of two: still exact).
    """
    power = check_power(power)
    kn = [gmpy2.mpq(v) for v in knots]
    require(all(-1 <= v < 1 for v in kn), "banded_pencil needs knots in [-1, 1)")
    n, w = len(kn), power + 1
    cols = divided_difference_columns(kn, power)
    cache: dict = {}

    def g(r, s):
        key = (r, s) if r <= s else (s, r)
        if key not in cache:
            cache[key] = kernel_exact(power, kn[key[0]], kn[key[1]])
        return cache[key]

    def entry(i, j, mat):
        ci, cj = cols[i], cols[j]
        if mat == "B":
            return sum((ci[r] * cj[r] for r in ci if r in cj), gmpy2.mpq(0))
        return sum((ci[r] * cj[s] * g(r, s) for r in ci for s in cj), gmpy2.mpq(0))

    zero = gmpy2.mpq(0)
    m_band = [[entry(i, i - d, "M") if i >= d else zero for i in range(n)] for d in range(w)]
    m_band.append([zero] * n)
    b_band = [[entry(i, i - d, "B") if i >= d else zero for i in range(n)] for d in range(w + 1)]
    c = [gmpy2.mpq(1)] * n
    if scale:
        for i in range(n):
            e = round(float(gmpy2.log2(m_band[0][i])) / 2)
            c[i] = gmpy2.mpq(1, 2**e) if e >= 0 else gmpy2.mpq(2**-e)
        for band in (m_band, b_band):
            for d, row in enumerate(band):
                for i in range(d, n):
                    row[i] = row[i] * c[i] * c[i - d]
    return m_band, b_band, c


def gram_matrix_exact(knots, power: int) -> list[list]:
    """The dense Gram matrix G_ij = G_P(b_i, b_j), exactly (for small N)."""
    kn = [gmpy2.mpq(v) for v in knots]
    return [[kernel_exact(power, u, v) for v in kn] for u in kn]


def congruence_derivation(power: int, n: int | None = None) -> tuple[Derivation, bool]:
    """Derive and check S^T G S = M on n uniform knots b_i = -1 + 2(i-1)/n, exactly.

    Checks (all exact): S^T G S vanishes outside the band |i - j| <= P; each in-band entry
    equals int_{-1}^1 phi_i phi_j dz integrated by SymPy from the piecewise definition of
    phi_j; S^T S vanishes outside |i - j| <= P + 1. Returns the derivation and the verdict.
    """
    power = check_power(power)
    n = n or power + 5
    kn = [Fraction(-1) + Fraction(2 * i, n) for i in range(n)]
    g_sym, s_sym, m_sym = (sympy.MatrixSymbol(name, n, n) for name in ("G", "S", "M"))
    d = Derivation(
        title=f"Banded congruence ${tex(s_sym.T * g_sym * s_sym)} = M$ for the "
              f"ReLU$^{{{power}}}$ Gram matrix ({n} uniform knots)",
        assumptions=[f"knots $b_i = -1 + 2(i - 1)/{n}$, $i = 1, \\ldots, {n}$",
                     f"$S$: columns of divided-difference coefficients over $P + 2 = {power + 2}$ "
                     f"consecutive knots (fewer in the last $P + 1 = {power + 1}$ columns)"],
        references=["C. de Boor, A Practical Guide to Splines, ch. IX (B-splines as divided "
                    "differences of truncated powers)",
                    'H. Zhao, "Numerical Analysis 101 for Neural Networks" (the Gram matrix)'])
    to_sym = lambda q: sympy.Rational(int(gmpy2.numer(q)), int(gmpy2.denom(q)))  # noqa: E731
    z = sympy.Symbol("z", real=True)
    cols = divided_difference_columns(kn, power)
    s_mat = sympy.Matrix(n, n, lambda r, j: to_sym(cols[j].get(r, 0)))
    g_mat = sympy.Matrix(n, n, lambda i, j: to_sym(kernel_exact(power, kn[i], kn[j])))
    d.step("The Gram matrix $G_{ij} = G_P(b_i, b_j)$, exactly, from the derived kernel.", g_mat,
           labels=[g_sym], rule="the derived kernel at the knots")
    d.step("Divided-difference coefficients $S_{rj} = 1 / \\prod_{s \\ne r} (b_r - b_s)$, the "
           "product over the knots of column $j$.", s_mat, labels=[s_sym],
           rule="divided differences")
    m_mat = s_mat.T * g_mat * s_mat
    band_ok = all(m_mat[i, j] == 0 for i in range(n) for j in range(n) if abs(i - j) > power)
    d.step("The congruence, exactly: " + ("zero" if band_ok else "NOT zero") + " outside the "
           "band $\\vert i - j \\vert \\le P$.", m_mat, labels=[s_sym.T * g_sym * s_sym],
           rule="exact rational matrix product")
    breaks = [sympy.Rational(v.numerator, v.denominator) for v in kn] + [sympy.Integer(1)]

    def piece(j, k):  # phi_j on (b_k, b_{k+1}): the units with b_r <= b_k are active
        return sum((s_mat[r, j] * (z - breaks[r]) ** power for r in cols[j] if r <= k),
                   sympy.Integer(0))

    direct = sympy.zeros(n, n)
    for i in range(n):
        for j in range(max(0, i - power), min(n, i + power + 1)):
            total = sympy.Integer(0)
            for k in range(n):
                anti = sympy.Poly(piece(i, k) * piece(j, k), z).integrate()
                total += anti.eval(breaks[k + 1]) - anti.eval(breaks[k])
            direct[i, j] = total
    diff = (m_mat - direct).applyfunc(sympy.simplify)
    d.step("Direct integration of $\\varphi_i \\varphi_j$, polynomial piece by piece between "
           "knots (independent of the kernel), minus $S^T G S$: "
           + ("the zero matrix." if diff == sympy.zeros(n, n) else "NOT zero."),
           diff, labels=["$\\int_{-1}^{1} \\varphi_i \\varphi_j\\, dz - (S^T G S)_{ij}$"],
           rule="exact polynomial antiderivatives (sympy.Poly)")
    b_mat = s_mat.T * s_mat
    bband_ok = all(b_mat[i, j] == 0 for i in range(n) for j in range(n) if abs(i - j) > power + 1)
    d.step("$S^T S$, " + ("" if bband_ok else "NOT ") + "banded with half-bandwidth $P + 1$.",
           b_mat, labels=[s_sym.T * s_sym],
           rule="exact rational matrix product")
    ok = band_ok and bband_ok and diff == sympy.zeros(n, n)
    d.result, d.result_lhs = m_sym, s_sym.T * g_sym * s_sym
    return d, ok


__all__ = ["banded_pencil", "congruence_derivation", "divided_difference_columns",
           "gram_matrix_exact", "kernel_exact", "support"]
