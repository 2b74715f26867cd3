"""SIGTERM behaves like Ctrl+C in every command.

The handler raises :class:`Terminated` (a :class:`KeyboardInterrupt`) in the main thread,
so the code that already handles Ctrl+C runs for both: videos are finished (an mp4 gets
its index and plays), recordings keep every frame written, exports remove their partial
outputs and stop their workers, and the summary line is printed. The exit status says
which signal stopped the command: 130 for SIGINT (Ctrl+C), 143 for SIGTERM (128 + the
signal number, as a shell reports it).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (raised in the main thread, like Ctrl+C's KeyboardInterrupt)."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    # a second SIGTERM during the clean-up must not cut the clean-up short
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated()


def install() -> None:
    """Route SIGTERM into :class:`Terminated` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)


def exit_code(exc: BaseException) -> int:
    """The exit status for an interruption: 143 after SIGTERM, 130 after Ctrl+C."""
    return 128 + signal.SIGTERM if isinstance(exc, Terminated) else 128 + signal.SIGINT


def describe(exc: BaseException) -> str:
    return "terminated by SIGTERM" if isinstance(exc, Terminated) else "interrupted"
