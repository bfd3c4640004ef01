"""``.. specbias-cli::``: the command-line reference, generated from the argparse parser.

Walks :func:`specbias.cli.build_parser` and writes, for every command and subcommand, a
section with its description and its ``--help`` text, so the reference cannot drift from the
program.
"""

from __future__ import annotations

import argparse

from docutils import nodes
from docutils.parsers.rst import Directive


def _subparsers(parser: argparse.ArgumentParser):
    for action in parser._actions:  # argparse keeps them here; there is no public accessor
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def _sections(parser: argparse.ArgumentParser, path: list[str], level_ids: set) -> list:
    out = []
    for name, sub in _subparsers(parser).items():
        words = path + [name]
        if sub is None or " ".join(words) in level_ids:
            continue
        level_ids.add(" ".join(words))
        section = nodes.section(ids=["cli-" + "-".join(words)])
        section += nodes.title(text="specbias " + " ".join(words))
        text = sub.format_help()
        section += nodes.literal_block(text, text)
        section.extend(_sections(sub, words, level_ids))
        out.append(section)
    return out


class SpecbiasCli(Directive):
    """The generated reference of every ``specbias`` command."""

    has_content = False

    def run(self):
        from specbias.cli import build_parser

        parser = build_parser()
        top = parser.format_help()
        return [nodes.literal_block(top, top)] + _sections(parser, [], set())


def setup(app):
    app.add_directive("specbias-cli", SpecbiasCli)
    return {"version": "1", "parallel_read_safe": True}
