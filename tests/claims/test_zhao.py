"""The Z1, Z2, Z10 audits run end to end (quick sizes) and earn their verdicts."""

from __future__ import annotations

import json

import pytest
import sympy

from specbias.claims import AuditContext, audited_ids, resolve_ids, run_audit
from specbias.claims.zhao import slide_gram_formula
from specbias.derive.gram.kernel import x, y
from specbias.errors import InvalidArgument


@pytest.mark.parametrize("cid", ["Z1", "Z2", "Z10"])
def test_quick_audit_evidence(cid):
    v = run_audit(cid, AuditContext(quick=True))
    checks = [e.passed for e in v.evidence if e.passed is not None]
    assert checks, "an audit must carry checks"
    assert all(e.source.startswith("specbias.claims.zhao.") for e in v.evidence)
    # The status must follow from the checks, whatever they found.
    assert (v.status in ("confirmed", "approximate")) == all(checks)
    json.dumps(v.to_json())  # serializable


def test_z1_audit_detects_a_wrong_formula(monkeypatch):
    """Perturb the audited statement: the same audit must then refuse to confirm."""
    import specbias.claims.zhao as zhao

    monkeypatch.setattr(zhao, "slide_gram_formula", lambda a, b: slide_gram_formula(a, b) + (a - b) ** 2 / 100)
    v = run_audit("Z1", AuditContext(quick=True))
    assert v.status != "confirmed"
    assert v.status == "corrected" and v.shown_correction.startswith("$G_{ij} = ")


def test_unaudited_claims_are_unverified_with_reason():
    assert set(audited_ids()) >= {"Z1", "Z2", "Z10"}
    unaudited = [c for c in resolve_ids("all") if c not in audited_ids()]
    if unaudited:
        v = run_audit(unaudited[0])
        assert v.status == "unverified" and v.reason


def test_resolve_ids():
    assert resolve_ids("z1, Z2") == ["Z1", "Z2"]
    assert "Z11" in resolve_ids("Z") and "B1" not in resolve_ids("Z")
    with pytest.raises(InvalidArgument, match="'Q9'"):
        resolve_ids("Q9")


def test_slide_formula_is_only_the_statement():
    """The audited expression is symmetric, as any Gram formula must be (a sanity check)."""
    f = slide_gram_formula(x, y)
    assert sympy.simplify(f - f.subs({x: y, y: x}, simultaneous=True)) == 0
