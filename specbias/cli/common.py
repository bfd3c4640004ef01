"""Helpers shared by the command modules: output formats, JSON, progress bars."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager

from specbias.errors import InvalidArgument

FORMATS = ("markdown", "latex", "json")


def add_format_options(parser) -> None:
    """``--format markdown|latex|json`` and ``--json`` (short for ``--format json``)."""
    parser.add_argument("--format", default="markdown",
                        help="output format: markdown (default), latex or json")
    parser.add_argument("--json", action="store_true", help="same as --format json")


def output_format(args) -> str:
    fmt = "json" if getattr(args, "json", False) is True else args.format
    if fmt not in FORMATS:
        raise InvalidArgument(f"format {fmt!r} is unknown: use one of {', '.join(FORMATS)}")
    return fmt


def print_json(payload) -> None:
    json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def int_arg(text: str) -> int:
    """argparse type for integers whose errors read as InvalidArgument."""
    try:
        return int(text)
    except ValueError:
        raise InvalidArgument(f"{text!r} is not an integer") from None


def float_arg(text: str) -> float:
    """argparse type for finite numbers whose errors read as InvalidArgument."""
    try:
        value = float(text)
    except ValueError:
        raise InvalidArgument(f"{text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidArgument(f"{text!r} is not a finite number")
    return value


@contextmanager
def progress_bar(total: int | None, desc: str):
    """A tqdm bar on stderr, switched off when stderr is not a terminal.

    Yields ``update(n=1)``.
    """
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, disable=not sys.stderr.isatty(), leave=False,
               file=sys.stderr)
    try:
        yield bar.update
    finally:
        bar.close()
