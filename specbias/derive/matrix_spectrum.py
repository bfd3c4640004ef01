"""All N eigenvalues of the ReLU^P Gram matrix G_ij = G_P(b_i, b_j) on (-1, 1), to D digits.

Method (see :mod:`specbias.derive.bspline` for the congruence and :mod:`.band_ldl` for the
counts):

1. Exact banded pencil M y = lambda B y (M = S^T G S, B = S^T S; rationals), rounded to a
   working precision of W = D + GUARD + g digits with g = (2P+2) log10(2/h_min) (h_min the
   smallest knot gap), which covers the error model below.
2. Float64 starting values, per k the better of two: ``eigvalsh(G)`` (absolute error about
   u*lambda_1, good for the top) and the singular values of X = S R^-1 with M = R^T R
   (lambda = sigma^-2; relative error about u*sigma_max/sigma, good for the bottom).
3. Secant iteration on det(M - t B) for all k at once (vectorized sweeps), each evaluation
   also giving the inertia count that narrows a bracket; a step leaving the bracket is
   replaced by its geometric midpoint.
4. Certificate: counts at t_k (1 - delta) and t_k (1 + delta), delta = 10^-(D+2), must be
   N-k and N-k+1. Then exactly one eigenvalue -- the k-th largest -- lies within relative
   delta of t_k: this proves the index and the digits together. Failures are iterated again.

Error model. Rounding M and B to W digits perturbs the pencil by E_M, E_B with
|E| <= 10^-W |.| entrywise; for an eigenpair (lambda, y) first-order perturbation gives
|d lambda|/lambda <= 10^-W (|y|^T|M||y| / y^T M y + |y|^T|B||y| / y^T B y), bounded by
10^-W (kappa(M) + kappa(B)); kappa(M) = O(1) for B-splines with diag(M) ~ 1 (de Boor's
stability of the B-spline basis) and kappa(B) <= ||S||^2 ||S^-1||^2 = O((2/h_min)^(2P+2)).
LDL^T without pivoting adds backward errors of the same order when the pivots do not grow;
the guard digits ``GUARD`` cover growth of up to 10^GUARD. Tests compare with mpmath.eigsy
at higher precision on dense G for N <= 40.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor

import gmpy2
import mpmath
import numpy as np
import scipy.linalg

from specbias.derive import band_ldl
from specbias.derive import cache as cache_mod
from specbias.derive.bspline import banded_pencil, divided_difference_columns
from specbias.derive.gram import gram_kernel
from specbias.derive.knots import Knots, knots as make_knots
from specbias.derive.params import check_count, check_dps, check_power
from specbias.errors import require
from specbias.records import Spectrum

GUARD = 12
MAX_ITER = 60
#: Below this many shifts a sweep runs in-process (a pool costs more than it saves).
PARALLEL_MIN = 256

_BANDS: dict = {}


def _init_worker(m_band, b_band, bits):
    _BANDS.update(m=m_band, b=b_band, bits=bits)


def _worker_sweep(args):
    shifts, want_det = args
    return band_ldl.sweep(_BANDS["m"], _BANDS["b"], shifts, _BANDS["bits"], want_det)


class _Sweeper:
    """Runs sweeps, split over ``workers`` processes for many shifts."""

    def __init__(self, m_band, b_band, bits, workers):
        self.m, self.b, self.bits = m_band, b_band, bits
        self.workers = workers
        self.pool = None
        self.sweeps = 0

    def __call__(self, shifts, want_det=False):
        self.sweeps += 1
        if self.workers <= 1 or len(shifts) < PARALLEL_MIN:
            return band_ldl.sweep(self.m, self.b, shifts, self.bits, want_det)
        if self.pool is None:
            import multiprocessing as mp
            self.pool = ProcessPoolExecutor(self.workers, mp.get_context("fork"), _init_worker,
                                            (self.m, self.b, self.bits))
        chunks = np.array_split(np.arange(len(shifts)), self.workers)
        parts = list(self.pool.map(_worker_sweep, [([shifts[i] for i in c], want_det)
                                                   for c in chunks]))
        neg = np.concatenate([p[0] for p in parts])
        det = np.concatenate([p[1] for p in parts]) if want_det else None
        return neg, det

    def close(self):
        if self.pool is not None:
            self.pool.shutdown()


def float_starts(kn, power: int, m_band, scale) -> tuple[np.ndarray, np.ndarray]:
    """Float64 estimates of all eigenvalues (descending) and their estimated relative errors."""
    n = len(kn)
    b = np.array([float(v) for v in kn])
    g = gram_kernel(power).numeric("numpy")(b[:, None], b[None, :])
    lam_g = np.sort(np.linalg.eigvalsh(g))[::-1]
    u = np.finfo(float).eps
    err_g = 4 * u * abs(lam_g[0]) * math.sqrt(n) / np.maximum(np.abs(lam_g), 1e-300)
    w = len(m_band) - 1
    m = np.zeros((n, n))
    for d in range(w):
        for i in range(d, n):
            m[i, i - d] = m[i - d, i] = float(m_band[d][i])
    s = np.zeros((n, n))
    for j, col in enumerate(divided_difference_columns(kn, power)):
        for r, v in col.items():
            s[r, j] = float(v * scale[j])
    r_fac = scipy.linalg.cholesky(m, lower=False)
    x = scipy.linalg.solve_triangular(r_fac, s.T, trans="T", lower=False).T  # X = S R^-1
    sig = np.sort(scipy.linalg.svdvals(x))  # ascending: largest lambda first
    lam_x = sig**-2.0
    err_x = 4 * u * sig[-1] / sig
    best = np.where(err_x < err_g, lam_x, lam_g)
    order = np.argsort(-best)
    return best[order], np.minimum(err_x, err_g)[order]


def _guard_digits(kn, power: int) -> int:
    gaps = [float(b - a) for a, b in zip(kn, kn[1:])] + [float(1 - kn[-1])]
    h = min(gaps) if gaps else 2.0
    return GUARD + math.ceil((2 * power + 2) * math.log10(2 / h))


def _refine(sweeper, start, n, dps, bits, progress=None):
    """Secant iteration + bracket for every index; returns mpfr values and iterations used."""
    delta = gmpy2.mpfr(10) ** -(dps + 2)
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        t_prev = [gmpy2.mpfr(float(v)) for v in start]
        t_cur = [v * (1 + gmpy2.mpfr(2) ** -40) for v in t_prev]
        lo = [gmpy2.mpfr(0)] * n
        hi = [gmpy2.mpfr("inf")] * n
        below = np.array([n - k - 1 for k in range(n)])  # eigenvalues below lambda_k (0-based k)
        neg, f_prev = sweeper(t_prev, True)
        _update(lo, hi, t_prev, neg, below, range(n))
        f_prev = list(f_prev)
        active = list(range(n))
        step_prev = [gmpy2.mpfr(1)] * n
        tol = gmpy2.mpfr(10) ** -(dps + 4)  # the certificate then checks 10^-(dps+2)
        iterations = 1
        for _ in range(MAX_ITER):
            if not active:
                break
            neg, f_cur = sweeper([t_cur[k] for k in active], True)
            iterations += 1
            _update(lo, hi, [t_cur[k] for k in active], neg, below, active)
            still = []
            for idx, k in enumerate(active):
                f1, t1 = f_cur[idx], t_cur[k]
                denom = f1 - f_prev[k]
                t_new = t1 - f1 * (t1 - t_prev[k]) / denom if denom != 0 else t1
                if not lo[k] < t_new < hi[k]:
                    t_new = (lo[k] * hi[k]) ** 0.5 if hi[k] != gmpy2.inf() and lo[k] > 0 else (
                        (lo[k] + hi[k]) / 2 if hi[k] != gmpy2.inf() else t1 * 2)
                step = abs(t_new - t1) / abs(t_new)
                t_prev[k], f_prev[k], t_cur[k] = t1, f1, t_new
                # secant: next error ~ (this step) * (previous step) / relative gap
                if step * step_prev[k] * 1e4 > tol and step > tol:
                    still.append(k)
                step_prev[k] = step
            if progress is not None:
                progress(len(active) - len(still))
            active = still
            if not active:
                # certify all: counts just below and just above
                lows = [t * (1 - delta) for t in t_cur]
                highs = [t * (1 + delta) for t in t_cur]
                neg2, _ = sweeper(lows + highs)
                ok_lo, ok_hi = neg2[:n] == below, neg2[n:] == below + 1
                failed = [k for k in range(n) if not (ok_lo[k] and ok_hi[k])]
                _update(lo, hi, lows, neg2[:n], below, range(n))
                _update(lo, hi, highs, neg2[n:], below, range(n))
                if not failed:
                    return t_cur, iterations, ok_lo & ok_hi
                for k in failed:  # restart from the bracket
                    t_prev[k] = t_cur[k]
                    f_prev[k] = gmpy2.mpfr(0)
                    t_cur[k] = (lo[k] + hi[k]) / 2 if hi[k] != gmpy2.inf() else t_cur[k] * 2
                    step_prev[k] = gmpy2.mpfr(1)
                active = failed
                neg, fp = sweeper([t_prev[k] for k in failed], True)
                for idx, k in enumerate(failed):
                    f_prev[k] = fp[idx]
        return t_cur, iterations, np.zeros(n, dtype=bool)


def eigenvectors(m_f, b_f, vals, count, kn, power, scale, bits, seed=0):
    """Unit eigenvectors of G (components in sorted-knot order, largest component positive)
    for the ``count`` largest eigenvalues: two steps of inverse iteration on the pencil at
    t = lambda_k (1 + 10^-(digits/2)), then x = S diag(c) y."""
    rng = np.random.default_rng(seed)
    n = len(kn)
    cols = divided_difference_columns(kn, power)
    out = []
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        shift_rel = gmpy2.mpfr(2) ** -(bits // 2)
        for k in range(count):
            t = vals[k] * (1 + shift_rel)
            y = [gmpy2.mpfr(float(v)) for v in rng.standard_normal(n)]
            for _ in range(2):
                y = band_ldl.solve_shifted(m_f, b_f, t, band_ldl.band_matvec(b_f, y, n), bits)
                norm = gmpy2.sqrt(sum(v * v for v in y))
                y = [v / norm for v in y]
            x = [gmpy2.mpfr(0)] * n
            for j, col in enumerate(cols):
                for r, v in col.items():
                    x[r] += gmpy2.mpfr(v * scale[j]) * y[j]
            norm = gmpy2.sqrt(sum(v * v for v in x))
            big = max(x, key=abs)
            sign = 1 if big > 0 else -1
            out.append([sign * v / norm for v in x])
    return out


def _update(lo, hi, ts, neg, below, indices):
    """Narrow the brackets: count(t) > (eigenvalues below lambda_k) means t > lambda_k."""
    for idx, k in enumerate(indices):
        if neg[idx] > below[k]:
            hi[k] = min(hi[k], ts[idx])
        else:
            lo[k] = max(lo[k], ts[idx])


def gram_matrix_spectrum(power: int, knots: Knots | str = "uniform", n: int | None = None,
                         dps: int = 30, vectors: int = 0, progress=None,
                         use_cache: bool = True, workers: int | None = None) -> Spectrum:
    """All eigenvalues of G_ij = G_P(b_i, b_j) on (-1, 1), descending, to ``dps`` digits.

    ``knots`` is a :class:`Knots` or a rule (then ``n`` is required). Knots equal to 1 give
    identically zero units: their eigenvalues are exactly 0 and are listed last.

    >>> s = gram_matrix_spectrum(1, "uniform", 6, dps=20, use_cache=False)
    >>> len(s.values), all(s.extras["certificate"]["indexed"])
    (6, True)
    """
    power, dps = check_power(power), check_dps(dps)
    require(dps <= 50, f"dps {dps} is too large for a matrix spectrum: use 5..50")
    kn = knots if isinstance(knots, Knots) else make_knots(knots, check_count(n or 0, 100_000,
                                                                              "number of knots N"), dps)
    vectors = check_count(vectors + 1, len(kn) + 1, "vectors + 1") - 1 if isinstance(vectors, int) \
        else check_count(vectors, 0, "vectors")
    key = {"power": power, "knots": kn.rule, "n": len(kn), "dps": dps, "vectors": vectors,
           "knots_sha": cache_mod.fingerprint([str(v) for v in kn.values])}
    if use_cache:
        hit = cache_mod.load("gram-matrix-spectrum", key)
        if hit is not None:
            return Spectrum(**hit)
    active = [v for v in kn.values if v < 1]
    zeros = len(kn) - len(active)
    values, cert = [], {"indexed": [], "zero_units": zeros}
    if active:
        guard = _guard_digits(active, power)
        bits = math.ceil((dps + 2 + guard) * math.log2(10)) + 16
        m_q, b_q, scale = banded_pencil(active, power)
        start, est_err = float_starts(active, power, m_q, scale)
        start = np.maximum(start, np.finfo(float).tiny)
        m_f, b_f = band_ldl.to_mpfr_band(m_q, bits), band_ldl.to_mpfr_band(b_q, bits)
        sweeper = _Sweeper(m_f, b_f, bits, workers if workers is not None else min(2, os.cpu_count() or 1))
        try:
            vals, iterations, ok = _refine(sweeper, start, len(active), dps, bits, progress)
        finally:
            sweeper.close()
        with mpmath.workdps(dps + 5):
            values = [mpmath.nstr(mpmath.mpf(str(v)), dps, strip_zeros=False) for v in vals]
            vecs = eigenvectors(m_f, b_f, vals, min(vectors, len(active)), active, power,
                                scale, bits) if vectors else []
            vec_strings = [[mpmath.nstr(mpmath.mpf(str(c)), dps) for c in v] + ["0"] * zeros
                           for v in vecs]
        cert.update(indexed=[bool(v) for v in ok], working_digits=dps + 2 + guard,
                    guard_digits=guard, bracket_rel_halfwidth=f"1e-{dps + 2}",
                    sweeps=sweeper.sweeps, secant_iterations=iterations,
                    float64_start_rel_err_max=float(np.max(np.abs(
                        start / np.array([float(v) for v in vals]) - 1))),
                    float64_start_rel_err_estimate_max=float(np.max(est_err)))
    else:
        vec_strings = []
    values += ["0"] * zeros
    cert["indexed"] += [True] * zeros
    spec = Spectrum(values=values, digits=dps,
                    method="banded B-spline pencil M y = lambda S^T S y: secant on det, "
                           "certified by LDL^T inertia counts (gmpy2 mpfr)",
                    description=f"eigenvalues of the {len(kn)}x{len(kn)} Gram matrix of "
                                f"ReLU^{power} units on (-1, 1), knots {kn.rule}",
                    params={"power": power, "knots": kn.rule, "n": len(kn)},
                    extras={"certificate": cert, **({"vectors": vec_strings} if vectors else {})})
    if use_cache:
        cache_mod.store("gram-matrix-spectrum", key, {
            "values": spec.values, "digits": spec.digits, "method": spec.method,
            "description": spec.description, "params": spec.params, "extras": spec.extras})
    return spec


__all__ = ["float_starts", "gram_matrix_spectrum"]
