"""Rendering: escaping, Markdown math, and LaTeX that compiles."""

from __future__ import annotations

import shutil

import pytest

from specbias.claims import AuditContext, run_audit
from specbias.reports.audit import write_reports
from specbias.reports.render import latex_text


def test_latex_text_keeps_math_and_escapes_prose():
    assert latex_text("50% of a_b is $a_b$ & #1") == r"50\% of a\_b is $a_b$ \& \#1"
    assert latex_text("costs $5") == r"costs \$5"


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk not installed")
def test_reports_compile_to_pdf(tmp_path):
    verdicts = [run_audit(c, AuditContext(quick=True)) for c in ("Z1", "Z10", "B6")]
    written = write_reports(verdicts, tmp_path, compile_pdf=True)
    assert "pdf" in written, written.get("pdf_error")
    assert (tmp_path / "latex" / "audit.pdf").stat().st_size > 10_000
