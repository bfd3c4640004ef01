"""Run a product grid of an experiment on an executor, keeping every result in the store.

:func:`run_sweep` resolves the grid, looks every config up in the :class:`~.store.Store`
(finished runs are ``reused``), submits the others to the executor and stores each result the
moment it arrives (``computed``), so that an interruption (Ctrl-C, a killed process) loses at
most the runs in flight, and a rerun of the same sweep resumes where it stopped. A run whose
worker was lost (a killed process, a dask worker that died) is retried on a fresh pool, up to
``retries`` more rounds; a run whose experiment raised is reported ``failed`` with the error
and is not stored (a rerun tries it again).
"""

from __future__ import annotations

import sys
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Mapping

from specbias.errors import require
from specbias.verify.sweep.config import resolve, swept_keys
from specbias.verify.sweep.executors import (CONNECT_TIMEOUT, ExecutorSpec, execute,
                                             infrastructure_errors, open_executor, parse_executor)
from specbias.verify.sweep.registry import Experiment, get
from specbias.verify.sweep.store import Store

#: A run's status: found in the store, computed now, raised an error, or not run (interrupted).
RUN_STATUSES = ("reused", "computed", "failed", "pending")


@dataclass
class Run:
    """One config of a sweep and what became of it."""

    key: str
    config: dict
    status: str = "pending"
    result: Any = None
    seconds: float | None = None
    cpu_seconds: float | None = None
    host: str = ""
    error: str | None = None

    def to_json(self) -> dict:
        out = {"key": self.key, "status": self.status, "config": self.config,
               "seconds": self.seconds, "cpu_seconds": self.cpu_seconds, "host": self.host,
               "result": self.result}
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass
class SweepResult:
    """The runs of one sweep, in grid order, with where and how they ran."""

    experiment: str
    profile: str
    executor: str
    store: str
    swept: list[str]
    runs: list[Run]
    seconds: float = 0.0
    retries_used: int = 0
    extras: dict = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(r.status == s for r in self.runs) for s in RUN_STATUSES}

    @property
    def finished(self) -> list[Run]:
        return [r for r in self.runs if r.status in ("reused", "computed")]

    def to_json(self) -> dict:
        return {"experiment": self.experiment, "profile": self.profile,
                "executor": self.executor, "store": self.store, "swept": self.swept,
                "counts": self.counts, "seconds": round(self.seconds, 3),
                "retries_used": self.retries_used, "runs": [r.to_json() for r in self.runs],
                **self.extras}


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep; ``sweep`` holds the runs stored so far (the rest ``pending``)."""

    def __init__(self, sweep: SweepResult):
        super().__init__(f"interrupted: {len(sweep.finished)} of {len(sweep.runs)} runs are in "
                         f"{sweep.store}; rerun the same sweep to resume")
        self.sweep = sweep


def _progress_bar(total: int, initial: int, desc: str, enabled: bool | None):
    from tqdm import tqdm

    enabled = sys.stderr.isatty() if enabled is None else enabled
    return tqdm(total=total, initial=initial, desc=desc, unit="run", disable=not enabled,
                leave=False, file=sys.stderr)


def _fill(run: Run, record: dict) -> None:
    """Copy a stored record's result, times and host into ``run``."""
    run.result, run.seconds = record["result"], record.get("seconds")
    run.cpu_seconds, run.host = record.get("cpu_seconds"), record.get("host", "")


class _Batch:
    """One round of submissions to one executor; collects results into ``runs``."""

    def __init__(self, exp: Experiment, store: Store, runs: list[Run], bar, dask: bool,
                 serial: bool):
        self.exp, self.store, self.runs, self.bar = exp, store, runs, bar
        self.lost_errors = infrastructure_errors(dask)
        self.threads = None if serial else 1
        self.capacity = 1 if serial else None  # serial: compute one, store it, then the next
        self.lost: list[int] = []
        self.last_loss = ""

    def _collect(self, future, i: int) -> None:
        run = self.runs[i]
        try:
            result, seconds, cpu_seconds, host = future.result()
        except self.lost_errors as exc:
            self.lost.append(i)
            self.last_loss = f"{type(exc).__name__}: {exc}"
            return
        except Exception as exc:  # the experiment raised: report it, store nothing
            run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"
            self.bar.update(1)
            return
        try:
            record = self.store.save(self.exp, run.key, run.config, result, seconds, host,
                                     cpu_seconds)
        except TypeError as exc:
            run.status, run.error = "failed", f"result is not JSON-able ({exc})"
        else:
            run.status = "computed"
            _fill(run, record)
        self.bar.update(1)

    def _submit(self, executor: Executor, i: int, inflight: dict) -> None:
        try:
            future = executor.submit(execute, self.exp.run, self.runs[i].config, self.threads)
        except self.lost_errors + (RuntimeError,) as exc:  # a broken or closed pool
            self.lost.append(i)
            self.last_loss = f"{type(exc).__name__}: {exc}"
            return
        inflight[future] = i

    def run(self, executor: Executor, todo: list[int]) -> None:
        """Submit ``todo`` (at most ``capacity`` at a time) and collect every result."""
        queue, inflight = deque(todo), {}
        try:
            while queue or inflight:
                while queue and (self.capacity is None or len(inflight) < self.capacity):
                    self._submit(executor, queue.popleft(), inflight)
                if not inflight:
                    continue
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for future in done:
                    self._collect(future, inflight.pop(future))
        except BaseException:
            for future, i in inflight.items():  # keep what finished before the interruption
                if future.done() and not future.cancelled():
                    self._collect(future, i)
            raise


@contextmanager
def _executor(executor: ExecutorSpec | Executor, connect_timeout: float):
    if isinstance(executor, Executor):
        with nullcontext(executor) as ex:  # the caller's executor: the caller shuts it down
            yield ex
    else:
        with open_executor(executor, connect_timeout) as ex:
            yield ex


def _spec(executor: str | ExecutorSpec | Executor, workers: int | None):
    if isinstance(executor, (ExecutorSpec, Executor)):
        return executor
    require(isinstance(executor, str), f"executor {executor!r}: use 'serial', 'local', "
            "'dask://HOST:PORT', an ExecutorSpec or a concurrent.futures.Executor")
    return parse_executor(executor, workers)


def _label(executor) -> str:
    return executor.label if isinstance(executor, ExecutorSpec) else type(executor).__name__


def _is_dask(executor) -> bool:
    if isinstance(executor, ExecutorSpec):
        return executor.kind == "dask"
    return type(executor).__module__.startswith("distributed")


def run_sweep(experiment: str | Experiment, grid: Mapping[str, Any] | None = None,
              profile: str = "quick", *, store: Store | str | None = None,
              executor: str | ExecutorSpec | Executor = "local", workers: int | None = None,
              retries: int = 2, connect_timeout: float = CONNECT_TIMEOUT,
              progress: bool | None = None) -> SweepResult:
    """Run the product ``grid`` of ``experiment`` at ``profile``; reuse and store every result.

    ``grid`` maps config keys to text (``"0,1,2"``), a value or a list of values (see
    :func:`~specbias.verify.sweep.config.resolve`). ``executor`` is ``"serial"``, ``"local"``
    (a process pool of ``workers``, default: the cores), ``"dask://HOST:PORT"``, or any
    :class:`concurrent.futures.Executor` (left open). ``retries``: rounds of resubmission of
    runs whose worker was lost. ``progress``: a tqdm bar counting runs (default: when stderr
    is a terminal). Ctrl-C raises :class:`SweepInterrupted` after storing what had finished.
    """
    exp = get(experiment) if isinstance(experiment, str) else experiment
    require(isinstance(retries, int) and retries >= 0, f"retries={retries!r}: use 0 or more")
    configs = resolve(exp, profile, grid)
    store = store if isinstance(store, Store) else Store(store)
    spec = _spec(executor, workers)
    start = time.perf_counter()
    runs = [Run(store.key(exp, cfg), cfg) for cfg in configs]
    for run in runs:
        record = store.load(exp, run.key)
        if record is not None:
            run.status = "reused"
            _fill(run, record)
    sweep = SweepResult(exp.name, profile, _label(spec), str(store.root), swept_keys(configs), runs)
    todo = [i for i, r in enumerate(runs) if r.status == "pending"]
    with _progress_bar(len(runs), len(runs) - len(todo), exp.name, progress) as bar:
        try:
            sweep.retries_used = _compute(exp, store, runs, todo, spec, bar, retries,
                                          connect_timeout)
        except KeyboardInterrupt:
            sweep.seconds = time.perf_counter() - start
            raise SweepInterrupted(sweep) from None
    sweep.seconds = time.perf_counter() - start
    return sweep


def _compute(exp: Experiment, store: Store, runs: list[Run], todo: list[int], spec, bar,
             retries: int, connect_timeout: float) -> int:
    """Run ``todo`` on fresh executors until none is lost or ``retries`` rounds are spent."""
    serial = isinstance(spec, ExecutorSpec) and spec.kind == "serial"
    for attempt in range(retries + 1):
        if not todo:
            return max(attempt - 1, 0)
        batch = _Batch(exp, store, runs, bar, _is_dask(spec), serial)
        with _executor(spec, connect_timeout) as ex:
            batch.run(ex, todo)
        todo = batch.lost
    for i in todo:
        runs[i].status = "failed"
        runs[i].error = f"the worker was lost in each of {retries + 1} attempts ({batch.last_loss})"
        bar.update(1)
    return retries


__all__ = ["RUN_STATUSES", "Run", "SweepInterrupted", "SweepResult", "run_sweep"]
