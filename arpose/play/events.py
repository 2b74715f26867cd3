"""An event-handler stack: the top handler sees an event first and may consume it.

Modelled on pyglet's ``EventDispatcher``: handlers are pushed and popped as a
group; a handler returning :data:`EVENT_HANDLED` (True) stops propagation, so a
pause overlay pushed above a game takes gestures away from the game beneath it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

EVENT_HANDLED = True
EVENT_UNHANDLED: None = None


class HandlerStack:
    """A stack of handler frames; each frame maps event names to callables."""

    def __init__(self) -> None:
        self._frames: list[tuple[object | None, dict[str, Callable[..., Any]]]] = []

    def push_handlers(self, obj: object | None = None, **handlers: Callable[..., Any]) -> None:
        """Push a frame: the ``on_*`` methods of ``obj`` and/or keyword handlers."""
        frame: dict[str, Callable[..., Any]] = {}
        if obj is not None:
            for name in dir(type(obj)):
                if name.startswith("on_") and callable(getattr(obj, name, None)):
                    frame[name] = getattr(obj, name)
        frame.update(handlers)
        self._frames.append((obj, frame))

    def pop_handlers(self) -> None:
        """Remove the top frame."""
        if not self._frames:
            raise IndexError("pop_handlers on an empty handler stack")
        self._frames.pop()

    def remove_handlers(self, obj: object) -> None:
        """Remove the frame pushed for ``obj`` wherever it is in the stack."""
        self._frames = [(o, f) for o, f in self._frames if o is not obj]

    def __len__(self) -> int:
        return len(self._frames)

    def dispatch(self, event: str, *args: Any) -> bool:
        """Call ``event`` on frames from the top down until one returns True.

        Returns True if some handler consumed the event.
        """
        for _obj, frame in reversed(self._frames):
            handler = frame.get(event)
            if handler is not None and handler(*args) is EVENT_HANDLED:
                return True
        return False


__all__ = ["HandlerStack", "EVENT_HANDLED", "EVENT_UNHANDLED"]
