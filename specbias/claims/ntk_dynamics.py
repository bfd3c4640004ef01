"""Audits of training dynamics in the kernel regime: E3, B8, P1, P4.

Each compares a real PyTorch training run (float64, CPU or CUDA, seeded) with the kernel
prediction computed from the derived NTK, with tolerances from a bound on the linearization
error that is measured on the same run (the distance of the finite-width NTK from H^∞).
"""

from __future__ import annotations

import numpy as np
import sympy
import torch

from specbias.claims import AuditContext, Claim, audits
from specbias.derive.ntk.kernels import two_layer_kernel
from specbias.records import Derivation, Evidence, Verdict, line_plot
from specbias.verify.empirical_ntk import empirical_ntk
from specbias.verify.training import (kernel_regression, linear_residuals, mode_projections,
                                      train_conventional, train_two_layer)


def circle_data(n: int, seed: int, jitter: float = 0.2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n points on S¹, evenly spread with a seeded jitter (so that H^∞ is well conditioned and
    GD converges in a few thousand steps), and the target y = sin 2φ + cos(5φ)/2."""
    g = np.random.default_rng(seed)
    phi = -np.pi + 2 * np.pi * (np.arange(n) + 0.5) / n + g.uniform(-jitter, jitter, n)
    return np.stack([np.cos(phi), np.sin(phi)], 1), np.sin(2 * phi) + 0.5 * np.cos(5 * phi), phi


@audits("B8")
def audit_b8(claim: Claim, ctx: AuditContext) -> Verdict:
    """B8: ‖y − u(t)‖ = sqrt(Σ (1 − ηλ_i)^(2t) (v_iᵀy)²) ± ε for a wide two-layer ReLU network."""
    n, steps = (10, 150) if ctx.quick else (10, 300)
    widths = (1024, 4096) if ctx.quick else (1024, 4096, 16384, 65536)
    seeds = (0, 1) if ctx.quick else (0, 1, 2)
    X, y, _ = circle_data(n, ctx.seed)
    H = two_layer_kernel(X, X, "arora")
    lr = 1 / np.linalg.eigvalsh(H).max()
    Xt, yt = torch.tensor(X), torch.tensor(y)
    eps, eps_norm, rows = [], [], []
    for m in widths:
        ctx.note(f"B8: training width {m}")
        e_m, en_m = [], []
        for s in seeds:
            run = train_two_layer(Xt, yt, m, lr, steps, seed=s, record_every=max(1, steps // 50))
            lin = linear_residuals(H, y, lr, run.times)
            e_m.append(float(np.max(np.linalg.norm(run.residuals - lin, axis=1)) / np.linalg.norm(y)))
            en_m.append(float(np.max(np.abs(np.linalg.norm(run.residuals, axis=1)
                                            - np.linalg.norm(lin, axis=1))) / np.linalg.norm(y)))
        eps.append(float(np.mean(e_m)))
        eps_norm.append(float(np.mean(en_m)))
        rows.append([str(m), f"{eps[-1]:.3e}", f"{np.std(e_m):.1e}", f"{eps_norm[-1]:.3e}"])
    lam_desc, proj = mode_projections(H, run.residuals)
    _, proj_lin = mode_projections(H, lin)
    series = []
    for i in (0, 1, 3, 7):
        series.append({"label": f"run, mode {i + 1} (λ = {lam_desc[i]:.3g})", "x": run.times,
                       "y": np.abs(proj[:, i]) + 1e-16, "style": "o", "panel": 0})
        series.append({"label": f"(1 − ηλ)^t, mode {i + 1}", "x": run.times,
                       "y": np.abs(proj_lin[:, i]) + 1e-16, "style": "-", "panel": 0})
    series.append({"label": "ε(m), seed mean", "x": widths, "y": eps, "style": "o-", "panel": 1})
    plot = line_plot("B8_modes", series, xlabel=["GD step t", "width m"],
                     ylabel=["|v_iᵀ(y − u(t))|", "max_t ‖r(t) − r_lin(t)‖ / ‖y‖"],
                     yscale="log", xscale=["linear", "log"], panels=2,
                     title=f"Two-layer ReLU on S¹, n = {n}, η = 1/λ_max")
    slope = float(np.polyfit(np.log(widths), np.log(eps), 1)[0])
    # ε must shrink as the width grows (the ± ε of the claim); the spread over seeds is in the table.
    shrinking = all(b < a for a, b in zip(eps, eps[1:]))
    evidence = [Evidence(
        "Training runs vs (1 − ηλ_i)^t, eigenvector by eigenvector",
        f"{n} points on $S^1$, symmetric initialization ($u(0) = 0$), full-batch GD with "
        f"$\\eta = 1/\\lambda_{{max}}(H^\\infty) = {lr:.3f}$ for {steps} steps, float64, "
        f"{len(seeds)} seeds per width. $\\varepsilon(m) = \\max_t \\|r(t) - (I-\\eta H^\\infty)^t y\\|"
        f"/\\|y\\|$ falls from {eps[0]:.3f} to {eps[-1]:.3f}, about $m^{{{slope:.2f}}}$: slower than "
        "$m^{-1/2}$ at these widths, because the activation patterns of the first layer still move "
        "(the theorem needs m polynomial in n/λ_min). The error of the norm formula is in the last column.",
        passed=shrinking, plot=plot,
        table={"columns": ["width", "ε (seed mean)", "seed std", "norm-formula error / ‖y‖"],
               "rows": rows}, data={"eps": eps, "widths": list(widths), "slope": slope})]
    return Verdict(claim.id, "approximate" if shrinking else "unverified", claim.statement, evidence,
                   reason=(f"ε = {eps[0]:.3f} → {eps[-1]:.3f} for widths {widths[0]} → {widths[-1]} "
                           f"(≈ m^{slope:.2f})") if shrinking else "ε did not shrink with the width",
                   errors={"epsilon": eps[-1], "epsilon_width_slope": slope})


def _p1_symbolic() -> tuple[Derivation, dict]:
    """Solve the mode ODE g' = −λ g, g(0) = −q_iᵀY and test the slide's two expressions."""
    t, lam, c = sympy.Symbol("t", nonnegative=True), sympy.Symbol("lambda_i", positive=True), \
        sympy.Symbol("c_i", real=True)
    g = sympy.Function("g")
    d = Derivation("Gradient flow of the residual in the NTK eigenbasis", assumptions=[
        "d/dt (f(X, θ(t)) − Y) = −K (f(X, θ(t)) − Y) with K = QᵀΛQ (rows q_iᵀ of Q eigenvectors)",
        "f(X, θ(0)) = 0, c_i = q_iᵀY, g_i(t) = q_iᵀ(f(X, θ(t)) − Y)"])
    sol = d.step("SymPy dsolve of g' = −λ g with g(0) = −c:",
                 sympy.dsolve(sympy.Eq(g(t).diff(t), -lam * g(t)), g(t), ics={g(0): -c}).rhs,
                 labels=["g_i(t)"], rule="dsolve")
    candidates = {"slide, first form: −e^{λt} c": -sympy.exp(lam * t) * c,
                  "slide, second form: +e^{−λt} c": sympy.exp(-lam * t) * c}
    checks = {}
    for name, expr in candidates.items():
        ode = sympy.simplify(expr.diff(t) + lam * expr)
        ic = sympy.simplify(expr.subs(t, 0) + c)
        d.step(f"{name}: ODE residual and initial-value residual:", ode, ic,
               labels=["g' + λ g", "g(0) + c"])
        checks[name] = (ode == 0 and ic == 0)
    d.result, d.result_label = sol, "g_i(t)"
    return d, checks


@audits("P1")
def audit_p1(claim: Claim, ctx: AuditContext) -> Verdict:
    """P1: the NTK training-error decomposition as the slide writes it."""
    d, checks = _p1_symbolic()
    n, width, steps = (10, 2048, 300) if ctx.quick else (16, 16384, 1000)
    X, y, _ = circle_data(n, ctx.seed + 1)
    H = two_layer_kernel(X, X, "arora")
    lam, Q = np.linalg.eigh(H)
    lr = 0.02 / lam.max()   # gradient-flow time t = η·step; |(1−x)^s − e^{−xs}| ≤ 0.2 x
    run = train_two_layer(torch.tensor(X), torch.tensor(y), width, lr, steps, seed=ctx.seed,
                          record_every=max(1, steps // 50))
    times = np.array(run.times) * lr
    c = Q.T @ y
    f_minus_y = -run.residuals
    forms = {"derived −Σ e^{−λt}(qᵀY) q": lambda t: -(Q * np.exp(-lam * t)) @ c,
             "slide first: −Q e^{Λt} QᵀY": lambda t: -(Q * np.exp(lam * t)) @ c,
             "slide second: +Σ e^{−λt}(qᵀY) q": lambda t: (Q * np.exp(-lam * t)) @ c}
    errs = {k: float(max(np.linalg.norm(f_minus_y[i] - fn(t)) for i, t in enumerate(times))
                     / np.linalg.norm(y)) for k, fn in forms.items()}
    # B8 measures run-vs-kernel gaps ε of 0.05-0.2 at these widths; a sign error costs 2‖Y‖ and
    # e^{+λt} grows without bound, so 0.25 separates the candidates.
    tol = 0.25
    derived_ok = errs["derived −Σ e^{−λt}(qᵀY) q"] <= tol
    slide_ok = all(checks.values()) and all(v <= tol for k, v in errs.items() if k.startswith("slide"))
    table = {"columns": ["expression", "max_t ‖(f − Y) − expression‖ / ‖Y‖"],
             "rows": [[k, f"{v:.2e}"] for k, v in errs.items()] + [["tolerance", f"{tol:.2e}"]]}
    evidence = [
        Evidence("The mode equation solved by SymPy", "Substituting each of the slide's forms "
                 "into the ODE and the initial condition: " + "; ".join(
                     f"{k}: {'satisfies both' if v else 'fails'}" for k, v in checks.items()) + ".",
                 passed=all(checks.values()), derivation=d),
        Evidence("Against a trained network", f"Two-layer ReLU (Arora et al. parametrization), "
                 f"width {width}, $f(X, \\theta(0)) = 0$, GD with $\\eta = 0.02/\\lambda_{{max}}$ "
                 f"for {steps} steps ($t = \\eta\\cdot$step), $K = H^\\infty$ derived.",
                 passed=slide_ok, table=table, data=errs),
    ]
    if slide_ok:
        return Verdict(claim.id, "confirmed", claim.statement, evidence)
    return Verdict(claim.id, "corrected" if derived_ok else "unverified", claim.statement, evidence,
                   corrected="Qᵀ(f(X, θ(t)) − Y) = −e^{−Λt} QᵀY, hence f(X, θ(t)) − Y = "
                   "−Σ_i e^{−λ_i t} (q_iᵀY) q_i (for f(X, θ(0)) = 0); components along larger "
                   "eigenvalues decay faster",
                   errors=errs)


@audits("P4")
def audit_p4(claim: Claim, ctx: AuditContext) -> Verdict:
    """P4: the trained network's predictions converge to NTK kernel regression."""
    n = 6
    widths = (1024, 4096) if ctx.quick else (1024, 4096, 16384, 65536)
    X, y, _ = circle_data(n, ctx.seed + 2)
    Xs, _, _ = circle_data(60, ctx.seed + 3)
    K, Ks = two_layer_kernel(X, X, "arora"), two_layer_kernel(Xs, X, "arora")
    lam = np.linalg.eigvalsh(K)
    lr = 1 / lam.max()
    steps = int(20 / (lr * lam.min()))
    target = kernel_regression(K, y, Ks)
    rows, errs, ok = [], [], True
    for m in widths:
        run = train_two_layer(torch.tensor(X), torch.tensor(y), m, lr, steps, seed=ctx.seed,
                              record_every=steps, X_test=torch.tensor(Xs))
        err = float(np.linalg.norm(run.test_predictions - target) / np.linalg.norm(target))
        # Finite-width tolerance: the same regression with the network's own NTK at the end of
        # training, compared with H^∞ (three times), plus the unfinished training residual.
        Xall = torch.tensor(np.vstack([X, Xs]))
        Kemp = empirical_ntk(run.model, Xall).numpy()
        emp_pred = kernel_regression(Kemp[:n, :n], y, Kemp[n:, :n])
        tol = 3 * float(np.linalg.norm(emp_pred - target) / np.linalg.norm(target)) \
            + 2 * float(np.linalg.norm(run.residuals[-1]) / np.linalg.norm(y))
        ok = ok and err <= tol
        errs.append(err)
        rows.append([str(m), f"{err:.3e}", f"{tol:.3e}"])
    decreasing = errs[-1] < errs[0]
    evidence = [Evidence(
        "Trained network vs kernel regression $k(x, X)K^{-1}y$",
        f"{n} training points on $S^1$, 60 test points, GD with $\\eta = 1/\\lambda_{{max}}$ for "
        f"{steps} steps ($20/(\\eta\\lambda_{{min}})$) from $u(0) = 0$; $K$ is the derived $H^\\infty$. "
        "Relative test error by width, with the tolerance from the finite-width NTK of the run.",
        passed=ok and decreasing, table={"columns": ["width", "relative difference", "tolerance"],
                                         "rows": rows}, data={"errors": errs})]
    status = "confirmed" if ok and decreasing else "unverified"
    return Verdict(claim.id, status, claim.statement, evidence,
                   reason=(f"trained network vs k(x, X)K⁻¹y: {errs[-1]:.1e} relative at width "
                           f"{widths[-1]}, within the finite-width tolerance") if status == "confirmed"
                   else "predictions did not approach the kernel regression within the tolerance",
                   errors={"rel_err": errs[-1]})


@audits("E3")
def audit_e3(claim: Claim, ctx: AuditContext) -> Verdict:
    """E3: R̂_n(t) ≤ e^{−mλ_n t} R̂_n(0) under conventional scaling, both layers trained."""
    d, n = 3, 10
    width, seeds = (500, [0]) if ctx.quick else (2000, [0, 1, 2])
    rng = np.random.default_rng(ctx.seed + 4)
    Z = rng.standard_normal((n, d))
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    yz = rng.standard_normal(n)
    K = two_layer_kernel(Z, Z, "random-features") / n
    lam_n = float(np.linalg.eigvalsh(K).min())
    lr = 0.5 / (width * float(np.linalg.eigvalsh(K).max()))
    steps = int(4 / (width * lam_n * lr))
    rows, worst, series = [], 0.0, []
    for s in seeds:
        run, phi0 = train_conventional(torch.tensor(Z), torch.tensor(yz), width, lr, steps, seed=s,
                                       record_every=max(1, steps // 60))
        t, R = np.array(run.times), np.array(run.losses)
        ratio = R / (np.exp(-width * lam_n * t) * R[0])
        worst = max(worst, float(ratio.max()))
        lam_hat = float(np.linalg.eigvalsh(phi0 @ phi0.T / (n * width)).min())
        late = slice(len(t) // 2, None)
        rate = -np.polyfit(t[late], np.log(R[late]), 1)[0]
        rows.append([str(s), f"{ratio.max():.6f}", f"{rate:.4g}", f"{2 * width * lam_hat:.4g}",
                     f"{width * lam_n:.4g}"])
        if s == seeds[0]:
            series = [{"label": "R̂_n(t) / R̂_n(0), run", "x": t, "y": R / R[0], "style": "-"},
                      {"label": "e^{−mλ_n t} (claimed bound)", "x": t,
                       "y": np.exp(-width * lam_n * t), "style": "--"}]
    # t = 0 gives ratio 1 exactly; allow float64 rounding of the losses (1e-12 relative).
    ok = worst <= 1 + 1e-12
    plot = line_plot("E3_risk_decay", series, xlabel="time t = η × steps", ylabel="risk ratio",
                     yscale="log", title=f"Conventional scaling, m = {width}, n = {n}, d = {d}")
    evidence = [Evidence(
        "Trained network vs the bound",
        f"$f = \\sum_j a_j \\sigma(w_j^\\top x)$, $a(0) = 0$, $w_j(0) \\sim N(0, I/{d})$, both layers "
        f"trained by GD ($\\eta = {lr:.3g}$, {steps} steps), $n = {n}$ points on $S^{d - 1}$; "
        f"$K_{{ij}} = \\frac{{1}}{{n}} E[\\sigma(w^\\top x_i)\\sigma(w^\\top x_j)]$ from the derived "
        f"arc-cosine kernel, $\\lambda_n = {lam_n:.4g}$. Largest $\\hat R_n(t)/(e^{{-m\\lambda_n t}}"
        f"\\hat R_n(0))$ = {worst:.6f}. The late decay rate is close to $2m\\hat\\lambda_{{min}}$ "
        "of the random-feature Gram matrix: the bound holds with a factor about 2 to spare.",
        passed=ok, plot=plot, table={"columns": ["seed", "max ratio", "late rate",
                                                 "2 m λ̂_min", "m λ_n"], "rows": rows})]
    return Verdict(claim.id, "confirmed" if ok else "refuted", claim.statement, evidence,
                   reason=f"R̂_n(t)/(e^(−mλ_n t) R̂_n(0)) ≤ {worst:.6f} in {len(seeds)} trained "
                   "network(s); the decay rate is about 2mλ̂_min, twice the bound's",
                   errors={"max_ratio": worst})
