"""Audit of gradient flow in the kernel regime: P1 (the training error in the NTK eigenbasis).

P1 is checked symbolically (each form substituted into the flow, on a 2-by-2 instance with a
rotation that is not symmetric) and on a trained network, with a tolerance measured on the same
run (a bound on how far the network may drift from the kernel flow, from its own NTK along the
trajectory).
"""

from __future__ import annotations

import math

import numpy as np
import sympy
import torch

from specbias.claims import AuditContext, Claim, audits, check
from specbias.claims.ntk_dynamics import circle_data
from specbias.derive.ntk.two_layer import two_layer_kernel
from specbias.numbers import Approx, num
from specbias.records import Derivation, Evidence, Verdict, table
from specbias.verify.empirical_ntk import empirical_ntk
from specbias.verify.models import torch_threads
from specbias.verify.training import train_two_layer

# ---------------------------------------------------------------------------------------------
# P1: the slide's convention is K = Q^T Lambda Q, so the rows q_i^T of Q are the eigenvectors
# and Q r holds the coordinates of r in the eigenbasis.

#: The forms under audit and the engine's correction, each as r(t) = f(X, theta(t)) - Y, given
#: Q (rows the eigenvectors), E(s) = e^{s Lambda t} and Y, as SymPy matrices (the symbolic
#: check) or NumPy arrays (the trained network). A form stated for Q^T r is solved for r with
#: (Q^T)^{-1} = Q; one stated for Q r with Q^{-1} = Q^T.
P1_FORMS = {
    "slide, first line": ("$Q^{T}(f - Y) = -e^{\\Lambda t} Q^{T} Y$",
                          lambda Q, E, Y: -Q @ E(1) @ Q.T @ Y),
    "slide, second line": ("$f - Y = \\sum_i (e^{-\\lambda_i t} q_i^{T} Y) q_i$",
                           lambda Q, E, Y: Q.T @ E(-1) @ Q @ Y),
    "correction": ("$Q(f - Y) = -e^{-\\Lambda t} Q Y$",
                   lambda Q, E, Y: -Q.T @ E(-1) @ Q @ Y),
    "the other convention": ("$P^{T}(f - Y) = -e^{-\\Lambda t} P^{T} Y$",
                             lambda Q, E, Y: -Q.T @ E(-1) @ Q @ Y),
    "mismatch": ("$Q^{T}(f - Y) = -e^{-\\Lambda t} Q^{T} Y$",
                 lambda Q, E, Y: -Q @ E(-1) @ Q.T @ Y),
}
_SLIDE = ("slide, first line", "slide, second line")
#: The textbook form for K = P Lambda P^T (columns of P the eigenvectors): right in its own
#: convention ("the other convention", P = Q^T), wrong when read with the slide's Q.
_OTHER, _MISMATCH = "the other convention", "mismatch"
_LABELS = {"the other convention": "the textbook form for $K = P \\Lambda P^{T}$, in its own "
                                   "convention ($P = Q^{T}$, columns the eigenvectors)",
           "mismatch": "the textbook form read with the slide's $Q$ (a convention mismatch, not a "
                       "wrong form)"}


def p1_symbolic() -> tuple[Derivation, dict]:
    """Solve the mode equation, then substitute every form into the flow on a 2-by-2 instance.

    Returns the derivation and {form: (ODE residual, initial residual)} (SymPy matrices).
    """
    t = sympy.Symbol("t", nonnegative=True)
    lam, c = sympy.Symbol("lambda_i", positive=True), sympy.Symbol("c_i", real=True)
    g = sympy.Function("g_i")
    d = Derivation("Gradient flow of the training error in the NTK eigenbasis", assumptions=[
        "$\\frac{d}{dt}(f - Y) = -K (f - Y)$, the flow of $\\frac{1}{2} \\Vert f - Y \\Vert^2$ "
        "with the NTK $K$, where $f = f(X, \\theta(t))$ and $f(X, \\theta(0)) = 0$",
        "the slide's convention $K = Q^{T} \\Lambda Q$: the rows $q_i^{T}$ of the orthogonal $Q$ "
        "are the eigenvectors, $K q_i = \\lambda_i q_i$, so $Q(f - Y)$ holds the coordinates "
        "$g_i = q_i^{T}(f - Y)$ of $f - Y$ in the eigenbasis; $c_i = q_i^{T} Y$"])
    sol = d.step("Each coordinate obeys $g_i' = -\\lambda_i g_i$ with $g_i(0) = -c_i$; SymPy's "
                 "dsolve:", sympy.dsolve(sympy.Eq(g(t).diff(t), -lam * g(t)), g(t),
                                         ics={g(0): -c}).rhs, labels=[g(t)], rule="dsolve")
    d.step("Stacking the rows, $Q(f - Y) = -e^{-\\Lambda t} Q Y$; as $Q^{T} Q = I$, "
           "$f - Y = Q^{T} Q (f - Y) = -\\sum_i (e^{-\\lambda_i t} q_i^{T} Y) q_i$. A 2-by-2 "
           "instance (a rotation that is not symmetric, general eigenvalues and targets) checks "
           "every form by substitution:",
           *_instance_matrices(), labels=[sympy.Symbol("Q"), sympy.Symbol("K")])
    residuals = {}
    Q, K, E, Y = _instance(t)
    for name, (statement, form) in P1_FORMS.items():
        r = form(Q, E, Y)
        ode = (r.diff(t) + K * r).applyfunc(sympy.expand)
        ic = (r.subs(t, 0) + Y).applyfunc(sympy.expand)
        label = _LABELS.get(name, name)
        d.step(f"{label[0].upper() + label[1:]}, {statement}, solved for $f - Y$ and substituted: "
               "the residual of the flow and of the initial value $f - Y = -Y$:", ode, ic,
               labels=["$\\frac{d}{dt}(f - Y) + K (f - Y)$", "$(f - Y)(0) + Y$"])
        residuals[name] = (ode, ic)
    d.result, d.result_lhs = sol, g(t)
    return d, residuals


def _instance(t):
    """Q (a rotation with the rational cosine 3/5; rows the eigenvectors), K = Q^T Lambda Q,
    e^{s Lambda t} and Y with symbolic eigenvalues and targets. Q is not symmetric, so the
    instance tells the two conventions apart; being rational, every residual is a polynomial
    in exponentials that SymPy's expand decides exactly."""
    l1, l2 = sympy.symbols("lambda_1 lambda_2", positive=True)
    c, s = sympy.Rational(3, 5), sympy.Rational(4, 5)
    Q = sympy.Matrix([[c, s], [-s, c]])
    K = Q.T * sympy.diag(l1, l2) * Q
    return (Q, K, lambda sign: sympy.diag(sympy.exp(sign * l1 * t), sympy.exp(sign * l2 * t)),
            sympy.Matrix(sympy.symbols("y_1 y_2", real=True)))


def _instance_matrices():
    Q, K, _, _ = _instance(sympy.Symbol("t", nonnegative=True))
    return Q, K


def _zero(m) -> bool:
    return all(sympy.expand(v) == 0 for v in m)


@check("statement")
def slide_forms_symbolic(derivation, residuals: dict) -> Evidence:
    """The slide's two lines substituted into the flow (a 2-by-2 instance)."""
    holds = {n: _zero(residuals[n][0]) and _zero(residuals[n][1]) for n in _SLIDE}
    return Evidence(
        "The slide's forms substituted into the flow",
        "In the slide's convention ($K = Q^{T} \\Lambda Q$), each line is solved for $f - Y$ and "
        "substituted into $\\frac{d}{dt}(f - Y) = -K(f - Y)$, $(f - Y)(0) = -Y$ (derivation "
        "below): the first line "
        + ("satisfies both." if holds[_SLIDE[0]] else
           "fails: " + _failure(residuals[_SLIDE[0]]))
        + " The second line " + ("satisfies both." if holds[_SLIDE[1]] else
                                 "fails: " + _failure(residuals[_SLIDE[1]])),
        passed=all(holds.values()), derivation=derivation)


def _failure(res) -> str:
    ode, ic = res
    parts = []
    if not _zero(ode):
        parts.append("the flow leaves a residual")
    if not _zero(ic):
        parts.append("the initial value is wrong")
    return " and ".join(parts) + "."


def _solves(residuals: dict, name: str) -> bool:
    """Whether a form's flow residual and initial residual both vanish."""
    return _zero(residuals[name][0]) and _zero(residuals[name][1])


@check("correction")
def corrected_form_symbolic(residuals: dict) -> Evidence:
    """The corrected form, and the equally small correction in the other convention, substituted
    into the flow (the derivation of the statement check)."""
    ok, other, mismatch = (_solves(residuals, k) for k in ("correction", _OTHER, _MISMATCH))
    return Evidence(
        "The corrected form substituted into the flow",
        f"{P1_FORMS['correction'][0]}, i.e. $f - Y = -\\sum_i (e^{{-\\lambda_i t}} q_i^{{T}} Y) "
        f"q_i$, {'solves' if ok else 'does not solve'} the flow with its initial value (the "
        "derivation of the previous item). An equally small correction changes the convention "
        "instead of the coordinates: with $K = P \\Lambda P^{T}$ (columns of $P = Q^{T}$ the "
        f"eigenvectors), {P1_FORMS[_OTHER][0]} "
        f"{'also solves it' if other else 'does not solve it'}; it keeps the slide's first line "
        "but for the sign of the exponent, and the second line needs the same minus sign. That "
        f"textbook form read with the slide's $Q$ (rows the eigenvectors) "
        f"{'solves it too: the convention would not matter' if mismatch else 'does not'}: a "
        "convention mismatch, not a wrong form.",
        passed=ok and other)


def _gronwall_bound(run, H: np.ndarray, lr: float, y: np.ndarray) -> np.ndarray:
    """A bound on ||r(t_k) - r_flow(t_k)||, measured on the run, at each recorded step.

    GD: r_{s+1} = r_s - lr K_s r_s with the network's NTK K_s (to first order in lr), against
    r_{s+1} = (I - lr H) r_s: the difference e_s obeys ||e_{s+1}|| <= ||e_s|| + lr ||K_s - H||
    ||r_s|| (||I - lr H|| <= 1), so ||e_k|| <= lr sum_s ||K_s - H|| ||r_s||; the NTK is read at
    the recorded steps and each interval takes the larger of its two ends. Plus the exact gap
    between (I - lr H)^s y and the flow e^{-lr s H} y.
    """
    steps = np.array(run.times)
    a = np.array([np.linalg.norm(K - H, 2) * np.linalg.norm(r) for K, r in zip(run.observed,
                                                                               run.residuals)])
    drift = np.concatenate([[0.0], np.cumsum(np.maximum(a[1:], a[:-1]) * np.diff(steps) * lr)])
    lam, V = np.linalg.eigh(H)
    c = V.T @ y
    disc = np.array([np.linalg.norm(V @ (((1 - lr * lam) ** s - np.exp(-lr * s * lam)) * c))
                     for s in steps])
    # float64 rounding: f(X, theta(0)) of the symmetric network is 0 only to ~1e-16.
    return drift + disc + 1e-12 * np.linalg.norm(y)


def _exponentials(lam: np.ndarray, t: float):
    """E(sign) = e^{sign Lambda t} as a NumPy matrix (the numeric counterpart of _instance's)."""
    return lambda sign: np.diag(np.exp(sign * lam * t))


def _form_errors(run, H, lr, y) -> dict:
    """max over recorded t of ||form(t) - measured|| / ||Y|| for each form, and the margins."""
    lam, V = np.linalg.eigh(H)
    Q = V.T  # the slide's convention: rows are the eigenvectors
    t = np.array(run.times) * lr
    r = -run.residuals  # f(X, theta(t)) - Y
    bound = _gronwall_bound(run, H, lr, y)
    out = {}
    for name, (_, form) in P1_FORMS.items():
        err = np.array([np.linalg.norm(rr - form(Q, _exponentials(lam, s), y))
                        for s, rr in zip(t, r)])
        out[name] = {"error": float(err.max() / np.linalg.norm(y)),
                     "within": bool(np.all(err <= bound)), "distance": err}
    return {"forms": out, "bound": float(bound.max() / np.linalg.norm(y))}


def _form_table(errors: dict, names) -> dict:
    rows = [[f"{_LABELS.get(name, name)}: {P1_FORMS[name][0]}",
             Approx(errors["forms"][name]["error"], 2),
             "yes" if errors["forms"][name]["within"] else "no"] for name in names]
    return table(["form", "largest distance to the run, over $\\Vert Y \\Vert$",
                  "within the bound at every $t$"], rows)


def _run_text(n, width, steps, bound) -> str:
    return (f"Two-layer ReLU network (Arora et al.), width {width}, $n = {n}$ points on the "
            "circle, $f(X, \\theta(0)) = 0$ (symmetric initialization), GD with "
            f"$\\eta = 0.02 / \\lambda_{{max}}$ for {steps} steps ($t = \\eta \\times$ steps), $K$ the "
            "derived $H^{\\infty}$ in the slide's convention. The tolerance at each $t$ is a bound "
            "measured on the run: the network's own NTK, read along the trajectory, bounds how far "
            f"GD can drift from the kernel flow (largest {num(bound, 2)} of $\\Vert Y \\Vert$).")


@check("statement")
def slide_forms_network(errors: dict, n, width, steps) -> Evidence:
    """The slide's two lines against the trained network, within the measured drift bound."""
    return Evidence(
        "The slide's forms against a trained network", _run_text(n, width, steps, errors["bound"]),
        passed=all(errors["forms"][k]["within"] for k in _SLIDE),
        table=_form_table(errors, _SLIDE))


@check("correction")
def corrected_form_network(errors: dict, n, width, steps) -> Evidence:
    """The corrected form (and the other convention's) against the trained network, within the
    measured drift bound."""
    return Evidence(
        "The corrected form against the trained network",
        "The same run. The textbook form for $K = P \\Lambda P^{T}$ is the same function of the "
        "run in its own convention ($P = Q^{T}$); read with the slide's $Q$ it is not (last row, "
        "a convention mismatch).",
        passed=errors["forms"]["correction"]["within"] and errors["forms"][_OTHER]["within"],
        table=_form_table(errors, ["correction", _OTHER, _MISMATCH]))


@check("statement")
def larger_learned_faster(run, H, lr, distance: np.ndarray) -> Evidence:
    """Each eigen-coordinate of the run decays at the rate of its eigenvalue, within what the
    measured distance of the run to the kernel flow allows; so larger eigenvalues go faster."""
    lam, V = np.linalg.eigh(H)
    g = np.abs((-run.residuals) @ V)  # |q_i^T (f - Y)|, eigenvalues ascending
    t = np.array(run.times) * lr
    # No coordinate deviates from the flow by more than the distance d(t) of the whole residual,
    # so at a time t where g_i(t) > 5 d(t) the rate -log(g_i(t)/g_i(0))/t lies between the
    # values for g_i(t) + d(t) and g_i(t) - d(t). Read at the last such time, where the
    # coordinate has decayed by 10% or more.
    rows, ok, buried, slow = [], [], [], []
    for i in range(len(lam) - 1, -1, -1):
        above = np.nonzero(g[:, i] > 5 * distance)[0]
        if not len(above) or above[-1] == 0:
            buried.append(i)
            continue
        if g[above[-1], i] > 0.9 * g[0, i]:
            slow.append(i)
            continue
        k = above[-1]
        rate, lo, hi = (-math.log(v / g[0, i]) / t[k]
                        for v in (g[k, i], g[k, i] + distance[k], g[k, i] - distance[k]))
        ok.append(lo <= lam[i] <= hi)
        rows.append([Approx(lam[i], 3), Approx(rate, 3), Approx(lo, 3), Approx(hi, 3)])
    scale = float(np.linalg.norm(run.residuals[0]))
    return Evidence(
        "Larger eigenvalues are learned faster",
        f"The coordinates $g_i = q_i^{{T}}(f - Y)$ of the run whose decay is measurable ({len(rows)} "
        f"of {len(lam)}): the rate $-\\log \\vert g_i(t) / g_i(0) \\vert / t$, read while $g_i$ "
        "stays five times above the distance $d(t)$ of the run to the corrected form, with the "
        "range that $\\pm d(t)$ allows. " + _skipped_text(lam, g[0] / scale, buried, slow)
        + ("Every rate is $\\lambda_i$ within its range, so the components along larger "
           "eigenvalues decay faster, as the slide concludes." if all(ok) and len(ok) >= 2 else
           f"{len(ok) - sum(ok)} rates are not $\\lambda_i$ within their range."),
        passed=all(ok) and len(ok) >= 2,
        table=table(["$\\lambda_i$", "measured rate", "lowest", "highest"], rows))


def _skipped_text(lam: np.ndarray, g0: np.ndarray, buried: list, slow: list) -> str:
    """Which eigen-coordinates were not measured, and why (prose)."""
    def listed(idx):
        return ", ".join(f"${Approx(lam[i], 3).tex()}$ (${Approx(g0[i], 2).tex()}$)" for i in idx)
    parts = []
    if buried:
        parts.append(f"{len(buried)} coordinates are below $5 d(t)$ from the first recorded step "
                     "on, so the drift of the run hides their decay: $\\lambda_i$ = "
                     + listed(buried))
    if slow:
        parts.append(f"{len(slow)} decay by less than 10% while they are measurable: "
                     "$\\lambda_i$ = " + listed(slow))
    return ("Not measured (with $\\vert g_i(0) \\vert / \\Vert Y \\Vert$ in parentheses): "
            + "; ".join(parts) + ". " if parts else "")


@torch_threads(1)  # small networks: one thread costs a tenth of two
def p1_run(X, y, width: int, lr: float, steps: int, seed: int):
    """A training run that reads the network's NTK at every recorded step (50 per run)."""
    Xt = torch.tensor(X)
    return train_two_layer(Xt, torch.tensor(y), width, lr, steps, seed=seed,
                           record_every=max(1, steps // 50),
                           observe=lambda model: empirical_ntk(model, Xt).numpy())


@audits("P1")
def audit_p1(claim: Claim, ctx: AuditContext) -> Verdict:
    """P1: the NTK training-error decomposition, in the slide's convention K = Q^T Lambda Q."""
    derivation, residuals = p1_symbolic()
    n, width, steps = (10, 2048, 300) if ctx.quick else (16, 16384, 1000)
    X, y, _ = circle_data(n, ctx.seed + 1)
    H = two_layer_kernel(X, X, "arora")
    lr = 0.02 / np.linalg.eigvalsh(H).max()
    ctx.note("P1: training")
    run = p1_run(X, y, width, lr, steps, ctx.seed)
    errors = _form_errors(run, H, lr, y)
    evidence = [slide_forms_symbolic(derivation, residuals), corrected_form_symbolic(residuals),
                slide_forms_network(errors, n, width, steps),
                corrected_form_network(errors, n, width, steps),
                larger_learned_faster(run, H, lr, errors["forms"]["correction"]["distance"])]
    fixed = evidence[1].passed and evidence[3].passed
    slide_ok = evidence[0].passed and evidence[2].passed
    summary = ("Both lines of the slide hold in its convention." if slide_ok else
               "Neither line holds as written: with $K = Q^{T} \\Lambda Q$ the coordinates in the "
               "eigenbasis are $Q(f - Y)$, the exponent is $-\\Lambda t$, and the sum carries a "
               "minus sign; the corrected form "
               + ("matches a trained network" if fixed else "fails a check")
               + ", and larger eigenvalues are " + ("" if evidence[4].passed else "not ")
               + "learned faster.")
    if not slide_ok and evidence[0].passed != evidence[2].passed:
        summary = "The symbolic and the network checks of the slide's forms disagree."
    return Verdict(
        claim.id, claim.statement, evidence, summary=summary,
        correction="With $K = Q^{T} \\Lambda Q$ (the rows $q_i^{T}$ of $Q$ are the eigenvectors) "
                   "and $f(X, \\theta(0)) = 0$: $Q(f(X, \\theta(t)) - Y) = -e^{-\\Lambda t} Q Y$, "
                   "hence $f(X, \\theta(t)) - Y = -\\sum_i (e^{-\\lambda_i t} q_i^{T} Y) q_i$; "
                   "larger eigenvalues are learned faster. An equally small correction changes "
                   "the convention instead: with $K = Q \\Lambda Q^{T}$ (columns of $Q$ the "
                   "eigenvectors), $Q^{T}(f(X, \\theta(t)) - Y) = -e^{-\\Lambda t} Q^{T} Y$ and the "
                   "same sum with the minus sign.",
        reason="The flow assumes the loss $\\frac{1}{2} \\Vert f - Y \\Vert^2$ and unit learning "
               "rate in continuous time (GD time $t = \\eta \\times$ steps).",
        measured={"largest distance of the corrected form to the run, over the norm of $Y$":
                  Approx(errors["forms"]["correction"]["error"], 2),
                  "the drift bound, over the norm of $Y$": Approx(errors["bound"], 2)})
