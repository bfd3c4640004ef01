"""Config resolution: a profile's defaults, overridden by grid values, as a product grid.

A grid value given as text is coerced to the type of the profile default:

- ``int``: ``"3"``, ``"1e4"`` (integral values only); ``"A:B"`` is the range A, A+1, ..., B-1;
- ``float``: any finite number (``"3e-4"``);
- ``bool``: ``true/false``, ``yes/no``, ``on/off``, ``1/0`` (any case);
- ``str``: the text itself;
- a list default: each grid value is one list, its elements separated by ``/``
  (``--grid freqs=1/3/5,2/4``: two values), each coerced to the type of the default's elements.

Comma-separated values are the grid itself (``--grid seed=0,1,2``). A ``device`` key accepts
``cpu``, ``cuda``, ``cuda:N`` and ``auto``; ``auto`` is resolved here, in the process that builds
the grid, to ``cuda`` when ``torch.cuda.is_available()`` and ``cpu`` otherwise, so that the store
key names the device the run used (on a cluster whose workers have GPUs and whose client has
none, ask for ``device=cuda``).
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any, Mapping

from specbias.errors import InvalidArgument, require
from specbias.verify.sweep.registry import PROFILES, Experiment

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
_DEVICE = re.compile(r"^(cpu|cuda|cuda:\d+|auto)$")
#: Separator of a list's elements inside one grid value.
LIST_SEPARATOR = "/"


def _coerce_int(key: str, value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidArgument(f"{key}={value!r} is not an integer: use e.g. {key}=3")
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{key}={value!r} is not an integer: use e.g. {key}=3") from None
    require(math.isfinite(number) and number == int(number),
            f"{key}={value!r} is not an integer: use e.g. {key}=3")
    return int(number)


def _coerce_float(key: str, value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidArgument(f"{key}={value!r} is not a number: use e.g. {key}=0.5")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{key}={value!r} is not a number: use e.g. {key}=0.5") from None
    require(math.isfinite(number), f"{key}={value!r} is not a finite number")
    return number


def _coerce_bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise InvalidArgument(f"{key}={value!r} is not a boolean: use true or false")


def _coerce_str(key: str, value: Any) -> str:
    require(isinstance(value, str) and value.strip() != "",
            f"{key}={value!r}: give a non-empty text value")
    return value.strip()


_COERCE = {bool: _coerce_bool, int: _coerce_int, float: _coerce_float, str: _coerce_str}


def coerce(key: str, default: Any, value: Any) -> Any:
    """``value`` (text or a Python value) converted to the type of ``default``."""
    if isinstance(default, (list, tuple)):
        kind = type(default[0]) if default else str
        items = value.split(LIST_SEPARATOR) if isinstance(value, str) else value
        require(isinstance(items, (list, tuple)) and len(items) > 0,
                f"{key}={value!r}: give a list, its elements separated by '{LIST_SEPARATOR}'")
        return [_COERCE[kind](key, v.strip() if isinstance(v, str) else v) for v in items]
    out = _COERCE[type(default)](key, value.strip() if isinstance(value, str) else value)
    if key == "device":
        out = _device(out)
    return out


def _device(text: str) -> str:
    require(bool(_DEVICE.match(text)), f"device={text!r}: use cpu, cuda, cuda:N or auto")
    if text != "auto":
        return text
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _int_range(key: str, text: str) -> list[int] | None:
    """``"A:B"`` as the integers A..B-1, or None when ``text`` is not a range."""
    if ":" not in text:
        return None
    parts = text.split(":")
    require(len(parts) == 2, f"{key}={text!r}: a range is A:B (A, A+1, ..., B-1)")
    lo, hi = (_coerce_int(key, p.strip()) for p in parts)
    require(hi > lo, f"{key}={text!r}: a range A:B needs B > A")
    return list(range(lo, hi))


def grid_values(key: str, default: Any, spec: Any) -> list:
    """The values one grid key takes: ``spec`` is text (comma-separated) or a Python value/list."""
    if isinstance(spec, str):
        items = [t.strip() for t in spec.split(",")]
        require(spec.strip() != "" and all(items),
                f"{key}={spec!r}: give one or more values separated by commas, e.g. {key}=1,2")
        values: list = []
        for t in items:
            rng = _int_range(key, t) if type(default) is int else None
            values.extend(rng if rng is not None else [coerce(key, default, t)])
    elif isinstance(default, (list, tuple)):
        nested = isinstance(spec, (list, tuple)) and all(isinstance(v, (list, tuple)) for v in spec)
        values = [coerce(key, default, v) for v in (spec if nested else [spec])]
    else:
        seq = list(spec) if isinstance(spec, (list, tuple, range)) else [spec]
        require(len(seq) > 0, f"{key}: the grid is empty; give at least one value")
        values = [coerce(key, default, v) for v in seq]
    unique: list = []
    for v in values:
        if v not in unique:
            unique.append(v)
    return unique


def format_value(value: Any) -> str:
    """A config value as it is written on the command line (a list's elements joined by '/').

    >>> format_value([1, 3, 5]), format_value(3e-4), format_value(True)
    ('1/3/5', '0.0003', 'True')
    """
    if isinstance(value, (tuple, list)):
        return LIST_SEPARATOR.join(format_value(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _profile(exp: Experiment, profile: str) -> Mapping:
    require(profile in PROFILES, f"profile {profile!r} is unknown: use one of {', '.join(PROFILES)}")
    return exp.profiles[profile]


def resolve(exp: Experiment, profile: str = "quick", overrides: Mapping[str, Any] | None = None
            ) -> list[dict]:
    """The product grid: one fully resolved config per combination, in a fixed order.

    ``overrides`` maps grid keys to text (``"0,1,2"``), a value, or a list of values; the last
    key varies fastest. Every config holds every key of the profile, coerced to the default's
    type. Unknown keys, empty grids and values of the wrong type raise InvalidArgument.
    """
    base = _profile(exp, profile)
    overrides = dict(overrides or {})
    unknown = [k for k in overrides if k not in base]
    require(not unknown, f"experiment {exp.name!r} has no key {', '.join(map(repr, unknown))}: "
            f"its keys are {', '.join(base)}")
    axes = {k: grid_values(k, base[k], v) for k, v in overrides.items()}
    fixed = {k: coerce(k, v, v) if k == "device" else (list(v) if isinstance(v, tuple) else v)
             for k, v in base.items() if k not in axes}
    configs = []
    for combo in itertools.product(*axes.values()):
        cfg = dict(fixed, **dict(zip(axes, combo)))
        configs.append({k: cfg[k] for k in base})
    return configs


def resolve_one(exp: Experiment, profile: str = "quick", **overrides: Any) -> dict:
    """One resolved config (every override a single value)."""
    configs = resolve(exp, profile, overrides)
    require(len(configs) == 1, f"{overrides!r} gives {len(configs)} configs; give single values")
    return configs[0]


def swept_keys(configs: list[dict]) -> list[str]:
    """The keys that take more than one value across ``configs`` (in config order)."""
    if not configs:
        return []
    return [k for k in configs[0] if len({repr(c[k]) for c in configs}) > 1]


__all__ = ["LIST_SEPARATOR", "coerce", "format_value", "grid_values", "resolve", "resolve_one",
           "swept_keys"]
