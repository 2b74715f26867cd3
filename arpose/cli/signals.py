"""SIGTERM behaves like Ctrl+C in every command.

The handler raises :class:`Terminated` (a :class:`KeyboardInterrupt`) in the main thread,
so the code that already handles Ctrl+C runs for both: videos are finished (an mp4 gets
its index and plays), recordings keep every frame written, exports remove their partial
outputs and stop their workers, and the summary line is printed. The exit status says
which signal stopped the command: 130 for SIGINT (Ctrl+C), 143 for SIGTERM (128 + the
signal number, as a shell reports it).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (raised in the main thread, like Ctrl+C's KeyboardInterrupt)."""


_deferring = 0
_pending: KeyboardInterrupt | None = None


def _raise_or_defer(exc: KeyboardInterrupt) -> None:
    global _pending
    if _deferring:
        _pending = _pending or exc
        return
    raise exc


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    # a second SIGTERM during the clean-up must not cut the clean-up short
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _raise_or_defer(Terminated())


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _raise_or_defer(KeyboardInterrupt())


def install() -> None:
    """Route SIGTERM into :class:`Terminated` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _on_sigint)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold Ctrl+C and SIGTERM until the block is done, then raise them.

    A step that writes one frame and counts it must do both or neither: an interruption
    between the two made ``record``'s summary say 50 frames for a file that held 51.
    """
    global _deferring, _pending
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
        if not _deferring and _pending is not None:
            exc, _pending = _pending, None
            raise exc


def exit_code(exc: BaseException) -> int:
    """The exit status for an interruption: 143 after SIGTERM, 130 after Ctrl+C."""
    return 128 + signal.SIGTERM if isinstance(exc, Terminated) else 128 + signal.SIGINT


def describe(exc: BaseException) -> str:
    return "terminated by SIGTERM" if isinstance(exc, Terminated) else "interrupted"
