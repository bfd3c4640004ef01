"""Summary tables and figures of a sweep (the generic ones; an experiment may bring its own).

The generic summary groups the finished runs by their swept keys other than ``seed`` and gives,
for every scalar result (a finite number), the mean over seeds and its standard error
``s / sqrt(n)``, printed to the digits the standard error carries (two significant digits of
the error, in parentheses: ``0.237(12)`` is 0.237 with standard error 0.012). The generic figure plots each scalar result against each swept numeric key, with
the standard error as error bars and one line per value of the other swept keys.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

from specbias.verify.sweep.store import is_number

#: Lines drawn per figure at most (the other swept keys' combinations beyond are left out).
MAX_LINES = 8


def format_measurement(mean: float, sem: float | None) -> str:
    """``mean`` with its standard error in parentheses on its last two digits.

    The concise notation of metrology (``0.237(12)`` is 0.237 with standard error 0.012),
    rounded to the second significant digit of ``sem``; scientific notation when the error
    reaches the tens or the mean is below 1e-3 or above 1e6. One value (``sem`` None) is
    printed to 4 significant digits, identical values (``sem`` 0) to 6.

    >>> format_measurement(0.23712, 0.01234)
    '0.237(12)'
    >>> format_measurement(1072.3, 15.2), format_measurement(1072.3, 152.0)
    ('1072(15)', '1.07(15)e+03')
    >>> format_measurement(2.3712e-5, 1.2e-7)
    '2.371(12)e-05'
    >>> format_measurement(0.5, None), format_measurement(0.5, 0.0)
    ('0.5', '0.5')
    """
    if sem is None or not math.isfinite(sem) or sem <= 0:
        return f"{mean:.4g}" if sem is None else f"{mean:.6g}"
    place = math.floor(math.log10(sem)) - 1  # the decimal place of sem's second digit
    digits = round(sem / 10.0**place)
    if digits >= 100:  # 0.0999 rounds to 0.10
        place, digits = place + 1, digits // 10
    if place > 0 or (mean != 0 and not 1e-3 <= abs(mean) < 1e6):
        exp = max(math.floor(math.log10(abs(mean))) if mean != 0 else place, place)
        return f"{mean / 10.0**exp:.{exp - place}f}({digits})e{exp:+03d}"
    return f"{mean:.{-place}f}({digits})"


def mean_sem(values: Sequence[float]) -> tuple[float, float | None]:
    """The mean and its standard error (None for one value)."""
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return mean, None
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(var / n)


def scalar_fields(runs: Sequence[dict]) -> list[str]:
    """Result keys whose values are numbers (or None) in every run and a number in one at least."""
    results = [r["result"] for r in runs if isinstance(r.get("result"), dict)]
    if not results:
        return []
    keys = [k for k in results[0] if all(k in res for res in results)]
    return [k for k in keys if all(is_number(res[k]) or res[k] is None for res in results)
            and any(is_number(res[k]) for res in results)]


def groups(runs: Sequence[dict], keys: Sequence[str]) -> dict[tuple, list[dict]]:
    """Runs grouped by their values of ``keys`` (in first-seen order)."""
    out: dict[tuple, list[dict]] = {}
    for run in runs:
        out.setdefault(tuple(_hashable(run["config"][k]) for k in keys), []).append(run)
    return out


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _cell(values: list) -> str:
    numbers = [v for v in values if is_number(v)]
    if not numbers:
        return "none"
    text = format_measurement(*mean_sem(numbers))
    return text if len(numbers) == len(values) else f"{text} ({len(numbers)} of {len(values)})"


def default_summary(runs: Sequence[dict], swept: Sequence[str]) -> dict:
    """One row per combination of the swept keys other than ``seed``: mean ± s.e. over seeds."""
    keys = [k for k in swept if k != "seed"]
    fields = scalar_fields(runs)
    rows = []
    for combo, members in groups(runs, keys).items():
        cells = [_format_value(v) for v in combo] + [str(len(members))]
        cells += [_cell([m["result"].get(f) for m in members]) for f in fields]
        rows.append(cells)
    return {"columns": [*keys, "runs", *fields], "rows": rows}


def _format_value(value: Any) -> str:
    if isinstance(value, tuple):
        return "/".join(_format_value(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def markdown_table(table: dict) -> str:
    """A table ``{"columns", "rows"}`` as GitHub Markdown, columns padded to align."""
    cols = [str(c) for c in table["columns"]]
    rows = [[str(c) for c in row] for row in table["rows"]]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(cols)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([line(cols), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
                      *(line(r) for r in rows)])


def default_plot(runs: Sequence[dict], swept: Sequence[str], out_dir: Path, name: str) -> list[Path]:
    """Each scalar result against each swept numeric key (mean ± s.e. over the other runs)."""
    axes = [k for k in swept if k != "seed" and all(is_number(r["config"][k]) for r in runs)]
    paths = []
    for x in axes:
        others = [k for k in swept if k not in (x, "seed")]
        for field in scalar_fields(runs):
            paths.append(_plot_one(runs, x, others, field, out_dir / f"{name}_{field}_vs_{x}.png"))
    return paths


def _plot_one(runs: Sequence[dict], x: str, others: list[str], field: str, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for combo, members in list(groups(runs, others).items())[:MAX_LINES]:
        pts = []
        for (xv,), at_x in groups(members, [x]).items():
            ys = [m["result"][field] for m in at_x if is_number(m["result"].get(field))]
            if ys:
                pts.append((xv, *mean_sem(ys)))
        pts.sort()
        if pts:
            label = ", ".join(f"{k} = {_format_value(v)}" for k, v in zip(others, combo)) or None
            ax.errorbar([p[0] for p in pts], [p[1] for p in pts],
                        yerr=[p[2] or 0.0 for p in pts], marker="o", capsize=3, label=label)
    xs = [r["config"][x] for r in runs]
    if min(xs) > 0 and max(xs) / min(xs) >= 10:
        ax.set_xscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(field)
    if others:
        ax.legend(fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)
    return path


def sweep_table(exp, sweep) -> dict:
    """The summary table of a finished sweep: the experiment's own, or :func:`default_summary`."""
    runs = [r.to_json() for r in sweep.finished]
    if exp.summarize is not None:
        return exp.summarize(runs, list(sweep.swept))
    return default_summary(runs, sweep.swept)


def sweep_figures(exp, sweep, out_dir: Path) -> list[Path]:
    """The figures of a finished sweep under ``out_dir``: the experiment's own, or the generic."""
    runs = [r.to_json() for r in sweep.finished]
    if not runs:
        return []
    if exp.plot is not None:
        return [Path(p) for p in exp.plot(runs, list(sweep.swept), Path(out_dir))]
    return default_plot(runs, sweep.swept, Path(out_dir), exp.name)


__all__ = ["MAX_LINES", "default_plot", "default_summary", "format_measurement", "groups",
           "markdown_table", "mean_sem", "scalar_fields", "sweep_figures", "sweep_table"]
