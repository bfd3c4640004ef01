"""Compiled inertia counts and determinants of the band pencil M - t B in double-double or
quad-double arithmetic: the fast path of :mod:`specbias.derive.matrix.band_ldl` (same algorithm, same
results up to rounding; band LDL^T without pivoting, Golub & Van Loan, 4th ed., Sec. 4.3).

Numbers are tuples of float64 limbs (:mod:`specbias.derive.matrix.multidouble`); arrays carry the
limbs in their last axis. Each task runs two shifts at once (every number a pair, lane A then
lane B, so that two independent dependency chains fill the pipeline: about 2x over one shift
per task here), the tasks spread over the cores with ``numba.prange``; the row recurrence keeps
the last w rows of L and 1/D in small scratch arrays. Determinants come back as mantissa
(|m| in [1/2, 1)) and a power of two, because prod d_i over 10^4 rows leaves the float64
exponent range. Compiled on first use and cached on disk (numba ``cache=True``).
"""

from __future__ import annotations

import math

import gmpy2
import numba
import numpy as np
from numba.extending import overload

from specbias.derive.matrix import multidouble as md

#: Replaces an exactly zero pivot (as LAPACK's bisection does with pivmin).
TINY = 2.0 ** -900


def _pair(op, limbs: int, arity: int):
    """``op`` on two independent numbers at once (limbs of lane A, then lane B): the two
    dependency chains interleave in the CPU pipeline, ~1.5x the throughput of one."""
    h = limbs
    if arity == 1:
        @numba.njit(cache=True)
        def f(x):
            return op(x[:h]) + op(x[h:])
    elif arity == 2:
        @numba.njit(cache=True)
        def f(x, y):
            return op(x[:h], y[:h]) + op(x[h:], y[h:])
    else:                                       # number times a float64, same in both lanes
        @numba.njit(cache=True)
        def f(x, y):
            return op(x[:h], y) + op(x[h:], y)
    return f


_OPS = {size: {name: _pair(op, size // 2, arity) for name, (op, arity) in ops.items()}
        for size, ops in {
            4: {"add": (md.dd_add, 2), "mul": (md.dd_mul, 2), "mul_d": (md.dd_mul_d, 3),
                "neg": (md.dd_neg, 1), "inv": (md.dd_inv, 1)},
            8: {"add": (md.qd_add, 2), "mul": (md.qd_mul, 2), "mul_d": (md.qd_mul_d, 3),
                "neg": (md.qd_neg, 1), "inv": (md.qd_inv, 1)}}.items()}


def _add(x, y):
    """x + y on a pair of numbers (double-double or quad-double, by tuple size)."""


def _mul(x, y):
    """x * y."""


def _mul_d(x, y):
    """x * y, y a float64."""


def _inv(x):
    """1 / x."""


def _neg(x):
    """-x."""


def _overload_op(decl, name, arity):
    if arity == 1:
        def pick(x):
            f = _OPS[x.count][name]
            return lambda x: f(x)
    else:
        def pick(x, y):
            f = _OPS[x.count][name]
            return lambda x, y: f(x, y)
    overload(decl, inline="always")(pick)


for _decl, _name, _arity in ((_add, "add", 2), (_mul, "mul", 2), (_mul_d, "mul_d", 2),
                             (_neg, "neg", 1), (_inv, "inv", 1)):
    _overload_op(_decl, _name, _arity)


def _read(arr, one):
    """A pair from the first len(one) entries of a flat array."""


@overload(_read, inline="always")
def _ov_read(arr, one):
    if one.count == 4:
        return lambda arr, one: (arr[0], arr[1], arr[2], arr[3])
    return lambda arr, one: (arr[0], arr[1], arr[2], arr[3], arr[4], arr[5], arr[6], arr[7])


@numba.njit(inline="always")
def _put(arr, v):
    for q in range(len(v)):
        arr[q] = v[q]


@numba.njit(parallel=True, cache=True)
def _sweep(m, b, b_one_limb, new_row, shifts, want_det, one, neg_out, mant_out, exp_out,
           growth_out):
    """The sweep, two shifts per task (lanes A and B of every number); the last w rows of L
    and 1/D in ring buffers; ``one`` (1 in both lanes) fixes the format by its size."""
    w1, n, k = m.shape[0], m.shape[1], shifts.shape[0]
    w, size = w1 - 1, len(one)
    h = size // 2
    for task in numba.prange((k + 1) // 2):
        i0, i1 = 2 * task, min(2 * task + 1, k - 1)
        buf = np.zeros(8)
        buf[:h] = shifts[i0, :h]
        buf[h:size] = shifts[i1, :h]
        t = _read(buf, one)
        lrows = np.zeros((w1, w1, 8))            # row r of L and 1/D in slot r % w1
        inv = np.zeros((w1, 8))
        a = np.zeros((w1, 8))                    # row i of M - t B (kept while rows repeat)
        u = np.zeros((w1, 8))
        mant, e0, e1, c0, c1 = one, 0, 0, 0, 0
        g0, g1 = 0.0, 0.0
        for i in range(n):
            top = min(i, w)
            here = i % w1
            if new_row[i]:
                for d in range(w1):
                    buf[:h] = b[d, i, :h]
                    buf[h:size] = b[d, i, :h]
                    tb = _mul_d(t, b[d, i, 0]) if b_one_limb else _mul(t, _read(buf, one))
                    buf[:h] = m[d, i, :h]
                    buf[h:size] = m[d, i, :h]
                    _put(a[d], _add(_read(buf, one), _neg(tb)))
            for j in range(top, 0, -1):          # column i - j, left to right
                acc = _read(a[j], one)
                slot = (i - j) % w1
                for kk in range(j + 1, top + 1):
                    acc = _add(acc, _neg(_mul(_read(u[kk], one), _read(lrows[slot, kk - j], one))))
                _put(u[j], acc)
            dv = _read(a[0], one)
            for j in range(1, top + 1):
                uj = _read(u[j], one)
                lj = _mul(uj, _read(inv[(i - j) % w1], one))
                _put(lrows[here, j], lj)
                dv = _add(dv, _neg(_mul(uj, lj)))
            if dv[0] == 0.0 or dv[h] == 0.0:     # an exactly zero pivot: LAPACK's pivmin
                _put(buf, dv)
                buf[0] = TINY if buf[0] == 0.0 else buf[0]
                buf[h] = TINY if buf[h] == 0.0 else buf[h]
                dv = _read(buf, one)
            c0 += dv[0] < 0.0
            c1 += dv[h] < 0.0
            # pivot growth: diag(|L||D||L^T|)_i = |d_i| + sum_j |u_j l_j| against
            # |M_ii| + |t B_ii| (leading limbs suffice for a magnitude)
            s0, s1 = abs(dv[0]), abs(dv[h])
            for j in range(1, top + 1):
                s0 += abs(u[j, 0] * lrows[here, j, 0])
                s1 += abs(u[j, h] * lrows[here, j, h])
            g0 = max(g0, s0 / (abs(m[0, i, 0]) + abs(t[0] * b[0, i, 0])))
            g1 = max(g1, s1 / (abs(m[0, i, 0]) + abs(t[h] * b[0, i, 0])))
            _put(inv[here], _inv(dv))
            if want_det:                         # mantissa in [1/2, 1) times 2^e per lane
                _put(buf, _mul(mant, dv))
                f0, f1 = math.frexp(buf[0])[1], math.frexp(buf[h])[1]
                e0 += f0
                e1 += f1
                for q in range(h):
                    buf[q] = math.ldexp(buf[q], -f0)
                    buf[h + q] = math.ldexp(buf[h + q], -f1)
                mant = _read(buf, one)
        _put(buf, mant)
        growth_out[i0], growth_out[i1] = g0, g1
        neg_out[i0], exp_out[i0] = c0, e0
        mant_out[i0, :h] = buf[:h]
        neg_out[i1], exp_out[i1] = c1, e1
        mant_out[i1, :h] = buf[h:size]


def to_limbs(values, limbs: int) -> np.ndarray:
    """Exact rationals / mpfr / strings to arrays of ``limbs`` float64 (nearest, greedily)."""
    out = np.zeros((len(values), limbs))
    with gmpy2.context(gmpy2.get_context(), precision=max(64 * limbs, 300)):
        for i, v in enumerate(values):
            r = gmpy2.mpq(gmpy2.mpfr(v) if isinstance(v, str) else v)
            for q in range(limbs):
                f = float(r)
                out[i, q] = f
                r -= gmpy2.mpq(f)
    return out


def band_to_limbs(band, limbs: int) -> np.ndarray:
    """``band[d][i]`` (exact) to a (w+1, n, limbs) array."""
    return np.stack([to_limbs(row, limbs) for row in band])


def from_limbs(arr, exps=None, bits: int = 300) -> list:
    """Arrays of limbs (and powers of two) back to gmpy2 mpfr (exactly, at ``bits`` bits)."""
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        out = []
        for i, row in enumerate(np.asarray(arr)):
            v = gmpy2.mpfr(0)
            for f in row[::-1]:
                v += gmpy2.mpfr(float(f))
            out.append(v * gmpy2.mpfr(2) ** int(exps[i]) if exps is not None else v)
        return out


def sweep(m_limbs, b_limbs, shifts, want_det: bool = False, limbs: int = 4):
    """Negative-pivot counts of M - t B for every shift (rows of 4 limbs; ``limbs`` = 2 uses
    the first two); if ``want_det`` the determinants as (mantissa limbs, exponents of 2), else
    None; and the pivot growth per shift, max_i diag(|L||D||L^T|)_ii / (|M_ii| + |t B_ii|),
    which scales the backward error of the factorization (Higham, *Accuracy and Stability*,
    Thm. 10.3 for LDL^T). See :func:`band_ldl.sweep`."""
    shifts = np.ascontiguousarray(shifts)
    k = shifts.shape[0]
    neg = np.zeros(k, dtype=np.int64)
    mant = np.zeros((k, 4))
    expo = np.zeros(k, dtype=np.int64)
    one_limb = bool(np.all(b_limbs[..., 1:] == 0))   # e.g. B of uniform knots: integers
    # rows equal to the previous one (the interior of uniform knots) reuse M - t B
    same = np.all((m_limbs[:, 1:] == m_limbs[:, :-1]) & (b_limbs[:, 1:] == b_limbs[:, :-1]),
                  axis=(0, 2))
    new_row = np.concatenate([[True], ~same])
    one = (1.0, 0.0, 1.0, 0.0) if limbs == 2 else (1.0, 0.0, 0.0, 0.0) * 2
    growth = np.zeros(k)
    _sweep(m_limbs, b_limbs, one_limb, new_row, shifts, want_det, one, neg, mant, expo, growth)
    return neg, ((mant, expo) if want_det else None), growth


class Sweeper:
    """:func:`sweep` behind the interface of ``matrix_spectrum``'s gmpy2 sweeper: shifts as
    mpfr in, (negative counts, determinants as mpfr or None) out."""

    def __init__(self, m_band, b_band, limbs: int, bits: int):
        self.limbs, self.bits = limbs, bits
        self.m, self.b = band_to_limbs(m_band, 4), band_to_limbs(b_band, 4)
        self.sweeps = 0
        self.growth = 0.0          # largest pivot growth of any sweep (see :func:`sweep`)

    def __call__(self, shifts, want_det=False):
        self.sweeps += 1
        neg, det, growth = sweep(self.m, self.b, to_limbs(shifts, 4), want_det, self.limbs)
        self.growth = max(self.growth, float(growth.max(initial=0.0)))
        return neg, (from_limbs(*det, bits=self.bits) if want_det else None)


__all__ = ["Sweeper", "TINY", "band_to_limbs", "from_limbs", "sweep", "to_limbs"]
