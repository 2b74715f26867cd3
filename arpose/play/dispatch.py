"""An event-handler stack: the top handler sees an event first and may consume it.

Modelled on pyglet's ``EventDispatcher``: event names are registered
(:meth:`HandlerStack.register_event_type`), handlers are pushed and popped as a
group; a handler returning :data:`EVENT_HANDLED` (True) stops propagation, so a
pause overlay pushed above a game takes gestures away from the game beneath it.
A handler for a name nobody registered (``on_gesutre``) is an error, not silence.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import GameError

log = logging.getLogger(__name__)

EVENT_HANDLED = True
EVENT_UNHANDLED: None = None


EVENT_TYPES = ("on_gesture", "on_player", "on_button", "on_key")
"""The events the play app dispatches."""
VIEW_METHODS = ("on_show", "on_hide", "on_fixed_update", "on_update", "on_draw")
"""``on_*`` methods of a view that are called directly, not dispatched."""


class HandlerStack:
    """A stack of handler frames; each frame maps registered event names to callables.

    Args:
        event_types: event names to register (default :data:`EVENT_TYPES`).
        other_methods: ``on_*`` names an object may have without being a handler.
    """

    def __init__(
        self, event_types: Iterable[str] = EVENT_TYPES, other_methods: Iterable[str] = VIEW_METHODS
    ) -> None:
        self._frames: list[tuple[object | None, dict[str, Callable[..., Any]]]] = []
        self.event_types: list[str] = []
        self._other = set(other_methods)
        for name in event_types:
            self.register_event_type(name)

    def register_event_type(self, name: str) -> str:
        """Declare an event name (pyglet's ``EventDispatcher.register_event_type``)."""
        if not name.startswith("on_"):
            raise GameError(f"event names start with 'on_', got {name!r}")
        if name not in self.event_types:
            self.event_types.append(name)
        return name

    def _check(self, name: str, where: str) -> None:
        if name in self.event_types or name in self._other:
            return
        close = difflib.get_close_matches(name, self.event_types, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise GameError(
            f"{where}: {name} is not a registered event{hint}; events: {', '.join(self.event_types)}"
        )

    def push_handlers(self, obj: object | None = None, **handlers: Callable[..., Any]) -> None:
        """Push a frame: the ``on_*`` methods of ``obj`` and/or keyword handlers.

        Raises:
            GameError: a handler name that is not a registered event.
        """
        frame: dict[str, Callable[..., Any]] = {}
        if obj is not None:
            for name in dir(type(obj)):
                if name.startswith("on_") and callable(getattr(obj, name, None)):
                    self._check(name, type(obj).__name__)
                    if name in self.event_types:
                        frame[name] = getattr(obj, name)
        for name in handlers:
            self._check(name, "push_handlers")
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

        Raises:
            GameError: ``event`` is not registered.
        """
        if event not in self.event_types:
            self._check(event, "dispatch")
        for _obj, frame in reversed(self._frames):
            handler = frame.get(event)
            if handler is not None and handler(*args) is EVENT_HANDLED:
                return True
        return False


__all__ = ["HandlerStack", "EVENT_HANDLED", "EVENT_UNHANDLED", "EVENT_TYPES", "VIEW_METHODS"]
