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
from functools import lru_cache

import mpmath
import numpy as np

from specbias.derive.sphere.circle import DEFAULT_CONVENTION, circle_kernel
from specbias.derive.sphere.density import PiecewiseDensity
from specbias.derive.sphere.refine import refine_top, to_numpy
from specbias.errors import InvalidArgument, require
from specbias.records import Spectrum, fingerprint
from specbias.support.params import check_count, check_dps

#: Longest panel (radians): long arcs are cut so that a fixed degree resolves them.
MAX_PANEL = math.pi / 3
#: (c₀, c₁) of the factor c₀ + c₁δ on the four regions of δ = x − z ∈ (−2π, 2π):
#: π − |δ| on [−π, π] and |δ| − π beyond (the periodic continuation of π − |δ|).
REGIONS = {(0, 1): (1, -1), (-1, 0): (1, 1), (1, 2): (-1, 1), (-2, -1): (-1, -1)}


def _arb(x):
    from flint import arb
    return arb(x) if not isinstance(x, mpmath.mpf) else arb(mpmath.nstr(x, mpmath.mp.dps + 5))


@dataclass(frozen=True)
class Panel:
    """A panel [a, b] of the circle on which p = ``p`` (radians, mpf), from density piece
    ``piece``."""

    a: object
    b: object
    p: object
    piece: int


def make_panels(density: PiecewiseDensity, max_length: float = MAX_PANEL) -> list[Panel]:
    """Panels covering [c, c + 2π), split at the breakpoints and their antipodes, each at most
    ``max_length`` long, and the set of cuts invariant under x ↦ x + π."""
    two_pi, pi = 2 * mpmath.pi, mpmath.pi
    bps = density.breakpoints_mp()
    cuts = sorted({float(mpmath.fmod(b, pi)) for b in bps})
    mp_cuts = []
    for c in cuts:  # exact mpf values of the cuts mod π
        mp_cuts.append(min((mpmath.fmod(b, pi) for b in bps),
                           key=lambda v: abs(float(v) - c)))
    start = mp_cuts[0]
    half = []
    ends = mp_cuts[1:] + [start + pi]
    for a, b in zip(mp_cuts, ends):
        m = max(1, math.ceil(float(b - a) / max_length - 1e-12))
        half += [(a + (b - a) * j / m, a + (b - a) * (j + 1) / m) for j in range(m)]
    spans = half + [(a + pi, b + pi) for a, b in half]
    pieces = density.pieces()
    out = []
    for a, b in spans:
        mid = (a + b) / 2
        j = _piece_index(pieces, mid, two_pi)
        out.append(Panel(a, b, pieces[j][2], j))
    return out


def _piece_index(pieces, x, two_pi) -> int:
    for j, (s, e, _) in enumerate(pieces):
        y = s + mpmath.fmod(x - s, two_pi) if x >= s else s + mpmath.fmod(x - s + 4 * two_pi, two_pi)
        if s <= y < e:
            return j
    raise ArithmeticError(f"no density piece contains {x}")


@lru_cache(maxsize=None)
def _gauss(nq: int, prec: int):
    """Gauss–Legendre nodes and weights on [−1, 1] (arb, FLINT's certified roots)."""
    from flint import arb
    pts = [arb.legendre_p_root(nq, k, weight=True) for k in range(nq)]
    return [p[0] for p in pts], [p[1] for p in pts]


def _legendre(t, n: int) -> list:
    """[P_0(t), ..., P_(n−1)(t)] by Bonnet's recurrence."""
    out = [t * 0 + 1, t]
    for m in range(1, n - 1):
        out.append(((2 * m + 1) * t * out[m] - m * out[m - 1]) / (m + 1))
    return out[:n]


@lru_cache(maxsize=None)
def _integration_matrix(nq: int, prec: int):
    """Q with (Q g)_q = ∫_{−1}^{t_q} (interpolant of g at the Gauss nodes) dt (arb_mat)."""
    from flint import arb_mat
    t, w = _gauss(nq, prec)
    P = [_legendre(tq, nq + 1) for tq in t]  # P[q][m]
    # ∫_{−1}^{t} P_m = (P_{m+1}(t) − P_{m−1}(t))/(2m+1), m ≥ 1; = t + 1 for m = 0.
    intP = [[t[q] + 1] + [(P[q][m + 1] - P[q][m - 1]) / (2 * m + 1) for m in range(1, nq)]
            for q in range(nq)]
    left = arb_mat(intP)
    right = arb_mat([[P[q][m] * w[q] * (2 * m + 1) / 2 for q in range(nq)] for m in range(nq)])
    return left * right


def _region_matrix(c0, c1, scale):
    """C with k = U(x)ᵀ C V(z) on a region, U = V = (1, y, cos y, y cos y, sin y, y sin y)."""
    C = [[0] * 6 for _ in range(6)]
    for i, j in ((0, 0), (2, 2), (4, 4)):
        C[i][j] = c0
    for i, j in ((1, 0), (3, 2), (5, 4)):
        C[i][j] = c1
    for i, j in ((0, 1), (2, 3), (4, 5)):
        C[i][j] = -c1
    return [[scale * v for v in row] for row in C]


def _region(lo, hi) -> tuple[int, int]:
    """The region (in units of π) that contains the open interval (lo, hi) of δ/π."""
    for key in REGIONS:
        if key[0] - 1e-9 <= lo and hi <= key[1] + 1e-9:
            return key
    raise ArithmeticError(f"δ range ({lo}, {hi})·π crosses a kink")


class _PanelData:
    """Per-panel quantities at the Gauss nodes (arb)."""

    def __init__(self, panel: Panel, n: int, nq: int, prec: int):
        from flint import arb, arb_mat
        t, w = _gauss(nq, prec)
        a, b, p = _arb(panel.a), _arb(panel.b), _arb(panel.p)
        half, mid = (b - a) / 2, (a + b) / 2
        self.half, self.mid, self.p = half, mid, p
        self.x = [mid + half * tq for tq in t]
        self.wp = [half * wq * p for wq in w]                     # weights of ∫ · p dx
        norm = [((2 * i + 1) / (2 * half * p)).sqrt() for i in range(n)]
        self.phi = [[P * norm[i] for i, P in enumerate(_legendre(tq, n))] for tq in t]
        self.phi_mat = arb_mat(self.phi)
        self.U = [[arb(1), x, x.cos(), x * x.cos(), x.sin(), x * x.sin()] for x in self.x]
        # Pr[s] = ∫ φ_i u_s p dx  (n,) for each s: the separable integrals.
        self.proj = arb_mat([[sum((self.wp[q] * self.phi[q][i] * self.U[q][s]
                                   for q in range(nq)), arb(0)) for s in range(6)]
                             for i in range(n)])
        self.n, self.nq = n, nq


def _shifted_functions(data: _PanelData, shift) -> list:
    """u_s at the nodes of a panel moved by −shift (the partner panel of a kinked block)."""
    from flint import arb
    out = []
    for x in data.x:
        y = x - shift
        out.append([arb(1), y, y.cos(), y * y.cos(), y.sin(), y * y.sin()])
    return out


def _diag_mat(values):
    from flint import arb_mat
    D = arb_mat(len(values), len(values))
    for i, v in enumerate(values):
        D[i, i] = v
    return D


def _kinked_block(I: _PanelData, J: _PanelData, shift, Cp, Cm, prec):
    """A_IJ when x − z = shift on the diagonal (J = I − shift); C⁺ above (x − z > shift)."""
    from flint import arb_mat
    nq, n = I.nq, I.n
    Q = _integration_matrix(nq, prec) * J.half          # ∫_{a_J}^{z_q} on J (z_q = x_q − shift)
    W = arb_mat([[J.wp[qq] / J.p for qq in range(nq)] for _ in range(nq)])  # full-panel rule
    F = [_diag_mat([J.U[q][s] * J.p for q in range(nq)]) * J.phi_mat for s in range(6)]
    lower = [Q * F[s] for s in range(6)]                  # ∫_{a_J}^{x−shift} (z < x − shift)
    upper = [W * F[s] - lower[s] for s in range(6)]       # ∫_{x−shift}^{b_J}
    out = arb_mat(n, n)
    for s in range(6):
        M = arb_mat(nq, n)
        for s2 in range(6):
            if Cp[s][s2] != 0:
                M = M + lower[s2] * Cp[s][s2]
            if Cm[s][s2] != 0:
                M = M + upper[s2] * Cm[s][s2]
        Y = I.phi_mat.transpose() * _diag_mat([I.wp[q] * I.U[q][s] for q in range(nq)])
        out = out + Y * M
    return out


def assemble(density: PiecewiseDensity, n: int, nq: int, dps: int,
             convention=DEFAULT_CONVENTION, max_length: float = MAX_PANEL):
    """The Galerkin matrix A (arb_mat, N = panels × n) and the panels."""
    from flint import arb, arb_mat, ctx
    ker = circle_kernel(*convention)
    require(ker.family, f"the {ker.label} kernel is not of the form c·(1 + cos δ)(π − |δ|): "
                        "non-uniform spectra need the bias-at-zero conventions")
    prec = int(dps * 3.33) + 64
    old = ctx.prec
    ctx.prec = prec
    try:
        with mpmath.workdps(dps + 20):
            panels = make_panels(density, max_length)
            pi = arb.pi()
            scale = arb(mpmath.nstr(mpmath.mpf(str(ker.scale.evalf(dps + 20))), dps + 20))
            Cs = {key: _region_matrix(c0 * pi, arb(c1), scale) for key, (c0, c1) in REGIONS.items()}
            data = [_PanelData(P, n, nq, prec) for P in panels]
            m = len(panels)
            blocks = {}
            for i in range(m):
                for j in range(i, m):
                    blocks[i, j] = _block(panels, data, i, j, Cs, prec)
            A = arb_mat(m * n, m * n)
            for (i, j), B in blocks.items():
                for r in range(n):
                    for c in range(n):
                        A[i * n + r, j * n + c] = B[r, c]
                        A[j * n + c, i * n + r] = B[r, c]
    finally:
        ctx.prec = old
    # Ball radii overestimate the rounding of the assembly (products of Legendre recurrences);
    # FLINT would round products to them. Keep the midpoints: accuracy is checked by convergence.
    return A.mid(), panels


def _block(panels, data, i, j, Cs, prec):
    I, J = panels[i], panels[j]
    lo = float((I.a - J.b) / mpmath.pi)
    hi = float((I.b - J.a) / mpmath.pi)
    for kink in (0, 1, -1):
        shift = kink * mpmath.pi
        if abs(float(I.a - J.a - shift)) < 1e-9 and lo < kink < hi:
            above = _region(kink, hi) if kink != 1 else (1, 2)
            below = _region(lo, kink) if kink != -1 else (-2, -1)
            from flint import arb
            sh = arb.pi() * kink
            return _kinked_block(data[i], data[j], sh, Cs[above], Cs[below], prec)
    C = Cs[_region(lo, hi)]
    from flint import arb_mat
    return data[i].proj * arb_mat(C) * data[j].proj.transpose()


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
        (t = ±1: the one-sided value at the panel's ends)."""
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
    return int(math.ceil(omega * max_length / 2 * 1.35 + 0.6 * dps + 4))


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
