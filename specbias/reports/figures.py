"""Draw the plot specifications that evidence carries (:func:`specbias.records.line_plot`,
:func:`specbias.records.heatmap_plot`).

Each figure is written twice: PNG for the Markdown reports and PDF (TrueType fonts) for LaTeX.
Labels are prose whose ``$...$`` math goes to matplotlib's mathtext unchanged, so figure labels
read like the reports; a label mathtext cannot parse is an error naming it, never a crash.
Series of one ``group`` share a colour (a measured run and its prediction); ``yerr`` draws
error bars; ``legend="outside"`` puts the legend right of the axes, off the data.
"""

from __future__ import annotations

import math
from pathlib import Path

from specbias.errors import InvalidArgument


def _panel(value, i: int):
    """A per-panel setting (a list) or one shared by all panels."""
    return value[i] if isinstance(value, list) else value


def check_labels(spec: dict) -> None:
    """Parse every label with mathtext first, so a bad one is an InvalidArgument."""
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    as_list = lambda v: list(v) if isinstance(v, list) else [v]  # noqa: E731
    labels = [spec.get("title", ""), spec.get("zlabel", "")] + as_list(spec["xlabel"])
    labels += as_list(spec["ylabel"]) + [s.get("label", "") for s in spec.get("series", [])]
    for label in labels:
        if label and label.count("$") >= 2:
            try:
                parser.parse(label)
            except Exception:  # noqa: BLE001 - mathtext raises ValueError or ParseException
                raise InvalidArgument(f"figure label {label[:60]!r} is not valid mathtext: write "
                                      "math that matplotlib can render") from None


def _sparse_log_minor():
    """A minor-tick formatter for a log x axis: labels only 2 and 5 times a power of ten, and
    none when the axis spans two decades or more (the decades are enough). Matplotlib's
    default labels 2, 3, 4 and 6 times a power of ten on an axis of about one decade, and on
    a narrow x axis those labels overlap."""
    from matplotlib.ticker import LogFormatterSciNotation

    class SparseLogFormatter(LogFormatterSciNotation):
        def __call__(self, x, pos=None):
            lo, hi = sorted(self.axis.get_view_interval())
            if x <= 0 or lo <= 0 or hi / lo >= 100:
                return ""
            mantissa = round(x / 10 ** math.floor(math.log10(x) + 1e-9))
            return super().__call__(x, pos) if mantissa in (2, 5) else ""

    # thresholds at infinity: the base class then offers a label for every minor tick
    return SparseLogFormatter(labelOnlyBase=False, minor_thresholds=(math.inf, math.inf))


def _save(fig, png: Path, pdf: Path) -> list[Path]:
    """Write ``fig`` to both files without time stamps (byte-identical reruns)."""
    import matplotlib.pyplot as plt

    for path in (png, pdf):
        path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=130, metadata={"Software": None})
    fig.savefig(pdf, metadata={"CreationDate": None, "Producer": None, "Creator": None})
    plt.close(fig)
    return [png, pdf]


def _edges(centres: list) -> list:
    """Cell edges around sorted centres (midpoints, the ends extended by half a step)."""
    c = [float(v) for v in centres]
    if len(c) == 1:
        return [c[0] - 0.5, c[0] + 0.5]
    mids = [(a + b) / 2 for a, b in zip(c, c[1:])]
    return [c[0] - (mids[0] - c[0])] + mids + [c[-1] + (c[-1] - mids[-1])]


def draw_heatmap(spec: dict, png: Path, pdf: Path) -> list[Path]:
    """Render a heatmap specification (:func:`specbias.records.heatmap_plot`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    check_labels(spec)
    with matplotlib.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42, "font.size": 9}):
        fig, ax = plt.subplots(figsize=(5.6, 3.4))
        mesh = ax.pcolormesh(_edges(spec["x"]), _edges(spec["y"]), spec["z"], shading="flat",
                             vmin=spec.get("vmin"), vmax=spec.get("vmax"), cmap="viridis")
        bar = fig.colorbar(mesh, ax=ax)
        if spec.get("zlabel"):
            bar.set_label(spec["zlabel"])
        ax.set_xlabel(spec["xlabel"])
        ax.set_ylabel(spec["ylabel"])
        if spec.get("title"):
            ax.set_title(spec["title"])
        fig.tight_layout()
        return _save(fig, png, pdf)


def draw(spec: dict, png: Path, pdf: Path) -> list[Path]:
    """Render ``spec`` to the files ``png`` and ``pdf``; return the two paths."""
    if spec.get("kind") == "heatmap":
        return draw_heatmap(spec, png, pdf)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    check_labels(spec)
    panels = max(1, int(spec.get("panels", 1)))
    outside = spec.get("legend") == "outside"
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    with matplotlib.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42, "font.size": 9,
                                "svg.hashsalt": "specbias"}):
        width = 4.2 * panels + (2.6 if outside else 1.2)
        fig, axes = plt.subplots(1, panels, figsize=(width, 3.4), squeeze=False)
        for k, s in enumerate(spec["series"]):
            ax = axes[0][int(s.get("panel", 0))]
            colour = colours[int(s.get("group", k)) % len(colours)]
            style = s.get("style", "-")
            if "yerr" in s:
                ax.errorbar(s["x"], s["y"], yerr=s["yerr"], fmt=style, color=colour,
                            label=s.get("label") or None, lw=1.2, ms=3, capsize=2)
            else:
                ax.plot(s["x"], s["y"], style, color=colour, label=s.get("label") or None,
                        lw=1.2, ms=3)
        for i, ax in enumerate(axes[0]):
            ax.set_xscale(_panel(spec["xscale"], i))
            if _panel(spec["xscale"], i) == "log":
                ax.xaxis.set_minor_formatter(_sparse_log_minor())
            ax.set_yscale(_panel(spec["yscale"], i))
            if spec.get("xticks"):
                from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator
                ax.xaxis.set_major_locator(FixedLocator(spec["xticks"]))
                ax.set_xticklabels([str(t) for t in spec["xticks"]])
                ax.xaxis.set_minor_locator(NullLocator())
                ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel(_panel(spec["xlabel"], i))
            ax.set_ylabel(_panel(spec["ylabel"], i))
            ax.grid(True, alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                if outside:
                    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                              borderaxespad=0.0)
                else:
                    ax.legend(fontsize=7, loc="best")
        if spec.get("title"):
            fig.suptitle(spec["title"])
        fig.tight_layout()
        return _save(fig, png, pdf)
