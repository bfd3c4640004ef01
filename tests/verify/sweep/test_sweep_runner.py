"""The runner on the serial executor and a local process pool: reuse, failures, Ctrl-C, lost workers."""

from __future__ import annotations

import os

import pytest

from sweep_helpers import PROBE, draw, killing_first_worker
from specbias.errors import InvalidArgument
from specbias.verify.sweep import get, resolve
from specbias.verify.sweep.runner import SweepInterrupted, run_sweep

DEMO = get("demo")
SMALL = {"steps": "300", "n": "64", "width": "32"}


def test_serial_then_reused(tmp_path):
    grid = dict(SMALL, freq="1,2", seed="0,1")
    first = run_sweep(DEMO, grid, store=tmp_path, executor="serial")
    assert [r.status for r in first.runs] == ["computed"] * 4
    assert first.swept == ["freq", "seed"]
    for run, cfg in zip(first.runs, resolve(DEMO, "quick", grid)):
        assert run.config == cfg
        assert run.result == DEMO.run(cfg)  # the same process, the same BLAS threads
    assert all(r.cpu_seconds > 0 and r.seconds > 0 for r in first.runs)
    again = run_sweep(DEMO, grid, store=tmp_path, executor="serial")
    assert [r.status for r in again.runs] == ["reused"] * 4
    assert [r.to_json() for r in again.runs] == [
        dict(r.to_json(), status="reused") for r in first.runs]
    # a bigger grid extends the finished one
    more = run_sweep(DEMO, dict(grid, seed="0,1,2"), store=tmp_path, executor="serial")
    assert [r.status for r in more.runs].count("reused") == 4
    assert more.counts["computed"] == 2


def test_local_pool_matches_this_process_and_limits_threads(tmp_path):
    sweep = run_sweep(DEMO, dict(SMALL, freq="1,3", seed="0,1"), store=tmp_path,
                      executor="local", workers=2)
    assert sweep.counts["computed"] == 4
    for run in sweep.runs:
        assert run.result == DEMO.run(run.config)  # computed here, in this process
    probe = run_sweep(PROBE, {"torch": "true"}, store=tmp_path, executor="local", workers=1)
    assert probe.runs[0].result["torch_threads"] == 1 and probe.runs[0].result["omp"] == "1"
    assert probe.runs[0].result["pid"] != os.getpid()


@pytest.mark.gpu
def test_cuda_in_pool_workers(tmp_path):
    """device=auto resolves to cuda, and forkserver workers can use it (fork could not)."""
    sweep = run_sweep(PROBE, {"torch": "true", "device": "auto", "seed": "0,1"}, store=tmp_path,
                      executor="local", workers=2)
    assert [r.config["device"] for r in sweep.runs] == ["cuda", "cuda"]
    assert all(r.result["device"].startswith("cuda") for r in sweep.runs)


def test_failures_are_reported_not_stored(tmp_path):
    sweep = run_sweep(PROBE, {"seed": "0,1,2", "fail": "1"}, store=tmp_path, executor="serial")
    assert [r.status for r in sweep.runs] == ["computed", "failed", "computed"]
    assert "probe fails for seed 1" in sweep.runs[1].error
    again = run_sweep(PROBE, {"seed": "0,1,2", "fail": "1"}, store=tmp_path, executor="local",
                      workers=2)
    assert [r.status for r in again.runs] == ["reused", "failed", "reused"]
    bad = run_sweep(PROBE, {"bad_result": "true"}, store=tmp_path, executor="serial")
    assert bad.runs[0].status == "failed" and "JSON" in bad.runs[0].error


def test_ctrl_c_keeps_finished_runs(tmp_path):
    marker = tmp_path / "marker"
    marker.mkdir()
    (marker / "interrupt-2").touch()
    grid = {"seed": "0:5", "marker": str(marker)}
    with pytest.raises(SweepInterrupted) as info:
        run_sweep(PROBE, grid, store=tmp_path / "store", executor="serial")
    assert [r.status for r in info.value.sweep.runs] == ["computed"] * 2 + ["pending"] * 3
    resumed = run_sweep(PROBE, grid, store=tmp_path / "store", executor="serial")
    assert [r.status for r in resumed.runs] == ["reused"] * 2 + ["computed"] * 3
    assert [r.result["value"] for r in resumed.runs[:2]] == [
        r.result["value"] for r in info.value.sweep.runs[:2]]


@pytest.mark.parametrize("retries", [2, 0])
def test_killed_local_worker(tmp_path, retries):
    """A pool worker killed mid-run: its runs are retried on a fresh pool (or reported)."""
    marker = tmp_path / "marker"
    marker.mkdir()
    grid = {"seed": "0:4", "sleep": "0.6", "marker": str(marker)}
    with killing_first_worker(marker) as killed:
        sweep = run_sweep(PROBE, grid, store=tmp_path / "store", executor="local", workers=2,
                          retries=retries)
    seed, pid = killed[0]
    if retries:
        assert sweep.counts["computed"] == 4 and sweep.retries_used >= 1
        assert sweep.runs[seed].result["pid"] != pid
    else:
        assert sweep.runs[seed].status == "failed" and "lost" in sweep.runs[seed].error
    finished = {r.key for r in sweep.finished}
    resumed = run_sweep(PROBE, grid, store=tmp_path / "store", executor="serial")
    assert {r.key for r in resumed.runs if r.status == "reused"} == finished
    assert [r.result["value"] for r in resumed.runs] == [draw(s) for s in range(4)]


def test_bad_executor_arguments(tmp_path):
    with pytest.raises(InvalidArgument, match="'threads'"):
        run_sweep(DEMO, SMALL, store=tmp_path, executor="threads")
    with pytest.raises(InvalidArgument, match="workers=0"):
        run_sweep(DEMO, SMALL, store=tmp_path, executor="local", workers=0)
    with pytest.raises(InvalidArgument, match="retries=-1"):
        run_sweep(DEMO, SMALL, store=tmp_path, executor="serial", retries=-1)
