"""Eigenvalues and eigenfunctions of T f(x) = ∫ k(x − z) p(z) f(z) dz on S¹ for a
piecewise-constant density p, by Rayleigh–Ritz in piecewise Legendre polynomials.

Method (independent of Basri et al.'s formulas). T is self-adjoint and positive on L²(p)
(every Fourier coefficient of k is positive). On panels that split the circle at the
breakpoints of p *and at their antipodes* (the kernel (1 + cos δ)(π − |δ|) is smooth except at
δ = 0 and δ = ±π, so with that split every block of the Galerkin matrix has its only kink on its
diagonal, or none), the basis φ_i = P_i(t)·sqrt((2i+1)/(h p_j)) (Legendre in the panel's local
variable, orthonormal in L²(p)) gives the symmetric matrix

    A_(I i, J j) = ∫∫ φ_i(x) p(x) k(x − z) p(z) φ_j(z) dx dz.

Its eigenvalues θ_1 ≥ θ_2 ≥ ... are Ritz values: by the min–max principle θ_i ≤ λ_i for
every i, they increase with the degree (nested spaces), and since Σ λ_i = tr T = k(0)
(Mercer), 0 ≤ λ_i − θ_i ≤ k(0) − tr A for every i (a rigorous bound on each error, and
proof that no eigenvalue is skipped: the i-th Ritz value is within it of the i-th eigenvalue).

Entries are exact up to rounding: on each region of δ = x − z the kernel is
scale·(1 + cos x cos z + sin x sin z)(c₀ + c₁x − c₁z), a sum of products u_s(x)v_s(z) with
u, v ∈ {1, x, cos x, x cos x, sin x, x sin x}; blocks without a kink are products of the
one-dimensional Gauss integrals ∫ φ_i u_s p dx, and a block with a kink on its diagonal uses the
antiderivatives ∫_a^x v_s φ_j p dz at the Gauss nodes (the spectral integration matrix of the
Gauss nodes), which are entire functions, so Gauss rules of n + dps + 12 nodes integrate them to
working precision. All arithmetic is in python-flint's arb at dps + 20 digits; the symmetric
eigenproblem is solved by :func:`specbias.derive.sphere.refine.refine_symmetric`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath
import numpy as np

from specbias.derive.sphere.assembly import MAX_PANEL, Panel, assemble, make_panels
from specbias.derive.sphere.circle import DEFAULT_CONVENTION, circle_kernel
from specbias.derive.sphere.density import PiecewiseDensity
from specbias.derive.sphere.refine import refine_top, to_numpy
from specbias.errors import InvalidArgument, require
from specbias.records import Spectrum, fingerprint
from specbias.support.params import check_count, check_dps

@dataclass
class CircleSpectrum:
    """Ritz values (the ``count`` largest, descending, as decimal strings to ``digits``) with
    the certificate and the Ritz vectors (per-panel Legendre coefficients, float64)."""

    density: PiecewiseDensity
    convention: tuple
    values: list
    digits: int
    degree: int
    panels: list
    certificate: dict
    coefficients: np.ndarray = field(repr=False, default=None)
    mp_values: list = field(repr=False, default_factory=list)

    def to_spectrum(self) -> Spectrum:
        ker = circle_kernel(*self.convention)
        return Spectrum(self.values, self.digits,
                        "Rayleigh–Ritz, piecewise Legendre (panels at breakpoints and antipodes), "
                        "arb arithmetic, Ogita–Aishima refinement",
                        f"eigenvalues of f ↦ ∫ k(x − z) p(z) f(z) dz on S¹, k = {ker.expr} "
                        f"({ker.label}); {self.density.describe()}",
                        params={"density": self.density.to_json(), "convention": list(self.convention),
                                "count": len(self.values)},
                        extras={"certificate": self.certificate})

    def eigenfunction(self, index: int, x: np.ndarray) -> np.ndarray:
        """The index-th eigenfunction (0-based, L²(p)-normalized) at angles x (float64)."""
        x = np.mod(np.asarray(x, dtype=float) - float(self.panels[0].a), 2 * np.pi) \
            + float(self.panels[0].a)
        out = np.zeros_like(x)
        n = self.degree
        for k, P in enumerate(self.panels):
            a, b, p = float(P.a), float(P.b), float(P.p)
            sel = (x >= a) & (x < b) if k < len(self.panels) - 1 else (x >= a)
            t = (2 * x[sel] - a - b) / (b - a)
            c = self.coefficients[k * n:(k + 1) * n, index]
            norm = np.sqrt((2 * np.arange(n) + 1) / ((b - a) * p))
            out[sel] = np.polynomial.legendre.legval(t, c * norm)
        return out


    def panel_derivative(self, index: int, panel: int, order: int, t: float) -> float:
        """d^order f/dx^order of the index-th eigenfunction on ``panel`` at local t ∈ [−1, 1]
        (t = ±1: the one-sided value at the panel's ends); ``panel`` is taken mod the count."""
        panel %= len(self.panels)
        P = self.panels[panel]
        a, b, p = float(P.a), float(P.b), float(P.p)
        n = self.degree
        c = self.coefficients[panel * n:(panel + 1) * n, index] \
            * np.sqrt((2 * np.arange(n) + 1) / ((b - a) * p))
        d = np.polynomial.legendre.legder(c, order) * (2 / (b - a)) ** order if order else c
        return float(np.polynomial.legendre.legval(t, d))


def _default_degree(density: PiecewiseDensity, count: int, dps: int, max_length: float) -> int:
    """A starting degree from the Weyl estimate of the highest local frequency needed."""
    with mpmath.workdps(20):
        z = float(density.psi_total()) / (2 * math.pi)
        pmax = float(density.max_density())
    omega = (count // 2 + 1) * math.sqrt(pmax) / z
    return int(math.ceil(omega * max_length / 2 * 1.4 + 0.6 * dps + 4))


def circle_spectrum(density: PiecewiseDensity, count: int = 20, dps: int = 20,
                    convention=DEFAULT_CONVENTION, degree: int | None = None,
                    step: int = 6, max_length: float = MAX_PANEL, progress=None) -> CircleSpectrum:
    """The ``count`` largest eigenvalues to ``dps`` digits, certified.

    Runs Rayleigh–Ritz at degree n and n + ``step`` per panel (raising n until the two agree to
    dps + 2 digits on every requested eigenvalue); reports the second. The certificate holds
    the agreement, the monotonicity θ_i(n) ≤ θ_i(n + step) that the min–max principle demands,
    and the trace bound 0 ≤ λ_i − θ_i ≤ k(0) − tr A.
    """
    require(isinstance(density, PiecewiseDensity), f"density {density!r} must be a "
                                                   "PiecewiseDensity (see PiecewiseDensity.parse)")
    count = check_count(count, 2000, "count")
    dps = check_dps(dps)
    n = degree or _default_degree(density, count, dps, max_length)
    ker = circle_kernel(*convention)
    with mpmath.workdps(dps + 20):
        k0 = mpmath.mpf(str(ker.at_zero().evalf(dps + 20)))
    prev = None
    for attempt in range(8):
        res = _solve(density, n, dps, convention, max_length, count)
        if progress is not None:
            progress()
        if prev is not None and len(res[0]) >= count and len(prev[0]) >= count:
            with mpmath.workdps(dps + 20):
                rel = [abs(a - b) / abs(a) for a, b in zip(res[0][:count], prev[0][:count])]
                worst = max(rel)
                mono = all(a >= b * (1 - mpmath.mpf(10) ** (-(dps + 3)))
                           for a, b in zip(res[0][:count], prev[0][:count]))
            if worst < mpmath.mpf(10) ** (-(dps + 2)):
                return _package(density, convention, count, dps, n, res, worst, mono, k0, step)
        prev = res
        n += step
    raise InvalidArgument(f"Rayleigh–Ritz did not converge to {dps} digits by degree {n}: "
                          "ask for fewer eigenvalues or digits")


def _solve(density, n, dps, convention, max_length, count):
    nq = n + dps + 12
    A, panels = assemble(density, n, nq, dps, convention, max_length)
    from flint import ctx
    old = ctx.prec
    ctx.prec = int(dps * 3.33) + 64
    try:
        vals, X, info = refine_top(A, count, dps + 10)
        with mpmath.workdps(dps + 20):
            mp_vals = [mpmath.mpf(v.mid().str(dps + 15, radius=False)) for v in vals]
            trace = mpmath.mpf(A.trace().mid().str(dps + 15, radius=False))
        Xf = to_numpy(X)
    finally:
        ctx.prec = old
    return mp_vals, Xf, panels, trace, info, n


def _package(density, convention, count, dps, n1, res, worst, mono, k0, step):
    mp_vals, Xf, panels, trace, info, n = res
    with mpmath.workdps(dps + 20):
        defect = k0 - trace
        digits_agree = int(math.floor(-float(mpmath.log10(worst)))) if worst > 0 else dps + 20
    cert = {"degree": n, "previous_degree": n - step, "panels": len(panels),
            "matrix_size": len(panels) * n,
            "agreement_rel": mpmath.nstr(worst, 3) if worst > 0 else "0",
            "agreement_digits": digits_agree,
            "ritz_monotone": bool(mono),
            "trace_closed_form": mpmath.nstr(k0, dps),
            "trace_defect": mpmath.nstr(defect, 5),
            "trace_bound_note": "0 <= lambda_i - theta_i <= trace defect for every i (min-max "
                                "and Mercer): the index of every value is certain",
            "refinement_iterations": info["iterations"]}
    values = [mpmath.nstr(v, dps, min_fixed=-1, max_fixed=-1) for v in mp_vals[:count]]
    return CircleSpectrum(density, tuple(convention), values, dps, n, panels, cert, Xf,
                          mp_vals[:count])


def spectrum_fingerprint(density: PiecewiseDensity, count: int, dps: int, convention) -> str:
    return fingerprint({"density": density.to_json(), "count": count, "dps": dps,
                        "convention": list(convention)})


__all__ = ["CircleSpectrum", "MAX_PANEL", "Panel", "assemble", "circle_spectrum", "make_panels"]
