"""Player slots: which tracked person is player 1, player 2, ...

Rules (what a game standing in front of a webcam needs):

* **Joining**: empty slots are filled with the most central tracked people (by
  horizontal distance from the image centre). When several slots fill in the same
  frame they are ordered left to right *on the screen* (mirror-aware), so in a
  two-player game player 1 stands on the left.
* **Extras are ignored**: once every slot is taken, other people are never swapped
  in, however central they walk.
* **Partial bodies**: a person whose shoulders are out of the picture still counts when the
  hips and knees are in view (a squat filmed close loses the head at the top of each rep).
* **Leaving**: a player not seen for ``leave_after`` (0.5 s) becomes ``absent`` (a
  ``"left"`` event; games pause). Short dropouts inside that grace time change
  nothing.
* **Returning**: an absent slot is re-bound to the same person id when the tracker
  reports it again; if the id changed (the tracker lost them), to an unclaimed
  person within ``rejoin_radius`` shoulder widths of where the player was last seen,
  and after ``rejoin_any_after`` (3 s) to the most central unclaimed person of a
  similar size (``"returned"`` event).

Poses without ids (``id == -1``, e.g. from an unsmoothed pipeline) are associated
by position only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

import numpy as np

from ..joints import JOINT_INDEX
from ..pose import Pose, PoseFrame
from .body_view import MIN_VISIBILITY, body_scale

if TYPE_CHECKING:  # only for annotations: players.py does not depend on them
    from ..coach import RepCounter
    from .cursor import HandCursor
    from .gestures import GestureDetector

EMPTY, PRESENT, ABSENT = "empty", "present", "absent"


@dataclass(frozen=True)
class PlayerEvent:
    """A player joined, left or returned.

    Attributes:
        player: slot index (0-based; player number = player + 1).
        change: "joined", "left" or "returned".
        t: timestamp of the frame.
        person_id: the tracker's id of the person in the slot.
    """

    player: int
    change: str
    t: float
    person_id: int = -1

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(eq=False)
class Player:
    """One player slot and, when used through :class:`~arpose.BodyInput`, its input.

    Attributes:
        slot: 0-based index (``number`` is 1-based for display).
        state: "empty" (never joined), "present" or "absent" (left; the game should pause).
        person_id: tracker id of the person bound to this slot (-1 unknown).
        pose: the person's pose in the latest frame, None when not in it.
        center: last known torso centre in image pixels.
        scale: last known shoulder width in pixels.
        last_seen: timestamp the person was last in a frame.
        pointer / gestures / reps: the player's :class:`HandCursor`,
            :class:`GestureDetector` and :class:`RepCounter` (set by BodyInput).
        hands: screen positions of the wrists, ``{"left": (x, y) | None, "right": ...}``
            (set by BodyInput; user's own left and right).
    """

    slot: int
    state: str = EMPTY
    person_id: int = -1
    pose: Pose | None = None
    center: np.ndarray | None = None
    scale: float = float("nan")
    last_seen: float = -math.inf
    absent_since: float | None = None
    pointer: HandCursor | None = None
    gestures: GestureDetector | None = None
    reps: RepCounter | None = None
    hands: dict[str, tuple[float, float] | None] = field(
        default_factory=lambda: {"left": None, "right": None}
    )

    @property
    def number(self) -> int:
        return self.slot + 1

    @property
    def present(self) -> bool:
        return self.state == PRESENT

    @property
    def cursor(self) -> tuple[float, float] | None:
        """Screen position of this player's hand cursor, None when hidden (hand down,
        not tracked, or no pointer attached)."""
        return self.pointer.pos if self.pointer is not None else None

    @property
    def active_gestures(self) -> set[str]:
        """Held gestures right now (see :attr:`GestureDetector.active`)."""
        return self.gestures.active if self.gestures is not None else set()

    def __repr__(self) -> str:
        return f"Player({self.number}, {self.state}, id={self.person_id})"


_LOWER_BODY = tuple(JOINT_INDEX[n] for n in ("left_hip", "right_hip", "left_knee", "right_knee"))


def _usable(pose: Pose) -> bool:
    """A person to bind: measurable shoulders, or (head and shoulders out of the top of the
    picture, as in a squat filmed close) hips and knees in view."""
    if not bool(np.all(np.isfinite(pose.center))):
        return False
    if math.isfinite(body_scale(pose)):
        return True
    lower = pose.landmarks[list(_LOWER_BODY)]
    return bool(np.all(np.isfinite(lower[:, :2])) and np.all(lower[:, 3] >= MIN_VISIBILITY))


class PlayerSlots:
    """Keeps ``count`` player slots bound to tracked people across frames.

    Args:
        count: number of players (1..8).
        leave_after: seconds unseen before a present player becomes absent.
        rejoin_radius: position fallback radius in the player's shoulder widths.
        rejoin_any_after: seconds absent after which any similar-sized unclaimed
            person may take the slot.
        flip: screen shows a mirror view (for left-to-right ordering on join).
    """

    def __init__(
        self,
        count: int = 2,
        *,
        leave_after: float = 0.5,
        rejoin_radius: float = 2.5,
        rejoin_any_after: float = 3.0,
        flip: bool = True,
    ):
        if not 1 <= int(count) <= 8:
            raise ValueError(f"players must be between 1 and 8, got {count}")
        self.count = int(count)
        self.leave_after = float(leave_after)
        self.rejoin_radius = float(rejoin_radius)
        self.rejoin_any_after = float(rejoin_any_after)
        self.flip = flip
        self.accept_new = True
        """Set False to stop empty slots from filling (e.g. during a round)."""
        self.players = [Player(i) for i in range(self.count)]
        self._t: float | None = None

    def reset(self) -> None:
        """Empty every slot (the next frame picks players afresh)."""
        self.players = [
            Player(i, pointer=p.pointer, gestures=p.gestures, reps=p.reps) for i, p in enumerate(self.players)
        ]
        self._t = None

    def __getitem__(self, i: int) -> Player:
        return self.players[i]

    def __iter__(self):
        return iter(self.players)

    def __len__(self) -> int:
        return self.count

    @property
    def joined(self) -> list[Player]:
        """Players that have joined (present or absent)."""
        return [p for p in self.players if p.state != EMPTY]

    @property
    def waiting(self) -> bool:
        """True when the game should pause: nobody has joined, or a joined player is absent."""
        joined = self.joined
        return not joined or any(p.state == ABSENT for p in joined)

    def update(self, frame: PoseFrame) -> list[PlayerEvent]:
        """Bind this frame's people to slots; returns join/leave/return events."""
        t = float(frame.t)
        if not math.isfinite(t):
            return []
        if self._t is not None and t < self._t:
            self.reset()
        self._t = t
        w = float(frame.size[0]) if frame.size and frame.size[0] else 1.0
        poses = [p for p in frame.poses if _usable(p)]
        claimed: set[int] = set()
        bound: dict[int, Pose] = {}
        events: list[PlayerEvent] = []

        # 1. same person id
        for pl in self.players:
            if pl.state == EMPTY or pl.person_id < 0:
                continue
            for i, pose in enumerate(poses):
                if i not in claimed and pose.id == pl.person_id:
                    claimed.add(i)
                    bound[pl.slot] = pose
                    break
        # 2. position fallback for joined slots not found by id
        for pl in self.players:
            if pl.state == EMPTY or pl.slot in bound or pl.center is None:
                continue
            best, best_d = None, math.inf
            radius = self.rejoin_radius * (pl.scale if math.isfinite(pl.scale) else w / 10)
            for i, pose in enumerate(poses):
                if i in claimed or self._owned_by_other(pose, pl):
                    continue
                d = float(np.linalg.norm(pose.center - pl.center))
                if d < radius and d < best_d:
                    best, best_d = i, d
            if (
                best is None
                and pl.state == ABSENT
                and pl.absent_since is not None
                and t - pl.absent_since >= self.rejoin_any_after
            ):
                best = self._most_central(poses, claimed, w, like=pl)
            if best is not None:
                claimed.add(best)
                bound[pl.slot] = poses[best]
        # 3. fill empty slots with the most central unclaimed people
        empty = [pl for pl in self.players if pl.state == EMPTY] if self.accept_new else []
        picks: list[int] = []
        for _ in empty:
            pick = self._most_central(poses, claimed, w)
            if pick is None:
                break
            claimed.add(pick)
            picks.append(pick)
        if picks:
            sign = -1.0 if self.flip else 1.0  # screen x order
            picks.sort(key=lambda i: sign * float(poses[i].center[0]))
            for pl, i in zip(empty, picks):
                bound[pl.slot] = poses[i]
                pl.state = PRESENT
                events.append(PlayerEvent(pl.slot, "joined", t, poses[i].id))
        # 4. update slots
        for pl in self.players:
            seen = bound.get(pl.slot)
            if seen is not None:
                if pl.state == ABSENT:
                    pl.state = PRESENT
                    events.append(PlayerEvent(pl.slot, "returned", t, seen.id))
                pl.pose, pl.person_id = seen, seen.id
                pl.center = np.asarray(seen.center, np.float64).copy()
                scale = body_scale(seen)
                if math.isfinite(scale) or not math.isfinite(pl.scale):
                    pl.scale = scale  # keep the last known size while shoulders are out
                pl.last_seen, pl.absent_since = t, None
            else:
                pl.pose = None
                if pl.state == PRESENT and t - pl.last_seen >= self.leave_after:
                    pl.state, pl.absent_since = ABSENT, t
                    events.append(PlayerEvent(pl.slot, "left", t, pl.person_id))
        return events

    def _owned_by_other(self, pose: Pose, pl: Player) -> bool:
        """Pose carries the id of another joined player (who is just not matched yet)."""
        return pose.id >= 0 and any(
            o is not pl and o.state != EMPTY and o.person_id == pose.id for o in self.players
        )

    def _most_central(
        self, poses: list[Pose], claimed: set[int], w: float, like: Player | None = None
    ) -> int | None:
        best, best_key = None, (math.inf, 0.0)
        for i, pose in enumerate(poses):
            if i in claimed or (like is not None and self._owned_by_other(pose, like)):
                continue
            if like is None and any(o.state != EMPTY and o.person_id == pose.id >= 0 for o in self.players):
                continue
            s = body_scale(pose)
            if like is not None and math.isfinite(like.scale) and not 0.6 <= s / like.scale <= 1.6:
                continue
            key = (abs(float(pose.center[0]) - w / 2) / w, -s)
            if key < best_key:
                best, best_key = i, key
        return best


__all__ = ["Player", "PlayerEvent", "PlayerSlots", "EMPTY", "PRESENT", "ABSENT"]
