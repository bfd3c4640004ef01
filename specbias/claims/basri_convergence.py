"""Audit of Basri et al.'s convergence time on the circle (Lucchi's lecture, seeds/002): B7.

The story: gradient descent in the kernel regime, r(t) = (I - eta K_p)^t g, is run on the
continuum operator K_p of each two-piece density (Nystrom on a midpoint grid cut at the
breakpoints, :func:`specbias.verify.basri.continuum_grid`), not on random samples, so that no
sampling bias enters the fitted exponents; one step size eta serves every density, so that the
exponent in 1/p* is not mixed with the density's largest eigenvalue. The exponent in kappa, the
exponents in 1/p* of the whole circle and of the sparse half, and how sampled points approach the
continuum are measured; a trained network checks that networks follow the kernel prediction.
"""

from __future__ import annotations

import math

import numpy as np

from specbias.claims import AuditContext, Claim, audits, check
from specbias.claims.basri_sphere import DELTA, torch_threads
from specbias.derive.sphere.density import PiecewiseDensity
from specbias.numbers import Approx, Measured, num
from specbias.records import Evidence, Verdict, line_plot, table
from specbias.verify.basri import (KernelDynamics, basri_gram, circle_experiment, circle_points,
                                   continuum_grid, kernel_time, power_fit, sample_circle,
                                   train_times)

#: Density weights 1:w of the two halves [0, pi) (weight 1, the sparse half) and [pi, 2 pi).
WEIGHTS = (1, 2, 4, 8)
#: Allowance on a fitted exponent: the continuum times are deterministic; what is left is the
#: finite range (lower-order terms of the eigenvalues of a non-uniform density, 0.02 measured
#: between kappa = 3..11 and 11..61) and the grid (below 0.01 between 180 and 360 nodes, in
#: :func:`grid_converged`). A log factor of the tilde-O would add 1/ln(kappa), about 0.4 here:
#: the bare power is what is tested.
TOL = 0.1


def _sizes(ctx: AuditContext) -> dict:
    if ctx.quick:
        return {"nodes": 360, "kappa_ranges": [[3, 5, 7, 9, 11]], "kappa_density": [11],
                "sample_n": [100, 400], "seeds": 2, "net_n": 150, "net_width": 1000,
                "net_kappas": [2, 3]}
    return {"nodes": 1440, "kappa_ranges": [[3, 5, 7, 9, 11], [11, 21, 31, 41, 61]],
            "kappa_density": [11, 21], "sample_n": [100, 200, 400, 800, 1600], "seeds": 3,
            "net_n": 250, "net_width": 2000, "net_kappas": [2, 3, 4]}


def two_piece(weight: int) -> PiecewiseDensity:
    """Density 1 : ``weight`` on the halves [0, pi), [pi, 2 pi), normalized."""
    return PiecewiseDensity.from_pi_fractions([0, 1], [1, weight])


def continuum_times(nodes: int, kappas: list, kappa_density: list) -> dict:
    """Times to relative residual DELTA in L2(p), one eta = 1/max_p lambda_max for all densities:
    ``kappa[w]`` over the whole circle for each kappa list; ``region[kappa][name]`` per weight."""
    grids = {w: continuum_grid(two_piece(w), nodes) for w in WEIGHTS}
    dyn = {w: grids[w].dynamics(0.0) for w in WEIGHTS}
    lam_max = {w: float(d.values[-1]) for w, d in dyn.items()}
    for d in dyn.values():
        d.lr = 1.0 / max(lam_max.values())

    def time(w, kappa, mask=None):
        g = grids[w]
        return kernel_time(dyn[w], g.represent(np.cos(kappa * g.x)), DELTA, mask)

    out = {"lam_max": lam_max, "eta": 1.0 / max(lam_max.values()),
           "kappa": {w: [[time(w, k) for k in ks] for ks in kappas] for w in (1, 4)},
           "region": {}}
    for k in kappa_density:
        out["region"][k] = {name: [time(w, k, None if name == "whole circle" else
                                        (grids[w].x < np.pi) == (name == "sparse half"))
                                   for w in WEIGHTS]
                            for name in ("whole circle", "sparse half", "dense half")}
    return out


@check("reference")
def grid_converged(fine: dict, coarse: dict, nodes: int) -> Evidence:
    """The exponents in kappa on two grids (nodes and nodes/2) agree."""
    diffs = [abs(power_fit(ks, tf)[0] - power_fit(ks, tc)[0])
             for w in fine["kappa"] for ks, tf, tc in
             zip(fine["ks"], fine["kappa"][w], coarse["kappa"][w])]
    # the grid's error must stay well inside the allowance TOL of the checks (a quarter of it)
    return Evidence(
        "The continuum operator: grid convergence",
        f"Midpoint Nystrom grids of {nodes} and {nodes // 2} nodes cut at the breakpoints: the "
        f"fitted exponents in $\\kappa$ differ by at most {num(Approx(max(diffs), 2))} "
        f"(allowed {TOL / 4}).",
        passed=max(diffs) < TOL / 4, data={"max_diff": max(diffs)})


@check("statement")
def kappa_exponent(res: dict) -> Evidence:
    """Exponent of the time in kappa, for the densities 1:1 and 1:4, on each kappa range."""
    rows, series, fits = [], [], []
    for g, (w, per_range) in enumerate(res["kappa"].items()):
        for ks, t in zip(res["ks"], per_range):
            m = power_fit(ks, t)[0]
            fits.append(m)
            rows.append([f"1:{w}", f"{ks[0]} to {ks[-1]}", ", ".join(str(int(v)) for v in t),
                         Approx(m, 3)])
        series.append({"label": f"weights 1:{w}", "x": sum(res["ks"], []),
                       "y": sum(per_range, []), "style": "o-", "group": g})
    return Evidence(
        "Convergence time against the frequency on the circle",
        "Kernel-regime gradient descent on the continuum operator (no sampling), target "
        f"$\\cos(\\kappa x)$ for odd $\\kappa$, time to relative residual {DELTA} in "
        "$L^2(p)$; the fitted exponent of $t$ in $\\kappa$ is from "
        f"{num(Approx(min(fits), 3))} to {num(Approx(max(fits), 3))}, within "
        f"$2 + {TOL}$ (finite range and grid; a $\\kappa^3$ growth, or $\\kappa^2 \\log "
        "\\kappa$ over this range, would fail).",
        passed=max(fits) <= 2 + TOL,
        table=table(["weights", "$\\kappa$", "times", "exponent of $t$ in $\\kappa$"], rows),
        plot=line_plot("B7_convergence_times", series, xlabel="$\\kappa$",
                       ylabel="iterations to relative residual 0.05", xscale="log",
                       yscale="log", title="Convergence times on the circle (continuum)",
                       xticks=[k for k in (3, 5, 7, 11, 21, 41, 61) if k in sum(res["ks"], [])]),
        data={"fits": fits})


def _density_fits(res: dict) -> dict:
    inv_p = [1 / float(two_piece(w).min_density()) for w in WEIGHTS]
    return {(k, name): power_fit(inv_p, t)[0] for k, by in res["region"].items()
            for name, t in by.items()}


@check("statement")
def density_exponent(res: dict) -> Evidence:
    """Exponents of the time in 1/p*, whole circle and sparse half, one eta for all densities."""
    fits = _density_fits(res)
    rows = []
    for k, by in res["region"].items():
        for name, t in by.items():
            rows.append([k, name, ", ".join(str(int(v)) for v in t), Approx(fits[(k, name)], 3)])
    ratios = {k: [s / d for s, d in zip(by["sparse half"], by["dense half"])]
              for k, by in res["region"].items()}
    k0 = min(ratios)
    bound = [fits[(k, n)] for k, n in fits if n != "dense half"]
    return Evidence(
        "Convergence time against the minimum density",
        f"Weights 1:1, 1:2, 1:4, 1:8 ($p^* = 1/(\\pi(1 + w))$), one step size "
        f"$\\eta = 1/\\max_p \\lambda_{{\\max}}$ for all; times to relative residual {DELTA} in "
        "$L^2(p)$ on the whole circle and on each half. The claim's $1/p^*$ holds if the "
        f"exponents of the whole circle and of the sparse half are at most $1 + {TOL}$ (largest "
        f"{num(Approx(max(bound), 3))}). Sparse over dense half at $\\kappa = {k0}$: "
        + ", ".join(f"{num(Approx(r, 3))}" for r in ratios[k0][1:])
        + " for density ratios 2, 4, 8.",
        passed=max(bound) <= 1 + TOL,
        table=table(["$\\kappa$", "region", "times for weights 1, 2, 4, 8",
                     "exponent in $1/p^*$"], rows),
        data={"fits": {f"{k}/{n}": v for (k, n), v in fits.items()}, "ratios": ratios})


@check("refinement")
def bound_is_sharp(res: dict) -> Evidence:
    """The bound is attained: exponent 2 in kappa and 1 in 1/p* for the sparse half."""
    m = [power_fit(ks, t)[0] for per in res["kappa"].values() for ks, t in zip(res["ks"], per)]
    b = [v for (k, n), v in _density_fits(res).items() if n == "sparse half"]
    return Evidence(
        "The bound is sharp",
        f"The exponents in $\\kappa$ ({num(Approx(min(m), 3))} to {num(Approx(max(m), 3))}) "
        f"and the sparse half's exponents in $1/p^*$ ({num(Approx(min(b), 3))} to "
        f"{num(Approx(max(b), 3))}) are within {TOL} of 2 and 1: neither power can be lowered.",
        passed=min(m) >= 2 - TOL and min(b) >= 1 - TOL,
        data={"kappa": m, "density": b})


@check("context")
def sampled_against_continuum(sizes: dict, seed: int, continuum: float) -> Evidence:
    """The exponent in kappa from n random samples (eta = 1/lambda_max of the sample) against n:
    the sampling bias of small n."""
    ks = sizes["kappa_ranges"][0]
    rows, bias = [], []
    for n in sizes["sample_n"]:
        sl = [power_fit(ks, circle_experiment(two_piece(1), ks, n, DELTA, seed + 17 * s)
                        ["kernel"])[0] for s in range(sizes["seeds"])]
        m, se = float(np.mean(sl)), float(np.std(sl, ddof=1) / math.sqrt(len(sl)))
        rows.append([n, Measured(m, se), Approx(m - continuum, 2)])
        bias.append(m - continuum)
    k = int(np.argmax(np.abs(bias)))
    return Evidence(
        "Random samples against the continuum",
        f"Uniform density, $\\kappa$ = {ks[0]} to {ks[-1]}: the exponent fitted on $n$ random "
        f"points (mean and standard error over {sizes['seeds']} seeds) against the continuum's "
        f"{num(Approx(continuum, 3))}: off by up to {num(Approx(bias[k], 2))} (at "
        f"$n = {sizes['sample_n'][k]}$), by {num(Approx(bias[-1], 2))} at the largest "
        f"$n = {sizes['sample_n'][-1]}$.",
        table=table(["$n$", "exponent of $t$ in $\\kappa$", "minus the continuum's"], rows),
        data={"bias": bias})


@check("reference")
def circle_network_follows_kernel(sizes: dict, seed: int) -> Evidence:
    """A trained network on S^1 against its kernel prediction (same points, same step)."""
    ang = sample_circle(two_piece(4), sizes["net_n"], seed)
    X = circle_points(ang)
    dyn = KernelDynamics(basri_gram(X), 0.0)
    dyn.lr = 1.0 / float(dyn.values[-1])
    rows, rel = [], []
    with torch_threads(1):
        for kappa in sizes["net_kappas"]:
            y = np.cos(kappa * ang)
            pred = kernel_time(dyn, y, DELTA)
            tr = train_times(X, y, sizes["net_width"], dyn.lr, DELTA,
                             {"all": np.ones(len(y), bool)}, int(3 * pred) + 10, seed=seed)
            rel.append(abs(tr.times["all"] / pred - 1))
            rows.append([kappa, int(pred), tr.times["all"] if math.isfinite(tr.times["all"])
                         else "not reached", Approx(rel[-1])])
    # finite width moves the NTK by O(m^-1/2) and the features move during training: allow 50%
    return Evidence(
        "A trained network on the circle against its kernel prediction",
        f"Width {sizes['net_width']}, {sizes['net_n']} points from the density with weights "
        f"1:4: largest relative difference of the times {num(max(rel))} (allowed 0.5).",
        passed=max(rel) < 0.5,
        table=table(["$\\kappa$", "kernel prediction", "network", "relative difference"], rows),
        data={"max_rel": max(rel)})


@audits("B7")
def audit_b7(claim: Claim, ctx: AuditContext) -> Verdict:
    """B7: continuum kernel-regime times against kappa and p*, sampled points, a network."""
    sizes = _sizes(ctx)
    ctx.note("B7: continuum kernel-regime times")
    runs = {}
    for nodes in (sizes["nodes"], sizes["nodes"] // 2):
        runs[nodes] = continuum_times(nodes, sizes["kappa_ranges"], sizes["kappa_density"])
        runs[nodes]["ks"] = sizes["kappa_ranges"]
    res = runs[sizes["nodes"]]
    kappa_ev = kappa_exponent(res)
    ctx.note("B7: sampled points and a trained network")
    evidence = [grid_converged(res, runs[sizes["nodes"] // 2], sizes["nodes"]), kappa_ev,
                density_exponent(res), bound_is_sharp(res),
                sampled_against_continuum(sizes, ctx.seed, kappa_ev.data["fits"][0]),
                circle_network_follows_kernel(sizes, ctx.seed)]
    fits = evidence[2].data["fits"]
    k0 = sizes["kappa_density"][0]
    return Verdict(
        claim.id, claim.statement, evidence,
        summary="For the kernel of Eq. (6) with $b(0) = 0$ and inputs $(x, 1)$ (its constant "
                "drops out with $\\eta = 1/\\lambda_{\\max}$), gradient descent "
                "on the continuum operator learns $\\cos(\\kappa x)$ in a time growing like "
                f"$\\kappa^{{{Approx(kappa_ev.data['fits'][0], 3).tex()}}}$ (uniform density) and, "
                f"at one step size, like $(1/p^*)^{{{Approx(fits[f'{k0}/whole circle'], 2).tex()}}}$"
                " on the whole circle and $(1/p^*)^{"
                f"{Approx(fits[f'{k0}/sparse half'], 3).tex()}}}$ on the sparse half, "
                "within the claimed $\\tilde O(\\kappa^2/p^*)$.",
        refinement="The bound is sharp without logarithms: $t \\propto \\kappa^2/p^*$ for the "
                   "sparse half, with the exponent in $\\kappa$ within "
                   f"{TOL} of 2 and in $1/p^*$ within {TOL} of 1; the whole circle's time grows "
                   "more slowly in $1/p^*$ because the dense half carries most of its norm.",
        reason=f"Continuum operator on {sizes['nodes']} nodes (checked against half as many), odd "
               f"$\\kappa$ up to {sizes['kappa_ranges'][-1][-1]}, weights 1:1 to 1:8; an upper "
               "bound is tested over the measured range only.",
        measured={"exponent in kappa (uniform)": Approx(kappa_ev.data["fits"][0], 3),
                  "exponent in 1/p*, whole circle": Approx(fits[f"{k0}/whole circle"], 3),
                  "exponent in 1/p*, sparse half": Approx(fits[f"{k0}/sparse half"], 3)})
