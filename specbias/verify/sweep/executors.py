"""Executors for sweeps: serial, a local process pool, or a dask.distributed cluster.

Every one is a :class:`concurrent.futures.Executor`:

- ``serial``: runs each run in this process when it is submitted (one at a time);
- ``local``: a :class:`~concurrent.futures.ProcessPoolExecutor` started with ``forkserver``
  (``spawn`` where there is no forkserver): a fork-started pool hangs once torch has run in the
  parent; each worker is limited to one BLAS/OpenMP/torch thread (so N workers use N cores);
- ``dask://HOST:PORT``: ``Client(tcp://HOST:PORT, timeout=...).get_executor(pure=False)`` on a
  running scheduler (``dask scheduler``; workers ``dask worker tcp://HOST:PORT``). The client
  gives up after the connect timeout with an InvalidArgument that names the address.

:func:`open_executor` is a context manager; :data:`infrastructure_errors` names the exceptions
that mean "the worker was lost", after which the runner retries the run (as opposed to an
exception raised by the experiment, which is reported).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import socket
import threading
import time
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from specbias.errors import InvalidArgument, require

#: The executor kinds ``--executor`` accepts (a dask address is ``dask://HOST:PORT``).
EXECUTOR_KINDS = ("serial", "local", "dask")
_ADDRESS = re.compile(r"^(?:dask|tcp)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$")
#: Seconds the dask client waits for the scheduler before giving up.
CONNECT_TIMEOUT = 10.0
#: Environment variables that cap a worker's native thread pools.
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


@dataclass(frozen=True)
class ExecutorSpec:
    """Which executor to open: ``kind`` in :data:`EXECUTOR_KINDS`, the dask ``address``, ``workers``."""

    kind: str
    address: str | None = None
    workers: int | None = None

    @property
    def label(self) -> str:
        if self.kind == "dask":
            return f"dask {self.address}"
        return f"local ({self.workers} workers)" if self.kind == "local" else "serial"


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def parse_executor(text: str, workers: int | None = None) -> ExecutorSpec:
    """``serial``, ``local`` or ``dask://HOST:PORT`` as an :class:`ExecutorSpec`."""
    require(workers is None or (isinstance(workers, int) and workers >= 1),
            f"workers={workers!r}: use a positive number of workers")
    text = str(text).strip()
    if text in ("serial", "local"):
        return ExecutorSpec(text, None, (workers or default_workers()) if text == "local" else 1)
    match = _ADDRESS.match(text)
    if match is None or not 1 <= int(match.group(2)) <= 65535:
        raise InvalidArgument(f"executor {text!r} is not serial, local or dask://HOST:PORT "
                              "(e.g. dask://127.0.0.1:8786, the address `dask scheduler` prints)")
    return ExecutorSpec("dask", f"tcp://{match.group(1)}:{match.group(2)}", workers)


class SerialExecutor(Executor):
    """Runs each call in this process at ``submit`` time and returns a finished future."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # the experiment's error, reported by the runner
            future.set_exception(exc)
        return future


def limit_threads(threads: int = 1) -> None:
    """Cap this process's native thread pools and torch's intra-op threads at ``threads``.

    The environment variables cover libraries loaded later (torch reads OMP_NUM_THREADS when
    imported); threadpoolctl and ``torch.set_num_threads`` those already loaded.
    """
    import sys

    from threadpoolctl import threadpool_limits

    for var in THREAD_VARS:
        os.environ[var] = str(threads)
    threadpool_limits(threads)
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def _start_method() -> str:
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _local_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context(_start_method()),
                               initializer=_init_worker, initargs=(1, os.getpid()))


def _init_worker(threads: int, driver: int) -> None:
    """A pool worker's start: cap its threads, and exit when the sweep's process is gone.

    A process pool's workers outlive a driver killed with SIGKILL (they wait for work that
    never comes, and keep the forkserver alive); a daemon thread checks every half second.
    """
    limit_threads(threads)
    threading.Thread(target=_exit_without, args=(driver,), daemon=True,
                     name="specbias-sweep-watchdog").start()


def _exit_without(driver: int, every: float = 0.5) -> None:
    while _running(driver):
        time.sleep(every)
    os._exit(1)


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (killed, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process: it exists
        return True
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:  # no /proc (not Linux): the signal test above is all there is
        return True


def terminate(executor: Executor) -> None:
    """Stop ``executor`` now: cancel what has not started; kill a local pool's workers."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    if isinstance(executor, ProcessPoolExecutor):
        executor.shutdown(wait=False, cancel_futures=True)
    else:
        executor.shutdown(wait=False)
    for proc in processes:  # ProcessPoolExecutor would let running calls finish first
        if proc.is_alive():
            proc.kill()


def _dask_client(address: str, timeout: float):
    """A client of the scheduler at ``address`` that has at least one worker.

    Both waits (for the scheduler, then for a worker) are bounded by ``timeout`` seconds, so
    that a wrong address or an empty cluster is an error, never a hang.
    """
    from distributed import Client

    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise InvalidArgument(
            f"cannot reach the dask scheduler at {address} within {timeout:g} s "
            f"({type(exc).__name__}): start one with `dask scheduler` and "
            f"`dask worker {address}`, or check the address") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError):
        client.close()
        raise InvalidArgument(f"the dask scheduler at {address} has no workers after "
                              f"{timeout:g} s: start some with `dask worker {address}`") from None
    return client


def _shutdown(executor: Executor, failed: bool) -> None:
    """Wait for the executor's calls, or, when ``failed`` (an exception, Ctrl-C), stop it now."""
    if failed:
        terminate(executor)
    else:
        executor.shutdown(wait=True)


@contextmanager
def open_executor(spec: ExecutorSpec, connect_timeout: float = CONNECT_TIMEOUT
                  ) -> Iterator[Executor]:
    """The executor ``spec`` names; on exit it is shut down (stopped at once after an error)."""
    require(connect_timeout > 0, f"connect timeout {connect_timeout!r}: use a positive number of seconds")
    if spec.kind == "serial":
        yield SerialExecutor()
        return
    client = _dask_client(spec.address, connect_timeout) if spec.kind == "dask" else None
    executor = (client.get_executor(pure=False) if client is not None
                else _local_pool(spec.workers or default_workers()))
    failed = True
    try:
        yield executor
        failed = False
    finally:
        _shutdown(executor, failed)
        if client is not None:
            client.close()


def infrastructure_errors(dask: bool) -> tuple[type[BaseException], ...]:
    """Exceptions that mean a worker (not the experiment) failed: the run is retried.

    ``dask``: include distributed's (imported only then: it takes a second to import).
    """
    errors: list[type[BaseException]] = [BrokenProcessPool, CancelledError]
    if dask:
        from distributed import KilledWorker
        from distributed.comm.core import CommClosedError

        errors += [KilledWorker, CommClosedError]
    return tuple(errors)


def execute(run: Callable[[dict], Any], config: dict, threads: int | None
            ) -> tuple[Any, float, float, str]:
    """Run one config in a worker: ``(result, seconds, cpu_seconds, host)``.

    ``cpu_seconds`` is the process CPU time the run used (all its threads): on a loaded machine
    it stays near what the run costs alone, while ``seconds`` (wall time) grows.

    ``threads``: cap the worker's thread pools first (None in the serial executor, which
    runs in the caller's process and leaves its threads alone).
    """
    if threads:
        limit_threads(threads)
    start, cpu = time.perf_counter(), time.process_time()
    result = run(dict(config))
    return (result, time.perf_counter() - start, time.process_time() - cpu,
            socket.gethostname())


__all__ = ["CONNECT_TIMEOUT", "EXECUTOR_KINDS", "ExecutorSpec", "SerialExecutor", "default_workers",
           "execute", "infrastructure_errors", "limit_threads", "open_executor", "parse_executor", "terminate"]
