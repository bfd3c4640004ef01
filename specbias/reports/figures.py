"""Draw the plot specifications that evidence carries (:func:`specbias.records.line_plot`).

Each figure is written twice: PNG for the Markdown reports and PDF (TrueType fonts,
``pdf.fonttype = 42``) for LaTeX.
"""

from __future__ import annotations

from pathlib import Path


def _panel(value, i: int):
    """A per-panel setting (a list) or one shared by all panels."""
    return value[i] if isinstance(value, list) else value


def draw(spec: dict, directory: Path) -> list[Path]:
    """Render ``spec`` to ``directory/<name>.png`` and ``.pdf``; return the two paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = max(1, int(spec.get("panels", 1)))
    with matplotlib.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42, "font.size": 9}):
        fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels + 1.2, 3.4), squeeze=False)
        for s in spec["series"]:
            ax = axes[0][int(s.get("panel", 0))]
            ax.plot(s["x"], s["y"], s.get("style", "-"), label=s.get("label"), lw=1.2, ms=3)
        for i, ax in enumerate(axes[0]):
            ax.set_xscale(_panel(spec["xscale"], i))
            ax.set_yscale(_panel(spec["yscale"], i))
            ax.set_xlabel(_panel(spec["xlabel"], i))
            ax.set_ylabel(_panel(spec["ylabel"], i))
            ax.grid(True, alpha=0.3)
            if any(s.get("label") for s in spec["series"]):
                ax.legend(fontsize=7)
        if spec.get("title"):
            fig.suptitle(spec["title"])
        fig.tight_layout()
        directory.mkdir(parents=True, exist_ok=True)
        paths = [directory / f"{spec['name']}.{ext}" for ext in ("png", "pdf")]
        for p in paths:
            fig.savefig(p, dpi=130, metadata={"CreationDate": None} if p.suffix == ".pdf" else None)
        plt.close(fig)
    return paths
