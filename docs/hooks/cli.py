"""mkdocs hook: the CLI reference page, generated from arpose's own argparse parsers.

A page holding the marker ``<!-- cli-reference -->`` gets, in its place, the ``--help`` text
of ``arpose`` and of every subcommand (nested ones such as ``arpose coach learn`` included),
so the reference can never drift from the flags users actually have. Run by
``mkdocs build`` (see ``hooks:`` in mkdocs.yml); ``render_cli_reference()`` is also called
by tests/contract/test_contract_cli_reference.py.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

MARKER = "<!-- cli-reference -->"
WIDTH = "100"  # argparse wraps help at $COLUMNS: fixed, so the page is the same everywhere


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    """The (name, parser) pairs of a parser's subcommands, in the order it lists them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices.items())
    return []


def _sections(parser: argparse.ArgumentParser, path: str, level: int) -> list[str]:
    out = [f"{'#' * level} `{path}`", "", "```text", parser.format_help().rstrip(), "```", ""]
    for name, child in _subcommands(parser):
        out += _sections(child, f"{path} {name}", min(level + 1, 4))
    return out


def render_cli_reference() -> str:
    """Markdown for every command's help, built from ``arpose.cli.build_parser()``."""
    from arpose.cli import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        parser = build_parser()
        lines = _sections(parser, "arpose", 2)
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """mkdocs event: replace the marker with the generated reference."""
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render_cli_reference())
