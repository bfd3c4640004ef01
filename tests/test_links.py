"""Every relative link in the README, the catalog and the committed reports resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_LINK = re.compile(r"(?<!\\)\[[^\]]*\]\(([^)\s]+)\)")
_ANCHOR = re.compile(r'<a name="([^"]+)"></a>')


def _documents() -> list[Path]:
    docs = [ROOT / "README.md", ROOT / "CLAIMS.md", *sorted((ROOT / "reports").glob("*.md"))]
    docs += sorted((ROOT / "docs").rglob("*.md")) if (ROOT / "docs").exists() else []
    return [d for d in docs if d.exists()]


def _heading_anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    out = set()
    for line in text.splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return out | set(_ANCHOR.findall(text))


@pytest.mark.parametrize("doc", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc):
    text = doc.read_text(encoding="utf-8")
    for target in _LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL
        path, _, anchor = target.partition("#")
        dest = (doc.parent / path).resolve() if path else doc
        assert dest.exists(), f"{doc.name}: link to {target} does not resolve"
        if anchor and dest.suffix == ".md":
            assert anchor in _heading_anchors(dest.read_text(encoding="utf-8")), \
                f"{doc.name}: anchor #{anchor} not found in {dest.name}"


def test_no_document_points_outside_the_repository():
    for doc in _documents():
        assert "seeds/0" not in doc.read_text(encoding="utf-8"), doc.name
