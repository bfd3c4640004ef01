"""Audit of the deep NTK recursion (B3) against empirical NTKs and backward vectors.

The slide's network (Arora et al., NeurIPS 2019, Eq. (3)): f^(h) = W^(h) g^(h-1), g^(h) =
sqrt(c_sigma/d_h) sigma(f^(h)), g^(0) = x, standard normal weights, no biases, c_sigma = 2 for
the ReLU. It is :class:`~specbias.verify.models.DeepFC` (ntk parametrization, sigma_w^2 = 2,
sigma_b^2 = 0) applied to sqrt(d/2) x, and the recursion of
:func:`specbias.derive.ntk.kernels.derive_ntk` is written in the slide's indexing. Every
tolerance follows from the number of networks (seeds) and widths measured.
"""

from __future__ import annotations

import math

import numpy as np
import sympy
import torch
from scipy import stats

from specbias.claims import AuditContext, Claim, audits, check
from specbias.claims.widths import falls, seed_mean
from specbias.derive.ntk.arccos import dual_activation
from specbias.derive.ntk.deviation import angular_deviation, arccos_deviation, reference_deviation
from specbias.derive.ntk.kernels import derive_ntk, kernels, unrolled_ntk
from specbias.notation import inline
from specbias.numbers import Approx, Measured, num
from specbias.records import Evidence, Verdict, line_plot, table
from specbias.verify.empirical_ntk import empirical_ntk, fit_power_law
from specbias.verify.models import torch_threads, DeepFC

#: The slide's network: L = 2 hidden ReLU layers, c_sigma = 2, no biases.
DEPTH, WEIGHT_VAR, BIAS_VAR = 2, 2.0, 0.0
#: Family-wise false-alarm probability of each entrywise test (Bonferroni over the entries).
ALPHA = 0.01
#: A fitted slope's tolerance, in standard errors (two-sided normal quantile 0.99).
Z_SLOPE = 2.576
#: The inputs: INPUT_SETS seeded sets of INPUTS standard normal points in R^INPUT_DIM. The error
#: of a finite network depends on the inputs (by up to a factor 2 between sets), so every number
#: is averaged over the sets; each network is evaluated on every set.
INPUT_SETS, INPUTS, INPUT_DIM = 4, 6, 3


def input_sets(seed: int, count: int = INPUT_SETS) -> list[torch.Tensor]:
    """``count`` seeded input sets (float64)."""
    rng = np.random.default_rng(seed)
    return [torch.tensor(rng.standard_normal((INPUTS, INPUT_DIM)), dtype=torch.float64)
            for _ in range(count)]


def backward_vectors(model: DeepFC, X: torch.Tensor) -> list[torch.Tensor]:
    """b^(h)(x) = df/df^(h)(x) for each hidden layer h, rows = inputs (torch.func.jacrev)."""
    shifts = [torch.zeros(w.shape[0], dtype=X.dtype, device=X.device) for w in model.weights[:-1]]
    jac = torch.func.vmap(torch.func.jacrev(lambda s, x: model(x[None], s)[0]), (None, 0))
    return [j.detach() for j in jac(shifts, X)]


@torch_threads(1)  # small networks: one thread costs a tenth of two
def sample_networks(sets: list, widths, seeds, progress=None) -> tuple[dict, list]:
    """Empirical NTKs {width: array (seeds, sets, n, n)}, each network on every input set; at
    the largest width also the Gram matrices of the backward vectors of each hidden layer,
    [array (seeds, sets, n, n) per layer]."""
    ntks, backward = {}, None
    for m in widths:
        mats, grams = [], []
        for s in seeds:
            model = DeepFC(INPUT_DIM, m, DEPTH, "relu", "ntk", WEIGHT_VAR, BIAS_VAR, seed=s)
            mats.append([empirical_ntk(model, X).numpy() for X in sets])
            if m == widths[-1]:
                grams.append([[(b @ b.T).numpy() for b in backward_vectors(model, X)]
                              for X in sets])
            if progress is not None:
                progress(f"B3: width {m}, seed {s}")
        ntks[m] = np.array(mats)
        if m == widths[-1]:
            backward = [np.array([[g[k][h] for k in range(len(sets))] for g in grams])
                        for h in range(DEPTH)]
    return ntks, backward


def network_errors(samples: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Each network's relative Frobenius error, averaged over the input sets: samples (S, sets,
    n, n) against predicted (sets, n, n)."""
    per_set = (np.linalg.norm(samples - predicted, axis=(2, 3))
               / np.linalg.norm(predicted, axis=(1, 2)))
    return per_set.mean(1)


def seed_mean_test(samples: np.ndarray, predicted: np.ndarray) -> dict:
    """Entrywise Student t-test of the seed mean of ``samples`` (S, sets, n, n) against
    ``predicted`` (sets, n, n).

    Under the statement each network's matrix is the prediction plus a fluctuation of mean
    O(1/width) and spread O(1/sqrt(width)), so the seed mean differs from the prediction by its
    standard error. The threshold is the Student quantile with S - 1 degrees of freedom at
    ALPHA / (2 entries) (Bonferroni over the upper triangles of all sets). ``detectable`` is the
    smallest relative bias of a typical entry the test would have flagged.
    """
    S, n = samples.shape[0], samples.shape[-1]
    iu = np.triu_indices(n)
    mean, se = samples.mean(0)[:, iu[0], iu[1]], samples.std(0, ddof=1)[:, iu[0], iu[1]] / math.sqrt(S)
    pred = predicted[:, iu[0], iu[1]]
    t = np.abs(mean - pred) / se
    crit = float(stats.t.ppf(1 - ALPHA / (2 * t.size), S - 1))
    rel = network_errors(samples, predicted)
    return {"max_t": float(t.max()), "critical": crit, "seeds": S, "entries": int(t.size),
            "detectable": float(np.median(crit * se / np.abs(pred))),
            "rel_error": seed_mean(rel)}


def _test_text(res: dict) -> str:
    return (f"largest $\\vert t \\vert = {Approx(res['max_t'], 2).tex()}$ over {res['entries']} "
            f"entries, threshold {num(res['critical'], 2)} (Student $t$ with {res['seeds'] - 1} "
            f"degrees of freedom, family-wise false-alarm probability ${ALPHA}$); a bias of "
            f"{num(100 * res['detectable'], 2)}% of a typical entry would have been flagged")


@check("statement")
def recursion_derived(derivation) -> Evidence:
    """The derivation's own checks: the dual activation (diagonal, Price) and the unrolled form."""
    checks = dict(dual_activation("relu").checks)
    recursion, form = unrolled_ntk(DEPTH)
    checks["unrolled"] = sympy.expand(recursion - form)
    return Evidence(
        "The recursion, derived",
        "SymPy derives the dual activation of the ReLU (its checks, the diagonal against a "
        "one-dimensional integral and Price's theorem, leave "
        f"{inline(checks['diagonal'])} and {inline(checks['price'])}) and the layer recursion "
        "in the slide's indexing (below). Expanding $\\Theta^{(h)} = \\Sigma^{(h)} + "
        "\\Theta^{(h-1)} \\dot{\\Sigma}^{(h)}$ reproduces the sum $\\sum_{h=0}^{L} \\Sigma^{(h)} "
        "\\prod_{h' > h} \\dot{\\Sigma}^{(h')}$ of Arora et al. with residual "
        f"{inline(checks['unrolled'])}.", passed=all(v == 0 for v in checks.values()),
        derivation=derivation, data={k: sympy.sstr(v) for k, v in checks.items()})


@check("statement")
def largest_width_ntk(samples: np.ndarray, analytic: np.ndarray, width: int) -> Evidence:
    """At the largest width: the empirical NTK against the recursion, with the seed spread."""
    res = seed_mean_test(samples, analytic)
    per_set = (np.linalg.norm(samples - analytic, axis=(2, 3))
               / np.linalg.norm(analytic, axis=(1, 2)))
    return Evidence(
        f"The empirical NTK at width {width} against the recursion",
        f"{res['seeds']} networks of width {width} (float64, Jacobians by torch.func), each on "
        f"the {len(analytic)} input sets: the relative error $\\Vert \\hat{{\\Theta}} - \\Theta "
        "\\Vert_F / \\Vert \\Theta \\Vert_F$ of one network, averaged over the sets, is "
        f"{num(res['rel_error'])} (mean and standard error over the networks); it depends on the "
        "inputs (table). Is that fluctuation or a wrong limit? The mean of the networks' NTKs "
        f"against the recursion, entry by entry: {_test_text(res)}.",
        passed=res["max_t"] <= res["critical"],
        table=table(["input set", "relative error (mean over networks)"],
                    [[k + 1, seed_mean(per_set[:, k])] for k in range(per_set.shape[1])]),
        data={**{k: (v.to_json() if hasattr(v, "to_json") else v) for k, v in res.items()},
              "per_set": per_set.mean(0).tolist()})


def relative_errors(ntks: dict, analytic: np.ndarray) -> dict:
    """{width: relative Frobenius error of each network's NTK against the recursion, averaged
    over the input sets}."""
    return {m: network_errors(ntks[m], analytic).tolist() for m in ntks}


@check("statement")
def error_falls(errors: dict) -> Evidence:
    """The relative error falls from the smallest to the largest width, beyond the seed spread."""
    ok, fall, numbers = falls(errors)
    rows = [[m, seed_mean(e)] for m, e in errors.items()]
    return Evidence(
        "The empirical NTK converges to the recursion",
        "The relative error of each network's NTK (averaged over the input sets), "
        f"widths {', '.join(str(m) for m in errors)}: {fall}.", passed=ok,
        table=table(["width $m$", "relative error (mean over networks)"], rows), data=numbers)


@check("refinement")
def rate(fit, seeds: int) -> Evidence:
    """The rate m^(-1/2), with a tolerance from the seeds and widths that a flat curve fails."""
    tol = Z_SLOPE * fit.slope_stderr
    resolves = tol <= 0.25
    consistent = abs(fit.slope + 0.5) <= tol
    widths = np.array(fit.widths, float)
    sem = [e * s / math.sqrt(seeds) for e, s in zip(fit.errors, fit.spread)]
    plot = line_plot("B3_width_convergence", [
        {"label": "measured (mean, standard error)", "x": widths, "y": fit.errors,
         "yerr": sem, "style": "o"},
        {"label": f"fit: $m^{{{Measured(fit.slope, fit.slope_stderr).tex()}}}$", "x": widths,
         "y": math.exp(fit.intercept) * widths ** fit.slope, "style": "--"}],
        xlabel="width $m$", ylabel="$\\Vert \\hat{\\Theta} - \\Theta \\Vert_F / \\Vert \\Theta "
                                   "\\Vert_F$",
        xscale="log", yscale="log", legend="outside",
        title=f"Depth-{DEPTH} ReLU network: empirical against analytic NTK")
    return Evidence(
        "The rate of convergence",
        f"Fluctuations of a sum over $m$ units shrink like $m^{{-1/2}}$. A power law fitted to the "
        "mean errors of the previous item (weighted least squares of their logarithms, weights "
        "from the seed spread, the error inflated by the misfit): the tolerance on the slope, "
        f"{num(Z_SLOPE, 3)} standard errors from {seeds} networks at each of {len(widths)} widths, is "
        f"{num(tol, 2)}: " + ("small enough that a flat curve (slope 0) fails it, " if resolves else
                              "too wide to tell a converging curve from a flat one (at most 0.25 "
                              "is needed), ")
        + f"and the fitted slope {num(Measured(fit.slope, fit.slope_stderr))} is "
        + ("consistent with $-1/2$." if consistent else "not consistent with $-1/2$."),
        passed=resolves and consistent, plot=plot)


@check("statement")
def backward_products(grams: list, histories: list, width: int) -> Evidence:
    """<b^(h)(x), b^(h)(x') > of the networks against the product of the derivative kernels."""
    rows, results = [], []
    for h, samples in enumerate(grams, start=1):
        predicted = np.ones(samples.shape[1:])
        for k, history in enumerate(histories):
            for _, sigdot in history[h - 1:]:
                predicted[k] = predicted[k] * sigdot.numpy()
        res = seed_mean_test(samples, predicted)
        results.append(res)
        rows.append([h, res["rel_error"], Approx(res["max_t"], 2), Approx(res["critical"], 2)])
    return Evidence(
        "Backward vectors",
        f"At width {width}, the backward vectors $b^{{(h)}}(x) = \\partial f / \\partial f^{{(h)}}(x)$ "
        "of the same networks on the same input sets: $\\langle b^{(h)}(x), b^{(h)}(x') "
        "\\rangle$ against $\\prod_{h'=h}^{L} \\dot{\\Sigma}^{(h')}(x, x')$, entry by entry as for "
        "the NTK.",
        passed=all(r["max_t"] <= r["critical"] for r in results),
        table=table(["hidden layer $h$", "relative error of one network (mean over sets)",
                     "largest $\\vert t \\vert$", "threshold"], rows),
        data={"max_t": [r["max_t"] for r in results], "critical": results[0]["critical"]})


@check("reference")
def deviation_accuracy(depth: int, thetas: np.ndarray) -> Evidence:
    """The engine's float64 kernel deviation against mpmath at 60 digits, down to tiny angles."""
    fast = angular_deviation(thetas, depth, "relu", WEIGHT_VAR, BIAS_VAR, "ntk", dim=3)
    stable, naive = [], []
    for i, t in enumerate(thetas):
        ref = reference_deviation(t, depth, "relu", WEIGHT_VAR, BIAS_VAR, "ntk", dim=3)
        base = arccos_deviation(t, depth, "relu", WEIGHT_VAR, BIAS_VAR, "ntk", dim=3)
        stable.append(max(abs(fast[k][i] / float(ref[k]) - 1) for k in (0, 1)))
        naive.append(max(min(1.0, abs(base[k] / float(ref[k]) - 1)) for k in (0, 1)))
    floor = 1e-17  # plotted in place of an exact 0 on the log axis
    worst, naive_small = max(stable), min(naive[: max(1, len(thetas) // 3)])
    plot = line_plot("B3_deviation_accuracy", [
        {"label": "angles and series (specbias)", "x": thetas, "y": np.maximum(stable, floor),
         "style": "o-"},
        {"label": "arccos of the rounded cosine", "x": thetas, "y": np.maximum(naive, floor),
         "style": "s--"}],
        xlabel="angle $\\theta$ between the inputs",
        ylabel="relative error of $\\Theta(x, x) - \\Theta(x, x')$",
        title=f"Depth-{depth} ReLU NTK deviation: float64 against mpmath (60 digits)",
        xscale="log", yscale="log")
    # Each layer costs a few ulps; 1e-14 is 45 ulps of float64.
    return Evidence(
        "Float64 accuracy of the kernel near $\\theta = 0$",
        "The engine carries angles (Kahan's formula for the first, Taylor polynomials of "
        "$J_p(0) - J_p(\\theta)$ after), so the deviation $\\Theta(x, x) - \\Theta(x, x')$ keeps a "
        f"relative error of at most {num(worst)} for $\\theta$ from {num(thetas[0])} to "
        f"{num(thetas[-1])} at depth {depth} (required: below $10^{{-14}}$); arccos of the rounded "
        f"cosine has relative error {num(naive_small)} at the smallest angles.",
        passed=worst < 1e-14, plot=plot, data={"worst": worst})


@audits("B3")
def audit_b3(claim: Claim, ctx: AuditContext) -> Verdict:
    """B3: the deep NNGP/NTK recursion against empirical NTKs and backward vectors, averaged over
    several input sets."""
    sets = input_sets(ctx.seed + 2, 2 if ctx.quick else INPUT_SETS)
    histories: list = [[] for _ in sets]
    analytic = np.array([kernels(X, X, DEPTH, "relu", WEIGHT_VAR, BIAS_VAR, "ntk", xp=torch,
                                 history=hist)[1].numpy() for X, hist in zip(sets, histories)])
    widths = [128, 1024] if ctx.quick else [128, 256, 512, 1024, 2048]
    seeds = list(range(ctx.seed, ctx.seed + (8 if ctx.quick else 12)))
    ntks, grams = sample_networks(sets, widths, seeds, ctx.note)
    errors = relative_errors(ntks, analytic)
    fit = fit_power_law(list(errors), list(errors.values()), mean="arithmetic")
    evidence = [recursion_derived(derive_ntk("relu", DEPTH, False, "ntk")),
                largest_width_ntk(ntks[widths[-1]], analytic, widths[-1]),
                error_falls(errors), rate(fit, len(seeds)),
                backward_products(grams, histories, widths[-1]),
                deviation_accuracy(3, np.logspace(-12, 0, 7 if ctx.quick else 13))]
    err = seed_mean(errors[widths[-1]])
    per_set = evidence[1].data["per_set"]
    holds = all(e.passed for e in evidence if e.tests == "statement")
    where = f"averaged over {len(sets)} sets of {INPUTS} inputs in $\\mathbb{{R}}^{INPUT_DIM}$"
    summary = (f"The recursion is the limit: at width {widths[-1]} the empirical NTKs differ from "
               f"it by {num(err)} (relative, {where}) with no significant bias, the error falls "
               f"like $m^{{{Measured(fit.slope, fit.slope_stderr).tex()}}}$ (a fit over widths "
               f"{widths[0]} to {widths[-1]}), and the backward vectors converge to the products "
               "of the derivative kernels." if holds else
               "A check of the recursion fails: " + "; ".join(
                   e.title for e in evidence if e.tests == "statement" and not e.passed) + ".")
    return Verdict(
        claim.id, claim.statement, evidence, summary=summary,
        refinement="The empirical NTK of a network of width $m$ differs from the recursion by "
                   "$O(m^{-1/2})$ (relative, in Frobenius norm)." if evidence[3].passed else None,
        reason=f"Checked on the slide's network with $L = {DEPTH}$ hidden ReLU layers, "
               "$c_\\sigma = 2$ and no biases (the engine's ntk parametrization with "
               "$\\sigma_w^2 = 2$, $\\sigma_b = 0$, which is the slide's network at the inputs "
               f"$\\sqrt{{2/d}} \\, x$), {where}, widths up to {widths[-1]}. The error of a "
               "network depends on the inputs (at the largest width its mean over the networks "
               f"ranges from {num(min(per_set), 2)} to {num(max(per_set), 2)} between the sets), "
               "so the numbers are means over the sets.",
        measured={f"relative error at width {widths[-1]}, {where}": err,
                  "slope of the error against the width": Measured(fit.slope, fit.slope_stderr),
                  "float64 error of the deviation": Approx(evidence[-1].data["worst"])})
