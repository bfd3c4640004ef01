"""Evidence for Z4 (H. Zhao, "Numerical Analysis 101 for Neural Networks"): Gram matrices of i.i.d.
random knots against the continuous operator. The audit itself is
:func:`specbias.claims.zhao_matrix.audit_z4`; this module registers no audit.

The claim: for knots b_i i.i.d. with a density rho bounded above and below,
|lambda_k - (n/2) mu_k| <= (C n / k^4) sqrt(k/n) log(1/p) with probability 1 - p. With
R = max_k |lambda_k - ref_k| / (n k^-4 sqrt(k/n)) (ref_k = (n/2) mu_k as claimed), the claim says
that the (1 - p)-quantile of R is at most C log(1/p) with one C for every n and p. Three things
can contradict it, and each is tested: a tail of R heavier than exponential (quantiles growing
faster than log(1/p)), a constant that grows with n, and a density for which (n/2) mu_k is not
the centre. Eigenvalues are float64 (within 2 n u lambda_1, far below the bound's shape at
these sizes; checked against a certified spectrum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from specbias.claims import check
from specbias.claims.zhao_spectra import (DPS, bootstrap_quantile, certified_lambda,
                                          float64_bound, float64_lambda, operator_mu, power_law,
                                          random_knots, slide_centre,
                                          weighted_operator_eigenvalues)
from specbias.derive.matrix.knots import knots
from specbias.numbers import Approx, Measured, num
from specbias.records import Evidence, line_plot, table

#: The quantile that defines C(n) = q_{1-p}(R) / log(1/p) in the growth test.
GROWTH_P = 0.1


def bound_shape(n: int) -> np.ndarray:
    """n k^-4 sqrt(k/n), k = 1..n: the claim's bound without C log(1/p)."""
    k = np.arange(1, n + 1, dtype=float)
    return n / k**4 * np.sqrt(k / n)


@dataclass
class Sample:
    """R for many seeds at one n, with the reference it was measured against."""

    n: int
    density: str
    reference: str
    r: np.ndarray          # R per seed
    argmax: np.ndarray     # the k at which each R is attained


def normalized_gaps(n: int, seeds, density: str, ref: np.ndarray, reference: str) -> Sample:
    """R = max_k |lambda_k - ref_k| / (n k^-4 sqrt(k/n)) for each seed (float64 spectra)."""
    shape = bound_shape(n)
    rs, ks = [], []
    for s in seeds:
        ratio = np.abs(float64_lambda(random_knots(n, s, density)) - ref) / shape
        rs.append(float(ratio.max()))
        ks.append(int(ratio.argmax()) + 1)
    return Sample(n, density, reference, np.array(rs), np.array(ks))


def claim_reference(n: int) -> np.ndarray:
    """(n/2) mu_k, k = 1..n: the centre the claim states."""
    return slide_centre(n, operator_mu(1, n))


def weighted_reference(density: str, n: int, nodes: int) -> np.ndarray:
    """n nu_k with nu_k the eigenvalues of f -> int G(x, y) f(y) rho(y) dy (Nystrom)."""
    return n * weighted_operator_eigenvalues(density, n, nodes)


def constant_of(sample: Sample, rng: np.random.Generator) -> Measured:
    """C(n) = q_{1-p}(R) / log(1/p) at p = GROWTH_P, with its bootstrap error."""
    q = bootstrap_quantile(sample.r, 1 - GROWTH_P, rng)
    scale = np.log(1 / GROWTH_P)
    return Measured(q.value / scale, q.uncertainty / scale)


def constant_growth(samples: list[Sample], rng: np.random.Generator
                    ) -> tuple[list[Measured], Measured, bool]:
    """C(n) for each sample, the exponent of C(n) ~ n^s, and whether it shows no significant
    growth (s below two of its standard errors)."""
    consts = [constant_of(s, rng) for s in samples]
    fit = power_law([s.n for s in samples], [c.value for c in consts],
                    [c.uncertainty for c in consts])
    return consts, fit.exponent, fit.exponent.value < 2 * fit.exponent.uncertainty


def _constants_table(samples: list[Sample], consts: list[Measured]) -> dict:
    return table(["$n$", "seeds", "median $R$", "$C(n)$"],
                 [[s.n, int(s.r.size), Approx(float(np.median(s.r)), 3), c]
                  for s, c in zip(samples, consts)])


@check("reference")
def float64_agrees_random(n: int, seed: int) -> Evidence:
    """float64 eigenvalues of one random-knot Gram matrix against its certified spectrum."""
    kn = knots(f"random:{seed}", n, DPS)
    same_knots = bool(np.array_equal(kn.floats(), random_knots(n, seed)))
    exact, cert = certified_lambda(1, kn)
    lam = float64_lambda(kn.floats())
    err = float(np.max(np.abs(lam - exact) / bound_shape(n)))
    abs_err = float(np.max(np.abs(lam - exact)))
    bound_ok = abs_err <= float64_bound(exact)
    # R is read to two digits: float64 errors must stay far below 10^-3 of the bound's shape.
    ok = same_knots and cert.certified and bound_ok and err < 1e-3
    return Evidence(
        "float64 spectra against a certified one",
        f"For $n = {n}$ knots of seed {seed} every certified eigenvalue ({DPS} digits) and "
        f"float64 eigvalsh differ by at most {num(abs_err)}, within the a-priori bound "
        f"$2 n u \\lambda_1 = {Approx(float64_bound(exact)).tex()}$; relative to the bound's "
        f"shape $n k^{{-4}}\\sqrt{{k/n}}$ (the unit of $R$) that is at most {num(err)}, so "
        "float64 measures $R$ to far better than the two digits "
        "reported.", passed=ok, data={"max_error_over_shape": err})


@check("approximation")
def tail_vs_log(sample: Sample, rng: np.random.Generator) -> Evidence:
    """The (1 - p)-quantiles of R against log(1/p): a tail no heavier than exponential."""
    ps = [2.0**-j for j in range(1, 12) if 2.0**-j * sample.r.size >= 10]
    quant = [bootstrap_quantile(sample.r, 1 - p, rng) for p in ps]
    consts = [Measured(q.value / np.log(1 / p), q.uncertainty / np.log(1 / p))
              for q, p in zip(quant, ps)]
    ref = consts[1] if len(consts) > 1 else consts[0]          # p = 1/4
    last = consts[-1]
    # The constant C(p) = q/log(1/p) must not increase into the tail: at the smallest p
    # measured it may exceed its value at p = 1/4 by at most two combined standard errors.
    ok = last.value <= ref.value + 2 * float(np.hypot(last.uncertainty, ref.uncertainty))
    c_star = max(c.value for c in consts)
    logs = [float(np.log(1 / p)) for p in ps]
    return Evidence(
        "The tail of the normalized gap against $\\log(1/p)$",
        f"$R = \\max_k \\vert \\lambda_k - \\frac{{n}}{{2}}\\mu_k \\vert / (n k^{{-4}}"
        f"\\sqrt{{k/n}})$ for {sample.r.size} seeds at $n = {sample.n}$ (uniform knots; the "
        f"maximum sits at $k = 1$ for {int(np.sum(sample.argmax == 1))} of them). The claim "
        "needs its $(1 - p)$-quantile below $C \\log(1/p)$; $C(p) = q_{1-p}/\\log(1/p)$ "
        f"goes from {num(ref)} at $p = 1/4$ to {num(last)} at the smallest $p$ measured: "
        + ("the tail is no heavier than exponential over this range, as the claim needs."
           if ok else "it grows, so the tail is heavier than the claim allows.")
        + f" A finite sample says nothing about $p < {Approx(min(ps), 2).tex()}$.",
        passed=ok, data={"p": ps, "quantile": [q.to_json() for q in quant],
                         "smallest_p": min(ps)},
        table=table(["$p$", "$\\log(1/p)$", "quantile $q_{1-p}$ of $R$", "$C(p)$"],
                    [[Approx(p, 3), Approx(lg, 3), q, c]
                     for p, lg, q, c in zip(ps, logs, quant, consts)]),
        plot=line_plot("Z4_tail", [
            {"label": "quantile of $R$ (bootstrap error)", "x": logs,
             "y": [q.value for q in quant], "yerr": [q.uncertainty for q in quant],
             "style": "o", "group": 0},
            {"label": f"$C \\log(1/p)$ with $C = {Approx(c_star).tex()}$", "x": logs,
             "y": [c_star * lg for lg in logs], "style": "--", "group": 1}],
            xlabel="$\\log(1/p)$", ylabel="$(1 - p)$-quantile of $R$",
            title=f"Normalized gap, $n = {sample.n}$"))


@check("approximation")
def growth_with_n(samples: list[Sample], rng: np.random.Generator) -> Evidence:
    """C(n) = q_0.9(R)/log 10 against n: one constant for every n, or growth."""
    consts, exponent, ok = constant_growth(samples, rng)
    return Evidence(
        "The constant against $n$",
        f"$C(n) = q_{{{1 - GROWTH_P:g}}}(R)/\\log {1 / GROWTH_P:g}$ from "
        f"{samples[0].r.size} seeds per $n$, with bootstrap errors; a weighted fit gives "
        f"$C(n) \\propto n^{{{exponent.tex()}}}$: "
        + ("no significant growth (the exponent is below two standard errors)."
           if ok else "it grows with $n$, which one constant $C$ cannot cover."),
        passed=ok, data={"exponent": exponent.to_json(), "constants": [c.value for c in consts]},
        table=_constants_table(samples, consts),
        plot=line_plot("Z4_constant", [
            {"label": "$C(n)$, uniform knots", "x": [s.n for s in samples],
             "y": [c.value for c in consts],
             "yerr": [c.uncertainty for c in consts], "style": "o-"}],
            xlabel="$n$", ylabel="$C(n)$", xscale="log", yscale="log",
            title="The constant of the bound against $n$"))


@check("statement")
def density_dependence(samples: list[Sample], rng: np.random.Generator, nu_1: float,
                       mu_1: float) -> Evidence:
    """A non-uniform density, rho(x) = (2 + x)/4, measured against the claim's (n/2) mu_k."""
    consts, exponent, ok = constant_growth(samples, rng)
    # At k = 1 the gap is n (nu_1 - mu_1/2) + O(sqrt(n)) and the bound's shape is sqrt(n): R
    # tends to |nu_1 - mu_1/2| sqrt(n), the asymptotic form the fitted exponent approaches.
    slope = abs(nu_1 - mu_1 / 2)
    ratio = [float(np.median(s.r)) / (slope * np.sqrt(s.n)) for s in samples]
    rows = [[s.n, int(s.r.size), Approx(float(np.median(s.r)), 3), c, Approx(q, 2)]
            for s, c, q in zip(samples, consts, ratio)]
    return Evidence(
        "A density that is not uniform",
        "The claim allows any density bounded above and below. For $\\rho(x) = (2 + x)/4$ "
        f"(between $1/4$ and $3/4$) the same constant grows like $n^{{{exponent.tex()}}}$"
        + (": the claim's centre $(n/2)\\mu_k$ is wrong for this density. " if not ok else
           ". ")
        + "By the law of large numbers $\\lambda_k / n$ tends to the eigenvalue $\\nu_k$ of "
        "$f \\mapsto \\int G(x, y) f(y) \\rho(y)\\, dy$, which equals $\\mu_k/2$ only for "
        f"$\\rho = 1/2$: here $\\nu_1 = {Approx(nu_1, 5).tex()}$ against "
        f"$\\mu_1/2 = {Approx(mu_1 / 2, 5).tex()}$, so the gap grows like $n$ while the bound "
        "grows like $\\sqrt{n}$, and $R$ tends to $\\vert \\nu_1 - \\mu_1/2 \\vert \\sqrt{n}$. "
        "The median of $R$ follows that limit (ratio "
        f"{num(min(ratio), 2)} to {num(max(ratio), 2)}, last column); the quantile in $C(n)$ "
        "adds the fluctuation, which is $O(1)$ in units of the bound's shape, so the fitted "
        "exponent of $C(n)$ is pre-asymptotic: it tends to $1/2$ as $n$ grows.",
        passed=ok, data={"exponent": exponent.to_json(), "nu_1": nu_1, "asymptotic": ratio},
        table=table(["$n$", "seeds", "median $R$", "$C(n)$",
                     "median $R / (\\vert \\nu_1 - \\mu_1/2 \\vert \\sqrt{n})$"], rows))


@check("reference")
def nystrom_reference(nodes: int, count: int) -> Evidence:
    """The Nystrom eigenvalues of the weighted operator, for rho = 1/2, against mu_k / 2."""
    nu = weighted_operator_eigenvalues("uniform", count, nodes)
    mu = operator_mu(1, count)
    rel = float(np.max(np.abs(nu / (mu / 2) - 1)))
    # midpoint-rule Nystrom: relative error about 0.4 (k/N)^2 (second-order rule, eigenfunction
    # frequency pi k / 2); allow four times that at the largest k compared.
    tol = 1.6 * (count / nodes) ** 2
    return Evidence(
        "The weighted operator's eigenvalues, checked",
        f"Nystrom's method with {nodes} midpoint nodes in probability "
        f"($y_i = F^{{-1}}((i - 1/2)/{nodes})$) gives $\\nu_k$; for $\\rho = 1/2$ it must give "
        f"$\\mu_k/2$: largest relative deviation over $k \\le {count}$ is {num(rel)} "
        f"(allowed {num(tol)}, from the rule's $O(k^2/N^2)$ error).",
        passed=rel < tol, data={"max_rel_dev": rel})


@check("correction")
def weighted_correction(samples: list[Sample], rng: np.random.Generator) -> Evidence:
    """The same constant with the centre n nu_k (the weighted operator) for rho = (2 + x)/4."""
    consts, exponent, ok = constant_growth(samples, rng)
    return Evidence(
        "The corrected centre $n \\nu_k$",
        "With $\\lambda_k - n\\nu_k$ in place of $\\lambda_k - \\frac{n}{2}\\mu_k$ the constant "
        f"for $\\rho(x) = (2 + x)/4$ changes like $n^{{{exponent.tex()}}}$: "
        + ("no significant growth, so the bound's form holds around $n\\nu_k$."
           if ok else "it still grows."),
        passed=ok, data={"exponent": exponent.to_json(), "constants": [c.value for c in consts]},
        table=_constants_table(samples, consts))


__all__ = ["GROWTH_P", "Sample", "bound_shape", "claim_reference", "density_dependence",
           "float64_agrees_random", "growth_with_n", "normalized_gaps", "nystrom_reference",
           "tail_vs_log", "weighted_correction", "weighted_reference"]
