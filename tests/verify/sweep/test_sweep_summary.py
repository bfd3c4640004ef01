"""The generic summary table and figures of a sweep."""

from __future__ import annotations

import statistics

from specbias.numbers import Measured
from specbias.verify.sweep.summary import default_plot, default_summary, markdown_table


def _runs():
    """Two keys, three seeds; result ``y`` known in closed form, ``z`` sometimes missing."""
    runs = []
    for a in (1, 10, 100):
        for seed in range(3):
            runs.append({"config": {"a": a, "seed": seed, "name": "x"},
                         "result": {"y": a + 0.1 * seed ** 2, "z": None if seed else 1.0,
                                    "flag": True, "curve": [[0, 1.0]]}})
    return runs


def test_default_summary_is_the_mean_and_standard_error():
    table = default_summary(_runs(), ["a", "seed"])
    assert table["columns"] == ["a", "runs", "y", "z"]  # bools and lists are not scalars
    for row, a in zip(table["rows"], (1, 10, 100)):
        ys = [a + 0.1 * s ** 2 for s in range(3)]
        sem = statistics.stdev(ys) / len(ys) ** 0.5
        assert row[:3] == [str(a), "3", str(Measured(statistics.fmean(ys), sem))]
        assert row[3] == "1.00 (1 of 3)"
    text = markdown_table(table)
    assert text.splitlines()[0].startswith("| a ") and len(text.splitlines()) == 5


def test_default_plot_specs():
    specs = default_plot(_runs(), ["a", "seed"], "toy")
    assert [s["name"] for s in specs] == ["toy_y_vs_a", "toy_z_vs_a"]
    y = specs[0]
    assert y["xscale"] == ["log"] and y["series"][0]["x"] == [1.0, 10.0, 100.0]
    assert y["series"][0]["y"] == [statistics.fmean(a + 0.1 * s ** 2 for s in range(3))
                                   for a in (1, 10, 100)]
