"""Eigenvalues of the integral operator of :func:`specbias.derive.ball.kernel.kernel` on
L^2(B^d), by Nystrom's method, and decay-exponent fits that respect multiplicities.

The kernel is rotation invariant (w is uniform on the sphere), K(x, y) = k(|x|, |y|, x.y /
(|x| |y|)), so by the Funk-Hecke formula (C. Mueller, *Spherical Harmonics*, LNM 17, 1966,
Thm. 6) the operator maps f(r) Y_l to (T_l f)(r) Y_l with

    (T_l f)(r) = int_0^1 K_l(r, s) f(s) s^(d-1) ds,
    K_l(r, s) = int_{S^{d-1}} k(r, s, e.e') P_l(e.e') de',

P_l the Legendre (d = 3) or Chebyshev (d = 2: cos(l gamma)) polynomial with P_l(1) = 1; each
eigenvalue of T_l has multiplicity 2l+1 (d = 3), 2 (d = 2, l >= 1) or 1 (l = 0).

Nystrom (K. Atkinson, *The Numerical Solution of Integral Equations of the Second Kind*, 1997,
Ch. 3): Gauss-Legendre in r with weight r^(d-1) (n_r points), and an angular rule with m points
for K_l: d = 2 the m-point trapezoid in gamma, which makes this *exactly* the block
diagonalization of the dense product-rule (Gauss in r x trapezoid in angle) Nystrom matrix, whose
angular blocks are circulant; d = 3 Gauss-Legendre in gamma on [0, pi] with weight 2 pi sin(gamma)
(the integrand is smooth in gamma at gamma = 0, unlike in cos(gamma)). The symmetric matrices
sqrt(w_i) K_l(r_i, r_j) sqrt(w_j) are diagonalized in float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from specbias.derive.ball.kernel import check_activation, check_dimension, kernel
from specbias.support.params import check_count
from specbias.errors import require


#: Relative float64 floor: eigenvalues below FLOOR * lambda_1 are not trusted (eigvalsh's
#: absolute error is O(n eps ||A||), and the kernel values carry rounding O(eps |K|)).
FLOOR = 1e-13


def radial_rule(d: int, n_r: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes r in (0, 1) and weights of int_0^1 f(r) r^(d-1) dr."""
    x, g = np.polynomial.legendre.leggauss(n_r)
    r = (x + 1) / 2
    return r, g / 2 * r ** (d - 1)


def angular_rule(d: int, m: int, l_max: int) -> tuple[np.ndarray, np.ndarray]:
    """Angles gamma (m,) and the Funk-Hecke weights g_q P_l(cos gamma_q), shape (l_max+1, m)."""
    if d == 2:
        gam = 2 * np.pi * np.arange(m) / m
        return gam, np.cos(np.outer(np.arange(l_max + 1), gam)) * (2 * np.pi / m)
    x, g = np.polynomial.legendre.leggauss(m)
    gam = np.pi / 2 * (x + 1)
    t = np.cos(gam)
    p = np.empty((l_max + 1, m))
    p[0] = 1.0
    if l_max:
        p[1] = t
    for n in range(1, l_max):  # Bonnet's recurrence (stable for Legendre polynomials)
        p[n + 1] = ((2 * n + 1) * t * p[n] - n * p[n - 1]) / (n + 1)
    return gam, p * (np.pi / 2 * g * 2 * np.pi * np.sin(gam))


def multiplicity(d: int, l: np.ndarray) -> np.ndarray:
    """Dimension of the degree-l spherical harmonics on S^{d-1}."""
    l = np.asarray(l)
    return np.where(l == 0, 1, 2) if d == 2 else 2 * l + 1


@dataclass
class BallSpectrum:
    """Nystrom eigenvalues of the ball operator. ``values`` are the distinct (block)
    eigenvalues, largest first, with their ``degree`` l and ``multiplicity``; modes of degree
    > l_max are not computed, so only values above ``complete_above`` (the top of block l_max,
    which bounds the blocks beyond: their tops decrease in l, checked; and at least the float64
    floor FLOOR * lambda_1) form a complete list."""

    d: int
    activation: str
    power: int
    n_r: int
    m: int
    l_max: int
    values: np.ndarray
    degree: np.ndarray
    multiplicity: np.ndarray
    complete_above: float

    @property
    def description(self) -> str:
        act = f"ReLU^{self.power}" if self.activation == "relu" else self.activation
        return (f"{act} kernel on B^{self.d}, Nystrom n_r = {self.n_r}, m = {self.m}, "
                f"l <= {self.l_max} (N = {self.size} points of the product rule)")

    @property
    def size(self) -> int:
        return self.n_r * self.m

    def complete(self) -> tuple[np.ndarray, np.ndarray]:
        """(positions, values) of the complete part: each cluster of multiplicity mu that
        occupies indices k0+1..k0+mu sits at the centre k0 + mu/2 of its counting interval
        (for mu = 1 this is k - 1/2)."""
        keep = self.values > self.complete_above
        mult = self.multiplicity[keep]
        k0 = np.concatenate([[0], np.cumsum(mult)[:-1]])
        return k0 + mult / 2, self.values[keep]

    def expanded(self) -> np.ndarray:
        """lambda_1 >= lambda_2 >= ... with multiplicities (complete part only)."""
        keep = self.values > self.complete_above
        return np.repeat(self.values[keep], self.multiplicity[keep])


def ball_spectrum(d: int, activation: str = "relu", power: int = 1, n_r: int = 32,
                  m: int = 128, l_max: int | None = None) -> BallSpectrum:
    """Nystrom spectrum of K on L^2(B^d) (see the module docstring)."""
    d = check_dimension(d)
    activation, power = check_activation(activation, power)
    n_r, m = check_count(n_r, 2000, "n_r"), check_count(m, 8192, "m")
    l_max = check_count(m // 4 if l_max is None else l_max, m // 2, "l_max")
    r, wr = radial_rule(d, n_r)
    gam, fh = angular_rule(d, m, l_max)
    i, j = np.triu_indices(n_r)
    ri, rj = np.repeat(r[i], m), np.repeat(r[j], m)
    g = np.tile(gam, i.size)
    x = np.zeros((ri.size, d))
    y = np.zeros((ri.size, d))
    x[:, 0] = ri
    y[:, 0], y[:, 1] = rj * np.cos(g), rj * np.sin(g)
    kv = np.empty((n_r, n_r, m))
    kv[i, j] = kernel(x, y, activation, power).reshape(i.size, m)
    kv[j, i] = kv[i, j]
    blocks = np.einsum("ijq,lq->lij", kv, fh) * np.sqrt(np.outer(wr, wr))
    eig = np.linalg.eigvalsh(blocks)[:, ::-1]  # (l_max + 1, n_r), descending
    tops = eig[:, 0]
    floor = FLOOR * tops.max()
    upper = tops[len(tops) // 2:]
    upper = upper[upper > floor]
    require(np.all(np.diff(upper) < 0),
            f"block tops do not decrease in l near l_max = {l_max}: raise m or l_max")
    deg = np.repeat(np.arange(l_max + 1), n_r)
    order = np.argsort(-eig.ravel(), kind="stable")
    return BallSpectrum(d, activation, power, n_r, m, l_max, eig.ravel()[order], deg[order],
                        multiplicity(d, deg[order]), float(max(tops[-1], floor)))


@dataclass(frozen=True)
class DecayFit:
    """lambda ~ C k^-exponent fitted by least squares of log lambda on log k over
    [k_lo, k_hi] (with ``correction`` c > 0 the model is log C - s log k + a k^-c, the two-term
    Weyl form whose boundary term is of relative order k^(-1/d)): ``stderr`` from the residuals
    (ordinary least squares), ``spread`` the largest change of the exponent when the window is cut
    at its geometric midpoint (either half alone). ``error`` = max(2 stderr, spread)."""

    exponent: float
    stderr: float
    spread: float
    k_lo: float
    k_hi: float
    points: int
    correction: float = 0.0

    @property
    def error(self) -> float:
        return max(2 * self.stderr, self.spread)


def _slope(logk: np.ndarray, logl: np.ndarray, correction: float) -> tuple[float, float]:
    cols = [logk, np.ones_like(logk)] + ([np.exp(-correction * logk)] if correction else [])
    a = np.vstack(cols).T
    coef = np.linalg.lstsq(a, logl, rcond=None)[0]
    resid = logl - a @ coef
    cov = resid @ resid / max(logk.size - a.shape[1], 1) * np.linalg.inv(a.T @ a)
    return float(coef[0]), float(np.sqrt(cov[0, 0]))


def fit_decay(positions: np.ndarray, values: np.ndarray, k_lo: float, k_hi: float,
              correction: float = 0.0) -> DecayFit:
    """Fit the decay exponent of ``values`` at ``positions`` (e.g. :meth:`BallSpectrum.complete`,
    or k - 1/2 for simple eigenvalues) over k_lo <= position <= k_hi."""
    positions, values = np.asarray(positions, float), np.asarray(values, float)
    sel = (positions >= k_lo) & (positions <= k_hi)
    require(np.sum(sel) >= 8, f"window [{k_lo}, {k_hi}] holds {np.sum(sel)} eigenvalues: widen "
            "it or compute more eigenvalues (at least 8 are needed)")
    require(np.all(values[sel] > 0), f"non-positive eigenvalues in [{k_lo}, {k_hi}]: lower k_hi")
    require(correction >= 0, f"correction {correction} must be >= 0 (e.g. 1/d, or 0 for none)")
    lk, ll = np.log(positions[sel]), np.log(values[sel])
    s, se = _slope(lk, ll, correction)
    mid = 0.5 * (lk.min() + lk.max())
    halves = [h for h in (lk <= mid, lk >= mid) if np.sum(h) >= 4]
    spread = max((abs(_slope(lk[h], ll[h], correction)[0] - s) for h in halves),
                 default=float("inf"))
    return DecayFit(-s, se, spread, float(k_lo), float(k_hi), int(np.sum(sel)), correction)


def local_exponents(positions: np.ndarray, values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Plain exponents fitted on consecutive windows [edges[i], edges[i+1]]: their trend shows
    whether the decay is a power law (constant), approaches one (monotone), or is faster than
    every power (increasing without bound)."""
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (positions >= lo) & (positions <= hi) & (values > 0)
        require(np.sum(sel) >= 3, f"window [{lo}, {hi}] holds {np.sum(sel)} eigenvalues: use "
                "wider windows (at least 3 eigenvalues each)")
        out.append(-_slope(np.log(positions[sel]), np.log(values[sel]), 0.0)[0])
    return np.array(out)
