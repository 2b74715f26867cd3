"""mkdocs hook: the site's changelog page is the repository's CHANGELOG.md, included at build
time, so there is one changelog (at the repo root, where people look for it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MARKER = "<!-- changelog:"
CHANGELOG = Path(__file__).resolve().parents[2] / "CHANGELOG.md"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """mkdocs event: replace the changelog page's marker with CHANGELOG.md."""
    if not markdown.startswith(MARKER):
        return markdown
    return CHANGELOG.read_text(encoding="utf-8")
