"""Body input for games: players, hand cursors, gestures, rep counting, pygame events.

The "game engine plugin" half of arpose. Most programs need only
:class:`~arpose.input.body_input.BodyInput` (re-exported as ``arpose.BodyInput``)
and the event types ``arpose.GESTURE``, ``arpose.REP``, ``arpose.PLAYER``. Rep counting
is :mod:`arpose.coach`; the camera-to-screen map is :mod:`arpose.scene.screen`.
The pieces are usable on their own, each driven by ``update(pose, t)``:

* :mod:`.body_view` - a pose in shoulder-width units from the user's point of view
* :mod:`.cursor`    - :class:`HandCursor`, :class:`ReachBox`, :class:`DwellButton`
* :mod:`.gestures`  - :class:`GestureDetector` (hand_up, both_hands_up, t_pose, lean,
  squat_down/up, jump, swipe, punch, clap)
* :mod:`.handshapes` - hand shapes (fist, open palm, point, ...) as input events
* :mod:`.players`   - :class:`PlayerSlots` (who is player 1 and 2; leave/return)
* :mod:`.events`    - pygame event types and the poster
"""

from __future__ import annotations

from .body_input import BodyInput, InputEvent
from .body_view import BodyView, body_scale, body_view
from .cursor import DwellButton, HandCursor, ReachBox, draw_dwell_ring
from .events import EVENT_NAMES, EventPoster, event_type
from .gestures import GESTURES, GestureConfig, GestureDetector, GestureEvent
from .players import Player, PlayerEvent, PlayerSlots


def __getattr__(name: str) -> int:  # GESTURE, REP, PLAYER, BUTTON: registered lazily
    if name in EVENT_NAMES:
        return event_type(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BodyInput",
    "InputEvent",
    "BodyView",
    "body_view",
    "body_scale",
    "HandCursor",
    "ReachBox",
    "DwellButton",
    "draw_dwell_ring",
    "EVENT_NAMES",
    "EventPoster",
    "event_type",
    "GESTURES",
    "GestureConfig",
    "GestureDetector",
    "GestureEvent",
    "Player",
    "PlayerEvent",
    "PlayerSlots",
]
