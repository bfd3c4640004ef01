"""The log-axis minor tick labels of :func:`specbias.reports.figures.draw` do not crowd."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from specbias.reports.figures import _sparse_log_minor  # noqa: E402


def _labels(lo: float, hi: float) -> dict:
    fig, ax = plt.subplots()
    ax.plot([lo, hi], [1, 2])
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(_sparse_log_minor())
    fig.canvas.draw()
    out = {round(t.get_loc()): t.label1.get_text() for t in ax.xaxis.get_minor_ticks()}
    plt.close(fig)
    return out


def test_about_one_decade_labels_only_two_and_five_times_a_power_of_ten():
    labels = _labels(128, 2048)
    assert labels[200] and labels[500] and labels[2000]
    assert not labels[300] and not labels[400] and not labels[600]


def test_two_decades_or_more_leave_the_minor_ticks_unlabelled():
    assert not any(_labels(1e-12, 1.0).values())
