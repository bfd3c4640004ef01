"""Evidence for Z5 (H. Zhao, "Numerical Analysis 101 for Neural Networks"): how fast the eigenvalues
of the kernel of sigma(w.x - b) decay, in d = 1 (the Gram operator on (-1, 1), certified
characteristic roots) and d = 2, 3 (the ball kernel of :mod:`specbias.derive.ball`, Nystrom
spectra at two resolutions: the finer one is fitted, the coarser one shows that the fitted
eigenvalues have converged).

The claim has three parts: a two-sided bound k^-(d+3)/d for ReLU, an O-bound k^-(d+P+2)/d for
ReLU^P (the slide's sigma^k, its k in the exponent being P), and decay faster than every power
for tanh and sigmoid. Each is checked as a statement: the derivation (the b-integral is a
polynomial plus c_P |t1 - t2|^(2P+1), c_P != 0, so the kernel's Weyl rate is (d+2P+1)/d; an
analytic kernel has super-polynomial decay) proves the rate, and the fits over finite windows
must agree with it. The sharp rate of ReLU^P, (d+2P+1)/d, is a refinement: it satisfies the
O-bound and is faster for P >= 2. The operator is computed on the x side, on L^2(B^d) with b
uniform on [-1, 1]; its nonzero spectrum is that of the slide's parameter-side operator on
S^(d-1) x [-1, 1] (TT* and T*T); for b in R the Gram integral of ReLU diverges. The audit itself is
:func:`specbias.claims.zhao_matrix.audit_z5`; this module registers no audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np
import sympy

from specbias.claims import AuditContext, check
from specbias.claims.zhao_spectra import DPS
from specbias.derive.ball.kernel import b_integral
from specbias.derive.ball.spectrum import BallSpectrum, ball_spectrum, fit_decay, local_exponents
from specbias.derive.gram.spectrum import gram_eigenvalues
from specbias.notation import tex
from specbias.numbers import Approx, Measured, num
from specbias.records import Evidence, line_plot, table

#: Relative change of lambda_k between the two resolutions allowed inside the fitted window.
CONVERGED = 1e-3
#: Factor by which the guide lines of the ball figure sit above the eigenvalues.
GUIDE_SHIFT = 5.0
#: (fine, coarse) Nystrom sizes (n_r, m) per dimension; quick mode uses the smaller pair.
SIZES = {(2, False): ((96, 384), (64, 256)), (3, False): ((96, 256), (64, 192)),
         (2, True): ((32, 128), (24, 96)), (3, True): ((48, 96), (32, 64))}


@dataclass
class RateCase:
    d: int
    power: int
    fine: BallSpectrum
    k_hi: float
    plain: object
    corrected: object
    previous: object
    local: np.ndarray
    edges: np.ndarray
    ratio_span: float

    @property
    def exponent(self) -> float:
        return self.corrected.exponent

    @property
    def error(self) -> float:
        """Error bar of the corrected exponent: residual / half-window / window-shift spread."""
        return max(self.corrected.error, abs(self.corrected.exponent - self.previous.exponent))


def converged_range(fine: BallSpectrum, coarse: BallSpectrum) -> float:
    """Largest k with |lambda_k(fine) / lambda_k(coarse) - 1| <= CONVERGED for all k' <= k."""
    a, b = fine.expanded(), coarse.expanded()
    n = min(a.size, b.size)
    bad = np.nonzero(np.abs(a[:n] / b[:n] - 1) > CONVERGED)[0]
    return float(bad[0] if bad.size else n)


@lru_cache(maxsize=16)
def rate_case(d: int, power: int, quick: bool) -> RateCase:
    """Spectra at two resolutions, the converged range, and fits on its last decade."""
    (nf, mf), (nc, mc) = SIZES[(d, quick)]
    fine = ball_spectrum(d, "relu", power, nf, mf)
    coarse = ball_spectrum(d, "relu", power, nc, mc)
    k_hi = converged_range(fine, coarse)
    pos, val = fine.complete()
    k_hi = min(k_hi, float(pos.max()))
    plain = fit_decay(pos, val, k_hi / 10, k_hi)
    corrected = fit_decay(pos, val, k_hi / 10, k_hi, correction=1 / d)
    previous = fit_decay(pos, val, k_hi / 20, k_hi / 2, correction=1 / d)
    edges = k_hi / 10 ** np.arange(2.0, -0.01, -0.5)
    edges = edges[edges >= 3]
    local = local_exponents(pos, val, edges)
    sel = (pos >= k_hi / 10) & (pos <= k_hi)
    scaled = val[sel] * pos[sel] ** ((d + 2 * power + 1) / d)
    return RateCase(d, power, fine, k_hi, plain, corrected, previous, local, edges,
                    float(scaled.max() / scaled.min()))


@lru_cache(maxsize=8)
def analytic_decay(activation: str, quick: bool) -> dict:
    """tanh / sigmoid in d = 2: local exponents over octaves until the float64 floor."""
    (nf, mf), (nc, mc) = ((12, 48), (8, 32)) if quick else ((16, 64), (12, 48))
    fine = ball_spectrum(2, activation, 1, nf, mf, l_max=mf // 3)
    coarse = ball_spectrum(2, activation, 1, nc, mc, l_max=mc // 3)
    k_hi = converged_range(fine, coarse)
    pos, val = fine.complete()
    edges = 2.0 ** np.arange(2, 12)
    edges = edges[edges <= min(k_hi, pos.max())]
    local = local_exponents(pos, val, edges)
    return {"activation": activation, "spectrum": fine, "edges": edges, "local": local,
            "k_hi": k_hi, "floor_ratio": float(val[-1] / val[0]),
            "increasing": bool(np.all(np.diff(local) > 0))}


@dataclass(frozen=True)
class RateFit:
    """A fitted decay exponent: lambda_k ~ k^-exponent over ``window`` for the kernel of
    ReLU^power in dimension d, with ``span`` = max/min of lambda_k k^((d+2P+1)/d) there."""

    setting: str
    d: int
    power: int
    exponent: Measured
    window: tuple
    span: float
    plain: Measured | None = None

    @property
    def claimed(self) -> float:
        """The slide's (d+P+2)/d (its sigma^k with k = P)."""
        return (self.d + self.power + 2) / self.d

    @property
    def sharp(self) -> float:
        """(d+2P+1)/d: the Weyl rate of a kernel singular like |x - x'|^(2P+1)."""
        return (self.d + 2 * self.power + 1) / self.d

    def agrees(self, rate: float) -> bool:
        """Within two error bars; 10^-6 more for the certified 1D fits, whose exponentially
        small corrections to the power law (e^-(k pi) at k >= 6) the error bar does not see."""
        return abs(self.exponent.value - rate) <= 2 * self.exponent.uncertainty + 1e-6


@lru_cache(maxsize=16)
def line_spectrum(power: int, count: int):
    """The certified eigenvalues of the Gram operator of ReLU^power on (-1, 1) (kept for the
    session: the spectra are the expensive part of the audit)."""
    return gram_eigenvalues(power, (-1, 1), count, DPS)


def line_fits(powers, count: int) -> tuple[list[RateFit], list[dict]]:
    """d = 1: certified eigenvalues of the Gram operator of ReLU^P on (-1, 1), fitted over
    k = 6..count against log(k - k0) with the derived offset k0 (mu_k ~ C (k - k0)^-(2P+2))."""
    fits, series = [], []
    for i, p in enumerate(powers):
        spec = line_spectrum(p, count)
        with mpmath.workdps(DPS):
            lam = np.array([float(mpmath.mpf(v)) for v in spec.values])
        asym = spec.extras["asymptotic"]
        k0 = float(asym.k0)
        pos = np.arange(1, count + 1) - k0
        fit = fit_decay(pos, lam, 6 - k0, count - k0)
        sel = pos >= 6 - k0
        scaled = lam[sel] * pos[sel] ** (2 * p + 2)
        fits.append(RateFit("operator on $(-1, 1)$", 1, p, Measured(fit.exponent, fit.error),
                            (6, count), float(scaled.max() / scaled.min())))
        series.append({"label": f"$P = {p}$", "x": list(range(1, count + 1)),
                       "y": list(lam / lam[0]), "style": "o", "group": i})
        form = asym.constant * (sympy.Symbol("k") - asym.k0) ** -asym.exponent
        series.append({"label": f"${tex(form)}$", "x": list(range(1, count + 1)),
                       "y": list(float(asym.constant) * pos ** -(2.0 * p + 2) / lam[0]),
                       "style": "--", "group": i})
    return fits, series


def ball_fits(ctx: AuditContext) -> tuple[list[RateFit], list[dict]]:
    """d = 2, 3: Nystrom spectra of the ball kernel, fitted with the two-term Weyl form."""
    fits, series = [], []
    for i, (d, p) in enumerate(((2, 1), (3, 1), (2, 2))):
        ctx.note(f"Z5: ball kernel d = {d}, P = {p}")
        c = rate_case(d, p, ctx.quick)
        fits.append(RateFit(f"ball $B^{d}$, Nystrom ${c.fine.n_r} \\times {c.fine.m}$", d, p,
                            Measured(c.exponent, c.error), (c.k_hi / 10, c.k_hi), c.ratio_span,
                            Measured(c.plain.exponent, c.plain.error)))
        series += _ball_series(c, i)
    return fits, series


def _ball_series(c: RateCase, group: int) -> list[dict]:
    """The spectrum plotted at its indices (a cluster of multiplicity mu at k0 + 1..k0 + mu is
    drawn at the middle index k0 + (mu + 1)/2, so lambda_1 sits at k = 1) and the guide line
    k^-(d+2P+1)/d drawn over the fitted window, GUIDE_SHIFT times the eigenvalue at its
    geometric centre (so that it does not hide the data)."""
    d, p = c.d, c.power
    pos, val = c.fine.complete()
    index = pos + 0.5
    keep = pos <= c.k_hi
    sharp = (d + 2 * p + 1) / d
    window = (pos >= c.k_hi / 10) & keep
    mid = np.argmin(np.abs(np.log(index[window]) - np.log(c.k_hi / np.sqrt(10))))
    k_mid, v_mid = index[window][mid], val[window][mid]
    guide = index[window]
    return [{"label": f"$d = {d}$, ReLU$^{p}$", "x": list(index[keep]),
             "y": list(val[keep] / val[0]), "style": "-", "group": group},
            {"label": f"$k^{{-{Approx(sharp, 3).tex()}}}$ on the fitted window", "x": list(guide),
             "y": list(GUIDE_SHIFT * v_mid / val[0] * (guide / k_mid) ** -sharp), "style": ":",
             "group": group}]


def _edge(k: float) -> str:
    return str(int(k)) if float(k).is_integer() else Approx(k, 3).tex()


def _rate(value: float) -> Fraction:
    """A rate (d + a)/d as the exact fraction it is."""
    return Fraction(value).limit_denominator(12)


def _fits_table(fits: list[RateFit]) -> dict:
    return table(["setting", "$d$", "$P$", "window of $k$", "fitted exponent",
                  "$(d+P+2)/d$ (slide)", "$(d+2P+1)/d$",
                  "max/min of $\\lambda_k k^{(d+2P+1)/d}$ on the window"],
                 [[f.setting, f.d, f.power, f"${_edge(f.window[0])}$ to ${_edge(f.window[1])}$",
                   exponent_text(f), _rate(f.claimed), _rate(f.sharp), Approx(f.span, 3)]
                  for f in fits])


@check("context")
def line_decay(fits: list[RateFit], series: list[dict]) -> Evidence:
    """The certified eigenvalues of the 1D Gram operator for P = 1..4, and their fits."""
    return Evidence(
        "$d = 1$: the Gram operator of ReLU$^P$ on $(-1, 1)$",
        "Eigenvalues from the certified roots of the characteristic equation (20 digits), "
        "fitted by least squares of $\\log\\lambda_k$ on $\\log(k - k_0)$ with the derived "
        "offset $k_0$; error bar: the larger of two standard errors and the change of the slope "
        "on either half of the window. Dashed: the derived asymptotic power law.",
        table=_fits_table(fits),
        plot=line_plot("Z5_decay_line", series, xlabel="$k$", ylabel="$\\lambda_k / \\lambda_1$",
                       xscale="log", yscale="log", legend="outside",
                       title="ReLU$^P$ Gram operators on $(-1, 1)$"))


@check("context")
def ball_decay(fits: list[RateFit], series: list[dict]) -> Evidence:
    """Nystrom spectra of the ball kernel in d = 2, 3 and their fits."""
    coeffs = ", ".join(f"$c_{p} = {b_integral(p).coefficient}$" for p in (1, 2))
    return Evidence(
        "$d = 2, 3$: the ball kernel",
        "The operator is computed on the $x$ side: Nystrom eigenvalues of $K(x, x') = "
        "\\int_{S^{d-1}}\\int_{-1}^{1}\\sigma(w \\cdot x - b)\\sigma(w \\cdot x' - b)\\, db\\, "
        "dw$ on $L^2(B^d)$. Its nonzero eigenvalues are those of the slide's operator on the "
        "parameters $(w, b)$ for the uniform measure on $S^{d-1} \\times [-1, 1]$ ($T T^*$ and "
        "$T^* T$ share them). The domain $B^d$ and the range $b \\in [-1, 1]$ are this audit's "
        "choices: for $b \\in \\mathbb{R}$, as on the slide, the Gram integral of ReLU "
        "diverges. Numerics: closed-form $b$-integral, "
        "kink-split $w$-quadrature, Gauss in $r$, Funk-Hecke blocks per degree, multiplicities "
        f"counted. The window is the last decade of the range where two resolutions agree to "
        f"{num(CONVERGED)}; the fit includes the boundary term $k^{{-1/d}}$ of the two-term "
        "Weyl law; error bar: the larger of two standard errors, the half-window spread and the "
        "shift of the window by a factor 2. Without the boundary term the slopes on the same "
        "windows are "
        + ", ".join(f"{num(f.plain)} ($d = {f.d}$, $P = {f.power}$)" for f in fits)
        + (": steeper than the rate, which the plain slope has not yet reached there (the "
           "figure's curves are steeper than their guides)"
           if all(f.plain.value > f.sharp for f in fits) else "")
        + ". The $b$-integral is a polynomial plus "
        f"$c_P \\vert t_1 - t_2 \\vert^{{2P+1}}$ ({coeffs}; derivation below), a kernel "
        "singular like $\\vert x - x' \\vert^{2P+1}$. Dotted: $k^{-(d+2P+1)/d}$ over the "
        f"fitted window, {num(GUIDE_SHIFT, 1)} times the eigenvalue at its centre.",
        table=_fits_table(fits), derivation=b_integral(1).derivation,
        plot=line_plot("Z5_decay_ball", series, xlabel="$k$", ylabel="$\\lambda_k / \\lambda_1$",
                       xscale="log", yscale="log", legend="outside",
                       title="Ball kernels: Nystrom eigenvalues"))


def _kink_coefficients(fits: list[RateFit]) -> dict:
    """c_P of the derived b-integral for every power fitted (the kink that sets the rate)."""
    return {p: b_integral(p).coefficient for p in sorted({f.power for f in fits})}


def exponent_text(f: RateFit) -> str:
    """A fitted exponent as inline math: a certified 1D fit that sits on an integer is printed as
    that integer and the bound on its deviation (``$4$ (to $3 \\times 10^{-8}$)``); a Nystrom
    fit with its error bar."""
    nearest_int = round(f.exponent.value)
    off = abs(f.exponent.value - nearest_int) + 2 * f.exponent.uncertainty
    if off < 1e-3:
        return f"${nearest_int}$ (to {num(off, 1)})"
    return num(f.exponent)


@check("statement")
def relu_two_sided(fits: list[RateFit]) -> Evidence:
    """ReLU: the derivation (c_1 != 0, Weyl rate (d+3)/d) and the fitted exponents against
    (d+3)/d in d = 1, 2, 3."""
    relu = [f for f in fits if f.power == 1]
    kink = _kink_coefficients(relu)[1]
    fits_ok = all(f.agrees((f.d + 3) / f.d) for f in relu)
    ok = fits_ok and kink != 0
    return Evidence(
        "ReLU: $c_1 k^{-(d+3)/d} \\le \\lambda_k \\le c_2 k^{-(d+3)/d}$",
        "The $b$-integral of ReLU is a polynomial plus $c_1 \\vert t_1 - t_2 \\vert^{3}$ with "
        f"$c_1 = {kink}$ (derivation in the evidence above), so the kernel is singular like "
        "$\\vert x - x' \\vert^{3}$ and its eigenvalues obey the two-sided Weyl law with rate "
        "$(d+3)/d$. Over the windows measured the fitted exponents are "
        + ", ".join(f"{exponent_text(f)} ($d = {f.d}$, slide {num(_rate((f.d + 3) / f.d))})"
                    for f in relu)
        + (": each within two error bars of $(d+3)/d$" if fits_ok else ": NOT all within two "
           "error bars of $(d+3)/d$")
        + ", and $\\lambda_k k^{(d+3)/d}$ varies by at most a factor "
        f"{num(max(f.span for f in relu), 3)} there (bounded above and below). The windows "
        "limit the evidence, not the statement: the rate is the derived one.",
        passed=ok)


@check("statement")
def power_bound(fits: list[RateFit]) -> Evidence:
    """ReLU^P, P >= 2: the slide's O(k^-(d+P+2)/d) holds: the derived rate is at least as fast
    and the fits are at least as fast."""
    powers = [f for f in fits if f.power >= 2]
    derived_ok = all(f.sharp >= f.claimed for f in powers)
    fits_ok = all(f.exponent.value >= f.claimed - 2 * f.exponent.uncertainty for f in powers)
    return Evidence(
        "ReLU$^P$ (the slide's $\\sigma^k$, its $k$ being $P$): "
        "$\\lambda_k = O(k^{-(d+P+2)/d})$",
        "An O-bound holds when the eigenvalues decay at least that fast. The derived rate "
        "$(d+2P+1)/d$ is "
        + ("at least" if derived_ok else "NOT always at least")
        + " the slide's $(d+P+2)/d$ (they differ by $(P-1)/d \\ge 0$). Fitted against the "
        "slide's rate: "
        + ", ".join(f"{exponent_text(f)} vs {num(_rate(f.claimed))} ($d = {f.d}$, "
                    f"$P = {f.power}$)" for f in powers)
        + (": every exponent is at least the slide's (within two error bars), so the bound "
           "holds." if fits_ok else ": some decay is SLOWER than the slide's bound."),
        passed=derived_ok and fits_ok)


@check("refinement")
def sharp_rate(fits: list[RateFit]) -> Evidence:
    """The sharp rate (d+2P+1)/d in every case, and the kink term that causes it."""
    ok = all(f.agrees(f.sharp) for f in fits)
    kinks = _kink_coefficients([f for f in fits if f.d > 1])
    ok = ok and all(c != 0 for c in kinks.values())
    faster = [f for f in fits if f.sharp > f.claimed]
    return Evidence(
        "The sharp rate $(d+2P+1)/d$",
        "In $d = 1$ the eigen-ODE of the Gram operator has order $2P + 2$, so $\\lambda_k \\sim "
        "C (k - k_0)^{-(2P+2)}$; in $d \\ge 2$ the kernel is smooth except for "
        "$c_P \\vert w \\cdot (x - x') \\vert^{2P+1}$ with $c_P \\ne 0$ ("
        + ", ".join(f"$c_{p} = {c}$" for p, c in kinks.items())
        + "), whose Weyl rate is $(d+2P+1)/d$. Every fit "
        + ("agrees with $(d+2P+1)/d$ within two error bars" if ok else
           "does NOT agree with $(d+2P+1)/d$")
        + f"; for $P \\ge 2$ it is faster than the slide's rate ({len(faster)} of the cases "
        "measured).", passed=ok)


def _act_label(activation: str) -> str:
    return "$\\tanh$" if activation == "tanh" else "the sigmoid"


@check("statement")
def analytic_faster(analytic: list[dict]) -> Evidence:
    """tanh and sigmoid (d = 2): super-polynomial decay is a theorem for a smooth kernel (Kuhn,
    "Eigenvalues of integral operators with smooth positive definite kernels", Arch. Math. 49
    (1987): a C^m kernel on a compact set in R^d has lambda_k = o(k^(-1-m/d))); the local
    exponents, which must grow until the float64 floor, illustrate it and can contradict it."""
    ok = all(a["increasing"] for a in analytic)
    rows = [[a["activation"], int(a["k_hi"]), Approx(a["floor_ratio"]),
             "$" + " < ".join(Approx(v, 2).tex() for v in a["local"]) + "$"] for a in analytic]
    series = []
    for i, a in enumerate(analytic):
        pos, val = a["spectrum"].complete()
        label = _act_label(a["activation"])
        series.append({"label": label, "x": list(pos), "y": list(val / val[0]), "style": "-",
                       "group": i})
    return Evidence(
        "Analytic activations: faster than any power",
        "For an analytic activation $\\sigma(w \\cdot x - b)$ is infinitely differentiable in "
        "$x$, uniformly in $(w, b)$ over the compact parameter set, so the kernel is "
        "$C^\\infty$ on $B^d \\times B^d$; a $C^m$ positive definite kernel has "
        "$\\lambda_k = o(k^{-1-m/d})$ for every $m$ (Kuhn 1987), i.e. decay faster than any "
        "polynomial: the statement is a theorem. Numerical illustration, same operator on $B^2$ "
        "with $\\tanh$ and the sigmoid ($b$-integral by 40-point Gauss-Legendre): the exponents "
        "fitted on successive octaves of $k$ "
        + ("grow" if ok else "do NOT grow") + " monotonically until the eigenvalues reach the "
        "float64 floor ($10^{-13}\\lambda_1$), where the numerics end ("
        + ", ".join(f"{len(a['local'])} octaves for {_act_label(a['activation'])}"
                    for a in analytic) + ").",
        passed=ok, data={a["activation"]: {"local": a["local"].tolist(), "k_hi": a["k_hi"]}
                         for a in analytic},
        table=table(["activation", "converged up to $k$", "$\\lambda_{\\mathrm{last}} / \\lambda_1$",
                     "exponents on successive octaves"], rows),
        plot=line_plot("Z5_decay_analytic", series, xlabel="$k$",
                       ylabel="$\\lambda_k / \\lambda_1$", xscale="log", yscale="log",
                       title="$\\tanh$ and sigmoid on $B^2$"))


__all__ = ["RateFit", "analytic_decay", "analytic_faster", "ball_decay", "ball_fits", "line_decay",
           "line_fits", "power_bound", "relu_two_sided", "sharp_rate"]
