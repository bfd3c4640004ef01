"""A sweep killed half-way (SIGKILL, or Ctrl-C as SIGINT) and rerun: nothing finished is lost or redone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sweep_helpers import PROBE, alive, draw, started, wait_for
from specbias.verify.sweep.runner import run_sweep

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "specbias", "sweep", *args]


def _env() -> dict:
    """The CLI with the test experiment ``probe`` (sweep_helpers) registered."""
    path = os.pathsep.join([str(ROOT), str(HERE), os.environ.get("PYTHONPATH", "")])
    return dict(os.environ, PYTHONPATH=path, SPECBIAS_EXPERIMENTS="sweep_helpers")


def _grid_args(grid: dict) -> list[str]:
    return [a for k, v in grid.items() for a in ("--grid", f"{k}={v}")]


def _finished(store: Path) -> int:
    return len(list(store.glob("*/*/result.json")))


def _rerun(experiment, grid: dict, store: Path):
    """The same sweep again, here (the CLI's start-up is tested once already): the statuses."""
    sweep = run_sweep(experiment, grid, store=store, executor="serial")
    assert sweep.counts["failed"] == 0
    return sweep


def test_sigkill_then_resume(tmp_path):
    """SIGKILL the CLI: its pool workers exit too, and a rerun reuses what was stored."""
    store, marker = tmp_path / "store", tmp_path / "marker"
    marker.mkdir()
    grid = {"seed": "0:8", "sleep": "0.3", "marker": str(marker)}
    proc = subprocess.Popen(_cli("probe", *_grid_args(grid), "--executor", "local", "--workers",
                                 "2", "--store", str(store)),
                            cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _finished(store) >= 2 or proc.poll() is not None)
    finally:
        proc.kill()
        proc.wait()
    done = _finished(store)
    assert 2 <= done < 8, "kill the sweep half-way (make the runs longer if it finished)"
    pids = {pid for _, pid in started(marker)}
    wait_for(lambda: not any(alive(p) for p in pids), timeout=20)  # no orphaned workers
    sweep = _rerun(PROBE, grid, store)
    assert sweep.counts["reused"] == done and sweep.counts["computed"] == 8 - done
    for seed, run in enumerate(sweep.runs):  # reused and computed runs hold the same draws
        assert run.result["value"] == draw(seed)


def test_sigint_stops_workers_and_resumes(tmp_path):
    store, marker = tmp_path / "store", tmp_path / "marker"
    marker.mkdir()
    grid = {"seed": "0:8", "sleep": "0.4", "marker": str(marker)}
    args = ("probe", *_grid_args(grid), "--executor", "local", "--workers", "2",
            "--store", str(store))
    proc = subprocess.Popen(_cli(*args), cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: _finished(store) >= 2 or proc.poll() is not None)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130 and "interrupted" in err and "rerun" in err
    pids = {pid for _, pid in started(marker)}
    wait_for(lambda: not any(alive(p) for p in pids), timeout=20)
    done = _finished(store)
    assert 2 <= done < 8
    sweep = _rerun(PROBE, grid, store)
    assert sweep.counts["reused"] == done and sweep.counts["computed"] == 8 - done
