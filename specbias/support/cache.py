"""Content-addressed JSON cache for expensive references.

Key: sha256 of (parameters, precision, schema version) via :func:`specbias.records.fingerprint`
(the caller puts everything that determines the result in the payload). Values are stored as
JSON with high-precision numbers as strings. Writes are atomic: a temporary file in the same
directory, then ``os.replace``, so a reader never sees half a file. Directory:
``$SPECBIAS_CACHE`` or ``~/.cache/specbias``; ``SPECBIAS_CACHE=off`` disables the cache.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from specbias.records import fingerprint
from specbias.support.files import write_atomic


def cache_dir() -> Path | None:
    env = os.environ.get("SPECBIAS_CACHE")
    if env is not None and env.strip().lower() in ("off", "0", "none", ""):
        return None
    return Path(env) if env else Path.home() / ".cache" / "specbias"


def cache_path(kind: str, payload) -> Path | None:
    root = cache_dir()
    return None if root is None else root / kind / f"{fingerprint(payload)}.json"


def load(kind: str, payload):
    """The cached JSON for ``payload``, or None (missing, unreadable or for other params)."""
    path = cache_path(kind, payload)
    if path is None or not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data.get("result") if data.get("key") == json.loads(json.dumps(payload, default=str)) else None


def store(kind: str, payload, result) -> Path | None:
    """Write ``{"key": payload, "result": result}`` atomically; return the path."""
    path = cache_path(kind, payload)
    if path is None:
        return None
    try:
        write_atomic(path, json.dumps({"key": payload, "result": result}, default=str))
    except OSError:  # a read-only home is no reason to fail the computation
        return None
    return path


__all__ = ["cache_dir", "cache_path", "load", "store"]
