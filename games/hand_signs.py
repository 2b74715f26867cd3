"""hand-signs: a card shows a hand sign; make it with either hand before time runs out.

The signs are the hand shapes of :mod:`arpose.input.handshapes` (fist, open palm, point,
thumbs-up, victory, OK), read from the 21 finger landmarks, so this game tracks hands by
itself (``needs_hands``). A sign counts once the shape is held (the detector's 0.12 s
debounce) while its card shows; a sign already held when the card appears counts too,
but never in the first ``REACTION_FLOOR`` seconds, so guessing by holding a shape before
the card is read earns little. Faster answers score more; a card that runs out costs a
life. Cards come faster as the round goes on, and never the same sign twice in a row.
The card's picture is the sign's own synthetic hand, the shape the detector looks for.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np
import pygame

from arpose.errors import GameError
from arpose.joints import HAND_CONNECTIONS
from arpose.play.game import Game
from arpose.play.ui import GREEN, INK, ORANGE, RED, WHITE, YELLOW, bar, hearts, panel, text
from arpose.testing.hands import shape_hand

SIGNS: tuple[tuple[str, str], ...] = (
    ("fist", "Fist"),
    ("open_palm", "Open palm"),
    ("point", "Point"),
    ("thumbs_up", "Thumbs up"),
    ("victory", "Victory"),
    ("ok", "OK"),
)
"""(gesture name, label) of every card."""
LABELS = dict(SIGNS)
LIVES = 3
REACTION_FLOOR = 0.25
"""Seconds a card shows before a sign can count."""
GAP = 0.6
"""Seconds between a card and the next."""
_ICON_ROTATION = {"thumbs_up": math.pi / 2}  # the mirrored thumb "out" points up once turned


@cache
def _icon_points(sign: str) -> np.ndarray:
    """The card's hand: the synthetic hand the detector is tested with, a right hand as
    the mirror view shows it (the camera sees it as a left one); made once per sign."""
    hand = shape_hand(sign, side="left", rotation=_ICON_ROTATION.get(sign, 0.0), center=(0.0, 0.0), size=1.0)
    xy = hand.landmarks[:, :2].astype(np.float64)
    xy.setflags(write=False)  # shared by every draw
    return xy


class HandSigns(Game):
    name = "hand-signs"
    title = "Hand Signs"
    description = "Show the hand sign on the card, fast (reads your fingers)"
    how_to = "Show the sign on the card with either hand before its time runs out"
    duration = 60.0
    colour = YELLOW
    needs_hands = True

    def start(self) -> None:
        self.lives = int(self.options.extra.get("lives", LIVES))
        seq = self.options.extra.get("sequence")
        if seq and any(s not in LABELS for s in seq):
            raise GameError(f"hand-signs sequence: unknown sign in {seq} (signs: {', '.join(LABELS)})")
        self.sequence: list[str] | None = list(seq) if seq else None
        self.card: str | None = None
        self.last_card: str | None = None
        self.shown = 0.0  # seconds the card has been up
        self.card_time = 6.0
        self.gap = GAP
        self.cards = 0
        self.made = 0
        self.missed = 0
        self.reactions: list[float] = []
        self.held: dict[int, dict[str, str]] = {}
        """Per player slot, the sign shapes held now: {gesture name: hand side}."""

    # -- input -----------------------------------------------------------------------------
    def on_gesture(self, event: Any) -> bool | None:
        """Hand shapes start and end; the card is judged in the next fixed step."""
        if event.name in LABELS and 0 <= event.player < self.options.players:
            held = self.held.setdefault(int(event.player), {})
            if event.phase == "start":
                held[event.name] = event.side or ""
            else:
                held.pop(event.name, None)
        return None

    def shapes(self, player: int = 0) -> list[str]:
        """The sign shapes player ``player`` holds now (for the HUD and tests)."""
        return list(self.held.get(player, {}))

    # -- play ------------------------------------------------------------------------------
    def _next_card(self) -> str:
        if self.sequence:
            return self.sequence[self.cards % len(self.sequence)]
        choices = [name for name, _ in SIGNS if name != self.last_card]
        return choices[int(self.app.rng.integers(len(choices)))]

    def update(self, dt: float) -> None:
        app = self.app
        if self.card is None:
            self.gap -= dt
            if self.gap <= 0:
                self.card = self._next_card()
                level = min(self.elapsed / max(self.length, 1.0), 1.0)
                self.card_time = 6.0 - 3.0 * level  # 6 s per card at first, 3 s at the end
                self.shown = 0.0
                self.score.log(app.time, "card", sign=self.card)
            return
        self.shown += dt
        if self.shown >= REACTION_FLOOR:
            for player in range(self.options.players):
                if self.card in self.held.get(player, {}):
                    self._made(player)
                    return
        if self.shown >= self.card_time:
            self._missed()

    def _made(self, player: int) -> None:
        app = self.app
        assert self.card is not None
        self.made += 1
        self.reactions.append(self.shown)
        mult = self.score.hit()
        quick = max(0.0, 1.0 - self.shown / self.card_time)
        pts = (50 + int(round(100 * quick))) * mult
        self.score.add(
            pts,
            app.time,
            "sign",
            player=player,
            sign=self.card,
            side=self.held[player].get(self.card, ""),
            reaction=round(self.shown, 3),
        )
        app.sounds.play("good")
        self.flash(f"{LABELS[self.card].upper()}! +{pts}", GREEN if quick > 0.5 else YELLOW, 0.9)
        self._next()

    def _missed(self) -> None:
        app = self.app
        assert self.card is not None
        self.missed += 1
        self.lives -= 1
        self.score.break_combo()
        self.score.log(app.time, "miss", sign=self.card)
        app.sounds.play("bad")
        self.flash("TOO SLOW", RED, 0.9)
        self._next()
        if self.lives <= 0:
            self.end("lives")

    def _next(self) -> None:
        self.cards += 1
        self.last_card, self.card = self.card, None
        self.gap = GAP

    # -- drawing -------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        if self.card is None:
            return
        W, H = surface.get_size()
        card = pygame.Rect(0, 0, int(H * 0.36), int(H * 0.46))
        card.topright = (W - 16, int(H * 0.19))  # beside the player, under the pause button
        panel(surface, card, INK, 215, radius=26, border=YELLOW)
        self._draw_icon(
            surface, self.card, pygame.Rect(card.x, card.y + int(H * 0.03), card.w, int(card.h * 0.68))
        )
        text(surface, LABELS[self.card], (card.centerx, card.bottom - int(card.h * 0.17)), int(H / 14), WHITE)
        left = max(0.0, 1.0 - self.shown / max(self.card_time, 1e-3))
        bar(surface, (card.x + 18, card.bottom - 28, card.w - 36, 14), left, GREEN if left > 0.35 else ORANGE)

    @staticmethod
    def _draw_icon(surface: pygame.Surface, sign: str, box: pygame.Rect) -> None:
        """The sign as a hand picture (see :func:`_icon_points`), fitted to ``box``."""
        xy = _icon_points(sign)
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        scale = 0.8 * min(box.w / max(hi[0] - lo[0], 1e-6), box.h / max(hi[1] - lo[1], 1e-6))
        pts = (xy - (lo + hi) / 2) * scale + np.array(box.center, np.float64)
        width = max(3, box.h // 45)
        for a, b in HAND_CONNECTIONS:
            pygame.draw.line(surface, WHITE, tuple(pts[a].astype(int)), tuple(pts[b].astype(int)), width)
        for i, p in enumerate(pts):
            r = width // 2 + (3 if i in (4, 8, 12, 16, 20) else 1)
            pygame.draw.circle(surface, YELLOW if i in (4, 8, 12, 16, 20) else WHITE, tuple(p.astype(int)), r)

    def hud(self, surface: pygame.Surface) -> None:
        W, H = surface.get_size()
        box = panel(surface, (16, int(16 + H * 0.16), int(W * 0.26), int(H * 0.16)), INK, 170)
        hearts(surface, box.x + 20, box.y + int(H * 0.045), self.lives, LIVES, int(H * 0.022))
        held = self.shapes(0)
        label = ", ".join(LABELS[s] for s in held) if held else "-"
        colour = GREEN if self.card is not None and self.card in held else WHITE
        text(surface, f"YOU: {label}", (box.x + 18, box.bottom - 12), int(H / 24), colour, "bottomleft")

    def extra_report(self) -> dict[str, Any]:
        return {
            "cards": self.cards,
            "signs": self.made,
            "missed": self.missed,
            "lives": max(self.lives, 0),
            "reactions": [round(r, 3) for r in self.reactions],
        }

    def scene_effects(self) -> dict[int | None, tuple[str, ...]]:
        """Painted nails: the five fingertips the signs are read from, in colour."""
        return {None: ("painted-nails",)}

    def result_lines(self) -> list[str]:
        mean = float(np.mean(self.reactions)) if self.reactions else 0.0
        return [
            f"Signs made: {self.made} of {self.cards}",
            f"Mean reaction: {mean:.2f} s" if self.reactions else "No sign made",
        ]


GAME = HandSigns
