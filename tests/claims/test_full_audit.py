"""The full-size audits (what `make audit` runs), end to end: slow profile only."""

from __future__ import annotations

import json

import pytest

from specbias.claims import AuditContext, audited_ids, run_audit
from specbias.reports.audit import write_reports


@pytest.mark.slow
def test_every_full_audit_earns_its_status(tmp_path):
    verdicts = [run_audit(cid, AuditContext(quick=False)) for cid in audited_ids()]
    for v in verdicts:
        checks = [e.passed for e in v.evidence if e.passed is not None]
        assert checks, v.claim_id
        if v.status == "confirmed":
            assert all(checks), v.claim_id
        if v.status == "corrected":
            assert v.corrected, v.claim_id
        if v.status == "unverified":
            assert v.reason, v.claim_id
    write_reports(verdicts, tmp_path)
    data = json.loads((tmp_path / "audit.json").read_text())
    assert [c["id"] for c in data["claims"]] == audited_ids()
