"""Audits of B2, B4, B5, B6, B7, B9 at the quick sizes, and checks that can fail."""

from __future__ import annotations

import pytest

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
