"""The unit tests' promise, checked: no model, no OpenGL, no subprocess, no pygame display.

While a unit test runs (its set-up and fixtures included), guards fail it the moment it
starts a process, opens a model file, creates an OpenGL context or opens a pygame
display: such a test belongs in tests/integration. This keeps ``pytest tests/unit`` the
fast inner loop (under a minute)."""

from __future__ import annotations

import functools
import multiprocessing.util
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

_PROCESS_EVENTS = {
    "subprocess.Popen",
    "os.system",
    "os.posix_spawn",
    "os.exec",
    "os.spawn",
    "os.fork",
    "os.forkpty",
}
_MODEL_SUFFIXES = (".task", ".tflite")
_guarding = False


class UnitBoundaryError(RuntimeError):
    """A unit test used something that only integration tests may use."""


def _refuse(what: str) -> None:
    raise UnitBoundaryError(f"unit tests use no {what}; move the test to tests/integration")


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _guarding:
        return
    if event in _PROCESS_EVENTS:
        _refuse(f"subprocess ({event} {args[:2]!r})")
    if (
        event == "open"
        and args
        and isinstance(args[0], (str, bytes))
        and str(args[0]).endswith(_MODEL_SUFFIXES)
    ):
        _refuse(f"model ({args[0]!r})")


def _guard(owner: Any, name: str, what: str) -> None:
    """Wrap ``owner.name`` so that it refuses to run inside a unit test."""
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if _guarding:
            _refuse(what)
        return original(*args, **kwargs)

    setattr(owner, name, guarded)


# Installed once for the session and switched on only around unit tests: an audit hook
# cannot be removed, and session fixtures (an offscreen renderer) are set up before any
# function-scoped fixture could patch anything.
sys.addaudithook(_audit)
# multiprocessing's spawn and forkserver start processes without an audit event
_guard(multiprocessing.util, "spawnv_passfds", "subprocess (multiprocessing)")
try:
    import moderngl
except ImportError:  # pragma: no cover - a dependency of arpose
    pass
else:
    _guard(moderngl, "create_context", "OpenGL context")
    _guard(moderngl, "create_standalone_context", "OpenGL context")
try:
    import pygame
except ImportError:  # pragma: no cover - a dependency of arpose
    pass
else:
    _guard(pygame.display, "set_mode", "pygame display")


def _guarded_phase() -> Iterator[None]:
    global _guarding
    _guarding = True
    try:
        yield
    finally:
        _guarding = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    yield from _guarded_phase()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    yield from _guarded_phase()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    yield from _guarded_phase()
