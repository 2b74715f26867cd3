"""pygame event types for body input, and the poster that puts events in the queue.

Existing pygame code consumes body input the usual way::

    for event in pygame.event.get():
        if event.type == arpose.GESTURE and event.gesture == "swipe":
            print(event.player, event.label, event.speed)
        elif event.type == arpose.REP:
            print(event.exercise, event.count, event.feedback)
        elif event.type == arpose.PLAYER and event.change == "left":
            pause()

The event types are registered with ``pygame.event.custom_type()`` lazily, on
first access of ``GESTURE``/``REP``/``PLAYER``/``BUTTON`` (importing arpose never
imports pygame), and are the same numbers for the whole process.

Attributes of the posted events (every field of the record, plus):

* ``GESTURE``: ``gesture`` (name), ``phase``, ``side``, ``player``, ``t``, ``speed``,
  ``direction``, ``label`` ("left"/"right"/"up"/"down"), ``value``, ``start``/``end``
  (screen px when posted by BodyInput), see :class:`~arpose.input.gestures.GestureEvent`.
* ``REP``: ``exercise``, ``kind`` ("rep"/"attempt"/"status"), ``count``, ``good``,
  ``feedback``, ``depth``, ``duration``, ``player``, ``t``.
* ``PLAYER``: ``player`` (slot, 0-based), ``change`` ("joined"/"left"/"returned"),
  ``person_id``, ``t``.
* ``BUTTON``: free for the game framework (a dwell button pressed): ``key``,
  ``player``, ``t``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from ..coach import RepEvent
from .gestures import GestureEvent
from .players import PlayerEvent

log = logging.getLogger(__name__)

EVENT_NAMES: tuple[str, ...] = ("GESTURE", "REP", "PLAYER", "BUTTON")

_types: dict[str, int] = {}
_lock = threading.Lock()


def event_type(name: str) -> int:
    """The pygame event type number for ``name`` (one of :data:`EVENT_NAMES`),
    registered on first use."""
    key = name.upper()
    if key not in EVENT_NAMES:
        raise KeyError(f"unknown arpose event type {name!r}; expected one of {', '.join(EVENT_NAMES)}")
    with _lock:
        if key not in _types:
            import pygame  # lazy: arpose.input is usable without pygame

            _types[key] = pygame.event.custom_type()
        return _types[key]


def __getattr__(name: str) -> int:  # module attribute access: events.GESTURE
    if name in EVENT_NAMES:
        return event_type(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def event_payload(record: GestureEvent | RepEvent | PlayerEvent) -> tuple[int, dict[str, Any]]:
    """The pygame event type and attribute dict for an input record."""
    if isinstance(record, GestureEvent):
        d = record.as_dict()
        d["gesture"] = d["name"]
        d["label"] = record.label
        return event_type("GESTURE"), d
    if isinstance(record, RepEvent):
        return event_type("REP"), record.as_dict()
    if isinstance(record, PlayerEvent):
        return event_type("PLAYER"), record.as_dict()
    raise TypeError(f"not an input event: {record!r}")


class EventPoster:
    """Posts input records into the pygame event queue.

    Posting needs an initialised pygame display (``pygame.init()``); without one the
    poster logs once and drops events (the records are still returned by
    :meth:`arpose.BodyInput.update`, so nothing is lost for polling code).
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.posted = 0
        self.dropped = 0
        self._warned = False

    def post(self, record: GestureEvent | RepEvent | PlayerEvent) -> bool:
        if not self.enabled:
            return False
        import pygame  # lazy: arpose.input is usable without pygame

        etype, attrs = event_payload(record)
        try:
            ok = bool(pygame.event.post(pygame.event.Event(etype, attrs)))
        except pygame.error as exc:
            ok = False
            if not self._warned:
                log.warning(
                    "cannot post body-input events to pygame (%s); call "
                    "pygame.init() first, or poll BodyInput.update()'s return value",
                    exc,
                )
                self._warned = True
        if ok:
            self.posted += 1
        else:
            self.dropped += 1
        return ok

    def post_all(self, records: list[Any]) -> int:
        return sum(self.post(r) for r in records)


__all__ = ["EVENT_NAMES", "event_type", "event_payload", "EventPoster"]
