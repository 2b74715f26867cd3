"""Finding games by name: the built-in ones and third-party ones from entry points.

Built-in games live in ``arpose.games`` (the repo's ``games/`` folder), one module
per game, each exposing ``GAME`` (a :class:`~arpose.play.game.Game` subclass).
Other packages add games through the ``arpose.games`` entry-point group; the
entry point names the game and points at the Game subclass::

    # pyproject.toml of a third-party package
    [project.entry-points."arpose.games"]
    balloon-pop = "balloon_pop.game:BalloonPop"

After ``pip install`` of that package, ``arpose play balloon-pop`` works and the menu
lists it.
"""

from __future__ import annotations

import difflib
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from ..errors import GameError

log = logging.getLogger(__name__)

BUILTIN_MODULES: tuple[str, ...] = ("slicer", "pose_wall", "workout", "pong", "hand_signs", "spelling")
"""Modules of ``arpose.games`` holding the built-in games, in menu order."""
ENTRY_POINT_GROUP = "arpose.games"


@dataclass(frozen=True)
class GameInfo:
    """A game that can be started by name."""

    name: str
    title: str
    description: str
    load: Callable[[], type]
    """Returns the Game subclass (imports on demand)."""
    origin: str
    """``builtin`` or the distribution/entry point it came from."""


def _builtin(module: str) -> GameInfo:
    mod = importlib.import_module(f"arpose.games.{module}")
    cls = mod.GAME

    def load() -> Any:
        return cls

    return GameInfo(cls.name, cls.title, cls.description, load, "builtin")


def available_games() -> dict[str, GameInfo]:
    """All games by user-facing name: built-ins first, then entry points.

    A broken third-party entry point is logged and skipped, never fatal.
    """
    games: dict[str, GameInfo] = {}
    for module in BUILTIN_MODULES:
        info = _builtin(module)
        games[info.name] = info
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in games:
            log.warning("entry point %s (%s) ignored: a game named %r exists", ep.name, ep.value, ep.name)
            continue

        def load(ep=ep):
            try:
                cls = ep.load()
            except Exception as exc:
                raise GameError(f"game {ep.name!r} ({ep.value}) cannot be loaded: {exc}") from exc
            if not (isinstance(cls, type) and hasattr(cls, "update") and hasattr(cls, "name")):
                raise GameError(
                    f"game {ep.name!r}: entry point {ep.value} is not a arpose.play.Game subclass"
                )
            return cls

        games[ep.name] = GameInfo(
            ep.name, ep.name.replace("-", " ").title(), f"third-party game ({ep.value})", load, ep.value
        )
    return games


def get_game(name: str) -> type:
    """The Game subclass for a user-facing name.

    Raises:
        GameError: unknown name, listing the games that exist (and the closest match).
    """
    games = available_games()
    key = str(name).strip().lower().replace("_", "-")
    if key not in games:
        close = difflib.get_close_matches(key, list(games), n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise GameError(f"unknown game {name!r}{hint} (games: {', '.join(games)})")
    return games[key].load()


__all__ = ["GameInfo", "available_games", "get_game", "BUILTIN_MODULES", "ENTRY_POINT_GROUP"]
