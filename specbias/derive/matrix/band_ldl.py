"""Inertia and determinant of the banded pencil M - t B, for many shifts t at once.

Symmetric LDL^T without pivoting of a band matrix A(t) = M - t B (half-bandwidth w):
the number of negative pivots d_i is the number of negative eigenvalues of A(t) (Sylvester's
law of inertia), and prod d_i = det A(t) (Golub & Van Loan, *Matrix Computations*, 4th ed.,
Sec. 4.3 and 8.4 (band LDL^T, Sturm counts)). With A(t) = S^T (G - t I) S
(:mod:`specbias.derive.matrix.bspline`) the count is #{eigenvalues of G below t}.

The factorization runs in multiple precision (``gmpy2.mpfr`` at an explicit precision in
bits) and is vectorized over the shifts with NumPy object arrays: one array operation per
band entry and row, each on all shifts, so the Python overhead is paid once per row rather
than once per shift. Cost: O(N w^2) operations per shift. A pivot that is exactly zero is
replaced by a tiny positive number, as LAPACK's bisection does (``dstebz``'s pivmin).
"""

from __future__ import annotations

from collections import deque

import gmpy2
import numpy as np


def to_mpfr_band(band, bits: int) -> list[list]:
    """Exact band entries (mpq) rounded to ``bits``-bit mpfr (nearest)."""
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        return [[gmpy2.mpfr(v) for v in row] for row in band]


def sweep(m_band, b_band, shifts, bits: int, want_det: bool = False):
    """LDL^T of M - t B for every t in ``shifts``.

    ``m_band[d][i] = M_{i,i-d}``, ``b_band[d][i] = B_{i,i-d}`` (d = 0..w, mpfr). Returns
    ``(negatives, det)``: an int array of negative-pivot counts and, if ``want_det``, an
    object array of determinants (else None).
    """
    w = len(b_band) - 1
    n = len(b_band[0])
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        t = np.array([gmpy2.mpfr(s) for s in shifts], dtype=object)
        k = len(t)
        tiny = gmpy2.mpfr(2) ** (-(bits * 8))
        neg = np.zeros(k, dtype=np.int64)
        det = np.full(k, gmpy2.mpfr(1), dtype=object) if want_det else None
        hist: deque = deque(maxlen=w)  # (l_row, d) of the previous w rows; l_row[j] = l_{r,r-j}
        for i in range(n):
            top = min(i, w)
            a = [m_band[dd][i] - t * b_band[dd][i] if m_band[dd][i] else -(t * b_band[dd][i])
                 for dd in range(top + 1)]
            u = [None] * (top + 1)
            for j in range(top, 0, -1):  # column i - j, left to right
                s = a[j]
                row_c = hist[-j][0]  # l_{i-j, .}
                for kk in range(j + 1, top + 1):
                    s = s - u[kk] * row_c[kk - j]
                u[j] = s
            d = a[0]
            lrow = [None] * (top + 1)
            for j in range(1, top + 1):
                lrow[j] = u[j] / hist[-j][1]
                d = d - u[j] * lrow[j]
            zero = d == 0
            if zero.any():
                d = np.where(zero, tiny, d)
            neg += d < 0
            if want_det:
                det = det * d
            hist.append((lrow, d))
    return neg, det





def band_matvec(band, v, n):
    """y = A v for a symmetric band given as ``band[d][i] = A_{i,i-d}``."""
    y = [band[0][i] * v[i] for i in range(n)]
    for d in range(1, len(band)):
        for i in range(d, n):
            if band[d][i]:
                y[i] += band[d][i] * v[i - d]
                y[i - d] += band[d][i] * v[i]
    return y


def solve_shifted(m_band, b_band, t, rhs, bits: int) -> list:
    """Solve (M - t B) y = rhs for one shift by band LDL^T (inverse iteration's step)."""
    w, n = len(b_band) - 1, len(b_band[0])
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        t = gmpy2.mpfr(t)
        lrows, ds = [], []
        for i in range(n):
            top = min(i, w)
            a = [m_band[d][i] - t * b_band[d][i] for d in range(top + 1)]
            u = [None] * (top + 1)
            for j in range(top, 0, -1):
                s = a[j]
                for kk in range(j + 1, top + 1):
                    s -= u[kk] * lrows[i - j][kk - j]
                u[j] = s
            lrow, d = [None] * (top + 1), a[0]
            for j in range(1, top + 1):
                lrow[j] = u[j] / ds[i - j]
                d -= u[j] * lrow[j]
            lrows.append(lrow)
            ds.append(d if d != 0 else gmpy2.mpfr(2) ** (-(bits * 8)))
        z = [gmpy2.mpfr(v) for v in rhs]
        for i in range(n):  # L z = rhs
            for j in range(1, min(i, w) + 1):
                z[i] -= lrows[i][j] * z[i - j]
        z = [z[i] / ds[i] for i in range(n)]
        for i in range(n - 1, -1, -1):  # L^T y = z
            for j in range(1, min(n - 1 - i, w) + 1):
                if j <= min(i + j, w):
                    z[i] -= lrows[i + j][j] * z[i + j]
        return z
__all__ = ["band_matvec", "solve_shifted", "sweep", "to_mpfr_band"]
