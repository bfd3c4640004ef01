"""The claims of ``CLAIMS.md``, each beside the function that audits it.

An audit module registers functions with :func:`audits`; :func:`run_audit` runs one and
returns a :class:`~specbias.records.Verdict`. A claim without an audit is reported as
``unverified`` with the reason. Modules that hold audits are listed in ``AUDIT_MODULES``.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Callable

from specbias.claims.catalog import CATALOG
from specbias.errors import InvalidArgument
from specbias.records import Verdict

#: Modules whose import registers audits (one module per source lecture).
AUDIT_MODULES = ("specbias.claims.zhao", "specbias.claims.zhao_matrix", "specbias.claims.zhao_lstsq",
                 "specbias.claims.ntk_kernels", "specbias.claims.ntk_dynamics")


@dataclass
class AuditContext:
    """Settings every audit receives: ``quick`` shrinks sizes for tests; ``progress`` is
    a callable(str) told what the audit is doing (or None)."""

    quick: bool = False
    progress: Callable[[str], None] | None = None
    seed: int = 0

    def note(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


@dataclass(frozen=True)
class Claim:
    id: str
    source: str
    statement: str


CLAIMS: dict[str, Claim] = {cid: Claim(cid, src, st) for cid, src, st in CATALOG}
_AUDITS: dict[str, Callable[[Claim, AuditContext], Verdict]] = {}
_loaded: list[bool] = []


def audits(claim_id: str):
    """Decorator: register ``fn(claim, ctx) -> Verdict`` as the audit of ``claim_id``."""
    if claim_id not in CLAIMS:
        raise InvalidArgument(f"unknown claim id {claim_id!r}")

    def register(fn):
        _AUDITS[claim_id] = fn
        return fn

    return register


def _load() -> None:
    if not _loaded:
        for name in AUDIT_MODULES:
            importlib.import_module(name)
        _loaded.append(True)


def audited_ids() -> list[str]:
    """Ids of the claims that have an audit, in catalog order."""
    _load()
    return [cid for cid in CLAIMS if cid in _AUDITS]


def resolve_ids(spec: str | None) -> list[str]:
    """Parse ``"Z1,Z2"`` (or ``"all"``, or a source letter such as ``"Z"``) into claim ids.

    None or ``"all"`` means every claim in the catalog.
    """
    if spec is None or spec.strip().lower() == "all":
        return list(CLAIMS)
    out: list[str] = []
    for token in (t.strip().upper() for t in spec.split(",") if t.strip()):
        if token in CLAIMS:
            out.append(token)
        elif re.fullmatch(r"[A-Z]", token) and any(c.startswith(token) for c in CLAIMS):
            out.extend(c for c in CLAIMS if re.fullmatch(token + r"\d+", c))
        else:
            raise InvalidArgument(
                f"unknown claim id {token!r}: use ids from CLAIMS.md such as Z1,B6 "
                f"(known: {', '.join(CLAIMS)})")
    if not out:
        raise InvalidArgument(f"claims {spec!r} names no claim: use e.g. Z1,Z2 or all")
    return sorted(dict.fromkeys(out), key=list(CLAIMS).index)


def run_audit(claim_id: str, ctx: AuditContext | None = None) -> Verdict:
    """Audit one claim; ``unverified`` with the reason when it has no audit yet."""
    _load()
    claim = CLAIMS.get(claim_id)
    if claim is None:
        raise InvalidArgument(f"unknown claim id {claim_id!r}: use one of {', '.join(CLAIMS)}")
    fn = _AUDITS.get(claim_id)
    if fn is None:
        return Verdict(claim_id, "unverified", claim.statement,
                       reason="no audit is implemented for this claim yet")
    return fn(claim, ctx or AuditContext())


__all__ = ["AuditContext", "CLAIMS", "Claim", "audited_ids", "audits", "resolve_ids",
           "run_audit"]
