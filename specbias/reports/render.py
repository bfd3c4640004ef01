"""Render derivations, tables and verdicts as Markdown (GitHub math) and LaTeX.

Prose may carry inline math between ``$`` signs; it is kept as math in both formats and
everything outside it is escaped for LaTeX. Display math goes in ```` ```math ```` blocks
on GitHub and in ``equation*`` environments in LaTeX (long ones are scaled to the line
width). Unicode symbols from the claims catalog are declared for pdflatex in the
preamble (:data:`UNICODE_LATEX`).
"""

from __future__ import annotations

import re

import sympy

from specbias.records import Derivation, Evidence, Verdict

#: Unicode characters of CLAIMS.md and their LaTeX, declared for pdflatex.
UNICODE_LATEX = {
    "σ": r"\sigma", "φ": r"\varphi", "μ": r"\mu", "λ": r"\lambda", "ε": r"\varepsilon",
    "κ": r"\kappa", "ν": r"\nu", "ξ": r"\xi", "ρ": r"\rho", "θ": r"\theta", "η": r"\eta",
    "γ": r"\gamma", "δ": r"\delta", "Δ": r"\Delta", "Λ": r"\Lambda", "Σ": r"\Sigma",
    "Π": r"\Pi", "Ψ": r"\Psi", "π": r"\pi", "ψ": r"\psi", "ω": r"\omega", "Θ": r"\Theta",
    "∫": r"\int", "∑": r"\sum", "∂": r"\partial", "∇": r"\nabla", "∞": r"\infty",
    "≤": r"\le", "≥": r"\ge", "≈": r"\approx", "≃": r"\simeq", "≲": r"\lesssim",
    "≠": r"\neq", "∈": r"\in", "∼": r"\sim", "→": r"\to", "⇒": r"\Rightarrow",
    "·": r"\cdot", "×": r"\times", "−": "-", "±": r"\pm", "‖": r"\|", "⟨": r"\langle",
    "⟩": r"\rangle", "√": r"\surd", "′": "'", "ᵀ": r"^{T}", "⁻": r"^{-}", "¹": r"^{1}",
    "²": r"^{2}", "³": r"^{3}", "⁴": r"^{4}", "⁵": r"^{5}", "⁶": r"^{6}", "⁸": r"^{8}",
    "⁰": r"^{0}", "₀": r"_{0}", "₁": r"_{1}", "₂": r"_{2}", "₃": r"_{3}",
    "₁₀": r"_{10}", "𝒢": r"\mathcal{G}", "ℓ": r"\ell", "ℝ": r"\mathbb{R}",
    "Õ": r"\tilde{O}", "ĥ": r"\hat{h}", "f̂": r"\hat{f}", "–": "--", "—": "---", "…": r"\dots",
    "“": "``", "”": "''", "’": "'", "√2": r"\sqrt{2}",
}

#: Combining accents (a letter followed by one of these) and their math accents.
_COMBINING = {"\u0302": r"\hat", "\u0307": r"\dot", "\u0303": r"\tilde", "\u0304": r"\bar"}
_ACCENTED = re.compile("(.)([" + "".join(_COMBINING) + "])")


def accents_to_math(text: str, inline: bool) -> str:
    """``R̂`` (R + U+0302) → ``\\hat{R}``; wrapped in ``$`` when ``inline`` (for prose)."""
    def sub(m):
        tex = f"{_COMBINING[m.group(2)]}{{{m.group(1)}}}"
        return f"${tex}$" if inline else tex
    return _ACCENTED.sub(sub, text)

_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_",
                   "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                   "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}

#: Display math longer than this (characters of LaTeX) is scaled to the line width.
LONG_MATH = 160


def unicode_preamble() -> str:
    """``\\DeclareUnicodeCharacter`` lines for every single character in UNICODE_LATEX."""
    lines = []
    for ch, tex in UNICODE_LATEX.items():
        if len(ch) == 1 and ord(ch) > 127:
            lines.append(rf"\DeclareUnicodeCharacter{{{ord(ch):04X}}}{{\ensuremath{{{tex}}}}}")
    return "\n".join(lines)


def latex_text(text: str) -> str:
    """Escape prose for LaTeX, keeping ``$...$`` segments as math (accented letters too)."""
    parts = accents_to_math(text, inline=True).split("$")
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 1 and i < len(parts) - 1:
            out.append(f"${part}$")
        elif i % 2 == 1:  # an unmatched dollar sign is text
            out.append(r"\$" + "".join(_LATEX_SPECIALS.get(c, c) for c in part))
        else:
            out.append("".join(_LATEX_SPECIALS.get(c, c) for c in part))
    return "".join(out)


def _expr_latex(expr, label: str = "") -> str:
    """The expression's LaTeX, prefixed by ``label =`` when the label reads as math."""
    tex = sympy.latex(expr) if isinstance(expr, (sympy.Basic, sympy.MatrixBase)) else str(expr)
    return f"{_label_math(label)} = {tex}" if label and not is_prose(label) else tex


#: Words a derivation label may use as math; any other word of 2+ letters makes it prose.
_MATH_WORDS = {"omega": r"\omega", "mu": r"\mu", "phi": r"\varphi", "psi": r"\psi",
               "sigma": r"\sigma", "delta": r"\delta", "alpha": r"\alpha", "beta": r"\beta",
               "lambda": r"\lambda", "int": r"\int", "oo": r"\infty", "det": r"\det",
               "exp": r"\exp", "cos": r"\cos", "sin": r"\sin", "log": r"\log",
               "dx": r"\,dx", "dy": r"\,dy", "dz": r"\,dz", "db": r"\,db"}


def is_prose(label: str) -> bool:
    """True when a label has a word that is not one of the math words (``ratio to phi(b)``)."""
    return any(w not in _MATH_WORDS for w in re.findall(r"[A-Za-z]{2,}", label))


def _label_math(label: str) -> str:
    """A math label such as ``G_<(x, y), x <= y`` in LaTeX (ASCII words to symbols)."""
    label = re.sub(r"[A-Za-z]{2,}", lambda m: _MATH_WORDS[m.group(0)] + " ", label)
    label = label.replace("<=", r" \le ").replace(">=", r" \ge ").replace("...", r"\dots ")
    return accents_to_math(label, inline=False).replace(", ", r",\ ")


def _label_text_latex(label: str) -> str:
    return latex_text(label.replace("$", ""))


def _md_expr(expr, label: str) -> list[str]:
    """Markdown for one step expression: a prose label goes above the math block."""
    head = [f"*{label}:*", ""] if label and is_prose(label) else []
    return head + [md_math(_expr_latex(expr, label)), ""]


def _tex_expr(expr, label: str) -> str:
    head = rf"\noindent\emph{{{_label_text_latex(label)}:}}" + "\n" if label and is_prose(label) else ""
    return head + tex_math(_expr_latex(expr, label))


def md_math(tex: str) -> str:
    return f"```math\n{tex}\n```"


def tex_math(tex: str) -> str:
    if len(tex) > LONG_MATH:
        # shrink to the line width when wider, never enlarge
        return ("\\begin{equation*}\n\\resizebox{\\ifdim\\width>\\linewidth\\linewidth"
                "\\else\\width\\fi}{!}{$\\displaystyle " + tex + "$}\n\\end{equation*}")
    return f"\\begin{{equation*}}\n{tex}\n\\end{{equation*}}"


def derivation_markdown(d: Derivation, level: int = 2) -> str:
    """A derivation as Markdown: assumptions, numbered steps with their math, result."""
    h = "#" * level
    out = [f"{h} {d.title}", ""]
    if d.assumptions:
        out += ["**Assumptions.**", ""] + [f"- {a}" for a in d.assumptions] + [""]
    for i, s in enumerate(d.steps, start=1):
        rule = f" *[{s.rule}]*" if s.rule else ""
        out += [f"**Step {i}.** {s.text}{rule}", ""]
        for j, e in enumerate(s.exprs):
            out += _md_expr(e, s.labels[j] if j < len(s.labels) else "")
    if d.result is not None:
        out += ["**Result.**", ""] + _md_expr(d.result, d.result_label)
    if d.references:
        out += ["**References.** " + "; ".join(d.references), ""]
    return "\n".join(out)


def derivation_latex(d: Derivation, standalone: bool = True) -> str:
    """A derivation as LaTeX (a complete document when ``standalone``)."""
    out = [rf"\subsection*{{{latex_text(d.title)}}}"]
    if d.assumptions:
        out += [r"\paragraph{Assumptions.}", r"\begin{itemize}"]
        out += [rf"\item {latex_text(a)}" for a in d.assumptions] + [r"\end{itemize}"]
    for i, s in enumerate(d.steps, start=1):
        rule = rf" \emph{{[{latex_text(s.rule)}]}}" if s.rule else ""
        out.append(rf"\paragraph{{Step {i}.}} {latex_text(s.text)}{rule}")
        for j, e in enumerate(s.exprs):
            out.append(_tex_expr(e, s.labels[j] if j < len(s.labels) else ""))
    if d.result is not None:
        out += [r"\paragraph{Result.}", _tex_expr(d.result, d.result_label)]
    if d.references:
        out.append(r"\paragraph{References.} " + latex_text("; ".join(d.references)))
    body = "\n".join(out)
    return document(body, d.title) if standalone else body


def document(body: str, title: str) -> str:
    """Wrap a LaTeX body in a complete article (amsmath, booktabs, graphicx, hyperref)."""
    return "\n".join([
        r"\documentclass[11pt]{article}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage{amsmath,amssymb,booktabs,graphicx,longtable}",
        r"\usepackage[margin=2.2cm]{geometry}",
        r"\usepackage{hyperref}",
        unicode_preamble(),
        rf"\title{{{latex_text(title)}}}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        body,
        r"\end{document}",
        "",
    ])


def table_markdown(table: dict) -> str:
    cols = table["columns"]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in table["rows"]]
    return "\n".join(out)


def table_latex(table: dict) -> str:
    cols = table["columns"]
    out = [r"\begin{center}\small", r"\begin{longtable}{" + "l" * len(cols) + "}", r"\toprule",
           " & ".join(latex_text(c) for c in cols) + r" \\", r"\midrule"]
    out += [" & ".join(latex_text(str(c)) for c in row) + r" \\" for row in table["rows"]]
    out += [r"\bottomrule", r"\end{longtable}", r"\end{center}"]
    return "\n".join(out)


def _mark(passed) -> str:
    return {True: "pass", False: "FAIL", None: "context"}[passed]


def verdict_markdown(v: Verdict, figure_dir: str = "figures") -> str:
    """One claim's report in Markdown."""
    out = [f"# {v.claim_id}: {v.status}", "", f"**Claim.** {v.statement}", ""]
    if v.corrected:
        out += [f"**Corrected statement.** {v.corrected}", ""]
    if v.reason:
        out += [f"**Reason.** {v.reason}", ""]
    if v.errors:
        out += ["**Measured errors.**", ""] + [f"- {k}: {val}" for k, val in v.errors.items()] + [""]
    for i, e in enumerate(v.evidence, start=1):
        out += evidence_markdown(e, i, figure_dir)
    return "\n".join(out)


def evidence_markdown(e: Evidence, i: int, figure_dir: str) -> list[str]:
    out = [f"## Evidence {i}: {e.title} ({_mark(e.passed)})", "", e.summary, ""]
    if e.table is not None:
        out += [table_markdown(e.table), ""]
    if e.plot is not None:
        out += [f"![{e.plot.get('title') or e.title}]({figure_dir}/{e.plot['name']}.png)", ""]
    if e.derivation is not None:
        out += [derivation_markdown(e.derivation, level=3)]
    return out


def verdict_latex(v: Verdict, figure_dir: str = "../figures") -> str:
    """One claim's report as a LaTeX section (no preamble)."""
    out = [rf"\section*{{{v.claim_id}: {v.status}}}",
           rf"\addcontentsline{{toc}}{{section}}{{{v.claim_id}: {v.status}}}",
           rf"\paragraph{{Claim.}} {latex_text(v.statement)}"]
    if v.corrected:
        out.append(rf"\paragraph{{Corrected statement.}} {latex_text(v.corrected)}")
    if v.reason:
        out.append(rf"\paragraph{{Reason.}} {latex_text(v.reason)}")
    if v.errors:
        out += [r"\paragraph{Measured errors.}", r"\begin{itemize}"]
        out += [rf"\item {latex_text(f'{k}: {val}')}" for k, val in v.errors.items()]
        out.append(r"\end{itemize}")
    for i, e in enumerate(v.evidence, start=1):
        out.append(rf"\subsection*{{Evidence {i}: {latex_text(e.title)} ({_mark(e.passed)})}}")
        out.append(latex_text(e.summary))
        if e.table is not None:
            out.append(table_latex(e.table))
        if e.plot is not None:
            out += [r"\begin{center}",
                    rf"\includegraphics[width=0.85\linewidth]{{{figure_dir}/{e.plot['name']}.pdf}}",
                    r"\end{center}"]
        if e.derivation is not None:
            out.append(derivation_latex(e.derivation, standalone=False))
    return "\n\n".join(out)
