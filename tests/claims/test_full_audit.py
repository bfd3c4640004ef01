"""The full-size audits (what `make audit` runs), end to end: slow profile only.

The committed reports under reports/ must be what a fresh run writes, byte for byte (Markdown and
LaTeX; the JSON record to 1e-9 in its floats), so that a reader can reproduce every number in them; and the PDF must build
without overfull boxes or undefined references.
"""

from __future__ import annotations

import json
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
                 if p.suffix in (".md", ".tex")
                 and (committed / p.relative_to(tmp_path)).read_bytes() != p.read_bytes()]
    assert not differing, f"reports differ from a fresh run: {differing}"
    fresh = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    _assert_same_record(json.loads((committed / "audit.json").read_text(encoding="utf-8")), fresh)


def _assert_same_record(committed, fresh, path="audit.json") -> None:
    """The JSON record equal to the committed one, its floats to 1e-9 relative: the JSON keeps
    every float to 17 digits, and the last of them move with the order of floating-point
    operations in BLAS and torch (which a different process history changes), while the
    Markdown and LaTeX, which print the digits a number carries, stay byte-identical."""
    assert type(committed) is type(fresh), path
    if isinstance(committed, dict):
        assert list(committed) == list(fresh), path
        for key in committed:
            _assert_same_record(committed[key], fresh[key], f"{path}/{key}")
    elif isinstance(committed, list):
        assert len(committed) == len(fresh), path
        for i, (a, b) in enumerate(zip(committed, fresh)):
            _assert_same_record(a, b, f"{path}[{i}]")
    elif isinstance(committed, float):
        assert committed == pytest.approx(fresh, rel=1e-9, abs=1e-300, nan_ok=True), path
    else:
        assert committed == fresh, path
