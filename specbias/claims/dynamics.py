"""Audits of the order in which networks learn frequencies: P2 (Rahaman et al.) and L9 (the
frequency principle). Each runs its experiment through the sweep engine (:mod:`.experiments`) at
the profile it names in its verdict, and decides from the measured runs (Z9 is in
:mod:`.zhao_dynamics`).
"""

from __future__ import annotations

import numpy as np

from specbias.claims import AuditContext, Claim, audits, check
from specbias.claims.experiments import audit_profile, grid_runs, select
from specbias.numbers import Approx, num
from specbias.records import Evidence, Verdict, heatmap_plot, line_plot, table

# ---------------------------------------------------------------------------------------------
# P2


def _spearman(x, y) -> float:
    """Spearman's rank correlation (ties averaged)."""
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


@check("statement")
def p2_order(case: str, runs) -> Evidence:
    """Per case: the run-averaged normalized amplitude over training, its mean per frequency,
    and Spearman's rank correlation with the frequency (negative: lower frequencies first)."""
    S = np.mean([np.minimum(np.array(r["normalized_amplitude"]), 1.0) for _, r in runs], 0)
    freqs, steps = runs[0][1]["frequencies"], runs[0][1]["steps"]
    learned = S.mean(0)                                   # area under each learning curve
    rho = _spearman(freqs, learned)
    # ten frequencies: |rho| >= 0.79 is significant at the 1% level (two-sided)
    ok = rho <= -0.79
    half = [next((s for s, v in zip(steps, S[:, i]) if v >= 0.5), None) for i in range(len(freqs))]
    return Evidence(
        f"Order of learning, {case} amplitudes",
        f"Normalized amplitude $\\vert \\tilde{{f}}_k \\vert / A_k$ averaged over {len(runs)} runs; "
        f"Spearman correlation between $k$ and the time-averaged amplitude: {num(rho, 2)} "
        "(lower frequencies first means strongly negative; $-0.79$ is the 1% level for ten "
        "frequencies).", passed=ok,
        table=table(["$k$", "time-averaged amplitude", "first step at 0.5"],
                    [[k, Approx(v, 2), h if h is not None else "not reached"]
                     for k, v, h in zip(freqs, learned, half)]),
        plot=heatmap_plot(f"P2_{case}", steps, freqs, S.T.tolist(), xlabel="Adam iteration",
                          ylabel="frequency $k$", zlabel="normalized amplitude", vmin=0, vmax=1,
                          title=f"{case} amplitudes, mean over runs"),
        data={"spearman": rho})


@audits("P2")
def audit_p2(claim: Claim, ctx: AuditContext) -> Verdict:
    """P2: the Rahaman et al. heatmap for both amplitude cases, and the order of learning."""
    seeds = [0] if ctx.quick else ([0, 1] if audit_profile() == "quick" else list(range(10)))
    grid = {"case": ["equal", "rising"], "seed": seeds}
    if ctx.quick:
        grid["steps"] = 400
    runs = grid_runs(ctx, "rahaman", grid)
    evidence = [p2_order(case, select(runs, case=case)) for case in ("equal", "rising")]
    rhos = [e.data["spearman"] for e in evidence]
    summary = (f"Rank correlation of frequency and learned amplitude: {num(rhos[0], 2)} with equal "
               f"and {num(rhos[1], 2)} with rising amplitudes ({audit_profile()} profile, "
               f"{len(seeds)} runs per case).")
    return Verdict(claim.id, claim.statement, evidence, summary=summary,
                   reason=(f"{audit_profile()} profile: the network width, step size and "
                           "iterations of the experiment's profile (the paper: width 256, "
                           "lr $3 \\cdot 10^{-4}$, 60,000 iterations, full profile)."),
                   measured={"Spearman, equal amplitudes": Approx(rhos[0], 2),
                             "Spearman, rising amplitudes": Approx(rhos[1], 2)})


# ---------------------------------------------------------------------------------------------
# L9


def _settled(steps, errors, threshold: float) -> float:
    """The first recorded step from which the error stays at or below ``threshold`` (inf when
    it ends above): robust to the transient dips of Adam."""
    above = [i for i, e in enumerate(errors) if e > threshold]
    if not above:
        return float(steps[0])
    return float(steps[above[-1] + 1]) if above[-1] + 1 < len(steps) else np.inf


@check("statement")
def l9_curve(runs, threshold: float = 0.1) -> Evidence:
    """1D tanh network: the step from which the relative error of each frequency stays below
    ``threshold``; the order must follow the frequency."""
    freqs = runs[0][1]["frequencies"]
    times = []
    for _, r in runs:
        E = np.array(r["relative_error"])
        times.append([_settled(r["steps"], E[:, i], threshold) for i in range(len(freqs))])
    T = np.array(times, float)
    # censored times are +inf: inf >= inf counts as in order, the lowest frequency must be fitted
    ok = bool(np.all(T[:, 1:] >= T[:, :-1]) and np.isfinite(T[:, 0]).all())
    r0 = runs[0][1]
    E0 = np.array(r0["relative_error"])
    plot = line_plot("L9_curve", [{"label": f"$k = {k}$", "x": r0["steps"], "y": E0[:, i].tolist(),
                                   "style": "-"} for i, k in enumerate(freqs)],
                     xlabel="Adam iteration", ylabel="relative error $\\Delta_F(k)$", yscale="log",
                     title="tanh network 200-100-100-50, first seed")
    return Evidence("Relative error per frequency, 1D tanh network",
                    f"Target $\\sin x + 2 \\sin 3x + 3 \\sin 5x$; the step from which $\\Delta_F(k) \\le "
                    f"{threshold}$ holds in each of {len(runs)} runs, in order of $k$ in "
                    f"{'every' if ok else 'not every'} run.", passed=ok, plot=plot,
                    table=table(["seed"] + [f"$k = {k}$" for k in freqs],
                                [[i] + [int(t) if np.isfinite(t) else "not reached" for t in row]
                                 for i, row in enumerate(T)]))


@check("statement")
def l9_filter(runs) -> Evidence:
    """Digits: e_low below e_high at (almost) every recorded step after the start, in every run."""
    fracs = []
    for _, r in runs:
        lo, hi = np.array(r["e_low"][1:]), np.array(r["e_high"][1:])
        fracs.append(float(np.mean(lo < hi)))
    ok = min(fracs) >= 0.9
    r0 = runs[0][1]
    plot = line_plot("L9_filter", [
        {"label": "$e_{\\mathrm{low}}$", "x": r0["steps"], "y": r0["e_low"], "style": "-"},
        {"label": "$e_{\\mathrm{high}}$", "x": r0["steps"], "y": r0["e_high"], "style": "--"}],
        xlabel="Adam iteration", ylabel="relative error", title="Filtering method on the digits")
    return Evidence(
        "Filtering method on scikit-learn's digits",
        f"Gaussian filter with $\\delta = {runs[0][0]['delta']}$ (low part holds "
        f"{num(r0['low_energy_share'], 2)} of the labels' energy); $e_{{\\mathrm{{low}}}} < "
        f"e_{{\\mathrm{{high}}}}$ at a share {', '.join(num(f, 2) for f in fracs)} of the recorded "
        "steps (rule: at least 0.9 in every run).", passed=ok, plot=plot,
        data={"fractions": fracs})


@audits("L9")
def audit_l9(claim: Claim, ctx: AuditContext) -> Verdict:
    """L9: per-frequency errors of the lecture's tanh network, and the filtering method."""
    seeds = [0] if ctx.quick else [0, 1, 2]
    curve = grid_runs(ctx, "fprinciple", dict(seed=seeds, **({"steps": 600} if ctx.quick else {})))
    filt = grid_runs(ctx, "fprinciple_filter",
                     dict(seed=seeds, **({"steps": 150, "samples": 300} if ctx.quick else {})))
    evidence = [l9_curve(curve), l9_filter(filt)]
    ok = [e.passed for e in evidence]
    summary = (f"Low frequencies were fitted first in {'every' if ok[0] else 'not every'} 1D run, "
               f"and the filtered low part had the smaller error {'throughout' if ok[1] else 'not throughout'} "
               f"on the digits ({audit_profile()} profile, {len(seeds)} seeds).")
    return Verdict(claim.id, claim.statement, evidence, summary=summary,
                   reason=(f"{audit_profile()} profile; the digits (64 pixels, shipped with "
                           "scikit-learn) stand in for MNIST and CIFAR-10, which would have to be "
                           "downloaded."),
                   measured={"smallest share of steps with the low error below the high":
                             Approx(min(evidence[1].data["fractions"]), 2)})
