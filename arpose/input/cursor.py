"""Hand cursors and dwell-to-click buttons: pointing with the body alone.

:class:`HandCursor` turns one player's hand into a screen position. The hand is
mapped through a **reach box** attached to the body (:class:`ReachBox`, in
shoulder widths relative to the hand's own shoulder), not through the camera
image: a comfortable arm movement covers the whole screen whether the player
stands near or far, centred or at the edge of the picture. The box's anchor
(shoulder and scale) is smoothed slowly so swaying does not move the cursor, and
the cursor itself is One-Euro smoothed (steady when still, quick when moving).

Mirror-aware: the screen is a mirror view, so the user's right hand moving to the
user's right moves the cursor right on screen (``flip=False`` turns that off for an
unmirrored view).

The cursor is hidden (``pos`` None) while the hand hangs down (wrist more than
``ReachBox.active_below`` shoulder widths below the shoulder) or is not tracked,
so a resting arm never clicks anything. With ``hand="auto"`` the higher hand
points; the other hand takes over only when it is clearly higher
(``switch_margin``).

:class:`DwellButton` is the logic of a dwell-to-click button: hovering ``dwell``
seconds presses it; ``progress`` (0..1) drives a visible ring
(:func:`draw_dwell_ring` draws one with pygame).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..pose import Pose
from ..tracking.filters import OneEuroFilter
from .body_view import BodyView, body_view

HANDS = ("auto", "left", "right")
LANDMARKS = ("wrist", "index")


@dataclass(frozen=True)
class ReachBox:
    """The region of comfortable hand positions that maps onto the whole screen.

    In shoulder widths, relative to the pointing hand's shoulder, from the user's
    point of view: ``out`` grows away from the body's midline, ``up`` grows upward.

    Attributes:
        out: horizontal centre of the box (0.3: slightly outside the shoulder).
        up: vertical centre (0.25: a bit above the shoulder).
        width, height: size of the box (1.5 x 1.3: from the midline to 1.05 outward,
            from 0.4 below to 0.9 above the shoulder; the far corner is 1.4 su from the
            shoulder, inside the 1.5 su reach of a straight arm).
        active_below: the cursor hides when the hand is more than this far below the
            shoulder (a hanging arm is about 1.5 below).
    """

    out: float = 0.3
    up: float = 0.25
    width: float = 1.5
    height: float = 1.3
    active_below: float = 0.9

    def __post_init__(self) -> None:
        if not (self.width > 0 and self.height > 0):
            raise ValueError(f"ReachBox width and height must be > 0, got {self.width} x {self.height}")


class HandCursor:
    """A smoothed, mirror-aware screen cursor driven by one person's hand.

    Args:
        screen_size: (width, height) in screen pixels.
        hand: "auto" (the higher hand), "left" or "right" (the user's own hand).
        landmark: "wrist" (steadiest) or "index" (fingertip; reaches further).
        box: the reach box.
        flip: the screen is a mirror view (default True).
        min_cutoff, beta: One-Euro parameters on normalised screen coordinates.
        anchor_tau: time constant (s) of the shoulder/scale anchor smoothing.
        switch_margin: in auto mode, how much higher (shoulder widths) the other hand
            must be to take over.
    """

    def __init__(
        self,
        screen_size: tuple[int, int] = (1280, 720),
        *,
        hand: str = "auto",
        landmark: str = "wrist",
        box: ReachBox | None = None,
        flip: bool = True,
        min_cutoff: float = 0.3,
        beta: float = 2.0,
        anchor_tau: float = 1.0,
        switch_margin: float = 0.3,
    ):
        if hand not in HANDS:
            raise ValueError(f"hand must be one of {', '.join(HANDS)}, got {hand!r}")
        if landmark not in LANDMARKS:
            raise ValueError(f"landmark must be one of {', '.join(LANDMARKS)}, got {landmark!r}")
        self.screen_size = (int(screen_size[0]), int(screen_size[1]))
        self.hand_mode = hand
        self.landmark = landmark
        self.box = box or ReachBox()
        self.flip = flip
        self.anchor_tau = float(anchor_tau)
        self.switch_margin = float(switch_margin)
        self._filter = OneEuroFilter(min_cutoff=min_cutoff, beta=beta)
        self.reset()

    def reset(self) -> None:
        self.pos: tuple[float, float] | None = None
        """Screen position, None while hidden."""
        self.norm: tuple[float, float] | None = None
        """Position in 0..1 screen units (x right, y down), None while hidden."""
        self.hand: str | None = None
        """Which hand ("left"/"right") points now."""
        self._anchor: np.ndarray | None = None  # (shoulder_x, shoulder_y, scale) px
        self._t: float | None = None
        self._filter.reset()

    @property
    def active(self) -> bool:
        return self.pos is not None

    def set_screen_size(self, size: tuple[int, int]) -> None:
        self.screen_size = (int(size[0]), int(size[1]))
        if self.norm is not None:
            self.pos = (self.norm[0] * self.screen_size[0], self.norm[1] * self.screen_size[1])

    def _pick_hand(self, v: BodyView) -> str | None:
        tip = "wrist" if self.landmark == "wrist" else "index"
        rises = {}
        for side in ("left", "right"):
            if v.sees(f"{side}_{tip}", f"{side}_shoulder"):
                r = v.rise(f"{side}_{tip}", f"{side}_shoulder")
                if r >= -self.box.active_below:
                    rises[side] = r
        if self.hand_mode != "auto":
            return self.hand_mode if self.hand_mode in rises else None
        if not rises:
            return None
        if self.hand in rises:
            other = "left" if self.hand == "right" else "right"
            if other in rises and rises[other] > rises[self.hand] + self.switch_margin:
                return other
            return self.hand
        return max(rises, key=rises.__getitem__)

    def update(self, pose: Pose | None, t: float) -> tuple[float, float] | None:
        """Move the cursor from this frame's pose; returns the screen position or None."""
        t = float(t)
        if self._t is not None and (t < self._t or not math.isfinite(t)):
            self.reset()
        if not math.isfinite(t):
            return None
        prev_t, self._t = self._t, t
        v = body_view(pose)
        hand = self._pick_hand(v) if v is not None else None
        if v is None or hand is None:
            self.pos = self.norm = None
            self.hand = None
            self._filter.reset()
            return None
        if hand != self.hand:
            self._filter.reset()  # no glide from the old hand to the new one
        self.hand = hand
        tip = v[f"{hand}_{self.landmark}"]
        shoulder = v[f"{hand}_shoulder"]
        # anchor in image px: (shoulder x, shoulder y, scale), smoothed slowly
        sh_img = v.to_image(shoulder)
        raw_anchor = np.array([sh_img[0], sh_img[1], v.scale])
        if self._anchor is None or prev_t is None:
            self._anchor = raw_anchor
        else:
            a = 1.0 - math.exp(-max(t - prev_t, 0.0) / max(self.anchor_tau, 1e-6))
            self._anchor = self._anchor + a * (raw_anchor - self._anchor)
        tip_img = v.to_image(tip)
        scale = float(self._anchor[2])
        # user frame: x toward the user's right (image-left), y down
        ux = -(tip_img[0] - self._anchor[0]) / scale
        uy = (tip_img[1] - self._anchor[1]) / scale
        out_sign = 1.0 if hand == "right" else -1.0
        b = self.box
        nx = (ux - out_sign * b.out) / b.width + 0.5
        ny = (uy + b.up) / b.height + 0.5
        if not self.flip:
            nx = 1.0 - nx
        raw = np.clip(np.array([nx, ny]), 0.0, 1.0)
        sm = np.clip(self._filter(raw, t), 0.0, 1.0)
        self.norm = (float(sm[0]), float(sm[1]))
        self.pos = (self.norm[0] * self.screen_size[0], self.norm[1] * self.screen_size[1])
        return self.pos


class DwellButton:
    """Dwell-to-click: a cursor that stays on the button for ``dwell`` seconds presses it.

    Args:
        rect: (x, y, width, height) in screen pixels (a pygame.Rect works too).
        dwell: seconds of hovering needed (default 1.0).
        label: text for drawing; ``key`` anything the caller wants back.
        grace: leaving the button for less than this (cursor jitter at the edge) does
            not reset the progress.
        rearm: after a press the button needs the cursor to leave it before it can be
            pressed again, or this many seconds of continued hovering.

    Call :meth:`update` once per frame with the cursors (screen positions or None)
    and the current time; it returns True on the frame the button is pressed.
    ``progress`` (0..1) is for the ring; ``pressed_by`` is the index of the cursor
    that pressed it; ``hover_pos`` the cursor over it (None when none is).

    **Pinch-to-click**: ``update(..., pinches=[pos, ...])`` takes the screen
    positions where a hand pinched this frame (``BodyInput`` pinch events, or
    :meth:`arpose.play.PlayApp.take_pinches`). A pinch inside presses the button at
    once, armed or not, since it is a deliberate click; dwelling stays the fallback.
    Use ``rearm=math.inf`` for strictly one press per visit (the games' menus).
    """

    def __init__(
        self,
        rect: Sequence[float] | Any,
        *,
        dwell: float = 1.0,
        label: str = "",
        key: object = None,
        grace: float = 0.15,
        rearm: float = 2.0,
    ):
        x, y, w, h = (float(v) for v in tuple(rect))
        if not (w > 0 and h > 0):
            raise ValueError(f"DwellButton rect needs a positive size, got {tuple(rect)}")
        if not (dwell > 0 and math.isfinite(dwell)):
            raise ValueError(f"dwell must be > 0 seconds, got {dwell}")
        self.rect = (x, y, w, h)
        self.dwell = float(dwell)
        self.label = label
        self.key = key
        self.grace = float(grace)
        self.rearm = float(rearm)
        self.progress = 0.0
        self.hovered = False
        self.pressed_by: int | None = None
        self._start: float | None = None
        self._last_in: float | None = None
        self._armed = True
        self._hover_idx: int | None = None
        self.hover_pos: tuple[float, float] | None = None

    def contains(self, pos: tuple[float, float] | None) -> bool:
        if pos is None:
            return False
        x, y, w, h = self.rect
        px, py = float(pos[0]), float(pos[1])
        return x <= px < x + w and y <= py < y + h

    @property
    def center(self) -> tuple[float, float]:
        x, y, w, h = self.rect
        return x + w / 2, y + h / 2

    def reset(self) -> None:
        self.progress, self.hovered, self._start, self._last_in = 0.0, False, None, None
        self.hover_pos = None
        self._armed = True

    def disarm(self) -> None:
        """A cursor already over the button must leave (or hover ``rearm`` seconds)
        before dwelling presses it: for a screen that opens under the player's hand."""
        self._armed = False
        self.progress = 0.0

    def update(
        self,
        cursors: Iterable[tuple[float, float] | None] | tuple[float, float] | None,
        t: float,
        pinches: Iterable[tuple[float, float]] = (),
    ) -> bool:
        """Advance with this frame's cursor(s); True when the button is pressed now."""
        t = float(t)
        if cursors is None or (
            isinstance(cursors, tuple)
            and len(cursors) == 2
            and all(isinstance(c, (int, float)) for c in cursors)
        ):
            cursors = [cursors]  # type: ignore[list-item]
        points: list[tuple[float, float] | None] = list(cursors)  # type: ignore[arg-type]
        inside = [i for i, c in enumerate(points) if self.contains(c)]
        self.hovered = bool(inside)
        self.hover_pos = points[inside[0]] if inside else None
        pinch = next((p for p in pinches if self.contains(p)), None)
        if pinch is not None:
            self.hovered = True
            self.hover_pos = self.hover_pos or (float(pinch[0]), float(pinch[1]))
            self.pressed_by = inside[0] if inside else None
            self._armed, self._start, self._last_in = False, t, t
            self.progress = 0.0
            return True
        if inside:
            self._hover_idx = inside[0]
            self._last_in = t
            if self._start is None:
                self._start = t
        elif self._last_in is None or t - self._last_in > self.grace:
            self._start, self._last_in = None, None
            self._armed = True
            self.progress = 0.0
            return False
        if self._start is None:
            return False
        if not self._armed:
            if t - self._start >= self.rearm:
                self._armed, self._start = True, t
            self.progress = 0.0
            return False
        self.progress = min(max((t - self._start) / self.dwell, 0.0), 1.0)
        if t - self._start >= self.dwell - 1e-6:  # sums of frame dt (10 x 0.1 < 1.0)
            self.pressed_by = self._hover_idx
            self._armed = False
            self._start = t
            self.progress = 1.0
            return True
        return False


def draw_dwell_ring(
    surface: Any,
    center: tuple[float, float],
    radius: float,
    progress: float,
    color: tuple[int, int, int] = (255, 255, 255),
    width: int = 6,
    track: tuple[int, int, int] | None = (90, 90, 90),
) -> None:
    """Draw a progress ring (pygame): a faint full circle and an arc from 12 o'clock
    clockwise covering ``progress`` (0..1)."""
    import pygame  # lazy: arpose.input works without pygame and a display

    cx, cy = float(center[0]), float(center[1])
    r = max(float(radius), 1.0)
    rect = pygame.Rect(int(cx - r), int(cy - r), int(2 * r), int(2 * r))
    if track is not None:
        pygame.draw.circle(surface, track, (int(cx), int(cy)), int(r), max(1, width // 3))
    p = min(max(float(progress), 0.0), 1.0)
    if p <= 0.0:
        return
    if p >= 1.0:
        pygame.draw.circle(surface, color, (int(cx), int(cy)), int(r), width)
        return
    # pygame arcs go counter-clockwise from 3 o'clock; clockwise from 12 = [90 - 360p, 90]
    end = math.pi / 2
    start = end - 2 * math.pi * p
    pygame.draw.arc(surface, color, rect, start, end, width)


__all__ = ["HandCursor", "ReachBox", "DwellButton", "draw_dwell_ring", "HANDS", "LANDMARKS"]
