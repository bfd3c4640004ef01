"""Audits of training dynamics per frequency: Z9 (Zhao), P2 (Rahaman et al.), L9 (frequency
principle). Each runs its experiment through the sweep engine (:mod:`.experiments`) at the
profile it names in its verdict, and decides from the measured runs.
"""

from __future__ import annotations

import numpy as np

from specbias.claims import AuditContext, Claim, audits, check
from specbias.claims.experiments import audit_profile, fit_exponent, grid_runs, select
from specbias.numbers import Approx, Measured, num
from specbias.records import Evidence, Verdict, heatmap_plot, line_plot, table

# ---------------------------------------------------------------------------------------------
# Z9

Z9_VARIANTS = {  # label: overrides of the zhao_dynamics experiment
    "ReLU, trained biases, GD": dict(activation="relu", biases="trained", optimizer="gd"),
    "ReLU, fixed biases, GD": dict(activation="relu", biases="fixed", optimizer="gd"),
    "ReLU, trained biases, Adam": dict(activation="relu", biases="trained", optimizer="adam"),
    "ReLU squared, trained biases, GD": dict(activation="relu2", biases="trained", optimizer="gd"),
}


def _z9_modes(ctx: AuditContext, label: str) -> list[int]:
    if audit_profile() == "full":
        return [1, 2, 3, 4, 6, 8]
    expensive = "fixed" in label or "squared" in label   # T grows like m^4 and faster
    return [1, 2] if ctx.quick else ([1, 2, 3] if expensive else [1, 2, 3, 4])


def _halving_table(runs, modes) -> list[list]:
    """Per mode, the halving steps of every seed (None: not halved within max_steps)."""
    return [[r["halving_steps"] for c, r in select(runs, mode=m)] for m in modes]


@check("approximation")
def z9_lower_bound(label: str, fit, bound: int) -> Evidence:
    """The fitted exponent p of T(m) ~ m^p against the claimed lower bound O(m^bound)."""
    ok = fit is not None and fit.value + 2 * fit.stderr >= bound
    p = num(fit.exponent) if fit else "none (fewer than two modes halved)"
    return Evidence(
        f"Halving time against $m$ ({label}) beside $O(m^{{{bound}}})$",
        f"{label}: the steps $T(m)$ to halve the error in mode $m$ grow like $m^{{p}}$ with "
        f"$p = $ {p} over $m \\in \\{{{', '.join(map(str, fit.xs if fit else []))}\\}}$ (standard "
        f"error over seeds). A lower bound $T \\ge C m^{{{bound}}}$ is consistent when "
        f"$p + 2\\,\\mathrm{{se}} \\ge {bound}$."
        + (f" Not halved within the step budget: $m = {fit.censored}$." if fit and fit.censored else ""),
        passed=ok, data={"exponent": fit.value if fit else None,
                         "stderr": fit.stderr if fit else None, "bound": bound})


@check("refinement")
def z9_fixed_is_linear(runs) -> Evidence:
    """With fixed biases GD on a is linear: the measured halving step equals the prediction
    of the dynamics linearized at initialization, run by run."""
    pairs = [(r["halving_steps"], r["linear_halving_steps"]) for _, r in runs]
    same = all(a == b for a, b in pairs)
    return Evidence(
        "Fixed biases: training equals its linearization",
        "With the biases fixed, $E$ is quadratic in $a$, so GD is $r_{t+1} = (I - \\eta K) r_t$ "
        "with the Gram kernel $K$ of the ReLU units, whose eigenvalues decay like $k^{-4}$ "
        "(claim Z2): the halving time of mode $m$ is then about $\\lambda_1/\\lambda_{2m}$, i.e. "
        f"of order $m^4$. Measured against predicted halving steps for {len(pairs)} runs: "
        f"{'identical in every run' if same else 'different in some run'}.",
        passed=same, table=table(["measured steps", "linearized prediction"],
                                 [[a if a is not None else "not halved", b if b is not None else "beyond budget"]
                                  for a, b in pairs]))


@check("statement")
def z9_smoother_slower(relu_runs, smooth_runs, modes) -> Evidence:
    """ReLU squared against ReLU (both trained biases, GD): halving steps at each mode."""
    rows, ok = [], True
    for m in modes:
        a = [r["halving_steps"] for _, r in select(relu_runs, mode=m)]
        b = [r["halving_steps"] for _, r in select(smooth_runs, mode=m)]
        slower = all(x is not None for x in a) and (None in b or np.mean(b) > np.mean(a))
        ok &= slower
        rows.append([m, Approx(np.mean(a), 3) if None not in a else "not halved",
                     Approx(np.mean(b), 3) if None not in b else "not halved"])
    return Evidence("Smoother activation: ReLU squared against ReLU",
                    "Seed-mean steps to halve the error in mode $m$, trained biases, GD at "
                    "$\\eta = 1/\\lambda_{\\max}$ of each network; the smoother unit is slower "
                    f"at {'every' if ok else 'not every'} mode measured.", passed=ok,
                    table=table(["$m$", "ReLU", "ReLU squared"], rows))


@check("statement")
def z9_adam_grows(fit, gd_fit) -> Evidence:
    """Adam's halving time grows with m (p > 0 by two standard errors), beside GD's exponent."""
    ok = fit is not None and fit.value - 2 * fit.stderr > 0
    return Evidence("Adam: halving time against $m$",
                    f"Adam at a fixed step size: $p = $ {num(fit.exponent) if fit else 'none'} "
                    f"(GD: {num(gd_fit.exponent) if gd_fit else 'none'}); the high modes are "
                    f"{'also' if ok else 'not'} learned later.", passed=ok,
                    data={"exponent": fit.value if fit else None})


def _z9_plot(fits: dict) -> dict:
    series = []
    for g, (label, fit) in enumerate(fits.items()):
        if fit is not None:
            series.append({"label": label, "x": fit.xs, "y": fit.means, "style": "o-", "group": g})
    for p in (1, 2, 3):
        series.append({"label": f"$m^{p}$ (from the first point)", "x": [1, 8],
                       "y": [30, 30 * 8 ** p], "style": ":"})
    return line_plot("Z9_halving", series, xlabel="Fourier mode $m$",
                     ylabel="steps to halve the error in mode $m$", xscale="log", yscale="log",
                     legend="outside", title="Two-layer network on (-1, 1), target sin of pi m x")


@audits("Z9")
def audit_z9(claim: Claim, ctx: AuditContext) -> Verdict:
    """Z9: halving times per Fourier mode for four training variants, exponents over seeds."""
    seeds = [0, 1] if ctx.quick else [0, 1, 2]
    runs, fits = {}, {}
    for label, over in Z9_VARIANTS.items():
        modes = _z9_modes(ctx, label)
        runs[label] = grid_runs(ctx, "zhao_dynamics", dict(over, mode=modes, seed=seeds))
        fits[label] = fit_exponent(modes, _halving_table(runs[label], modes))
    labels = list(Z9_VARIANTS)
    evidence = [z9_lower_bound(labels[0], fits[labels[0]], 1),
                z9_lower_bound(labels[0], fits[labels[0]], 2),
                z9_lower_bound(labels[1], fits[labels[1]], 3),
                z9_fixed_is_linear(runs[labels[1]]),
                z9_smoother_slower(runs[labels[0]], runs[labels[3]], _z9_modes(ctx, labels[3])),
                z9_adam_grows(fits[labels[2]], fits[labels[0]])]
    evidence[0].plot = _z9_plot(fits)
    exps = {k: (f.exponent if f else None) for k, f in fits.items()}
    fixed = exps[labels[1]]
    summary = ("Measured halving-time exponents: " + "; ".join(
        f"{k} {num(v) if v else 'none'}" for k, v in exps.items())
        + f" ({audit_profile()} profile, {len(seeds)} seeds).")
    return Verdict(
        claim.id, claim.statement, evidence, summary=summary,
        refinement=("With fixed biases GD is linear and its halving time equals the kernel "
                    "prediction, of order $m^{4}$ from the $k^{-4}$ decay of the Gram eigenvalues "
                    f"(measured exponent {num(fixed) if fixed else 'none'}): the $O(m^{{3}})$ bound "
                    "holds but is not sharp."),
        reason=("Exponents are fitted over a few low modes at the sizes of the "
                f"{audit_profile()} profile (width and grid in the experiment's profile); the "
                "claims are lower bounds for gradient flow, measured here as GD steps at "
                "$\\eta = 1/\\lambda_{\\max}$."),
        measured={f"exponent, {k}": v for k, v in exps.items() if v is not None})


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
