"""What the games read about the players each frame: poses per slot, hand cursors, gestures.

This is the seam between the game framework and :mod:`arpose.input`: games call
``app.player(slot)`` / ``app.cursors()`` and receive gestures through
``on_gesture``; this module turns PoseFrames into those.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from ..joints import joint_index
from ..pose import Pose, PoseFrame
from .camera import ScreenMap

log = logging.getLogger(__name__)

_LW, _RW = joint_index("left_wrist"), joint_index("right_wrist")
_LS, _RS = joint_index("left_shoulder"), joint_index("right_shoulder")


def _finite_pose(pose: Pose) -> bool:
    lm = pose.landmarks
    return bool(np.isfinite(lm[[_LS, _RS], :2]).all())


class PlayerInput:
    """Player slots and hand cursors for the games.

    Slots: the most central people fill the slots; a slot keeps its person (by
    tracker id) for as long as they are in view, so an extra person walking in is
    never swapped in; an empty slot is refilled by the most central unassigned
    person. Cursor: the higher hand, mapped through a reach box around the
    shoulders (the arm's comfortable range covers the whole window), smoothed.
    """

    def __init__(self, screen_size: tuple[int, int], players: int = 1,
                 smoothing_s: float = 0.08) -> None:
        self.screen_size = screen_size
        self.n = players
        self.smoothing_s = smoothing_s
        self._ids: list[int | None] = [None] * players
        self._poses: list[Pose | None] = [None] * players
        self._cursor: list[np.ndarray | None] = [None] * players
        self._hand: list[int] = [_RW] * players
        self._t: float | None = None

    def feed(self, pf: PoseFrame, smap: ScreenMap) -> list[Any]:
        """Update from a frame; returns gesture events (none from this fallback)."""
        dt = 0.0 if self._t is None else max(float(pf.t) - self._t, 0.0)
        self._t = float(pf.t)
        poses = [p for p in pf.poses if _finite_pose(p)]
        w, h = pf.size
        centre = np.array([w / 2.0, h / 2.0], np.float32)

        def dist(p: Pose) -> float:
            return float(np.linalg.norm(p.landmarks[[_LS, _RS], :2].mean(axis=0) - centre))

        by_id = {p.id: p for p in poses if p.id >= 0}
        taken: set[int] = set()
        new: list[Pose | None] = [None] * self.n
        for s, pid in enumerate(self._ids):
            if pid is not None and pid in by_id:
                new[s] = by_id[pid]
                taken.add(id(by_id[pid]))
        free = sorted((p for p in poses if id(p) not in taken), key=dist)
        for s in range(self.n):
            if new[s] is None and free:
                new[s] = free.pop(0)
        if self.n == 2 and all(p is not None for p in new) and self._ids == [None, None]:
            # Fresh start with two people: player 1 is the one on the left of the screen
            # (mirrored view: larger source x).
            a, b = new
            if a.landmarks[_LS, 0] < b.landmarks[_LS, 0]:  # type: ignore[union-attr]
                new = [b, a]
        self._poses = new
        self._ids = [None if p is None else (p.id if p.id >= 0 else None) for p in new]
        for s, p in enumerate(new):
            self._cursor[s] = None if p is None else self._update_cursor(s, p, smap, dt)
        return []

    def _update_cursor(self, s: int, pose: Pose, smap: ScreenMap, dt: float) -> np.ndarray | None:
        lm = pose.landmarks
        sh = lm[[_LS, _RS], :2]
        sw = float(np.linalg.norm(sh[0] - sh[1]))
        if not np.isfinite(sw) or sw < 2:
            return None
        # Pick the raised hand, with hysteresis so the cursor does not flip between hands.
        cur, other = self._hand[s], _LW if self._hand[s] == _RW else _RW
        if lm[other, 1] < lm[cur, 1] - 0.3 * sw and lm[other, 3] > 0.5:
            self._hand[s] = cur = other
        hand = lm[cur, :2]
        if not np.isfinite(hand).all() or lm[cur, 3] < 0.3:
            return self._cursor[s]
        mid = sh.mean(axis=0)
        # Reach box in source pixels: 4.4 shoulder widths wide, from 2 above to 1.2 below.
        x0, x1 = mid[0] - 2.2 * sw, mid[0] + 2.2 * sw
        y0, y1 = mid[1] - 2.0 * sw, mid[1] + 1.2 * sw
        u = np.clip((hand[0] - x0) / (x1 - x0), 0, 1)
        v = np.clip((hand[1] - y0) / (y1 - y0), 0, 1)
        if smap.mirror:
            u = 1 - u
        W, H = self.screen_size
        target = np.array([u * W, v * H], np.float32)
        prev = self._cursor[s]
        if prev is None or dt <= 0:
            return target
        a = 1.0 - np.exp(-dt / self.smoothing_s)
        return prev + (target - prev) * a

    def pose(self, slot: int) -> Pose | None:
        return self._poses[slot] if 0 <= slot < self.n else None

    def cursor(self, slot: int) -> tuple[float, float] | None:
        c = self._cursor[slot] if 0 <= slot < self.n else None
        return None if c is None else (float(c[0]), float(c[1]))


__all__ = ["PlayerInput"]
