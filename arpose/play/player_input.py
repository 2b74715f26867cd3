"""What the games read about the players each frame: poses per slot, hand cursors, events.

The seam between the game framework and :mod:`arpose.input`: a
:class:`arpose.input.BodyInput` (driven with ``feed``, no threads: the runner owns
the pipeline) does player slots (most central people join, extras are never swapped
in, a player who leaves for more than half a second is "absent"), hand cursors
(reach box, hidden while the hand hangs down) and gestures. Games call
``app.player(slot)`` / ``app.cursors()`` and get gestures through ``on_gesture``.
"""

from __future__ import annotations

import logging
from typing import Any

from ..input.body_input import BodyInput
from ..input.players import PRESENT, PlayerEvent
from ..pose import Pose, PoseFrame
from ..scene.screen import ScreenMap

log = logging.getLogger(__name__)


class PlayerInput:
    """Player slots and hand cursors for the games, over :class:`BodyInput`.

    Args:
        screen_size: window size (cursor coordinates).
        players: number of player slots.
        post_events: also post the input library's pygame events (a live window).
    """

    def __init__(self, screen_size: tuple[int, int], players: int = 1, post_events: bool = False) -> None:
        self.screen_size = screen_size
        self.n = players
        # the app passes its own ScreenMap ("cover": the camera image fills the window)
        self.body = BodyInput(
            None, players, screen_size=screen_size, flip=True, fit="cover", post_events=post_events
        )

    def feed(self, pf: PoseFrame, smap: ScreenMap) -> list[Any]:
        """Update from a frame mapped to the window by ``smap`` (the app's one mapping);
        returns the input events of that frame."""
        return self.body.feed(pf, smap)

    def present(self, slot: int) -> bool:
        return 0 <= slot < self.n and self.body.players[slot].state == PRESENT

    def pose(self, slot: int) -> Pose | None:
        """The slot's pose in the newest frame; None when away (or in a short dropout)."""
        if not self.present(slot):
            return None
        return self.body.players[slot].pose

    def cursor(self, slot: int) -> tuple[float, float] | None:
        """The slot's hand cursor in window pixels; None when away or the hand is down."""
        if not self.present(slot):
            return None
        c = self.body.players[slot].cursor
        return None if c is None else (float(c[0]), float(c[1]))


__all__ = ["PlayerInput", "PlayerEvent"]
