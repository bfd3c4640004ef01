"""The Galerkin matrix of f ↦ ∫ k(x − z) p(z) f(z) dz on S¹ in piecewise Legendre
polynomials, with exact entries (see :mod:`specbias.derive.sphere.galerkin` for the method and
the solver that uses it).

Panels cut the circle at the breakpoints of p and at their antipodes, so the kernel
c(1 + cos δ)(π − |δ|) has its kinks (δ = 0, ±π) only on block diagonals. On each side of a
kink the kernel is U(x)ᵀ C V(z) with U = V = (1, y, cos y, y cos y, sin y, y sin y): blocks
without a kink are products of one-dimensional Gauss integrals; a kinked block integrates the
antiderivatives ∫_a^x v_s φ_j p dz at the Gauss nodes (spectral integration matrix). Everything
is in python-flint's arb; midpoints are kept after each step (ball radii would grow through the
Legendre recurrence and FLINT rounds products to them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import mpmath

from specbias.derive.sphere.circle import DEFAULT_CONVENTION, circle_kernel
from specbias.derive.sphere.density import PiecewiseDensity
from specbias.errors import require

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
    """[P_0(t), ..., P_(n−1)(t)] by Bonnet's recurrence, on midpoints: the recurrence is stable
    in floating point, but ball radii would double at every step (the wrapping effect) and
    FLINT rounds products to the radius, so each value is cut to its midpoint."""
    t = t.mid()
    out = [t * 0 + 1, t]
    for m in range(1, n - 1):
        out.append((((2 * m + 1) * t * out[m] - m * out[m - 1]) / (m + 1)).mid())
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
    left = arb_mat(intP).mid()
    right = arb_mat([[P[q][m] * w[q] * (2 * m + 1) / 2 for q in range(nq)]
                     for m in range(nq)]).mid()
    return (left * right).mid()


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
        self.phi_mat = arb_mat(self.phi).mid()
        self.U = [[arb(1), x, x.cos(), x * x.cos(), x.sin(), x * x.sin()] for x in self.x]
        # proj[i, s] = ∫ φ_i u_s p dx: the separable integrals (one product in FLINT)
        WU = arb_mat([[self.wp[q] * u for u in self.U[q]] for q in range(nq)])
        self.proj = (self.phi_mat.transpose() * WU.mid()).mid()
        # F_s[q, j] = v_s(x_q) φ_j(x_q) p and Y_s[i, q] = φ_i(x_q) w_q p u_s(x_q): the factors of
        # the kinked blocks (v = u on the panel's own nodes)
        self.F = [arb_mat([[self.U[q][s] * p * self.phi[q][j] for j in range(n)]
                           for q in range(nq)]).mid() for s in range(6)]
        self.Y = [arb_mat([[self.phi[q][i] * self.wp[q] * self.U[q][s] for q in range(nq)]
                           for i in range(n)]).mid() for s in range(6)]
        self.wrow = arb_mat([[w / p for w in self.wp]]).mid()   # the full-panel rule, 1 × nq
        self.n, self.nq = n, nq


def _kinked_block(I: _PanelData, J: _PanelData, shift, Cp, Cm, prec):
    """A_IJ when x − z = shift on the diagonal (J = I − shift); C⁺ above (x − z > shift).

    J's nodes are I's moved by −shift, and u_s(z) at J's nodes are J's own U (absolute z)."""
    from flint import arb_mat
    nq, n = I.nq, I.n
    Q = (_integration_matrix(nq, prec) * J.half).mid()  # ∫_{a_J}^{z_q} on J (z_q = x_q − shift)
    ones = arb_mat([[1] for _ in range(nq)])
    lower = [(Q * J.F[s]).mid() for s in range(6)]        # ∫_{a_J}^{x−shift} (z < x − shift)
    upper = [(ones * (J.wrow * J.F[s]) - lower[s]).mid() for s in range(6)]   # ∫_{x−shift}^{b_J}
    out = arb_mat(n, n)
    for s in range(6):
        M = arb_mat(nq, n)
        for s2 in range(6):
            if Cp[s][s2] != 0:
                M = M + lower[s2] * Cp[s][s2]
            if Cm[s][s2] != 0:
                M = M + upper[s2] * Cm[s][s2]
        out = out + I.Y[s] * M.mid()
    return out.mid()


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
    return (data[i].proj * arb_mat(C) * data[j].proj.transpose()).mid()


__all__ = ["MAX_PANEL", "Panel", "assemble", "make_panels"]
