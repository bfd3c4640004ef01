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
                   reason=(f"{audit_profile().capitalize()} profile: width {c0['width']}, lr {c0['lr']}, "
                           f"{c0['steps']} iterations (the paper: width 256, lr "
                           "$3 \\cdot 10^{-4}$, 60,000 iterations, 10 runs: the full profile); "
                           "the order is checked on the frequencies that get to half their "
                           "amplitude within the run, the higher ones are not reached."),
                   measured={f"runs in order, {case} amplitudes": e.data["in_order"]
                             for case, e in zip(cases, evidence)})


# ---------------------------------------------------------------------------------------------
# L9

#: The relative error Delta_F(k) starts near 1 (the network starts near 0); a frequency counts as
#: learned when its error has halved.
HALF = 0.5


def _curve_times(run: dict) -> tuple[list, list]:
    """Per frequency: the first recorded step with Delta_F(k) <= 1/2, and the time-averaged
    error (trapezoid over the recorded steps of min(Delta_F(k), 1), divided by the run's length)."""
    E = np.minimum(np.array(run["relative_error"]), 1.0)
    steps = np.array(run["steps"], float)
    first = [next((int(t) for t, v in zip(steps, E[:, i]) if v <= HALF), None)
             for i in range(E.shape[1])]
    mean = (np.sum((E[1:] + E[:-1]) / 2 * np.diff(steps)[:, None], 0) / (steps[-1] - steps[0]))
    return first, mean.tolist()


def _increasing(values) -> bool:
    """Strictly increasing, every value present (a tie or a missing time is not an order)."""
    return None not in values and all(u < v for u, v in zip(values, values[1:]))


@check("statement")
def l9_curve(runs) -> Evidence:
    """1D tanh network: per seed, the frequencies in order of k both by the first step at which
    their error halves and by their time-averaged error (strictly: ties fail)."""
    freqs = runs[0][1]["frequencies"]
    rows, ordered = [], []
    for c, r in runs:
        first, mean = _curve_times(r)
        ordered.append(_increasing(first) and _increasing(mean))
        rows.append([c["seed"], *[t if t is not None else "not reached" for t in first],
                     *[Approx(v, 2) for v in mean], "yes" if ordered[-1] else "no"])
    ok = all(ordered)
    r0 = runs[0][1]
    E0 = np.array(r0["relative_error"])
    plot = line_plot("L9_curve", [{"label": f"$k = {k}$", "x": r0["steps"], "y": E0[:, i].tolist(),
                                   "style": "-"} for i, k in enumerate(freqs)],
                     xlabel="Adam iteration", ylabel="relative error $\\Delta_F(k)$", yscale="log",
                     title="tanh network 200-100-100-50, first seed")
    return Evidence(
        "Relative error per frequency, 1D tanh network",
        f"Target $\\sin x + 2 \\sin 3x + 3 \\sin 5x$, Adam at learning rate {runs[0][0]['lr']}; "
        f"errors recorded every {runs[0][0]['record_every']} steps; per seed, the first step with "
        f"$\\Delta_F(k) \\le {HALF}$ (the error halved) and the time-averaged error; the frequencies come in order of $k$ by both, strictly, in "
        f"{sum(ordered)} of {len(runs)} seeds.", passed=ok, plot=plot,
        data={"in_order": sum(ordered), "seeds": len(runs)},
        table=table(["seed"] + [f"halved, $k = {k}$" for k in freqs]
                    + [f"mean error, $k = {k}$" for k in freqs] + ["in order"], rows))


#: The filter rule: when the low part's error first falls to LOW (80% learned), the high part's
#: must still be at least 1 - LOW (at most 20% learned), and it must halve later in the run.
LOW = 0.2


def filter_order(e_low, e_high) -> tuple[bool, dict]:
    """(passed, numbers) of the filter rule for one error curve pair (or a constant predictor
    given as one-point curves)."""
    t = next((i for i, v in enumerate(e_low) if v <= LOW), None)
    if t is None:
        return False, {"e_high_then": None, "later_half": False}
    later = any(v <= HALF for v in e_high[t:])
    return e_high[t] >= 1 - LOW and later, {"e_high_then": e_high[t], "step": t,
                                            "later_half": later}


@check("statement")
def l9_filter(runs) -> Evidence:
    """Digits: the low part is learned first. At the first recorded step where e_low <= 0.2,
    e_high >= 0.8, and e_high falls to 1/2 later in the run. Two predictors that learn nothing
    in time (the label mean, an affine least-squares map: both smoother than the labels, so
    e_low < e_high for them too) are shown failing the same rule."""
    rows, ok = [], True
    for c, r in runs:
        passed, d = filter_order(r["e_low"], r["e_high"])
        ok &= passed
        rows.append([f"network, seed {c['seed']}", r["steps"][d["step"]] if "step" in d else "never",
                     Approx(d["e_high_then"], 2) if d["e_high_then"] is not None else "",
                     Approx(max(r["e_high"]), 2), Approx(r["e_high"][-1], 2),
                     "yes" if passed else "no"])
    r0 = runs[0][1]
    for name, (lo, hi) in r0["baselines"].items():
        passed, _ = filter_order([lo], [hi])
        rows.append([f"{name} (seed {runs[0][0]['seed']})", "never" if lo > LOW else "at once",
                     "" if lo > LOW else Approx(hi, 2), Approx(hi, 2), Approx(hi, 2),
                     "yes" if passed else "no"])
    sc = r0["filter_scale"]
    peaks = [max(r["e_high"]) for _, r in runs]
    plot = line_plot("L9_filter", [
        {"label": "$e_{\\mathrm{low}}$", "x": r0["steps"], "y": r0["e_low"], "style": "-"},
        {"label": "$e_{\\mathrm{high}}$", "x": r0["steps"], "y": r0["e_high"], "style": "--"}],
        xlabel="Adam iteration", ylabel="relative error", title="Filtering method on the digits")
    return Evidence(
        "Filtering method on scikit-learn's digits",
        f"Gaussian filter of variance $\\delta = {runs[0][0]['delta']}$ in input space: with the "
        f"pixels in $[0, 1]$ the median squared distance to the nearest image is "
        f"{num(sc['nearest_sq_distance'], 2)}, so the filter averages each image with about "
        f"{num(sc['effective_neighbours'], 2)} others (weight {num(sc['self_weight'], 2)} on "
        f"itself) and the low part holds {num(r0['low_energy_share'], 2)} of the labels' energy "
        "(the slide's $\\delta = 3, 7, 10$ belong to MNIST and CIFAR10 at their own pixel scale; "
        f"here $\\delta = 3$ would average each image with about "
        f"{num(sc['effective_neighbours_delta3'], 2)} of the {runs[0][0]['samples']} images). "
        "Rule: when "
        f"$e_{{\\mathrm{{low}}}}$ first reaches {LOW}, $e_{{\\mathrm{{high}}}} \\ge {1 - LOW}$ "
        f"(the low part 80% learned, the high part at most 20%), and $e_{{\\mathrm{{high}}}}$ "
        f"halves later: {'met' if ok else 'not met'} in every run (meanwhile "
        f"$e_{{\\mathrm{{high}}}}$ first rises, to {num(min(peaks), 2)} to {num(max(peaks), 2)}). "
        "The rule separates learning "
        "low first from merely being smoother than the labels (which gives "
        "$e_{\\mathrm{low}} < e_{\\mathrm{high}}$ at once, as the two baselines do); it does not "
        "separate a network from other models trained by gradient descent, and the split "
        "depends on $\\delta$.", passed=ok, plot=plot,
        table=table(["predictor", "step where $e_{\\mathrm{low}} \\le 0.2$",
                     "$e_{\\mathrm{high}}$ then", "largest $e_{\\mathrm{high}}$",
                     "final $e_{\\mathrm{high}}$", "rule met"], rows))


@audits("L9")
def audit_l9(claim: Claim, ctx: AuditContext) -> Verdict:
    """L9: per-frequency errors of the lecture's tanh network, and the filtering method."""
    seeds = [0] if ctx.quick else ([0, 1, 2, 3, 4] if audit_profile() == "quick" else list(range(10)))
    curve = grid_runs(ctx, "fprinciple", dict(seed=seeds, **({"steps": 600} if ctx.quick else {})))
    filt_seeds = seeds[:3]
    filt = grid_runs(ctx, "fprinciple_filter",
                     dict(seed=filt_seeds, **({"steps": 400, "samples": 300} if ctx.quick else {})))
    evidence = [l9_curve(curve), l9_filter(filt)]
    ok = [e.passed for e in evidence]
    summary = (f"In {evidence[0].data['in_order']} of {len(seeds)} seeds of the 1D tanh network "
               "the frequencies halved their error, and had smaller time-averaged errors, in "
               f"order of $k$; on the digits the filtered low part was learned "
               f"{'first' if ok[1] else 'not first'} (80% while the high part was at most 20%, "
               f"in {'every' if ok[1] else 'not every'} run of {len(filt_seeds)}) "
               f"({audit_profile()} profile).")
    return Verdict(claim.id, claim.statement, evidence, summary=summary,
                   reason=(f"{audit_profile().capitalize()} profile; the digits (64 pixels, shipped with "
                           "scikit-learn) stand in for MNIST and CIFAR-10, which would have to be "
                           "downloaded; the order is tested between three frequencies in 1D and "
                           "two filtered parts in 64 dimensions."),
                   measured={"1D seeds in order": evidence[0].data["in_order"]})
