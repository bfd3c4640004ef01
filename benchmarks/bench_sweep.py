"""Benchmark: a 16-run quick sweep on a 2-worker dask LocalCluster against serial, in one run.

* serial        -- the baseline: the runs one after the other in this process, through the
                   same runner and store (the demo pins each run to one BLAS thread);
* local pool    -- ``--executor local``: a forkserver process pool of 2 workers, started by the
                   sweep (its start-up is part of the time);
* dask cluster  -- ``--executor dask://...``: a LocalCluster (2 worker processes, 1 thread each,
                   spawn) started once before the timed sweeps (its start-up is reported apart).

The grid is the demo experiment's quick profile, freq = 1..4 x seed = 0..3 (16 runs), each
sweep into a fresh store; the rounds interleave the three so that a change of load hits all.
Target: the cluster in at most 0.65 of the serial time.

Per-run overhead of the store and the executor: sweeps of runs that compute almost nothing
(the demo with 1 step on 16 points and 16 features, about 3 ms), one of 1 run and one of 65 runs,
each into a fresh store, on each executor; the per-run overhead is (T65 - T1) / 64 and the fixed
cost of a sweep (opening the executor: a pool's start-up) is T1. Also the time per run of
reusing them (a rerun: only store look-ups). Target: under 0.1 s per run.

The load of the machine (1-minute load average) is recorded before and after, with two numbers
that separate the engine from the load: the fraction of the wall time its workers spent inside
runs (1 = never idle), and the CPU share the runs got (CPU seconds / wall seconds of each run:
1 on an idle machine, less when other jobs share the cores). Results in
benchmarks/results/sweep.json. Run:

    .venv/bin/python benchmarks/bench_sweep.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from specbias.verify.sweep.executors import default_workers
from specbias.verify.sweep.runner import run_sweep

GRID = {"freq": "1,2,3,4", "seed": "0:4"}
TRIVIAL = {"steps": "1", "n": "16", "width": "16"}
MANY = 65
WORKERS = 2
RESULTS = Path(__file__).parent / "results" / "sweep.json"


def _sweep(grid: dict, executor: str, store: Path) -> dict:
    start = time.perf_counter()
    sweep = run_sweep("demo", grid, store=store, executor=executor, workers=WORKERS,
                      progress=False)
    wall = time.perf_counter() - start
    assert sweep.counts["failed"] == 0, [r.error for r in sweep.runs if r.error]
    computed = [r for r in sweep.runs if r.status == "computed"]
    return {"wall_s": round(wall, 3),
            "run_seconds_sum": round(sum(r.seconds for r in computed), 3),
            "run_cpu_seconds_sum": round(sum(r.cpu_seconds for r in computed), 3),
            "computed": len(computed), "reused": sweep.counts["reused"]}


def _cluster():
    import dask
    from distributed import LocalCluster

    start = time.perf_counter()
    with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}):
        cluster = LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=":0")
    return cluster, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    cluster, startup = _cluster()
    dask_exec = cluster.scheduler_address.replace("tcp://", "dask://")
    executors = {"serial": "serial", "local": "local", "dask": dask_exec}
    rounds: dict[str, list] = {k: [] for k in executors}
    overhead: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        # warm-up: imports in this process and in the cluster's workers
        run_sweep("demo", {"steps": "10"}, store=Path(tmp) / "warm", executor=dask_exec,
                  progress=False)
        for r in range(args.rounds):
            for name, spec in executors.items():
                rounds[name].append(_sweep(GRID, spec, Path(tmp) / f"{name}-{r}"))
                print(f"round {r + 1} {name:>6}: {rounds[name][-1]['wall_s']:.2f} s", flush=True)
        for name, spec in executors.items():
            one = _sweep(dict(TRIVIAL, seed="0"), spec, Path(tmp) / f"one-{name}")
            store = Path(tmp) / f"many-{name}"
            many = _sweep(dict(TRIVIAL, seed=f"0:{MANY}"), spec, store)
            again = _sweep(dict(TRIVIAL, seed=f"0:{MANY}"), spec, store)
            overhead[name] = {"sweep_of_1_s": one["wall_s"], f"sweep_of_{MANY}_s": many["wall_s"],
                              "per_run_s": round((many["wall_s"] - one["wall_s"]) / (MANY - 1), 4),
                              "reuse_per_run_s": round(again["wall_s"] / again["reused"], 5)}
    cluster.close()
    median = {k: statistics.median(x["wall_s"] for x in v) for k, v in rounds.items()}
    ratio = {k: round(median[k] / median["serial"], 3) for k in ("local", "dask")}
    # the engine's share of the wall time that its workers spent inside runs (1 = never idle),
    # and the CPU share the runs got (1 = a core each; less when other jobs share the cores)
    busy = {k: round(statistics.median(x["run_seconds_sum"] / (x["wall_s"] * WORKERS)
                                       for x in rounds[k]), 3) for k in ("local", "dask")}
    cpu_share = {k: round(statistics.median(x["run_cpu_seconds_sum"] / x["run_seconds_sum"]
                                            for x in v), 3) for k, v in rounds.items()}
    out = {
        "benchmark": "16-run demo quick sweep (freq 1..4 x seed 0..3) and per-run overhead",
        "baseline": "serial executor in this process",
        "cores": default_workers(), "workers": WORKERS, "rounds": args.rounds,
        "load_average_1min": {"before": round(load_before, 2),
                              "after": round(os.getloadavg()[0], 2)},
        "cluster_startup_s": round(startup, 2),
        "sweep_wall_s": rounds, "median_wall_s": median, "ratio_to_serial": ratio,
        "workers_busy_fraction": busy, "cpu_share_of_runs": cpu_share,
        "target_ratio": 0.65, "ratio_target_met": ratio["dask"] <= 0.65,
        "overhead": overhead, "target_overhead_s": 0.1,
        "overhead_target_met": all(o["per_run_s"] < 0.1 for o in overhead.values()),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(f"median wall: serial {median['serial']:.2f} s, local {median['local']:.2f} s "
          f"({ratio['local']:.2f} x), dask {median['dask']:.2f} s ({ratio['dask']:.2f} x; "
          f"target <= 0.65); cluster start-up {startup:.1f} s")
    print(f"workers busy: local {busy['local']:.2f}, dask {busy['dask']:.2f} of the wall time; "
          f"CPU share of the runs: " + ", ".join(f"{k} {v:.2f}" for k, v in cpu_share.items()))
    for name, o in overhead.items():
        print(f"overhead {name:>6}: {o['per_run_s'] * 1e3:.1f} ms per run (target < 100 ms), "
              f"{o['sweep_of_1_s']:.2f} s per sweep, reuse {o['reuse_per_run_s'] * 1e3:.2f} ms per run")
    print(f"load average (1 min): {load_before:.2f} before, {out['load_average_1min']['after']:.2f} "
          f"after, on {out['cores']} cores; results in {RESULTS}")


if __name__ == "__main__":
    main()
