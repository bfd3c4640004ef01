"""All N eigenvalues of the ReLU^P Gram matrix G_ij = G_P(b_i, b_j) on (-1, 1), to D digits.

Method (see :mod:`specbias.derive.matrix.bspline` for the congruence, :mod:`.band_ldl` /
:mod:`.band_ldl_md` for the counts, :mod:`.pencil_roots` for the iteration):

1. Exact banded pencil M y = lambda B y (M = S^T G S, B = S^T S; rationals), rounded to the
   working precision each eigenvalue needs by the error model below: W = D + 2 + GUARD + c
   digits, c = c(lambda) (:func:`conditioning`) on the compiled path, c = g =
   (2P+2) log10(2/h_min) (h_min the smallest knot gap; a bound on kappa(B)) on the gmpy2 path.
2. Arithmetic: compiled double-double (31 digits) when every eigenvalue's W fits, else
   quad-double (62) for every eigenvalue whose W fits and gmpy2 mpfr for the few largest
   whose W does not (the smallest ones need c ~ log10 kappa(M) only); gmpy2 for everything
   when even the smallest do not fit (``arithmetic="mpfr"`` forces it).
3. Starting values. Compiled path: inertia counts alone (:func:`pencil_roots.count_starts`,
   O(N^2) per sweep, no dense matrix), then a double-double secant phase, each eigenvalue to
   31 - 2 - c(lambda) digits. gmpy2 path: float64, per k the better of ``eigvalsh(G)``
   (absolute error about u*lambda_1, good for the top) and the singular values of
   X = S R^-1 with M = R^T R (lambda = sigma^-2; good for the bottom) -- dense, O(N^3).
4. Secant iteration on det(M - t B) for all k at once, the other eigenvalues deflated by
   their current estimates, each evaluation also giving the inertia count that narrows a
   bracket; a step leaving the bracket is replaced by its geometric midpoint.
5. Certificate: counts at t_k (1 - delta) and t_k (1 + delta), delta = 10^-(D+2), must be
   N-k and N-k+1. Then exactly one eigenvalue -- the k-th largest -- lies within relative
   delta of t_k: this proves the index and the digits together. Failures are iterated again.

Error model. Rounding M and B to W digits perturbs the pencil by E_M, E_B with
|E| <= 10^-W |.| entrywise; for an eigenpair (lambda, y) first-order perturbation gives
|d lambda|/lambda <= 10^-W (|y|^T|M||y| / y^T M y + |y|^T|B||y| / y^T B y), bounded by
10^-W (kappa(M) + kappa(B)); kappa(M) = O(1) for B-splines with diag(M) ~ 1 (de Boor's
stability of the B-spline basis) and kappa(B) <= ||S||^2 ||S^-1||^2 = O((2/h_min)^(2P+2)) --
or, per eigenvalue, by 10^(c(lambda) - W) (:func:`conditioning`). For the largest
eigenvalues of the compiled path's quad-double part, 10^(c - 62 + GUARD) must also stay below
their distance to the certificate shifts of that part (checked).
LDL^T without pivoting adds backward errors of the same order when the pivots do not grow;
the guard digits ``GUARD`` cover growth of up to 10^GUARD. On the compiled path the growth
is measured in every sweep, rho = max_i diag(|L||D||L^T|)_ii / (|M_ii| + t|B_ii|), whose
backward error |dA_ij| <= c u rho sqrt(a_ii a_jj) over a band of width w gives an eigenvalue
perturbation within (2w+1)(w+1) rho of the entrywise one: if that exceeds 10^GUARD the
computation is redone in gmpy2 (measured: 10^7.1 for P = 1, N = 1000; 10^8.0 for N = 3000
and for P = 2, N = 400). The double-double and quad-double
operations perturb operands relatively, like IEEE arithmetic at 2^-104 / 2^-206
(:mod:`.multidouble`). Tests compare with mpmath.eigsy at higher precision on dense G for
N <= 40, and the compiled path with the gmpy2 path.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import gmpy2
import mpmath
import numpy as np
import scipy.linalg

from specbias.derive.matrix import band_ldl
from specbias.derive.matrix import band_ldl_md
from specbias.derive.matrix import multidouble
from specbias.derive.matrix.pencil_roots import count_starts, refine
from specbias.support import cache as cache_mod
from specbias.derive.matrix.bspline import banded_pencil, divided_difference_columns
from specbias.derive.gram.kernel import gram_kernel
from specbias.derive.matrix.knots import Knots, knots as make_knots
from specbias.derive.matrix.options import ARITHMETIC, MAX_SPECTRUM_DPS, MAX_SPECTRUM_N
from specbias.support.params import check_count, check_dps, check_power
from specbias.errors import require
from specbias.records import Spectrum

GUARD = 12
#: Working digits of the compiled formats: double-double 31, quad-double 62.
MD_DIGITS = {limbs: int(bits * math.log10(2)) for limbs, bits in multidouble.BITS.items()}
#: Largest conditioning digits g for which double-double counts still give useful starts.
DD_START_MAX_G = 27
#: Below this many shifts a sweep runs in-process (a pool costs more than it saves).
PARALLEL_MIN = 256

_BANDS: dict = {}


@dataclass(frozen=True)
class MatrixCertificate:
    """What certifies a Gram matrix spectrum (step 5 of the module docstring), and how it was
    computed. Stays an object until :meth:`to_json`; :meth:`from_json` reads the cache back.

    ``indexed[k]``: the inertia counts at lambda_k (1 -+ 10^-bracket_digits) prove that exactly
    one eigenvalue, the (k+1)-th largest, lies in that bracket (zero units: exactly 0).
    ``working_digits``/``guard_digits``: the most digits any eigenvalue was computed with and
    the guard beyond dps + 2; ``pivot_growth_max``/``growth_digits``: the measured LDL^T pivot
    growth of the compiled sweeps and the digits it can cost (compiled path only);
    ``start_error_max``: the largest estimated relative error of the float64 starts (gmpy2
    path only).
    """

    indexed: tuple = ()
    zero_units: int = 0
    bracket_digits: int | None = None
    working_digits: int | None = None
    guard_digits: int | None = None
    sweeps: int = 0
    secant_iterations: int = 0
    arithmetic: str = "exact"
    pivot_growth_max: float | None = None
    growth_digits: float | None = None
    start_error_max: float | None = None

    @property
    def certified(self) -> bool:
        """Every eigenvalue is indexed and certified to the requested digits."""
        return all(self.indexed)

    @property
    def count(self) -> int:
        """How many eigenvalues the certificate proves."""
        return sum(bool(v) for v in self.indexed)

    #: JSON names of the optional fields (the format written since the first release).
    _JSON = (("working_digits", "working_digits"), ("guard_digits", "guard_digits"),
             ("pivot_growth_max", "pivot_growth_max"), ("growth_digits", "growth_digits"),
             ("start_error_max", "float64_start_rel_err_estimate_max"))

    def to_json(self) -> dict:
        out: dict = {"indexed": [bool(v) for v in self.indexed], "zero_units": self.zero_units}
        if self.bracket_digits is not None:
            out.update(bracket_rel_halfwidth=f"1e-{self.bracket_digits}", sweeps=self.sweeps,
                       secant_iterations=self.secant_iterations, arithmetic=self.arithmetic)
        for attr, key in self._JSON:
            if getattr(self, attr) is not None:
                out[key] = getattr(self, attr)
        return out

    @classmethod
    def from_json(cls, data: dict) -> "MatrixCertificate":
        """Read back :meth:`to_json` (the cache's own files)."""
        half = data.get("bracket_rel_halfwidth")
        return cls(tuple(bool(v) for v in data.get("indexed", [])), int(data.get("zero_units", 0)),
                   int(half.partition("e-")[2]) if half else None,
                   sweeps=int(data.get("sweeps", 0)),
                   secant_iterations=int(data.get("secant_iterations", 0)),
                   arithmetic=str(data.get("arithmetic", "exact")),
                   **{attr: data[key] for attr, key in cls._JSON if data.get(key) is not None})


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


def _band_floats(band) -> np.ndarray:
    return np.array([[float(v) for v in row] for row in band])


def conditioning(m_q, b_q):
    """c(lambda) = log10((||M|| + lambda ||B||) / lambda_min(M)) (infinity norms of |M|, |B|):
    the first-order relative sensitivity of an eigenvalue lambda of M y = lambda B y to
    entrywise relative perturbations of M and B, |y|^T|M||y| / y^T M y + |y|^T|B||y| / y^T B y,
    is at most 10^c(lambda), because y^T B y = y^T M y / lambda >= lambda_min(M) |y|^2 / lambda.
    Small for the small eigenvalues, (2P+2) log10(N)-ish for the largest (lambda_min(M) by
    LAPACK's banded eigensolver in float64; M is a well-conditioned B-spline mass matrix)."""
    mf, bf = _band_floats(m_q), _band_floats(b_q)
    n = mf.shape[1]
    mf, bf = mf[:n], bf[:n]  # a band wider than the matrix (N <= P) has empty rows beyond N
    low = np.zeros_like(mf)
    for d in range(len(mf)):
        low[d, :n - d] = mf[d, d:]
    lmin = scipy.linalg.eig_banded(low, lower=True, eigvals_only=True, select="i",
                                   select_range=(0, 0))[0] * (1 - 1e-8)

    def norm(f):
        s = np.abs(f[0]).copy()
        for d in range(1, len(f)):
            s[d:] += np.abs(f[d][d:])
            s[:n - d] += np.abs(f[d][d:])
        return float(s.max())
    nm, nb = norm(mf), norm(bf)
    return lambda lam: np.log10((nm + np.asarray(lam, dtype=float) * nb) / lmin)


def _solve_md(m_q, b_q, kn, power, dps, cond, lam_hi, limbs, progress, workers):
    """The compiled path. Starts from inertia counts (:func:`count_starts`); if the working
    format is quad-double, a double-double secant phase first, each eigenvalue to the digits
    double-double holds for it (31 - 2 - c(lambda)); then secant and certificate in the working
    format (``limbs`` 2 or 4) for every eigenvalue whose D + 2 + GUARD + c(lambda) digits fit
    it, and in gmpy2 at the digits they need for the few largest that do not. Returns values,
    iterations, flags, sweeps, the arithmetic used, the largest pivot growth of the compiled
    working sweeps and the largest number of digits used."""
    n = len(kn)
    bits = math.ceil(MD_DIGITS[limbs] * math.log2(10)) + 16
    work = band_ldl_md.Sweeper(m_q, b_q, limbs, bits)
    dd_first = limbs == 4 and cond(lam_hi) <= DD_START_MAX_G
    coarse = band_ldl_md.Sweeper(m_q, b_q, 2, bits) if dd_first else work
    start, lo, hi = count_starts(coarse, n, lam_hi, lam_hi * 10.0 ** -(cond(lam_hi) + 8))
    half = (lambda c: progress(c / 2)) if progress is not None and dd_first else progress
    first_step = np.full(n, 1e-6)       # about the error of starts from counts
    if dd_first:                        # each phase fills half of the progress bar
        dd_digits = MD_DIGITS[2] - 2 - np.ceil(cond(start))
        start, _, _ = refine(coarse, start, n, dd_digits - 4, bits, half, (lo, hi),
                             first_step=first_step, certify=False)
        first_step = 10.0 ** -np.maximum(dd_digits, 1)
        with gmpy2.context(gmpy2.get_context(), precision=bits):   # dd counts may err by that
            lo = [v * (1 - 10 * e) for v, e in zip(lo, first_step)]
            hi = [v * (1 + 10 * e) for v, e in zip(hi, first_step)]
    lam = np.array([float(v) for v in start])
    need = dps + 2 + GUARD + np.ceil(cond(lam)).astype(int)
    top = int(np.sum(need > MD_DIGITS[limbs]))     # the largest eigenvalues come first
    # the working format must not move a top eigenvalue past the bulk's certificate shifts
    while 0 < top < n and lam[top - 1] * (1 - 10.0 ** (cond(lam[top - 1]) + GUARD
                                                      - MD_DIGITS[limbs])) <= lam[top] * 1.001:
        top += 1
    vals, iterations, ok = (start, 0, np.zeros(n, dtype=bool)) if top == n else refine(
        work, start, n, dps, bits, half, (lo, hi), first_step, indices=range(top, n))
    sweeps = work.sweeps + (coarse.sweeps if dd_first else 0)
    names = {2: "double-double", 4: "quad-double"}
    arith = names[limbs] + (" (starts and first digits in double-double)" if dd_first else "")
    digits = MD_DIGITS[limbs] if top < n else 0
    if top:
        digits_top = int(need[:top].max())
        bits_top = math.ceil(digits_top * math.log2(10)) + 16
        mpfr = _Sweeper(band_ldl.to_mpfr_band(m_q, bits_top), band_ldl.to_mpfr_band(b_q, bits_top),
                        bits_top, workers if workers is not None else min(2, os.cpu_count() or 1))
        try:
            vals, it_top, ok_top = refine(mpfr, vals, n, dps, bits_top, None, (lo, hi),
                                          first_step, indices=range(top))
        finally:
            mpfr.close()
        ok, iterations, sweeps = ok | ok_top, max(iterations, it_top), sweeps + mpfr.sweeps
        arith += f"; the {top} largest in gmpy2 mpfr at {digits_top} digits"
        digits = max(digits, digits_top)
    return vals, iterations, ok, sweeps, arith, work.growth, digits


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


def gram_matrix_spectrum(power: int, knots: Knots | str = "uniform", n: int | None = None,
                         dps: int = 30, vectors: int = 0, progress=None,
                         use_cache: bool = True, workers: int | None = None,
                         arithmetic: str = "auto") -> Spectrum:
    """All eigenvalues of G_ij = G_P(b_i, b_j) on (-1, 1), descending, to ``dps`` digits.

    ``knots`` is a :class:`Knots` or a rule (then ``n`` is required). Knots equal to 1 give
    identically zero units: their eigenvalues are exactly 0 and are listed last.
    ``arithmetic``: "auto" (compiled double-double / quad-double sweeps when the working
    precision fits in 62 digits, else gmpy2), or "mpfr" to force gmpy2 with float64 starts.

    >>> s = gram_matrix_spectrum(1, "uniform", 6, dps=20, use_cache=False)
    >>> len(s.values), s.extras["certificate"].certified
    (6, True)
    """
    power, dps = check_power(power), check_dps(dps, MAX_SPECTRUM_DPS)
    require(arithmetic in ARITHMETIC,
            f"arithmetic {arithmetic!r} is not known: use one of {', '.join(ARITHMETIC)}")
    kn = knots if isinstance(knots, Knots) else make_knots(
        knots, check_count(n or 0, MAX_SPECTRUM_N, "number of knots N"), dps)
    require(len(kn) <= MAX_SPECTRUM_N, f"{len(kn)} knots are too many for a certified spectrum: "
                                       f"use at most {MAX_SPECTRUM_N}")
    vectors = check_count(vectors + 1, len(kn) + 1, "vectors + 1") - 1 if isinstance(vectors, int) \
        else check_count(vectors, 0, "vectors")
    key = {"power": power, "knots": kn.rule, "n": len(kn), "dps": dps, "vectors": vectors,
           "knots_sha": cache_mod.fingerprint([str(v) for v in kn.values])}
    if use_cache:
        hit = cache_mod.load("gram-matrix-spectrum", key)
        if hit is not None:
            extras = dict(hit.get("extras", {}))
            extras["certificate"] = MatrixCertificate.from_json(extras.get("certificate", {}))
            return Spectrum(**dict(hit, extras=extras))
    active = [v for v in kn.values if v < 1]
    zeros = len(kn) - len(active)
    values, cert = [], {}
    if active:
        guard = _guard_digits(active, power)
        bits = math.ceil((dps + 2 + guard) * math.log2(10)) + 16
        m_q, b_q, scale = banded_pencil(active, power)
        m_f, b_f = band_ldl.to_mpfr_band(m_q, bits), band_ldl.to_mpfr_band(b_q, bits)
        limbs, est_err, growth = None, None, {}
        if arithmetic == "auto":
            cond = conditioning(m_q, b_q)
            b = np.array([float(v) for v in active])
            lam_hi = 1.01 * float(np.sum(gram_kernel(power).numeric("numpy")(b, b)))  # trace
            if dps + 2 + GUARD + cond(lam_hi) <= MD_DIGITS[2]:
                limbs = 2
            elif dps + 2 + GUARD + cond(0.0) <= MD_DIGITS[4]:
                limbs = 4
        if limbs is not None:
            vals, iterations, ok, sweeps, arith, rho, digits = _solve_md(
                m_q, b_q, active, power, dps, cond, lam_hi, limbs, progress, workers)
            # the error model assumed pivot growth below 10^GUARD: check the measured one
            w = len(b_q) - 1
            growth = {"pivot_growth_max": float(rho),
                      "growth_digits": math.log10((2 * w + 1) * (w + 1) * max(rho, 1.0))}
            if growth["growth_digits"] > GUARD:
                limbs = None                 # not covered: redo in gmpy2 (growth not measured)
            else:
                guard = digits - dps - 2     # the most digits any eigenvalue needed
        if limbs is None:  # beyond quad-double: float64 starts (dense, O(N^3)) and gmpy2 sweeps
            start, est_err = float_starts(active, power, m_q, scale)
            start = np.maximum(start, np.finfo(float).tiny)
            sweeper = _Sweeper(m_f, b_f, bits, workers if workers is not None
                               else min(2, os.cpu_count() or 1))
            try:
                vals, iterations, ok = refine(sweeper, start, len(active), dps, bits, progress)
            finally:
                sweeper.close()
            sweeps, arith = sweeper.sweeps, "gmpy2 mpfr"
        with mpmath.workdps(dps + 5):
            values = [mpmath.nstr(mpmath.mpf(str(v)), dps, strip_zeros=False) for v in vals]
            vecs = eigenvectors(m_f, b_f, vals, min(vectors, len(active)), active, power,
                                scale, bits) if vectors else []
            vec_strings = [[mpmath.nstr(mpmath.mpf(str(c)), dps) for c in v] + ["0"] * zeros
                           for v in vecs]
        cert = dict(indexed=[bool(v) for v in ok], working_digits=dps + 2 + guard,
                    guard_digits=guard, bracket_digits=dps + 2, sweeps=int(sweeps),
                    secant_iterations=int(iterations), arithmetic=arith, **growth,
                    start_error_max=None if est_err is None else float(np.max(est_err)))
    else:
        vec_strings = []
    values += ["0"] * zeros
    certificate = MatrixCertificate(**dict(cert, indexed=tuple(cert.get("indexed", [])) +
                                           (True,) * zeros, zero_units=zeros))
    spec = Spectrum(values=values, digits=dps,
                    method="banded B-spline pencil M y = lambda S^T S y: secant on det, "
                           f"certified by LDL^T inertia counts ({certificate.arithmetic})",
                    description=f"eigenvalues of the {len(kn)}x{len(kn)} Gram matrix of "
                                f"ReLU^{power} units on (-1, 1), knots {kn.rule}",
                    params={"power": power, "knots": kn.rule, "n": len(kn)},
                    extras={"certificate": certificate,
                            **({"vectors": vec_strings} if vectors else {})})
    if use_cache:
        cache_mod.store("gram-matrix-spectrum", key, {
            "values": spec.values, "digits": spec.digits, "method": spec.method,
            "description": spec.description, "params": spec.params,
            "extras": dict(spec.extras, certificate=certificate.to_json())})
    return spec


__all__ = ["MatrixCertificate", "float_starts", "gram_matrix_spectrum"]
