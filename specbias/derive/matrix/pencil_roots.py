"""Root finding on the band pencil M - t B for every eigenvalue at once: starting values from
inertia counts, a secant iteration on det(M - t B) with the other eigenvalues deflated, kept in
brackets by the counts, and the per-eigenvalue certificate. Works with any *sweeper* -- a
callable ``sweeper(shifts, want_det) -> (negative counts, determinants or None)``: the gmpy2
one of :mod:`specbias.derive.matrix.spectrum` or :class:`specbias.derive.matrix.band_ldl_md.Sweeper`.
"""

from __future__ import annotations

import math

import gmpy2
import numpy as np

#: Secant rounds before giving up (the certificate then reports the failures).
MAX_ITER = 60


def _separators(t, c, n: int) -> np.ndarray:
    """Estimates of the points between consecutive eigenvalues (count levels j + 1/2) from
    counts c at sorted points t: log(#above + 1/2) interpolated linearly in log t, exact for
    the power-law spectra of these kernels (lambda_k ~ k^-(2P+2), Zhao, "Numerical Analysis 101")."""
    levels = np.arange(n) + 0.5
    j = np.clip(np.searchsorted(c, levels, side="right"), 1, len(c) - 1)
    y = np.log(n - c + 0.5)
    frac = (np.log(n - levels + 0.5) - y[j - 1]) / np.where(c[j] > c[j - 1], y[j] - y[j - 1], -1)
    x0, x1 = np.log(t[j - 1]), np.log(t[j])
    return np.unique(np.exp(x0 + np.clip(frac, 0, 1) * (x1 - x0)))


def count_starts(sweeper, n: int, hi: float, lo: float):
    """Starting values and brackets of all eigenvalues from inertia counts alone (no dense
    matrix; each sweep O(N^2 w^2)): counts at ``max(64, N/4)`` geometric points in [lo, hi]
    and at estimated separators (:func:`_separators`), then geometric bisection of every
    bracket that holds more than one eigenvalue. Each eigenvalue starts at the geometric
    interpolation of its own bracket. Returns float arrays (start, lo, hi), descending."""
    while sweeper([lo])[0][0] > 0:
        lo /= 1e4
    pts: dict = {}

    def evaluate(ts):
        pts.update(zip(map(float, ts), map(int, sweeper([gmpy2.mpfr(float(v)) for v in ts])[0])))

    def table():
        t = np.array(sorted(pts))
        return t, np.maximum.accumulate(np.array([pts[v] for v in t]))

    evaluate(np.geomspace(lo, hi, max(64, n // 4)))
    evaluate(_separators(*table(), n))
    m = np.arange(n)[::-1]                    # eigenvalues below the k-th largest
    for _ in range(200):                      # isolate: one eigenvalue per bracket
        t, c = table()
        i_hi = np.searchsorted(c, m, side="right")
        crowded = np.unique(i_hi[c[i_hi] - c[i_hi - 1] > 1])
        if not len(crowded):
            break
        evaluate(np.sqrt(t[crowded - 1] * t[crowded]))
    c_lo, c_hi = c[i_hi - 1], c[i_hi]
    start = t[i_hi - 1] * (t[i_hi] / t[i_hi - 1]) ** ((m - c_lo + 0.5) / (c_hi - c_lo))
    return start, t[i_hi - 1], t[i_hi]


def _deflation(zp, dz, z, ks, chunk: int = 256):
    """log|prod_{j != k} (z_k - z_j) / (zp_k - z_j)| and its sign, for each k in ``ks``, with
    z_k = zp_k + dz_k: the factor that turns the secant step on det(M - tB) into the secant step
    on det / prod_{j != k}(t - z_j), the other eigenvalues deflated by their current estimates
    (the idea of the Ehrlich-Aberth iteration; Bini 1996). Far from convergence it removes the
    pull of the neighbours; near it, dz -> 0 and the factor -> 1. O(len(ks) N) in float64."""
    logp, sign = np.zeros(len(ks)), np.ones(len(ks))
    for s in range(0, len(ks), chunk):
        sl = slice(s, s + chunk)
        den = zp[sl, None] - z[None, :]
        r = np.where(den != 0, dz[sl, None] / np.where(den != 0, den, 1), 0.0)
        r[np.arange(len(r)), ks[sl]] = 0.0
        logs = np.where(np.abs(r) < 0.5, np.log1p(np.clip(r, -0.5, 0.5)),
                        np.log(np.maximum(np.abs(1 + r), 1e-300)))
        logp[sl] = logs.sum(1)
        sign[sl] = np.where((r < -1).sum(1) % 2, -1.0, 1.0)
    return logp, sign


def refine(sweeper, start, n, dps, bits, progress=None, brackets=None, first_step=2.0 ** -40,
            certify=True, indices=None):
    """Secant iteration + bracket for every index; returns mpfr values, iterations used and
    the certificate flags. ``start``: floats or mpfr; ``brackets``: (lo, hi) lists or None;
    ``first_step``: relative offset of the second secant point (about the start's error; one
    number, or one per index).
    With ``certify`` False it stops at convergence to ``dps`` + 4 digits (flags all False);
    there ``dps`` may be an array, one number of digits per index. ``indices``: iterate and
    certify only these (the others keep their start values, used in the deflation)."""
    todo = list(range(n)) if indices is None else [int(k) for k in indices]
    digits = np.broadcast_to(np.asarray(dps, dtype=float), (n,))
    with gmpy2.context(gmpy2.get_context(), precision=bits):
        t_prev = [gmpy2.mpfr(v) for v in start]
        t_cur = list(t_prev)
        offset = np.broadcast_to(np.asarray(first_step, dtype=float), (n,))
        for k in todo:
            t_cur[k] = t_prev[k] * (1 + gmpy2.mpfr(offset[k]))
        lo, hi = ([gmpy2.mpfr(v) for v in brackets[0]], [gmpy2.mpfr(v) for v in brackets[1]]) \
            if brackets is not None else ([gmpy2.mpfr(0)] * n, [gmpy2.mpfr("inf")] * n)
        below = np.array([n - k - 1 for k in range(n)])  # eigenvalues below lambda_k (0-based k)
        neg, f0 = sweeper([t_prev[k] for k in todo], True)
        _update(lo, hi, [t_prev[k] for k in todo], neg, below, todo)
        f_prev = [None] * n
        for idx, k in enumerate(todo):
            f_prev[k] = f0[idx]
        active = list(todo)
        step_prev = [gmpy2.mpfr(1)] * n
        # the certificate then checks 10^-(dps+2)
        tol = [gmpy2.mpfr(10) ** -(int(math.ceil(d)) + 4) for d in digits]
        iterations = 1
        for _ in range(MAX_ITER):
            if not active:
                break
            neg, f_cur = sweeper([t_cur[k] for k in active], True)
            iterations += 1
            _update(lo, hi, [t_cur[k] for k in active], neg, below, active)
            still = []
            steps = [t_cur[k] - t_prev[k] for k in active]
            logp, sign = _deflation(np.array([float(t_prev[k]) for k in active]),
                                    np.array([float(v) for v in steps]),
                                    np.array([float(v) for v in t_cur]), np.array(active))
            for idx, k in enumerate(active):
                f1, t1 = f_cur[idx], t_cur[k]
                # secant on phi = det / prod_{j != k} (t - t_j): phi_prev/phi_1 = ratio
                ratio = f_prev[k] / f1 * sign[idx] * gmpy2.exp(logp[idx]) if f1 != 0 else 0
                t_new = t1 - steps[idx] / (1 - ratio) if ratio != 1 else t1
                if not lo[k] < t_new < hi[k] and abs(t_new - t1) <= tol[k] * abs(t1):
                    t_new = t1        # converged to the rounding level, where counts and det disagree
                elif not lo[k] < t_new < hi[k]:
                    t_new = (lo[k] * hi[k]) ** 0.5 if hi[k] != gmpy2.inf() and lo[k] > 0 else (
                        (lo[k] + hi[k]) / 2 if hi[k] != gmpy2.inf() else t1 * 2)
                step = abs(t_new - t1) / abs(t_new)
                t_prev[k], f_prev[k], t_cur[k] = t1, f1, t_new
                # secant: next error ~ (this step) * (previous step) / relative gap
                if step * step_prev[k] * 1e4 > tol[k] and step > tol[k]:
                    still.append(k)
                step_prev[k] = step
            if progress is not None:
                progress(len(active) - len(still))
            active = still
            if not active and not certify:
                return t_cur, iterations, np.zeros(n, dtype=bool)
            if not active:
                # certify: counts just below and just above
                delta = gmpy2.mpfr(10) ** -(int(digits.max()) + 2)   # dps is one number here
                lows = [t_cur[k] * (1 - delta) for k in todo]
                highs = [t_cur[k] * (1 + delta) for k in todo]
                neg2, _ = sweeper(lows + highs)
                m = len(todo)
                ok = np.zeros(n, dtype=bool)
                ok[todo] = (neg2[:m] == below[todo]) & (neg2[m:] == below[todo] + 1)
                failed = [k for k in todo if not ok[k]]
                _update(lo, hi, lows, neg2[:m], below, todo)
                _update(lo, hi, highs, neg2[m:], below, todo)
                if not failed:
                    return t_cur, iterations, ok
                for k in failed:  # restart from the bracket
                    t_prev[k] = t_cur[k]
                    t_cur[k] = (lo[k] + hi[k]) / 2 if hi[k] != gmpy2.inf() else t_cur[k] * 2
                    step_prev[k] = gmpy2.mpfr(1)
                active = failed
                neg, fp = sweeper([t_prev[k] for k in failed], True)
                for idx, k in enumerate(failed):
                    f_prev[k] = fp[idx]
        return t_cur, iterations, np.zeros(n, dtype=bool)


def _update(lo, hi, ts, neg, below, indices):
    """Narrow the brackets: count(t) > (eigenvalues below lambda_k) means t > lambda_k."""
    for idx, k in enumerate(indices):
        if neg[idx] > below[k]:
            hi[k] = min(hi[k], ts[idx])
        else:
            lo[k] = max(lo[k], ts[idx])


__all__ = ["count_starts", "refine"]
