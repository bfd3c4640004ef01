"""One dask LocalCluster for the whole test run (spawned workers on 127.0.0.1).

Its tests carry ``xdist_group("dask")`` so that, under ``pytest -n 2 --dist loadgroup``
(the Makefile), they all run in one xdist worker and the cluster starts once.
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
                               host="127.0.0.1", dashboard_address=None)
    client = Client(cluster.scheduler_address, timeout=30, set_as_default=False)
    try:
        yield cluster.scheduler_address, client
    finally:
        client.close()
        cluster.close()
