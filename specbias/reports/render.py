"""Render derivations, evidence and verdicts as Markdown (GitHub math) and LaTeX.

Everything that reaches a report is one of three things, each rendered by one function:

- prose (:func:`prose_md`, :func:`prose_tex`): plain text with ``$...$`` inline math and
  ```code``` spans. Text is escaped for the target (HTML and Markdown syntax for Markdown, TeX
  specials for LaTeX), so that nothing in it becomes markup; math passes
  :func:`specbias.notation.check_math` first;
- a formula (:func:`math_md`, :func:`math_tex`): LaTeX printed by :mod:`specbias.notation`;
- a number (:mod:`specbias.numbers`), printed with the digits it carries.

There are no heuristics: a record says what each string is. The same functions render our own
audits and an untrusted ``audit.json`` (``specbias report --from``).
"""

from __future__ import annotations

import re

from specbias.claims.catalog import CLAIMS, claim_link
from specbias.notation import check_math, split_prose
from specbias.numbers import as_number
from specbias.records import Derivation, Evidence, Tex, Verdict, formula_tex

_CODE = re.compile(r"`([^`]*)`")

# ---------------------------------------------------------------------------------------------
# Markdown

_MD_ESCAPE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\", "[": "\\[", "]": "\\]",
              "*": "\\*", "_": "\\_", "|": "\\|", "#": "\\#", "`": "\\`", "~": "\\~",
              "$": "\\$"}


def _md_text(text: str) -> str:
    out = []
    for i, part in enumerate(_CODE.split(text)):
        if i % 2:  # a code span: literal in CommonMark; only '|' would split a table cell
            out.append("`" + part.replace("|", "\\|") + "`")
        else:
            out.append("".join(_MD_ESCAPE.get(c, c) for c in part))
    return "".join(out)


def _md_math_body(latex: str) -> str:
    """Math for GitHub: ``<``/``>`` as ``\\lt``/``\\gt``, ``|`` as ``\\vert`` (a bare ``|``
    would split a table cell; an HTML-looking ``<`` would be sanitized away) and ``](`` as
    ``]{}(`` (the same in TeX, but no longer Markdown's link syntax: ``F[f](\\xi)``)."""
    latex = check_math(latex)
    return (latex.replace("<", r"\lt ").replace(">", r"\gt ")
            .replace(r"\|", r"\Vert ").replace("|", r"\vert ").replace("](", "]{}("))


def prose_md(text: str) -> str:
    """Prose as Markdown: text escaped, inline math as ``$...$`` for GitHub."""
    return "".join(_md_text(part) if kind == "text" else f"${_md_math_body(part)}$"
                   for kind, part in split_prose(text))


def math_md(latex: str) -> str:
    """Display math as a GitHub ```` ```math ```` block."""
    return f"```math\n{_md_math_body(latex)}\n```"


def number_md(value) -> str:
    return f"${_md_math_body(as_number(value).tex())}$"


def cell_md(cell) -> str:
    return prose_md(cell) if isinstance(cell, str) else number_md(cell)


def table_md(table: dict) -> str:
    cols = table["columns"]
    out = ["| " + " | ".join(prose_md(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(cell_md(c) for c in row) + " |" for row in table["rows"]]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# LaTeX

_TEX_ESCAPE = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_",
               "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
               "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", "$": r"\$",
               "–": "--", "—": "---", "…": r"\dots{}", "“": "``", "”": "''", "‘": "`", "’": "'",
               "±": r"\textpm{}", "×": r"\texttimes{}", "·": r"\textperiodcentered{}",
               "°": r"\textdegree{}", "\u00a0": "~"}


def tex_char_ok(ch: str) -> bool:
    """Characters that pdflatex (utf8, T1) typesets in text without declarations."""
    return ch in _TEX_ESCAPE or 32 <= ord(ch) < 127 or "\u00c0" <= ch <= "\u00ff"


def _tex_text(text: str) -> str:
    out = []
    for i, part in enumerate(_CODE.split(text)):
        body = "".join(_TEX_ESCAPE.get(c, c if tex_char_ok(c) else "?") for c in part)
        out.append(r"\texttt{" + body + "}" if i % 2 else body)
    return "".join(out)


def prose_tex(text: str) -> str:
    """Prose as LaTeX: text escaped (unsupported characters become ``?``), math kept."""
    return "".join(_tex_text(part) if kind == "text" else f"${check_math(part)}$"
                   for kind, part in split_prose(text))


#: Display math longer than this (characters of LaTeX) is scaled to the line width if wider.
LONG_MATH = 120


def math_tex(latex: str) -> str:
    latex = check_math(latex)
    if len(latex) > LONG_MATH:
        return ("\\begin{equation*}\n\\resizebox{\\ifdim\\width>\\linewidth\\linewidth"
                "\\else\\width\\fi}{!}{$\\displaystyle " + latex + "$}\n\\end{equation*}")
    return f"\\begin{{equation*}}\n{latex}\n\\end{{equation*}}"


def number_tex(value) -> str:
    return f"${as_number(value).tex()}$"


def cell_tex(cell) -> str:
    return prose_tex(cell) if isinstance(cell, str) else number_tex(cell)


#: Tables with more rows than this break across pages (longtable) instead of being boxed.
LONG_TABLE_ROWS = 25


def table_tex(table: dict) -> str:
    """A booktabs table, shrunk to the line width when wider (never enlarged); a table longer
    than :data:`LONG_TABLE_ROWS` rows is a ``longtable`` that breaks across pages (a box
    cannot, and would run off the page), in a smaller font when it has many columns."""
    cols = table["columns"]
    head = [" & ".join(prose_tex(c) for c in cols) + r" \\", r"\midrule"]
    rows = [" & ".join(cell_tex(c) for c in row) + r" \\" for row in table["rows"]]
    if len(rows) > LONG_TABLE_ROWS:
        size = r"\footnotesize" if len(cols) > 5 else r"\small"
        return "\n".join(["{" + size, r"\begin{longtable}{" + "l" * len(cols) + "}", r"\toprule",
                          *head, r"\endhead", r"\bottomrule", r"\endfoot", *rows,
                          r"\end{longtable}", "}"])
    body = [r"\begin{tabular}{" + "l" * len(cols) + "}", r"\toprule", *head, *rows,
            r"\bottomrule", r"\end{tabular}"]
    return "\n".join([r"\begin{center}\small",
                      r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%",
                      *body, "}", r"\end{center}"])


# ---------------------------------------------------------------------------------------------
# Derivations

def _shown(expr, label) -> tuple[str | None, str]:
    """(caption, LaTeX) of one step expression: ``lhs = expr`` or a caption above it."""
    body = formula_tex(expr)
    if label is None or label == "":
        return None, body
    if isinstance(label, str) and not isinstance(label, Tex):
        return label, body
    return None, f"{formula_tex(label)} = {body}"


def derivation_md(d: Derivation, level: int = 3) -> str:
    """A derivation as Markdown: assumptions, numbered steps with their math, result."""
    h = "#" * level
    out = [f"{h} {prose_md(d.title)}", ""]
    if d.assumptions:
        out += ["**Assumptions.**", ""] + [f"- {prose_md(a)}" for a in d.assumptions] + [""]
    for i, s in enumerate(d.steps, start=1):
        rule = f" *\\[{prose_md(s.rule)}\\]*" if s.rule else ""
        out += [f"**Step {i}.** {prose_md(s.text)}{rule}", ""]
        for j, e in enumerate(s.exprs):
            caption, body = _shown(e, s.label(j))
            out += ([f"*{prose_md(caption)}:*", ""] if caption else []) + [math_md(body), ""]
    if d.result is not None:
        body = formula_tex(d.result)
        if d.result_lhs is not None:
            body = f"{formula_tex(d.result_lhs)} = {body}"
        out += ["**Result.**", "", math_md(body), ""]
    if d.references:
        out += ["**References.** " + "; ".join(prose_md(r) for r in d.references), ""]
    return "\n".join(out)


def derivation_tex(d: Derivation) -> str:
    """A derivation as a LaTeX fragment."""
    out = [rf"\subsubsection*{{{prose_tex(d.title)}}}"]
    if d.assumptions:
        out += [r"\paragraph{Assumptions.}", r"\begin{itemize}"]
        out += [rf"\item {prose_tex(a)}" for a in d.assumptions] + [r"\end{itemize}"]
    for i, s in enumerate(d.steps, start=1):
        rule = rf" \emph{{[{prose_tex(s.rule)}]}}" if s.rule else ""
        out.append(rf"\paragraph{{Step {i}.}} {prose_tex(s.text)}{rule}")
        for j, e in enumerate(s.exprs):
            caption, body = _shown(e, s.label(j))
            if caption:
                out.append(rf"\noindent\emph{{{prose_tex(caption)}:}}")
            out.append(math_tex(body))
    if d.result is not None:
        body = formula_tex(d.result)
        if d.result_lhs is not None:
            body = f"{formula_tex(d.result_lhs)} = {body}"
        out += [r"\paragraph{Result.}", math_tex(body)]
    if d.references:
        out.append(r"\paragraph{References.} " + "; ".join(prose_tex(r) for r in d.references))
    return "\n".join(out)


def document(body: str, title: str) -> str:
    """Wrap a LaTeX body in a complete article (``title`` is prose)."""
    return "\n".join([
        r"\documentclass[11pt]{article}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage{textcomp}",
        r"\usepackage{amsmath,amssymb,booktabs,graphicx,longtable}",
        r"\usepackage[margin=2.2cm]{geometry}",
        r"\usepackage[hidelinks,unicode,psdextra]{hyperref}",
        r"\setlength{\emergencystretch}{3em}",
        r"\setcounter{secnumdepth}{0}",
        rf"\title{{{prose_tex(title)}}}",
        r"\author{}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        body,
        r"\end{document}",
        "",
    ])


# ---------------------------------------------------------------------------------------------
# Verdicts

_TESTS_WORDS = {"statement": "tests the statement", "approximation": "tests an approximation",
                "correction": "tests the correction", "refinement": "tests the refinement",
                "reference": "checks the reference",
                "context": "context"}


def _evidence_head(i: int, e: Evidence) -> str:
    result = "" if e.passed is None else f": {e.result}"
    return f"Evidence {i}: {e.title} ({_TESTS_WORDS[e.tests or 'context']}{result})"


def _source_line(e: Evidence) -> str:
    return f"Produced by `{e.source}`." if e.source else ""


def claim_header(v: Verdict) -> tuple[str, str]:
    """(topic, citation prose) of a verdict's claim, from the catalog."""
    claim = CLAIMS.get(v.claim_id)
    if claim is None:
        return "", ""
    return claim.topic, f"Lecture: {claim.source.lecture}."


def verdict_md(v: Verdict, root: str = "../") -> str:
    """One claim's report in Markdown (``root``: the path from the report to the repository)."""
    topic, lecture = claim_header(v)
    title = f"# {v.claim_id}: {prose_md(topic)}" if topic else f"# {v.claim_id}"
    link = f"[{v.claim_id} in the catalog]({claim_link(v.claim_id, root)})" if topic else ""
    out = [title, "", f"**Verdict: {v.status}.** {prose_md(v.summary)}", "",
           f"**Claim.** {prose_md(v.statement)}", ""]
    if link or lecture:
        out += [" ".join(x for x in (prose_md(lecture), link) if x), ""]
    if v.shown_correction:
        out += [f"**Correction.** {prose_md(v.shown_correction)}", ""]
    if v.refinement and v.refinement_checked:
        out += [f"**Refinement.** {prose_md(v.refinement)}", ""]
    if v.reason:
        out += [f"**Scope and limits.** {prose_md(v.reason)}", ""]
    if v.measured:
        out += ["| measured | value |", "|---|---|"]
        out += [f"| {prose_md(k)} | {number_md(n)} |" for k, n in v.measured.items()] + [""]
    if v.source:
        out += [f"Audit: `{v.source}` (`specbias claims` shows where it lives).", ""]
    for i, e in enumerate(v.evidence, start=1):
        out += [f"## {prose_md(_evidence_head(i, e))}", ""]
        if e.source:
            out += [_md_text(_source_line(e)), ""]
        out += [prose_md(e.summary), ""]
        if e.table is not None:
            out += [table_md(e.table), ""]
        if e.plot is not None:
            alt = prose_md(e.plot.get("title") or e.title).replace("[", "").replace("]", "")
            out += [f"![{alt}](figures/{e.plot['name']}.png)", ""]
        if e.derivation is not None:
            out += [derivation_md(e.derivation)]
    return "\n".join(out).rstrip("\n") + "\n"


def verdict_tex(v: Verdict) -> str:
    """One claim's report as a LaTeX section (no preamble); figures under ``figures/``."""
    topic, lecture = claim_header(v)
    head = f"{v.claim_id}: {prose_tex(topic)}" if topic else v.claim_id
    out = [rf"\section{{{head}}}",
           rf"\paragraph{{Verdict: {v.status}.}} {prose_tex(v.summary)}",
           rf"\paragraph{{Claim.}} {prose_tex(v.statement)}"]
    if lecture:
        out.append(prose_tex(lecture))
    if v.shown_correction:
        out.append(rf"\paragraph{{Correction.}} {prose_tex(v.shown_correction)}")
    if v.refinement and v.refinement_checked:
        out.append(rf"\paragraph{{Refinement.}} {prose_tex(v.refinement)}")
    if v.reason:
        out.append(rf"\paragraph{{Scope and limits.}} {prose_tex(v.reason)}")
    if v.measured:
        out.append(table_tex({"columns": ["measured", "value"],
                              "rows": [[k, n] for k, n in v.measured.items()]}))
    if v.source:
        out.append(prose_tex(f"Audit: `{v.source}`."))
    for i, e in enumerate(v.evidence, start=1):
        out.append(rf"\subsection{{{prose_tex(_evidence_head(i, e))}}}")
        if e.source:
            out.append(prose_tex(_source_line(e)))
        out.append(prose_tex(e.summary))
        if e.table is not None:
            out.append(table_tex(e.table))
        if e.plot is not None:
            out += [r"\begin{center}",
                    rf"\includegraphics[width=0.85\linewidth]{{figures/{e.plot['name']}.pdf}}",
                    r"\end{center}"]
        if e.derivation is not None:
            out.append(derivation_tex(e.derivation))
    return "\n\n".join(out) + "\n"


__all__ = ["cell_md", "cell_tex", "derivation_md", "derivation_tex", "document", "math_md",
           "math_tex", "prose_md", "prose_tex", "table_md", "table_tex", "tex_char_ok",
           "verdict_md", "verdict_tex"]
