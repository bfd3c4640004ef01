"""The records that flow through specbias: Derivation, Spectrum, Evidence, Verdict.

They sit below every layer (derive builds Derivations and Spectra, claims build Evidence and
Verdicts, reports render all of them) and depend on SymPy, :mod:`specbias.notation` and
:mod:`specbias.numbers` only.

Conventions:

- Prose (titles, sentences, summaries, table headers, figure labels) is plain text with inline
  math between ``$`` signs; formulas are SymPy expressions until :mod:`specbias.notation`
  prints them. Nothing of ours is re-parsed from a string we made.
- A :class:`Derivation` is built *while* computing: each :meth:`Derivation.step` records the
  expressions SymPy actually returned at that point.
- An :class:`Evidence` carries its own result, computed by the function that produced it
  (``source``), and says what it tests (:data:`TESTS`). A :class:`Verdict`'s status is never
  set by hand: :func:`decide` derives it from the evidence, for every audit alike.
- Reading JSON back (:meth:`Verdict.from_json`) never evaluates its strings: formulas come back
  as :class:`Tex` (LaTeX text, checked by :func:`specbias.notation.check_math` when rendered),
  numbers through :func:`specbias.numbers.number_from_json`, and the status is recomputed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

import sympy

from specbias.errors import InvalidArgument
from specbias.notation import check_math, check_prose, tex
from specbias.numbers import Number, as_number, number_from_json

#: Schema version of the JSON forms; part of every cache key and fingerprint.
SCHEMA_VERSION = 2

STATUSES = ("confirmed", "corrected", "approximate", "refuted", "unverified")

#: What a piece of evidence tests:
#: ``statement``      the claim as written (pass: it holds; fail: it does not);
#: ``approximation``  the claim up to a measured error, asymptotically, or over a finite range;
#: ``correction``     the engine's corrected form of a statement that fails;
#: ``refinement``     a sharper form of a statement that holds;
#: ``reference``      the engine's own references (a certificate, a second method): when one
#:                    fails, nothing can be concluded and the claim is ``unverified``;
#: ``context``        no check: a derivation's setting, a table of numbers (``passed`` is None).
TESTS = ("statement", "approximation", "correction", "refinement", "reference", "context")

_SOURCE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_<>][A-Za-z0-9_<>]*)*")
_CLAIM_ID = re.compile(r"[A-Z][0-9]{1,2}")
_FIGURE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}")


class Tex(str):
    """A formula known only by its LaTeX (read back from JSON); rendered, never evaluated.

    Construction checks the LaTeX against the project's math vocabulary, so an untrusted
    file cannot smuggle TeX commands into a report.
    """

    def __new__(cls, latex: str, source: str = ""):
        obj = super().__new__(cls, check_math(latex))
        obj.source = source  # SymPy's srepr, carried through as text, never evaluated
        return obj


def formula_tex(expr: Any) -> str:
    """LaTeX of a formula held in a record: a SymPy object, or a :class:`Tex` read back."""
    return str(expr) if isinstance(expr, Tex) else tex(expr)


def _stable_srepr(expr: Any) -> str:
    """SymPy's srepr with every Dummy numbered by its order of appearance instead of its
    process-wide ``dummy_index`` (a counter and a random start), so that the JSON of a
    derivation is the same in every run."""
    if isinstance(expr, sympy.Basic):
        first = dict.fromkeys(d for d in sympy.preorder_traversal(expr)
                              if isinstance(d, sympy.Dummy))
        expr = expr.xreplace({d: sympy.Dummy(d.name, dummy_index=i, **d.assumptions0)
                              for i, d in enumerate(first)})
    return sympy.srepr(expr)


def _formula_json(expr: Any) -> dict:
    if isinstance(expr, Tex):
        return {"latex": str(expr), **({"sympy": expr.source} if expr.source else {})}
    return {"latex": tex(expr), "sympy": _stable_srepr(expr)}


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a sentence, what was computed, and the rule used.

    ``exprs`` are the SymPy objects computed at this step, in the order the sentence mentions
    them. ``labels`` give each one either a left-hand side (a SymPy expression: the step shows
    ``lhs = expr``) or a caption (prose with ``$...$``, shown above it), or nothing (``None``).
    """

    text: str
    exprs: tuple = ()
    labels: tuple = ()
    rule: str = ""

    def label(self, i: int):
        return self.labels[i] if i < len(self.labels) else None

    def to_json(self) -> dict:
        out = []
        for i, e in enumerate(self.exprs):
            item = _formula_json(e)
            lab = self.label(i)
            if isinstance(lab, str) and not isinstance(lab, Tex):
                item["caption"] = lab
            elif lab is not None:
                item["lhs"] = formula_tex(lab)
            out.append(item)
        return {"text": self.text, "rule": self.rule, "exprs": out}

    @classmethod
    def from_json(cls, data: dict) -> "Step":
        exprs, labels = [], []
        for e in _list(data.get("exprs", []), "derivation step expressions"):
            exprs.append(Tex(_text(e.get("latex"), "formula"), _text(e.get("sympy", ""), "sympy")))
            if e.get("lhs"):
                labels.append(Tex(_text(e["lhs"], "formula")))
            elif e.get("caption"):
                labels.append(check_prose(_text(e["caption"], "caption")))
            else:
                labels.append(None)
        return cls(check_prose(_text(data.get("text", ""), "step text")), tuple(exprs),
                   tuple(labels), check_prose(_text(data.get("rule", ""), "rule")))


@dataclass
class Derivation:
    """A derivation a reader can follow: assumptions, ordered steps, result, references.

    ``result_lhs`` names the result (a SymPy expression: the result reads ``lhs = result``).
    """

    title: str
    assumptions: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    result: Any = None
    result_lhs: Any = None
    references: list[str] = field(default_factory=list)

    def step(self, text: str, *exprs: Any, labels: Iterable = (), rule: str = "") -> Any:
        """Record a step and return its first expression (so calls can be chained)."""
        self.steps.append(Step(text, tuple(exprs), tuple(labels), rule))
        return exprs[0] if exprs else None

    def to_json(self) -> dict:
        out = {"title": self.title, "assumptions": list(self.assumptions),
               "steps": [s.to_json() for s in self.steps], "references": list(self.references)}
        if self.result is not None:
            out["result"] = _formula_json(self.result)
            if self.result_lhs is not None:
                out["result"]["lhs"] = formula_tex(self.result_lhs)
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Derivation":
        """Read back :meth:`to_json` output; formulas come back as checked :class:`Tex`."""
        result = data.get("result") or {}
        return cls(check_prose(_text(data.get("title"), "derivation title")),
                   [check_prose(_text(a, "assumption")) for a in _list(data.get("assumptions", []), "assumptions")],
                   [Step.from_json(s) for s in _list(data.get("steps", []), "steps")],
                   Tex(_text(result["latex"], "formula"), _text(result.get("sympy", ""), "sympy"))
                   if result.get("latex") else None,
                   Tex(_text(result["lhs"], "formula")) if result.get("lhs") else None,
                   [check_prose(_text(r, "reference")) for r in _list(data.get("references", []), "references")])


def fingerprint(payload: Any) -> str:
    """Content hash (sha256, 16 hex digits) of a JSON-able payload plus the schema version."""
    blob = json.dumps({"schema": SCHEMA_VERSION, "payload": payload}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass
class Spectrum:
    """Eigenvalues with their precision and provenance.

    ``values`` are decimal strings correct to ``digits`` significant digits (largest first);
    ``method`` says how they were computed, ``description`` what operator they belong to,
    ``extras`` any certificates or constants.
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
        return {"description": self.description, "method": self.method, "digits": self.digits,
                "params": self.params, "fingerprint": self.fingerprint,
                "values": list(self.values),
                **{k: (v.to_json() if hasattr(v, "to_json") else v) for k, v in self.extras.items()}}


# ---------------------------------------------------------------------------------------------
# Tables and plots: data computed by the claims layer, drawn by reports.

def _cell_json(cell):
    return cell if isinstance(cell, str) else as_number(cell).to_json()


def _cell_from_json(cell):
    return check_prose(cell) if isinstance(cell, str) else number_from_json(cell)


def table(columns: list[str], rows: list[list]) -> dict:
    """A table: ``columns`` are prose (``$...$`` allowed); cells are prose or numbers
    (ints, floats, :mod:`specbias.numbers` values), printed with the digits they carry."""
    columns = [check_prose(c) for c in columns]
    rows = [[c if isinstance(c, str) else as_number(c) for c in row] for row in rows]
    for row in rows:
        if len(row) != len(columns):
            raise InvalidArgument(f"table row {row!r} has {len(row)} cells for {len(columns)} "
                                  "columns")
    return {"columns": columns, "rows": rows}


_PLOT_KINDS = ("line", "heatmap")


_SERIES_KEYS = ("label", "x", "y", "yerr", "style", "group", "panel")


def line_plot(name: str, series: list[dict], *, xlabel, ylabel, title: str = "",
              xscale="linear", yscale="linear", panels: int = 1,
              legend: str = "best", xticks: list | None = None) -> dict:
    """A plot specification that reports draw as PNG and PDF (the claims layer never imports
    matplotlib).

    ``series`` items are ``{"label", "x", "y"}`` plus optional ``"yerr"`` (error bars),
    ``"style"`` (a matplotlib format string such as ``"o"`` or ``"--"``), ``"group"`` (series
    with the same group share a colour: a run and its prediction), and ``"panel"`` (0-based,
    for side-by-side axes). Labels are prose: math between ``$`` signs goes to mathtext
    unchanged. ``xlabel``, ``ylabel``, ``xscale``, ``yscale`` are one value or one per panel.
    ``legend`` is ``"best"`` or ``"outside"`` (right of the axes, never over the data).
    ``name`` is the file stem (``figures/<name>.png``, ``latex/figures/<name>.pdf``).
    ``xticks`` (optional) are integer positions labelled as integers, with no minor labels (for
    a log axis over a short range of integers such as frequencies).
    """
    per_panel = lambda v: list(v) if isinstance(v, (list, tuple)) else [v] * panels  # noqa: E731
    xlabel, ylabel, xscale, yscale = map(per_panel, (xlabel, ylabel, xscale, yscale))
    if any(v not in ("linear", "log", "symlog") for v in xscale + yscale):
        raise InvalidArgument(f"axis scales {xscale!r}, {yscale!r} must be 'linear', 'log' or "
                              "'symlog'")
    if legend not in ("best", "outside"):
        raise InvalidArgument(f"legend {legend!r} must be 'best' or 'outside'")
    if not _FIGURE_NAME.fullmatch(name):
        raise InvalidArgument(f"figure name {name!r} must be letters, digits, '_' or '-'")
    clean = []
    for s in series:
        if set(s) - set(_SERIES_KEYS):
            raise InvalidArgument(f"plot {name!r}: series keys {sorted(set(s) - set(_SERIES_KEYS))} "
                                  f"are not among {_SERIES_KEYS}")
        # one key order, whoever built the dict (an audit or `report --from`): same JSON bytes
        item = {k: s[k] for k in _SERIES_KEYS if k in s}
        item.update(x=[float(v) for v in s["x"]], y=[float(v) for v in s["y"]])
        if "yerr" in s:
            item["yerr"] = [float(v) for v in s["yerr"]]
        if item.get("label"):
            check_prose(item["label"])
        clean.append(item)
    for text in [title, *xlabel, *ylabel]:
        check_prose(text)
    spec = {"kind": "line", "name": name, "title": title, "xlabel": xlabel, "ylabel": ylabel,
            "xscale": xscale, "yscale": yscale, "panels": panels, "legend": legend,
            "series": clean}
    if xticks is not None:
        spec["xticks"] = [int(v) for v in xticks]
    return spec


def heatmap_plot(name: str, x: list, y: list, z: list[list], *, xlabel: str, ylabel: str,
                 zlabel: str = "", title: str = "", vmin: float | None = None,
                 vmax: float | None = None) -> dict:
    """A heatmap specification: ``z[i][j]`` is the value at ``y[i]`` (rows, bottom to top) and
    ``x[j]`` (columns); ``zlabel`` names the colour bar; ``vmin``/``vmax`` clip the colour scale
    (None: the data's range). Labels are prose, as for :func:`line_plot`."""
    if not _FIGURE_NAME.fullmatch(name):
        raise InvalidArgument(f"figure name {name!r} must be letters, digits, '_' or '-'")
    xs, ys = [float(v) for v in x], [float(v) for v in y]
    zs = [[float(v) for v in row] for row in z]
    if len(zs) != len(ys) or any(len(row) != len(xs) for row in zs):
        raise InvalidArgument(f"heatmap {name!r}: z must have {len(ys)} rows of {len(xs)} values")
    for text in (title, xlabel, ylabel, zlabel):
        check_prose(text)
    return {"kind": "heatmap", "name": name, "title": title, "xlabel": xlabel, "ylabel": ylabel,
            "zlabel": zlabel, "x": xs, "y": ys, "z": zs,
            "vmin": None if vmin is None else float(vmin),
            "vmax": None if vmax is None else float(vmax)}


def _check_plot(spec: dict) -> dict:
    """Validate a plot specification read from JSON (names, prose, numbers only)."""
    if not isinstance(spec, dict) or spec.get("kind", "line") not in _PLOT_KINDS:
        raise InvalidArgument("a plot in the audit JSON is not a line or heatmap plot: the file "
                              "is damaged")
    if spec.get("kind") == "heatmap":
        return heatmap_plot(_text(spec.get("name"), "figure name"), _list(spec.get("x"), "x"),
                            _list(spec.get("y"), "y"), _list(spec.get("z"), "z"),
                            xlabel=_text(spec.get("xlabel", ""), "xlabel"),
                            ylabel=_text(spec.get("ylabel", ""), "ylabel"),
                            zlabel=_text(spec.get("zlabel", ""), "zlabel"),
                            title=_text(spec.get("title", ""), "title"),
                            vmin=spec.get("vmin"), vmax=spec.get("vmax"))
    return line_plot(_text(spec.get("name"), "figure name"),
                     [{"label": _text(s.get("label", ""), "label"), "x": s["x"], "y": s["y"],
                       **({"yerr": s["yerr"]} if "yerr" in s else {}),
                       **({"style": _text(s["style"], "style")[:8]} if "style" in s else {}),
                       **({"group": int(s["group"])} if "group" in s else {}),
                       **({"panel": int(s["panel"])} if "panel" in s else {})}
                      for s in _list(spec.get("series"), "plot series")],
                     xlabel=spec.get("xlabel", ""), ylabel=spec.get("ylabel", ""),
                     title=_text(spec.get("title", ""), "title"), xscale=spec.get("xscale", "linear"),
                     yscale=spec.get("yscale", "linear"), panels=int(spec.get("panels", 1)),
                     legend=spec.get("legend", "best"),
                     xticks=_list(spec["xticks"], "xticks") if "xticks" in spec else None)


# ---------------------------------------------------------------------------------------------
# Evidence and verdicts.

@dataclass
class Evidence:
    """One piece of evidence behind a verdict, produced by one function (``source``).

    ``passed`` is the check's own result (True/False), computed from the data by the function
    that built it; it is None only for ``tests="context"``. ``tests`` and ``source`` are set by
    the :func:`specbias.claims.check` decorator of that function (:func:`with_source`). ``summary`` is prose saying what was
    compared with what and what came out. ``table`` (see :func:`table`), ``plot`` (see
    :func:`line_plot`) and ``derivation`` are optional; ``data`` holds the raw numbers for the
    JSON and is never rendered.
    """

    title: str
    summary: str
    passed: bool | None = None
    tests: str = ""
    derivation: Derivation | None = None
    table: dict | None = None
    plot: dict | None = None
    data: dict = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        if self.passed is not None:
            self.passed = bool(self.passed)  # numpy booleans are not JSON
        if self.tests and self.tests not in TESTS:
            raise InvalidArgument(f"evidence tests {self.tests!r}: use one of {', '.join(TESTS)}")
        if self.tests and (self.passed is None) != (self.tests == "context"):
            raise InvalidArgument(f"evidence {self.title!r}: a {self.tests!r} item needs "
                                  + ("a computed result" if self.passed is None else
                                     "no result (only checks have one)"))
        if self.source and not _SOURCE.fullmatch(self.source):
            raise InvalidArgument(f"evidence source {self.source!r} is not a function name")
        check_prose(self.title)
        check_prose(self.summary)

    @property
    def result(self) -> str:
        return {True: "pass", False: "fail", None: "context"}[self.passed]

    def to_json(self) -> dict:
        out: dict = {"title": self.title, "summary": self.summary, "passed": self.passed,
                     "tests": self.tests, "source": self.source}
        if self.derivation is not None:
            out["derivation"] = self.derivation.to_json()
        if self.table is not None:
            out["table"] = {"columns": self.table["columns"],
                            "rows": [[_cell_json(c) for c in r] for r in self.table["rows"]]}
        if self.plot is not None:
            out["plot"] = self.plot
        if self.data:
            out["data"] = self.data
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Evidence":
        d, t, p = data.get("derivation"), data.get("table"), data.get("plot")
        passed = data.get("passed")
        if passed not in (True, False, None):
            raise InvalidArgument(f"evidence result {passed!r} must be true, false or null")
        tab = None
        if t is not None:
            tab = {"columns": [check_prose(_text(c, "column")) for c in _list(t.get("columns"), "columns")],
                   "rows": [[_cell_from_json(c) for c in _list(r, "row")] for r in _list(t.get("rows"), "rows")]}
        return cls(_text(data.get("title"), "title"), _text(data.get("summary"), "summary"),
                   passed, _text(data.get("tests", "context"), "tests"),
                   Derivation.from_json(d) if d else None, tab,
                   _check_plot(p) if p is not None else None,
                   data.get("data", {}) if isinstance(data.get("data", {}), dict) else {},
                   _text(data.get("source", ""), "source"))


def decide(evidence: Iterable[Evidence]) -> str:
    """The one rule from evidence to a verdict's status.

    - A check of the engine's own references fails: ``unverified`` (nothing can be concluded).
    - A check of the statement or of its approximation fails:
      ``corrected`` if there are correction checks and all pass; otherwise ``approximate`` if a
      statement check failed while approximation checks exist and all pass; otherwise
      ``refuted``.
    - Nothing fails: ``approximate`` if any check is an approximation (the claim holds only up to
      a measured error, asymptotically or over the range measured), else ``confirmed`` if the
      statement was checked, else ``unverified``.

    >>> ok = lambda tests: Evidence("t", "s", True, tests)
    >>> bad = lambda tests: Evidence("t", "s", False, tests)
    >>> context = Evidence("t", "s", None, "context")
    >>> [decide([ok("statement")]), decide([bad("statement"), ok("correction")]),
    ...  decide([bad("statement"), ok("approximation")]), decide([bad("statement")]),
    ...  decide([context]), decide([ok("statement"), bad("reference")])]
    ['confirmed', 'corrected', 'approximate', 'refuted', 'unverified', 'unverified']
    """
    by: dict[str, list[bool]] = {t: [] for t in TESTS}
    for e in evidence:
        if e.tests not in TESTS:
            raise InvalidArgument(f"evidence {e.title!r} does not say what it tests: produce it "
                                  "with a @check function")
        by[e.tests].append(e.passed)
    statement, approx, correction = by["statement"], by["approximation"], by["correction"]
    if not all(by["reference"]):
        return "unverified"
    if not all(statement) or not all(approx):
        if correction and all(correction):
            return "corrected"
        if not all(statement) and approx and all(approx):
            return "approximate"
        return "refuted"
    if approx:
        return "approximate"
    return "confirmed" if statement else "unverified"


@dataclass
class Verdict:
    """The outcome of auditing one claim; its ``status`` follows from the evidence (:func:`decide`).

    ``summary``: one sentence of what was found (the index shows it). ``correction``: the
    corrected statement, in the slide's notation (required when the status is ``corrected``).
    ``refinement``: a sharper form of a statement that holds (shown only when refinement checks
    exist and all pass). ``reason``: why a claim is unverified, or what limits the evidence.
    ``measured``: named numbers (:mod:`specbias.numbers`). ``source``: the audit function.
    """

    claim_id: str
    statement: str
    evidence: list[Evidence] = field(default_factory=list)
    summary: str = ""
    correction: str | None = None
    refinement: str | None = None
    reason: str = ""
    measured: dict = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        if not _CLAIM_ID.fullmatch(str(self.claim_id)):
            raise InvalidArgument(f"claim id {self.claim_id!r} is not of the form Z1, B12")
        for text in (self.statement, self.summary, self.correction or "", self.refinement or "",
                     self.reason):
            check_prose(text)
        if not self.summary:
            raise InvalidArgument(f"verdict {self.claim_id}: give a summary of what was found")
        self.measured = {str(k): as_number(v) for k, v in self.measured.items()}
        if self.status == "corrected" and not self.correction:
            raise InvalidArgument(f"verdict {self.claim_id} is corrected: state the correction")
        if self.refinement and not self.refinement_checked:
            raise InvalidArgument(f"verdict {self.claim_id}: a refinement needs refinement "
                                  "evidence that passes")

    @property
    def status(self) -> str:
        return decide(self.evidence)

    @property
    def refinement_checked(self) -> bool:
        checks = [e.passed for e in self.evidence if e.tests == "refinement"]
        return bool(checks) and all(checks)

    @property
    def shown_correction(self) -> str | None:
        """The correction, when the status calls for one."""
        return self.correction if self.status == "corrected" else None

    def to_json(self) -> dict:
        return {"id": self.claim_id, "status": self.status, "statement": self.statement,
                "summary": self.summary, "correction": self.shown_correction,
                "refinement": self.refinement, "reason": self.reason,
                "measured": {k: v.to_json() for k, v in self.measured.items()},
                "source": self.source, "evidence": [e.to_json() for e in self.evidence]}

    @classmethod
    def from_json(cls, data: dict) -> "Verdict":
        """Read back one entry of ``{"claims": [...]}`` (untrusted: validated, never evaluated).

        The status is recomputed from the evidence; a stored status that does not follow from it
        is an error.
        """
        if not isinstance(data, dict):
            raise InvalidArgument("a claim in the audit JSON is not an object: use the output of "
                                  "'specbias audit --json PATH'")
        try:
            v = cls(_text(data["id"], "claim id"), _text(data["statement"], "statement"),
                    [Evidence.from_json(e) for e in _list(data.get("evidence", []), "evidence")],
                    _text(data.get("summary", ""), "summary"),
                    _optional_text(data.get("correction"), "correction"),
                    _optional_text(data.get("refinement"), "refinement"),
                    _text(data.get("reason", ""), "reason"),
                    {_text(k, "name"): number_from_json(n)
                     for k, n in (data.get("measured") or {}).items()},
                    _text(data.get("source", ""), "source"))
        except KeyError as exc:
            raise InvalidArgument(f"verdict JSON lacks field {exc}: use the output of "
                                  "'specbias audit --json PATH'") from None
        if data.get("status", v.status) != v.status:
            raise InvalidArgument(f"verdict {v.claim_id}: stored status {data.get('status')!r} does "
                                  f"not follow from its evidence ({v.status})")
        if v.source and not _SOURCE.fullmatch(v.source):
            raise InvalidArgument(f"verdict source {v.source!r} is not a function name")
        return v


def with_source(ev: Evidence, tests: str, source: str) -> Evidence:
    """A copy of ``ev`` tagged with what it tests and the function that produced it."""
    return replace(ev, tests=tests, source=source)


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidArgument(f"{what} {str(value)[:40]!r} in the audit JSON is not text")
    return value


def _optional_text(value, what: str) -> str | None:
    return None if value is None else _text(value, what)


def _list(value, what: str) -> list:
    if not isinstance(value, list):
        raise InvalidArgument(f"{what} in the audit JSON is not a list")
    return value


__all__ = ["Derivation", "Evidence", "SCHEMA_VERSION", "STATUSES", "Spectrum", "Step", "TESTS",
           "Tex", "Verdict", "decide", "fingerprint", "formula_tex", "line_plot", "table",
           "with_source"]
