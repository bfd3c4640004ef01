"""Double-double and quad-double arithmetic for numba kernels (values as tuples of float64).

A double-double (dd) is an unevaluated sum of 2 doubles (106 significant bits, about 31
digits), a quad-double (qd) of 4 (about 209 bits, 62 digits). The algorithms are those of
Hida, Li & Bailey, *Library for double-double and quad-double arithmetic* (2008; QD's
``sloppy_add`` and ``sloppy_mul``, the reciprocal by QD's long division, and a branch-free
variant of ``renorm``), with the exact product a*b = p + e from a fused multiply-add
(``llvm.fma.f64``; Ogita, Rump & Oishi 2005).

Error model (what :mod:`specbias.derive.matrix.spectrum` relies on): every operation returns
op(a(1 + α), b(1 + β)) with |α|, |β| ≤ c·2^-(53·limbs) for a small c (the sloppy sum is not
IEEE-style correctly rounded under cancellation, but each operand is perturbed only
relatively, which is what the backward error analysis of LDL^T needs (Higham, *Accuracy and
Stability of Numerical Algorithms*, 2nd ed., Sec. 2.4 and 10.1)). Measured against gmpy2 at
400 bits over 2000 random operands (a third with heavy cancellation): dd within 2^-104.5,
qd within 2^-210.3, hence ``BITS``; the tests hold every operation to ``BITS``. Overflow and underflow are the caller's business (the
determinants in :mod:`.band_ldl_md` are kept as mantissa × 2^exponent).
"""

from __future__ import annotations

import numba
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

#: Significant bits of each format (used to size the working precision).
BITS = {2: 104, 4: 206}

_jit = numba.njit(cache=True)
#: The error-free transformations are inlined into each operation (numba IR inlining); the
#: operations themselves are called (inlining them at every call site made a kernel's compile
#: take minutes).
_leaf = numba.njit(inline="always", cache=True)


@intrinsic
def fma(typingctx, a, b, c):
    """a*b + c with one rounding (LLVM's llvm.fma.f64)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        dbl = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [dbl], ir.FunctionType(dbl, [dbl] * 3))
        return builder.call(fn, args)
    return sig, codegen


@_leaf
def two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@_leaf
def quick_two_sum(a, b):
    s = a + b
    return s, b - (s - a)


@_leaf
def two_prod(a, b):
    p = a * b
    return p, fma(a, b, -p)


# ---------------------------------------------------------------- double-double


@_jit
def dd_add(a, b):
    s, e = two_sum(a[0], b[0])
    t, f = two_sum(a[1], b[1])
    e += t
    s, e = quick_two_sum(s, e)
    e += f
    return quick_two_sum(s, e)


@_jit
def dd_neg(a):
    return (-a[0], -a[1])


@_jit
def dd_mul(a, b):
    p, e = two_prod(a[0], b[0])
    e += a[0] * b[1] + a[1] * b[0]
    return quick_two_sum(p, e)


@_jit
def dd_mul_d(a, b):
    """dd × double."""
    p, e = two_prod(a[0], b)
    e += a[1] * b
    return quick_two_sum(p, e)


@_jit
def dd_inv(b):
    """1/b by long division (two correction steps)."""
    q1 = 1.0 / b[0]
    r = dd_add((1.0, 0.0), dd_neg(dd_mul_d(b, q1)))
    q2 = r[0] / b[0]
    r = dd_add(r, dd_neg(dd_mul_d(b, q2)))
    q1, q2 = quick_two_sum(q1, q2)
    return dd_add((q1, q2), (r[0] / b[0], 0.0))


# ---------------------------------------------------------------- quad-double


@_leaf
def _three_sum(a, b, c):
    t1, t2 = two_sum(a, b)
    a, t3 = two_sum(c, t1)
    b, c = two_sum(t2, t3)
    return a, b, c


@_leaf
def _three_sum2(a, b, c):
    t1, t2 = two_sum(a, b)
    a, t3 = two_sum(c, t1)
    return a, t2 + t3


@_leaf
def _renorm(c0, c1, c2, c3, c4):
    """Five overlapping parts to four non-overlapping limbs: a quick-two-sum pass upwards
    and one downwards, without QD's zero tests (branch-free, so loops over shifts vectorize;
    Shewchuk 1997, Priest 1991). The value is kept exactly up to the last limb's rounding."""
    s, c4 = quick_two_sum(c3, c4)
    s, c3 = quick_two_sum(c2, s)
    s, c2 = quick_two_sum(c1, s)
    c0, c1 = quick_two_sum(c0, s)
    c0, c1 = quick_two_sum(c0, c1)
    c1, c2 = quick_two_sum(c1, c2)
    c2, c3 = quick_two_sum(c2, c3)
    return (c0, c1, c2, c3 + c4)


@_jit
def qd_add(a, b):
    s0, t0 = two_sum(a[0], b[0])
    s1, t1 = two_sum(a[1], b[1])
    s2, t2 = two_sum(a[2], b[2])
    s3, t3 = two_sum(a[3], b[3])
    s1, t0 = two_sum(s1, t0)
    s2, t0, t1 = _three_sum(s2, t0, t1)
    s3, t0 = _three_sum2(s3, t0, t2)
    t0 = t0 + t1 + t3
    return _renorm(s0, s1, s2, s3, t0)


@_jit
def qd_neg(a):
    return (-a[0], -a[1], -a[2], -a[3])


@_jit
def qd_mul_d(a, b):
    """qd × double."""
    p0, q0 = two_prod(a[0], b)
    p1, q1 = two_prod(a[1], b)
    p2, q2 = two_prod(a[2], b)
    p3 = a[3] * b
    s1, s2 = two_sum(q0, p1)
    s2, q1, p2 = _three_sum(s2, q1, p2)
    q1, q2 = _three_sum2(q1, q2, p3)
    return _renorm(p0, s1, s2, q1, q2 + p2)


@_jit
def qd_mul(a, b):
    p0, q0 = two_prod(a[0], b[0])
    p1, q1 = two_prod(a[0], b[1])
    p2, q2 = two_prod(a[1], b[0])
    p3, q3 = two_prod(a[0], b[2])
    p4, q4 = two_prod(a[1], b[1])
    p5, q5 = two_prod(a[2], b[0])
    p1, p2, q0 = _three_sum(p1, p2, q0)
    p2, q1, q2 = _three_sum(p2, q1, q2)
    p3, p4, p5 = _three_sum(p3, p4, p5)
    s0, t0 = two_sum(p2, p3)
    s1, t1 = two_sum(q1, p4)
    s2 = q2 + p5
    s1, t0 = two_sum(s1, t0)
    s2 += t0 + t1
    s1 += a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0] + q0 + q3 + q4 + q5
    return _renorm(p0, p1, s0, s1, s2)


@_jit
def qd_inv(b):
    """1/b by long division (QD's sloppy_div with a = 1)."""
    q0 = 1.0 / b[0]
    r = qd_add((1.0, 0.0, 0.0, 0.0), qd_neg(qd_mul_d(b, q0)))
    q1 = r[0] / b[0]
    r = qd_add(r, qd_neg(qd_mul_d(b, q1)))
    q2 = r[0] / b[0]
    r = qd_add(r, qd_neg(qd_mul_d(b, q2)))
    q3 = r[0] / b[0]
    r = qd_add(r, qd_neg(qd_mul_d(b, q3)))
    q4 = r[0] / b[0]
    return _renorm(q0, q1, q2, q3, q4)


__all__ = ["BITS", "dd_add", "dd_inv", "dd_mul", "dd_mul_d", "dd_neg", "fma", "qd_add", "qd_inv",
           "qd_mul", "qd_mul_d", "qd_neg", "two_prod", "two_sum"]
