"""The NTK audits run end to end (quick sizes) and their verdicts follow from their checks."""

from __future__ import annotations

import json

import pytest
import torch

from specbias.claims import AuditContext, run_audit

torch.set_num_threads(1)


@pytest.mark.parametrize("cid", ["E1", "B1", "B3", "E3", "B8", "P1", "P4"])
def test_quick_audit(cid):
    v = run_audit(cid, AuditContext(quick=True))
    checks = [e.passed for e in v.evidence if e.passed is not None]
    assert checks
    assert v.status in ("confirmed", "corrected", "approximate", "unverified", "refuted")
    if v.status == "confirmed":
        assert all(checks)
    if v.status == "corrected":
        assert v.corrected
    json.dumps(v.to_json())


def test_b1_audit_confirms_a_correct_statement(monkeypatch):
    """Replace the statement under audit by the derived one: the same audit then confirms it,
    so 'corrected' comes from the computation, not from the code."""
    import specbias.claims.ntk_kernels as mod

    monkeypatch.setattr(mod, "slide_b1", lambda dot, angle, pi: dot * (pi - angle) / (2 * pi))
    v = run_audit("B1", AuditContext(quick=True))
    assert v.status == "confirmed"
