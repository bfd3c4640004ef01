"""Audits of B2, B4, B5, B6, B7, B9 at the quick sizes, and checks that can fail."""

from __future__ import annotations

import pytest
import sympy

from specbias.claims import AuditContext, run_audit
from specbias.claims import basri_circle as bc
from specbias.claims import basri_eigenfunctions as be


@pytest.mark.parametrize("cid,status", [("B2", "corrected"), ("B4", "corrected"),
                                        ("B5", "approximate"), ("B6", "corrected")])
def test_circle_audits_quick(cid, status):
    v = run_audit(cid, AuditContext(quick=True))
    assert v.status == status, [(e.title, e.passed) for e in v.evidence]
    assert all(e.passed is not False for e in v.evidence if e.tests == "reference")


def test_b6_statement_check_passes_for_a_true_statement(monkeypatch):
    """Perturb the statement into the corrected form: the statement check must then pass."""
    sp = bc.certified_spectrum("uniform", 9, 12)
    assert not bc.slide_forms_uniform(sp, 12).passed
    monkeypatch.setattr(bc, "slide_b6", bc.corrected_b6)
    assert bc.slide_forms_uniform(sp, 12).passed


def test_b4_statement_check_catches_a_wrong_equation():
    """The slide's ODE fails on even q; the exact equation's symbol passes (both computed)."""
    ev = be.slide_ode_uniform(list(range(0, 9)))
    assert not ev.passed
    # odd q ≥ 3 exact (the check runs at 15 digits)
    assert max(ev.data["rel"][q] for q in (3, 5, 7)) < 1e-12


@pytest.mark.parametrize("cid", ["B9"])
def test_training_audits_quick(cid):
    v = run_audit(cid, AuditContext(quick=True))
    assert v.summary and v.evidence
    assert all(e.passed is not None for e in v.evidence if e.tests != "context")


class _FakeSpectrum:
    """A spectrum-like object: a density and its eigenvalues (mp_values), built in the test."""

    def __init__(self, density, values):
        self.density, self.mp_values = density, values


def _corrected_values(name: str, q_max: int, perturb) -> list:
    """Eigenvalues following the corrected forms with each pair split by perturb(q)."""
    import mpmath
    dens = bc.DENSITIES[name]()
    with mpmath.workdps(30):
        Z2 = bc.psi_z(dens) ** 2
        vals = [bc.corrected_b6(0, Z2)]
        for q in range(1, q_max + 1):
            lam = bc.corrected_b6(q, Z2)
            vals += [lam * (1 + perturb(q)), lam * (1 - perturb(q))]
    return _FakeSpectrum(dens, vals)


@pytest.mark.parametrize("perturb,passes", [(lambda q: 0.2 / q ** 2, True),
                                            (lambda q: 0.05, False)])
def test_b6_asymptotic_rule_can_fail(perturb, passes):
    """Errors that fall with q pass; a constant relative error (a form off by a factor) fails."""
    spectra = {name: _corrected_values(name, 20, perturb) for name in ("three-piece", "period-pi")}
    assert bc.forms_nonuniform(spectra, 20).passed is passes


def test_b4_correction_check_catches_a_wrong_antipodal_term(monkeypatch):
    """The derived equation holds on certified non-uniform eigenfunctions; without its
    antipodal term it fails."""
    sp = bc.certified_spectrum("three-piece", 13, 12)
    assert be.sixth_order_nonuniform(sp).passed
    real = be.derive_eigen_equation

    def no_antipode(conv):
        eq, d = real(conv)
        return dict(eq, B=0 * eq["B"] + sympy.Symbol("D") * 0), d

    monkeypatch.setattr(be, "derive_eigen_equation", no_antipode)
    assert not be.sixth_order_nonuniform(sp).passed


def test_b5_rule_fails_when_the_error_stalls(monkeypatch):
    """Local-frequency errors that do not fall with q (a form off by a constant) fail."""
    def stalled(name, sp, indices):
        qs = sorted({(i + 1) // 2 for i in indices})
        errors = {q: [0.05] for q in qs}
        return [], errors, errors

    def falling(name, sp, indices):
        qs = sorted({(i + 1) // 2 for i in indices})
        errors = {q: [0.5 / q ** 2] for q in qs}
        return [], errors, errors

    indices = [7, 8, 11, 12, 21, 22]
    monkeypatch.setattr(be, "_frequency_table", stalled)
    spectra = {"three-piece": None, "period-pi": None}
    assert not be.local_frequency_check(spectra, indices).passed
    monkeypatch.setattr(be, "_frequency_table", falling)
    assert be.local_frequency_check(spectra, indices).passed


@pytest.mark.slow
def test_b6_full_profile_shows_the_asymptotics():
    """At q up to 40 the corrected forms' errors on both non-uniform densities fall by more
    than the rule's factor between the head and the tail window."""
    v = run_audit("B6", AuditContext(quick=False))
    assert v.status == "corrected"
    assert next(e for e in v.evidence if e.tests == "approximation").passed
