"""Evidence for Z6 (H. Zhao, "Numerical Analysis 101 for Neural Networks", "Implications to
numerical computation in practice"): the precision cutoff. The audit itself is
:func:`specbias.claims.zhao_matrix.audit_z6`; this module registers no audit.

The slide states a threshold n eps lambda_1 below which eigenvalues are lost, about
eps^(-d/(d+3)) usable eigenmodes (Fourier modes up to k_d = eps^(-1/(d+3))), a table of k_d, and
that widening the network stops helping. Measured here in d = 1: float32 eigenvalues of the
ReLU Gram matrix (NumPy eigvalsh) against certified spectra (float64 beyond the certified
sizes), for growing n, with the matrix rounded from float64 and formed in float32 arithmetic;
and, for widening, the float32 least-squares error of Table 1's fit against n.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy

from specbias.claims import check
from specbias.claims.zhao_spectra import (DPS, U64, certified_lambda, float64_gram,
                                          operator_mu, power_law)
from specbias.derive.gram.kernel import gram_kernel
from specbias.derive.matrix.cutoffs import EPS, cutoff
from specbias.derive.matrix.knots import knots
from specbias.errors import require
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
#: Largest n whose spectrum is certified (mpmath, cached); beyond it float64 eigvalsh is the
#: reference, with its error bound 2 n u lambda_1 checked to be below REFERENCE_TOL lambda_k.
CERTIFIED_MAX = 800
REFERENCE_TOL = 1e-3


def nearest(exact: sympy.Expr) -> int:
    """The nearest integer to a positive exact number."""
    return int(sympy.floor(exact + sympy.Rational(1, 2)))


def corrected_entry(prec: str, d: int) -> str:
    """$k_d = m$ when eps^(-1/(d+3)) is an integer m, else $k_d \\simeq$ its value to one
    decimal (a frequency cutoff is read as a floor, so the decimal matters: 3.4, not 3)."""
    exact = cutoff(EPS[DTYPE[prec]], d)
    if exact.is_Integer:
        return f"$k_{{{d}}} = {int(exact)}$"
    whole = len(str(int(sympy.floor(exact))))
    return f"$k_{{{d}}} \\simeq {Approx(float(exact), whole + 1).tex()}$"


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


def float32_gram(b: np.ndarray, power: int = 1) -> np.ndarray:
    """G_ij = G_P(b_i, b_j) formed in float32 arithmetic from float32 knots (the lambdified
    derived kernel keeps the dtype of its arguments)."""
    b = np.asarray(b, dtype=np.float32)
    g = gram_kernel(power).numeric("numpy")(b[:, None], b[None, :])
    require(g.dtype == np.float32, f"the kernel returned {g.dtype}, not float32: the float32 "
                                   "construction needs a dtype-preserving kernel")
    return g


def _reference(n: int, g: np.ndarray) -> tuple[np.ndarray, bool]:
    """The exact spectrum of the slide's n x n Gram matrix: certified for n <= CERTIFIED_MAX,
    else float64 eigvalsh; the flag says it is certified, or that the float64 error bound is
    below REFERENCE_TOL of every eigenvalue float32 could still keep (those above
    eps32 lambda_1 / 10)."""
    if n <= CERTIFIED_MAX:
        ref, cert = certified_lambda(1, knots("uniform", n, DPS))
        return ref, bool(cert.certified)
    ref = np.linalg.eigvalsh(g)[::-1]
    kept = ref >= float(EPS["float32"]) * ref[0] / 10
    return ref, bool(np.all(2 * n * U64 * ref[0] <= REFERENCE_TOL * ref[kept]))


def _first(rel: np.ndarray, tau: float) -> int:
    """Resolved eigenvalues before the first one off by more than tau."""
    hit = np.nonzero(rel > tau)[0]
    return int(hit[0]) if hit.size else rel.size


def measure_cutoffs(sizes, ctx) -> list[dict]:
    """Per n: the reference spectrum, float32 and float64 eigvalsh of the same matrix (rounded
    from float64) and of the matrix formed in float32, the counts above the candidate
    thresholds, and the first k resolved worse than 1% / lost (100%)."""
    eps = float(EPS["float32"])
    mu1 = float(operator_mu(1, 1)[0])
    out = []
    for n in sizes:
        ctx.note(f"Z6: n = {n}")
        b = -1 + 2 * np.arange(n) / n
        g = float64_gram(b)
        ref, certified = _reference(n, g)
        with single_thread():   # float32 rounding must not depend on the BLAS thread count
            rel32 = np.abs(eigvalsh(g, "float32", "numpy") / ref - 1)
            rel64 = np.abs(eigvalsh(g, "float64", "numpy") / ref - 1)
            formed = np.abs(np.linalg.eigvalsh(float32_gram(b))[::-1] / ref - 1)
        resolved = _first(rel32, RESOLVED)
        out.append({"n": n, "certified": certified, "reference": "certified" if
                    n <= CERTIFIED_MAX else "float64",
                    "operator": int(np.sum(ref >= n * eps * mu1)),
                    "matrix": int(np.sum(ref >= n * eps * ref[0])),
                    "eps": int(np.sum(ref >= eps * ref[0])),
                    "resolved": resolved, "lost": _first(rel32, LOST),
                    "formed32": _first(formed, RESOLVED),
                    "resolved64": _first(rel64, RESOLVED),
                    # the smallest eigenvalue float32 still resolves, in units of eps lambda_1
                    "floor": float(ref[max(resolved - 1, 0)] / (eps * ref[0]))})
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
    factor = min(r["resolved"] / r["operator"] for r in rows)
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
        f"Certified spectra of the ReLU Gram matrix for the slide's knots ($n \\le "
        f"{CERTIFIED_MAX}$; beyond, float64 eigvalsh, whose error bound $2 n u \\lambda_1$ is "
        f"below {Approx(REFERENCE_TOL, 1).tex().join('$$')} of every eigenvalue compared); "
        "float32 eigvalsh (NumPy) of the same matrix rounded to float32, and of the matrix "
        "formed in float32 arithmetic from float32 knots. On the slide $\\lambda_k$ is the "
        "eigenvalue of the "
        "operator (here $\\mu_k$); the matrix has $\\lambda_k(G) \\approx \\frac{n}{2}\\mu_k$, "
        "so $n \\varepsilon \\mu_1 \\approx 2 \\varepsilon \\lambda_1(G)$ and the count above it "
        "does not depend on $n$, while the matrix's $n \\varepsilon \\lambda_1(G)$ would leave "
        "fewer eigenvalues as $n$ grows. Measured: "
        + ("every eigenvalue above $n \\varepsilon \\mu_1$ is resolved to 1%"
           if safe else "some eigenvalue above $n \\varepsilon \\mu_1$ is NOT resolved")
        + f", and the number resolved changes like $n^{{{growth.tex()}}}$, "
        + ("as the operator's reading predicts and not like the $n^{-1/4}$ of the matrix's. "
           if n_free else "like the matrix's reading. ")
        + "The threshold is a conservative bound, not the cutoff: float32 resolves at least "
        f"{Approx(factor, 2).tex().join('$$')} times as many eigenvalues as lie above it (a "
        "factor $2$ in $k$ is a factor $2^4 = 16$ in $\\lambda_k \\sim k^{-4}$), keeping "
        f"them to 1% down to ${Approx(min(r['floor'] for r in rows)).tex()}\\, \\varepsilon "
        "\\lambda_1(G)$.",
        passed=ok, data={"rows": rows, "growth": growth.to_json(), "factor": factor},
        table=table(["$n$", "reference", "float32 to 1%", "formed in float32, to 1%",
                     "float32 within 100%",
                     "count $\\lambda_k \\ge n \\varepsilon \\mu_1$",
                     "count $\\lambda_k \\ge n \\varepsilon \\lambda_1(G)$",
                     "count $\\lambda_k \\ge \\varepsilon \\lambda_1(G)$", "float64 to 1%"],
                    [[r["n"], r["reference"], r["resolved"], r["formed32"], r["lost"],
                      r["operator"], r["matrix"], r["eps"],
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


#: Saturation rule for widening: from the narrower half of the widths to the wider half (n grows
#: at least 4-fold) a fit whose extra units all help improves its MSE like n^-4 (piecewise-linear
#: interpolation error h^2), by at least 4^4 = 256; widening "does not help" when the best MSE
#: of the wider half is not even 16 times (one doubling's worth) below that of the narrower.
SATURATED = 1 / 16


def saturation(sizes, mse) -> float:
    """min MSE over the wider half of ``sizes`` / min MSE over the narrower half."""
    half = len(sizes) // 2
    return float(min(mse[-half:]) / min(mse[:half]))


def widening_fits(sizes, fit) -> dict:
    """float32 fits of Table 1's target at each width: normal equations (the slides' G^-1 f)
    and SVD least squares (the control); ``fit(n, solver)`` returns the fit's record."""
    return {solver: [fit(n, solver)["MSE"] for n in sizes] for solver in ("normal", "lstsq")}


@check("statement")
def widening(rows: list[dict], sizes, mse: dict) -> Evidence:
    """Widening stops helping: the float32 least-squares error through the Gram matrix (normal
    equations) stops improving with n, while the control (float32 SVD) keeps improving."""
    growth = _cutoff_growth(rows)
    normal, control = saturation(sizes, mse["normal"]), saturation(sizes, mse["lstsq"])
    ok = normal > SATURATED
    rows_t = [[n, Approx(a), Approx(b)] for n, a, b in zip(sizes, mse["normal"], mse["lstsq"])]
    return Evidence(
        "Widening does not help",
        "The direct test: the float32 least-squares fit of $\\arctan(25x)$ (Table 1's setting, "
        "uniform knots) through the Gram matrix, i.e. the normal equations that the threshold "
        f"$n \\varepsilon \\lambda_1$ refers to, for $n$ from {sizes[0]} to {sizes[-1]}. Its "
        "best MSE on the wider half of the widths is "
        f"{Approx(normal).tex().join('$$')} times that on the narrower half: "
        + ("it stops improving (a fit whose extra units all help gains at least a factor "
           f"$256$; saturation means it gains less than a factor ${round(1 / SATURATED)}$)."
           if ok else
           "it keeps improving, so widening helps.")
        + f" Control: float32 SVD least squares on the same design gains a factor "
        f"{Approx(1 / control).tex().join('$$')}, so the saturation is the Gram matrix's, not "
        "the float32 basis's. The count of eigenvalues float32 resolves to 1% grows slowly, "
        f"like $n^{{{growth.tex()}}}$ from $n = {rows[0]['n']}$ to ${rows[-1]['n']}$.",
        passed=ok, data={"normal": normal, "control": control},
        table=table(["$n$", "MSE, float32 normal equations", "MSE, float32 SVD"], rows_t))


__all__ = ["SLIDE_CUTOFFS", "corrected_entry", "cutoff_table_check", "cutoff_table_corrected",
           "measure_cutoffs",
           "resolved_modes", "saturation", "threshold_reading", "widening", "widening_fits"]
