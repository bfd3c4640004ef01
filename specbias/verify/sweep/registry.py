"""The registry of experiments that ``specbias sweep`` can run.

An experiment is a module-level function from a resolved config (a dict of JSON scalars) to a
JSON-able result, with a ``quick`` and a ``full`` profile that name every config key and its
default (always including ``seed``). Modules register their experiments when imported; the
modules in :data:`EXPERIMENT_MODULES` are imported lazily, the first time the registry is read,
so that ``specbias --help`` and ``import specbias`` stay fast. Modules of your own are added
with the environment variable ``SPECBIAS_EXPERIMENTS`` (comma-separated module names, importable
by the workers too).

The design follows SymPy's ODE solver registry (one object per method, looked up by name, errors
that list the known names).
"""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from specbias.errors import InvalidArgument, require

#: Modules whose import registers experiments (imported lazily, in this order).
EXPERIMENT_MODULES: tuple[str, ...] = (
    "specbias.verify.sweep.demo", "specbias.verify.experiments.zhao_dynamics",
    "specbias.verify.experiments.rahaman", "specbias.verify.experiments.fprinciple",
    "specbias.verify.experiments.monte_carlo", "specbias.verify.experiments.sharpness",
    "specbias.verify.experiments.rashomon")

#: The profiles every experiment defines.
PROFILES: tuple[str, ...] = ("quick", "full")

#: Types a config value may have (a list or tuple holds scalars of one of them).
SCALAR_TYPES = (bool, int, float, str)

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_REGISTRY: dict[str, "Experiment"] = {}
_IMPORTED: set[str] = set()


@dataclass(frozen=True)
class Experiment:
    """One experiment: a seeded function from a resolved config to a JSON-able result.

    ``run`` must be a module-level function (workers import it by name). ``profiles`` maps
    ``"quick"`` and ``"full"`` to every config key with its default; the grid keys of a sweep
    are these keys. ``version`` is part of the store key: bump it when results change meaning.

    Optional fields:

    - ``keys``: one line of help per config key (shown by ``specbias sweep --list``).
    - ``summarize(runs, swept) -> {"columns": [...], "rows": [[...], ...]}``: the sweep's
      summary table, cells already formatted as text (numbers with the digits they carry).
      ``runs`` is a list of dicts ``{"key", "config", "result", "status", "seconds", "host"}``
      of the finished runs, ``swept`` the grid keys that took more than one value. Without it
      the engine gives the mean and standard error over seeds of each scalar result.
    - ``plot(runs, swept) -> list[dict]``: the sweep's figures as plot specifications
      (:func:`specbias.records.line_plot`, which evidence carries and reports draw; the CLI
      draws them to ``--plot DIR``). Without it the engine plots each scalar result against
      each swept numeric key (mean and standard error over the other runs).
    - ``depends``: further modules whose source is part of the code version (helpers that
      ``run`` calls and whose changes change its results).
    """

    name: str
    run: Callable[[dict], dict]
    profiles: Mapping[str, Mapping]
    summary: str
    version: str = "1"
    keys: Mapping[str, str] = field(default_factory=dict)
    summarize: Callable[..., dict] | None = None
    plot: Callable[..., list[dict]] | None = None
    depends: tuple[str, ...] = ()

    @property
    def grid_keys(self) -> tuple[str, ...]:
        """The config keys (those of the quick profile, which equal the full profile's)."""
        return tuple(self.profiles["quick"])

    @property
    def module(self) -> str:
        """The module that defines ``run`` (workers import it to find the function)."""
        return self.run.__module__


def _check_value(name: str, key: str, value: Any) -> None:
    items = value if isinstance(value, (list, tuple)) else (value,)
    require(all(isinstance(v, SCALAR_TYPES) for v in items),
            f"experiment {name!r}: default {key}={value!r} is not a bool, int, float, str "
            "or a list of them")


def _validate(exp: Experiment) -> None:
    """Check an experiment's declaration (done once, at registration)."""
    require(isinstance(exp.name, str) and bool(_NAME.match(exp.name)),
            f"experiment name {exp.name!r}: use lowercase letters, digits, '_' or '-', "
            "starting with a letter")
    qual = getattr(exp.run, "__qualname__", "")
    require(callable(exp.run) and "." not in qual and "<" not in qual,
            f"experiment {exp.name!r}: run={exp.run!r} must be a module-level function "
            "(workers import it by name)")
    require(set(exp.profiles) == set(PROFILES),
            f"experiment {exp.name!r}: profiles {sorted(exp.profiles)} must be exactly "
            f"{list(PROFILES)}")
    keys = set(exp.profiles["quick"])
    for prof in PROFILES:
        got = set(exp.profiles[prof])
        require(got == keys, f"experiment {exp.name!r}: profile {prof!r} has keys "
                f"{sorted(got)}, expected the same keys as 'quick' {sorted(keys)}")
        require("seed" in got, f"experiment {exp.name!r}: profile {prof!r} has no 'seed' key")
        for key, value in exp.profiles[prof].items():
            _check_value(exp.name, key, value)
    unknown = set(exp.keys) - keys
    require(not unknown, f"experiment {exp.name!r}: help given for unknown keys {sorted(unknown)}")


def register(exp: Experiment) -> Experiment:
    """Add ``exp`` to the registry and return it (re-registering the same function is a no-op)."""
    _validate(exp)
    old = _REGISTRY.get(exp.name)
    if old is not None and (old.run.__module__, old.run.__qualname__) != (
            exp.run.__module__, exp.run.__qualname__):
        raise InvalidArgument(f"experiment {exp.name!r} is already registered by "
                              f"{old.module}.{old.run.__qualname__}: choose another name")
    _REGISTRY[exp.name] = exp
    return exp


def _extra_modules() -> list[str]:
    """The modules named in ``$SPECBIAS_EXPERIMENTS`` (comma-separated)."""
    return [m.strip() for m in os.environ.get("SPECBIAS_EXPERIMENTS", "").split(",") if m.strip()]


def _import(module: str, own: bool) -> None:
    """Import one experiment module (once); a missing user module is named with its fix."""
    if module in _IMPORTED:
        return
    try:
        importlib.import_module(module)
    except ImportError as exc:
        if own:
            raise
        raise InvalidArgument(f"SPECBIAS_EXPERIMENTS names {module!r}, which cannot be "
                              f"imported ({exc}): fix the name or PYTHONPATH") from None
    _IMPORTED.add(module)


def _modules() -> list[tuple[str, bool]]:
    """``(module, is_specbias_own)``: the user's modules first, then :data:`EXPERIMENT_MODULES`."""
    return [(m, False) for m in _extra_modules()] + [(m, True) for m in EXPERIMENT_MODULES]


def experiments() -> dict[str, Experiment]:
    """Every registered experiment by name (sorted), after importing every experiment module."""
    for module, own in _modules():
        _import(module, own)
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Experiment:
    """The experiment called ``name``; InvalidArgument naming the known ones otherwise.

    The modules are imported in order only until one registers ``name``, so that looking up
    ``demo`` does not import torch for the others.
    """
    for module, own in _modules():
        if name in _REGISTRY:
            break
        _import(module, own)
    if name not in _REGISTRY:
        known = experiments()
        raise InvalidArgument(f"unknown experiment {name!r}: use one of {', '.join(known)} "
                              "(specbias sweep --list)")
    return _REGISTRY[name]


__all__ = ["EXPERIMENT_MODULES", "Experiment", "PROFILES", "experiments", "get", "register"]
