"""Double-double / quad-double arithmetic and the compiled band sweeps, against gmpy2."""

from __future__ import annotations

import random

import gmpy2
import mpmath
import numba
import numpy as np
import pytest

from specbias.derive.matrix import band_ldl
from specbias.derive.matrix import band_ldl_md
from specbias.derive.matrix import multidouble as md
from specbias.derive.matrix.bspline import banded_pencil
from specbias.derive.matrix.knots import knots
from specbias.derive.matrix.spectrum import gram_matrix_spectrum

BITS = 400


def _exact(t):
    with gmpy2.context(gmpy2.get_context(), precision=BITS):
        return sum((gmpy2.mpfr(x) for x in t), gmpy2.mpfr(0))


def _limbs(v, k):
    with gmpy2.context(gmpy2.get_context(), precision=BITS):
        out = []
        for _ in range(k):
            out.append(float(v))
            v -= gmpy2.mpfr(out[-1])
        return tuple(out)


@numba.njit
def _call2(op, a, b):
    return op(a, b)


@numba.njit
def _call1(op, a):
    return op(a)


@pytest.mark.parametrize("k,ops", [(2, (md.dd_add, md.dd_mul, md.dd_inv)),
                                   (4, (md.qd_add, md.qd_mul, md.qd_inv))])
def test_operations_against_gmpy2(k, ops):
    """Relative errors (to |a| + |b| for sums, the exact value otherwise) stay below
    2^-BITS[k], the precision the working-digit choice assumes (104 dd, 206 qd), including
    heavy cancellation."""
    add, mul, inv = ops
    rng = random.Random(7)
    worst = {"add": 0.0, "mul": 0.0, "inv": 0.0}
    with gmpy2.context(gmpy2.get_context(), precision=BITS):
        for trial in range(300):
            a = gmpy2.mpfr(rng.uniform(-1, 1)) * 2 ** rng.randint(-60, 60) / 3
            b = gmpy2.mpfr(rng.uniform(-1, 1)) * 2 ** rng.randint(-60, 60) / 7
            if trial % 3 == 0:
                b = -a * (1 + gmpy2.mpfr(2) ** -rng.randint(1, 180))
            ta, tb = _limbs(a, k), _limbs(b, k)
            a, b = _exact(ta), _exact(tb)
            got = _exact(_call2(add, ta, tb))
            worst["add"] = max(worst["add"], float(abs(got - (a + b)) / (abs(a) + abs(b))))
            got = _exact(_call2(mul, ta, tb))
            worst["mul"] = max(worst["mul"], float(abs(got / (a * b) - 1)))
            got = _exact(_call1(inv, tb))
            worst["inv"] = max(worst["inv"], float(abs(got * b - 1)))
    assert max(worst.values()) < 2.0 ** -md.BITS[k], worst


def _growth_dense(m, b, t):
    """max_i diag(|L||D||L^T|)_ii / (|M_ii| + |t B_ii|) by a dense float64 LDL^T (no pivots)."""
    n = len(m[0])
    mm, bb = np.zeros((n, n)), np.zeros((n, n))
    for d in range(len(b)):
        for i in range(d, n):
            mm[i, i - d] = mm[i - d, i] = float(m[d][i]) if d < len(m) else 0.0
            bb[i, i - d] = bb[i - d, i] = float(b[d][i])
    a = mm - t * bb
    low, dg = np.eye(n), np.zeros(n)
    for j in range(n):
        dg[j] = a[j, j] - (low[j, :j] ** 2 * dg[:j]).sum()
        low[j + 1:, j] = (a[j + 1:, j] - (low[j + 1:, :j] * low[j, :j] * dg[:j]).sum(1)) / dg[j]
    diag = (low ** 2 * np.abs(dg)).sum(1)
    return float(np.max(diag / (np.abs(np.diag(mm)) + abs(t) * np.abs(np.diag(bb)))))


@pytest.mark.parametrize("power,rule,n", [(1, "uniform", 60), (3, "uniform", 40),
                                          (2, "random:3", 50)])
@pytest.mark.parametrize("limbs", [2, 4])
def test_sweep_matches_mpfr(power, rule, n, limbs):
    """Inertia counts equal the 400-bit gmpy2 sweep's; determinants agree to the format's
    precision times the growth seen here (measured 1e-22 dd, 1e-54 qd; bounds 1e-18, 1e-48)."""
    m, b, _ = banded_pencil(knots(rule, n, 30).values, power)
    shifts = [gmpy2.mpq(7, 3 * 10 ** k) for k in range(3 * power + 8)]   # odd and even counts
    neg0, det0 = band_ldl.sweep(band_ldl.to_mpfr_band(m, BITS), band_ldl.to_mpfr_band(b, BITS),
                                [gmpy2.mpfr(x, BITS) for x in shifts], BITS, True)
    neg, det, growth = band_ldl_md.sweep(band_ldl_md.band_to_limbs(m, 4), band_ldl_md.band_to_limbs(b, 4),
                                 band_ldl_md.to_limbs(shifts, 4), True, limbs)
    assert list(neg) == list(neg0)
    # a magnitude from leading limbs vs a float64 factorization (its own rounding x growth)
    assert np.allclose(growth, [_growth_dense(m, b, float(t)) for t in shifts], rtol=1e-4)
    with gmpy2.context(gmpy2.get_context(), precision=BITS):
        rel = max(abs(x / y - 1) for x, y in zip(band_ldl_md.from_limbs(*det), det0))
    assert rel < (1e-18 if limbs == 2 else 1e-48)


@pytest.mark.parametrize("power,rule,n,dps,split", [
    (2, "uniform", 80, 30, False), (1, "random:5", 30, 30, False),
    (1, "uniform", 60, 45, True), (4, "chebyshev", 14, 30, True)])
def test_fast_path_equals_mpfr_path(power, rule, n, dps, split):
    """The compiled double-double/quad-double path (starts from counts) and the gmpy2 path
    (float64 starts) are independent implementations: their certified values agree. With
    ``split`` the largest eigenvalues need more than quad-double's 62 digits (D = 45, or P = 4
    on Chebyshev knots) and are finished in gmpy2, the rest in quad-double."""
    kn = knots(rule, n, dps)
    fast = gram_matrix_spectrum(power, kn, dps=dps, use_cache=False)
    slow = gram_matrix_spectrum(power, kn, dps=dps, use_cache=False, arithmetic="mpfr")
    assert "quad-double" in fast.extras["certificate"].arithmetic
    assert ("largest in gmpy2" in fast.extras["certificate"].arithmetic) == split
    assert slow.extras["certificate"].arithmetic == "gmpy2 mpfr"
    assert fast.extras["certificate"].certified and slow.extras["certificate"].certified
    diff = [i for i, (x, y) in enumerate(zip(fast.values, slow.values)) if x != y]
    with mpmath.workdps(dps + 10):   # certified within 10^-(dps+2): strings may differ in the last digit
        assert all(abs(mpmath.mpf(fast.values[i]) / mpmath.mpf(slow.values[i]) - 1)
                   < mpmath.mpf(10) ** -(dps - 1) for i in diff)
