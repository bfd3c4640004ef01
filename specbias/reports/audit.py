"""Write an audit: one Markdown report per claim, an index, LaTeX sources, figures, JSON.

Layout of ``out``::

    index.md                 table of verdicts, links to each claim
    <ID>.md                  one report per claim (GitHub math)
    figures/*.png            figures for the Markdown reports
    latex/audit.tex          one LaTeX document with every claim (compiles with latexmk)
    latex/<ID>.tex           each claim's section, \\input by audit.tex
    latex/figures/*.pdf      the same figures for LaTeX
    audit.json               {"claims": [...]} as in ``specbias audit --json``

Every path written is built from a validated claim id or figure name and checked to lie under
``out``; LaTeX is compiled without shell escape and with TeX's file access restricted to the
``latex`` folder (``openin_any=p``, ``openout_any=p``), because ``specbias report --from``
renders files that come from users.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from specbias.claims.catalog import CLAIMS
from specbias.errors import InvalidArgument
from specbias.records import Verdict
from specbias.support.files import write_atomic
from specbias.reports.figures import check_labels, draw
from specbias.reports.render import document, prose_md, prose_tex, verdict_md, verdict_tex


def audit_json(verdicts: list[Verdict]) -> dict:
    return {"claims": [v.to_json() for v in verdicts]}


def _inside(out: Path, path: Path) -> Path:
    """``path`` if it lies under ``out`` (both resolved), else InvalidArgument."""
    resolved = path.resolve()
    if out.resolve() not in resolved.parents:
        raise InvalidArgument(f"refusing to write {path}: it is not inside the report folder {out}")
    return path


def verdict_table_md(verdicts: list[Verdict], root: str = "") -> str:
    """One row per claim: its id linked to its report under ``root``, topic, status, summary
    (the index's table; the README shows the same table of the committed reports)."""
    rows = ["| claim | topic | verdict | what was found |", "|---|---|---|---|"]
    for v in verdicts:
        topic = CLAIMS[v.claim_id].topic if v.claim_id in CLAIMS else ""
        rows.append(f"| [{v.claim_id}]({root}{v.claim_id}.md) | {prose_md(topic)} | {v.status} | "
                    f"{prose_md(v.summary)} |")
    return "\n".join(rows)


def index_md(verdicts: list[Verdict], pdf: bool) -> str:
    """The index: counts, one row per claim (its full summary), and the LaTeX/PDF."""
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.status] = counts.get(v.status, 0) + 1
    out = ["# specbias audit", "",
           "Verdicts on the claims of the [catalog](../CLAIMS.md), each derived and measured "
           "independently of the slides: " + ", ".join(f"{n} {s}" for s, n in counts.items())
           + ".", "", verdict_table_md(verdicts), ""]
    if pdf:
        out += ["All reports in one PDF: [latex/audit.pdf](latex/audit.pdf) (from "
                "[latex/audit.tex](latex/audit.tex)).", ""]
    else:
        out += ["LaTeX source of all reports: [latex/audit.tex](latex/audit.tex) "
                "(`specbias audit --pdf` compiles it).", ""]
    return "\n".join(out)


def write_reports(verdicts: list[Verdict], out: Path, compile_pdf: bool = False) -> dict:
    """Write every report under ``out``; compile the LaTeX when asked (needs latexmk).

    Returns a dict of what was written (and ``pdf`` or ``pdf_error``). Without
    ``compile_pdf`` a PDF left from an earlier run is removed, since it would not match.
    """
    out = Path(out)
    latex = out / "latex"
    # Render and check everything in memory first: a bad input writes nothing.
    pages, plots, seen = [], [], set()
    for v in verdicts:
        if v.claim_id in seen:
            raise InvalidArgument(f"claim {v.claim_id} appears twice in the audit")
        seen.add(v.claim_id)
        pages.append((_inside(out, out / f"{v.claim_id}.md"), verdict_md(v),
                      _inside(out, latex / f"{v.claim_id}.tex"), verdict_tex(v)))
        for e in v.evidence:
            if e.plot is not None:
                if any(spec["name"] == e.plot["name"] for spec, _, _ in plots):
                    raise InvalidArgument(f"two figures are named {e.plot['name']!r}")
                check_labels(e.plot)
                plots.append((e.plot, _inside(out, out / "figures" / f"{e.plot['name']}.png"),
                              _inside(out, latex / "figures" / f"{e.plot['name']}.pdf")))
    out.mkdir(parents=True, exist_ok=True)
    written: dict = {"markdown": [], "figures": [], "latex": []}
    for spec, png, pdf in plots:
        written["figures"] += [str(p) for p in draw(spec, png, pdf)]
    for md, md_text, tex, tex_text in pages:
        write_atomic(md, md_text)
        write_atomic(tex, tex_text)
        written["markdown"].append(str(md))
        written["latex"].append(str(tex))
    body = [r"\tableofcontents", r"\bigskip",
            prose_tex("Verdicts on the claims of the catalog (CLAIMS.md), derived and measured "
                      "by specbias.")]
    body += [rf"\input{{{v.claim_id}.tex}}" for v in verdicts]
    main = latex / "audit.tex"
    write_atomic(main, document("\n\n".join(body), "specbias audit"))
    write_atomic(out / "audit.json", json.dumps(audit_json(verdicts), indent=2, ensure_ascii=False)
                 + "\n")
    pdf_path = main.with_suffix(".pdf")
    if compile_pdf:
        written.update(compile_latex(main))
    elif pdf_path.exists():
        pdf_path.unlink()
    write_atomic(out / "index.md", index_md(verdicts, pdf="pdf" in written))
    return written


def _tex_env() -> dict:
    """The environment latexmk runs in: TeX may read and write only inside its folder."""
    env = dict(os.environ, openin_any="p", openout_any="p", shell_escape="f",
               SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1")  # reproducible PDF dates and /ID
    env.pop("TEXINPUTS", None)
    return env


def compile_latex(main: Path) -> dict:
    """Run latexmk -pdf on ``main`` in its folder (no shell escape, paranoid file access)."""
    if shutil.which("latexmk") is None:
        return {"pdf_error": "latexmk not found: install texlive-latex-base, "
                             "texlive-latex-recommended and latexmk"}
    cmd = ["latexmk", "-pdf", "-g", "-interaction=nonstopmode", "-halt-on-error",
           "-pdflatex=pdflatex -no-shell-escape %O %S", main.name]
    proc = subprocess.run(cmd, cwd=main.parent, capture_output=True, text=True, timeout=600,
                          env=_tex_env())
    log = main.with_suffix(".log")
    log_text = log.read_text(errors="replace") if log.exists() else ""
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-25:])
        return {"pdf_error": f"latexmk failed ({proc.returncode}):\n{tail}", "log": log_text}
    subprocess.run(["latexmk", "-c", main.name], cwd=main.parent, capture_output=True,
                   env=_tex_env())
    return {"pdf": str(main.with_suffix(".pdf")), "log": log_text}
