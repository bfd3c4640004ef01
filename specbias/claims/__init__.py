"""The claims of the catalog, each beside the function that audits it.

The pattern every audit follows (see ``specbias/claims/README.md``):

- An audit module is listed once, in :data:`AUDIT_MODULES`; a test fails if a module of this
  package registers audits without being listed, or is listed without registering any.
- ``@audits("Z1")`` registers ``audit_z1(claim, ctx) -> Verdict``.
- Each piece of evidence comes from its own small function decorated with
  ``@check("statement" | "approximation" | "correction" | "refinement" | "context")``; it
  returns an :class:`~specbias.records.Evidence` whose ``passed`` it computed from the data;
  the decorator records what it tests and its own name (the report shows it).
- The verdict's status follows from the evidence by one rule, :func:`specbias.records.decide`;
  an audit never sets it.

:func:`run_audit` runs one audit; a claim without an audit is ``unverified`` with the reason.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
from dataclasses import dataclass, replace
from typing import Callable

from specbias.claims.catalog import CLAIMS, Claim
from specbias.errors import InvalidArgument
from specbias.records import TESTS, Evidence, Verdict, with_source

#: Modules whose import registers audits: the one place a new audit module is registered.
AUDIT_MODULES = ("specbias.claims.zhao", "specbias.claims.zhao_matrix",
                 "specbias.claims.zhao_lstsq", "specbias.claims.zhao_stability",
                 "specbias.claims.ntk_kernels",
                 "specbias.claims.ntk_deep", "specbias.claims.ntk_dynamics",
                 "specbias.claims.ntk_regression",
                 "specbias.claims.ntk_flow", "specbias.claims.ntk_conventional",
                 "specbias.claims.dynamics", "specbias.claims.zhao_dynamics",
                 "specbias.claims.sampling", "specbias.claims.rashomon",
                 "specbias.claims.stability",
                 "specbias.claims.basri_circle", "specbias.claims.basri_eigenfunctions",
                 "specbias.claims.basri_sphere", "specbias.claims.basri_convergence",
                 "specbias.claims.lfp_tanh", "specbias.claims.lfp",
                 "specbias.claims.lfp_bias", "specbias.claims.lfp_init", "specbias.claims.fourier_features")


@dataclass
class AuditContext:
    """Settings every audit receives: ``quick`` shrinks sizes for tests; ``progress`` is a
    callable(str) told what the audit is doing (or None); ``seed`` seeds every draw."""

    quick: bool = False
    progress: Callable[[str], None] | None = None
    seed: int = 0

    def note(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


_AUDITS: dict[str, Callable[[Claim, AuditContext], Verdict]] = {}
_loaded: list[bool] = []


def _qualname(fn) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def audits(claim_id: str):
    """Decorator: register ``fn(claim, ctx) -> Verdict`` as the audit of ``claim_id``."""
    if claim_id not in CLAIMS:
        raise InvalidArgument(f"unknown claim id {claim_id!r}")

    def register(fn):
        if claim_id in _AUDITS and _AUDITS[claim_id] is not fn:
            raise InvalidArgument(f"claim {claim_id} has two audits: {_qualname(_AUDITS[claim_id])} "
                                  f"and {_qualname(fn)}")
        _AUDITS[claim_id] = fn
        return fn

    return register


def check(tests: str):
    """Decorator for a function that produces one piece of evidence.

    ``tests`` says what the evidence tests (:data:`specbias.records.TESTS`); the returned
    :class:`Evidence` is tagged with it and with the function's name.
    """
    if tests not in TESTS:
        raise InvalidArgument(f"@check({tests!r}): use one of {', '.join(TESTS)}")

    def decorate(fn):
        @functools.wraps(fn)
        def produce(*args, **kwargs) -> Evidence:
            ev = fn(*args, **kwargs)
            if not isinstance(ev, Evidence):
                raise TypeError(f"{_qualname(fn)} must return an Evidence, not {type(ev).__name__}")
            return with_source(ev, tests, _qualname(fn))

        produce.tests = tests
        return produce

    return decorate


def _load() -> None:
    if not _loaded:
        for name in AUDIT_MODULES:
            importlib.import_module(name)
        _loaded.append(True)


def audited_ids() -> list[str]:
    """Ids of the claims that have an audit, in catalog order."""
    _load()
    return [cid for cid in CLAIMS if cid in _AUDITS]


def audit_location(claim_id: str) -> dict | None:
    """Where the audit of ``claim_id`` lives: ``{"function", "file", "line"}`` (None if none)."""
    _load()
    fn = _AUDITS.get(claim_id)
    if fn is None:
        return None
    path = inspect.getsourcefile(fn) or ""
    rel = path[path.rfind("specbias/"):] if "specbias/" in path else path
    return {"function": _qualname(fn), "file": rel, "line": inspect.getsourcelines(fn)[1]}


def resolve_ids(spec: str | None) -> list[str]:
    """Parse ``"Z1,Z2"`` (or ``"all"``, or a source letter such as ``"Z"``) into claim ids.

    None or ``"all"`` means every claim in the catalog.
    """
    if spec is None or spec.strip().lower() == "all":
        return list(CLAIMS)
    out: list[str] = []
    for typed in (t.strip() for t in spec.split(",") if t.strip()):
        token = typed.upper()
        if token == "ALL":
            out.extend(CLAIMS)
        elif token in CLAIMS:
            out.append(token)
        elif re.fullmatch(r"[A-Z]", token) and any(c.startswith(token) for c in CLAIMS):
            out.extend(c for c in CLAIMS if re.fullmatch(token + r"\d+", c))
        else:
            raise InvalidArgument(
                f"unknown claim id {typed!r}"
                + (f" in {spec!r}" if typed != spec.strip() else "")
                + ": use ids from CLAIMS.md such as Z1,B6 "
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
        reason = "No audit is implemented for this claim yet."
        return Verdict(claim_id, claim.statement, [], summary=reason, reason=reason)
    verdict = fn(claim, ctx or AuditContext())
    if verdict.claim_id != claim_id or verdict.statement != claim.statement:
        raise InvalidArgument(f"{_qualname(fn)} returned a verdict for {verdict.claim_id}, "
                              f"not for {claim_id} as catalogued")
    return replace(verdict, source=_qualname(fn))


__all__ = ["AUDIT_MODULES", "AuditContext", "CLAIMS", "Claim", "audit_location", "audited_ids",
           "audits", "check", "resolve_ids", "run_audit"]
