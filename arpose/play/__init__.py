"""The game framework: views on a stack, fixed-step updates, body-driven UI, headless runs.

A game subclasses :class:`Game` (a :class:`View`) and draws with pygame on a
transparent layer that the shell's Renderer composites over the mirrored camera view
and the effects (:class:`PlayApp`); :func:`run_window` plays it live,
:func:`run_headless` plays it on PoseFrames (a video or a recording) and returns a
JSON-ready report. Games are found by name with :func:`get_game` (built-ins and
the ``arpose.games`` entry-point group).
"""

from __future__ import annotations

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # before pygame is first imported

from .app import PlayApp, PlayOptions
from .clock import FixedStepClock
from .dispatch import EVENT_HANDLED, EVENT_UNHANDLED, HandlerStack
from .game import Game, PauseView
from .registry import GameInfo, available_games, get_game
from .runner import run_headless, run_window, write_report
from .score import GameEvent, Score
from .screens import MenuView, ResultsView, TitleView
from .sound import Sounds
from .ui import MenuButton
from .view import View, ViewContext, ViewStack

__all__ = [
    "PlayApp",
    "PlayOptions",
    "FixedStepClock",
    "EVENT_HANDLED",
    "EVENT_UNHANDLED",
    "HandlerStack",
    "Game",
    "PauseView",
    "GameInfo",
    "available_games",
    "get_game",
    "run_headless",
    "run_window",
    "write_report",
    "MenuView",
    "ResultsView",
    "TitleView",
    "GameEvent",
    "Score",
    "Sounds",
    "MenuButton",
    "View",
    "ViewContext",
    "ViewStack",
]
