"""On-screen widgets for body-controlled games: big text, panels, dwell buttons, prompts.

Everything is sized relative to the window height, so the HUD is readable from
two metres away at any resolution. Dwell buttons are pressed by holding a hand
cursor over them: a ring fills around the cursor and along the button's edge,
so the player sees how long is left.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

import pygame

from ..input.cursor import DwellButton

# A small palette, shared by all games (RGB).
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
INK = (16, 18, 32)
YELLOW = (255, 214, 10)
ORANGE = (255, 140, 26)
RED = (240, 60, 70)
GREEN = (60, 220, 120)
CYAN = (40, 200, 255)
MAGENTA = (235, 70, 200)
BLUE = (70, 120, 255)
PLAYER_COLOURS = ((40, 200, 255), (255, 120, 40))
"""Player 1 cyan, player 2 orange (skeletons, cursors, paddles)."""


def ensure_pygame() -> None:
    """Initialise the pygame modules the games use (display not needed)."""
    if not pygame.font.get_init():
        pygame.font.init()


@lru_cache(maxsize=64)
def font(size: int, bold: bool = True) -> pygame.font.Font:
    """The default pygame font (freesansbold, shipped with pygame) at ``size`` pixels."""
    ensure_pygame()
    f = pygame.font.Font(None, max(int(size), 8))
    f.set_bold(bold and size < 40)
    return f


def text(
    surface: pygame.Surface,
    msg: str,
    pos: tuple[float, float],
    size: int,
    colour: tuple[int, int, int] = WHITE,
    anchor: str = "center",
    shadow: bool = True,
) -> pygame.Rect:
    """Draw text with a drop shadow (readable over any camera image).

    ``anchor`` is a pygame Rect attribute name: center, midtop, topleft, topright, ...
    """
    f = font(size)
    img = f.render(str(msg), True, colour)
    rect = img.get_rect(**{anchor: (int(pos[0]), int(pos[1]))})
    if shadow:
        sh = f.render(str(msg), True, BLACK)
        off = max(2, size // 18)
        surface.blit(sh, rect.move(off, off))
    surface.blit(img, rect)
    return rect


def fit_size(msg: str, size: int, width: float) -> int:
    """The text size, at most ``size``, at which ``msg`` fits in ``width`` pixels."""
    w = font(size).size(str(msg))[0]
    return size if w <= width else max(10, int(size * width / w))


def fit_lines(msg: str, size: int, width: float) -> tuple[list[str], int]:
    """``msg`` as one line, or two split at the space nearest the middle when one does
    not fit in ``width`` (a game's description on a menu button), and the text size at
    which the longest line fits (at most ``size``)."""
    lines = [str(msg)]
    words = str(msg).split()
    if font(size).size(str(msg))[0] > width and len(words) > 1:
        cut = min(
            range(1, len(words)), key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:])))
        )
        lines = [" ".join(words[:cut]), " ".join(words[cut:])]
    return lines, min(fit_size(line, size, width) for line in lines)


def panel(
    surface: pygame.Surface,
    rect: pygame.Rect | tuple,
    colour=INK,
    alpha: int = 170,
    radius: int = 18,
    border: tuple[int, int, int] | None = None,
) -> pygame.Rect:
    """A translucent rounded box behind HUD text."""
    rect = pygame.Rect(rect)
    box = pygame.Surface(rect.size, pygame.SRCALPHA)
    pygame.draw.rect(box, (*colour, alpha), box.get_rect(), border_radius=radius)
    if border is not None:
        pygame.draw.rect(box, (*border, 255), box.get_rect(), width=3, border_radius=radius)
    surface.blit(box, rect)
    return rect


def dim(surface: pygame.Surface, alpha: int = 140) -> None:
    """Darken the whole surface (behind overlays and results)."""
    shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    shade.fill((0, 0, 0, alpha))
    surface.blit(shade, (0, 0))


def ring(
    surface: pygame.Surface, centre, radius: float, progress: float, colour=YELLOW, width: int = 8
) -> None:
    """A progress ring: a faint full circle and an arc filled clockwise from the top."""
    cx, cy = float(centre[0]), float(centre[1])
    r = int(radius)
    pygame.draw.circle(surface, (60, 60, 70), (int(cx), int(cy)), r, max(2, width // 3))
    p = min(max(progress, 0.0), 1.0)
    if p <= 0:
        return
    rect = pygame.Rect(int(cx - r), int(cy - r), 2 * r, 2 * r)
    start = math.pi / 2 - 2 * math.pi * p
    pygame.draw.arc(surface, colour, rect, start, math.pi / 2, width)
    if p >= 1:
        pygame.draw.circle(surface, colour, (int(cx), int(cy)), r, width)


def draw_cursor(
    surface: pygame.Surface, pos, colour, progress: float = 0.0, label: str | None = None
) -> None:
    """A hand cursor: filled dot with a white rim, and the dwell ring around it."""
    h = surface.get_height()
    r = max(10, h // 40)
    x, y = int(pos[0]), int(pos[1])
    pygame.draw.circle(surface, BLACK, (x + 2, y + 2), r)
    pygame.draw.circle(surface, colour, (x, y), r)
    pygame.draw.circle(surface, WHITE, (x, y), r, 3)
    if progress > 0:
        ring(surface, (x, y), r * 2.2, progress, YELLOW, max(5, r // 2))
    if label:
        text(surface, label, (x, y - r * 2.6), max(18, h // 30), colour)


class MenuButton:
    """A big drawn button of the games' screens, pressed by a hand cursor.

    The pressing is :class:`arpose.input.DwellButton`'s (the one dwell-to-click
    logic, pinch-to-click included), strictly once per visit: after a press the
    cursor must leave before the button can fire again. This class adds the look
    (label, subtitle, colour) and an ``id`` the view's ``on_button`` receives, and
    takes the frame's ``dt`` where the logic takes a time.
    """

    def __init__(
        self,
        id: str,
        label: str,
        rect: pygame.Rect,
        dwell: float = 1.0,
        colour: tuple[int, int, int] = BLUE,
        subtitle: str = "",
    ) -> None:
        self.id, self.label, self.subtitle, self.colour = id, label, subtitle, colour
        self.rect = pygame.Rect(rect)
        self.press = DwellButton(tuple(self.rect), dwell=dwell, label=label, key=id, rearm=math.inf)
        self._t = 0.0

    @property
    def progress(self) -> float:
        return self.press.progress

    @property
    def hovered(self) -> bool:
        return self.press.hovered

    @property
    def dwell(self) -> float:
        return self.press.dwell

    def disarm(self) -> None:
        """For a screen opening under the player's hand: leave first, then dwell."""
        self.press.disarm()

    def update(
        self, cursors: Iterable[tuple[float, float]], dt: float, pinches: Iterable[tuple[float, float]] = ()
    ) -> bool:
        """Advance by ``dt`` seconds with the cursors and this frame's pinch positions;
        True on the frame the button is pressed."""
        self._t += float(dt)
        return self.press.update(list(cursors), self._t, pinches)

    def draw(self, surface: pygame.Surface) -> None:
        h = surface.get_height()
        base = tuple(min(255, int(c * (1.25 if self.hovered else 1.0))) for c in self.colour)
        panel(
            surface,
            self.rect,
            base,
            225 if self.hovered else 190,
            radius=22,
            border=WHITE if self.hovered else None,
        )
        if self.progress > 0:  # the fill grows from the left edge
            fill = self.rect.copy()
            fill.width = max(1, int(self.rect.width * self.progress))
            panel(surface, fill, YELLOW, 110, radius=22)
        size = max(24, int(min(self.rect.height * 0.45, h / 14)))
        if self.subtitle:
            text(surface, self.label, (self.rect.centerx, self.rect.centery - size * 0.35), size)
            lines, sub = fit_lines(self.subtitle, max(18, int(h / 32)), self.rect.width * 0.92)
            for i, line in enumerate(lines):
                y = self.rect.centery + size * (0.6 if len(lines) == 1 else 0.45) + i * sub * 1.1
                text(surface, line, (self.rect.centerx, y), sub, (235, 235, 245))
        else:
            text(surface, self.label, self.rect.center, size)
        if self.press.hover_pos is not None and self.progress > 0:
            ring(surface, self.press.hover_pos, max(22, h // 18), self.progress, YELLOW, 8)


def button_pair(
    size: tuple[int, int], width: float, height: float, top: float
) -> tuple[pygame.Rect, pygame.Rect]:
    """Rects for two buttons side by side, centred with a 60 px gap (the results and
    pause screens' choice of two); ``width``, ``height`` and ``top`` are fractions of
    the screen."""
    W, H = size
    bw, bh, y = int(W * width), int(H * height), int(H * top)
    return pygame.Rect(W // 2 - bw - 30, y, bw, bh), pygame.Rect(W // 2 + 30, y, bw, bh)


def prompt(surface: pygame.Surface, title: str, detail: str = "", colour=YELLOW, t: float = 0.0) -> None:
    """A big centred message over a dimmed screen ("Step into view", "Paused")."""
    W, H = surface.get_size()
    dim(surface, 120)
    pulse = 1.0 + 0.04 * math.sin(t * 4.0)
    box = pygame.Rect(0, 0, int(W * 0.7), int(H * (0.32 if detail else 0.22)))
    box.center = (W // 2, H // 2)
    panel(surface, box, INK, 200, border=colour)
    text(surface, title, (W / 2, box.centery - (H * 0.04 if detail else 0)), int(H / 9 * pulse), colour)
    if detail:
        text(surface, detail, (W / 2, box.centery + H * 0.08), int(H / 22), WHITE)


def hearts(surface: pygame.Surface, left: int, centre_y: int, lives: int, slots: int, size: int) -> None:
    """``slots`` hearts in a row from ``left``; the first ``lives`` red, the rest grey."""
    r = max(int(size), 4)
    for i in range(max(slots, lives)):
        cx = left + r + i * (2 * r + 14)
        col = RED if i < lives else (70, 70, 80)
        cy = centre_y
        pygame.draw.circle(surface, col, (cx - r // 2, cy - r // 3), int(r / 1.6))
        pygame.draw.circle(surface, col, (cx + r // 2, cy - r // 3), int(r / 1.6))
        pygame.draw.polygon(
            surface, col, [(cx - r * 1.1, cy - r // 6), (cx + r * 1.1, cy - r // 6), (cx, cy + r)]
        )


def bar(surface: pygame.Surface, rect, fraction: float, colour=GREEN, back=(40, 40, 50)) -> None:
    """A horizontal progress/timer bar."""
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, back, rect, border_radius=rect.height // 2)
    f = min(max(fraction, 0.0), 1.0)
    if f > 0:
        fill = rect.copy()
        fill.width = max(rect.height, int(rect.width * f))
        pygame.draw.rect(surface, colour, fill, border_radius=rect.height // 2)
    pygame.draw.rect(surface, WHITE, rect, 2, border_radius=rect.height // 2)


__all__ = [
    "MenuButton",
    "button_pair",
    "fit_size",
    "fit_lines",
    "text",
    "panel",
    "dim",
    "ring",
    "draw_cursor",
    "prompt",
    "bar",
    "font",
    "ensure_pygame",
    "hearts",
    "PLAYER_COLOURS",
    "WHITE",
    "BLACK",
    "INK",
    "YELLOW",
    "ORANGE",
    "RED",
    "GREEN",
    "CYAN",
    "MAGENTA",
    "BLUE",
]
