"""Audits of the LFP multiplier claims of Y. Zhang's frequency-principle lecture: L2, L3 (L1: lfp_tanh).

Each audit derives the transform or the multiplier in SymPy (specbias.derive.lfp), checks the
derivation against an independent computation (quadrature, the NTK of a wide network by Monte
Carlo over its initialization), compares term by term with the slide, and measures what the
statement says on trained networks. The slide's formulas appear here only as the statements
under audit.
"""

from __future__ import annotations

import os

import mpmath
import numpy as np
import sympy
import torch

from specbias.claims import AuditContext, Claim, audits, check
from specbias.derive.lfp import ddim, luo, multiplier, transforms
from specbias.derive.lfp.transforms import XI
from specbias.notation import inline, tex
from specbias.numbers import Approx, num
from specbias.records import Evidence, Verdict, line_plot, table
from specbias.verify.empirical_ntk import empirical_ntk
from specbias.verify.lfp import LFPNet, neuron_ntk
from specbias.verify.lfp_runs import frequency_run

#: Set to 1 to run the full profile of the LFP audits on the CPU (about 9 CPU-minutes in all).
FULL_ON_CPU = "SPECBIAS_LFP_FULL"


def small_sizes(ctx: AuditContext) -> bool:
    """Whether an LFP audit runs its quick sizes: under ``ctx.quick``, and also without CUDA unless
    ``SPECBIAS_LFP_FULL=1`` (the full profile trains at the papers' sizes: a GPU's work)."""
    return ctx.quick or not (torch.cuda.is_available() or os.environ.get(FULL_ON_CPU) == "1")


def sizes_note(ctx: AuditContext) -> str:
    """A sentence for the verdict's reason when a non-quick run fell back to the quick sizes."""
    if not ctx.quick and small_sizes(ctx):
        return (" Ran at the quick sizes: the full profile needs CUDA (or SPECBIAS_LFP_FULL=1 to run it "
                "on the CPU).")
    return ""


def error_size(err: float, dps: int) -> str:
    """Inline math for a relative error computed at ``dps`` digits: its value, or a bound when it is
    zero at that precision (a bare $0.0$ would hide what was compared)."""
    return num(err) if err > 0 else f"below $10^{{-{dps}}}$ (zero at {dps} digits)"


def z_threshold(entries: int, alpha: float = 0.01) -> float:
    """Two-sided Bonferroni threshold for ``entries`` z-scores at family level ``alpha``."""
    return float(mpmath.sqrt(2) * mpmath.erfinv(1 - alpha / entries))


# ---------------------------------------------------------------------------------------------
# L2

#: The factor of the derived multiplier for the lecture's network (no m^{-1/2}) and kernel flow
#: d_t h = -sum_j K(x, x_j)(h(x_j) - y_j) (no 1/n): n m rho / (16 pi^4) (seeds/003, the NTK slide).
LECTURE_FACTOR = sympy.Symbol("n") * sympy.Symbol("m") * multiplier.RHO / (16 * sympy.pi ** 4)


def slide_l2() -> sympy.Expr:
    """The multiplier as the slide writes it (claim L2)."""
    return 4 * sympy.pi ** 2 * multiplier.R2W2 / XI ** 2 + (multiplier.R2 + multiplier.W2) / XI ** 4


@check("reference")
def transform_pairings(dps: int = 30) -> Evidence:
    """F[|x|] and F[|x|^3] paired with Gaussian-moment test functions, by quadrature."""
    rows, worst = [], 0.0
    for alpha, k in ((1, 2), (3, 4)):
        hat, _ = transforms.abs_power(alpha)
        lhs, rhs = transforms.pairing(hat, lambda t, a=alpha: abs(t) ** a, k, dps)
        err = float(abs(lhs / rhs - 1))
        worst = max(worst, err)
        # the pairing is shown to name the number compared (6 digits, as the other tables'
        # reference values); how well the two sides agree is the next column
        rows.append([f"$\\vert x\\vert^{alpha}$", inline(hat), Approx(float(lhs), 6),
                     Approx(err) if err > 0 else f"below $10^{{-{dps}}}$"])
    tol = 1e-20   # 30-digit quadrature of Gaussian-weighted integrands
    return Evidence(
        "The transforms the multiplier is built from, by pairing",
        "$\\langle F[T], \\varphi\\rangle = \\langle T, \\hat\\varphi\\rangle$ with $\\varphi(\\xi) = "
        "\\xi^{a+1}e^{-\\pi\\xi^2}$ (which vanishes at $\\xi = 0$ to the needed order), both sides by "
        f"{dps}-digit quadrature: worst relative difference {error_size(worst, dps)}.", passed=worst < tol,
        derivation=transforms.abs_power(3)[1],
        table=table(["$T$", "$F[T](\\xi)$, $\\xi \\neq 0$", "pairing", "relative difference"], rows))


def _kernel_z(net: LFPNet, X: np.ndarray, derived: np.ndarray) -> tuple[float, float]:
    """(max |z| over the upper triangle, torch.func vs per-neuron relative difference)."""
    mean, se = neuron_ntk(net, X)
    emp = empirical_ntk(net, torch.tensor(X)).numpy() / net.w.shape[0]
    iu = np.triu_indices(len(X))
    z = np.abs((mean - derived) / se)[iu]
    return float(z.max()), float(np.abs(emp - mean).max() / np.abs(mean).max())


@check("correction")
def kernel_monte_carlo(width: int, points: int, seed: int, s_r: float = 1.0, s_w: float = 1.0,
                       L: float = 1.5) -> Evidence:
    """The NTK of a wide network against the kernel whose transform is the derived multiplier."""
    net = LFPNet(1, width, s_r, s_w, L, seed=seed)
    X = np.sort(np.random.default_rng(seed + 7).uniform(-1, 1, points))[:, None]
    m3, m1 = s_r ** 2 + s_w ** 2, s_r ** 2 * s_w ** 2
    z, agree = _kernel_z(net, X, multiplier.relu_kernel_numeric(X[:, 0], X[:, 0], m3, m1, L))
    zc = z_threshold(points * (points + 1) // 2)
    K, d = multiplier.relu_kernel_uniform()
    return Evidence(
        "The NTK of a wide network against the derived kernel (Monte Carlo over the initialization)",
        f"Width $m = {width}$, $r \\sim N(0, {Approx(s_r ** 2, 2).tex()})$, $w \\sim N(0, {Approx(s_w ** 2, 2).tex()})$, "
        f"$l \\sim U[-{Approx(L, 2).tex()}, {Approx(L, 2).tex()}]$, {points} seeded points in $[-1, 1]$. The "
        "network's NTK (torch.func, divided by $m$; equal to the mean of the per-neuron gradient products "
        f"to {num(agree)}) against the derived $K(x, x')$ below, whose transform for $\\xi \\neq 0$ is "
        f"$\\rho$ times the derived bracket: largest $\\vert z\\vert$ over the entries {num(z, 3)} "
        f"(Bonferroni threshold {num(zc, 3)} at family level 1 %; the standard errors are the spread "
        "of the per-neuron terms over $\\sqrt{m}$).",
        passed=z < zc and agree < 1e-12, derivation=d,
        data={"max_abs_z": z, "threshold": zc, "torch_vs_neuron_mean": agree})


@check("statement")
def slide_constants_l2() -> Evidence:
    """The slide's bracket against the derived multiplier, term by term (SymPy)."""
    derived, d = multiplier.lfp_multiplier("relu")
    total, r2, r4 = multiplier.slide_ratio(derived, slide_l2())
    coeff = lambda e, k: sympy.expand(e).coeff(XI, -k)  # noqa: E731
    rows = [[f"$\\xi^{{-{k}}}$", inline(coeff(slide_l2(), k)), inline(coeff(derived, k)), inline(r)]
            for k, r in ((2, r2), (4, r4))]
    return Evidence(
        "The slide's multiplier against the derived one, term by term",
        f"Derived (steps below): $\\gamma(\\xi) = {tex(derived)}$. The slide's bracket divided by it is "
        f"{inline(total)}: both terms carry the same factor, so the slide has the relative weight "
        "$4\\pi^2$ and the powers right and leaves out $\\rho/(16\\pi^4)$ ($\\rho$ the density of $l$).",
        passed=total == 1, derivation=d,
        table=table(["term", "slide", "derived", "slide / derived"], rows),
        data={"ratio": sympy.sstr(total)})


@check("context")
def trained_rates(runs: list) -> Evidence:
    """Per-frequency e-folding times of trained networks against linear dynamics and the LFP rate.

    Context, not a test of the multiplier: it shows the networks train in the kernel regime; the
    transform on the training points mixes frequencies, so the times cannot pin the constant
    (evidence 3 does, on the kernel itself)."""
    rows, ok, series = [], True, []
    for i, run in enumerate(runs):
        lo = np.minimum(run.tau_empirical, run.tau_final) * 0.98   # 2 %: time records
        hi = np.maximum(run.tau_empirical, run.tau_final) * 1.02
        inside = np.isfinite(run.tau_network) & (run.tau_network >= lo) & (run.tau_network <= hi)
        ok &= bool(inside.all())
        m3, m1 = run.config["s_r"] ** 2 + run.config["s_w"] ** 2, run.config["s_r"] ** 2 * run.config["s_w"] ** 2
        slide = 0.5 * (4 * np.pi ** 2 * m1 / run.xis ** 2 + m3 / run.xis ** 4)   # p times the slide's bracket
        for j, xi in enumerate(run.xis):
            rows.append([run.config["regime"], Approx(xi, 2), Approx(run.tau_network[j], 3),
                         Approx(run.tau_empirical[j], 3), Approx(run.tau_final[j], 3),
                         Approx(run.tau_kernel[j], 3), Approx(run.tau_lfp[j], 3), Approx(1 / slide[j], 3),
                         Approx(run.tau_kernel[j] / run.tau_lfp[j], 2)])
        series += [{"label": f"{run.config['regime']}: network", "x": run.xis, "y": 1 / run.tau_network,
                    "style": "o", "group": i},
                   {"label": f"{run.config['regime']}: linear model, analytic NTK", "x": run.xis,
                    "y": 1 / run.tau_kernel, "style": "--", "group": i}]
    ratio = [r[-1].value for r in rows]
    return Evidence(
        "Per-frequency decay of the training residual, measured",
        "ASI networks ($h = 0$ at initialization) in the two regimes, trained by full-batch GD on "
        "$n$ uniform points of $[-1, 1)$ with a target of cosines at the DFT frequencies $\\xi_k$. For "
        "each $\\xi_k$ the non-uniform DFT of the residual on the training points "
        "($\\hat h_p - \\hat f_p$) is timed to $1/e$: network; GD on the linear model with the network's "
        "NTK at initialization and at the end; the analytic NTK; and the LFP rate "
        "$1/\\tau = m p\\gamma(\\xi)$ with the derived multiplier and the data density $p = 1/2$. Every "
        "network time lies between its two linear-model times (2 % for the time records): "
        + ("yes" if ok else "no") + ", so the networks train in the kernel regime. This tests the regime, not "
        "the multiplier: the LFP rate matches the analytic kernel's time only within a factor between "
        f"{Approx(min(ratio), 2)} and {Approx(max(ratio), 2)}, because the transform on the training "
        "points mixes frequencies (the lecture's 'aliasing') and the interval has ends, which the LFP "
        "equation for $\\hat h$ on the whole line does not see; at these sizes the times cannot tell the "
        "derived constant from the slide's bracket (next-to-last column), and evidence 3 tests the "
        "constant on the kernel itself.",
        table=table(["regime", "$\\xi$", "$\\tau$ network", "$\\tau$ NTK at start",
                                "$\\tau$ NTK at end", "$\\tau$ analytic NTK", "$\\tau$ LFP",
                                "$\\tau$ slide's bracket", "analytic / LFP"], rows),
        plot=line_plot("L2_rates", series, xlabel="frequency $\\xi$", ylabel="decay rate $1/\\tau$",
                       xscale="log", yscale="log", title="Decay rates: network and linear model with the analytic NTK"),
        data={"ratios_kernel_over_lfp": ratio, "kernel_regime": ok})


@check("context")
def luo_terms() -> Evidence:
    """The same operator in Luo et al.'s parametrization, term by term against their statement."""
    d, rows, ratios = luo.luo_comparison()
    return Evidence(
        "The parametrization of Luo et al. (arXiv:2010.08153)",
        "For $f = m^{-1/2}\\sum_j a_j\\mathrm{ReLU}(w_j x + b_j)$ with $b \\sim N(0, \\sigma_b^2)$ the kink "
        "location has density $\\vert w\\vert/(\\sqrt{2\\pi}\\sigma_b)$, so the moments become "
        "$E[r^3]$ and $E[a^2 r]$ ($r = \\vert w\\vert$), and the $w$-gradient $a x H$ is not a function of "
        "$x + l$, which adds a divergence term. The coefficients below come from the kernel's kinks "
        "(no Fourier transform). Against Luo et al.'s corollary as the overview of Xu, Zhang and Luo "
        "(2024) quotes it: the same structure and moments, with the ratios in the last column (the "
        "paper itself was not available here to tell a misquote from a slip).",
        derivation=d, table=table(["term", "derived", "Luo et al. (as quoted)", "derived / quoted"], rows),
        data={k: sympy.sstr(v) for k, v in ratios.items()})


@check("context")
def tanh_multiplier(s_r: float = 1.0, s_w: float = 1.0) -> Evidence:
    """The tanh multiplier: exponential per neuron, stretched exponential after the Gaussian average."""
    _, d = multiplier.lfp_multiplier("tanh")
    xis = np.array([0.5, 1, 2, 4, 8, 16, 32])
    g = multiplier.tanh_mean_multiplier(xis, s_r, s_w)
    local = np.diff(np.log(-np.log(g))) / np.diff(np.log(xis))
    rows = [[Approx(x, 2), Approx(v, 3), Approx(s, 3)] for x, v, s in zip(xis[1:], g[1:], local)]
    return Evidence(
        "The same derivation for tanh",
        "For $\\sigma = \\tanh$ the multiplier conditional on $(r, w)$ decays like "
        "$e^{-2\\pi^2\\vert\\xi\\vert/\\vert r\\vert}$ (derivation below). Averaged over $r \\sim N(0, 1)$, "
        "$w \\sim N(0, 1)$ (quadrature in $r$), the local exponent $d\\log(-\\log\\gamma)/d\\log\\xi$ "
        "tends to $2/3$ (Laplace's method), so the mean multiplier falls faster than any power of "
        "$\\xi$ but slower than an exponential.", derivation=d,
        table=table(["$\\xi$", "$\\gamma(\\xi)/\\rho$", "local exponent"], rows),
        data={"local_exponents": local.tolist()})


@audits("L2")
def audit_l2(claim: Claim, ctx: AuditContext) -> Verdict:
    """L2: derive the 1D LFP multiplier, check it on the NTK of wide networks and in training."""
    small = small_sizes(ctx)
    ctx.note("L2: derivation and transforms")
    evidence = [transform_pairings(), slide_constants_l2()]
    ctx.note("L2: Monte Carlo NTK")
    evidence.append(kernel_monte_carlo(2 ** 13 if small else 2 ** 16, 10 if small else 16, ctx.seed + 11))
    ctx.note("L2: training")
    width, device = (512, "cpu") if small else (4096, "auto")    # the full profile on CUDA when present
    runs = [frequency_run("cubic", width, ctx.seed, ks=(1, 2) if small else (1, 2, 3), device=device),
            frequency_run("linear", width, ctx.seed, ks=(1, 2, 4) if small else (1, 2, 4, 6), device=device)]
    evidence += [trained_rates(runs), luo_terms(), tanh_multiplier()]
    derived, _ = multiplier.lfp_multiplier("relu")
    bracket = slide_l2()
    ratio = multiplier.slide_ratio(derived, bracket)[0]
    return Verdict(
        claim.id, claim.statement, evidence,
        summary=("The derived multiplier is the slide's bracket times an overall factor the slide leaves out "
                 f"(${tex(1 / ratio)}$ for the neuron-mean NTK, ${tex(LECTURE_FACTOR)}$ for the lecture's "
                 "network and flow), so the stated equality fails, while the two powers and their relative "
                 "weight are right; the factor only rescales time, and the NTK of wide networks matches the "
                 "derived kernel." if evidence[2].passed else
                 "The NTK of the wide networks does not match the derived kernel."),
        correction=("For the lecture's network $h(x) = \\sum_{i=1}^m w_i\\mathrm{ReLU}(r_i(x + l_i))$ and its "
                    "kernel flow $\\partial_t h(x) = -\\sum_{j=1}^n K(x, x_j)(h(x_j) - y_j)$ (the NTK slide's, "
                    "no $1/n$), with $l$ of density $\\rho$ on the data's range and $p = \\frac{1}{n}\\sum_j"
                    "\\delta_{x_j}$: "
                    f"$\\partial_t\\hat h(\\xi) = -{tex(LECTURE_FACTOR)}\\left[{tex(bracket)}\\right]"
                    "(\\hat h_p - \\hat f_p)(\\xi)$ for $\\xi \\neq 0$, $\\langle\\cdot\\rangle$ the mean over "
                    "neurons at initialization. The factor depends on the normalization, an assumption the "
                    "slide does not state: gradient flow on the slide's $L = \\sum_j (h(x_j) - y_j)^2$ doubles "
                    "it, the loss $\\frac{1}{2n}\\sum_j (h(x_j) - y_j)^2$ removes the $n$, and the $m^{-1/2}$ "
                    "normalization of $h$ removes the $m$. It only rescales time: the order in which "
                    "frequencies are learned and the minimizers of L4 are unchanged."),
        reason=("Training runs at width " + str(width) + "; the LFP describes $\\hat h$ on the whole line, so the "
                "decay of the transform on the training points follows it only up to the factors shown."
                + sizes_note(ctx)),
        measured={"largest z of the Monte Carlo NTK check": Approx(evidence[2].data["max_abs_z"], 3)})


# ---------------------------------------------------------------------------------------------
# L3

@check("statement")
def slide_constants_l3() -> Evidence:
    """The slide's d-dimensional multiplier against the derived operator (SymPy)."""
    radial, cperp, d = ddim.multiplier_ddim()
    ratio = sympy.simplify(ddim.slide_l3() / radial)
    return Evidence(
        "The slide's multiplier against the derived $d$-dimensional operator",
        f"Derived (steps below): the stationary part $\\gamma_d = {tex(radial)}$ and an angular term "
        f"$c_\\perp\\vert\\xi\\vert^{{-(d+3)}}\\Delta_S$ with $c_\\perp = {tex(cperp)}$ from the part of the "
        f"$r$-gradient perpendicular to $r$. The slide's multiplier divided by $\\gamma_d$ is {inline(ratio)} "
        "(for $d = 1$: $16\\pi^4/\\rho$, as in L2), and the slide has no angular term.",
        passed=ratio == 1 and cperp == 0, derivation=d, data={"ratio": sympy.sstr(ratio)})


def _disc_points(count: int, seed: int) -> np.ndarray:
    g = np.random.default_rng(seed)
    ang, rad = g.uniform(0, 2 * np.pi, count), np.sqrt(g.uniform(0.25, 1, count))
    return np.stack([rad * np.cos(ang), rad * np.sin(ang)], 1)


def _ddim_z(width: int, points: int, seed: int, perpendicular: bool, s_r=0.3, s_w=1.0, L=1.2):
    net = LFPNet(2, width, s_r, s_w, L, seed=seed)
    X = _disc_points(points, seed + 5)
    m3, m1, mw = 2 * s_r ** 2 + s_w ** 2, 2 * s_r ** 2 * s_w ** 2, s_w ** 2
    derived = ddim.relu_kernel_2d(X, X, m3, m1, mw, L, perpendicular=perpendicular)
    return _kernel_z(net, X, derived)


@check("correction")
def ddim_kernel_monte_carlo(width: int, points: int, seed: int) -> Evidence:
    """d = 2: the NTK of a wide network against the derived kernel with its perpendicular term."""
    z, agree = _ddim_z(width, points, seed, True)
    zc = z_threshold(points * (points + 1) // 2)
    return Evidence(
        "Two dimensions: the NTK of a wide network against the derived kernel",
        f"Width $m = {width}$, $r \\sim N(0, 0.09 I_2)$, $w \\sim N(0, 1)$, $l \\sim U[-1.2, 1.2]$, {points} "
        "seeded points in the unit disc; the derived kernel averages the ridge profiles over the direction "
        "$\\hat r$ (trapezoid rule, 2048 angles) and includes $w^2 P_\\perp x\\cdot P_\\perp x'$ times the "
        f"step kernel. Largest $\\vert z\\vert$ {num(z, 3)} (threshold {num(zc, 3)}); torch.func and the "
        f"per-neuron mean agree to {num(agree)}.",
        passed=z < zc and agree < 1e-12, data={"max_abs_z": z, "threshold": zc})


@check("statement")
def ddim_slide_monte_carlo(width: int, points: int, seed: int) -> Evidence:
    """d = 2: the kernel whose symbol is the slide's (no perpendicular term) against the network."""
    z, _ = _ddim_z(width, points, seed, False)
    zc = z_threshold(points * (points + 1) // 2)
    return Evidence(
        "Two dimensions: $\\gamma_d$ without the angular term against the network",
        "The same network against the kernel whose transform is $\\gamma_d$ alone: the slide's multiplier "
        "with the derived constant restored and the angular term dropped (its polynomial part kept), so "
        "this tests the angular term only: largest "
        f"$\\vert z\\vert$ {num(z, 3)} against the threshold {num(zc, 3)}.", passed=z < zc,
        data={"max_abs_z": z, "threshold": zc})


@audits("L3")
def audit_l3(claim: Claim, ctx: AuditContext) -> Verdict:
    """L3: the LFP operator in d dimensions, derived and checked on the NTK of wide 2D networks."""
    width, points = (2 ** 14, 8) if ctx.quick else (2 ** 16, 12)
    ctx.note("L3: derivation")
    evidence = [slide_constants_l3()]
    ctx.note("L3: Monte Carlo NTK in two dimensions")
    evidence += [ddim_kernel_monte_carlo(width, points, ctx.seed + 21),
                 ddim_slide_monte_carlo(width, points, ctx.seed + 21)]
    radial, cperp, _ = ddim.multiplier_ddim()
    on_harmonic = radial + cperp * ddim.ELL * (ddim.ELL + ddim.D - 2) / ddim.K ** (ddim.D + 3)
    nm = sympy.Symbol("n") * sympy.Symbol("m")
    return Verdict(
        claim.id, claim.statement, evidence,
        summary=("For $h(x) = \\sum_i w_i\\mathrm{ReLU}(r_i\\cdot x + \\vert r_i\\vert l_i)$ (the slide does not "
                 "name its $d$-dimensional network) the derived operator has the slide's two powers with the "
                 "factor $2\\rho/(16\\pi^4\\vert S^{d-1}\\vert)$ the slide leaves out, which any parametrization "
                 "shares and which alone makes the stated equality wrong, and, for this parametrization, an "
                 "angular term $c_\\perp\\vert\\xi\\vert^{-(d+3)}\\Delta_S$ the slide does not have; the NTK of "
                 "wide two-dimensional networks matches the derived kernel"
                 + ("" if evidence[2].passed else " and not $\\gamma_d$ without the angular term") + "."),
        correction=("For $h(x) = \\sum_{i=1}^m w_i\\mathrm{ReLU}(r_i\\cdot x + \\vert r_i\\vert l_i)$ with uniform "
                    "directions $\\hat r$, $l$ of density $\\rho$, and the kernel flow "
                    "$\\partial_t h(x) = -\\sum_{j=1}^n K(x, x_j)(h(x_j) - y_j)$ of the NTK slide: "
                    f"$\\partial_t\\hat h = -{tex(nm)}\\gamma_d(\\vert\\xi\\vert)"
                    f"(\\hat h_p - \\hat f_p) + {tex(nm)} c_\\perp\\vert\\xi\\vert^{{-(d+3)}}\\Delta_S(\\hat h_p - \\hat f_p)$ with "
                    f"$\\gamma_d = {tex(radial)}$ and $c_\\perp = {tex(cperp)}$ (the factor $n m$ depends on the "
                    "normalizations, as in L2). On a spherical harmonic of degree $\\ell$ in $\\hat\\xi$ "
                    "($\\Delta_S Y_\\ell = -\\ell(\\ell + d - 2) Y_\\ell$) the multiplier is "
                    f"${tex(on_harmonic)}$, the form to compare with the slide's bracket: the "
                    "$\\langle w^2\\rangle$ of the $\\vert\\xi\\vert^{-(d+3)}$ term becomes "
                    "$\\langle w^2\\rangle(1 + \\ell(\\ell + d - 2))$."),
        reason=("The x-space kernel is checked numerically in $d = 2$; the derivation is symbolic in $d$. "
                "With another $d$-dimensional network ($r\\cdot x + b$, or $r\\cdot(x + l)$ with $l \\in "
                "\\mathbb{R}^d$) the angular term and its constant change; the missing overall constant does not."),
        measured={"largest z, derived kernel": Approx(evidence[1].data["max_abs_z"], 3),
                  "largest z, kernel of the slide's multiplier": Approx(evidence[2].data["max_abs_z"], 3)})
