"""The base class of every game, and the pause overlay.

A :class:`Game` is a :class:`~arpose.play.view.View` with the rules every
body-controlled game shares, so each game only writes its own play:

- a countdown before play starts;
- timers run only while the required players are in view ("Step into view" otherwise)
  and, for games that need legs, while knees and ankles are visible;
- a dwell "pause" button in the HUD that pushes a :class:`PauseView` overlay, which
  takes gestures away from the game beneath it;
- a score with a timestamped event log, and a JSON report when the game ends.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import pygame

from .dispatch import EVENT_HANDLED
from .options import PlayOptions
from .score import Score
from .ui import (
    BLUE,
    GREEN,
    INK,
    ORANGE,
    PLAYER_COLOURS,
    RED,
    WHITE,
    YELLOW,
    MenuButton,
    bar,
    button_pair,
    dim,
    draw_cursor,
    panel,
    prompt,
    text,
)
from .view import View

log = logging.getLogger(__name__)

ABSENT_GRACE = 0.3
"""Seconds a player may drop out of tracking before the game pauses for them."""


class Game(View):
    """Base class of a game. Subclasses set the class attributes and override
    :meth:`start`, :meth:`update`, :meth:`draw` (and optionally :meth:`extra_report`,
    :meth:`result_lines`, :meth:`required_slots`, :meth:`needs_legs_now`).

    Class attributes:
        name: the name users type (``arpose play NAME``).
        title: shown on screens.
        description: one line for menus and ``arpose play --list``.
        how_to: one line telling the player what to do.
        duration: default round length in seconds (``PlayOptions.duration`` overrides).
        needs_legs: knees and ankles must be visible for the game to run.
        needs_hands: the game reads finger landmarks (``PoseFrame.hands``), so
            ``arpose play NAME`` tracks hands for it without ``--hands``.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    how_to: str = ""  # a class default; a game may set its own per instance
    duration: ClassVar[float] = 60.0
    needs_legs: ClassVar[bool] = False
    needs_hands: ClassVar[bool] = False
    colour: ClassVar[tuple[int, int, int]] = BLUE

    def __init__(self, options: PlayOptions | None = None) -> None:
        super().__init__()
        self.options = options or PlayOptions()
        self.length = float(self.options.duration or self.duration)
        self.score = Score(players=self.options.players)
        self.elapsed = 0.0
        """Seconds of actual play (paused while waiting for players)."""
        self.anim = 0.0
        """Seconds since the view was shown (for animations; always runs)."""
        self.countdown = float(self.options.extra.get("countdown", 3.0))
        self.waiting: tuple[str, str] | None = None
        self.over = False
        self.finished = False
        self.started = False
        self._legs_missing_for = 0.0
        self._absent_for = 0.0
        self._seen_once = False
        self._flash: list[tuple[str, tuple[int, int, int], float]] = []
        self.pause_button: MenuButton | None = None

    # -- to override -----------------------------------------------------------------------
    def start(self) -> None:
        """Set up the round (called once, when the game is first shown)."""

    def update(self, dt: float) -> None:
        """One fixed step of play (only while playing: not in countdown or waiting)."""

    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        """Draw the play field (the HUD and prompts are drawn by the base class)."""

    def hud(self, surface: pygame.Surface) -> None:
        """Game-specific HUD additions (lives, combo, reps)."""

    def extra_report(self) -> dict[str, Any]:
        """Extra keys for the JSON report (``reps`` for workout, ...)."""
        return {}

    def result_lines(self) -> list[str]:
        """Lines shown under the score on the results screen."""
        return []

    def result_effects(self) -> dict[int | None, tuple[str, ...]]:
        """Effects the results screen dresses the players in (e.g. the winner's crown);
        see :meth:`View.scene_effects`."""
        return {}

    def required_slots(self) -> list[int]:
        """Player slots that must be present for time to run (default: all)."""
        return list(range(self.options.players))

    def needs_legs_now(self) -> bool:
        return self.needs_legs

    # -- framework -------------------------------------------------------------------------
    @property
    def time_left(self) -> float:
        return max(self.length - self.elapsed, 0.0)

    def flash(self, msg: str, colour=YELLOW, seconds: float = 1.2) -> None:
        """Show a short message in the middle of the screen."""
        self._flash = [f for f in self._flash if f[0] != msg][-2:] + [(msg, colour, seconds)]

    def on_show(self) -> None:
        app = self.app
        if self.pause_button is None:
            W, H = app.size
            s = int(H * 0.11)
            self.pause_button = MenuButton(
                "pause", "II", pygame.Rect(W - s - 16, 16, s, s), dwell=2.0, colour=(90, 90, 110)
            )
        if not self.started:
            self.started = True
            self.score.log(app.time, "start", game=self.name)
            self.start()

    def missing(self) -> tuple[str, str] | None:
        """Why play is paused right now, as (title, detail), or None."""
        app = self.app
        absent = [s for s in self.required_slots() if app.player(s) is None]
        # A one-frame tracking dropout is not "leaving": wait ABSENT_GRACE seconds first
        # (always wait at the very start, before anyone was seen).
        if absent and (self._absent_for > ABSENT_GRACE or not self._seen_once):
            who = (
                "Player " + " & ".join(str(s + 1) for s in absent)
                if self.options.players > 1
                else "Step into view"
            )
            return (
                "Step into view" if self.options.players == 1 else f"{who}: step in",
                "Stand 2-3 m from the camera so your whole body is seen",
            )
        if self.needs_legs_now() and self._legs_missing_for > 0.4:
            return ("This game needs your legs", "Step back until your knees and feet are in the picture")
        return None

    def on_fixed_update(self, dt: float) -> None:
        app = self.app
        if self.over:
            return
        present = all(app.player(s) is not None for s in self.required_slots())
        self._absent_for = 0.0 if present else self._absent_for + dt
        self._seen_once = self._seen_once or present
        if self.needs_legs_now():
            legs = all(
                app.has_legs(app.player(s)) for s in self.required_slots() if app.player(s) is not None
            )
            self._legs_missing_for = 0.0 if legs else self._legs_missing_for + dt
        reason = self.missing()
        if reason != self.waiting:
            if reason is not None:
                self.score.log(app.time, "wait", reason=reason[0])
            elif self.waiting is not None:
                self.score.log(app.time, "resume")
            self.waiting = reason
        if reason is not None:
            return
        if self.countdown > 0:
            before = self.countdown
            self.countdown -= dt
            if int(before) != int(max(self.countdown, 0)) or self.countdown <= 0:
                app.sounds.play("start" if self.countdown <= 0 else "tick")
            return
        self.elapsed += dt
        self.update(dt)
        if not self.over and self.elapsed >= self.length:
            self.end("time")

    def on_update(self, dt: float) -> None:
        app = self.app
        self.anim += dt
        self._flash = [(m, c, s - dt) for m, c, s in self._flash if s - dt > 0]
        if self.pause_button is not None and not self.over and self.countdown <= 0:
            if self.pause_button.update(app.cursors(), dt, app.take_pinches()):
                self.pause()

    def pause(self) -> None:
        app = self.app
        self.score.log(app.time, "pause")
        app.sounds.play("click")
        app.push(PauseView(self))

    def end(self, reason: str = "over") -> None:
        """Finish the round: log, build the report, show the results view."""
        app = self.app
        if self.over:
            return
        self.over = True
        self.finished = True
        self.score.log(app.time, "end", reason=reason, score=self.score.total)
        app.sounds.play("end")
        app.report = self.report()
        app.show_results(self)

    def report(self) -> dict[str, Any]:
        """The JSON report of this round (what ``--report`` writes)."""
        out: dict[str, Any] = {
            "game": self.name,
            "score": self.score.total,
            "scores": list(self.score.points),
            "players": self.options.players,
            "finished": self.finished,
            "elapsed": round(self.elapsed, 3),
            "best_combo": self.score.best_combo,
        }
        out.update(self.extra_report())
        out["events"] = self.score.events_json()
        return out

    def on_key(self, key: int) -> bool | None:
        if key in (pygame.K_ESCAPE, pygame.K_p) and not self.over:
            self.pause()
            return EVENT_HANDLED
        return None

    # -- drawing -----------------------------------------------------------------------------
    def on_draw(self, surface: pygame.Surface, alpha: float) -> None:
        app = self.app
        self.draw(surface, alpha)
        self.draw_hud(surface)
        W, H = surface.get_size()
        for i, (msg, colour, left) in enumerate(self._flash):
            scale = 1.0 + 0.3 * max(0.0, left - 0.9)
            text(surface, msg, (W / 2, H * 0.32 + i * H * 0.09), int(H / 10 * scale), colour)
        if self.waiting is not None:
            prompt(surface, self.waiting[0], self.waiting[1], YELLOW, self.anim)
        elif self.countdown > 0:
            n = int(self.countdown) + 1
            text(surface, str(n), (W / 2, H / 2), int(H / 2.5 * (1 + (self.countdown % 1) * 0.3)), YELLOW)
            text(surface, self.how_to, (W / 2, H * 0.82), int(H / 20), WHITE)
        for i, c in enumerate(app.cursor(s) for s in range(self.options.players)):
            if c is not None and self.show_cursor():
                prog = self.pause_button.progress if self.pause_button and self.pause_button.hovered else 0.0
                draw_cursor(surface, c, PLAYER_COLOURS[i % 2], prog)

    def show_cursor(self) -> bool:
        """Draw the hand cursors over the play field (games controlled by hands say False)."""
        return False

    def draw_hud(self, surface: pygame.Surface) -> None:
        """Score, timer bar and the pause button."""
        W, H = surface.get_size()
        big = int(H / 11)
        box = panel(surface, (16, 16, int(W * 0.24), int(H * 0.15)), INK, 170)
        text(surface, "SCORE", (box.x + 18, box.y + 10), int(H / 28), (200, 200, 220), "topleft")
        text(surface, f"{self.score.total}", (box.x + 18, box.bottom - 8), big, YELLOW, "bottomleft")
        # Timer bar along the top, green -> orange -> red.
        frac = self.time_left / max(self.length, 1e-6)
        colour = GREEN if frac > 0.5 else ORANGE if frac > 0.2 else RED
        bw = int(W * 0.4)
        bar(surface, ((W - bw) // 2, 22, bw, int(H * 0.035)), frac, colour)
        text(
            surface,
            f"{int(self.time_left + 0.999)} s",
            (W / 2, 22 + H * 0.035 + 6),
            int(H / 22),
            WHITE,
            "midtop",
        )
        self.hud(surface)
        if self.pause_button is not None:
            self.pause_button.draw(surface)


class PauseView(View):
    """Overlay above a game: the game is frozen and drawn beneath; gestures stop here."""

    overlay = True

    def __init__(self, game: Game) -> None:
        super().__init__()
        self.game = game
        self.buttons: list[MenuButton] = []
        self.anim = 0.0

    def on_show(self) -> None:
        left, right = button_pair(self.app.size, 0.26, 0.2, 0.55)
        self.buttons = [
            MenuButton("resume", "Resume", left, 1.0, GREEN),
            MenuButton("quit", "Quit", right, 1.5, RED),
        ]
        for b in self.buttons:  # a hand already over a button must leave and come back
            b.disarm()

    def on_update(self, dt: float) -> None:
        self.anim += dt
        pinches = self.app.take_pinches()
        for b in self.buttons:
            if b.update(self.app.cursors(), dt, pinches):
                self.on_button(b.id)

    def on_button(self, button_id: str) -> bool:
        app = self.app
        app.sounds.play("select")
        if button_id == "resume":
            self.game.score.log(app.time, "resume")
            app.pop()
        elif button_id == "quit":
            app.pop()
            self.game.end("quit")
        return EVENT_HANDLED

    def on_gesture(self, event: Any) -> bool:
        return EVENT_HANDLED  # the game beneath gets nothing while paused

    def on_key(self, key: int) -> bool:
        if key in (pygame.K_ESCAPE, pygame.K_p, pygame.K_SPACE):
            self.on_button("resume")
        elif key == pygame.K_q:
            self.on_button("quit")
        return EVENT_HANDLED

    def on_draw(self, surface: pygame.Surface, alpha: float) -> None:
        W, H = surface.get_size()
        dim(surface, 150)
        text(surface, "PAUSED", (W / 2, H * 0.3), int(H / 6), YELLOW)
        text(surface, "Hold your hand over a button", (W / 2, H * 0.44), int(H / 20), WHITE)
        for b in self.buttons:
            b.draw(surface)
        for i in range(self.app.options.players):
            c = self.app.cursor(i)
            if c is not None:
                prog = max((b.progress for b in self.buttons if b.hovered), default=0.0)
                draw_cursor(surface, c, PLAYER_COLOURS[i % 2], prog)


__all__ = ["Game", "PauseView"]
