"""Audit of P4: the kernel-regression formula $f(x) = \\sum_i (K^{-1} y)_i k(x_i, x)$, as the
minimum-norm interpolant of the linear model in feature space (the representer theorem of the
slide's "linearization by embedding": $k(x, x') = \\langle \\phi(x), \\phi(x') \\rangle$, $m \\to
\\infty$) and as the Gaussian-process posterior mean.

The statement is a kernel formula, so it is tested on the kernel: minimum-norm interpolants
computed by least squares in the feature space of random NTK features, against the formula with
the same features' kernel (exact) and with the derived $H^{\\infty}$ (their limit); and the
conditional mean of Gaussian samples. Trained networks are context (the rule of
:mod:`specbias.claims.ntk_dynamics`): they approach the formula only from $u(0) = 0$.
"""

from __future__ import annotations

import numpy as np
import torch

from specbias.claims import AuditContext, Claim, audits, check
from specbias.claims.ntk_dynamics import circle_data
from specbias.claims.widths import falls, local_slopes, seed_mean
from specbias.derive.ntk.two_layer import two_layer_kernel
from specbias.numbers import Approx, Measured, num
from specbias.records import Evidence, Verdict, table
from specbias.verify.empirical_ntk import empirical_ntk
from specbias.verify.models import torch_threads
from specbias.verify.training import train_two_layer

#: Random features per block when the feature matrix is built (memory: n x BLOCK x d floats).
BLOCK = 2 ** 16
#: Seeded draws of the features for each M: enough degrees of freedom (about 14) that a fall
#: like M^{-1/2} between the two largest M is significant at 0.005 (one draw costs 0.3 s of
#: CPU at M = 65536).
DRAWS = 8


def slide_p4(K: np.ndarray, y: np.ndarray, K_test: np.ndarray) -> np.ndarray:
    """The statement under audit (P4): f(x) = sum_i (K^{-1} y)_i k(x_i, x) at the test points."""
    return K_test @ np.linalg.solve(K, y)


def _features(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """The NTK features of the two-layer ReLU network of Arora et al. at first-layer weights W
    (M, d): phi(x) = (x 1{w_r^T x >= 0})_r / sqrt(M), an (n, M d) matrix, so that
    phi(x)^T phi(x') = x^T x' (1/M) sum_r 1{w_r^T x >= 0} 1{w_r^T x' >= 0} -> H^inf(x, x')."""
    A = (X @ W.T >= 0).astype(float)
    return (A[:, :, None] * X[:, None, :]).reshape(len(X), -1) / np.sqrt(len(W))


def min_norm_interpolant(X, y, Xs, features: int, rng: np.random.Generator) -> dict:
    """The minimum-norm interpolant of (X, y) in the span of ``features`` random NTK features,
    by least squares (LAPACK gelsd, an SVD: no kernel matrix formed), at the test points Xs; and
    the kernel K_M = Phi Phi^T, k_M(Xs, X) of the same features (for the formula)."""
    W = rng.standard_normal((features, X.shape[1]))
    Phi = _features(X, W)
    theta = np.linalg.lstsq(Phi, y, rcond=None)[0]
    pred, K_test = np.zeros(len(Xs)), np.zeros((len(Xs), len(X)))
    for i in range(0, features, BLOCK):
        Ws = W[i:i + BLOCK]
        block = _features(Xs, Ws) * np.sqrt(len(Ws) / features)  # the same 1/sqrt(M) scale
        cols = slice(i * X.shape[1], (i + len(Ws)) * X.shape[1])
        pred += block @ theta[cols]
        K_test += block @ Phi[:, cols].T
    return {"prediction": pred, "K": Phi @ Phi.T, "K_test": K_test}


@check("statement")
def representer(X, y, Xs, features: int, seed: int) -> Evidence:
    """The minimum-norm interpolant in a finite feature space equals the formula with the
    kernel of the same features (the representer theorem, exact up to rounding)."""
    fit = min_norm_interpolant(X, y, Xs, features, np.random.default_rng(seed))
    formula = slide_p4(fit["K"], y, fit["K_test"])
    gap = float(np.linalg.norm(fit["prediction"] - formula) / np.linalg.norm(formula))
    cond = float(np.linalg.cond(fit["K"]))
    # Both routes are backward stable, each within a modest multiple of cond(K) times the
    # float64 epsilon of the exact interpolant; they sum the M d products in different orders
    # (measured: about 15 cond(K) eps), so 1000 cond(K) eps leaves room and still flags any
    # change of the formula above about 1e-10.
    tol = 1000 * cond * np.finfo(float).eps
    return Evidence(
        "The formula is the minimum-norm interpolant (representer theorem)",
        f"$f(x) = \\phi(x)^{{T}} \\theta$ with $M = {features}$ random NTK features of the "
        "network of Arora et al., $\\phi(x) = (x \\, 1\\{w_r^{T} x \\ge 0\\})_r / \\sqrt{M}$, "
        "$w_r \\sim N(0, I)$; $\\theta$ is the minimum-norm solution of $\\Phi \\theta = y$ by least "
        f"squares (an SVD, no kernel matrix formed), on {len(X)} training and {len(Xs)} test "
        "points. Against $\\sum_i (K^{-1} y)_i k(x_i, x)$ with $k(x, x') = \\phi(x)^{T} "
        f"\\phi(x')$ of the same features: relative difference {num(Approx(gap))} (required: "
        f"at most $1000 \\, \\mathrm{{cond}}(K) \\, \\epsilon_{{64}} = {Approx(tol).tex()}$, "
        "float64 rounding of the two routes).",
        passed=gap <= tol, data={"gap": gap, "tolerance": tol})


@check("statement")
def kernel_limit(gaps: dict, tests: int) -> Evidence:
    """Minimum-norm interpolants with M random features approach the formula with the derived
    H^inf as M grows (the feature-space kernel tends to H^inf like M^{-1/2})."""
    counts = list(gaps)
    ok, fall, numbers = falls(gaps, -2, -1, "$M =$", "M")
    rows = [[M, seed_mean(gaps[M]), "" if sl is None else sl]
            for M, sl in zip(counts, local_slopes(gaps))]
    return Evidence(
        "The formula is the limit of minimum-norm interpolants",
        f"The minimum-norm interpolant with $M$ random NTK features (as above, seeded draws) at "
        f"the {tests} test points, against $\\sum_i (K^{{-1}} y)_i k(x_i, x)$ with the derived "
        "$H^{\\infty}$ as $k$, relative; $k_M = \\phi^{T} \\phi$ is a mean of $M$ independent "
        "terms, so the gap should fall like $M^{-1/2}$: " + fall + ".", passed=ok,
        table=table(["features $M$", f"relative gap (mean over {len(gaps[counts[0]])} draws)",
                     "slope to the next $M$"],
                    rows), data=numbers)


@torch_threads(1)  # small networks: one thread costs a tenth of two
def p4_runs(X, y, Xs, lr, steps, widths, seeds, target, progress=None) -> dict:
    """Per width and seed: the network's relative distance to the kernel regression on the test
    points, and the regression with the network's own NTK after training."""
    n = len(X)
    norm = np.linalg.norm(target)
    out = {"network": {}, "own_kernel": {}, "network_vs_own": {}}
    Xall = torch.tensor(np.vstack([X, Xs]))
    for m in widths:
        for key in out:
            out[key][m] = []
        for s in seeds:
            if progress is not None:
                progress(f"P4: width {m}, seed {s}")
            run = train_two_layer(torch.tensor(X), torch.tensor(y), m, lr, steps, seed=s,
                                  record_every=steps, X_test=torch.tensor(Xs))
            Kemp = empirical_ntk(run.model, Xall).numpy()
            own = slide_p4(Kemp[:n, :n], y, Kemp[n:, :n])
            out["network"][m].append(float(np.linalg.norm(run.test_predictions - target) / norm))
            out["own_kernel"][m].append(float(np.linalg.norm(own - target) / norm))
            out["network_vs_own"][m].append(float(np.linalg.norm(run.test_predictions - own) / norm))
    return out


@check("context")
def trained_networks(errors: dict, n: int, tests: int, steps: int, seeds: int) -> Evidence:
    """Trained networks from u(0) = 0 against the kernel regression with H^inf."""
    widths = list(errors["network"])
    _, fall, numbers = falls(errors["network"], -2, -1)
    rows = [[m, seed_mean(errors["network"][m]), "" if sl is None else sl,
             seed_mean(errors["own_kernel"][m]), seed_mean(errors["network_vs_own"][m])]
            for m, sl in zip(widths, local_slopes(errors["network"]))]
    return Evidence(
        "Trained networks against the kernel regression",
        f"{n} training points on the circle, {tests} test points, GD from $u(0) = 0$ "
        f"(symmetric initialization) with $\\eta = 1 / \\lambda_{{max}}$ for {steps} steps ($12 / "
        "(\\eta \\lambda_{min})$: the training residual is below $e^{-12}$ of $y$ in the kernel "
        f"flow), {seeds} seeds per width; $K$ and $k$ are the derived NTK $H^{{\\infty}}$. The "
        "network's test predictions against $\\sum_i (K^{-1} y)_i k(x_i, x)$, relative: "
        f"{num(rows[-1][1])} at width {widths[-1]}; {fall}. The formula is the networks' limit "
        "only because $u(0) = 0$: from an initialization with output $f_0$ the same linear "
        "dynamics end at $f_0(x) + \\sum_i (K^{-1} (y - f_0(X)))_i k(x_i, x)$, the formula plus "
        "$f_0(x) - k(x, X) K^{-1} f_0(X)$. The last two columns: the formula with the network's "
        "own NTK after training, against the formula with $H^{\\infty}$ and against the network "
        "(the remaining gap is the finite-width kernel's).", passed=None,
        table=table(["width $m$", "network against the regression with $H^{\\infty}$",
                     "slope to the next width",
                     "regression with the network's final NTK against regression with "
                     "$H^{\\infty}$", "network against regression with its own final NTK"], rows),
        data={**numbers, "last": rows[-1][1].value})


@check("statement")
def gp_posterior_mean(K_joint: np.ndarray, y: np.ndarray, samples: int,
                      rng: np.random.Generator) -> Evidence:
    """E[f(x) | f(X) = y] for f ~ GP(0, k) by regression over joint samples, against the formula.

    For a Gaussian vector the conditional mean of f(x) given f(X) is linear in f(X); least squares
    over ``samples`` joint draws estimates its coefficients, with standard errors.
    """
    n = len(y)
    L = np.linalg.cholesky(K_joint + 1e-12 * np.eye(len(K_joint)))
    F = rng.standard_normal((samples, len(K_joint))) @ L.T
    A, B = F[:, :n], F[:, n:]
    beta, *_ = np.linalg.lstsq(A, B, rcond=None)
    resid_var = np.sum((B - A @ beta) ** 2, 0) / (samples - n)
    gram_inv = np.linalg.inv(A.T @ A)
    estimate = y @ beta
    se = np.sqrt(resid_var * float(y @ gram_inv @ y))
    formula = slide_p4(K_joint[:n, :n], y, K_joint[n:, :n])
    z = np.abs(estimate - formula) / se
    # 4 standard errors: two-sided false alarm 6e-5 per test point.
    return Evidence(
        "The formula is the Gaussian-process posterior mean",
        f"{samples} seeded joint draws of $(f(X), f(x))$ for $f \\sim GP(0, k)$, $k$ the derived "
        "NNGP of the same network, at "
        f"{len(formula)} test points; least squares of $f(x)$ on $f(X)$ estimates $\\mathbb{{E}}"
        "[f(x) \\mid f(X) = y]$ with standard errors. Against $\\sum_i (K^{-1} y)_i k(x_i, x)$: "
        f"largest $\\vert z \\vert = {Approx(float(z.max()), 2).tex()}$ (a point is flagged above "
        "4).", passed=bool(z.max() < 4),
        table=table(["test point", "estimate", "formula", "$\\vert z \\vert$"],
                    [[i + 1, Measured(e, s), Approx(f, 6), Approx(q, 2)]
                     for i, (e, s, f, q) in enumerate(zip(estimate, se, formula, z))]),
        data={"max_z": float(z.max())})


def feature_gaps(X, y, Xs, target, counts, draws: int, seed: int, progress=None) -> dict:
    """{M: relative gaps of the minimum-norm interpolant with M features to ``target``, one per
    seeded draw}."""
    rng = np.random.default_rng(seed)
    out = {}
    for M in counts:
        if progress is not None:
            progress(f"P4: minimum-norm interpolants, {M} features")
        out[M] = [float(np.linalg.norm(min_norm_interpolant(X, y, Xs, M, rng)["prediction"]
                                       - target) / np.linalg.norm(target)) for _ in range(draws)]
    return out


@audits("P4")
def audit_p4(claim: Claim, ctx: AuditContext) -> Verdict:
    """P4: kernel regression as the minimum-norm interpolant (and the limit of trained wide
    networks from u(0) = 0), and as the GP posterior mean."""
    n, tests = 6, 60
    widths = (1024, 4096) if ctx.quick else (1024, 4096, 16384, 65536)
    counts = (256, 1024, 4096) if ctx.quick else (1024, 4096, 16384, 65536)
    seeds = [ctx.seed + s for s in range(2 if ctx.quick else 3)]
    X, y, _ = circle_data(n, ctx.seed + 2)
    Xs, _, _ = circle_data(tests, ctx.seed + 3)
    K, Ks = two_layer_kernel(X, X, "arora"), two_layer_kernel(Xs, X, "arora")
    target = slide_p4(K, y, Ks)
    gaps = feature_gaps(X, y, Xs, target, counts, DRAWS, ctx.seed + 6, ctx.note)
    lam = np.linalg.eigvalsh(K)
    lr = 1 / lam.max()
    steps = int(12 / (lr * lam.min()))
    errors = p4_runs(X, y, Xs, lr, steps, widths, seeds, target, ctx.note)
    Xg = np.vstack([X, Xs[::12]])
    K_joint = two_layer_kernel(Xg, Xg, "arora", kernel="nngp")
    evidence = [representer(X, y, Xs, counts[-1], ctx.seed + 7), kernel_limit(gaps, tests),
                gp_posterior_mean(K_joint, y, 20_000 if ctx.quick else 200_000,
                                  np.random.default_rng(ctx.seed + 5)),
                trained_networks(errors, n, tests, steps, len(seeds))]
    limit, nets = evidence[1].data, evidence[3].data
    holds = all(e.passed for e in evidence if e.passed is not None)
    summary = (f"The formula is the minimum-norm interpolant in feature space (least squares with "
               f"{counts[-1]} random NTK features equals it with their kernel to "
               f"{num(Approx(evidence[0].data['gap']))}; with $H^{{\\infty}}$, the limit of those "
               f"kernels, the gap falls with slope {num(Measured(limit['slope'], limit['stderr']))} "
               "in $\\log M$) and the Gaussian-process posterior mean; trained wide networks "
               f"started at $u(0) = 0$ approach it (relative gap {num(nets['last'], 2)} at width "
               f"{widths[-1]})." if holds else
               "A check of the formula fails: " + "; ".join(
                   e.title for e in evidence if e.passed is False) + ".")
    return Verdict(claim.id, claim.statement, evidence, summary=summary,
                   reason="Trained networks reach the formula only from $u(0) = 0$ (symmetric "
                          "initialization here); with an initial output $f_0$ their limit adds "
                          "$f_0(x) - k(x, X) K^{-1} f_0(X)$.",
                   measured={"minimum-norm interpolant against the formula, same features":
                                 Approx(evidence[0].data["gap"]),
                             f"gap to the formula with $H^{{\\infty}}$, {counts[-1]} features":
                                 seed_mean(gaps[counts[-1]]),
                             "largest $\\vert z \\vert$ of the posterior mean":
                                 Approx(evidence[2].data["max_z"], 2),
                             f"trained networks' gap at width {widths[-1]}": Approx(nets["last"], 2),
                             f"slope of that gap between widths {widths[-2]} and {widths[-1]}":
                                 Measured(nets["slope"], nets["stderr"])})
