"""B7: the audit at the quick sizes, and its checks against perturbed times (each can fail)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from specbias.claims import AuditContext, run_audit
from specbias.claims import basri_convergence as bcv
from specbias.derive.sphere.density import PiecewiseDensity
from specbias.verify.basri import continuum_grid


def _fake(kappa_power: float, density_power: float) -> dict:
    """Times t = kappa^a (1/p*)^b on the sparse half and the whole circle (a perturbed claim)."""
    ks = [[3, 5, 7, 9, 11]]
    inv_p = [1 / float(bcv.two_piece(w).min_density()) for w in bcv.WEIGHTS]
    t = [ip ** density_power for ip in inv_p]
    return {"ks": ks, "kappa": {w: [[k ** kappa_power for k in ks[0]]] for w in (1, 4)},
            "region": {11: {"whole circle": t, "sparse half": t, "dense half": [1.0] * 4}}}


def test_b7_quick_is_confirmed_with_a_sharp_bound():
    v = run_audit("B7", AuditContext(quick=True))
    assert v.status == "confirmed", [(e.title, e.passed) for e in v.evidence]
    assert v.refinement


def test_b7_checks_pass_on_the_claimed_powers():
    res = _fake(2.0, 1.0)
    assert bcv.kappa_exponent(res).passed and bcv.density_exponent(res).passed
    assert bcv.bound_is_sharp(res).passed


@pytest.mark.parametrize("a,b,which", [(3.0, 1.0, "kappa"), (2.0, 1.5, "density"),
                                       (2.3, 1.0, "kappa")])
def test_b7_statement_checks_fail_on_slower_growth(a, b, which):
    res = _fake(a, b)
    ev = bcv.kappa_exponent(res) if which == "kappa" else bcv.density_exponent(res)
    assert not ev.passed


@pytest.mark.parametrize("a,b", [(1.5, 1.0), (2.0, 0.7)])
def test_b7_refinement_fails_on_a_loose_bound(a, b):
    assert not bcv.bound_is_sharp(_fake(a, b)).passed


def test_continuum_grid_eigenvalues_against_quadrature():
    """Uniform density: the grid's eigenvalues against (1/2pi) int k(d) cos(qd) dd by mpmath
    (an independent computation); the midpoint rule is second order (kink at d = 0), so at 720
    nodes the relative error is below (2 pi q/720)^2 / 4 with room to spare."""
    g = continuum_grid(PiecewiseDensity.uniform(), 720)
    vals = np.sort(np.linalg.eigvalsh(g.S))[::-1]

    def k(d):
        return (1 + mpmath.cos(d)) * (mpmath.pi - abs(d)) / (2 * mpmath.pi)

    with mpmath.workdps(20):
        for q in (0, 1, 2, 3, 6):
            exact = float(mpmath.quad(lambda d: k(d) * mpmath.cos(q * d), [-mpmath.pi, 0, mpmath.pi])
                          / (2 * mpmath.pi))
            got = vals[0] if q == 0 else vals[2 * q - 1]
            assert abs(got / exact - 1) < max(1e-5, (2 * math.pi * q / 720) ** 2 / 4)


@pytest.mark.slow
def test_b7_full_profile_is_confirmed():
    """The full sizes (1440 nodes, kappa up to 61): confirmed, the grid converged, and the
    sampled exponent's bias shrinks at the largest n (a check of the sampling bias itself)."""
    v = run_audit("B7", AuditContext(quick=False))
    assert v.status == "confirmed", [(e.title, e.passed) for e in v.evidence]
    bias = next(e for e in v.evidence if e.source.endswith("sampled_against_continuum")).data["bias"]
    assert abs(bias[-1]) < max(abs(b) for b in bias)
