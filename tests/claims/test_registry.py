"""The catalog and the audit registry: one place to register, no audit forgotten."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import specbias.claims as claims_pkg
from specbias.claims import AUDIT_MODULES, audit_location, audited_ids
from specbias.claims.catalog import CLAIMS, catalog_markdown

ROOT = Path(__file__).resolve().parents[2]


def _modules_with_audits() -> set[str]:
    """Modules of specbias.claims whose source applies ``@audits(...)`` (read, not imported)."""
    found = set()
    for info in pkgutil.iter_modules(claims_pkg.__path__):
        path = Path(claims_pkg.__path__[0]) / f"{info.name}.py"
        if not path.exists():
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for dec in node.decorator_list:
                    if (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Name)
                            and dec.func.id == "audits"):
                        found.add(f"specbias.claims.{info.name}")
    return found


def test_every_module_with_audits_is_registered_and_every_registered_one_audits():
    assert _modules_with_audits() == set(AUDIT_MODULES)


def test_each_audit_lives_where_the_registry_says():
    for cid in audited_ids():
        loc = audit_location(cid)
        assert loc["function"].rsplit(".", 1)[0] in AUDIT_MODULES
        assert (ROOT / loc["file"]).exists() and loc["line"] > 0


def test_claims_md_is_generated_from_the_catalog():
    assert (ROOT / "CLAIMS.md").read_text(encoding="utf-8") == catalog_markdown(), \
        "CLAIMS.md is stale: run `specbias claims --markdown > CLAIMS.md`"


def test_every_claim_cites_its_lecture_and_a_paper():
    for claim in CLAIMS.values():
        assert claim.source.lecture and claim.source.papers, claim.id
        assert "seeds/" not in claim.statement + claim.source.lecture


def test_audit_modules_import_cleanly():
    for name in AUDIT_MODULES:
        importlib.import_module(name)
