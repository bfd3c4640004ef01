"""Rayleigh-Ritz (Galerkin) eigenvalues of the Gram operator in a Legendre basis.

An independent second method for mu_k (:mod:`specbias.derive.gram.spectrum` is the first).
Because G_P is a polynomial on each side of the diagonal, every Galerkin entry
int int G(x, y) q_i(x) q_j(y) dx dy is a rational number computed exactly here (integer
arithmetic, gmpy2 when installed); only the final symmetric eigenproblem runs in mpmath.

By the Courant-Fischer min-max principle the k-th Ritz value of a positive operator on a
subspace is a lower bound of mu_k, increasing as the (nested) polynomial spaces grow; the
eigenfunctions are entire, so the Ritz values converge faster than any power of N.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath
import sympy

from specbias.derive.gram.kernel import GramKernel, gram_kernel, x, y
from specbias.support.params import check_count, check_dps

try:  # exact rationals: gmpy2 is ~10x faster than fractions for these sizes
    from gmpy2 import mpq as Q
except ImportError:  # pragma: no cover
    from fractions import Fraction as Q


def _q(r: sympy.Rational):
    return Q(int(r.p), int(r.q))


def _triangle_moment(p: int, q: int, a, b):
    """I(p, q) = int_a^b y^q int_a^y x^p dx dy, exactly."""
    return ((b ** (p + q + 2) - a ** (p + q + 2)) / (p + q + 2)
            - a ** (p + 1) * (b ** (q + 1) - a ** (q + 1)) / (q + 1)) / (p + 1)


def monomial_matrix(kernel: GramKernel, size: int) -> list[list]:
    """K[i][j] = int int G(x, y) x^i y^j dx dy over [A, B]^2, exactly.

    G(x, y) = G_<(x, y) for x <= y and G_<(y, x) for x > y, so with G_< = sum c_ab x^a y^b
    the entry is sum c_ab (I(a + i, b + j) + I(a + j, b + i)).
    """
    a, b = _q(kernel.a), _q(kernel.b)
    terms = [(m[0], m[1], _q(c)) for m, c in sympy.Poly(kernel.lower, x, y).terms()]
    memo: dict = {}

    def moment(p, q):
        if (p, q) not in memo:
            memo[(p, q)] = _triangle_moment(p, q, a, b)
        return memo[(p, q)]

    return [[sum(c * (moment(ea + i, eb + j) + moment(ea + j, eb + i)) for ea, eb, c in terms)
             for j in range(size)] for i in range(size)]


@lru_cache(maxsize=32)
def _legendre_coefficients(a: sympy.Rational, b: sympy.Rational, size: int) -> list[list]:
    """T[k][i]: coefficient of x^i in P_k((2x - a - b)/(b - a)), exactly."""
    t = (2 * x - a - b) / (b - a)
    rows = []
    for k in range(size):
        poly = sympy.Poly(sympy.expand(sympy.legendre(k, t)), x)
        rows.append([_q(poly.coeff_monomial(x**i)) for i in range(size)])
    return rows


def galerkin_matrix(kernel: GramKernel, size: int) -> mpmath.matrix:
    """The Galerkin matrix in the orthonormal Legendre basis of degree < size (mpmath).

    Exact rational entries, rounded once to the current mpmath precision.
    """
    k_mono = monomial_matrix(kernel, size)
    t = _legendre_coefficients(kernel.a, kernel.b, size)
    tk = [[sum(t[i][m] * k_mono[m][j] for m in range(i + 1)) for j in range(size)]
          for i in range(size)]
    length = kernel.b - kernel.a
    out = mpmath.matrix(size, size)
    for i in range(size):
        for j in range(i + 1):
            exact = sum(tk[i][m] * t[j][m] for m in range(j + 1))
            v = mpmath.mpf(int(exact.numerator)) / int(exact.denominator)
            v *= mpmath.sqrt((2 * i + 1) * (2 * j + 1)) / mpmath.mpf(sympy.N(length, mpmath.mp.dps))
            out[i, j] = out[j, i] = v
    return out


def ritz_values(power: int, interval: object = (-1, 1), size: int = 32, dps: int = 30,
                vectors: bool = False):
    """The Ritz values (largest first) of G_P on polynomials of degree < ``size``.

    Returns mpf values at ``dps`` digits (with eigenvectors in the Legendre basis when
    ``vectors``). Each is a lower bound of the corresponding mu_k.

    >>> import mpmath
    >>> from specbias.derive.gram.spectrum import gram_eigenvalues
    >>> ritz = ritz_values(1, size=24, dps=30)
    >>> exact = gram_eigenvalues(1, count=3, dps=30).values
    >>> with mpmath.workdps(30):
    ...     gaps = [(mpmath.mpf(e) - r) / r for e, r in zip(exact, ritz)]
    ...     print(all(-1e-28 < g < 1e-25 for g in gaps))  # lower bounds, converged
    True
    """
    kernel = gram_kernel(power, interval)
    size, dps = check_count(size, 400, "size"), check_dps(dps)
    with mpmath.workdps(dps + 10):
        m = galerkin_matrix(kernel, size)
        if vectors:
            e, q = mpmath.eigsy(m)
        else:
            e, q = mpmath.eigsy(m, eigvals_only=True), None
        order = sorted(range(size), key=lambda i: -e[i])
        vals = [+e[i] for i in order]
        if vectors:
            return vals, [[q[r, i] for r in range(size)] for i in order]
        return vals
