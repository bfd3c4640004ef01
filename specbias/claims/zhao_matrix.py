"""Audits of H. Zhao, "Numerical Analysis 101 for Neural Networks": Z3, Z4 (finite Gram matrices
against the continuous operator) and Z6 (the precision cutoff, evidence in
:mod:`specbias.claims.zhao_cutoffs`).

Each audit reads as a story: compute the spectra (:mod:`specbias.claims.zhao_spectra`), compare
with the slide, check by an independent route. The slide's formulas appear only as the
statements under audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import mpmath
import numpy as np

from specbias.claims import AuditContext, Claim, audits, check
from specbias.claims.zhao_cutoffs import (DTYPE, SLIDE_CUTOFFS, cutoff_table_check,
                                          cutoff_table_corrected, measure_cutoffs, nearest,
                                          resolved_modes, threshold_reading, widening)
from specbias.claims.zhao_random import (claim_reference, density_dependence,
                                         float64_agrees_random, growth_with_n, normalized_gaps,
                                         nystrom_reference, tail_vs_log, weighted_correction,
                                         weighted_reference)
from specbias.claims.zhao_spectra import (DPS, certified_lambda, deformed_knots,
                                          float64_bound, float64_lambda, mu_1, operator_mu,
                                          power_law, quasi_even_knots, slide_centre)
from specbias.derive.gram.eigen_ode import eigen_ode
from specbias.derive.gram.eigenfunctions import eigenfunction
from specbias.derive.gram.spectrum import characteristic_roots
from specbias.derive.matrix.cutoffs import EPS, cutoff
from specbias.derive.matrix.knots import knots
from specbias.numbers import Approx, Measured, num
from specbias.records import Evidence, Verdict, line_plot, table
from specbias.verify.precision import single_threaded

#: Growth exponents of a supremum over n below this count as bounded: the nearest alternative,
#: random-like perturbations of the knots, grows like n^(1/2) (Z4), and 1/4 lies halfway.
BOUNDED_EXPONENT = 0.25


# ---------------------------------------------------------------------------------------------
# Z3

def uniform_gaps(sizes, ctx: AuditContext) -> dict:
    """lambda_k - (n/2) mu_k for the slide's knots b_i = -1 + 2(i-1)/n (certified spectra)."""
    out = {}
    for n in sizes:
        ctx.note(f"Z3: certified spectrum, n = {n}")
        lam, cert = certified_lambda(1, knots("uniform", n, DPS))
        mu = operator_mu(1, n)
        out[n] = {"lam": lam, "mu": mu, "gap": lam - slide_centre(n, mu),
                  "certified": cert.certified}
    return out


@check("reference")
def spectra_certified(gaps: dict) -> Evidence:
    """Every certified spectrum passed its inertia-count certificate, and float64 eigvalsh
    stays within its error bound of it (so float64 may stand in for the perturbed knots)."""
    worst, rows = 0.0, []
    for n, g in gaps.items():
        b = -1 + 2 * np.arange(n) / n
        lam64 = float64_lambda(b)
        err, bound = float(np.max(np.abs(lam64 - g["lam"]))), float64_bound(g["lam"])
        worst = max(worst, err / bound)
        rows.append([n, "yes" if g["certified"] else "no", Approx(err), Approx(bound)])
    ok = all(g["certified"] for g in gaps.values()) and worst <= 1
    return Evidence(
        "Certified spectra, and float64 against them",
        f"Every eigenvalue of $G$ is certified to {DPS} digits by inertia counts. float64 "
        "eigvalsh of the same matrices differs from them by at most "
        f"{num(worst)} times its a-priori bound $2 n u \\lambda_1$ ($u = 2^{{-53}}$).",
        passed=ok, table=table(["$n$", "all certified", "largest float64 error",
                                "bound $2 n u \\lambda_1$"], rows))


@check("statement")
def bounded_gaps(gaps: dict) -> Evidence:
    """sup_k |lambda_k - (n/2) mu_k| over n for the slide's knots: bounded or growing."""
    sizes = sorted(gaps)
    sup = [float(np.max(np.abs(gaps[n]["gap"]))) for n in sizes]
    at = [int(np.argmax(np.abs(gaps[n]["gap"]))) + 1 for n in sizes]
    growth = power_law(sizes, sup).exponent
    ok = growth.value + 2 * growth.uncertainty < BOUNDED_EXPONENT
    k10 = min(10, sizes[0])
    rows = [[n, Approx(s, 6), k, Approx(gaps[n]["gap"][0] / gaps[n]["mu"][0], 6),
             Approx(gaps[n]["gap"][k10 - 1] / gaps[n]["mu"][k10 - 1], 6)]
            for n, s, k in zip(sizes, sup, at)]
    return Evidence(
        "The gap for the slide's knots $b_i = -1 + 2(i - 1)/n$",
        f"All $n$ eigenvalues of $G$ minus $(n/2)\\mu_k$, with $\\mu_k$ from the certified "
        "characteristic roots ($k \\le 40$) and the derived asymptotic form beyond. The "
        f"supremum over $k$ sits at $k = {at[-1]}$ and changes like $n^{{{growth.tex()}}}$ over "
        f"$n = {sizes[0]}, \\ldots, {sizes[-1]}$: "
        + ("bounded, as claimed" if ok else "it grows") + f" (bounded means an exponent below "
        f"{num(BOUNDED_EXPONENT)} by two error bars; random knots would give $1/2$).",
        passed=ok, data={"sup": sup, "argmax_k": at, "growth": growth.to_json()},
        table=table(["$n$", "$\\sup_k \\vert \\lambda_k - \\frac{n}{2}\\mu_k \\vert$",
                     "at $k$", "$(\\lambda_1 - \\frac{n}{2}\\mu_1)/\\mu_1$",
                     f"$(\\lambda_{{{k10}}} - \\frac{{n}}{{2}}\\mu_{{{k10}}})/\\mu_{{{k10}}}$"],
                    rows))


def _richardson(gaps: dict, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Limits of r_k(n) = (lambda_k - (n/2) mu_k)/mu_k as n -> oo for k <= count, eliminating an
    O(1/n) term from the two largest sizes, and the change from the previous pair (an estimate
    of the error left, O(1/n^2))."""
    sizes = sorted(gaps)
    r = {n: gaps[n]["gap"][:count] / gaps[n]["mu"][:count] for n in sizes}

    def extrapolate(n1, n2):
        return (n2 * r[n2] - n1 * r[n1]) / (n2 - n1)

    last = extrapolate(sizes[-2], sizes[-1])
    previous = extrapolate(sizes[-3], sizes[-2])
    return last, np.abs(last - previous)


@check("refinement")
def gap_limit(gaps: dict, count: int) -> Evidence:
    """lambda_k - (n/2) mu_k tends to mu_k: Richardson extrapolation in 1/n, k <= count."""
    limit, error = _richardson(gaps, count)
    # The extrapolated limit must equal 1 within three times the estimated extrapolation error
    # (the change between the last two pairs of sizes; its largest value over k, since the
    # change of one k can vanish by accident), plus the references' rounding (1e-12).
    ok = bool(np.max(np.abs(limit - 1)) <= 3 * np.max(error) + 1e-12)
    sizes = sorted(gaps)
    # k up to n/4: beyond, k^2/n is no longer small and the ratio leaves 1 (as it should)
    series = [{"label": f"$n = {n}$", "x": list(range(1, n // 4 + 1)),
               "y": list(gaps[n]["gap"][:n // 4] / gaps[n]["mu"][:n // 4]), "style": "-"}
              for n in sizes]
    return Evidence(
        "The gap tends to $\\mu_k$",
        "The ratio $(\\lambda_k - \\frac{n}{2}\\mu_k)/\\mu_k$ approaches 1 for every fixed $k$, "
        f"with a deviation of order $k^2/n$. Extrapolated to $n \\to \\infty$ (Richardson in "
        f"$1/n$ from $n = {sizes[-2]}$ and ${sizes[-1]}$) the limit is 1 within "
        f"{num(float(np.max(np.abs(limit - 1))))} for $k = 1, \\ldots, {count}$, against an "
        f"estimated extrapolation error of up to {num(float(np.max(error)))}. So "
        "$\\lambda_k - \\frac{n}{2}\\mu_k \\to \\mu_k$ and the best constant is $C = \\mu_1$.",
        passed=ok, data={"limit": limit.tolist(), "error": error.tolist()},
        plot=line_plot("Z3_gap_over_mu", series, xlabel="$k$",
                       ylabel="$(\\lambda_k - \\frac{n}{2}\\mu_k) / \\mu_k$", xscale="log",
                       title="The gap divided by $\\mu_k$ tends to 1 ($k \\leq n/4$)",
                       legend="outside"))


@check("refinement")
def tip_values(count: int, dps: int = DPS) -> Evidence:
    """First-order perturbation theory predicts the limit mu_k phi_k(-1)^2 / 2; compute the
    eigenfunctions' values at the free end from the characteristic matrix."""
    ode = eigen_ode(1, (-1, 1))
    with mpmath.workdps(dps):
        roots = characteristic_roots(ode, count)
        tips = [eigenfunction(ode, w).mpmath_function()(-1) ** 2 for w in roots]
        worst = float(max(abs(t - 2) for t in tips))
    # eigenfunctions normalized by mpmath quadrature at `dps` digits: errors near 10^-(dps-3).
    ok = worst < 10.0 ** -(dps - 8)
    return Evidence(
        "Why: the left end carries the weight of a full knot spacing",
        "$G = \\frac{n}{2} \\cdot$ the Nystrom matrix of the operator with weight $2/n$ at every "
        "knot. The trapezoid rule, accurate to $O(n^{-2})$, would give the end $b_1 = -1$ only "
        "half that weight (the other end $b = 1$ carries a zero unit). First-order "
        "perturbation in the extra weight $1/n$ moves $\\mu_k$ by $\\mu_k \\varphi_k(-1)^2/n$ "
        "($\\Vert \\varphi_k \\Vert = 1$), so $\\lambda_k - \\frac{n}{2}\\mu_k \\to \\mu_k "
        "\\varphi_k(-1)^2/2$. The eigenfunctions of the free-clamped eigen-ODE, computed from "
        "the characteristic matrix, have $\\varphi_k(-1)^2 = 2$ for "
        f"$k = 1, \\ldots, {count}$ (largest deviation {num(worst)}): the limit is $\\mu_k$.",
        passed=ok, data={"worst_tip_deviation": worst})


@dataclass(frozen=True)
class Perturbation:
    """A family of perturbed knots: ``label`` (LaTeX), ``make(n, seed)``, whether it is random
    (seeded), and whether its size is o(1/n) (inside the claim's hypothesis)."""

    label: str
    make: Callable[[int, int], np.ndarray]
    random: bool
    inside: bool


#: Two kinds of perturbation, each once inside the claim (o(1/n)) and once outside it:
#: independent jitter within a fraction of a spacing, and a smooth deformation of the grid.
PERTURBATIONS = (
    Perturbation("jitter of $n^{-1/2}$ spacings", lambda n, s: quasi_even_knots(n, n**-0.5, s),
                 True, True),
    Perturbation("jitter of $1/2$ spacing", lambda n, s: quasi_even_knots(n, 0.5, s), True, False),
    Perturbation("deformation by $n^{-2}$", lambda n, s: deformed_knots(n, n**-2.0), False, True),
    Perturbation("deformation by $n^{-1/2}$", lambda n, s: deformed_knots(n, n**-0.5), False,
                 False))


def perturbed_sups(sizes, seeds) -> dict:
    """sup_k |lambda_k - (n/2) mu_k| for perturbed knots, float64, per (family, n): the values
    for each seed (one value for a deterministic family)."""
    out = {}
    for p in PERTURBATIONS:
        for n in sizes:
            mu = operator_mu(1, n)
            out[p.label, n] = [float(np.max(np.abs(float64_lambda(p.make(n, s))
                                                   - slide_centre(n, mu))))
                               for s in (seeds if p.random else seeds[:1])]
    return out


@check("statement")
def quasi_even(sups: dict, sizes, seeds) -> Evidence:
    """Perturbations of o(1/n) keep the gap bounded (jitter and a smooth deformation); the
    same kinds of perturbation at O(1/n) or larger are shown for contrast."""
    rows, series, growth = [], [], {}
    for i, p in enumerate(PERTURBATIONS):
        vals = [sups[p.label, n] for n in sizes]
        means = [float(np.mean(v)) for v in vals]
        errs = [float(np.std(v, ddof=1) / np.sqrt(len(v))) if len(v) > 1 else 0.0 for v in vals]
        growth[p.label] = power_law(sizes, means, [max(e, 1e-9 * m) for e, m in zip(errs, means)]
                                    if p.random else None).exponent
        rows.append([p.label + ("" if p.inside else " (outside the claim)")]
                    + [Measured(m, e) if p.random else Approx(m, 4) for m, e in zip(means, errs)]
                    + [growth[p.label]])
        series.append({"label": p.label, "x": list(sizes), "y": means,
                       **({"yerr": errs} if p.random else {}), "style": "o-" if p.inside else "s--",
                       "group": i})
    bounded = {p.label: growth[p.label].value + 2 * growth[p.label].uncertainty
               < BOUNDED_EXPONENT for p in PERTURBATIONS}
    ok = all(bounded[p.label] for p in PERTURBATIONS if p.inside)
    outside = "; ".join(f"{p.label}: " + ("bounded" if bounded[p.label] else
                                          f"grows like $n^{{{growth[p.label].tex()}}}$")
                        for p in PERTURBATIONS if not p.inside)
    return Evidence(
        "Quasi-even knots: perturbations of $o(1/n)$",
        "Jitter: $b_i = -1 + 2(i - 1)/n + s\\, (2/n)\\, u_i$ with $u_i$ uniform on $[0, 1)$ "
        f"({len(seeds)} seeds, mean and standard error); deformation: $b_i = x_i + \\delta "
        "(1 - x_i^2)/2$ with $x_i = -1 + 2(i - 1)/n$. float64 eigenvalues (within "
        "$2 n u \\lambda_1$, checked above). The supremum over $k$ is "
        + ("bounded for both $o(1/n)$ perturbations" if ok else
           "NOT bounded for an $o(1/n)$ perturbation")
        + f". Outside the hypothesis: {outside}. Independent jitter averages out; a smooth "
        "deformation changes the knot density, which moves $\\lambda_k$ by $O(n \\delta \\mu_k)$.",
        passed=ok, data={"sup": {f"{k[0]} n={k[1]}": v for k, v in sups.items()},
                         "outside": outside},
        table=table(["perturbation"] + [f"$n = {n}$" for n in sizes] + ["growth exponent"], rows),
        plot=line_plot("Z3_quasi_even", series, xlabel="$n$",
                       ylabel="$\\sup_k \\vert \\lambda_k - \\frac{n}{2}\\mu_k \\vert$",
                       xscale="log", yscale="log", legend="outside",
                       title="Perturbed knots: solid inside the claim, dashed outside"))


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
    c1 = mu_1(1)
    summary = (("The gap is bounded" if holds else "The gap is not bounded")
               + f": for the slide's knots its supremum (at $k = 1$) goes from "
               f"{num(sup[0], 5)} to {num(sup[-1], 5)} as $n$ goes from {sizes[0]} to "
               f"{sizes[-1]}"
               + (f", because $\\lambda_k - \\frac{{n}}{{2}}\\mu_k \\to \\mu_k$, so "
                  f"$C = \\mu_1 = {c1.tex()}$" if sharp else
                  ", but its limit is not $\\mu_k$")
               + "; knots perturbed by $o(1/n)$ "
               + ("keep it bounded" if evidence[-1].passed else "do NOT all keep it bounded")
               + " (" + evidence[-1].data["outside"] + ").")
    return Verdict(
        claim.id, claim.statement, evidence, summary=summary,
        refinement=None if not sharp else
        "For $b_i = -1 + 2(i - 1)/n$: $\\lambda_k - \\frac{n}{2}\\mu_k = \\mu_k "
        "(1 + O(k^2/n))$, so the best constant is $C = \\mu_1 + O(1/n)$ with "
        f"$\\mu_1 = {c1.tex()}$ (ReLU on $(-1, 1)$); equivalently "
        "$\\lambda_k \\approx \\frac{n + 2}{2}\\mu_k$.",
        reason=f"ReLU ($P = 1$) on $(-1, 1)$; certified spectra for $n \\le {sizes[-1]}$, "
               f"float64 spectra of perturbed knots for $n \\le {wide[-1]}$. A finite range of "
               "$n$ cannot prove an $O(1)$ bound; the extrapolated limit and the perturbation "
               "argument explain it.",
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
    summary = ("For uniform i.i.d. knots the normalized gap "
               + ("has a tail within $C\\log(1/p)$" if tail_ok else "has a heavier tail")
               + " and a constant that "
               + ("does not grow" if growth_ok else "grows")
               + " with $n$; for a non-uniform density "
               + ("the bound also holds" if density_ok else
                  "the gap is centred at $n\\nu_k$ (the $\\rho$-weighted operator), not at "
                  "$\\frac{n}{2}\\mu_k$, and grows like $n$")
               + ".")
    return Verdict(
        claim.id, claim.statement, evidence, summary=summary,
        correction="For $b_i$ i.i.d. with density $\\rho$: $\\left\\vert \\lambda_k - n\\nu_k "
                   "\\right\\vert \\le \\frac{C n}{k^{4}}\\sqrt{\\frac{k}{n}} \\log\\frac{1}{p}$ "
                   "with probability $1 - p$, where $\\nu_k$ are the eigenvalues of "
                   "$f \\mapsto \\int_D G(x, y) f(y) \\rho(y)\\, dy$; $n\\nu_k = "
                   "\\frac{n}{2}\\mu_k$ only for the uniform density $\\rho = 1/2$.",
        reason=f"ReLU ($P = 1$), $n \\le {sizes[-1]}$, {len(seeds)} seeds per $n$ (uniform) and "
               f"{len(few)} (density $(2 + x)/4$): a finite sample tests the tail only down to "
               f"$p \\approx 10/{len(seeds)}$ and cannot prove a probability bound.",
        measured={"growth exponent of $C(n)$, uniform knots":
                      Measured(**evidence[3].data["exponent"]),
                  "growth exponent, density $(2 + x)/4$ against $\\frac{n}{2}\\mu_k$":
                      Measured(**evidence[4].data["exponent"])})


# ---------------------------------------------------------------------------------------------
# Z6 (evidence in specbias.claims.zhao_cutoffs)

@audits("Z6")
@single_threaded
def audit_z6(claim: Claim, ctx: AuditContext) -> Verdict:
    """Z6: the table k_d = eps^(-1/(d+3)), the threshold, the number of modes, widening."""
    sizes = (50, 100, 200) if ctx.quick else (100, 200, 400, 800)
    rows = measure_cutoffs(sizes, ctx)
    evidence = [cutoff_table_check(), cutoff_table_corrected(), threshold_reading(rows),
                resolved_modes(rows), widening(rows)]
    table_ok, _, threshold_ok, modes_ok, widening_ok = (e.passed for e in evidence)
    summary = ("The slide's table has "
               + ("no wrong entry" if table_ok else
                  f"{evidence[0].data['wrong']} entries that are not $\\varepsilon^{{-1/(d+3)}}$")
               + "; in float32 the number of resolved eigenvalues "
               + ("stays near $\\varepsilon^{-1/4}$" if modes_ok else "is far from "
                  "$\\varepsilon^{-1/4}$")
               + (" and does not grow with the width" if widening_ok else " and keeps growing")
               + ", consistent with the threshold $n \\varepsilon \\lambda_1$ "
               + ("read with the operator's $\\lambda_1$" if threshold_ok else
                  "only if read with the matrix's $\\lambda_1$")
               + ".")
    corrected = ", ".join(
        f"$k_{{{d}}} \\simeq {nearest(cutoff(EPS[DTYPE[prec]], d))}$"
        for (prec, d), _ in SLIDE_CUTOFFS.items() if prec == "single")
    corrected64 = ", ".join(
        f"$k_{{{d}}} \\simeq {nearest(cutoff(EPS[DTYPE[prec]], d))}$"
        for (prec, d), _ in SLIDE_CUTOFFS.items() if prec == "double")
    return Verdict(
        claim.id, claim.statement, evidence, summary=summary,
        correction="Table: single precision $\\varepsilon = 2^{-23}$: " + corrected
                   + "; double precision $\\varepsilon = 2^{-52}$: " + corrected64
                   + " (nearest integers of $\\varepsilon^{-1/(d+3)}$).",
        reason=f"Measured in $d = 1$ only (ReLU Gram matrices, $n \\le {sizes[-1]}$, NumPy "
               "eigvalsh); the rows $d > 1$ are checked as arithmetic. float64 resolves every "
               f"eigenvalue up to $n = {sizes[-1]}$, as $k_1 = 8192$ predicts.",
        measured={f"float32 eigenvalues resolved to 1% at $n = {sizes[-1]}$":
                      rows[-1]["resolved"],
                  "$\\varepsilon^{-1/4}$, single precision":
                      Approx(float(cutoff(EPS["float32"], 1)), 4)})
