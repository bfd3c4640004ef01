"""What every command module shares, and the conventions a new command follows.

Adding a command
----------------
A command module ``specbias/cli/NAME.py`` defines ``register(sub)`` and is listed in
``COMMAND_MODULES`` in ``specbias/cli/__init__.py``: that one line is the whole hook. A module
that adds a subcommand to a group that another module owns (``derive``, ``eigen``,
``spectrum``, ``cutoffs``, ``verify``) takes the group with :func:`group`, which creates it the
first time any module asks, so modules register in any order::

    from specbias.cli.common import command, group, json_option

    def register(sub):
        p = command(group(sub, "spectrum"), "circle", "eigenvalues of a kernel on S^1",
                    parents=[json_option()])
        p.add_argument(...)
        p.set_defaults(handler=_circle)

    def _circle(args) -> int:
        from specbias.derive.sphere.spectrum import circle_spectrum   # heavy: import here
        ...
        return emit(args, payload, text_lines)

Imports (start-up)
------------------
``specbias --help`` and every argument error must answer within three times a bare
``import numpy`` (``benchmarks/bench_startup.py``; ``tests/cli/test_startup.py`` checks that
building the parser imports none of SymPy, torch, numba, SciPy, matplotlib, mpmath or NumPy).
At module top a command module imports only the standard library, this module,
:mod:`specbias.errors`, :mod:`specbias.support.params` and the light ``options`` modules;
everything else is imported inside the handler.

Choices and bounds
------------------
An option with fixed choices uses ``choices=`` with the library's own tuple, kept in a light
module of its subpackage (no SymPy/torch/numba imports): ``specbias/derive/ntk/options.py``,
``specbias/derive/matrix/options.py``, ``specbias/verify/options.py``. The library imports the
tuple from there too, so the CLI and the library cannot drift. Every size argument has a
documented bound (in its help text and the README), checked at parse time by
:func:`int_in` (or another ``arg_type``), so a bad size costs no computation. Work that the
bound allows but that takes long says so up front on stderr (:func:`announce`).

Types
-----
``type=`` functions raise :class:`argparse.ArgumentTypeError` (argparse replaces a plain
``ValueError`` by its generic "invalid ... value"); wrap a library check with
:func:`arg_type` so that its message, which names the value and the fix, reaches the user.

Output
------
``--json`` (:func:`json_option`) means the same everywhere: the command's result as one JSON
document on stdout, instead of the text; nothing else goes to stdout (progress bars, estimates
and notes go to stderr). Handlers end with :func:`emit`. Output paths (``--out DIR``,
``--plot PATH``) are checked at parse time (:func:`output_dir`, :func:`output_file`): empty,
unwritable, a file where a folder is needed, an unknown suffix, all fail before any work.

Errors and exit status
----------------------
``0`` success; ``1`` the work ran but an outside step failed (latexmk, an unwritable disk
found late); ``2`` bad input: :class:`~specbias.errors.InvalidArgument` or an argparse error,
printed as one line ``specbias: error: ...`` on stderr that names the value and the fix; under
``--json`` the same error also goes to stdout as ``{"error": "...", "exit_status": 2}``;
``130`` interrupted (Ctrl-C); ``141`` stdout closed by its reader (``| head``), silently, like
any Unix filter killed by SIGPIPE.

Progress
--------
:func:`progress_bar` is a tqdm bar on stderr, off when stderr is not a terminal; it counts in
whole units and never passes its total, whatever fractions the library reports.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from specbias.errors import InvalidArgument

#: Text formats of a derivation; ``--json`` gives the JSON.
TEXT_FORMATS = ("markdown", "latex")
#: Help of the command groups that several modules add subcommands to.
GROUP_HELP = {
    "derive": "derive a kernel or an eigenproblem symbolically, with the steps SymPy took",
    "eigen": "high-precision eigenvalues of a continuous operator",
    "spectrum": "all eigenvalues of a finite matrix, certified",
    "cutoffs": "precision cutoffs: the theory table, or measured on a matrix",
    "verify": "check a derived kernel against real PyTorch networks",
}
#: Work estimated to take longer than this (seconds) is announced on stderr first.
ANNOUNCE_ABOVE_S = 10.0


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line, like InvalidArgument, and
    accepts ``--opt -1,1`` (a value that starts with ``-``; see :func:`join_dash_values`)."""

    def error(self, message: str):  # noqa: D401 - argparse API
        raise InvalidArgument(f"{self.prog}: {message} (see --help)")


def command(sub, name: str, help: str, parents=()) -> Parser:
    """``sub.add_parser`` with the project's parser class and the help as description."""
    return sub.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".",
                          parents=list(parents))


def group(sub, name: str, help: str | None = None):
    """The subcommand set of the command group ``name`` (``specbias NAME WHAT``), created on
    first use; returns what ``add_parser`` is called on. Without a WHAT, the group prints its
    help and exits 2."""
    groups = sub.__dict__.setdefault("_specbias_groups", {})
    if name not in groups:
        text = help or GROUP_HELP.get(name)
        if text is None:
            raise KeyError(f"group {name!r} has no help text: add it to GROUP_HELP")
        p = command(sub, name, text)
        which = p.add_subparsers(dest="what", metavar="WHAT", parser_class=Parser)
        p.set_defaults(handler=lambda args, p=p: _group_help(p))
        groups[name] = which
    return groups[name]


def _group_help(parser) -> int:
    parser.print_help(sys.stderr)
    return 2


# ------------------------------------------------------------------ argument types

def arg_type(check, parse=int, name: str | None = None):
    """An argparse ``type=`` from a library check: ``parse`` the text, then ``check`` it;
    either's InvalidArgument becomes the message argparse prints."""

    def convert(text: str):
        try:
            return check(parse(text))
        except InvalidArgument as exc:
            message = str(exc)
            if text not in message and repr(text) not in message:  # name what was typed
                message = f"{text!r}: {message}"
            raise argparse.ArgumentTypeError(message) from None

    convert.__name__ = name or getattr(check, "__name__", "value")
    return convert


def parse_int(text: str) -> int:
    """An integer literal; the message names the text and the fix."""
    try:
        return int(text.strip())
    except (ValueError, AttributeError):
        raise InvalidArgument(f"{text!r} is not an integer: give a whole number such as 3") from None


def parse_float(text: str) -> float:
    """A finite number; NaN and infinities are refused with their own message."""
    try:
        value = float(text.strip())
    except (ValueError, AttributeError):
        raise InvalidArgument(f"{text!r} is not a number: give e.g. 0.5 or 1e-3") from None
    if not math.isfinite(value):
        raise InvalidArgument(f"{text!r} is not a finite number: give e.g. 0.5 or 1e-3")
    return value


int_arg = arg_type(lambda v: v, parse_int, "integer")
float_arg = arg_type(lambda v: v, parse_float, "number")


def int_in(lo: int, hi: int | None, what: str):
    """``type=`` for an integer in ``lo..hi`` (``hi`` None: no upper bound)."""

    def check(v: int) -> int:
        if v < lo or (hi is not None and v > hi):
            span = f"{lo}..{hi}" if hi is not None else f"at least {lo}"
            raise InvalidArgument(f"{what} {v} is out of range: use {span}")
        return v

    return arg_type(check, parse_int, what)


def float_in(lo: float, hi: float | None, what: str, lo_open: bool = False):
    """``type=`` for a finite number in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``)."""

    def check(v: float) -> float:
        if v < lo or (lo_open and v == lo) or (hi is not None and v > hi):
            left = "(" if lo_open else "["
            span = f"{left}{lo}, {hi}]" if hi is not None else (f"> {lo}" if lo_open else f">= {lo}")
            raise InvalidArgument(f"{what} {v!r} is out of range: use a number {span}")
        return v

    return arg_type(check, parse_float, what)


def int_list(lo: int, hi: int, what: str, distinct: bool = False, min_len: int = 1):
    """``type=`` for ``"64,256,1024"``: integers in ``lo..hi``, at least ``min_len`` of them,
    all different when ``distinct``."""

    def check(text: str) -> list[int]:
        parts = [t.strip() for t in text.split(",")]
        if not text.strip() or any(not t for t in parts):
            raise InvalidArgument(f"{what} {text!r} is not a comma-separated list of integers: "
                                  f"give e.g. {lo},{max(lo + 1, min(hi, 4 * lo))}")
        values = [parse_int(t) for t in parts]
        for v in values:
            if not lo <= v <= hi:
                raise InvalidArgument(f"{what} {v} in {text!r} is out of range: use {lo}..{hi}")
        if distinct and len(set(values)) != len(values):
            rep = next(v for v in values if values.count(v) > 1)
            raise InvalidArgument(f"{what} {text!r} repeats {rep}: give {min_len} or more "
                                  "different values")
        if len(values) < min_len:
            raise InvalidArgument(f"{what} {text!r} has {len(values)} value(s): give at least "
                                  f"{min_len}, e.g. {lo},{max(lo + 1, min(hi, 4 * lo))}")
        return values

    return arg_type(check, str, what)


def _nearest_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _check_writable_dir(path: Path, what: str, text: str) -> None:
    """Create the folder ``path`` (with its parents) and a scratch file in it, now, so that an
    unwritable output fails before the work (``os.access`` alone is fooled by root on /proc)."""
    import tempfile

    base = _nearest_existing(path)
    if not base.is_dir():
        raise InvalidArgument(f"{what} {text!r}: {str(base)!r} is a file, not a folder: give a "
                              "folder path")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise InvalidArgument(f"{what} {text!r} is not writable ({exc.strerror}): give a folder "
                              "you can write to") from None


def output_dir(text: str) -> Path:
    """``type=`` for an output folder: non-empty, not a file, writable (created later)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"folder {text!r} is empty: give a folder such as "
                                         "reports")
    path = Path(text)
    try:
        if path.exists() and not path.is_dir():
            raise InvalidArgument(f"{text!r} is a file, not a folder: give a folder path")
        _check_writable_dir(path, "folder", text)
    except InvalidArgument as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return path


def output_file(*suffixes: str):
    """``type=`` for an output file with one of ``suffixes`` (e.g. ``.png``, ``.pdf``) in a
    writable folder; the suffix is never changed silently."""

    def convert(text: str) -> Path:
        path = Path(text)
        try:
            if not text.strip() or not path.name:
                raise InvalidArgument(f"path {text!r} is empty: give a file name such as "
                                      f"plot{suffixes[0]}")
            if path.suffix.lower() not in suffixes:
                raise InvalidArgument(f"path {text!r} must end in {' or '.join(suffixes)} "
                                      f"(the format is taken from it): e.g. {path.stem or 'plot'}"
                                      f"{suffixes[0]}")
            if path.is_dir():
                raise InvalidArgument(f"path {text!r} is a folder: give a file name")
            if path.exists() and not os.access(path, os.W_OK):
                raise InvalidArgument(f"path {text!r} is not writable: give a file you can write")
            _check_writable_dir(path.parent, "folder of", text)
        except InvalidArgument as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return path

    convert.__name__ = "path"
    return convert


# ------------------------------------------------------------------ shared options (parents)

def _parent() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(add_help=False)


def json_option() -> argparse.ArgumentParser:
    """``--json``: the result as one JSON document on stdout (errors too, exit 2)."""
    p = _parent()
    p.add_argument("--json", action="store_true",
                   help="print the result as JSON on stdout (an error as {\"error\": ...})")
    return p


def format_option() -> argparse.ArgumentParser:
    """``--format markdown|latex`` and ``--json``, for commands that print a derivation."""
    p = json_option()
    p.add_argument("--format", choices=TEXT_FORMATS, default="markdown",
                   help="text format: markdown (default) or latex (--json overrides it)")
    return p


def power_option(required: bool = True, default: int = 1) -> argparse.ArgumentParser:
    """``--power P`` of the ReLU^P basis, 0..MAX_POWER."""
    from specbias.support.params import MAX_POWER, check_power

    p = _parent()
    p.add_argument("--power", type=arg_type(check_power, parse_int, "power"), required=required,
                   default=None if required else default, metavar="P",
                   help=f"P in sigma_P(t) = max(0, t)^P, 0..{MAX_POWER}"
                        + ("" if required else f" (default {default})"))
    return p


def interval_option() -> argparse.ArgumentParser:
    """``--interval A,B`` (exact rationals, checked by the library: A < B)."""
    p = _parent()
    p.add_argument("--interval", default="-1,1", metavar="A,B",
                   help="interval [A, B], A < B, decimals or fractions (default -1,1)")
    return p


def dps_option(maximum: int | None = None, default: int = 30) -> argparse.ArgumentParser:
    """``--dps D``: decimal digits, ``MIN_DPS..maximum`` (default MAX_DPS)."""
    from specbias.support.params import MAX_DPS, MIN_DPS

    hi = maximum or MAX_DPS
    p = _parent()
    p.add_argument("--dps", type=int_in(MIN_DPS, hi, "dps"), default=default, metavar="D",
                   help=f"decimal digits, {MIN_DPS}..{hi} (default {default})")
    return p


def seed_option(what: str = "the random draws") -> argparse.ArgumentParser:
    """``--seed S``: a non-negative seed."""
    p = _parent()
    p.add_argument("--seed", type=int_in(0, 2**63 - 1, "seed"), default=0,
                   help=f"seed of {what} (default 0)")
    return p


def knots_option(max_n: int, default_n: int | None = None) -> argparse.ArgumentParser:
    """``--n N`` (1..max_n; required without a default) and ``--knots RULE`` of a Gram matrix."""
    from specbias.derive.matrix.options import KNOT_RULES

    p = _parent()
    p.add_argument("--n", type=int_in(1, max_n, "number of knots N"), required=default_n is None,
                   default=default_n, metavar="N",
                   help=f"number of knots N (matrix size), 1..{max_n}"
                        + (f" (default {default_n})" if default_n else ""))
    p.add_argument("--knots", default="uniform", metavar="RULE",
                   help=f"{' | '.join(KNOT_RULES)} (default uniform)")
    return p


def torch_options() -> argparse.ArgumentParser:
    """``--device cpu|cuda|auto`` and ``--dtype float32|float64`` of torch computations."""
    from specbias.verify.options import DEVICES, TORCH_DTYPES

    p = _parent()
    p.add_argument("--device", choices=DEVICES, default="cpu",
                   help="cpu (default), cuda, or auto (CUDA when available)")
    p.add_argument("--dtype", choices=TORCH_DTYPES, default="float64",
                   help="torch dtype (default float64)")
    return p


def architecture_options(activations, max_depth: int, default_depth: int = 2):
    """The network of a kernel: ``--activation`` (from ``activations``), ``--depth L``
    (1..max_depth) and ``--parametrization``."""
    from specbias.derive.ntk.options import PARAMETRIZATIONS

    p = _parent()
    p.add_argument("--activation", choices=activations, default="relu", help="default relu")
    p.add_argument("--depth", type=int_in(1, max_depth, "depth"), default=default_depth,
                   metavar="L", help=f"hidden layers L, 1..{max_depth} (default {default_depth})")
    p.add_argument("--parametrization", choices=PARAMETRIZATIONS, default="ntk",
                   help="ntk (default) or standard")
    return p


def variance_options() -> argparse.ArgumentParser:
    """``--weight-var`` (sigma_w^2 > 0) and ``--bias-var`` (sigma_b^2 >= 0)."""
    p = _parent()
    p.add_argument("--weight-var", type=float_in(0.0, 1e6, "weight variance", lo_open=True),
                   default=2.0, metavar="V", help="sigma_w^2 in (0, 1e6] (default 2)")
    p.add_argument("--bias-var", type=float_in(0.0, 1e6, "bias variance"), default=0.0,
                   metavar="V", help="sigma_b^2 in [0, 1e6] (default 0: no bias)")
    return p


def plot_option() -> argparse.ArgumentParser:
    """``--plot PATH.png|PATH.pdf``: a figure of the result (the format from the suffix)."""
    p = _parent()
    p.add_argument("--plot", type=output_file(".png", ".pdf"), default=None,
                   metavar="PATH", help="also draw the result to PATH (.png or .pdf)")
    return p


# ------------------------------------------------------------------ output

def json_safe(value):
    """``value`` with every non-finite float (not JSON) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def print_json(payload) -> None:
    """``payload`` as strict, indented JSON on stdout (NaN and infinities written as null)."""
    json.dump(json_safe(payload), sys.stdout, indent=2, ensure_ascii=False, allow_nan=False)
    sys.stdout.write("\n")
    sys.stdout.flush()


def save_plot(spec: dict, path: Path) -> Path:
    """Draw a plot specification (:func:`specbias.records.line_plot`) to exactly ``path``
    (.png or .pdf, checked by :func:`output_file`), through a temporary folder beside it."""
    import tempfile

    from specbias.reports.figures import draw

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".specbias-plot-") as tmp:
        drawn = {p.suffix: p for p in draw(dict(spec, name="plot"), Path(tmp) / "plot.png",
                                            Path(tmp) / "plot.pdf")}
        os.replace(drawn[path.suffix.lower()], path)
    return path


def emit(args, payload, text=None) -> int:
    """Print ``payload`` as JSON under ``--json``, else ``text`` (a string, a list of lines, or
    a callable returning either); returns exit status 0."""
    if getattr(args, "json", False):
        print_json(payload)
        return 0
    if callable(text):
        text = text()
    if text is None:
        text = json.dumps(payload, indent=2, ensure_ascii=False)
    sys.stdout.write(text if isinstance(text, str) else "\n".join(text))
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0


def wants_json(argv) -> bool:
    """Whether ``--json`` is among the options of ``argv`` (before a ``--``)."""
    for token in argv:
        if token == "--":
            return False
        if token == "--json":
            return True
    return False


def error_line(message: str) -> str:
    """A message on one line (the lines of a multi-line message joined by '; ')."""
    return "; ".join(line.strip() for line in str(message).splitlines() if line.strip())


def report_error(message: str, as_json: bool, status: int = 2) -> int:
    """Print ``specbias: error: MESSAGE`` on stderr (and as JSON on stdout under --json)."""
    line = error_line(message)
    if as_json:
        try:
            print_json({"error": line, "exit_status": status})
        except (BrokenPipeError, ValueError):  # stdout closed: stderr still tells
            pass
    print(f"specbias: error: {line}", file=sys.stderr)
    return status


def format_seconds(seconds: float) -> str:
    """``42 s``, ``3.5 min``, ``2.1 h``: an estimate, to two digits."""
    if seconds < 90:
        return f"{seconds:.2g} s"
    if seconds < 5400:
        return f"{seconds / 60:.2g} min"
    return f"{seconds / 3600:.2g} h"


def announce(seconds: float, what: str, basis: str = "") -> None:
    """Tell the user on stderr, before it starts, that ``what`` will take about ``seconds``
    (only above :data:`ANNOUNCE_ABOVE_S`)."""
    if seconds >= ANNOUNCE_ABOVE_S:
        extra = f"; {basis}" if basis else ""
        print(f"specbias: {what} will take about {format_seconds(seconds)} on this machine's "
              f"kind (2 cores; estimate{extra}); Ctrl-C stops it", file=sys.stderr, flush=True)


@contextmanager
def progress_bar(total: int | None, desc: str):
    """A tqdm bar on stderr, off when stderr is not a terminal.

    Yields ``update(n=1)``. Counts are whole units: fractions reported by the library are
    accumulated and shown when they add up to a unit, and the count never passes ``total``.
    The bar's description can be changed with ``update.describe(text)``.
    """
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, disable=not sys.stderr.isatty(), leave=False,
               file=sys.stderr, unit="", dynamic_ncols=True)
    state = {"done": 0.0, "shown": 0}

    def update(n: float = 1) -> None:
        state["done"] += n
        whole = int(math.floor(state["done"] + 1e-9))
        if total is not None:
            whole = min(whole, int(total))
        if whole > state["shown"]:
            bar.update(whole - state["shown"])
            state["shown"] = whole

    def describe(text: str) -> None:
        bar.set_description_str(text)

    update.describe = describe  # type: ignore[attr-defined]
    try:
        yield update
    finally:
        bar.close()

