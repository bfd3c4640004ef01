"""Run specbias's property search (specbias.testing.search) against neural-tangents' analytic
NTK/NNGP kernels, which live in their own environment (``make bench-nt-env``: about 2.6 GB).

Usage: python benchmarks/check_neural_tangents.py [--nt-python PATH] [--examples N]

neural-tangents runs in a child process (benchmarks/nt_kernel_server.py, JAX with float64
enabled) that serves kernel matrices over a pipe; the search, the certified references and
the shrinking run here. Configurations: ReLU NTK and NNGP at depths 1 and 3 (σ_w² = 2, with
and without σ_b² = 0.1), erf and ReLU² at depth 2, in float64 and float32. Results:
benchmarks/results/nt_properties.json (counterexamples and the worst relative error per
decade of angle). Takes about 10 minutes on 2 cores with --examples 60.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from specbias.testing.search import search_kernel  # noqa: E402

CONFIGS = [
    dict(kernel="ntk", activation="relu", depth=1, weight_var=2.0, bias_var=0.0),
    dict(kernel="ntk", activation="relu", depth=3, weight_var=2.0, bias_var=0.0),
    dict(kernel="ntk", activation="relu", depth=3, weight_var=2.0, bias_var=0.1),
    dict(kernel="nngp", activation="relu", depth=3, weight_var=2.0, bias_var=0.0),
    dict(kernel="ntk", activation="erf", depth=2, weight_var=1.5, bias_var=0.2),
    dict(kernel="ntk", activation="relu2", depth=2, weight_var=1.0, bias_var=0.0),
]


class NTServer:
    """A neural-tangents child process; ``fn(cfg)`` is a kernel function FUNCTION(X, Y)."""

    def __init__(self, python: str):
        self.proc = subprocess.Popen([python, str(HERE / "nt_kernel_server.py")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.versions = json.loads(self.proc.stdout.readline())

    def fn(self, cfg: dict):
        def kernel(X, Y):
            X, Y = np.ascontiguousarray(X), np.ascontiguousarray(Y)
            head = {"config": {**cfg, "parametrization": "ntk"}, "n": X.shape[0],
                    "m": Y.shape[0], "d": X.shape[1], "dtype": X.dtype.str}
            self.proc.stdin.write((json.dumps(head) + "\n").encode())
            self.proc.stdin.write(X.tobytes() + Y.astype(X.dtype).tobytes())
            self.proc.stdin.flush()
            ans = json.loads(self.proc.stdout.readline())
            if not ans["ok"]:
                raise RuntimeError(ans["error"])
            raw = self.proc.stdout.read(8 * X.shape[0] * Y.shape[0])
            return np.frombuffer(raw, dtype="<f8").reshape(X.shape[0], Y.shape[0])
        return kernel

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nt-python", default=str(HERE / ".ntvenv/bin/python"))
    ap.add_argument("--examples", type=int, default=60)
    ap.add_argument("--out", default=str(HERE / "results/nt_properties.json"))
    args = ap.parse_args()
    if not Path(args.nt_python).exists():
        print(f"no neural-tangents environment at {args.nt_python}: run make bench-nt-env")
        return 2
    server = NTServer(args.nt_python)
    rows = []
    try:
        for cfg in CONFIGS:
            t = time.perf_counter()
            kw = {k: v for k, v in cfg.items()}
            res = search_kernel(server.fn(cfg), dtypes=("float64", "float32"),
                                examples=args.examples, seed=0, **kw)
            row = {**res.as_dict(), "seconds": round(time.perf_counter() - t, 1)}
            rows.append(row)
            print(f"{cfg}: {len(res.counterexamples)} counterexample(s); worst by dtype "
                  f"{row['worst_relative_error_by_dtype']}", flush=True)
            for c in res.counterexamples:
                print(f"  [{c.prop}, {c.dtype}] " + c.message.splitlines()[0][:120])
                print("   " + "\n   ".join(c.message.splitlines()[1:5]))
    finally:
        server.close()
    Path(args.out).write_text(json.dumps({"versions": server.versions, "examples": args.examples,
                                          "runs": rows}, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
