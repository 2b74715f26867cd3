"""Views (title, menu, game, results, pause), the stack that holds them, and the
context they see.

A :class:`View` is one screen of the game (arcade's ``View``): it is shown and
hidden, gets fixed-step updates for logic, a per-frame update for animation, and
draws onto a pygame Surface. Views live on a :class:`ViewStack`; only the top
view updates. An *overlay* view (pause) draws above the view beneath it, which is
drawn but frozen, and it takes input first through the app's handler stack.

A view reaches the shell that shows it only through :class:`ViewContext` (``self.app``):
the players, the hand cursors, the clock, the seeded random generator, the sounds and
the view switches. That is the whole API a game (a third-party one too) binds to; the
play app (:class:`arpose.play.app.PlayApp`) implements it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..errors import GameError
from ..pose import Pose, PoseFrame
from ..scene.screen import ScreenMap
from .dispatch import HandlerStack
from .options import PlayOptions
from .sound import Sounds

if TYPE_CHECKING:  # pragma: no cover
    import pygame

log = logging.getLogger(__name__)


class ViewContext(Protocol):
    """What a view (a game, a menu, the mirror) may use of the shell that shows it.

    A view gets it as ``self.app`` when it is pushed on the view stack. Positions are
    window pixels (the one ScreenMap's "cover" fit, mirrored in selfie view); slots are
    0-based player slots; ``time`` is source time (``PoseFrame.t``), so a headless run on
    a recording is reproducible, as is everything drawn from ``rng``.
    """

    @property
    def size(self) -> tuple[int, int]:
        """The window (or offscreen framebuffer) size in pixels."""

    @property
    def options(self) -> PlayOptions:
        """The shared game options (players, seed, effects...; ``skeleton`` may be toggled)."""

    @property
    def time(self) -> float:
        """Source time of the newest frame: the timestamps of score events."""

    @property
    def frame(self) -> PoseFrame | None:
        """The newest PoseFrame (``frame.hands`` for finger landmarks), None before the first."""

    @property
    def frame_serial(self) -> int:
        """Counts the fed frames: a game sees new input when it changes."""

    @property
    def smap(self) -> ScreenMap | None:
        """The image -> window mapping of the newest frame (None before the first)."""

    @property
    def rng(self) -> np.random.Generator:
        """The seeded random generator: every random choice of a game comes from it."""

    @property
    def sounds(self) -> Sounds:
        """Sound effects (``sounds.play("hit")``; silent without an audio device)."""

    @property
    def flip(self) -> bool:
        """Selfie view (the picture is flipped horizontally)."""

    report: dict[str, Any] | None
    """The finished game's JSON report (what ``--report`` writes); set by :meth:`Game.end`."""

    def player(self, slot: int) -> Pose | None:
        """The pose of player ``slot`` in the newest frame, or None when away."""

    def cursor(self, slot: int) -> tuple[float, float] | None:
        """The hand cursor of player ``slot`` (window px), or None (no hand up)."""

    def cursors(self) -> list[tuple[float, float]]:
        """The hand cursors of the players present."""

    def take_pinches(self) -> list[tuple[float, float]]:
        """Where players started a pinch since the last call (a pinch presses a button)."""

    def screen_joints(self, pose: Pose, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Window positions ``(n, 2)`` and visibilities ``(n,)`` of named joints of a pose."""

    def has_legs(self, pose: Pose | None, min_vis: float = 0.5) -> bool:
        """True when knees and ankles are visible and inside the picture."""

    def show(self, view: View) -> View:
        """Replace the top view (title -> menu -> game -> results)."""

    def push(self, view: View) -> View:
        """Put ``view`` above the current one (a pause overlay)."""

    def pop(self) -> View | None:
        """Remove the top view; the one beneath is shown again."""

    def show_results(self, game: View) -> None:
        """Replace the finished ``game`` (a :class:`~arpose.play.game.Game`) with the
        shell's results screen."""

    def dispatch(self, event: str, *args: Any) -> bool:
        """Send an event (``on_button``...) down the handler stack, top view first."""

    def quit(self) -> None:
        """Ask the runner to stop (clean exit)."""

    def set_flip(self, flip: bool) -> None:
        """Selfie view on/off."""

    def worn_effects(self, player: int | None = None) -> tuple[str, ...] | None:
        """Names of the effects drawn on ``player`` now (None: everyone's shared ones);
        None before the shell has drawn any."""

    @property
    def reload_message(self) -> str | None:
        """The error of the last hot reload of an effect file, or None."""


class View:
    """One screen. Override the ``on_*`` methods you need.

    Input handlers (dispatched through the app's handler stack, top view first;
    return True to consume the event):

    - ``on_gesture(event)``: a body gesture (see :mod:`arpose.input`).
    - ``on_button(button_id)``: a dwell button of this view was pressed.
    - ``on_key(key)``: a keyboard key (for developers; games never need one).
    """

    overlay: bool = False
    """Draw the view beneath first (a pause overlay); the view beneath does not update."""
    show_camera: bool = True
    """Draw the camera frame (and skeletons) behind this view."""
    dress: str = "players"
    """Who wears the effects and skeletons: ``"players"`` (the game's player slots: effect
    player N is slot N-1) or ``"people"`` (everyone tracked, in frame order: the mirror)."""

    _app: ViewContext | None = None

    def __init__(self) -> None:
        self._app = None

    @property
    def app(self) -> ViewContext:
        """The shell showing this view; set when the view is pushed on the view stack.

        Raises:
            GameError: the view was never pushed (e.g. a game's ``start`` called by hand).
        """
        if self._app is None:
            raise GameError(
                f"{type(self).__name__}: the view is not on a view stack yet, so it "
                f"has no app (push it with app.show(view) first)"
            )
        return self._app

    def attach(self, app: ViewContext) -> None:
        """Give the view its context (the view stack does this when it is pushed)."""
        self._app = app

    def on_show(self) -> None:
        """Called when the view becomes the top of the stack."""

    def on_hide(self) -> None:
        """Called when another view covers it or it is removed."""

    def on_fixed_update(self, dt: float) -> None:
        """Game logic, called with a constant ``dt`` (the app's fixed step)."""

    def on_update(self, dt: float) -> None:
        """Per-frame work with the real elapsed time (animations, widget timers)."""

    def on_draw(self, surface: pygame.Surface, alpha: float) -> None:
        """Draw onto ``surface`` (the shell's transparent 2D layer, composited over the
        camera and the effects); ``alpha`` in 0..1 interpolates between fixed steps."""

    def scene_effects(self) -> dict[int | None, tuple[str, ...]]:
        """Effects this view dresses the players in while it is shown: gallery names or
        .toml paths keyed by player (None = everyone, 1 = player slot 0, ...). Drawn by
        the shell's Renderer beneath the 2D layer; never part of the game's logic."""
        return {}


class ViewStack:
    """Views from bottom to top, with push/pop/replace that call on_show/on_hide.

    Args:
        app: the context every pushed view gets as ``view.app``.
        handlers: the handler stack each shown view's ``on_*`` handlers join.
    """

    def __init__(self, app: ViewContext, handlers: HandlerStack) -> None:
        self.app = app
        self.handlers = handlers
        self._views: list[View] = []

    @property
    def top(self) -> View | None:
        return self._views[-1] if self._views else None

    def __len__(self) -> int:
        return len(self._views)

    def __iter__(self) -> Iterator[View]:
        return iter(list(self._views))

    def drawn(self) -> list[View]:
        """The views to draw this frame, bottom first: the top view plus the views
        beneath it as long as the one above is an overlay."""
        out: list[View] = []
        for view in reversed(self._views):
            out.append(view)
            if not view.overlay:
                break
        return out[::-1]

    def push(self, view: View) -> View:
        if self.top is not None:
            self.top.on_hide()
        view.attach(self.app)
        self._views.append(view)
        self.handlers.push_handlers(view)
        log.debug("view push %s", type(view).__name__)
        view.on_show()
        return view

    def pop(self) -> View | None:
        if not self._views:
            return None
        view = self._views.pop()
        self.handlers.remove_handlers(view)
        view.on_hide()
        log.debug("view pop %s", type(view).__name__)
        if self.top is not None:
            self.top.on_show()
        return view

    def replace(self, view: View) -> View:
        """Swap the top view for ``view`` (title -> menu -> game -> results)."""
        if self._views:
            old = self._views.pop()
            self.handlers.remove_handlers(old)
            old.on_hide()
        view.attach(self.app)
        self._views.append(view)
        self.handlers.push_handlers(view)
        view.on_show()
        return view

    def clear(self) -> None:
        while self._views:
            self.pop()


__all__ = ["View", "ViewContext", "ViewStack"]
