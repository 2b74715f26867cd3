"""The layer rules that import-linter cannot see: imports inside functions.

import-linter (``lint-imports``, the contracts in pyproject.toml) checks that no layer imports
upward and that there are no cycles. A lazy import inside a function is still an import, and
the architecture page allows one only for a heavy third-party module, with a ``# lazy:``
comment saying why; an arpose import inside a function would be a cycle or an upward import
dodged at run time. The one exception is the top layer, ``arpose/cli``: nothing imports it,
so a command may import its implementation when it runs (with a ``# lazy:`` comment), which
keeps ``arpose --help`` and the other commands from loading pygame.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import arpose

PACKAGE = Path(arpose.__file__).parent


def inner_imports(source: str) -> list[tuple[int, str, bool]]:
    """(line, imported module, is arpose's own) for every import inside a function."""
    found = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.append((node.lineno, alias.name, alias.name.startswith("arpose")))
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                own = node.level > 0 or module.startswith("arpose")
                found.append((node.lineno, "." * node.level + module, own))
    return sorted(set(found))


def test_the_checker_sees_inner_imports() -> None:
    source = (
        "import os\ndef f():\n    from ..render import Renderer\ndef g():\n    import trimesh  # lazy: slow\n"
    )
    assert inner_imports(source) == [(3, "..render", True), (5, "trimesh", False)]


def _says_why(lines: list[str], n: int) -> bool:
    """A ``# lazy:`` comment on import line ``n`` (1-based), or in the comments and imports
    right above it (one comment may explain a group of imports)."""
    if "# lazy:" in lines[n - 1]:
        return True
    k = n - 2
    while k >= 0 and lines[k].strip().startswith(("#", "from ", "import ")):
        if "# lazy:" in lines[k]:
            return True
        k -= 1
    return False


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_arpose_import_inside_a_function(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    top_layer = path.parent.name == "cli"
    own = [
        f"{path.name}:{n}: {lines[n - 1].strip()}"
        for n, _, is_own in inner_imports(source)
        if is_own and not top_layer
    ]
    assert not own, "arpose imports inside functions (move the code to the right layer):\n" + "\n".join(own)
    bare = [
        f"{path.name}:{n}: {lines[n - 1].strip()}"
        for n, _, _ in inner_imports(source)
        if not _says_why(lines, n)
    ]
    assert not bare, "lazy imports without a '# lazy: why' comment:\n" + "\n".join(bare)


def docstring_references(source: str) -> list[str]:
    """The ``arpose.*`` names that Sphinx-style roles (:mod:, :func:, :class:, :meth:, ...) cite."""
    return re.findall(r":(?:mod|func|class|meth|attr|data|exc):`~?(arpose(?:\.\w+)+)`", source)


def resolves(name: str) -> bool:
    """Whether ``arpose.a.b.C.d`` names a module, or an attribute of one."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        module = ".".join(parts[:i])
        try:
            obj = importlib.import_module(module)
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def test_the_reference_checker_reads_a_known_answer() -> None:
    text = ":func:`arpose.render.annotate.draw_skeleton` and :mod:`~arpose.hands.gestures`"
    names = docstring_references(text)
    assert names == ["arpose.render.annotate.draw_skeleton", "arpose.hands.gestures"]
    assert [resolves(n) for n in names] == [True, False]  # the second moved in 0.2.0


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_docstring_references_resolve(path: Path) -> None:
    """Docstrings that cite arpose modules and names cite ones that exist (after a move)."""
    stale = [n for n in docstring_references(path.read_text(encoding="utf-8")) if not resolves(n)]
    assert not stale, f"{path.name} cites names that do not exist: {stale}"
