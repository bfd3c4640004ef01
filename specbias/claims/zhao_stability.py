"""Audit of H. Zhao, "Numerical Analysis 101 for Neural Networks": Z8 (stability of the
least-squares fit of Z7 to noise and over-parametrization), with :mod:`specbias.verify.lstsq`.

Noisy samples fitted with more biases than samples (the slide's 1000 and 1500), against the
exact noise gain of the minimum-norm fit; the slide's mechanism, finite precision as a low-pass
filter, as the fit truncated where float32 loses the modes of A^T A; and the gain against the
number of biases, with the placement of knots and samples that sets its peak.
"""

from __future__ import annotations

import numpy as np

from specbias.claims import AuditContext, Claim, audits, check
from specbias.claims.zhao_lstsq import TARGET
from specbias.numbers import Approx, Measured, num
from specbias.records import Evidence, Verdict, line_plot, table
from specbias.verify.lstsq import NoiseResponse, fit, noise_response
from specbias.verify.precision import single_threaded

#: Noise standard deviation, samples and biases of the stability experiment (the slide's
#: 1000 samples and 1500 biases).
SIGMA, SAMPLES, BIASES = 1e-2, 1000, 1500
#: A fit is stable to data noise when the test MSE it adds is at most twice the noise variance:
#: a fit that passes white noise through (an interpolant) has a gain near 1 (2/3 to 1 here), a
#: fit that filters it has less, and an unstable one multiplies it by orders of magnitude (224 at
#: the threshold p = m with knots midway between samples); 2 separates the first two from the
#: last with room for the O(1) scatter between placements.
MAX_GAIN = 2.0
#: Machine epsilon of the slide's low-pass mechanism: float32 loses the eigenvalues of A^T A
#: below n eps lambda_1 (Z6), i.e. the singular values of A below sigma_1 sqrt(n eps).
LOWPASS_EPS = 2.0**-23


@check("reference")
def gain_matches_noise(clean: dict, noisy: list[dict], response: NoiseResponse, m: int,
                       p: int) -> Evidence:
    """The measured excess test MSE over noise draws against the exact noise response."""
    excess = np.array([r["MSE"] - clean["MSE"] for r in noisy]) / SIGMA**2
    se = response.spread / np.sqrt(excess.size)    # exact, not estimated from the draws
    # the mean carries the exact standard error: a few draws estimate their own spread poorly
    mean = Measured(float(np.mean(excess)), float(se))
    # Four exact standard errors of the mean (a false alarm below 1e-4 for a normal mean, and
    # still rare for the skewed chi-square part at a few draws).
    ok = abs(mean.value - response.gain) <= 4 * se
    return Evidence(
        "Noise gain: Monte Carlo against the exact formula",
        f"{len(noisy)} seeded noise draws ($\\sigma = {Approx(SIGMA).tex()}$) on {m} "
        f"samples, {p} uniform biases, minimum-norm least squares in float64: the test "
        f"MSE rises by ${mean.tex()} \\, \\sigma^2$ on average; the exact gain "
        "$\\Vert A_{test} A^+ \\Vert_F^2 / T$ of the linear fit is "
        f"{num(response.gain, 4)}, with an exact standard error of the mean of {num(se)}"
        + (": they agree." if ok else ": they DISAGREE."),
        passed=ok, data={"excess_over_sigma2": mean.to_json(), "gain": response.gain})


@check("statement")
def stable_fit(clean: dict, gain: float, wide: dict, m: int, p: int) -> Evidence:
    """m noisy samples, p > m biases (the slide's 1000 and 1500): the noise gain and the clean
    fit against one with half as many biases as samples."""
    ok = gain <= MAX_GAIN and clean["MSE"] <= wide["MSE"]
    return Evidence(
        "Noise and over-parametrization together",
        f"With {p} biases for {m} samples the fit interpolates, yet the test MSE it "
        f"adds to white data noise is {num(gain, 2)} times the noise variance "
        + ("(at most " + num(MAX_GAIN) + ": stable)" if gain <= MAX_GAIN else
           "(above " + num(MAX_GAIN) + ": UNSTABLE)")
        + f"; without noise the test MSE is {num(clean['MSE'])} against {num(wide['MSE'])} with "
        f"{wide['biases']} biases, and the coefficients' norm is {num(clean['coef_norm'], 3)}.",
        passed=ok, data={"gain": gain, "clean_mse": clean["MSE"]})


def lowpass_cutoff(p: int) -> float:
    """sigma_k / sigma_1 below which finite precision drops a mode: sqrt(p eps), eps = 2^-23."""
    return float(np.sqrt(p * LOWPASS_EPS))


@check("statement")
def lowpass_fit(response: NoiseResponse, m: int, p: int) -> Evidence:
    """The slide's mechanism: the fit truncated where float32 loses the modes of A^T A is a
    low-pass filter: it passes about rank/m of white noise (a projection onto rank modes)."""
    # An orthogonal projection of m white samples onto r modes keeps r/m of the noise variance
    # on average; the test points see the same up to the design's O(1) interpolation factor,
    # so a low-pass fit stays within 2 r/m; a fit that amplifies noise through small singular
    # values exceeds it.
    limit = 2 * response.rank / m
    ok = response.gain <= limit
    return Evidence(
        "The low-pass filter: the truncated fit",
        f"The slide attributes stability to finite precision acting as a low-pass filter: "
        f"eigenvalues of $A^T A$ below $n \\varepsilon \\lambda_1$ ($\\varepsilon = 2^{{-23}}$) "
        f"are lost, i.e. singular values of $A$ below $\\sigma_1 \\sqrt{{p \\varepsilon}} = "
        f"{Approx(lowpass_cutoff(p), 2).tex()}\\, \\sigma_1$. With {p} biases and {m} samples that "
        f"keeps {response.rank} modes, and the exact noise gain of the truncated fit is "
        f"{num(response.gain, 2)}"
        + (f" (at most $2 r/m = {Approx(limit, 2).tex()}$: it filters the noise out)" if ok
           else f" (above $2 r/m = {Approx(limit, 2).tex()}$: NOT a low-pass filter)")
        + ". The float64 minimum-norm fit of the evidence above keeps every mode and passes "
        "the noise through instead. The price of the filter, what the few modes kept cannot "
        "fit, is not measured here.",
        passed=ok, data={"gain": response.gain, "rank": response.rank, "limit": limit})


@check("context")
def gain_sweep(gains: dict, m: int, p: int, measured: Measured, equispaced: float) -> Evidence:
    """The noise gain against the number of biases at m samples, with the Monte Carlo value
    measured at the slide's p."""
    ps = sorted(gains)
    peak = max(ps, key=gains.get)
    return Evidence(
        "Where the fit is not stable",
        f"The exact noise gain for {m} samples against the number of biases $p$: about "
        "$p/m$ below the number of samples, near 1 above it, with a peak of "
        f"{num(gains[peak], 3)} at $p = {peak}$"
        + (f", where the {peak + 1} unknowns (with the constant) barely exceed the samples "
           "and the knots sit midway between samples." if peak == m else ".")
        + f" The peak depends on that placement: with knots and samples both equispaced from "
        f"$-1$ to $1$ the gain at $p = {peak}$ is {num(equispaced, 2)}.",
        table=table(["biases $p$", "noise gain"], [[q, Approx(gains[q], 3)] for q in ps]),
        plot=line_plot("Z8_noise_gain", [
            {"label": "exact noise gain", "x": ps, "y": [gains[q] for q in ps], "style": "o-"},
            {"label": "measured (Monte Carlo)", "x": [p], "y": [measured.value],
             "yerr": [measured.uncertainty], "style": "s"},
            {"label": f"stability limit {Approx(MAX_GAIN).text()}", "x": [ps[0], ps[-1]],
             "y": [MAX_GAIN, MAX_GAIN], "style": "--"}],
            xlabel="biases $p$", ylabel="test MSE added per unit noise variance", xscale="log",
            yscale="log", title=f"Minimum-norm least squares, {m} samples"))


@audits("Z8")
@single_threaded
def audit_z8(claim: Claim, ctx: AuditContext) -> Verdict:
    """Z8: noise and over-parametrization together (1000 noisy samples, 1500 biases; a fifth
    of both in quick mode)."""
    m, p = (SAMPLES // 5, BIASES // 5) if ctx.quick else (SAMPLES, BIASES)
    draws = range(ctx.seed, ctx.seed + (4 if ctx.quick else 6))   # the exact spread sets the error
    ctx.note("Z8: fits with noise")
    clean = fit(TARGET, p, biases=p, samples=m, element_samples=False)
    noisy = [fit(TARGET, p, biases=p, samples=m, element_samples=False, noise=SIGMA, seed=s)
             for s in draws]
    wide = fit(TARGET, m // 2, biases=m // 2, samples=m, element_samples=False)
    ctx.note("Z8: noise gains")
    sweep = sorted({int(round(m * r)) for r in (0.1, 0.25, 0.5, 0.9, 1.0, 1.1, 1.5, 2.0)})
    response = noise_response(TARGET, p, m, SIGMA)
    gains = {q: (response if q == p else noise_response(TARGET, q, m, SIGMA)).gain
             for q in sweep}
    ctx.note("Z8: the low-pass fit and the other placement")
    peak = max(gains, key=gains.get)
    lowpass = noise_response(TARGET, p, m, SIGMA, cutoff=lowpass_cutoff(p))
    equispaced = noise_response(TARGET, peak, m, SIGMA, placement="equispaced").gain
    evidence = [gain_matches_noise(clean, noisy, response, m, p),
                stable_fit(clean, gains[p], wide, m, p), lowpass_fit(lowpass, m, p)]
    evidence.append(gain_sweep(gains, m, p, Measured(**evidence[0].data["excess_over_sigma2"]),
                               equispaced))
    return Verdict(
        claim.id, claim.statement, evidence,
        summary=("Stable" if evidence[1].passed else "Not stable")
                + f": with {p} biases for {m} noisy samples the minimum-norm fit has a noise "
                "gain (test MSE added per unit noise variance) of "
                f"{num(gains[p], 2)} (measured and exact "
                + ("agree" if evidence[0].passed else "DISAGREE") + ")"
                + ("; the slide's low-pass mechanism, truncating where float32 loses the modes "
                   f"of $A^T A$, keeps {lowpass.rank} modes and has gain {num(lowpass.gain, 2)}"
                   if evidence[2].passed else "; the truncated fit does NOT filter the noise")
                + (f"; with {peak} biases and knots midway between samples it amplifies the "
                   f"noise {num(gains[peak], 3)}-fold ({num(equispaced, 2)} with equispaced "
                   "knots and samples)" if gains[peak] > MAX_GAIN else
                   f"; no number of biases measured does worse than {num(gains[peak], 3)}")
                + ".",
        reason="SVD least squares (minimum norm) in float64, uniform biases, midpoint samples; "
               "the low-pass fit truncates the same SVD at $\\sigma_1 \\sqrt{p \\varepsilon}$, "
               "$\\varepsilon = 2^{-23}$ (exact gains, no float32 arithmetic); "
               "the normal equations in float32 are not stable (Z7). Stability holds away from "
               f"the interpolation threshold: at $p = {peak}$ biases for {m} samples the "
               "same fit is " + ("unstable." if gains[peak] > MAX_GAIN else "still stable."),
        measured={f"noise gain, {p} biases": Approx(gains[p], 2),
                  f"noise gain of the low-pass fit, {p} biases": Approx(lowpass.gain, 2),
                  "measured excess MSE over $\\sigma^2$":
                      Measured(**evidence[0].data["excess_over_sigma2"]),
                  f"noise gain, {peak} biases": Approx(gains[peak], 3)})
