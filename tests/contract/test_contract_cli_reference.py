"""The CLI reference page is generated from arpose's own parsers (docs/hooks/cli.py): every
command, nested ones included, and every flag appears with its help."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

HOOK = Path(__file__).resolve().parents[2] / "docs" / "hooks" / "cli.py"


def _hook():
    spec = importlib.util.spec_from_file_location("arpose_docs_cli_hook", HOOK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_has_every_command_and_flag():
    from arpose.cli import COMMANDS, build_parser

    hook = _hook()
    page = hook.render_cli_reference()
    assert "## `arpose`" in page
    for name in COMMANDS:
        assert f"### `arpose {name}`" in page, name
    # every option string of every (sub)parser is on the page
    todo = [build_parser()]
    flags = 0
    while todo:
        parser = todo.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())
            for opt in action.option_strings:
                assert opt in page, (parser.prog, opt)
                flags += 1
    assert flags > 50
    assert "#### `arpose coach learn`" in page


def test_hook_replaces_only_its_marker():
    hook = _hook()
    assert hook.on_page_markdown("# no marker\n", None, None, None) == "# no marker\n"
    out = hook.on_page_markdown(f"# CLI\n\n{hook.MARKER}\n", None, None, None)
    assert hook.MARKER not in out and "`arpose detect`" in out
