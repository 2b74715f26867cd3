"""The screens around a game: title, menu (one dwell button per game), results."""

from __future__ import annotations

import logging
from typing import Any

import pygame

from .dispatch import EVENT_HANDLED
from .game import Game
from .registry import available_games, get_game
from .ui import (
    BLUE,
    CYAN,
    GREEN,
    MAGENTA,
    ORANGE,
    PLAYER_COLOURS,
    WHITE,
    YELLOW,
    MenuButton,
    button_pair,
    dim,
    draw_cursor,
    panel,
    text,
)
from .view import View

log = logging.getLogger(__name__)

_MENU_COLOURS = (MAGENTA, BLUE, GREEN, ORANGE, CYAN)


class _ButtonView(View):
    """A view whose dwell buttons are pressed by the players' hand cursors."""

    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[MenuButton] = []
        self.anim = 0.0

    def on_update(self, dt: float) -> None:
        self.anim += dt
        pinches = self.app.take_pinches()
        for b in self.buttons:
            if b.update(self.app.cursors(), dt, pinches):
                self.app.sounds.play("select")
                self.app.dispatch("on_button", b.id)
                break

    def draw_buttons_and_cursors(self, surface: pygame.Surface) -> None:
        for b in self.buttons:
            b.draw(surface)
        prog = max((b.progress for b in self.buttons if b.hovered), default=0.0)
        for i in range(self.app.options.players):
            c = self.app.cursor(i)
            if c is not None:
                draw_cursor(
                    surface,
                    c,
                    PLAYER_COLOURS[i % 2],
                    prog,
                    f"P{i + 1}" if self.app.options.players > 1 else None,
                )
        if not self.app.cursors():
            W, H = surface.get_size()
            text(surface, "Step into view and raise a hand", (W / 2, H * 0.93), int(H / 20), YELLOW)


class TitleView(_ButtonView):
    """The first screen: a title and one START button (hold a hand over it)."""

    def __init__(self, game: str | None = None) -> None:
        super().__init__()
        self.game = game

    def on_show(self) -> None:
        W, H = self.app.size
        bw, bh = int(W * 0.3), int(H * 0.2)
        self.buttons = [
            MenuButton("start", "START", pygame.Rect((W - bw) // 2, int(H * 0.6), bw, bh), 1.0, GREEN)
        ]

    def on_button(self, button_id: str) -> Any:
        if button_id == "start":
            if self.game:
                self.app.show(get_game(self.game)(self.app.options))
            else:
                self.app.show(MenuView())
            return EVENT_HANDLED
        return None

    def on_key(self, key: int) -> Any:
        if key in (pygame.K_RETURN, pygame.K_SPACE):
            return self.on_button("start")
        return None

    def on_draw(self, surface: pygame.Surface, alpha: float) -> None:
        W, H = surface.get_size()
        if self.game:
            cls: Any = get_game(self.game)
            title, sub, how = cls.title, cls.description, cls.how_to
        else:
            title, sub, how = (
                "ARPOSE",
                "Games you play with your whole body",
                "No controller: your hands are the mouse",
            )
        panel(surface, (int(W * 0.1), int(H * 0.08), int(W * 0.8), int(H * 0.42)), alpha=160)
        bob = 6 * (1 + pygame.math.Vector2(1, 0).rotate(self.anim * 120).y)
        text(surface, title.upper(), (W / 2, H * 0.2 + bob), int(H / 5.5), YELLOW)
        text(surface, sub, (W / 2, H * 0.34), int(H / 16), WHITE)
        text(surface, how, (W / 2, H * 0.43), int(H / 24), (200, 220, 255))
        text(surface, "Hold your hand over START", (W / 2, H * 0.86), int(H / 22), WHITE)
        self.draw_buttons_and_cursors(surface)


class MenuView(_ButtonView):
    """One dwell button per available game."""

    def on_show(self) -> None:
        W, H = self.app.size
        games = list(available_games().values())
        cols = 2 if len(games) <= 4 else 3
        rows = (len(games) + cols - 1) // cols
        gap = int(H * 0.04)
        bw = int((W * 0.84 - gap * (cols - 1)) / cols)
        bh = int(min(H * 0.22, (H * 0.66 - gap * (rows - 1)) / max(rows, 1)))
        x0, y0 = int(W * 0.08), int(H * 0.24)
        self.buttons = []
        for i, g in enumerate(games):
            r, c = divmod(i, cols)
            rect = pygame.Rect(x0 + c * (bw + gap), y0 + r * (bh + gap), bw, bh)
            self.buttons.append(
                MenuButton(
                    g.name, g.title, rect, 1.2, _MENU_COLOURS[i % len(_MENU_COLOURS)], subtitle=g.description
                )
            )

    def on_button(self, button_id: str) -> Any:
        self.app.show(get_game(button_id)(self.app.options))
        return EVENT_HANDLED

    def on_draw(self, surface: pygame.Surface, alpha: float) -> None:
        W, H = surface.get_size()
        dim(surface, 70)
        text(surface, "CHOOSE A GAME", (W / 2, H * 0.12), int(H / 9), YELLOW)
        self.draw_buttons_and_cursors(surface)


class ResultsView(_ButtonView):
    """Final score, the game's summary lines, and Again / Menu buttons."""

    def __init__(self, game: Game) -> None:
        super().__init__()
        self.game = game

    def on_show(self) -> None:
        left, right = button_pair(self.app.size, 0.25, 0.17, 0.74)
        self.buttons = [
            MenuButton("again", "Again", left, 1.2, GREEN),
            MenuButton("menu", "Menu", right, 1.2, BLUE),
        ]

    def scene_effects(self) -> dict[int | None, tuple[str, ...]]:
        return self.game.result_effects()

    def on_button(self, button_id: str) -> Any:
        if button_id == "again":
            self.app.show(type(self.game)(self.app.options))
        elif button_id == "menu":
            self.app.show(MenuView())
        return EVENT_HANDLED

    def on_key(self, key: int) -> Any:
        if key in (pygame.K_ESCAPE, pygame.K_q):
            self.app.quit()
            return EVENT_HANDLED
        if key in (pygame.K_RETURN, pygame.K_SPACE):
            return self.on_button("again")
        return None

    def on_draw(self, surface: pygame.Surface, alpha: float) -> None:
        W, H = surface.get_size()
        dim(surface, 150)
        g = self.game
        text(surface, g.title.upper(), (W / 2, H * 0.1), int(H / 12), (200, 220, 255))
        reason = {"quit": "Stopped", "lives": "Game over", "time": "Time's up!", "win": "Match over"}.get(
            str(next((e.data.get("reason") for e in reversed(g.score.events) if e.kind == "end"), "")),
            "Finished!",
        )
        text(surface, reason, (W / 2, H * 0.2), int(H / 12), WHITE)
        if g.options.players > 1 and len(g.score.points) > 1:
            for i, pts in enumerate(g.score.points):
                x = W * (0.3 if i == 0 else 0.7)
                text(surface, f"P{i + 1}", (x, H * 0.3), int(H / 14), PLAYER_COLOURS[i])
                text(surface, str(pts), (x, H * 0.42), int(H / 5), PLAYER_COLOURS[i])
        else:
            text(surface, str(g.score.total), (W / 2, H * 0.38), int(H / 3.6), YELLOW)
        for i, line in enumerate(g.result_lines()[:4]):
            text(surface, line, (W / 2, H * 0.55 + i * H * 0.055), int(H / 20), WHITE)
        chart = getattr(g, "draw_results", None)  # optional per-game chart (workout)
        if chart is not None:
            chart(surface, pygame.Rect(int(W * 0.71), int(H * 0.26), int(W * 0.27), int(H * 0.27)))
        self.draw_buttons_and_cursors(surface)


__all__ = ["TitleView", "MenuView", "ResultsView"]
