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


def half_steps(run: dict) -> list:
    """Per frequency, the first recorded step at which the normalized amplitude has gained half
    of what it lacked at step 0, (S_t - S_0) >= (1 - S_0)/2 (None: never within the run)."""
    S = np.array(run["normalized_amplitude"])
    goal = S[0] + 0.5 * (1 - S[0])
    return [next((t for t, v in zip(run["steps"], S[:, i]) if v >= goal[i]), None)
            for i in range(S.shape[1])]


def in_order(times: list) -> bool:
    """The frequencies learned are the lowest ones (none learned while a lower one is not), at
    strictly increasing steps (a tie is not an order). Vacuous when nothing was learned: see
    :func:`p2_enough_learning`."""
    learned = [t for t in times if t is not None]
    prefix = all(t is not None for t in times[:len(learned)])
    return prefix and all(u < v for u, v in zip(learned, learned[1:]))


def _learned(times: list) -> int:
    return sum(t is not None for t in times)


@check("statement")
def p2_order(case: str, runs) -> Evidence:
    """Per run: the steps at which each frequency reaches half its amplitude; the run is in order
    when the frequencies that get there are the lowest ones, at increasing steps."""
    freqs, steps = runs[0][1]["frequencies"], runs[0][1]["steps"]
    times = [half_steps(r) for _, r in runs]
    ordered = [in_order(t) for t in times]
    ok = all(ordered)
    counts = [_learned(t) for t in times]
    shown = min(len(freqs), max(counts) + 1)
    S = np.mean([np.minimum(np.array(r["normalized_amplitude"]), 1.0) for _, r in runs], 0)
    return Evidence(
        f"Order of learning, {case} amplitudes",
        f"Step at which $\\vert \\tilde{{f}}_k \\vert / A_k$ first gains half of what it lacked "
        f"at step 0, per run ({len(runs)} seeds); a run is in order when the frequencies that "
        "get there are the lowest ones, at strictly increasing steps. In order: "
        f"{sum(ordered)} of {len(runs)} runs, having learned {', '.join(map(str, counts))} of "
        f"{len(freqs)} frequencies.", passed=ok,
        table=table(["seed"] + [f"$k = {k}$" for k in freqs[:shown]] + ["in order"],
                    [[c["seed"], *[v if v is not None else "not reached" for v in t[:shown]],
                      "yes" if o else "no"] for (c, _), t, o in zip(runs, times, ordered)]),
        plot=heatmap_plot(f"P2_{case}", steps, freqs, S.T.tolist(), xlabel="Adam iteration",
                          ylabel="frequency $k$", zlabel="normalized amplitude", vmin=0, vmax=1,
                          title=f"{case} amplitudes, mean over runs"),
        data={"in_order": sum(ordered), "runs": len(runs), "learned": counts})


@check("reference")
def p2_enough_learning(runs_by_case: dict, need: int = 3) -> Evidence:
    """The order can only be tested on what was learned: every run must learn at least two
    frequencies, and the median run at least ``need``. An untrained network (whose initial
    spectrum already decays with k) fails here, so the order check cannot pass without
    learning."""
    rows, ok = [], True
    for case, runs in runs_by_case.items():
        counts = [_learned(half_steps(r)) for _, r in runs]
        good = min(counts) >= 2 and float(np.median(counts)) >= need
        ok &= good
        rows.append([case, ", ".join(map(str, counts)), "yes" if good else "no"])
    return Evidence("Enough frequencies learned to test the order",
                    "Frequencies reaching half their amplitude per run (rule: at least 2 in "
                    f"every run, at least {need} in the median run): "
                    f"{'met' if ok else 'not met'}.", passed=ok,
                    table=table(["amplitudes", "learned per run", "enough"], rows))


@audits("P2")
def audit_p2(claim: Claim, ctx: AuditContext) -> Verdict:
    """P2: the Rahaman et al. heatmap for both amplitude cases, and the order of learning."""
    seeds = [0] if ctx.quick else ([0, 1, 2] if audit_profile() == "quick" else list(range(10)))
    grid = {"case": ["equal", "rising"], "seed": seeds}
    if ctx.quick:
        grid.update(steps=1500, record_every=25)
    runs = grid_runs(ctx, "rahaman", grid)
    cases = {case: select(runs, case=case) for case in ("equal", "rising")}
    evidence = [p2_order(case, r) for case, r in cases.items()] + [p2_enough_learning(cases)]
    c0 = runs[0][0]
    parts = [f"{e.data['in_order']} of {e.data['runs']} runs with {case} amplitudes "
             f"(learning {min(e.data['learned'])} to {max(e.data['learned'])} of 10 frequencies)"
             for case, e in zip(cases, evidence)]
    summary = ("The frequencies that reached half their amplitude did so lowest first in "
               + " and ".join(parts) + f" ({audit_profile()} profile: width {c0['width']}, "
               f"{c0['steps']} Adam steps).")
    return Verdict(claim.id, claim.statement, evidence, summary=summary,
                   reason=(f"{audit_profile()} profile: width {c0['width']}, lr {c0['lr']}, "
                           f"{c0['steps']} iterations (the paper: width 256, lr "
                           "$3 \\cdot 10^{-4}$, 60,000 iterations, 10 runs: the full profile); "
                           "the order is checked on the frequencies that get to half their "
                           "amplitude within the run, the higher ones are not reached."),
                   measured={f"runs in order, {case} amplitudes": e.data["in_order"]
                             for case, e in zip(cases, evidence)})


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
