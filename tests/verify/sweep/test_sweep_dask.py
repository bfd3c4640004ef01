"""Sweeps on a real dask cluster (a LocalCluster on 127.0.0.1, started once per test run)."""

from __future__ import annotations

import os
import socket
import time

import pytest

from sweep_helpers import PROBE, draw, killing_first_worker
from specbias.errors import InvalidArgument
from specbias.verify.sweep import get
from specbias.verify.sweep.executors import parse_executor
from specbias.verify.sweep.runner import run_sweep

DEMO = get("demo")


def _executor(address: str) -> str:
    return address.replace("tcp://", "dask://")


def test_sweeps_on_the_cluster(dask_cluster, tmp_path):
    """One test uses the cluster, so that it starts once however xdist distributes the tests.

    (``--dist loadgroup`` would group several, but does not group under pytest 9.2:
    pytest-xdist issue 1386.)
    """
    address, client = dask_cluster
    _small_sweep(address, client, tmp_path / "small")
    _killed_worker(address, client, tmp_path / "killed")


def _small_sweep(address, client, tmp_path):
    grid = {"steps": "300", "n": "64", "width": "32", "freq": "1,2", "seed": "0,1"}
    sweep = run_sweep(DEMO, grid, store=tmp_path, executor=_executor(address))
    assert sweep.counts["computed"] == 4 and sweep.executor == f"dask {address}"
    assert [r.result for r in sweep.runs] == [DEMO.run(r.config) for r in sweep.runs]
    again = run_sweep(DEMO, grid, store=tmp_path, executor=_executor(address))
    assert again.counts["reused"] == 4
    # the runs went to the workers, not to this process
    pids = set(client.run(os.getpid).values())
    probe = run_sweep(PROBE, {"seed": "0:4"}, store=tmp_path, executor=client.get_executor(pure=False))
    assert {r.result["pid"] for r in probe.runs} <= pids


def _killed_worker(address, client, tmp_path):
    """SIGKILL the worker running a run: the scheduler reruns it elsewhere; nothing is lost."""
    marker = tmp_path / "marker"
    marker.mkdir(parents=True)
    grid = {"seed": "0:4", "sleep": "1.0", "marker": str(marker)}
    with killing_first_worker(marker) as killed:
        sweep = run_sweep(PROBE, grid, store=tmp_path / "store", executor=_executor(address))
    seed, pid = killed[0]
    assert sweep.counts["computed"] == 4
    assert sweep.runs[seed].result["pid"] != pid
    assert [r.result["value"] for r in sweep.runs] == [draw(s) for s in range(4)]


def test_unreachable_scheduler_fails_fast(tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens on this port now
    start = time.monotonic()
    with pytest.raises(InvalidArgument, match=f"cannot reach the dask scheduler at tcp://127.0.0.1:{port} within 1 s"):
        run_sweep(DEMO, {"steps": "10"}, store=tmp_path, executor=f"dask://127.0.0.1:{port}",
                  connect_timeout=1.0)
    # not a speed target: a check that the bounded timeout holds (a hang would take forever)
    assert time.monotonic() - start < 30


def test_scheduler_without_workers(tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as empty:
        address = empty.scheduler_address
        with pytest.raises(InvalidArgument, match=f"{address} has no workers after 1 s"):
            run_sweep(DEMO, {"steps": "10"}, store=tmp_path, executor=_executor(address),
                      connect_timeout=1.0)


@pytest.mark.parametrize("text", ["dask://", "dask://host", "dask://host:0", "dask://host:99999",
                                  "http://host:8786", "dask://ho st:1", "tcp//h:1"])
def test_malformed_address(text):
    with pytest.raises(InvalidArgument, match="dask://HOST:PORT"):
        parse_executor(text)


def test_well_formed_addresses():
    assert parse_executor("dask://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    assert parse_executor("dask://[::1]:8786").address == "tcp://[::1]:8786"
    assert parse_executor("tcp://node-3.cluster:8786").address == "tcp://node-3.cluster:8786"
    assert parse_executor("local", 3).workers == 3
