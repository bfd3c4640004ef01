"""One dask LocalCluster for the whole test run (spawned workers on 127.0.0.1).

A single test uses it (test_sweep_dask.py), so the cluster starts once per test run whatever
the xdist distribution.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def dask_cluster():
    """``(address, client)`` of a 2-worker LocalCluster (processes, 1 thread each, spawn)."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=":0")
    client = Client(cluster.scheduler_address, timeout=30, set_as_default=False)
    try:
        yield cluster.scheduler_address, client
    finally:
        client.close()
        cluster.close()
