"""Rendering: escaping, checked math, and an untrusted audit.json that cannot do harm."""

from __future__ import annotations

import copy
import json
import re
import shutil

import pytest

from specbias.claims import AuditContext, run_audit
from specbias.cli import main
from specbias.errors import InvalidArgument
from specbias.records import Evidence, Verdict, line_plot
from specbias.reports.audit import compile_latex, write_reports
from specbias.reports.render import prose_md, prose_tex, table_md, verdict_md

_LINK = re.compile(r"(?<!\\)\]\(javascript")  # an unescaped "](": a live Markdown link
needs_latex = pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk not installed")


def test_prose_is_escaped_and_math_kept():
    assert prose_tex("50% of a_b is $a_b$ & #1") == r"50\% of a\_b is $a_b$ \& \#1"
    md = prose_md("<script>alert(1)</script> [x](javascript:alert(1)) $x < y$ a|b")
    assert "<script" not in md and not _LINK.search(md)
    assert r"$x \lt  y$" in md and r"a\|b" in md
    transform = prose_md("the transform $F[f](\\xi)$")  # math that reads like a Markdown link
    assert "](" not in transform and "F[f]{}(" in transform


def test_table_cells_with_bars_and_numbers_stay_in_their_cells():
    md = table_md({"columns": ["$\\vert z \\vert$", "|coef|"], "rows": [[1.25, "a|b"]]})
    header, _, row = md.splitlines()
    assert header.count(" | ") == 1 and row.count(" | ") == 1  # two cells each
    assert "1.2" in row  # two significant digits, not a raw float


def _audit_json(tmp_path) -> dict:
    v = run_audit("Z1", AuditContext(quick=True))
    return json.loads(json.dumps({"claims": [v.to_json()]}))


def _hostile_variants(data: dict):
    c = data["claims"][0]
    for field, text in [("statement", r"see $\input{/etc/passwd}$"),
                        ("summary", r"$\catcode`\$=11$"), ("reason", r"$^^5cinput{/etc/passwd}$"),
                        ("correction", r"$\write18{touch pwned}$")]:
        bad = copy.deepcopy(data)
        bad["claims"][0][field] = text
        yield f"{field} with TeX", bad
    bad = copy.deepcopy(data)
    bad["claims"][0]["id"] = "../../etc/x"
    yield "claim id with a path", bad
    bad = copy.deepcopy(data)
    bad["claims"][0]["evidence"][0]["derivation"]["steps"][0]["exprs"][0]["latex"] = r"\input{x}"
    yield "derivation LaTeX", bad
    bad = copy.deepcopy(data)
    bad["claims"][0]["evidence"][0]["plot"] = line_plot("Z1_ok", [{"x": [1], "y": [1]}],
                                                        xlabel="x", ylabel="y")
    bad["claims"][0]["evidence"][0]["plot"]["name"] = "../../outside"
    yield "figure name with a path", bad
    bad = copy.deepcopy(data)
    bad["claims"][0]["evidence"][0]["plot"] = line_plot("Z1_ok", [{"x": [1], "y": [1]}],
                                                        xlabel="x", ylabel="y")
    bad["claims"][0]["evidence"][0]["plot"]["xlabel"] = [r"$\input{/etc/passwd}$"]
    yield "figure label with TeX", bad
    bad = copy.deepcopy(data)
    bad["claims"][0]["status"] = "confirmed" if c["status"] != "confirmed" else "refuted"
    yield "a status the evidence does not support", bad


def test_hostile_audit_json_is_refused_and_writes_nothing(tmp_path, capsys):
    data = _audit_json(tmp_path)
    for name, bad in _hostile_variants(data):
        src = tmp_path / "bad.json"
        src.write_text(json.dumps(bad))
        out = tmp_path / "nested" / "out"
        before = set(tmp_path.rglob("*"))
        assert main(["report", "--from", str(src), "--out", str(out)]) == 2, name
        err = capsys.readouterr().err
        assert err.startswith("specbias: error:") and err.count("\n") == 1, (name, err)
        new = set(tmp_path.rglob("*")) - before  # the CLI may create --out (checked writable)
        assert not [p for p in new if not p.is_dir()], f"{name}: wrote {new}"


def test_html_and_tex_in_untrusted_prose_is_inert(tmp_path):
    data = _audit_json(tmp_path)
    data["claims"][0]["reason"] = (r"<img src=x onerror=alert(1)> [click](javascript:alert(1)) "
                                   r"\catcode 36=11 \input{/etc/passwd}")
    src = tmp_path / "audit.json"
    src.write_text(json.dumps(data))
    assert main(["report", "--from", str(src), "--out", str(tmp_path / "r")]) == 0
    md = (tmp_path / "r" / "Z1.md").read_text()
    tex = (tmp_path / "r" / "latex" / "Z1.tex").read_text()
    assert "<img" not in md and not _LINK.search(md)
    assert r"\catcode" not in tex and r"\input{/etc" not in tex
    assert r"\textbackslash{}catcode" in tex


def test_report_from_json_reproduces_the_reports(tmp_path):
    v = run_audit("Z10", AuditContext(quick=True))
    write_reports([v], tmp_path / "a")
    assert main(["report", "--from", str(tmp_path / "a" / "audit.json"),
                 "--out", str(tmp_path / "b")]) == 0
    for rel in ("Z10.md", "latex/Z10.tex", "latex/audit.tex", "audit.json", "index.md"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_quick_audits_are_byte_identical_run_to_run(tmp_path):
    for run in ("a", "b"):
        write_reports([run_audit(c, AuditContext(quick=True)) for c in ("Z1", "Z10")],
                      tmp_path / run)
    for path in (tmp_path / "a").rglob("*"):
        if path.suffix in (".md", ".tex", ".json"):
            assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()


def test_verdict_report_names_its_functions():
    v = run_audit("Z1", AuditContext(quick=True))
    md = verdict_md(v)
    assert "`specbias.claims.zhao.audit_z1`" in md and "`specbias.claims.zhao.slide_identity`" in md


@needs_latex
def test_tex_cannot_read_outside_its_folder(tmp_path):
    """Even a document that asks for it cannot \\input an absolute path (openin_any=p)."""
    main_tex = tmp_path / "doc.tex"
    main_tex.write_text("\\documentclass{article}\\begin{document}\\input{/etc/hostname}"
                        "\\end{document}\n")
    result = compile_latex(main_tex)
    assert "pdf_error" in result


@needs_latex
def test_reports_compile_to_pdf_without_overfull_boxes(tmp_path):
    verdicts = [run_audit(c, AuditContext(quick=True)) for c in ("Z1", "Z2", "Z10")]
    written = write_reports(verdicts, tmp_path, compile_pdf=True)
    assert "pdf" in written, written.get("pdf_error")
    log = written["log"]
    assert "Overfull" not in log, [l for l in log.splitlines() if "Overfull" in l]
    assert "undefined" not in log.lower()
    assert (tmp_path / "latex" / "audit.pdf").stat().st_size > 10_000
    assert "latex/audit.pdf" in (tmp_path / "index.md").read_text()
