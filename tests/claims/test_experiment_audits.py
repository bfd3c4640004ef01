"""The audits built on experiment runners (Z9, P2, L9, E2, E4, Z11): each runs through the
sweep engine, yields typed evidence, and a rerun reuses the stored runs (identical verdict)."""

import json
import time

import pytest

from specbias.claims import AuditContext, run_audit

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("claim", ["Z9", "P2", "L9", "E2", "E4", "Z11"])
def test_audit_runs_and_a_rerun_reuses_the_store(claim, tmp_path, monkeypatch):
    monkeypatch.setenv("SPECBIAS_SWEEP_STORE", str(tmp_path))
    first = run_audit(claim, AuditContext(quick=True))
    assert first.evidence and all(e.tests and e.source for e in first.evidence)
    assert any(e.plot for e in first.evidence)
    start = time.perf_counter()
    second = run_audit(claim, AuditContext(quick=True))
    reuse = time.perf_counter() - start
    assert json.dumps(second.to_json(), sort_keys=True) == json.dumps(first.to_json(), sort_keys=True)
    assert reuse < 30, f"the rerun took {reuse:.1f} s: it should only read the store"
