"""The full-size audits (what `make audit` runs), end to end: slow profile only.

The committed reports under reports/ must be what a fresh run writes, byte for byte (Markdown,
LaTeX and JSON), so that a reader can reproduce every number in them; and the PDF must build
without overfull boxes or undefined references.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from specbias.claims import AuditContext, audited_ids, run_audit
from specbias.reports.audit import write_reports

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_full_audit_reproduces_the_committed_reports(tmp_path):
    verdicts = [run_audit(cid, AuditContext(quick=False)) for cid in audited_ids()]
    for v in verdicts:
        assert any(e.passed is not None for e in v.evidence), v.claim_id
    written = write_reports(verdicts, tmp_path, compile_pdf=shutil.which("latexmk") is not None)
    if "log" in written:
        assert "pdf" in written, written.get("pdf_error")
        assert "Overfull" not in written["log"]  # hbox: past the margin; vbox: off the page
        assert "undefined" not in written["log"].lower()
    committed = ROOT / "reports"
    differing = [str(p.relative_to(tmp_path)) for p in sorted(tmp_path.rglob("*"))
                 if p.suffix in (".md", ".tex", ".json")
                 and (committed / p.relative_to(tmp_path)).read_bytes() != p.read_bytes()]
    assert not differing, f"reports differ from a fresh run: {differing}"
