"""Evidence for Z6 (H. Zhao, "Numerical Analysis 101 for Neural Networks", "Implications to
numerical computation in practice"): the precision cutoff. The audit itself is
:func:`specbias.claims.zhao_matrix.audit_z6`; this module registers no audit.

The slide states a threshold n eps lambda_1 below which eigenvalues are lost, about
eps^(-d/(d+3)) usable eigenmodes (Fourier modes up to k_d = eps^(-1/(d+3))), a table of k_d, and
that widening the network stops helping. Measured here in d = 1: float32 eigenvalues of the
ReLU Gram matrix (NumPy eigvalsh) against certified spectra, for growing n.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy

from specbias.claims import check
from specbias.claims.zhao_spectra import (DPS, certified_lambda, float64_gram, operator_mu,
                                          power_law)
from specbias.derive.matrix.cutoffs import EPS, cutoff
from specbias.derive.matrix.knots import knots
from specbias.notation import tex
from specbias.numbers import Approx
from specbias.records import Evidence, line_plot, table
from specbias.verify.precision import eigvalsh, single_thread

#: The slide's table, the statement under audit (copied from the slide "Implications to
#: numerical computation in practice", as in the catalog's Z6): (precision, d) -> (k_d, written
#: with "=" rather than "about").
SLIDE_CUTOFFS = {("single", 1): (54, False), ("single", 2): (25, False),
                 ("single", 3): (14, False), ("single", 10): (4, True),
                 ("double", 1): (8192, False), ("double", 2): (1351, False),
                 ("double", 3): (411, False), ("double", 10): (16, True)}
DTYPE = {"single": "float32", "double": "float64"}
#: Relative error at which an eigenvalue counts as resolved / as lost.
RESOLVED, LOST = 0.01, 1.0


def nearest(exact: sympy.Expr) -> int:
    """The nearest integer to a positive exact number."""
    return int(sympy.floor(exact + sympy.Rational(1, 2)))


def _agrees(stated: int, exact: sympy.Expr, equal: bool) -> bool:
    """'=' must hold exactly; 'about' means the nearest integer."""
    return bool(sympy.Integer(stated) == exact) if equal else stated == nearest(exact)


@check("statement")
def cutoff_table_check() -> Evidence:
    """Each entry of the slide's table against eps^(-1/(d+3)), computed exactly."""
    rows, wrong = [], []
    for (prec, d), (stated, equal) in SLIDE_CUTOFFS.items():
        eps = EPS[DTYPE[prec]]
        exact = cutoff(eps, d)
        ok = _agrees(stated, exact, equal)
        if not ok:
            wrong.append(f"$k_{{{d}}}$ in {prec} precision")
        relation = "=" if equal else "\\simeq"
        bits = -int(sympy.log(eps, 2))
        rows.append([prec, f"$2^{{-{bits}}}$", d, f"$k_{{{d}}} {relation} {stated}$",
                     f"${tex(exact)}$", Approx(float(exact), 6), "yes" if ok else "no"])
    return Evidence(
        "The slide's table against $k_d = \\varepsilon^{-1/(d+3)}$",
        "Each entry recomputed exactly in SymPy ($\\varepsilon$ the machine epsilon, as the "
        "slide's $2^{-23}$ and $2^{-52}$); an entry written with $\\simeq$ agrees if it is the "
        "nearest integer, one written with $=$ only if exact. "
        + (("Entries that disagree: " + ", ".join(wrong) + ".") if wrong else
           "Every entry agrees."),
        passed=not wrong, data={"wrong": len(wrong)},
        table=table(["precision", "$\\varepsilon$", "$d$", "slide", "$\\varepsilon^{-1/(d+3)}$",
                     "decimal", "agrees"], rows))


@check("correction")
def cutoff_table_corrected() -> Evidence:
    """The corrected entries, checked by substitution back and by mpmath at 30 digits."""
    rows, ok = [], True
    for (prec, d), _ in SLIDE_CUTOFFS.items():
        eps = EPS[DTYPE[prec]]
        exact = cutoff(eps, d)
        back = sympy.simplify(exact ** (d + 3) * eps)   # k_d^(d+3) eps = 1
        bits = -int(sympy.log(eps, 2))
        with mpmath.workdps(30):
            second = mpmath.mpf(2) ** (mpmath.mpf(bits) / (d + 3))
            same = abs(second - mpmath.mpf(sympy.N(exact, 40))) < mpmath.mpf(10) ** -25
        ok &= back == 1 and bool(same)
        rows.append([prec, d, nearest(exact), f"${tex(exact)}$", "yes" if back == 1 else "no",
                     "yes" if same else "no"])
    return Evidence(
        "The table corrected",
        "Nearest integers of $\\varepsilon^{-1/(d+3)}$, each checked twice: "
        "$k_d^{d+3} \\varepsilon$ simplifies to 1, and $2^{m/(d+3)}$ evaluated by mpmath at 30 "
        "digits ($\\varepsilon = 2^{-m}$) agrees with SymPy's value.",
        passed=ok, table=table(["precision", "$d$", "$k_d$ (nearest integer)", "exact",
                                "$k_d^{d+3}\\varepsilon = 1$", "mpmath agrees"], rows))


def measure_cutoffs(sizes, ctx) -> list[dict]:
    """Per n: certified lambda_k, float32 and float64 eigvalsh of the same matrix, the counts
    above the candidate thresholds, and the first k resolved worse than 1% / lost (100%)."""
    eps = float(EPS["float32"])
    mu1 = float(operator_mu(1, 1)[0])
    out = []
    for n in sizes:
        ctx.note(f"Z6: n = {n}")
        ref, cert = certified_lambda(1, knots("uniform", n, DPS))
        g = float64_gram(-1 + 2 * np.arange(n) / n)
        with single_thread():   # float32 rounding must not depend on the BLAS thread count
            rel32 = np.abs(eigvalsh(g, "float32", "numpy") / ref - 1)
            rel64 = np.abs(eigvalsh(g, "float64", "numpy") / ref - 1)

        def first(rel, tau):
            hit = np.nonzero(rel > tau)[0]
            return int(hit[0]) if hit.size else n   # resolved eigenvalues before the first miss

        out.append({"n": n, "certified": cert.certified,
                    "operator": int(np.sum(ref >= n * eps * mu1)),
                    "matrix": int(np.sum(ref >= n * eps * ref[0])),
                    "eps": int(np.sum(ref >= eps * ref[0])),
                    "resolved": first(rel32, RESOLVED), "lost": first(rel32, LOST),
                    "resolved64": first(rel64, RESOLVED),
                    # the smallest eigenvalue float32 still resolves, in units of eps lambda_1
                    "floor": float(ref[max(first(rel32, RESOLVED) - 1, 0)] / (eps * ref[0]))})
    return out


def _k1() -> float:
    return float(cutoff(EPS["float32"], 1))


def _cutoff_growth(rows) -> object:
    return power_law([r["n"] for r in rows], [r["resolved"] for r in rows]).exponent


@check("statement")
def threshold_reading(rows: list[dict]) -> Evidence:
    """The threshold n eps lambda_1 (lambda_1 of the operator, the slide's notation) against
    float32 eigenvalues: everything above it resolved, and counts that do not fall with n."""
    growth = _cutoff_growth(rows)
    safe = all(r["operator"] <= r["resolved"] for r in rows)
    # Read with lambda_1 of the matrix, the count above n eps lambda_1 falls like n^(-1/4)
    # (lambda_k ~ k^-4); read with the operator's, it stays put. Halfway: -1/8.
    n_free = growth.value > -0.125
    ok = safe and n_free and all(r["certified"] for r in rows)
    series = [{"label": label, "x": [r["n"] for r in rows], "y": [r[key] for r in rows],
               "style": style, "group": i}
              for i, (label, key, style) in enumerate([
                  ("float32 resolved to 1%", "resolved", "o-"),
                  ("float32 within 100%", "lost", "s-"),
                  ("above $n \\varepsilon \\mu_1$ (operator)", "operator", "--"),
                  ("above $n \\varepsilon \\lambda_1$ (matrix)", "matrix", ":"),
                  ("above $\\varepsilon \\lambda_1$", "eps", "-.")])]
    series.append({"label": "$\\varepsilon^{-1/4}$", "x": [rows[0]["n"], rows[-1]["n"]],
                   "y": [_k1(), _k1()], "style": "-", "group": 5})
    return Evidence(
        "The threshold $n \\varepsilon \\lambda_1$ against float32 eigenvalues",
        "Certified spectra of the ReLU Gram matrix for the slide's knots; float32 eigvalsh "
        "(NumPy) of the same matrix. On the slide $\\lambda_k$ is the eigenvalue of the "
        "operator (here $\\mu_k$); the matrix has $\\lambda_k(G) \\approx \\frac{n}{2}\\mu_k$, "
        "so $n \\varepsilon \\mu_1 \\approx 2 \\varepsilon \\lambda_1(G)$ and the count above it "
        "does not depend on $n$, while the matrix's $n \\varepsilon \\lambda_1(G)$ would leave "
        "fewer eigenvalues as $n$ grows. Measured: "
        + ("every eigenvalue above $n \\varepsilon \\mu_1$ is resolved to 1%"
           if safe else "some eigenvalue above $n \\varepsilon \\mu_1$ is NOT resolved")
        + f", and the number resolved changes like $n^{{{growth.tex()}}}$, "
        + ("as the operator's reading predicts and not like the $n^{-1/4}$ of the matrix's. "
           if n_free else "like the matrix's reading. ")
        + "The threshold is a worst case: float32 keeps eigenvalues to 1% down to "
        f"${Approx(min(r['floor'] for r in rows)).tex()}\\, \\varepsilon \\lambda_1(G)$.",
        passed=ok, data={"rows": rows, "growth": growth.to_json()},
        table=table(["$n$", "float32 to 1%", "float32 within 100%",
                     "count $\\lambda_k \\ge n \\varepsilon \\mu_1$",
                     "count $\\lambda_k \\ge n \\varepsilon \\lambda_1(G)$",
                     "count $\\lambda_k \\ge \\varepsilon \\lambda_1(G)$", "float64 to 1%"],
                    [[r["n"], r["resolved"], r["lost"], r["operator"], r["matrix"], r["eps"],
                      r["resolved64"]] for r in rows]),
        plot=line_plot("Z6_cutoffs", series, xlabel="$n$", ylabel="number of eigenvalues",
                       xscale="log", yscale="log", legend="outside",
                       title="float32 against the candidate thresholds"))


@check("statement")
def resolved_modes(rows: list[dict]) -> Evidence:
    """About eps^(-1/4) eigenmodes resolved in float32 (d = 1), at every n."""
    k1 = _k1()
    # "about": within a factor 2 in the count, i.e. a factor 2^(d+3) = 16 in the threshold.
    ratios = [r["resolved"] / k1 for r in rows]
    ok = all(0.5 <= q <= 2 for q in ratios)
    return Evidence(
        "About $\\varepsilon^{-d/(d+3)}$ usable eigenmodes ($d = 1$)",
        f"$\\varepsilon^{{-1/4}} = {Approx(k1, 4).tex()}$ in single precision; float32 "
        "resolves " + ", ".join(f"{r['resolved']} ($n = {r['n']}$)" for r in rows)
        + " eigenvalues to 1%: "
        + ("within a factor 2 at every $n$ (a factor 16 in the threshold)." if ok else
           "not within a factor 2."),
        passed=ok, data={"ratios": ratios})


@check("statement")
def widening(rows: list[dict]) -> Evidence:
    """Widening stops helping: the number of resolved modes saturates as n grows."""
    growth = _cutoff_growth(rows)
    # If widening helped, the resolved count would grow like n (every mode usable); saturation
    # means exponent 0. Halfway: 1/2.
    ok = growth.value + 2 * growth.uncertainty < 0.5
    return Evidence(
        "Widening does not help",
        f"From $n = {rows[0]['n']}$ to ${rows[-1]['n']}$ the number of eigenvalues float32 "
        f"resolves to 1% changes like $n^{{{growth.tex()}}}$ "
        + ("(saturation: well below the $n^1$ of a network whose extra units all help)."
           if ok else "(it keeps growing with the width)."), passed=ok)


__all__ = ["SLIDE_CUTOFFS", "cutoff_table_check", "cutoff_table_corrected", "measure_cutoffs",
           "resolved_modes", "threshold_reading", "widening"]
