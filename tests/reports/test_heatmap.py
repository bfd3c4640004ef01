"""The heatmap plot kind: validated at construction, read back from JSON unchanged, drawn."""

import json

import pytest

from specbias.errors import InvalidArgument
from specbias.records import Evidence, heatmap_plot
from specbias.reports.figures import draw


def _spec():
    return heatmap_plot("P2_demo", [0, 50, 100], [5, 10], [[0.0, 0.5, 1.0], [0.0, 0.2, 0.4]],
                        xlabel="Adam iteration", ylabel="frequency $k$", zlabel="amplitude",
                        vmin=0, vmax=1)


def test_heatmap_round_trips_through_evidence_json():
    ev = Evidence("t", "s", None, "context", plot=_spec())
    back = Evidence.from_json(json.loads(json.dumps(ev.to_json())))
    assert back.plot == ev.plot


def test_heatmap_shape_is_checked():
    with pytest.raises(InvalidArgument, match="rows"):
        heatmap_plot("P2_bad", [0, 1], [5], [[1.0]], xlabel="x", ylabel="y")


def test_heatmap_draws_png_and_pdf(tmp_path):
    png, pdf = draw(_spec(), tmp_path / "a.png", tmp_path / "a.pdf")
    assert png.stat().st_size > 1000 and pdf.read_bytes().startswith(b"%PDF")
