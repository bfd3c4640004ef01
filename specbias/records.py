"""The records that flow through specbias: Derivation, Spectrum, Evidence, Verdict.

They sit below every layer (derive builds Derivations and Spectra, claims build
Verdicts, reports render all of them) and depend on nothing but SymPy.

A :class:`Derivation` is built *while* computing: each :meth:`Derivation.step`
call records the expressions SymPy actually returned at that point, never text
written after the fact.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

import sympy

from specbias.errors import InvalidArgument

#: Schema version of the JSON forms; part of every cache key and fingerprint.
SCHEMA_VERSION = 1

STATUSES = ("confirmed", "corrected", "approximate", "refuted", "unverified")


class Tex(str):
    """An expression known only by its LaTeX (a derivation read back from JSON).

    Reading JSON back never sympifies its strings: they are rendered, not evaluated.
    ``source`` keeps SymPy's string form for writing the JSON again.
    """

    def __new__(cls, latex: str, source: str = ""):
        obj = super().__new__(cls, latex)
        obj.source = source
        return obj


def expr_json(expr: Any) -> dict:
    """JSON form of one expression: SymPy's string form and its LaTeX form."""
    if isinstance(expr, Tex):
        return {"sympy": expr.source, "latex": str(expr)}
    if isinstance(expr, sympy.Basic) or isinstance(expr, sympy.MatrixBase):
        return {"sympy": sympy.sstr(expr), "latex": sympy.latex(expr)}
    return {"sympy": str(expr), "latex": sympy.latex(expr) if expr is not None else ""}


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a sentence, what was computed, and the rule used.

    ``exprs`` are the SymPy objects computed at this step, in the order the
    sentence mentions them; ``labels`` optionally name each (``"G_<(x,y)"``).
    """

    text: str
    exprs: tuple = ()
    labels: tuple = ()
    rule: str = ""

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "rule": self.rule,
            "exprs": [
                dict(expr_json(e), label=(self.labels[i] if i < len(self.labels) else ""))
                for i, e in enumerate(self.exprs)
            ],
        }


@dataclass
class Derivation:
    """A derivation a reader can follow: assumptions, ordered steps, result, references."""

    title: str
    assumptions: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    result: Any = None
    result_label: str = ""
    references: list[str] = field(default_factory=list)

    def step(self, text: str, *exprs: Any, labels: Iterable[str] = (), rule: str = "") -> Any:
        """Record a step and return its first expression (so calls can be chained)."""
        self.steps.append(Step(text, tuple(exprs), tuple(labels), rule))
        return exprs[0] if exprs else None

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "assumptions": list(self.assumptions),
            "steps": [s.to_json() for s in self.steps],
            "result": dict(expr_json(self.result), label=self.result_label),
            "references": list(self.references),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Derivation":
        """Read back :meth:`to_json` output; expressions come back as :class:`Tex`."""
        steps = [Step(s["text"], tuple(Tex(e["latex"], e.get("sympy", "")) for e in s["exprs"]),
                      tuple(e.get("label", "") for e in s["exprs"]), s.get("rule", ""))
                 for s in data.get("steps", [])]
        result = data.get("result") or {}
        return cls(data["title"], list(data.get("assumptions", [])), steps,
                   Tex(result["latex"], result.get("sympy", "")) if result.get("latex") else None,
                   result.get("label", ""), list(data.get("references", [])))


def fingerprint(payload: Any) -> str:
    """Content hash (sha256, 16 hex digits) of a JSON-able payload plus the schema version."""
    blob = json.dumps({"schema": SCHEMA_VERSION, "payload": payload}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass
class Spectrum:
    """Eigenvalues with their precision and provenance.

    ``values`` are decimal strings correct to ``digits`` significant digits
    (largest first); ``method`` says how they were computed, ``description``
    what operator they belong to, ``extras`` any certificates or constants.
    """

    values: list[str]
    digits: int
    method: str
    description: str
    params: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return fingerprint({"params": self.params, "digits": self.digits, "method": self.method})

    def to_json(self) -> dict:
        return {
            "description": self.description,
            "method": self.method,
            "digits": self.digits,
            "params": self.params,
            "fingerprint": self.fingerprint,
            "values": list(self.values),
            **self.extras,
        }


@dataclass
class Evidence:
    """One piece of evidence behind a verdict.

    ``summary`` is prose with inline math in ``$...$`` (renders on GitHub and in
    LaTeX); ``passed`` is True/False for a check and None for context;
    ``table`` is ``{"columns": [...], "rows": [[...], ...]}``; ``plot`` is a
    plot specification (see :func:`line_plot`) that reports draw as PNG and PDF, so
    that the claims layer computes the data and never imports matplotlib.
    """

    title: str
    summary: str
    passed: bool | None = None
    derivation: Derivation | None = None
    table: dict | None = None
    plot: dict | None = None
    data: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.passed is not None:
            self.passed = bool(self.passed)  # numpy booleans are not JSON

    def to_json(self) -> dict:
        out: dict = {"title": self.title, "summary": self.summary, "passed": self.passed}
        if self.derivation is not None:
            out["derivation"] = self.derivation.to_json()
        if self.table is not None:
            out["table"] = self.table
        if self.plot is not None:
            out["plot"] = self.plot
        if self.data:
            out["data"] = self.data
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Evidence":
        d = data.get("derivation")
        return cls(data["title"], data["summary"], data.get("passed"),
                   Derivation.from_json(d) if d else None, data.get("table"), data.get("plot"),
                   data.get("data", {}))


def line_plot(name: str, series: list[dict], *, xlabel, ylabel, title: str = "",
              xscale="linear", yscale="linear", panels: int = 1) -> dict:
    """A plot specification: ``series`` items are ``{"label", "x", "y"}`` plus optional
    ``"style"`` (matplotlib format string) and ``"panel"`` (0-based, for side-by-side axes).

    ``xlabel``, ``ylabel``, ``xscale``, ``yscale`` are one value or a list with one per panel.
    ``name`` is the file stem the report writes (``figures/<name>.png`` and ``.pdf``).
    """
    per_panel = lambda v: list(v) if isinstance(v, (list, tuple)) else [v] * panels  # noqa: E731
    xlabel, ylabel, xscale, yscale = map(per_panel, (xlabel, ylabel, xscale, yscale))
    if any(v not in ("linear", "log") for v in xscale + yscale):
        raise InvalidArgument(f"axis scales {xscale!r}, {yscale!r} must be 'linear' or 'log'")
    clean = [dict(s, x=[float(v) for v in s["x"]], y=[float(v) for v in s["y"]]) for s in series]
    return {"name": name, "title": title, "xlabel": xlabel, "ylabel": ylabel, "xscale": xscale,
            "yscale": yscale, "panels": panels, "series": clean}


@dataclass
class Verdict:
    """The outcome of auditing one claim."""

    claim_id: str
    status: str
    statement: str
    evidence: list[Evidence] = field(default_factory=list)
    corrected: str | None = None
    reason: str = ""
    errors: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise InvalidArgument(
                f"verdict status {self.status!r} is not one of {', '.join(STATUSES)}"
            )

    def to_json(self) -> dict:
        return {
            "id": self.claim_id,
            "status": self.status,
            "statement": self.statement,
            "corrected": self.corrected,
            "reason": self.reason,
            "errors": self.errors,
            "evidence": [e.to_json() for e in self.evidence],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Verdict":
        """Read back one entry of ``{"claims": [...]}`` (as written by ``specbias audit``)."""
        try:
            return cls(data["id"], data["status"], data["statement"],
                       [Evidence.from_json(e) for e in data.get("evidence", [])],
                       data.get("corrected"), data.get("reason", ""), data.get("errors", {}))
        except (KeyError, TypeError) as exc:
            raise InvalidArgument(f"verdict JSON lacks field {exc}: use the output of "
                                  "'specbias audit --json PATH'") from None
