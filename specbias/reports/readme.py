"""The README's table of verdicts, kept equal to the committed reports.

The README shows the verdict table of ``reports/index.md`` (the same function renders both,
:func:`specbias.reports.audit.verdict_table_md`), between two marker comments; ``make readme``
rewrites that block from ``reports/audit.json`` and ``tests/reports/test_readme.py`` fails when
the two differ, so the README never states a verdict the reports do not.
"""

from __future__ import annotations

import json
from pathlib import Path

from specbias.errors import InvalidArgument
from specbias.records import Verdict
from specbias.reports.audit import verdict_table_md
from specbias.support.files import write_atomic

START, END = "<!-- verdicts: start (make readme) -->", "<!-- verdicts: end -->"


def readme_table(audit_json: Path, root: str = "reports/") -> str:
    """The verdict table of the audit in ``audit_json``, its links relative to ``root``."""
    data = json.loads(audit_json.read_text(encoding="utf-8"))
    return verdict_table_md([Verdict.from_json(c) for c in data["claims"]], root)


def readme_block(readme: str) -> str:
    """The text between the README's two markers (InvalidArgument when they are missing)."""
    if readme.count(START) != 1 or readme.count(END) != 1:
        raise InvalidArgument(f"the README needs exactly one {START!r} and one {END!r} line")
    return readme.split(START, 1)[1].split(END, 1)[0].strip("\n")


def update_readme(readme: Path, audit_json: Path) -> bool:
    """Rewrite the README's verdict block from ``audit_json``; True if it changed."""
    text = readme.read_text(encoding="utf-8")
    old, new = readme_block(text), readme_table(audit_json)
    if old == new:
        return False
    head, rest = text.split(START, 1)
    write_atomic(readme, head + START + "\n" + new + "\n" + END + rest.split(END, 1)[1])
    return True


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    changed = update_readme(root / "README.md", root / "reports" / "audit.json")
    print("README.md: verdict table " + ("updated" if changed else "already current"))
