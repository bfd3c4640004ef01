"""Benchmark: what the audits of L1-L8 and P3 cost, and the closed-form GD step they train with.

* GD step       -- baseline: one full-batch GD step of an ASI LFP network with torch autograd and
                   torch.optim.SGD; measured: the same step with the closed-form gradients of
                   ``LFPNet.gd_step`` (tests check that both give the same trajectory); widths
                   512 and 4096 on 16 points, float64, CPU; best of 5 rounds of 200 steps each,
                   the two interleaved so that a change of load hits both; the ratio per round.
* audits        -- each audit's wall and CPU seconds (process time, all threads) in one process,
                   quick profile (what CI and ``specbias audit --quick`` run: target 3 minutes in
                   all on 2 cores), and with ``--full`` the full profile (the papers' sizes; CUDA
                   when present). The first audit of a process pays SymPy and numba start-up
                   costs that later ones share.

The 1-minute load average is recorded before and after (this machine's 2 cores are shared, so the
CPU seconds are the number to compare with the 3-minute target; the wall seconds show the load).
Results in benchmarks/results/lfp.json. Run:

    .venv/bin/python benchmarks/bench_lfp.py [--full] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

from specbias.claims import AuditContext, run_audit
from specbias.verify.lfp import AntiSymmetric, LFPNet
from specbias.verify.lfp_runs import uniform_points

RESULTS = Path(__file__).parent / "results" / "lfp.json"
CLAIMS = ("L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "P3")


def _steps(net, X, y, lr: float, steps: int, closed: bool) -> float:
    opt = None if closed else torch.optim.SGD(net.parameters(), lr=lr)
    start = time.perf_counter()
    for _ in range(steps):
        if closed:
            net.gd_step(X, y, lr)
        else:
            r = net(X) - y
            opt.zero_grad()
            (0.5 * (r ** 2).sum() / len(y)).backward()
            opt.step()
    return time.perf_counter() - start


def bench_step(width: int, rounds: int, steps: int = 200) -> dict:
    X = torch.tensor(uniform_points(16)[:, None])
    y = torch.sin(3 * X[:, 0])
    out = {"autograd_s": [], "closed_form_s": [], "ratio": []}
    for _ in range(rounds):
        times = {}
        for closed in (False, True):
            net = AntiSymmetric(LFPNet(1, width, 3.0, 3.0, 1.5, seed=0))
            times[closed] = _steps(net, X, y, 1e-6, steps, closed) / steps
        out["autograd_s"].append(times[False])
        out["closed_form_s"].append(times[True])
        out["ratio"].append(times[False] / times[True])
    out["best_autograd_s"], out["best_closed_form_s"] = min(out["autograd_s"]), min(out["closed_form_s"])
    return out


def bench_audits(quick: bool) -> dict:
    out = {}
    for cid in CLAIMS:
        wall, cpu = time.perf_counter(), time.process_time()
        v = run_audit(cid, AuditContext(quick=quick))
        out[cid] = {"status": v.status, "wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}
        print(f"{cid}: {v.status:<11} wall {out[cid]['wall_s']:7.1f} s  cpu {out[cid]['cpu_s']:7.1f} s", flush=True)
    out["total"] = {"wall_s": sum(o["wall_s"] for o in out.values()), "cpu_s": sum(o["cpu_s"] for o in out.values())}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="also time the full profile")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    result = {"load_before": os.getloadavg()[0], "cuda": torch.cuda.is_available(),
              "threads": torch.get_num_threads()}
    result["gd_step"] = {str(w): bench_step(w, args.rounds) for w in (512, 4096)}
    for w, r in result["gd_step"].items():
        print(f"GD step, width {w}: autograd {r['best_autograd_s'] * 1e3:.2f} ms, closed form "
              f"{r['best_closed_form_s'] * 1e3:.2f} ms, ratio per round {min(r['ratio']):.1f}-{max(r['ratio']):.1f}")
    print("quick profile:")
    result["quick"] = bench_audits(True)
    if args.full:
        print("full profile:")
        result["full"] = bench_audits(False)
    result["load_after"] = os.getloadavg()[0]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"quick total: wall {result['quick']['total']['wall_s']:.0f} s, cpu {result['quick']['total']['cpu_s']:.0f} s "
          f"(load {result['load_before']:.1f} -> {result['load_after']:.1f}); written to {RESULTS}")


if __name__ == "__main__":
    main()
