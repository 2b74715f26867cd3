"""The settings every game shares (:class:`PlayOptions`).

Its own module so that views, games and the app all read it without importing each
other (``arpose.play.app`` re-exports it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PlayOptions:
    """Settings shared by all games (CLI flags map 1:1 onto these).

    Attributes:
        players: 1 or 2 player slots.
        exercise: the workout game's exercise (squat, jumping-jack, arm-raise).
        seed: seed of ``app.rng`` (headless runs are reproducible).
        duration: game length in seconds, overriding each game's default.
        sound: try to open the audio device (silent when there is none).
        camera_view: draw the camera frame behind the game.
        skeleton: draw the players' skeletons over the camera frame.
        effects: effects everyone wears (gallery names or .toml paths; ``--effect``),
            on top of the ones the games choose themselves.
        game_effects: let the games dress the players too (False: only ``effects``).
        dim: brightness of the camera picture behind a game (0..1).
        dressed: how many people get their own copy of the effects; None: at least two,
            or one per player (the mirror sets it to the people tracked, so it dresses
            everyone ``arpose detect`` and ``arpose render`` find on the same photo).
        extra: free-form options for third-party games.
    """

    players: int = 1
    exercise: str = "squat"
    seed: int = 0
    duration: float | None = None
    sound: bool = True
    camera_view: bool = True
    skeleton: bool = True
    effects: tuple[str, ...] = ()
    game_effects: bool = True
    dim: float = 0.6
    dressed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


__all__ = ["PlayOptions"]
