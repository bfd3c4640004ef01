"""The content-addressed store of sweep results.

A run's key is the fingerprint (:func:`specbias.records.fingerprint`: sha256 of canonical JSON
plus the schema version) of

- the experiment's name and ``version``,
- its resolved config (every key, coerced to its type: the same run always has the same key),
- the *code version*: the specbias package version and the sha256 of the source files of the
  module that defines ``run`` and of the modules in ``Experiment.depends``.

So a change to the experiment's own code gives new keys (old results stay on disk, unused),
while a change elsewhere in specbias does not invalidate finished runs; bump
``Experiment.version`` (or list the helper in ``depends``) when such a change alters results.

Layout: ``ROOT/EXPERIMENT/KEY/config.json`` (experiment, version, code version, config) and
``ROOT/EXPERIMENT/KEY/result.json`` (the result, wall and CPU seconds, host, finish time). Both are written
atomically (a temporary file in the same folder, then ``os.replace``): a run is finished
exactly when its ``result.json`` exists and parses, and a killed process leaves no half-written
file. There is no fsync (it cost 8 ms per file here): a file that a power failure cuts short
does not parse, and its run is simply computed again.
The default root is ``$SPECBIAS_SWEEP_STORE`` or ``~/.cache/specbias/sweeps``.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.util
import json
import math
import os
import socket
import tempfile
from pathlib import Path
from typing import Any

from specbias import __version__
from specbias.errors import InvalidArgument
from specbias.records import fingerprint
from specbias.verify.sweep.registry import Experiment

_CODE_VERSIONS: dict[tuple, str] = {}


def default_root() -> Path:
    """``$SPECBIAS_SWEEP_STORE`` or ``~/.cache/specbias/sweeps``."""
    env = os.environ.get("SPECBIAS_SWEEP_STORE", "").strip()
    return Path(env).expanduser() if env else Path.home() / ".cache" / "specbias" / "sweeps"


def _module_source_hash(module: str) -> str:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not os.path.isfile(spec.origin):
        raise InvalidArgument(f"module {module!r} has no source file to version: "
                              "list only importable Python modules in Experiment.depends")
    return hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest()


def code_version(exp: Experiment) -> str:
    """``PACKAGE_VERSION+HASH``: HASH covers the sources of ``exp.module`` and ``exp.depends``."""
    modules = (exp.module, *exp.depends)
    if modules not in _CODE_VERSIONS:
        digest = hashlib.sha256("".join(_module_source_hash(m) for m in modules).encode())
        _CODE_VERSIONS[modules] = f"{__version__}+{digest.hexdigest()[:12]}"
    return _CODE_VERSIONS[modules]


def _plain(obj: Any) -> Any:
    """JSON form of NumPy scalars and arrays (``json.dumps`` default)."""
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON-able")


def to_json_text(obj: Any) -> str:
    """Canonical JSON of a result (NumPy values as plain numbers); TypeError if not JSON-able."""
    return json.dumps(obj, default=_plain, sort_keys=True, indent=1)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file, or all of the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def writable_folder(path: Path, what: str, option: str) -> Path:
    """Create ``path`` if needed and check that a file can be written in it (InvalidArgument
    naming the folder and ``option`` otherwise)."""
    if path.exists() and not path.is_dir():
        raise InvalidArgument(f"{what} {str(path)!r} is a file, not a folder: choose a folder "
                              f"with {option}")
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InvalidArgument(f"{what} {str(path)!r} cannot be written ({exc.strerror or exc}): "
                              f"choose another with {option}") from None
    return path


class Store:
    """A folder of finished runs, keyed by content (see the module docstring).

    Creating a Store checks that the folder can be written (InvalidArgument otherwise).
    """

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root).expanduser() if root is not None else default_root()
        self._check_writable()

    def _check_writable(self) -> None:
        writable_folder(self.root, "store folder", "--store DIR")

    def key(self, exp: Experiment, config: dict) -> str:
        """The run's content key (16 hex digits)."""
        return fingerprint({"experiment": exp.name, "version": exp.version,
                            "code": code_version(exp), "config": config})

    def folder(self, exp: Experiment, key: str) -> Path:
        return self.root / exp.name / key

    def load(self, exp: Experiment, key: str) -> dict | None:
        """The stored record ``{"key", "result", "seconds", "cpu_seconds", "host", "finished"}``,
        or None if the run has not finished."""
        path = self.folder(exp, key) / "result.json"
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return record if record.get("key") == key else None

    def save(self, exp: Experiment, key: str, config: dict, result: Any, seconds: float,
             host: str = "", cpu_seconds: float | None = None) -> dict:
        """Store one finished run (config first, then the result); return the stored record.

        The record is read back from its JSON text, so a computed result and the same result
        reused later are identical (lists for tuples, plain floats for NumPy scalars).
        """
        folder = self.folder(exp, key)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"experiment": exp.name, "version": exp.version, "code": code_version(exp),
                "key": key, "config": config}
        write_atomic(folder / "config.json", to_json_text(meta))
        record = {"key": key, "result": result, "seconds": round(seconds, 6),
                  "cpu_seconds": None if cpu_seconds is None else round(cpu_seconds, 6),
                  "host": host or socket.gethostname(),
                  "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(
                      timespec="seconds")}
        text = to_json_text(record)
        write_atomic(folder / "result.json", text)
        return json.loads(text)

    def finished(self, exp: Experiment) -> list[dict]:
        """Every finished run of ``exp`` at the current code version: ``{"key", "config", ...}``."""
        out, code = [], code_version(exp)
        for cfg_path in sorted((self.root / exp.name).glob("*/config.json")):
            try:
                meta = json.loads(cfg_path.read_text())
            except (OSError, ValueError):
                continue
            if meta.get("code") != code or meta.get("version") != exp.version:
                continue
            record = self.load(exp, cfg_path.parent.name)
            if record is not None:
                out.append(dict(record, config=meta["config"]))
        return out


def is_number(value: Any) -> bool:
    """True for a finite int or float that is not a bool (a plottable scalar result)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


__all__ = ["Store", "code_version", "default_root", "is_number", "to_json_text", "writable_folder",
           "write_atomic"]
