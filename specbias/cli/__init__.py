"""The ``specbias`` command line (``python -m specbias`` runs the same).

Each command module has a ``register(subparsers)`` function and is listed in
``COMMAND_MODULES``; the handler it sets with ``set_defaults(handler=...)`` receives the parsed
args and returns an exit status. The conventions every module follows (lazy imports, shared
options, ``--json``, errors, exit statuses, progress) are in :mod:`specbias.cli.common`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from specbias import __version__
from specbias.cli.common import Parser, report_error, wants_json
from specbias.errors import InvalidArgument

#: Modules that register subcommands, in the order ``--help`` lists them. Adding a command
#: (or a subcommand of an existing group, see :func:`specbias.cli.common.group`) is one line here.
COMMAND_MODULES = ("specbias.cli.derive", "specbias.cli.eigen", "specbias.cli.spectrum",
                   "specbias.cli.sphere", "specbias.cli.cutoffs", "specbias.cli.cutoffs_kernel",
                   "specbias.cli.lstsq", "specbias.cli.verify", "specbias.cli.audit",
                   "specbias.cli.sweep", "specbias.cli.check", "specbias.cli.lfp")

#: Exit statuses (see specbias.cli.common).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_PIPE = 0, 1, 2, 130, 141


def join_dash_values(argv: list[str]) -> list[str]:
    """Turn ``--opt -1,1`` into ``--opt=-1,1`` so that argparse does not take a value that
    starts with one dash (a negative number, ``-x``) for an option. specbias has no short
    options besides ``-h``, so a token with a single leading dash is always a value."""
    out, i = [], 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            return out + argv[i:]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if (token.startswith("--") and "=" not in token and nxt is not None
                and nxt.startswith("-") and not nxt.startswith("--") and nxt not in ("-", "-h")):
            out.append(f"{token}={nxt}")
            i += 2
        else:
            out.append(token)
            i += 1
    return out


def build_parser() -> argparse.ArgumentParser:
    """The whole command line (imports only the light command modules)."""
    parser = Parser(prog="specbias", description="Derive, compute and verify the claims of "
                    "spectral-bias theory (python -m specbias runs the same).",
                    epilog="Every command takes --json (the result as JSON on stdout). Bad input "
                           "prints one line 'specbias: error: ...' and exits with status 2.")
    parser.add_argument("--version", action="version", version=f"specbias {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    as_json = wants_json(argv)
    try:
        parser = build_parser()
        args = parser.parse_args(join_dash_values(argv))
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        status = int(handler(args) or 0)
        sys.stdout.flush()
        return status
    except InvalidArgument as exc:
        return report_error(str(exc), as_json, EXIT_USAGE)
    except SystemExit as exc:  # --help, --version: argparse exits itself
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    except BrokenPipeError:  # the reader of stdout went away (| head): stop quietly
        _silence_stdout()
        return EXIT_PIPE
    except KeyboardInterrupt:
        print("specbias: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:  # a file that failed after the checks (disk full, removed folder)
        where = f" ({exc.filename!r})" if getattr(exc, "filename", None) else ""
        return report_error(f"{exc.strerror or exc}{where}: check the path and the free space, "
                            "then run again", as_json, EXIT_FAILED)
