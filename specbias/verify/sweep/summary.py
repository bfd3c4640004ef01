"""Summary tables and figures of a sweep (the generic ones; an experiment may bring its own).

The generic summary groups the finished runs by their swept keys other than ``seed`` and gives,
for every scalar result (a finite number), the mean over the runs of a group and its standard
error ``s / sqrt(n)`` as a :class:`specbias.numbers.Measured` (printed to the digits the error
carries); a group of one run gives an :class:`~specbias.numbers.Approx` to 3 digits. The
generic figures (plot specifications of :func:`specbias.records.line_plot`, drawn by
``specbias.reports.figures.draw``) show each scalar result against each swept numeric key, with
the standard error as error bars and one line per value of the other swept keys.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

from specbias.numbers import Approx, Measured
from specbias.records import line_plot
from specbias.verify.sweep.config import format_value
from specbias.verify.sweep.store import is_number

#: Lines drawn per figure at most (the other swept keys' combinations beyond are left out).
MAX_LINES = 8
#: Significant digits of a single run's value in the table.
SINGLE_DIGITS = 3


def mean_sem(values: Sequence[float]) -> tuple[float, float | None]:
    """The mean and its standard error ``s / sqrt(n)`` (None for one value).

    >>> mean, sem = mean_sem([1.0, 2.0, 3.0])  # s = 1, n = 3
    >>> mean, round(sem * 3 ** 0.5, 12)
    (2.0, 1.0)
    """
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return mean, None
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(var / n)


def summarize_values(values: Sequence[float]):
    """A :class:`Measured` mean over ``values`` (an :class:`Approx` for one value)."""
    mean, sem = mean_sem(values)
    return Approx(mean, SINGLE_DIGITS) if sem is None else Measured(mean, sem)


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
    text = str(summarize_values(numbers))
    return text if len(numbers) == len(values) else f"{text} ({len(numbers)} of {len(values)})"


def default_summary(runs: Sequence[dict], swept: Sequence[str]) -> dict:
    """One row per combination of the swept keys other than ``seed``: mean ± s.e. over its runs."""
    keys = [k for k in swept if k != "seed"]
    fields = scalar_fields(runs)
    rows = []
    for combo, members in groups(runs, keys).items():
        cells = [format_value(v) for v in combo] + [str(len(members))]
        cells += [_cell([m["result"].get(f) for m in members]) for f in fields]
        rows.append(cells)
    return {"columns": [*keys, "runs", *fields], "rows": rows}


def markdown_table(table: dict) -> str:
    """A table ``{"columns", "rows"}`` as GitHub Markdown, columns padded to align."""
    cols = [str(c) for c in table["columns"]]
    rows = [[str(c) for c in row] for row in table["rows"]]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    return "\n".join([line(cols), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
                      *(line(r) for r in rows)])


def label(key: str) -> str:
    """A config or result key as a figure label (prose: underscores as spaces)."""
    return key.replace("_", " ")


def default_plot(runs: Sequence[dict], swept: Sequence[str], name: str) -> list[dict]:
    """Plot specifications: each scalar result against each swept numeric key."""
    axes = [k for k in swept if k != "seed" and all(is_number(r["config"][k]) for r in runs)]
    specs = []
    for x in axes:
        others = [k for k in swept if k not in (x, "seed")]
        for field in scalar_fields(runs):
            specs.append(_plot_one(runs, x, others, field, f"{name}_{field}_vs_{x}"))
    return specs


def _plot_one(runs: Sequence[dict], x: str, others: list[str], field: str, name: str) -> dict:
    series = []
    for combo, members in list(groups(runs, others).items())[:MAX_LINES]:
        pts = []
        for (xv,), at_x in groups(members, [x]).items():
            ys = [m["result"][field] for m in at_x if is_number(m["result"].get(field))]
            if ys:
                pts.append((xv, *mean_sem(ys)))
        pts.sort()
        if pts:
            series.append({"label": ", ".join(f"{label(k)} {format_value(v)}"
                                              for k, v in zip(others, combo)),
                           "x": [p[0] for p in pts], "y": [p[1] for p in pts],
                           "yerr": [p[2] or 0.0 for p in pts], "style": "o-"})
    xs = [r["config"][x] for r in runs]
    log_x = min(xs) > 0 and max(xs) / min(xs) >= 10
    return line_plot(name, series, xlabel=label(x), ylabel=f"{label(field)} (mean over runs)",
                     xscale="log" if log_x else "linear")


def sweep_table(exp, sweep) -> dict:
    """The summary table of a finished sweep (cells as text): the experiment's own, or the default."""
    runs = [r.to_json() for r in sweep.finished]
    table = (exp.summarize(runs, list(sweep.swept)) if exp.summarize is not None
             else default_summary(runs, sweep.swept))
    return {"columns": [str(c) for c in table["columns"]],
            "rows": [[str(c) for c in row] for row in table["rows"]]}


def sweep_plots(exp, sweep) -> list[dict]:
    """Plot specifications of a finished sweep: the experiment's own, or the generic ones."""
    runs = [r.to_json() for r in sweep.finished]
    if not runs:
        return []
    if exp.plot is not None:
        return list(exp.plot(runs, list(sweep.swept)))
    return default_plot(runs, sweep.swept, exp.name)


__all__ = ["MAX_LINES", "default_plot", "default_summary", "groups", "label",
           "markdown_table", "mean_sem", "scalar_fields", "summarize_values", "sweep_plots",
           "sweep_table"]
