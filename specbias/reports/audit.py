"""Write an audit: one Markdown report per claim, an index, LaTeX sources, figures, JSON.

Layout of ``out``::

    index.md            table of verdicts, links to each claim
    <ID>.md             one report per claim (GitHub math)
    figures/*.png|pdf   figures drawn from the evidence's plot specifications
    latex/audit.tex     one LaTeX document with every claim (compiles with latexmk)
    latex/<ID>.tex      each claim's section, \\input by audit.tex
    audit.json          {"claims": [...]} as in ``specbias audit --json``
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from specbias.records import Verdict
from specbias.reports.figures import draw
from specbias.reports.render import document, latex_text, verdict_latex, verdict_markdown


def audit_json(verdicts: list[Verdict]) -> dict:
    return {"claims": [v.to_json() for v in verdicts]}


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600: give the mode open() would
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def index_markdown(verdicts: list[Verdict]) -> str:
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.status] = counts.get(v.status, 0) + 1
    out = ["# specbias audit", "",
           "Verdicts on the claims of `CLAIMS.md`, each derived and measured independently of "
           "the slides. " + ", ".join(f"{n} {s}" for s, n in counts.items()) + ".", "",
           "| claim | status | summary |", "|---|---|---|"]
    for v in verdicts:
        summary = v.corrected or v.reason or (v.evidence[0].title if v.evidence else "")
        out.append(f"| [{v.claim_id}]({v.claim_id}.md) | {v.status} | "
                   f"{summary.replace('|', '/')[:160]} |")
    out += ["", "PDF: `latex/audit.pdf` (built from `latex/audit.tex` with latexmk).", ""]
    return "\n".join(out)


def write_reports(verdicts: list[Verdict], out: Path, compile_pdf: bool = False) -> dict:
    """Write every report under ``out``; compile the LaTeX when asked (needs latexmk).

    Returns a dict of what was written (and ``pdf`` or ``pdf_error``).
    """
    out = Path(out)
    written: dict = {"markdown": [], "figures": [], "latex": []}
    for v in verdicts:
        for e in v.evidence:
            if e.plot is not None:
                written["figures"] += [str(p) for p in draw(e.plot, out / "figures")]
        md = out / f"{v.claim_id}.md"
        write_atomic(md, verdict_markdown(v))
        written["markdown"].append(str(md))
        tex = out / "latex" / f"{v.claim_id}.tex"
        write_atomic(tex, verdict_latex(v))
        written["latex"].append(str(tex))
    write_atomic(out / "index.md", index_markdown(verdicts))
    body = [r"\tableofcontents", r"\bigskip",
            latex_text("Verdicts on the claims of CLAIMS.md, derived and measured by specbias.")]
    body += [rf"\input{{{v.claim_id}.tex}}" for v in verdicts]
    main = out / "latex" / "audit.tex"
    write_atomic(main, document("\n\n".join(body), "specbias audit"))
    write_atomic(out / "audit.json", json.dumps(audit_json(verdicts), indent=2, ensure_ascii=False))
    if compile_pdf:
        written.update(compile_latex(main))
    return written


def compile_latex(main: Path) -> dict:
    """Run latexmk -pdf on ``main`` in its folder; report the PDF or the error."""
    if shutil.which("latexmk") is None:
        return {"pdf_error": "latexmk not found: install texlive-latex-base, "
                             "texlive-latex-recommended and latexmk"}
    proc = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
                           main.name], cwd=main.parent, capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-25:])
        return {"pdf_error": f"latexmk failed ({proc.returncode}):\n{tail}"}
    subprocess.run(["latexmk", "-c", main.name], cwd=main.parent, capture_output=True)
    return {"pdf": str(main.with_suffix(".pdf"))}
