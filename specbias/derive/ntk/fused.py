"""The arc-cosine NNGP/NTK recursion fused per matrix entry and compiled (numba).

:func:`specbias.derive.ntk.kernels.kernels` with NumPy float64 inputs calls :func:`fused_kernels`: the
same recursion as its array path (``_kernels_block`` and ``_homogeneous_layer``: Jacot et al.,
NeurIPS 2018; Arora et al., NeurIPS 2019, Eq. (4)-(6); the dual activations of Cho & Saul,
NIPS 2009), but each entry (x, x′) goes through every layer in registers, one row of the matrix
per thread, instead of some forty passes over whole arrays per layer. The angle is carried as
vers = 1 − cos θ, the deviation J_p(0) − J_p(θ) from the split of
:func:`specbias.derive.ntk.arccos.deviation_split` with its Taylor polynomial below SERIES_SWITCH, so
the result keeps the array path's accuracy near θ → 0. IEEE arithmetic (no fastmath).

The per-activation factors are not typed here: they are the SymPy results of
:func:`specbias.derive.ntk.arccos.numeric_factors`, lambdified for the ``math`` module and compiled by
numba. The compiled kernel is cached on disk (``cache=True``); its cache key includes a hash of
those lambdified sources, so a changed formula recompiles instead of loading stale code.
"""

from __future__ import annotations

import hashlib
import inspect
import math
import threading
from functools import lru_cache

import numba
import numpy as np

from specbias.derive.ntk.arccos import POWERS, SERIES_SWITCH, numeric_factors

#: The lambdified factors the kernel calls, for p = 0, 1, 2 (named _<factor><p> below).
FACTORS = ("J_cs", "pi_part", "h", "h_series")
#: Up to this input dimension the kernel sums U Vᵀ itself; above, one BLAS product (as NumPy).
GRAM_DIM = 64
#: One call at a time: numba's workqueue threading layer (used where neither OpenMP nor TBB is
#: installed) aborts the process on concurrent launches; the kernel is parallel inside anyway.
_LOCK = threading.Lock()
# The compiled factors _<factor><p>, set by _scalar_factors() before the kernel compiles.
_J_cs0 = _J_cs1 = _J_cs2 = _pi_part0 = _pi_part1 = _pi_part2 = None
_h0 = _h1 = _h2 = _h_series0 = _h_series1 = _h_series2 = None


@lru_cache(maxsize=None)
def _scalar_factors() -> str:
    """Compile the factors of every power as module globals of this file (numba resolves a
    kernel's callees by name); return a hash of their sources for the kernel's cache key."""
    digest = hashlib.sha256(repr(SERIES_SWITCH).encode())
    for p in sorted(POWERS.values()):
        f = numeric_factors(p, "math")
        for name in FACTORS:
            digest.update(inspect.getsource(f[name]).encode())
            globals()[f"_{name}{p}"] = numba.njit(f[name])
    return digest.hexdigest()


@numba.njit
def _j_cs(p, th, c, s):
    """J_p(θ) from θ, cos θ, sin θ (Cho & Saul's arc-cosine factor, as SymPy integrated it)."""
    if p == 0:
        return _J_cs0(th, c, s)
    if p == 1:
        return _J_cs1(th, c, s)
    return _J_cs2(th, c, s)


@numba.njit
def _deviation(p, th, c, s, vers):
    """J_p(0) − J_p(θ) as :func:`specbias.derive.ntk.kernels.deviation`: π-part from vers = 1 − cos θ,
    plus h, from its Taylor polynomial below SERIES_SWITCH."""
    small = th < SERIES_SWITCH
    if p == 0:
        return _pi_part0(vers) + (_h_series0(th) if small else _h0(th, c, s))
    if p == 1:
        return _pi_part1(vers) + (_h_series1(th) if small else _h1(th, c, s))
    return _pi_part2(vers) + (_h_series2(th) if small else _h2(th, c, s))


@numba.njit
def _row(i, c, vers, anti, A, B, p, dim, sw2, sb2, c0, standard, want_ntk, S, T, th):
    """Row i of (Σ, Θ): the input layer, then ``_homogeneous_layer`` per hidden layer, on the
    row's cosines c, versines vers (overwritten) and 1 + cos θ (anti: the first layer only, as
    ``kernels._trig_from_versines``) with the per-row factors of :func:`_diagonals` in A (row i
    of X) and B (every row of Y); S, T are the output rows, th scratch."""
    bias_grad = 1.0 if sb2 > 0 else 0.0
    nx, q1 = A[0, 4, i], A[0, 3, i]
    k = len(c)
    for j in range(k):
        ny = B[0, 4, j]
        s = nx * ny * (sw2 / dim)
        geo = math.sqrt(q1 * B[0, 3, j])
        gap = sb2 * (sw2 / dim) * (nx - ny) ** 2 / (geo + s + sb2)
        S[j] = s * c[j] + sb2
        T[j] = S[j] if not standard else s * c[j] / sw2 + bias_grad
        vers[j] = (gap + s * vers[j]) / geo
        ac = (sw2 / dim) * (nx * nx + ny * ny)
        anti[j] = (sb2 * (ac + sb2) / (geo + s) + sb2 + s * anti[j]) / geo
    for l in range(A.shape[0]):
        r1, g1, t1 = A[l, 0, i], A[l, 1, i], A[l, 2, i]
        for j in range(k):  # the libm call apart: the loop below can vectorize
            if l == 0:
                th[j] = 2 * math.atan2(math.sqrt(vers[j]), math.sqrt(anti[j]))
            else:
                th[j] = 2 * math.asin(math.sqrt(min(vers[j], 2.0) / 2))
        for j in range(k):
            v, t, r2 = min(vers[j], 2.0), th[j], B[l, 0, j]
            if l == 0:
                v = vers[j]
                cos, sin = (anti[j] - v) / 2, math.sqrt(v * anti[j])
            else:
                cos, sin = 1 - v, math.sqrt(v * (2 - v))
            sp = r1 * r2
            scale = sp * (sw2 / (2 * math.pi))
            sig_n = scale * _j_cs(p, t, cos, sin) + sb2
            geo = g1 * B[l, 1, j]
            w = scale * _deviation(p, t, cos, sin, v)
            if sb2 > 0:
                w += (r1 - r2) ** 2 / (sp * (sw2 * c0) + geo + sb2) * (sw2 * c0 * sb2)
            vers[j] = w / geo
            if want_ntk:
                sigdot = (sw2 * p ** 2 / (2 * math.pi)) * _j_cs(p - 1, t, cos, sin)
                if p > 1:
                    sigdot *= t1 * B[l, 2, j]
                if standard:
                    T[j] = (sig_n - sb2) / sw2 + bias_grad + T[j] * sigdot
                else:
                    T[j] = T[j] * sigdot + sig_n
            S[j] = sig_n


def _diagonals(norm, dim, p, depth, sw2, sb2, c0):
    """Per-row factors of each layer, shape (depth, 5, n): q^(p/2), sqrt(q'), q^((p−1)/2), q,
    |x| for the diagonal Σ(x, x) = q of layer l and q' = σ_w² c0 q^p + σ_b² of the next."""
    q = sw2 * norm ** 2 / dim + sb2
    out = np.empty((depth, 5, len(q)))
    for l in range(depth):
        a = sw2 * c0 * q ** p + sb2
        out[l] = q ** (p / 2), np.sqrt(a), q ** ((p - 1) / 2), q, norm
        q = a
    return out


@lru_cache(maxsize=None)
def _compiled():
    """The kernel (every power p), compiled on first use or loaded from numba's disk cache."""
    key = _scalar_factors()

    @numba.njit(parallel=True, cache=True)
    def kernel(U, Vt, C, A, B, p, sw2, sb2, c0, standard, want_ntk, kahan_above, S, T):
        """Fill S (NNGP) and T (NTK, if want_ntk) row by row from the unit rows U (n, d), Vᵀ
        (d, k) and, unless empty, their Gram matrix C = U Vᵀ (else summed here, in order)."""
        _ = key  # a closure variable: part of numba's cache key (the formulas' hash)
        n, k, dim = U.shape[0], Vt.shape[1], U.shape[1]
        for i in numba.prange(n):
            c, vers, anti, th = np.zeros(k), np.empty(k), np.empty(k), np.empty(k)
            if C.shape[0]:
                c[:] = C[i]
            else:
                for t in range(dim):
                    for j in range(k):
                        c[j] += U[i, t] * Vt[t, j]
            for j in range(k):
                c[j] = min(max(c[j], -1.0), 1.0)
                vers[j], anti[j] = 1 - c[j], 1 + c[j]
                if abs(c[j]) > kahan_above:  # 1 ∓ cos θ = |u ∓ v|²/2 (Kahan), as ntk._angles
                    d2, s2 = 0.0, 0.0
                    for t in range(dim):
                        d2 += (U[i, t] - Vt[t, j]) ** 2
                        s2 += (U[i, t] + Vt[t, j]) ** 2
                    vers[j], anti[j] = d2 / 2, s2 / 2
                    c[j] = 1 - vers[j]
            _row(i, c, vers, anti, A, B, p, dim, sw2, sb2, c0, standard, want_ntk, S[i],
                 T[i] if want_ntk else np.empty(k), th)  # no aliasing: it would stop SIMD
    return kernel


def fused_kernels(U, V, nx, ny, depth, activation, sw2, sb2, parametrization, want_ntk,
                  kahan_above):
    """(Σ^(L+1), Θ^(L+1) or None) from the unit rows U, V and the row norms nx, ny (as
    ``ntk._unit_rows`` returns them); ``activation`` relu, relu2 or step; arguments checked by
    :func:`specbias.derive.ntk.kernels.kernels`. The Gram matrix U Vᵀ comes from one BLAS product above
    GRAM_DIM dimensions, else from the kernel (per row, no BLAS threads competing with its own)."""
    p = POWERS[activation]
    c0 = numeric_factors(p, "math")["J0f"] / (2 * math.pi)
    A = _diagonals(nx, U.shape[1], p, depth, sw2, sb2, c0)
    B = _diagonals(ny, U.shape[1], p, depth, sw2, sb2, c0)
    C = U @ V.T if U.shape[1] > GRAM_DIM else np.empty((0, 0))
    S = np.empty((len(U), len(V)))
    T = np.empty(S.shape if want_ntk else (0, 0))
    with _LOCK:
        _compiled()(np.ascontiguousarray(U), np.ascontiguousarray(V.T), C, A, B, p, sw2, sb2,
                    c0, parametrization == "standard", bool(want_ntk), float(kahan_above), S, T)
    return S, (T if want_ntk else None)
