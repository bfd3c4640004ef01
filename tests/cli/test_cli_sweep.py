"""``specbias sweep``: listing, a run with a table, JSON and figures, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specbias.cli import main
from specbias.verify.sweep import get

DEMO = get("demo")
SMALL = ["--grid", "steps=200", "--grid", "n=64", "--grid", "width=32"]


def test_list(capsys):
    assert main(["sweep", "--list"]) == 0
    assert "demo:" in capsys.readouterr().out
    assert main(["sweep", "--list", "--json"]) == 0
    listing = {e["name"]: e for e in json.loads(capsys.readouterr().out)["experiments"]}
    keys = [k["name"] for k in listing["demo"]["keys"]]
    assert keys == list(DEMO.profiles["quick"]) and "seed" in keys


def test_run_table_json_and_figures(tmp_path, capsys):
    args = ["sweep", "demo", *SMALL, "--grid", "freq=1,2", "--grid", "seed=0,1,2",
            "--executor", "serial", "--store", str(tmp_path / "s")]
    assert main([*args, "--plot", str(tmp_path / "fig")]) == 0
    out = capsys.readouterr().out
    assert "6 runs, 6 computed, 0 reused" in out
    assert "| freq | runs |" in out and "steps_to_half" in out
    figures = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("figure: ")]
    assert figures and all((tmp_path / "fig").joinpath(f).exists() for f in figures)
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in data["runs"]] == ["reused"] * 6
    assert data["swept"] == ["freq", "seed"] and data["summary"]["columns"][:2] == ["freq", "runs"]
    for run in data["runs"]:
        assert run["result"] == json.loads(json.dumps(DEMO.run(run["config"])))


@pytest.mark.parametrize("args,needle", [
    (["sweep", "nope"], "unknown experiment 'nope'"),
    (["sweep"], "name an experiment"),
    (["sweep", "demo", "--grid", "depth=2"], "no key 'depth'"),
    (["sweep", "demo", "--grid", "seed="], "seed=''"),
    (["sweep", "demo", "--grid", "seed"], "KEY=V1,V2"),
    (["sweep", "demo", "--grid", "seed=1", "--grid", "seed=2"], "given twice"),
    (["sweep", "demo", "--grid", "lr=fast"], "'fast' is not a number"),
    (["sweep", "demo", "--executor", "dask://nohost"], "'dask://nohost'"),
    (["sweep", "demo", "--profile", "huge"], "huge"),
    (["sweep", "demo", "--workers", "0"], "--workers 0 is out of range"),
    (["sweep", "demo", "--retries", "11"], "--retries 11 is out of range"),
    (["sweep", "demo", "--connect-timeout", "0"], "--connect-timeout 0 is out of range"),
])
def test_bad_input_is_one_line(args, needle, capsys, tmp_path):
    assert main([*args, "--store", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1


def test_unwritable_store_and_figure_folder(tmp_path, capsys):
    (tmp_path / "f").write_text("")
    assert main(["sweep", "demo", "--store", str(tmp_path / "f" / "s")]) == 2
    assert "store folder" in capsys.readouterr().err
    assert main(["sweep", "demo", "--store", str(tmp_path / "s"), "--plot", str(tmp_path / "f")]) == 2
    assert "figure folder" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()  # refused before any work


def test_failed_runs_exit_1(tmp_path, capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "verify" / "sweep"))
    import sweep_helpers  # noqa: F401  (registers the test experiment "probe")

    assert main(["sweep", "probe", "--grid", "seed=0,1", "--grid", "fail=1", "--executor",
                 "serial", "--store", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "1 failed" in captured.out and "probe fails for seed 1" in captured.err
