"""Audits of Basri et al.'s eigen-equation and eigenfunctions on the circle (Lucchi's lecture,
seeds/002): B4 and B5.

B4 derives the exact eigen-equation from the kernel's singularities and measures how far the
slide's second-order ODE is from it, on exact uniform eigenpairs and on the matching conditions
of certified Ritz eigenfunctions. B5 measures local frequencies of certified eigenfunctions on
each piece of two densities. The certified spectra are shared with B6
(:func:`specbias.claims.basri_circle.certified_spectrum`).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy

from specbias.claims import AuditContext, Claim, audits, check
from specbias.claims.basri_circle import audit_spectra, psi_z
from specbias.derive.sphere.circle import DEFAULT_CONVENTION, fourier_coefficients, q_sym
from specbias.derive.sphere.local import local_frequencies
from specbias.derive.sphere.ode import derive_eigen_equation, q as q_ode
from specbias.notation import tex
from specbias.numbers import Approx, num
from specbias.records import Evidence, Verdict, line_plot, table


# ---------------------------------------------------------------------------------------------
# B4

@check("reference")
def exact_equation() -> Evidence:
    """The exact eigen-equation, derived; its symbol reproduces the Fourier coefficients."""
    eq, der = derive_eigen_equation(DEFAULT_CONVENTION)
    coeffs, _ = fourier_coefficients(*DEFAULT_CONVENTION)
    diff = sympy.simplify(eq["uniform_eigenvalue"].subs(q_ode, q_sym) - coeffs["general"])
    return Evidence(
        "The exact eigen-equation, derived from the kernel's singularities",
        "$L = D^2 (D^2 + 1)^2$ annihilates every smooth branch of $k$; the kink at $\\delta = 0$ "
        "and the jump of $k'''$ at $\\delta = \\pi$ leave $\\lambda L f = A(D)(p f) + "
        f"B(D)(p f)(x - \\pi)$ with $L = {tex(eq['L'])}$, $A = {tex(eq['A'])}$, "
        f"$B = {tex(eq['B'])}$. Check: for the uniform density its symbol minus the Fourier "
        f"coefficient $c_q$ simplifies to ${tex(diff)}$.",
        passed=diff == 0, derivation=der)


def _uniform_exact(qs: list) -> list:
    coeffs, _ = fourier_coefficients(*DEFAULT_CONVENTION)
    with mpmath.workdps(30):
        return [mpmath.mpf(str(sympy.N(coeffs[q] if q in (0, 1) else
                                       coeffs["general"].subs(q_sym, q), 35))) for q in qs]


@check("statement")
def slide_ode_uniform(qs: list) -> Evidence:
    """f'' = −p f/(πλ) against the exact eigenpairs cos(qx), c_q of the uniform density."""
    lams = _uniform_exact(qs)
    p = 1 / (2 * mpmath.pi)
    rows, rel = [], []
    for q, lam in zip(qs, lams):
        w2 = p / (mpmath.pi * lam)
        rel.append(float(abs(w2 - q * q) / max(q * q, 1)))
        rows.append([q, Approx(float(w2), 8), q * q, Approx(rel[-1])])
    return Evidence(
        "The slide's ODE against the exact uniform eigenpairs",
        "For $p = 1/(2\\pi)$ the eigenfunctions are $\\cos(qx)$, so $f'' = -q^2 f$; the slide's "
        "ODE asks for $q^2 = p/(\\pi\\lambda_q)$. It holds exactly for odd $q \\ge 3$ and fails "
        f"for $q = 0$, $q = 1$ and every even $q$ (largest relative error {num(max(rel))}).",
        passed=max(rel) < 1e-20,
        table=table(["$q$", "$p/(\\pi \\lambda_q)$", "$q^2$", "relative error"], rows),
        data={"rel": rel, "q": qs})


@check("approximation")
def slide_ode_asymptotic(qs: list, rel: list) -> Evidence:
    """The slide's ODE is the leading order: its error on even q decays like q^-2."""
    even = [(q, r) for q, r in zip(qs, rel) if q >= 2 and q % 2 == 0]
    slope = float(np.polyfit(np.log([q for q, _ in even]), np.log([r for _, r in even]), 1)[0])
    return Evidence(
        "The slide's ODE as the leading order in the frequency",
        f"On even $q$ the relative error of $q^2 = p/(\\pi\\lambda_q)$ decays like "
        f"$q^{{{Approx(slope, 3).tex()}}}$: the slide keeps the leading powers of "
        "$\\lambda L = A$ (derived: $\\omega^2 \\approx p/(\\pi\\lambda)$).",
        passed=slope < -1.5, data={"slope": slope},
        plot=line_plot("B4_ode_error", [{"label": "even $q$", "x": [q for q, _ in even],
                                         "y": [r for _, r in even], "style": "o-"}],
                       xlabel="$q$", ylabel="relative error of $q^2 = p/(\\pi\\lambda)$",
                       xscale="log", yscale="log", title="The slide's ODE, uniform density"))


@check("correction")
def matching_conditions_hold(sp) -> Evidence:
    """The derived jump conditions at the breakpoints, on certified Ritz eigenfunctions:
    [f] = [f'] = 0, λ[f''] = −[p] f/π, λ[f'''] = −[p] f'/π."""
    panels = sp.panels
    worst, rows = 0.0, []
    for i in range(1, min(len(sp.mp_values), 12)):
        lam = float(sp.mp_values[i])
        scale = max(abs(sp.panel_derivative(i, k, 0, -1.0)) for k in range(len(panels)))
        for k in range(len(panels)):
            left, right = (k - 1) % len(panels), k
            jump_p = float(panels[right].p - panels[left].p)
            if jump_p == 0:
                continue
            f = [sp.panel_derivative(i, right, j, -1.0) for j in range(4)]
            g = [sp.panel_derivative(i, left, j, 1.0) for j in range(4)]
            res = [abs(f[0] - g[0]) / scale, abs(f[1] - g[1]) / scale,
                   abs(lam * (f[2] - g[2]) + jump_p * f[0] / math.pi) / (abs(jump_p) * scale / math.pi),
                   abs(lam * (f[3] - g[3]) + jump_p * f[1] / math.pi) / (abs(jump_p) * scale / math.pi)]
            worst = max(worst, max(res))
            if i <= 4:
                rows.append([i + 1, Approx(float(panels[right].a), 4)] + [Approx(r) for r in res])
    return Evidence(
        "Matching conditions at the breakpoints, on certified eigenfunctions",
        "From $\\lambda f^{(j)} = \\int \\partial^j k(x - z) p f\\, dz$: $f$ and $f'$ are "
        "continuous, $\\lambda [f''] = -[p] f/\\pi$ and $\\lambda [f'''] = -[p] f'/\\pi$ at "
        "every breakpoint (the kink of $k$). On the three-piece density, one-sided derivatives "
        "of the Ritz eigenfunctions (float64) satisfy them to a relative "
        f"{num(worst)} for the first 11 eigenfunctions, so the slide's ODE, which has "
        "continuous $f''$ only where $p$ is, misses these jumps' origin but not their size.",
        passed=worst < 1e-5,
        table=table(["$i$", "breakpoint", "$[f]$", "$[f']$", "$[f'']$ rule", "$[f''']$ rule"],
                    rows), data={"worst": worst})


@audits("B4")
def audit_b4(claim: Claim, ctx: AuditContext) -> Verdict:
    """B4: the exact equation, the slide's ODE on exact eigenpairs, matching conditions."""
    qs = list(range(0, 13 if ctx.quick else 41))
    ctx.note("B4: exact equation")
    first = exact_equation()
    statement = slide_ode_uniform(qs)
    spectra, _, _ = audit_spectra(ctx)
    evidence = [first, statement, slide_ode_asymptotic(qs, statement.data["rel"]),
                matching_conditions_hold(spectra["three-piece"])]
    eq, _ = derive_eigen_equation(DEFAULT_CONVENTION)
    return Verdict(
        claim.id, claim.statement, evidence,
        summary="The eigenfunctions satisfy a sixth-order equation with an antipodal term, "
                "derived here; the slide's second-order ODE is its leading order, exact for "
                "odd $q \\ge 3$ of the uniform density and off by order $q^{-2}$ otherwise.",
        correction="$\\lambda (f^{(6)} + 2 f^{(4)} + f'') = -\\frac{1}{\\pi}(pf)^{(4)} - "
                   "\\frac{1}{2\\pi}(pf)'' - \\frac{1}{2\\pi} pf + \\frac{3}{2\\pi}(pf)''(x - \\pi) "
                   "+ \\frac{1}{2\\pi}(pf)(x - \\pi)$, with $f, f'$ continuous and "
                   "$\\lambda[f''] = -[p] f/\\pi$ at the breakpoints; "
                   "$f'' = -\\frac{p}{\\pi\\lambda} f$ holds only to leading order in the frequency.",
        reason="The exact equation is derived symbolically and checked against the Fourier "
               "coefficients; the matching conditions on float64 eigenfunctions.",
        measured={"decay exponent of the ODE error (even q)": Approx(evidence[2].data["slope"], 3)})


# ---------------------------------------------------------------------------------------------
# B5

def _frequency_table(sp, indices) -> tuple[list, list, list]:
    fits = local_frequencies(sp, indices)
    Z = float(psi_z(sp.density))
    rows, rel_slide, rel_b4 = [], {}, {}
    pieces = sp.density.pieces()
    for f in fits:
        q = (f.index + 1) // 2
        p = float(pieces[f.piece][2])
        slide = q * math.sqrt(p) / Z
        b4 = math.sqrt(p / (math.pi * float(sp.mp_values[f.index])))
        rel_slide.setdefault(q, []).append(abs(f.omega / slide - 1))
        rel_b4.setdefault(q, []).append(abs(f.omega / b4 - 1))
        rows.append([f.index + 1, q, f.piece + 1, Approx(f.omega, 6), Approx(slide, 6),
                     Approx(b4, 6), Approx(f.residual)])
    return rows, rel_slide, rel_b4


@check("approximation")
def local_frequency_check(spectra: dict, indices: list) -> Evidence:
    """Measured local frequencies against q sqrt(p_j)/Z on each piece, for two densities."""
    tables, series, ok, notes = [], [], True, []
    for g, name in enumerate(("three-piece", "period-pi")):
        rows, rel_slide, rel_b4 = _frequency_table(spectra[name], indices)
        tables += rows
        qs = sorted(rel_slide)
        worst = [max(rel_slide[q]) for q in qs]
        # asymptotic: the error must fall (by 5x at least) from the smallest to the largest q
        ok &= worst[-1] < worst[0] / 5
        notes.append(f"{name}: worst relative error {num(worst[0])} at $q = {qs[0]}$, "
                     f"{num(worst[-1])} at $q = {qs[-1]}$")
        series += [{"label": f"{name}: $q\\sqrt{{p_j}}/Z$", "x": qs, "y": worst, "style": "o-",
                    "group": g},
                   {"label": f"{name}: $\\sqrt{{p_j/(\\pi\\lambda)}}$", "x": qs,
                    "y": [max(rel_b4[q]) for q in qs], "style": "s:", "group": g}]
    return Evidence(
        "Local frequencies of certified eigenfunctions",
        "On each piece the eigenfunction is fitted by $A\\cos\\omega x + B\\sin\\omega x + C$ "
        "(least squares, $\\omega$ by bounded minimization); the slide's $q\\sqrt{p_j}/Z$ is "
        "approached as $q$ grows: " + "; ".join(notes) + ".",
        passed=ok,
        table=table(["$i$", "$q$", "piece", "measured $\\omega$", "$q\\sqrt{p_j}/Z$",
                     "$\\sqrt{p_j/(\\pi\\lambda_i)}$", "fit residual"], tables),
        plot=line_plot("B5_local_frequency_error", series, xlabel="$q$",
                       ylabel="largest relative error over the pieces", xscale="log",
                       yscale="log", legend="outside", title="Local frequencies"))


@check("statement")
def cosine_form(spectra: dict, indices: list) -> Evidence:
    """The exact form a(p) cos(qΨ/Z + b(p)): a fit by one cosine per piece leaves a residual."""
    worst = 0.0
    for name in ("three-piece", "period-pi"):
        fits = local_frequencies(spectra[name], indices)
        worst = max([worst] + [f.residual for f in fits])
    return Evidence(
        "One cosine per piece",
        "If the eigenfunctions were exactly $a_j\\cos(\\omega_j x + b_j)$ on each piece, the "
        "least-squares fit would leave only rounding; the largest relative residual is "
        f"{num(worst)}: the exact eigenfunctions carry further components (the other roots of "
        "the derived local equation, and the antipodal coupling).",
        passed=worst < 1e-8, data={"worst_residual": worst})


@check("context")
def eigenfunctions_plot(sp) -> Evidence:
    """The first eigenfunctions of the three-piece density, with the density."""
    x = np.linspace(0, 2 * np.pi, 721)
    series = [{"label": f"$f_{{{i + 1}}}$", "x": x, "y": sp.eigenfunction(i, x), "style": "-",
               "panel": 0, "group": i} for i in (0, 1, 3, 7, 15) if i < len(sp.mp_values)]
    series.append({"label": "$p(x)$", "x": x, "y": [float(sp.density(v)) for v in x],
                   "style": "-", "panel": 1, "group": 9})
    return Evidence("Eigenfunctions per region", "Certified Ritz eigenfunctions (normalized in "
                    "$L^2(p)$) of the three-piece density: the oscillation is faster where "
                    "$p$ is larger.",
                    plot=line_plot("B5_eigenfunctions", series, xlabel="$x$",
                                   ylabel=["$f_i(x)$", "$p(x)$"], panels=2, legend="outside",
                                   title="Eigenfunctions of the three-piece density"))


@audits("B5")
def audit_b5(claim: Claim, ctx: AuditContext) -> Verdict:
    """B5: local frequencies and the cosine form on certified eigenfunctions."""
    spectra, count, _ = audit_spectra(ctx)
    indices = [i for i in (3, 4, 7, 8, 11, 12, 21, 22, 31, 32, 39, 40) if i < count]
    ctx.note("B5: local frequencies")
    evidence = [cosine_form(spectra, indices), local_frequency_check(spectra, indices),
                eigenfunctions_plot(spectra["three-piece"])]
    return Verdict(
        claim.id, claim.statement, evidence,
        summary="On each piece the certified eigenfunctions oscillate at a frequency that "
                "approaches $q\\sqrt{p_j}/Z$ as $q$ grows, but they are not exactly one cosine "
                "per piece.",
        correction="On a piece $f$ is a combination of the exponentials whose frequencies solve "
                   "the derived local equation (B4); its dominant frequency tends to "
                   "$q\\sqrt{p_j}/Z$ as $q \\to \\infty$.",
        reason=f"Eigenfunctions of the three-piece and period-$\\pi$ densities, indices up to "
               f"{indices[-1] + 1}.")
