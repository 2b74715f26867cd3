"""Repetition counting: a hysteresis state machine over an exercise's 0..1 progress.

    REST --(progress >= enter, held min_hold s)--> ACTIVE
    ACTIVE --(progress <= exit, held min_hold s)--> REST   => one rep

**A rep is counted when the movement happens; its form is judged separately.** Each rep
carries its range (peak progress: a fraction of a full rep), its tempo (``down``: from
leaving rest to the deepest point, ``up``: back to rest) and its form flags ("go deeper",
"knees in", "arms higher"). ``good_count`` counts reps with no flag. Leaving reps uncounted
for bad form is an explicit option (``policy="good"``), never the default.

A rep starts from rest: a clip that begins in the middle of a movement counts its first rep
only after the person has been seen at rest once.

Tracking gaps: when the joints the exercise needs go out of view the counter waits (status
``"missing"``) and keeps its state, so a rep that straddles a short close-up or a frame
with the legs cut off still counts when the body comes back; after ``max_gap`` seconds
without the needed joints the rep in progress is dropped.
"""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ..errors import ArposeError
from ..pose import Pose
from .exercises import Exercise, Joints
from .learned import resolve_exercise

POLICIES = ("all", "good")
TOP_EDGE = 0.25
"""The top of the body within this many leg lengths of the picture's top edge is "at the
edge" (see :meth:`RepCounter._left_over_top`)."""
REST_TOLERANCE = 0.05
"""A pose within this much (of a full rep) of the lowest reading at rest is still at rest:
``down`` is timed from the last such moment."""
HOLD_TOLERANCE = 0.05
"""A pose within this much (of a full rep) of the rep's extreme is still holding it: the
hold is the bottom of a squat, and ``up`` is timed from its end."""


@dataclass(frozen=True)
class RepEvent:
    """A counted rep (``kind="rep"``), a movement that did not count (``kind="attempt"``:
    only below ``enter``, too fast, or rejected by ``policy="good"``), or a change of
    tracking status (``kind="status"``).

    Attributes:
        exercise: exercise name.
        kind: "rep", "attempt" or "status".
        count: reps counted so far (including this one).
        t: timestamp of the frame where it completed.
        good: no form flag.
        feedback: a short message ("good depth", "go deeper", the status message).
        depth: the rep's range (same as ``range``; kept for older readers).
        duration: seconds from leaving rest to returning.
        player: player slot, -1 when unknown (set by BodyInput).
        range: peak progress, a fraction of a full rep (0..1).
        down: seconds from the last moment at rest to the deepest point (both read on the
            unclipped movement when the exercise reports it).
        up: seconds from the end of the hold at the deepest point back to ``exit``.
        flags: form flags, empty for a good rep.
        side: "left"/"right" for per-side exercises (lunge, high knees), else "".
    """

    exercise: str
    kind: str
    count: int
    t: float
    good: bool = False
    feedback: str = ""
    depth: float = 0.0
    duration: float = 0.0
    player: int = -1
    range: float = 0.0
    down: float = 0.0
    up: float = 0.0
    flags: tuple[str, ...] = ()
    side: str = ""

    def as_dict(self) -> dict[str, object]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["flags"] = list(self.flags)
        return d


class RepCounter:
    """Counts repetitions of one exercise for one person.

    Args:
        exercise: a built-in name ("squat", "push-up", ...), a learned exercise's name or
            file, or an :class:`Exercise`.
        side: for arm raises, "both" (default), "left" or "right" (kept for compatibility;
            other exercises ignore it).
        min_hold: seconds a threshold crossing must hold (glitch rejection).
        min_rep_time: reps faster than this are refused (default: the exercise's).
        flip: kept for compatibility (signals are mirror-independent).
        policy: "all" (default): every rep counts, form is reported; "good": reps with a
            form flag are reported as attempts and not counted.
        max_gap: seconds the needed joints may be out of view before a rep in progress is
            dropped.

    Example:
        >>> counter = RepCounter("squat")
        >>> for pf in frames:
        ...     for ev in counter.update(pf.poses[0] if pf.poses else None, pf.t):
        ...         print(ev.count, ev.range, ev.flags)
    """

    def __init__(
        self,
        exercise: str | Exercise = "squat",
        *,
        side: str = "both",
        min_hold: float = 0.06,
        min_rep_time: float | None = None,
        flip: bool = True,
        policy: str = "all",
        max_gap: float = 4.0,
    ) -> None:
        self.exercise = exercise if isinstance(exercise, Exercise) else resolve_exercise(exercise)
        if side not in ("both", "left", "right"):
            raise ArposeError(f"arm-raise side must be both, left or right, got {side!r}")
        if policy not in POLICIES:
            raise ArposeError(f"rep policy must be one of {', '.join(POLICIES)}, got {policy!r}")
        self.side = side
        self.policy = policy
        self.min_hold = float(min_hold)
        self.min_rep_time = float(self.exercise.min_rep_time if min_rep_time is None else min_rep_time)
        self.max_gap = float(max_gap)
        self.flip = flip
        self.reset()

    def reset(self) -> None:
        """Back to zero reps, at rest."""
        self.count = 0
        self.good_count = 0
        self.state = "rest"
        self.progress = 0.0
        self.details: dict[str, float] = {}
        self.status = "no_person"
        self.message = "step into view"
        self.feedback = ""
        self.reps: list[RepEvent] = []
        self.side_counts = {"left": 0, "right": 0}
        self._cand_since: float | None = None
        self._cand_n = 0
        self._t: float | None = None
        self._last_ok: float | None = None
        self._seen_rest = False
        self._clear_rest()
        self._trail: collections.deque[tuple[float, float, float, float]] = collections.deque()
        self._entered: tuple[float, float, float, float] | None = None
        self._clear_rep()

    def _clear_rest(self) -> None:
        """Forget the rest before a rep (kept while resting: a rep is timed from its end)."""
        self._low_t: float | None = None
        self._rest_key = math.inf

    def _clear_rep(self) -> None:
        self._peak = 0.0
        self._peak_key = -math.inf
        self._peak_t: float | None = None
        self._peak_last_t: float | None = None
        self._exit_t: float | None = None
        self._peak_details: dict[str, float] = {}
        self._leave_t: float | None = None

    @property
    def needs(self) -> tuple[str, ...]:
        return self.exercise.needs

    @property
    def name(self) -> str:
        return self.exercise.name

    def _needed(self) -> tuple[str, ...]:
        if self.exercise.name == "arm_raise" and self.side != "both":
            return (f"{self.side}_shoulder", f"{self.side}_wrist")
        return self.exercise.needs

    def update(self, pose: Pose | None, t: float) -> list[RepEvent]:
        """Process one frame of this person (None = not in view)."""
        t = float(t)
        if not math.isfinite(t):
            return []
        if self._t is not None and t < self._t:  # replay restarted
            self.reset()
        self._t = t
        ex = self.exercise
        events: list[RepEvent] = []
        reading = None
        if pose is None:
            status, message = "no_person", "step into view"
        else:
            j = Joints(pose)
            if ex.name == "arm_raise" and self.side != "both":
                missing = j.missing(self._needed())
            else:
                missing = ex.missing(j)
            status, message = ("missing", ex.missing_message) if missing else ("ok", "")
            if not missing:
                p, details = self._measure(j)
                if math.isfinite(p) and not (ex.stands_up and _upside_down(j)):
                    reading = (p, details)
                else:
                    status, message = "missing", ex.missing_message
        if status != self.status:
            if "missing" in (status, self.status):  # presence itself is a PLAYER event
                events.append(RepEvent(ex.name, "status", self.count, t, feedback=message or "tracking ok"))
            self.status, self.message = status, message
        if reading is None:
            self._cand_since, self._cand_n = None, 0
            if self._trail and self._trail[-1][0] == self._last_ok and self._left_over_top():
                # stood up out of the top of the picture: that is rest (see _left_over_top)
                if self.state == "active":
                    events.append(self._finish(t))
                else:
                    self._clear_rep()
                self._seen_rest = True
                self._trail.clear()
            self._entered = None
            if self._last_ok is not None and t - self._last_ok > self.max_gap:
                self.state, self._seen_rest = "rest", False
                self._clear_rep()
            return events
        self._last_ok = t
        if ex.stands_up and pose is not None:
            self._remember(Joints(pose), t)
        p, details = reading
        self.progress, self.details = p, details
        self._peak = max(self._peak, p)
        key = details.get("raw", p)
        if self.state == "rest":
            # last moment clearly at rest: near the lowest (unclipped) reading of this rest
            self._rest_key = min(self._rest_key, key)
            if key <= self._rest_key + REST_TOLERANCE:
                self._low_t = t
        # the extreme of the movement: unclipped ("raw") when the exercise reports it (a
        # squat's progress is 1 from about 95 degrees of knee bend on, a press keeps rising
        # after it reached 1); form is judged there and the tempo is timed from it
        if key > self._peak_key:
            self._peak_key, self._peak_details, self._peak_t = key, details, t
        if key >= self._peak_key - HOLD_TOLERANCE:
            self._peak_last_t = t  # end of the hold at the extreme
        if self.state == "active":
            if p > ex.exit:
                self._exit_t = None
            elif self._exit_t is None:
                self._exit_t = t  # back at rest (confirmed when it holds)
        if p <= ex.exit:
            self._seen_rest = True
        if self.state == "rest":
            if p > ex.exit and self._leave_t is None:
                self._leave_t = t
            if p >= ex.enter and self._seen_rest:
                if self._held(t):
                    self.state = "active"
                    self._cand_since, self._cand_n = None, 0
            else:
                self._cand_since, self._cand_n = None, 0
                if p <= ex.exit:
                    if self._peak >= (ex.enter + ex.exit) / 2 and self._leave_t is not None:
                        self.feedback = f"{ex.low_range_flag} (not counted)"
                        events.append(
                            RepEvent(
                                ex.name,
                                "attempt",
                                self.count,
                                t,
                                feedback=self.feedback,
                                depth=self._peak,
                                range=self._peak,
                                duration=t - self._leave_t,
                                flags=(ex.low_range_flag,),
                            )
                        )
                    self._clear_rep()
        else:  # active
            if p <= ex.exit:
                if self._held(t):
                    events.append(self._finish(t))
            else:
                self._cand_since, self._cand_n = None, 0
        return events

    def _measure(self, j: Joints) -> tuple[float, dict[str, float]]:
        ex = self.exercise
        if ex.name == "arm_raise" and self.side != "both":
            s = self.side
            sw = (
                j.dist("left_shoulder", "right_shoulder")
                if j.sees("left_shoulder", "right_shoulder")
                else j.dist(f"{s}_shoulder", f"{s}_elbow") * 1.25
            )
            if sw < 1e-6:
                return float("nan"), {}
            rise = float(j[f"{s}_shoulder"][1] - j[f"{s}_wrist"][1]) / sw
            return min(max((rise + 1.3) / 2.5, 0.0), 1.0), {"rise": rise}
        return ex.progress(j)

    def _remember(self, j: Joints, t: float) -> None:
        """Keep where the top of the body and the hips were over the last half second."""
        legs = [
            j.dist(f"{s}_hip", f"{s}_ankle") for s in ("left", "right") if j.sees(f"{s}_hip", f"{s}_ankle")
        ]
        if not legs:
            return
        ys = j.xy[[11, 12], 1]  # shoulders, seen or not: MediaPipe still places them
        top = (
            float(np.nanmin(ys)) if np.isfinite(ys).any() else float(min(j["left_hip"][1], j["right_hip"][1]))
        )
        hip = float((j["left_hip"][1] + j["right_hip"][1]) / 2)
        leg = float(np.mean(legs))
        self._trail.append((t, top, hip, leg))
        if self._entered is None:
            self._entered = self._trail[-1]  # the first reading after a gap
        first = self._entered
        if (
            not self._seen_rest
            and t - first[0] <= 0.5
            and first[1] <= TOP_EDGE * first[3]
            and hip - first[2] >= 0.05 * leg
        ):
            # came down into the picture over the top edge: from standing (the mirror image
            # of _left_over_top), so the first squat after that counts
            self._seen_rest = True
            self._low_t = first[0]
        while self._trail and t - self._trail[0][0] > 0.5:
            self._trail.popleft()

    def _left_over_top(self) -> bool:
        """True when the body was just lost while rising with its top at the top edge of the
        picture: a camera low on the floor loses the head and shoulders of a person who stands
        up, and MediaPipe then turns the rest of the body upside down or drops it (measured
        on squat clips with the top cropped off), so the standing pose itself is never seen.
        Only exercises that end standing (:attr:`Exercise.stands_up`) take this as rest."""
        t = self._trail[-1][0]
        recent = [(top, h, leg) for tt, top, h, leg in self._trail if t - tt <= 0.4]
        at_edge = any(top <= TOP_EDGE * leg for top, _, leg in recent)
        lowest, rose = -math.inf, False  # the hips went up (image y down) within the window
        for _, h, leg in recent:
            lowest = max(lowest, h)
            rose |= lowest - h >= 0.05 * leg
        return at_edge and rose

    def _held(self, t: float) -> bool:
        if self._cand_since is None:
            self._cand_since, self._cand_n = t, 0
        self._cand_n += 1
        return self._cand_n >= 2 and t - self._cand_since >= self.min_hold

    def _finish(self, t: float) -> RepEvent:
        ex = self.exercise
        start = self._leave_t if self._leave_t is not None else t
        peak_t = self._peak_t if self._peak_t is not None else t
        hold_end = self._peak_last_t if self._peak_last_t is not None else peak_t
        low_t = self._low_t if self._low_t is not None and self._low_t <= peak_t else start
        back_t = self._exit_t if self._exit_t is not None and self._exit_t >= hold_end else t
        peak, details = min(max(self._peak, 0.0), 1.0), self._peak_details
        self.state = "rest"
        self._cand_since, self._cand_n = None, 0
        self._clear_rep()
        self._clear_rest()
        duration = t - start
        if duration < self.min_rep_time:
            self.feedback = "too fast: not counted"
            return RepEvent(
                ex.name,
                "attempt",
                self.count,
                t,
                feedback=self.feedback,
                depth=peak,
                range=peak,
                duration=duration,
            )
        flags = ex.judge(details, peak)
        good = not flags
        side = ""
        if ex.per_side and "side" in details:
            side = "left" if details["side"] < 0.5 else "right"
        self.feedback = ex.good_feedback if good else ", ".join(flags)
        kwargs: dict[str, Any] = dict(
            good=good,
            feedback=self.feedback,
            depth=peak,
            duration=duration,
            range=peak,
            down=max(peak_t - low_t, 0.0),
            up=max(back_t - hold_end, 0.0),
            flags=flags,
            side=side,
        )
        if self.policy == "good" and not good:
            self.feedback = f"{self.feedback} (not counted)"
            kwargs["feedback"] = self.feedback
            return RepEvent(ex.name, "attempt", self.count, t, **kwargs)
        self.count += 1
        self.good_count += int(good)
        if side:
            self.side_counts[side] += 1
        ev = RepEvent(ex.name, "rep", self.count, t, **kwargs)
        self.reps.append(ev)
        return ev


def _upside_down(j: Joints) -> bool:
    """Shoulders well below the hips: for an exercise done standing, MediaPipe's pose has
    flipped (it does when the head and shoulders leave the top of the picture)."""
    if not j.sees("left_hip", "right_hip"):
        return False
    hip = float(j["left_hip"][1] + j["right_hip"][1]) / 2
    sh = float(j["left_shoulder"][1] + j["right_shoulder"][1]) / 2
    legs = [j.dist(f"{s}_hip", f"{s}_knee") for s in ("left", "right")]
    return math.isfinite(sh) and sh - hip > 0.5 * max(legs)


def count_reps(
    poses: list[tuple[Pose | None, float]], exercise: str | Exercise = "squat", **options: Any
) -> int:
    """Reps of ``exercise`` in a sequence of ``(pose, t)`` of one person."""
    counter = RepCounter(exercise, **options)
    for pose, t in poses:
        counter.update(pose, t)
    return counter.count


__all__ = ["RepCounter", "RepEvent", "count_reps", "POLICIES"]
