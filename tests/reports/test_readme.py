"""The README's verdict table is the committed reports' table (rendered by the same function)."""

import json
from pathlib import Path

import pytest

from specbias.errors import InvalidArgument
from specbias.records import Evidence, Verdict
from specbias.reports.audit import audit_json
from specbias.reports.readme import END, START, readme_block, readme_table, update_readme

ROOT = Path(__file__).resolve().parents[2]


def test_readme_states_the_committed_verdicts():
    """Fails when a verdict, a summary or a claim changed in reports/ and not in the README
    (fix: `make readme`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_block(readme) == readme_table(ROOT / "reports" / "audit.json")


def test_update_rewrites_only_the_block(tmp_path):
    verdict = Verdict("Z1", "a statement", [Evidence("t", "$x = 1$", True, "statement")],
                      summary="found $x^{2} = 1$ with $\\vert x \\vert = 1$")
    audit = tmp_path / "audit.json"
    audit.write_text(json.dumps(audit_json([verdict])), encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{START}\nstale row\n{END}\noutro\n", encoding="utf-8")
    assert update_readme(readme, audit)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith(f"intro\n{START}\n| claim |") and text.endswith(f"{END}\noutro\n")
    assert "stale row" not in text and "\\vert x \\vert" in text and "| confirmed |" in text
    assert not update_readme(readme, audit)  # idempotent


def test_missing_markers_are_named():
    with pytest.raises(InvalidArgument, match="verdicts: start"):
        readme_block("no markers here")
