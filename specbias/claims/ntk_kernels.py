"""Audits of the two-layer kernel formulas: E1 (random-feature kernel), B1 (two-layer ReLU NTK).

The slide's formula appears only as the statement under audit (:func:`slide_b1`). Each verdict
rests on the SymPy derivation (:mod:`specbias.derive.ntk.two_layer`), on seeded Monte Carlo
compared with the derived kernel lambdified from that derivation (z-scores from the sample
size), on Cho and Saul's closed form as a second route (E1), and on the empirical NTK of a
torch network (B1).
"""

from __future__ import annotations

import math

import numpy as np
import sympy
import torch

from specbias.claims import AuditContext, Claim, audits, check
from specbias.derive.ntk.arccos import dual_activation, theta
from specbias.derive.ntk.kernels import angles
from specbias.derive.ntk.symbols import DIM, Dot, kernel_function, x, x_prime
from specbias.derive.ntk.two_layer import NORM_X, NORM_Y, two_layer_derivation
from specbias.notation import Printer, inline, tex
from specbias.numbers import Approx, Measured, num
from specbias.records import Evidence, Verdict, table
from specbias.verify.empirical_ntk import empirical_ntk
from specbias.verify.models import torch_threads, TwoLayer

#: A Monte Carlo estimate disagrees with a formula when it is more than Z_MC standard errors
#: away: two-sided false-alarm probability 6.3e-5 per pair under the normal approximation, so
#: 4e-4 for a check over 6 pairs (B1) and 6.3e-4 over 10 (E1) (Bonferroni).
Z_MC = 4.0

x_i, x_j = sympy.symbols("x_i x_j")
DOT_IJ = "$x_i^{T} x_j$"


def unit_pairs(rng: np.random.Generator, count: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` seeded pairs of unit vectors in R^dim (angles spread over (0, pi))."""
    X = rng.standard_normal((count, dim))
    Y = rng.standard_normal((count, dim))
    return (X / np.linalg.norm(X, axis=1, keepdims=True), Y / np.linalg.norm(Y, axis=1, keepdims=True))


def pairs_at_angles(rng: np.random.Generator, angles_rad, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded pairs of unit vectors in R^dim at the given angles: x random, x' = cos(a) x +
    sin(a) u with u a random unit vector orthogonal to x (so the angle is a, exactly up to
    rounding). Random pairs rarely come near 0 or pi, where the kernel is largest and smallest."""
    X, U = unit_pairs(rng, len(angles_rad), dim)
    U = U - np.sum(U * X, 1, keepdims=True) * X
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    a = np.asarray(angles_rad, float)[:, None]
    return X, np.cos(a) * X + np.sin(a) * U


def monte_carlo(fn, X, Y, samples: int, rng: np.random.Generator, std: float, block=20000):
    """Mean and standard error of fn(W x, W y) over w ~ N(0, std^2 I), for each pair (x, y)."""
    total = np.zeros(len(X))
    total2 = np.zeros(len(X))
    done = 0
    while done < samples:
        b = min(block, samples - done)
        W = rng.standard_normal((b, X.shape[1])) * std
        vals = fn(W @ X.T, W @ Y.T)
        total += vals.sum(0)
        total2 += (vals ** 2).sum(0)
        done += b
    mean = total / samples
    return mean, np.sqrt(np.maximum(total2 / samples - mean ** 2, 0) / samples)


def on_pairs(expr: sympy.Expr, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """A derived two-layer kernel (in the norms, d and theta) lambdified, at the pairs (X[i], Y[i])."""
    fn = sympy.lambdify((NORM_X, NORM_Y, DIM, theta), expr, "numpy", dummify=True)
    th, nx, ny = angles(X, Y, np)
    return np.array([fn(nx[i], ny[i], X.shape[1], th[i, i]) for i in range(len(X))], float)


def pair_angles(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """The angle between X[i] and Y[i], in degrees."""
    return np.degrees(np.diag(angles(X, Y, np)[0]))


def z_text(z: np.ndarray) -> str:
    """The largest z-score as inline math."""
    return f"$\\vert z \\vert = {Approx(float(np.max(z)), 2).tex()}$"


def z_table(X, Y, estimate, se, formula, name: str, dot="$x^{T} x'$") -> tuple[dict, np.ndarray]:
    """Each estimate (with its standard error) beside a formula, and the z-scores."""
    z = np.abs(estimate - formula) / se
    rows = [[Approx(a, 3), Approx(float(np.dot(x, y)), 3), Measured(m, s), Approx(f, 6), Approx(q, 2)]
            for a, x, y, m, s, f, q in zip(pair_angles(X, Y), X, Y, estimate, se, formula, z)]
    return table(["$\\theta$ (degrees)", dot, "estimate", name, "$\\vert z \\vert$"],
                 rows), z


def z_evidence(title: str, text: str, z: np.ndarray, tab: dict, **data) -> Evidence:
    """Evidence that passes when no z-score exceeds Z_MC."""
    return Evidence(title, text, passed=bool(z.max() < Z_MC), table=tab,
                    data={"max_z": float(z.max()), **data})


# ---------------------------------------------------------------------------------------------
# E1

def cho_saul_J(n: int) -> sympy.Expr:
    """J_n(theta) by Cho and Saul's closed form (NIPS 2009): (-1)^n sin^(2n+1) theta times
    ((1/sin theta) d/dtheta)^n applied to (pi - theta)/sin theta; a route independent of the
    polar integration of :mod:`specbias.derive.ntk.arccos`."""
    f = (sympy.pi - theta) / sympy.sin(theta)
    for _ in range(n):
        f = sympy.diff(f, theta) / sympy.sin(theta)
    return sympy.simplify((-1) ** n * sympy.sin(theta) ** (2 * n + 1) * f)


@check("statement")
def arc_cosine_kernel(derivation) -> Evidence:
    """The derived random-feature kernel against Cho and Saul's degree-1 arc-cosine kernel."""
    checks = dual_activation("relu").checks
    J1 = cho_saul_J(1)
    k1 = NORM_X * NORM_Y * J1 / sympy.pi
    ratio = sympy.simplify(derivation.result / k1)
    constant = not ratio.has(theta) and not ratio.has(NORM_X) and not ratio.has(NORM_Y)
    own = all(r == 0 for r in checks.values())
    return Evidence(
        "The kernel derived by SymPy is the degree-1 arc-cosine kernel",
        "SymPy integrates the Gaussian expectation in polar coordinates (below); its own checks "
        "(the diagonal against a one-dimensional integral, Price's theorem) leave "
        + " and ".join(inline(r) for r in checks.values()) + ". Cho and Saul's degree-1 "
        "arc-cosine kernel is $k_1(x, x') = \\Vert x \\Vert \\Vert x' \\Vert J_1(\\theta) / \\pi$ "
        "for $w \\sim N(0, I)$, with $J_1$ from their closed form $J_n(\\theta) = (-1)^n "
        "\\sin^{2n+1}\\theta \\, (\\frac{1}{\\sin\\theta} \\partial_\\theta)^n "
        f"\\frac{{\\pi - \\theta}}{{\\sin\\theta}}$: $J_1(\\theta) = {tex(J1)}$. The derived kernel "
        f"divided by $k_1$ simplifies to {inline(ratio)}"
        + (", a constant: it is the arc-cosine kernel, scaled by the variance $1/d$ of $w$ and "
           "by the factor 2 in front of Cho and Saul's expectation." if constant else
           ", which is not a constant."),
        passed=constant and own, derivation=derivation,
        data={"ratio": sympy.sstr(ratio), "checks": {k: sympy.sstr(v) for k, v in checks.items()}})


@check("statement")
def kernel_monte_carlo(X, Y, mean, se, formula, samples: int) -> Evidence:
    """Monte Carlo of E[sigma(w^T x) sigma(w^T x')] against the derived closed form."""
    tab, z = z_table(X, Y, mean, se, formula, "closed form")
    return z_evidence(
        "Monte Carlo against the closed form",
        f"{samples} seeded draws of $w \\sim N(0, I/d)$ with $d = {X.shape[1]}$ at {len(X)} pairs "
        "with norms in $[0.5, 2]$: random pairs, and pairs placed at the ends of the range of "
        "angles, $\\theta = 0$ (where the kernel is $\\Vert x \\Vert \\Vert x' \\Vert / (2d)$) and "
        "$\\theta$ near $\\pi$ (where it vanishes like $(\\pi - \\theta)^3$); the closed form is "
        "the derived kernel, evaluated as SymPy printed it. Largest "
        f"{z_text(z)} (a pair is flagged above {num(Z_MC)}).", z, tab)


def e1_pairs(rng: np.random.Generator, dim: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random pairs and four placed at theta = 0, 0.05, pi - 0.3, pi - 0.05, with
    seeded norms in [0.5, 2]; sorted by angle."""
    X, Y = unit_pairs(rng, count, dim)
    Xe, Ye = pairs_at_angles(rng, [0.0, 0.05, math.pi - 0.3, math.pi - 0.05], dim)
    X, Y = np.vstack([X, Xe]), np.vstack([Y, Ye])
    X = X * rng.uniform(0.5, 2.0, (len(X), 1))
    Y = Y * rng.uniform(0.5, 2.0, (len(Y), 1))
    order = np.argsort(pair_angles(X, Y), kind="stable")
    return X[order], Y[order]


def display_kernel(derivation) -> tuple[sympy.Expr, bool]:
    """The derived random-feature kernel written as Cho and Saul write J_1,
    (sin theta + (pi - theta) cos theta) ||x|| ||x'|| / (2 pi d), built unevaluated, and whether
    it equals the derivation's result (expanded difference 0)."""
    J1 = sympy.Add(sympy.sin(theta), sympy.Mul(sympy.pi - theta, sympy.cos(theta), evaluate=False),
                   evaluate=False)
    form = sympy.Mul(NORM_X * NORM_Y / (2 * sympy.pi * DIM), J1, evaluate=False)
    return form, sympy.expand(form.doit() - derivation.result) == 0


#: The project's printer keeping the order in which a display form was built.
_AS_BUILT = Printer({"order": "none"})


@audits("E1")
def audit_e1(claim: Claim, ctx: AuditContext) -> Verdict:
    """E1: derive E_w[sigma(w^T x) sigma(w^T x')] for the ReLU, w ~ N(0, I/d); identify it with
    the arc-cosine kernel; check it by Monte Carlo, from theta = 0 to near pi."""
    derivation = two_layer_derivation("random-features")
    rng = np.random.default_rng(ctx.seed)
    dim = 5
    samples = 20_000 if ctx.quick else 400_000
    X, Y = e1_pairs(rng, dim, 6)
    ctx.note("E1: Monte Carlo")
    mean, se = monte_carlo(lambda u, v: np.maximum(u, 0) * np.maximum(v, 0), X, Y, samples, rng,
                           1 / math.sqrt(dim))
    evidence = [arc_cosine_kernel(derivation),
                kernel_monte_carlo(X, Y, mean, se, on_pairs(derivation.result, X, Y), samples)]
    z = evidence[1].data["max_z"]
    form, same = display_kernel(derivation)
    kernel = _AS_BUILT.doprint(form if same else derivation.result)
    holds = all(e.passed for e in evidence)
    degrees = pair_angles(X, Y)
    k = kernel_function()(x, x_prime)
    summary = (f"For the ReLU and $w \\sim N(0, I/d)$, ${tex(k)} = {kernel}$ "
               "($\\theta$ the angle between $x$ and $x'$), the "
               f"degree-1 arc-cosine kernel; {samples} Monte Carlo draws agree with it at {len(X)} "
               f"pairs with angles from {num(Approx(degrees.min(), 2))} to "
               f"{num(Approx(degrees.max(), 3))} degrees (largest {z_text(z)})." if holds else
               "The derived kernel fails a check: " + "; ".join(
                   e.title for e in evidence if not e.passed) + ".")
    return Verdict(claim.id, claim.statement, evidence, summary=summary,
                   measured={"largest $\\vert z \\vert$, Monte Carlo against the closed form":
                             Approx(z, 2)})


# ---------------------------------------------------------------------------------------------
# B1

def slide_b1(dot, angle, pi):
    """The statement under audit (B1, Eq. (7) of the slides) for unit-norm inputs, as a function
    of x_i^T x_j and arccos(x_i^T x_j): SymPy objects (pi = sympy.pi) or arrays (pi = numpy.pi)."""
    return dot * (pi - angle) / (4 * pi)


def _unit(derivation) -> sympy.Expr:
    """The derived two-layer NTK for unit-norm inputs, a function of theta."""
    return derivation.result.subs({NORM_X: 1, NORM_Y: 1})


def corrected_b1(derivation) -> sympy.Expr:
    """The derived kernel in the slide's notation: a function of x_i^T x_j."""
    dot = Dot(x_i, x_j)
    return _unit(derivation).subs(theta, sympy.acos(dot))


@check("statement")
def slide_symbolic(derivation) -> Evidence:
    """The slide's Eq. (7) divided by the derived kernel, simplified by SymPy."""
    unit = _unit(derivation)
    ratio = sympy.simplify(unit / slide_b1(sympy.cos(theta), theta, sympy.pi))
    return Evidence(
        "The slide's formula against the derivation, symbolically",
        "The network is $f(x) = m^{-1/2} \\sum_r a_r \\sigma(w_r^{T} x)$ with $a_r = \\pm 1$, its "
        "first layer trained; its NTK is $x_i^{T} x_j \\, \\mathbb{E}[1\\{w^{T} x_i \\ge 0, w^{T} "
        "x_j \\ge 0\\}]$ (derivation below). For unit-norm inputs ($x_i^{T} x_j = \\cos\\theta$) "
        f"the derived kernel is {inline(unit)}; divided by the slide's expression it simplifies "
        f"to {inline(ratio)}.", passed=ratio == 1, derivation=derivation,
        data={"ratio": sympy.sstr(ratio)})


def _indicator_mc(X, Y, samples, rng):
    """Monte Carlo of E[x^T x' 1{w^T x >= 0, w^T x' >= 0}], w ~ N(0, I)."""
    dot = np.sum(X * Y, 1)
    return monte_carlo(lambda u, v: (u >= 0) * (v >= 0) * dot, X, Y, samples, rng, 1.0)


@check("statement")
def slide_monte_carlo(X, Y, mean, se, samples: int) -> Evidence:
    """Monte Carlo of the expectation against the slide's closed form."""
    dot = np.sum(X * Y, 1)
    tab, z = z_table(X, Y, mean, se, slide_b1(dot, np.arccos(np.clip(dot, -1, 1)), np.pi),
                     "slide", DOT_IJ)
    return z_evidence(
        "Monte Carlo against the slide's formula",
        f"{samples} seeded draws of $w \\sim N(0, I_{X.shape[1]})$ estimate $\\mathbb{{E}}[x_i^{{T}} "
        "x_j \\, 1\\{w^{T} x_i \\ge 0, w^{T} x_j \\ge 0\\}]$ at "
        f"{len(X)} random pairs of unit vectors. Against the slide's formula the largest is "
        f"{z_text(z)} (a pair is flagged above {num(Z_MC)}).", z, tab)


@check("correction")
def derived_monte_carlo(derivation, X, Y, mean, se, samples: int) -> Evidence:
    """The same Monte Carlo against the derived kernel (lambdified from the derivation)."""
    tab, z = z_table(X, Y, mean, se, on_pairs(derivation.result, X, Y), "derived", DOT_IJ)
    return z_evidence(
        "Monte Carlo against the derived kernel",
        f"The same {samples} draws against the derived kernel, evaluated as SymPy printed it: "
        f"largest {z_text(z)}.", z, tab)


@check("correction")
@torch_threads(1)  # small networks: one thread costs a tenth of two
def network_ntk(derivation, X, Y, width: int, seed: int) -> Evidence:
    """The empirical NTK of a torch network against the derived kernel."""
    n = len(X)
    Xt = torch.tensor(np.vstack([X, Y]), dtype=torch.float64)
    emp_all = empirical_ntk(TwoLayer(X.shape[1], width, "arora", seed=seed), Xt).numpy()
    emp = np.array([emp_all[i, n + i] for i in range(n)])
    dot = np.sum(X * Y, 1)
    # Each entry is x^T x' times the mean of `width` Bernoulli indicators (both units active):
    # its standard error is |x^T x'| sqrt(p (1 - p) / width), p the observed frequency.
    p = np.clip(emp / dot, 0, 1)
    se = np.abs(dot) * np.sqrt(p * (1 - p) / width)
    derived = on_pairs(derivation.result, X, Y)
    slide = slide_b1(dot, np.arccos(np.clip(dot, -1, 1)), np.pi)
    z = np.abs(emp - derived) / se
    z_slide = np.abs(emp - slide) / se
    tab, _ = z_table(X, Y, emp, se, derived, "derived", DOT_IJ)
    return z_evidence(
        "The empirical NTK of a network against the derived kernel",
        f"Width {width}, float64, seed {seed}, $\\Theta(x_i, x_j) = \\sum_r \\partial_{{w_r}} f(x_i) "
        "\\cdot \\partial_{w_r} f(x_j)$ by torch.func: against the derived kernel the largest "
        f"{z_text(z)}; against the slide's formula {z_text(z_slide)}.", z, tab,
        max_z_slide=float(z_slide.max()))


@audits("B1")
def audit_b1(claim: Claim, ctx: AuditContext) -> Verdict:
    """B1: the two-layer ReLU NTK (w ~ N(0, I), unit-norm inputs) against Eq. (7) of the slides."""
    derivation = two_layer_derivation("arora")
    rng = np.random.default_rng(ctx.seed + 1)
    dim, count = 3, 6
    samples = 20_000 if ctx.quick else 400_000
    X, Y = unit_pairs(rng, count, dim)
    ctx.note("B1: Monte Carlo")
    mean, se = _indicator_mc(X, Y, samples, rng)
    ctx.note("B1: empirical NTK")
    width = 4096 if ctx.quick else 65536
    evidence = [slide_symbolic(derivation), slide_monte_carlo(X, Y, mean, se, samples),
                derived_monte_carlo(derivation, X, Y, mean, se, samples),
                network_ntk(derivation, X, Y, width, ctx.seed)]
    ratio = sympy.sympify(evidence[0].data["ratio"])
    derived_holds = evidence[2].passed and evidence[3].passed
    if evidence[0].passed and evidence[1].passed:
        summary = (f"Eq. (7) holds: the derived NTK equals the slide's formula, and Monte Carlo "
                   f"and a width-{width} network agree with it.")
    else:
        summary = ("The slide's closed form is wrong: the derived kernel is "
                   + (f"{inline(ratio)} times the slide's formula" if ratio.is_number else
                      f"the slide's formula times {inline(ratio)}")
                   + ("; Monte Carlo and the empirical NTK of a wide network confirm the derived "
                      "kernel, so the expectation in Eq. (7) is right." if derived_holds else
                      "; the derived kernel itself fails a numerical check."))
    corrected = corrected_b1(derivation)
    k = kernel_function()(x_i, x_j)
    measured = {"largest $\\vert z \\vert$, Monte Carlo against the slide":
                Approx(evidence[1].data["max_z"], 2),
                "largest $\\vert z \\vert$, Monte Carlo against the derived kernel":
                Approx(evidence[2].data["max_z"], 2)}
    if ratio.is_Rational:
        measured = {"derived kernel over the slide's formula": int(ratio) if ratio.is_Integer
                    else Approx(float(ratio), 3), **measured}
    return Verdict(
        claim.id, claim.statement, evidence, summary=summary,
        correction=f"${tex(k)} = \\mathbb{{E}}_{{w \\sim N(0, I)}}[x_i^{{T}} x_j \\, 1\\{{w^{{T}} x_i "
                   f"\\ge 0, w^{{T}} x_j \\ge 0\\}}] = {tex(corrected)}$ for unit-norm inputs.",
        reason="" if ratio != 2 else
        "Where the slide's factor comes from is not established; plausibly a normalisation from "
        "elsewhere in the source, for instance the bias-augmented input $(x, 1) / \\sqrt{2}$ of "
        "unit norm, whose inner product $(x_i^{T} x_j + 1) / 2$ carries a factor $1/2$ (the "
        "setting of the slides' next formula, B2).",
        measured=measured)
