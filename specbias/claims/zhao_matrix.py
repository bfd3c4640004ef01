"""Audits of H. Zhao, "Numerical Analysis 101 for Neural Networks": Z3, Z4 (finite Gram matrices
against the continuous operator), Z5 (eigenvalue decay in d dimensions) and Z6 (the precision
cutoff). Each audit reads as a story: compute the spectra, compare with the slide, check by an
independent route. Their evidence lives beside them, one module per claim:
:mod:`specbias.claims.zhao_gaps` (Z3), :mod:`specbias.claims.zhao_random` (Z4),
:mod:`specbias.claims.zhao_ball` (Z5), :mod:`specbias.claims.zhao_cutoffs` (Z6), with the
shared spectra in :mod:`specbias.claims.zhao_spectra`. The slide's formulas appear only as the
statements under audit.
"""

from __future__ import annotations

import numpy as np

from specbias.claims import AuditContext, Claim, audits
from specbias.claims.zhao_ball import (analytic_decay, analytic_faster, ball_decay, ball_fits,
                                       line_decay, line_fits, power_bound, relu_two_sided,
                                       sharp_rate)
from specbias.claims.zhao_cutoffs import (CERTIFIED_MAX, SLIDE_CUTOFFS, corrected_entry,
                                          cutoff_table_check, cutoff_table_corrected,
                                          measure_cutoffs, resolved_modes, threshold_reading,
                                          widening, widening_fits)
from specbias.claims.zhao_gaps import (bounded_gaps, gap_limit, perturbed_sups, quasi_even,
                                       spectra_certified, tip_values, uniform_gaps)
from specbias.claims.zhao_lstsq import table1_fit
from specbias.claims.zhao_random import (GROWTH_P, claim_reference, density_dependence,
                                         float64_agrees_random, growth_with_n, normalized_gaps,
                                         nystrom_reference, tail_vs_log, weighted_correction,
                                         weighted_reference)
from specbias.claims.zhao_spectra import mu_1, operator_mu
from specbias.derive.matrix.cutoffs import EPS, cutoff
from specbias.numbers import Approx, Measured, num
from specbias.records import Verdict
from specbias.verify.precision import single_threaded


# ---------------------------------------------------------------------------------------------
# Z3 (evidence in specbias.claims.zhao_gaps)

@audits("Z3")
@single_threaded
def audit_z3(claim: Claim, ctx: AuditContext) -> Verdict:
    """Z3: |lambda_k - (n/2) mu_k| <= C for quasi-even knots; what C is."""
    sizes = (25, 50, 100) if ctx.quick else (50, 100, 200, 400)
    gaps = uniform_gaps(sizes, ctx)
    count = min(10, sizes[0] // 2)
    ctx.note("Z3: quasi-even knots")
    wide = sizes if ctx.quick else sizes + (800,)
    seeds = range(ctx.seed, ctx.seed + (2 if ctx.quick else 4))
    sups = perturbed_sups(wide, seeds)
    evidence = [spectra_certified(gaps), bounded_gaps(gaps), gap_limit(gaps, count),
                tip_values(3 if ctx.quick else 6), quasi_even(sups, wide, seeds)]
    holds = all(e.passed for e in evidence if e.tests == "statement")
    sharp = all(e.passed for e in evidence if e.tests == "refinement")
    sup = evidence[1].data["sup"]
    c1, c1_short = mu_1(1), mu_1(1, 6)
    summary = (("The gap is bounded" if holds else "The gap is not bounded")
               + f": for the slide's knots its supremum (at $k = 1$) goes from "
               f"{num(sup[0], 5)} to {num(sup[-1], 5)} as $n$ goes from {sizes[0]} to "
               f"{sizes[-1]}"
               + (f", because $\\lambda_k - \\frac{{n}}{{2}}\\mu_k \\to \\mu_k$, so "
                  f"$C = \\mu_1 = {c1_short.tex()}$" if sharp else
                  ", but its limit is not $\\mu_k$")
               + "; knots perturbed by $o(1/n)$ "
               + ("keep it bounded" if evidence[-1].passed else "do NOT all keep it bounded")
               + " (outside the hypothesis: " + evidence[-1].data["outside"] + ").")
    return Verdict(
        claim.id, claim.statement, evidence, summary=summary,
        refinement=None if not sharp else
        "For $b_i = -1 + 2(i - 1)/n$: $\\lambda_k - \\frac{n}{2}\\mu_k = \\mu_k "
        f"(1 + c_k k/n)$ with $\\vert c_k \\vert \\le "
        f"{Approx(max(abs(c) for c in evidence[2].data['c_k']), 2).tex()}$ (measured, "
        f"$k \\le {count}$), so the "
        f"best constant is $C = \\mu_1 + O(1/n)$ with $\\mu_1 = {c1.tex()}$ (ReLU on "
        "$(-1, 1)$); equivalently $\\lambda_k \\approx \\frac{n + 2}{2}\\mu_k$. The constant "
        "comes from the full weight of the knot $b_1 = -1$: midpoint knots "
        "$b_i = -1 + (2i - 1)/n$ make the gap tend to 0.",
        reason=f"ReLU ($P = 1$) on $(-1, 1)$; certified spectra for $n \\le {sizes[-1]}$, "
               f"float64 spectra of perturbed knots for $n \\le {wide[-1]}$. A finite range of "
               "$n$ cannot tell an $O(1)$ bound from $\\log n$ growth: the pass rests on the "
               "extrapolated limit $\\mu_k$ and the perturbation argument (the end weight), "
               "which the growth fits only illustrate.",
        measured={"$\\mu_1$ (certified)": c1,
                  f"supremum at $n = {sizes[-1]}$": Approx(sup[-1], 6),
                  "growth exponent of the supremum":
                      Measured(**evidence[1].data["growth"])})


# ---------------------------------------------------------------------------------------------
# Z4 (evidence in specbias.claims.zhao_random)

@audits("Z4")
@single_threaded
def audit_z4(claim: Claim, ctx: AuditContext) -> Verdict:
    """Z4: random knots; the log(1/p) tail, the constant against n, and the density."""
    sizes = (25, 50, 100) if ctx.quick else (50, 100, 200, 400)
    seeds = range(ctx.seed, ctx.seed + (40 if ctx.quick else 200))
    few = range(ctx.seed, ctx.seed + (20 if ctx.quick else 100))
    nodes = 400 if ctx.quick else 1600
    rng = np.random.default_rng(ctx.seed)
    ctx.note("Z4: uniform knots")
    uniform = [normalized_gaps(n, seeds, "uniform", claim_reference(n), "claim") for n in sizes]
    ctx.note("Z4: a non-uniform density")
    linear = [normalized_gaps(n, few, "linear", claim_reference(n), "claim") for n in sizes]
    fixed = [normalized_gaps(n, few, "linear", weighted_reference("linear", n, nodes), "weighted")
             for n in sizes]
    nu_1 = float(weighted_reference("linear", 1, nodes)[0])
    ctx.note("Z4: certified reference")
    evidence = [float64_agrees_random(sizes[1], ctx.seed), nystrom_reference(nodes, 40),
                tail_vs_log(uniform[-1], rng), growth_with_n(uniform, rng),
                density_dependence(linear, rng, nu_1, float(operator_mu(1, 1)[0])),
                weighted_correction(fixed, rng)]
    tail_ok, growth_ok, density_ok = (e.passed for e in evidence[2:5])
    p_min = Approx(evidence[2].data["smallest_p"], 2).tex()
    summary = ("For uniform i.i.d. knots the normalized gap "
               + (f"has a tail within $C\\log(1/p)$ over $p \\ge {p_min}$" if tail_ok else
                  f"has a heavier tail than $C\\log(1/p)$ over $p \\ge {p_min}$")
               + " and a constant that "
               + ("does not grow" if growth_ok else "grows")
               + f" with $n \\le {sizes[-1]}$; for a non-uniform density "
               + ("the bound also holds" if density_ok else
                  "the gap is centred at $n\\nu_k$ (the $\\rho$-weighted operator), not at "
                  "$\\frac{n}{2}\\mu_k$, and grows like $n$")
               + ".")
    c_uni, c_lin = evidence[3].data["constants"], evidence[5].data["constants"]
    return Verdict(
        claim.id, claim.statement, evidence, summary=summary,
        correction="For $b_i$ i.i.d. with density $\\rho$: $\\left\\vert \\lambda_k - n\\nu_k "
                   "\\right\\vert \\le \\frac{C n}{k^{4}}\\sqrt{\\frac{k}{n}} \\log\\frac{1}{p}$ "
                   "with probability $1 - p$, where $\\nu_k$ are the eigenvalues of "
                   "$f \\mapsto \\int_D G(x, y) f(y) \\rho(y)\\, dy$ and $C$ depends on $\\rho$ "
                   f"(measured at $p = {Approx(GROWTH_P, 1).tex()}$: $C$ from "
                   f"${Approx(min(c_lin), 2).tex()}$ to ${Approx(max(c_lin), 2).tex()}$ for "
                   f"$\\rho = (2 + x)/4$, ${Approx(min(c_uni), 2).tex()}$ to "
                   f"${Approx(max(c_uni), 2).tex()}$ for $\\rho = 1/2$); $n\\nu_k = "
                   "\\frac{n}{2}\\mu_k$ only for the uniform density $\\rho = 1/2$.",
        reason=f"ReLU ($P = 1$), $n \\le {sizes[-1]}$, {len(seeds)} seeds per $n$ (uniform) and "
               f"{len(few)} (density $(2 + x)/4$): a finite sample tests the tail only down to "
               f"$p \\approx 10/{len(seeds)}$ and cannot prove a probability bound.",
        measured={"growth exponent of $C(n)$, uniform knots":
                      Measured(**evidence[3].data["exponent"]),
                  "growth exponent, density $(2 + x)/4$ against $\\frac{n}{2}\\mu_k$":
                      Measured(**evidence[4].data["exponent"])})


# ---------------------------------------------------------------------------------------------
# Z5 (evidence in specbias.claims.zhao_ball)

@audits("Z5")
@single_threaded
def audit_z5(claim: Claim, ctx: AuditContext) -> Verdict:
    """Z5: decay rates for ReLU (two-sided), ReLU^P (O-bound, sharp rate), tanh/sigmoid."""
    ctx.note("Z5: certified roots, d = 1")
    line, line_series = line_fits((1, 2) if ctx.quick else (1, 2, 3, 4), 16 if ctx.quick else 24)
    ball, ball_series = ball_fits(ctx)
    analytic = []
    for act in ("tanh", "sigmoid"):
        ctx.note(f"Z5: {act} on the disc")
        analytic.append(analytic_decay(act, ctx.quick))
    fits = line + ball
    evidence = [line_decay(line, line_series), ball_decay(ball, ball_series),
                relu_two_sided(fits), power_bound(fits), sharp_rate(fits),
                analytic_faster(analytic)]
    relu_ok, bound_ok, sharp_ok, analytic_ok = (e.passed for e in evidence[2:])
    summary = ("ReLU decays like $k^{-(d+3)/d}$ "
               + ("" if relu_ok else "NOT ") + "(derived, and fitted in $d = 1, 2, 3$); "
               "ReLU$^P$ (the slide's $\\sigma^k$) decays "
               + ("at the sharp rate $k^{-(d+2P+1)/d}$, which satisfies" if sharp_ok else
                  "at a rate that does not match $k^{-(d+2P+1)/d}$ and")
               + (" the slide's $O(k^{-(d+P+2)/d})$" if bound_ok else
                  " violates the slide's $O(k^{-(d+P+2)/d})$")
               + " and is faster for $P \\ge 2$; $\\tanh$ and the sigmoid decay "
               + ("faster than any power, as they must for a smooth kernel," if analytic_ok else
                  "like a power")
               + " down to the float64 floor.")
    return Verdict(
        claim.id, claim.statement, evidence, summary=summary,
        refinement=None if not sharp_ok else
        "For $\\sigma^P$ (the slide's $\\sigma^k$) the eigenvalues decay at the sharp rate "
        "$c_1 k^{-(d+2P+1)/d} \\le \\lambda_k \\le c_2 k^{-(d+2P+1)/d}$, which equals "
        "$(d+3)/d$ for ReLU and is faster than $(d+P+2)/d$ for $P \\ge 2$ (the $b$-integral is "
        "a polynomial plus $c_P \\vert w \\cdot x - w \\cdot x' \\vert^{2P+1}$).",
        reason="The rates are derived (the kink term $c_P \\vert t_1 - t_2 \\vert^{2P+1}$, "
               "$c_P \\ne 0$; a smooth kernel for analytic activations); the fits over finite "
               "windows test them: $d = 1$ with $P = 1, \\ldots, 4$ (certified "
               "operator eigenvalues), $d = 2, 3$ with ReLU and $d = 2$ with ReLU$^2$ (Nystrom), "
               "$\\tanh$ and the sigmoid in $d = 2$. The operator is the $x$-side one on "
               "$L^2(B^d)$ with $b$ uniform on $[-1, 1]$ (the slide's $b \\in \\mathbb{R}$ makes "
               "the ReLU Gram integral diverge). Not computed: $d \\ge 4$, ReLU$^P$ with "
               "$P \\ge 3$ in $d \\ge 2$, ReLU$^2$ in $d = 3$, analytic activations in $d = 3$.",
        measured=z5_measured(fits))


def z5_measured(fits) -> dict:
    """Named numbers of Z5: a certified 1D exponent as its deviation bound from 2P + 2 (it sits on
    the integer to ~1e-8), a Nystrom exponent with its error bar."""
    out = {}
    for f in fits:
        if f.d == 1:
            off = abs(f.exponent.value - f.sharp) + 2 * f.exponent.uncertainty
            out[f"deviation of the exponent from ${int(f.sharp)}$, $d = 1$, $P = {f.power}$"] = \
                Approx(off, 1)
        else:
            out[f"exponent, $d = {f.d}$, $P = {f.power}$"] = f.exponent
    return out


# ---------------------------------------------------------------------------------------------
# Z6 (evidence in specbias.claims.zhao_cutoffs)

@audits("Z6")
@single_threaded
def audit_z6(claim: Claim, ctx: AuditContext) -> Verdict:
    """Z6: the table k_d = eps^(-1/(d+3)), the threshold, the number of modes, widening."""
    sizes = (50, 100, 200) if ctx.quick else (100, 200, 400, 800, 1600)
    rows = measure_cutoffs(sizes, ctx)
    widths = (50, 100, 200, 400) if ctx.quick else (50, 100, 200, 400, 800, 1600)
    ctx.note("Z6: float32 least squares against the width")
    mse = widening_fits(widths, lambda n, solver: table1_fit("NN", "uniform", "float32", n,
                                                             solver=solver))
    evidence = [cutoff_table_check(), cutoff_table_corrected(), threshold_reading(rows),
                resolved_modes(rows), widening(rows, widths, mse)]
    table_ok, _, threshold_ok, modes_ok, widening_ok = (e.passed for e in evidence)
    counts = [r["resolved"] for r in rows]
    summary = ("The slide's table has "
               + ("no wrong entry" if table_ok else
                  f"{evidence[0].data['wrong']} entries that are not $\\varepsilon^{{-1/(d+3)}}$")
               + "; in $d = 1$ (the only dimension measured) float32 resolves "
               + ("about" if modes_ok else "NOT about") + " $\\varepsilon^{-1/4}$ eigenvalues "
               f"of the Gram matrix ({min(counts)} to {max(counts)} for $n$ from {sizes[0]} to "
               f"{sizes[-1]}, a count that grows slowly with $n$), the float32 least-squares "
               "error through the Gram matrix "
               + ("stops improving with the width" if widening_ok else "keeps improving with "
                  "the width")
               + ", and the threshold $n \\varepsilon \\lambda_1$ (with the operator's "
               "$\\lambda_1$) "
               + (f"is a conservative bound: float32 resolves at least "
                  f"{num(evidence[2].data['factor'], 2)} times as many eigenvalues as lie above "
                  "it" if threshold_ok else "does NOT bound the eigenvalues float32 resolves")
               + ".")
    single = ", ".join(corrected_entry(p, d) for (p, d) in SLIDE_CUTOFFS if p == "single")
    double = ", ".join(corrected_entry(p, d) for (p, d) in SLIDE_CUTOFFS if p == "double")
    return Verdict(
        claim.id, claim.statement, evidence, summary=summary,
        correction="Table: single precision $\\varepsilon = 2^{-23}$: " + single
                   + "; double precision $\\varepsilon = 2^{-52}$: " + double
                   + " ($\\varepsilon^{-1/(d+3)}$ to one decimal).",
        reason=f"Measured in $d = 1$ only (ReLU Gram matrices, $n \\le {sizes[-1]}$, NumPy "
               f"eigvalsh; certified references up to $n = {CERTIFIED_MAX}$, float64 beyond); "
               "the rows $d > 1$ are checked as arithmetic, so the number of modes in "
               "$d > 1$ is not tested. The count of resolved eigenvalues is measured up to "
               f"$n = {sizes[-1]}$ only: it grows slowly, like "
               f"$n^{{{Measured(**evidence[2].data['growth']).tex()}}}$, and is not shown to stop "
               "growing. float64 "
               f"resolves every eigenvalue up to $n = {sizes[-1]}$, as $k_1 = 8192$ predicts.",
        measured={f"float32 eigenvalues resolved to 1% at $n = {sizes[-1]}$":
                      rows[-1]["resolved"],
                  "$\\varepsilon^{-1/4}$, single precision":
                      Approx(float(cutoff(EPS["float32"], 1)), 4)})
