"""Views (title, menu, game, results, pause) and the stack that holds them.

A :class:`View` is one screen of the game (arcade's ``View``): it is shown and
hidden, gets fixed-step updates for logic, a per-frame update for animation, and
draws onto a pygame Surface. Views live on a :class:`ViewStack`; only the top
view updates. An *overlay* view (pause) draws above the view beneath it, which is
drawn but frozen, and it takes input first through the app's handler stack.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pygame

    from .app import PlayApp

log = logging.getLogger(__name__)


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

    def __init__(self) -> None:
        self.app: PlayApp | None = None

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
    """Views from bottom to top, with push/pop/replace that call on_show/on_hide."""

    def __init__(self, app: PlayApp) -> None:
        self.app = app
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
        view.app = self.app
        self._views.append(view)
        self.app.handlers.push_handlers(view)
        log.debug("view push %s", type(view).__name__)
        view.on_show()
        return view

    def pop(self) -> View | None:
        if not self._views:
            return None
        view = self._views.pop()
        self.app.handlers.remove_handlers(view)
        view.on_hide()
        log.debug("view pop %s", type(view).__name__)
        if self.top is not None:
            self.top.on_show()
        return view

    def replace(self, view: View) -> View:
        """Swap the top view for ``view`` (title -> menu -> game -> results)."""
        if self._views:
            old = self._views.pop()
            self.app.handlers.remove_handlers(old)
            old.on_hide()
        view.app = self.app
        self._views.append(view)
        self.app.handlers.push_handlers(view)
        view.on_show()
        return view

    def clear(self) -> None:
        while self._views:
            self.pop()


__all__ = ["View", "ViewStack"]
