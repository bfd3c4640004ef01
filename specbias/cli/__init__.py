"""The ``specbias`` command line (``python -m specbias`` runs the same).

Each command group lives in its own module with a ``register(subparsers)`` function; the
handler it sets with ``set_defaults(handler=...)`` receives the parsed args and returns an
exit code. :class:`~specbias.errors.InvalidArgument` is printed as one line (exit 2).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from specbias import __version__
from specbias.errors import InvalidArgument

#: Modules that register subcommands, in the order ``--help`` lists them.
COMMAND_MODULES = ("specbias.cli.derive", "specbias.cli.eigen", "specbias.cli.spectrum",
                   "specbias.cli.cutoffs", "specbias.cli.lstsq", "specbias.cli.verify",
                   "specbias.cli.audit", "specbias.cli.sweep", "specbias.cli.check")

#: Options whose value may start with "-" (a negative number, e.g. ``--interval -1,1``).
_NUMERIC_OPTIONS = ("--interval",)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line, like InvalidArgument."""

    def error(self, message: str):  # noqa: D401 - argparse API
        raise InvalidArgument(f"{self.prog}: {message} (see --help)")


def _join_numeric_values(argv: list[str]) -> list[str]:
    """Turn ``--interval -1,1`` into ``--interval=-1,1`` so argparse does not take -1,1 for an option."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] in _NUMERIC_OPTIONS and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="specbias", description="Derive, compute and verify the claims of "
                     "spectral-bias theory (python -m specbias runs the same).")
    parser.add_argument("--version", action="version", version=f"specbias {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = _join_numeric_values(list(sys.argv[1:] if argv is None else argv))
    try:
        args = build_parser().parse_args(argv)
        if getattr(args, "handler", None) is None:
            build_parser().print_help()
            return 2
        return int(args.handler(args) or 0)
    except InvalidArgument as exc:
        print(f"specbias: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        print("specbias: interrupted", file=sys.stderr)
        return 130
