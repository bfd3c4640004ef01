"""Benchmark: start-up of the command line against a bare ``import numpy``, in one run.

Baseline: ``python -c "import numpy"`` (the target of issue 10: ``specbias --help`` and
argument errors within three times the baseline). Each case is a fresh interpreter; the cases
run interleaved, ``--rounds`` times, and the median of each is compared with the baseline's
median from the same rounds, so the load of a shared machine affects both alike. Writes
``benchmarks/results/startup.json``. Run:

    .venv/bin/python benchmarks/bench_startup.py [--rounds 15]

Exit status 1 when a case's median ratio exceeds the target (3.0).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 3.0
BASELINE = ("import numpy", [sys.executable, "-c", "import numpy"])
#: (name, argv after ``python -m specbias``, expected exit status)
CASES = [
    ("specbias --help", ["--help"], 0),
    ("specbias --version", ["--version"], 0),
    ("derive gram --help", ["derive", "gram", "--help"], 0),
    ("error: --power 9", ["derive", "gram", "--power", "9"], 2),
    ("error: --width 8 (one width)", ["verify", "ntk", "--width", "8"], 2),
    ("error: --n 100000", ["spectrum", "gram", "--power", "1", "--n", "100000"], 2),
    ("error: --plot x.txt", ["cutoffs", "gram", "--plot", "x.txt"], 2),
    ("error: --out ''", ["audit", "--out", ""], 2),
    ("error: --json, bad --dps", ["eigen", "gram", "--power", "1", "--dps", "1", "--json"], 2),
]


def run_once(argv: list[str], expect: int | None, env: dict) -> float:
    t = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, env=env)
    elapsed = time.perf_counter() - t
    if expect is not None and proc.returncode != expect:
        raise SystemExit(f"{argv}: exit {proc.returncode}, expected {expect}\n"
                         f"{proc.stderr.decode()[-500:]}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "startup.json"))
    args = ap.parse_args()
    env = dict(os.environ, SYMPY_GROUND_TYPES="python", MPLBACKEND="Agg")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1]) + os.pathsep + env.get(
        "PYTHONPATH", "")
    runs = [(BASELINE[0], BASELINE[1], None)] + [
        (name, [sys.executable, "-m", "specbias", *argv], code) for name, argv, code in CASES]
    times: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    for name, argv, code in runs:  # warm the file cache once
        run_once(argv, code, env)
    for _ in range(args.rounds):
        for name, argv, code in runs:
            times[name].append(run_once(argv, code, env))
    base = statistics.median(times[BASELINE[0]])
    rows, worst = [], 0.0
    print(f"{'case':34} {'median s':>9} {'min s':>7} {'ratio':>6}  (baseline: {BASELINE[0]})")
    for name, _, _ in runs:
        med = statistics.median(times[name])
        ratio = med / base
        if name != BASELINE[0]:
            worst = max(worst, ratio)
        rows.append({"case": name, "median_s": med, "min_s": min(times[name]),
                     "max_s": max(times[name]), "ratio_to_baseline": ratio})
        print(f"{name:34} {med:9.3f} {min(times[name]):7.3f} {ratio:6.2f}")
    print(f"worst ratio {worst:.2f} (target <= {TARGET})")
    out = {"baseline": BASELINE[0], "rounds": args.rounds, "target_ratio": TARGET,
           "worst_ratio": worst, "load_average": os.getloadavg(), "python": sys.version.split()[0],
           "cases": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
