"""Local frequencies of eigenfunctions on the pieces of a density (claim B5), measured.

On an arc where p = p_j, an eigenfunction is measured by a least-squares fit of
A cos ωx + B sin ωx + C over a fine grid inside the arc (2% margins), with ω found by a bounded
scalar minimization of the residual (the linear part solved exactly for each ω). Basri et al.
measured it with an FFT per region; the fit resolves ω far below the FFT's bin width 2π/ℓ_j.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from specbias.derive.sphere.galerkin import CircleSpectrum


@dataclass(frozen=True)
class LocalFit:
    index: int          # eigenfunction index (0-based, descending eigenvalues)
    piece: int
    omega: float
    residual: float     # relative L2 residual of the fit on the arc


def _fit(x: np.ndarray, f: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    def resid(w):
        M = np.column_stack([np.cos(w * x), np.sin(w * x), np.ones_like(x)])
        c, *_ = np.linalg.lstsq(M, f, rcond=None)
        return float(np.linalg.norm(M @ c - f))
    grid = np.linspace(lo, hi, 60)
    vals = [resid(w) for w in grid]
    k = int(np.argmin(vals))
    a, b = grid[max(0, k - 1)], grid[min(len(grid) - 1, k + 1)]
    best = minimize_scalar(resid, bounds=(a, b), method="bounded", options={"xatol": 1e-12})
    return float(best.x), float(best.fun / max(np.linalg.norm(f), 1e-300))


def local_frequencies(spec: CircleSpectrum, indices, points: int = 801) -> list[LocalFit]:
    """Fit ω on every density piece for the eigenfunctions ``indices``."""
    pieces = spec.density.pieces()
    out = []
    for i in indices:
        lam = float(spec.mp_values[i])
        for j, (a, b, p) in enumerate(pieces):
            a, b, p = float(a), float(b), float(p)
            margin = 0.02 * (b - a)
            x = np.linspace(a + margin, b - margin, points)
            f = spec.eigenfunction(i, x)
            guess = math.sqrt(p / (math.pi * lam))
            lo, hi = max(1e-3, 0.4 * guess), 1.6 * guess + 0.5
            w, r = _fit(x, f, lo, hi)
            out.append(LocalFit(i, j, w, r))
    return out


__all__ = ["LocalFit", "local_frequencies"]
