"""A test-only experiment, ``probe``, and helpers for the sweep tests.

``probe`` sleeps, can fail, can record its process id in a marker folder (so a test can kill
the worker that runs it), can raise KeyboardInterrupt once (a Ctrl-C in the serial executor),
and reports the threads its worker allows. Workers import this module by name
(``sweep_helpers``): its folder is on ``sys.path`` (pytest's rootdir insertion), which spawned
and forkserver workers inherit.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from specbias.verify.sweep.registry import Experiment, register

DEFAULTS = {"sleep": 0.0, "fail": -1, "marker": "none", "torch": False, "bad_result": False,
            "device": "cpu", "seed": 0}


def probe(config: dict) -> dict:
    """A normal draw of ``seed``, with the pid and thread limits of the process that ran it."""
    marker = Path(config["marker"]) if config["marker"] != "none" else None
    if marker is not None:
        stop = marker / f"interrupt-{config['seed']}"
        if stop.exists():  # a Ctrl-C, once
            stop.unlink()
            raise KeyboardInterrupt
        (marker / f"started-{config['seed']}-{os.getpid()}").touch()
    threads = device = None
    if config["torch"]:
        import torch

        threads = torch.get_num_threads()
        device = str(torch.ones(2, dtype=torch.float32, device=config["device"]).device)
    time.sleep(config["sleep"])
    if config["seed"] == config["fail"]:
        raise ValueError(f"probe fails for seed {config['seed']}")
    out = {"value": draw(config["seed"]), "pid": os.getpid(), "omp": os.environ.get("OMP_NUM_THREADS"),
           "torch_threads": threads, "device": device}
    if config["bad_result"]:
        out["bad"] = object()
    return out


PROBE = register(Experiment(name="probe", run=probe, profiles={"quick": DEFAULTS, "full": DEFAULTS},
                            summary="test-only: sleeps, fails or records its pid on request"))


def started(marker: Path) -> list[tuple[int, int]]:
    """``(seed, pid)`` of every run that has started, from the marker files."""
    out = []
    for path in marker.glob("started-*"):
        _, seed, pid = path.name.split("-")
        out.append((int(seed), int(pid)))
    return out


def wait_for(predicate, timeout: float = 60.0, every: float = 0.05):
    """Poll ``predicate`` until it returns something true; fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"waited {timeout} s for {predicate}")


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as dead)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in fh)
    except FileNotFoundError:
        return False


def draw(seed: int) -> float:
    """What ``probe`` returns as ``value`` for ``seed``, computed here."""
    return float(np.random.default_rng(seed).standard_normal())


@contextmanager
def killing_first_worker(marker: Path):
    """SIGKILL the process of the first run that starts (by its marker); yields ``[(seed, pid)]``."""
    killed: list[tuple[int, int]] = []

    def kill_first():
        seed, pid = wait_for(lambda: started(marker))[0]
        os.kill(pid, signal.SIGKILL)
        killed.append((seed, pid))

    killer = threading.Thread(target=kill_first)
    killer.start()
    try:
        yield killed
    finally:
        killer.join()
