"""Repetition counting for exercises: squats, jumping jacks, arm raises.

Each exercise reduces a pose to one number, its **progress**: 0 at rest (standing,
arms down), 1 at the far end of the movement. A :class:`RepCounter` runs a
two-state machine with hysteresis over it:

    REST --(progress >= enter for min_hold s)--> ACTIVE
    ACTIVE --(progress <= exit for min_hold s)--> REST   => one rep counted

The gap between ``enter`` and ``exit`` is the hysteresis: noise around one
threshold cannot count twice. ``min_hold`` (0.08 s) plus "at least two samples"
rejects one-frame tracking glitches, and a rep faster than ``min_rep_time``
(0.35 s) is refused. The deepest progress of each rep gives form feedback
(``good`` when it reached ``good``); a movement that started (progress >=
``attempt``) but never reached ``enter`` and came back below ``exit / 2``
produces a ``kind="attempt"`` event
("go deeper: not counted") instead of a rep.

Exercises (:data:`EXERCISES`) and their progress, from :mod:`arpose.input.body`
measures (shoulder widths, "su"):

* ``squat``: from the squat ratio r (vertical thigh / vertical shin: 1.0 standing,
  ~0.25 thighs parallel): progress = (1 - r) / 0.75. Enter at r < 0.55, rest at
  r > 0.8, good depth at r <= 0.35. Needs hips, knees and ankles.
* ``jumping_jack``: min of arms (lower wrist rise above its shoulder, -1.5 su hanging
  -> 1.0 su overhead) and legs (feet spread 0.7 -> 1.7 su). Enter when arms reach
  shoulder height and feet are 1.3 su apart; good when hands are ~0.9 su above the
  shoulders and feet 1.65 su apart. Needs the legs.
* ``arm_raise``: the lower of the two wrists (or one side), rise -1.5 su -> 1.2 su.
  Enter above shoulder height, good when straight up. Needs shoulders and wrists only.

Partial bodies: when a joint the exercise needs is not visible the counter stops
(it never guesses) and :attr:`RepCounter.status` is ``"missing"`` with a message
such as "squat needs your legs in view: step back until your knees and ankles show".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from ..errors import ArposeError
from ..pose import Pose
from .body import LEGS, BodyView, arm_rise, body_view, feet_spread, squat_ratio

ARMS = ("left_shoulder", "right_shoulder", "left_wrist", "right_wrist")


def _clip01(x: float) -> float:
    return float(min(max(x, 0.0), 1.0))


def _squat(v: BodyView, side: str) -> tuple[float, dict[str, float]]:
    r = squat_ratio(v)
    return _clip01((1.0 - r) / 0.75), {"ratio": r}


def _jack(v: BodyView, side: str) -> tuple[float, dict[str, float]]:
    rise = min(arm_rise(v, "left"), arm_rise(v, "right"))
    spread = feet_spread(v)
    arms = _clip01((rise + 1.5) / 2.5)
    legs = _clip01((spread - 0.7) / 1.0)
    return min(arms, legs), {"arms": arms, "legs": legs}


def _raise(v: BodyView, side: str) -> tuple[float, dict[str, float]]:
    if side == "both":
        rise = min(arm_rise(v, "left"), arm_rise(v, "right"))
    else:
        rise = arm_rise(v, side)
    return _clip01((rise + 1.5) / 2.7), {"rise": rise}


@dataclass(frozen=True)
class Exercise:
    """How one exercise is measured and judged (progress thresholds are 0..1)."""

    name: str
    needs: tuple[str, ...]
    progress: Callable[[BodyView, str], tuple[float, dict[str, float]]]
    enter: float
    exit: float
    good: float
    attempt: float
    good_feedback: str
    bad_feedback: str
    missing_message: str


EXERCISES: dict[str, Exercise] = {
    "squat": Exercise(
        "squat", LEGS, _squat, enter=0.6, exit=0.27, good=0.86, attempt=0.3,
        good_feedback="good depth", bad_feedback="go deeper: thighs toward parallel",
        missing_message="squat needs your legs in view: step back until your knees and "
                        "ankles show"),
    "jumping_jack": Exercise(
        "jumping_jack", LEGS + ARMS, _jack, enter=0.6, exit=0.25, good=0.95, attempt=0.3,
        good_feedback="full jumping jack", bad_feedback="hands higher and feet wider",
        missing_message="jumping jacks need your whole body in view: step back until "
                        "your feet show"),
    "arm_raise": Exercise(
        "arm_raise", ARMS, _raise, enter=0.6, exit=0.25, good=0.95, attempt=0.3,
        good_feedback="arms all the way up", bad_feedback="raise your arms higher",
        missing_message="arm raises need your shoulders and hands in view"),
}
"""Known exercises by name (``jumping-jack`` and ``arm-raise`` spellings are accepted)."""


def resolve_exercise(name: str) -> Exercise:
    """The :class:`Exercise` called ``name`` (dashes or underscores, any case).

    Raises:
        ArposeError: unknown name, listing the known ones.
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    if key in ("jumping_jacks", "jacks"):
        key = "jumping_jack"
    if key in ("squats",):
        key = "squat"
    if key in ("arm_raises",):
        key = "arm_raise"
    if key not in EXERCISES:
        raise ArposeError(f"unknown exercise {name!r}; expected one of "
                          f"{', '.join(n.replace('_', '-') for n in EXERCISES)}")
    return EXERCISES[key]


@dataclass(frozen=True)
class RepEvent:
    """A counted repetition (``kind="rep"``), an attempt that did not count
    (``kind="attempt"``), or a change of tracking status (``kind="status"``: the body
    parts the exercise needs went out of view, ``feedback`` says what to do, or came
    back, ``feedback="tracking ok"``).

    Attributes:
        exercise: exercise name.
        kind: "rep", "attempt" or "status".
        count: reps counted so far (including this one).
        t: timestamp of the frame where it completed.
        good: the rep reached the "good form" threshold.
        feedback: a short message to show ("good depth", "go deeper: ...", or the
            status message).
        depth: deepest progress reached (0..1).
        duration: seconds from leaving rest to returning.
        player: player slot, -1 when unknown (set by BodyInput).
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

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class RepCounter:
    """Counts repetitions of one exercise for one person.

    Args:
        exercise: "squat", "jumping-jack" or "arm-raise" (or an :class:`Exercise`).
        side: for arm raises, "both" (default), "left" or "right".
        min_hold: seconds a threshold crossing must hold (glitch rejection).
        min_rep_time: reps faster than this are refused.
        mirror: True when the person faces the camera.

    Example:
        >>> counter = RepCounter("squat")
        >>> for pf in frames:
        ...     for ev in counter.update(pf.poses[0] if pf.poses else None, pf.t):
        ...         print(ev.count, ev.feedback)
    """

    def __init__(self, exercise: str | Exercise = "squat", *, side: str = "both",
                 min_hold: float = 0.08, min_rep_time: float = 0.35, mirror: bool = True):
        self.exercise = exercise if isinstance(exercise, Exercise) else \
            resolve_exercise(exercise)
        if side not in ("both", "left", "right"):
            raise ArposeError(f"arm-raise side must be both, left or right, got {side!r}")
        self.side = side
        self.min_hold = float(min_hold)
        self.min_rep_time = float(min_rep_time)
        self.mirror = mirror
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
        self._cand_since: float | None = None
        self._cand_n = 0
        self._peak = 0.0
        self._peak_details: dict[str, float] = {}
        self._rep_start: float | None = None
        self._t: float | None = None

    @property
    def needs(self) -> tuple[str, ...]:
        return self.exercise.needs

    def update(self, pose: Pose | None, t: float) -> list[RepEvent]:
        """Process one frame of this person (None = not in view)."""
        t = float(t)
        if not math.isfinite(t):
            return []
        if self._t is not None and t < self._t:      # replay restarted
            self.reset()
        self._t = t
        ex = self.exercise
        view = body_view(pose, mirror=self.mirror)
        events: list[RepEvent] = []
        if view is None:
            status, message = "no_person", "step into view"
        else:
            missing = view.missing(ex.needs if self.side == "both" or ex.name != "arm_raise"
                                   else (f"{self.side}_shoulder", f"{self.side}_wrist"))
            status, message = ("missing", ex.missing_message) if missing else ("ok", "")
        if status != self.status:
            if "missing" in (status, self.status):   # presence itself is a PLAYER event
                events.append(RepEvent(ex.name, "status", self.count, t,
                                       feedback=message or "tracking ok"))
            self.status, self.message = status, message
        if status != "ok":
            self._cand_since, self._cand_n = None, 0
            return events
        assert view is not None
        p, details = ex.progress(view, self.side)
        if not math.isfinite(p):
            return events
        self.progress, self.details = p, details
        if self.state == "rest":
            if p > self._peak:
                self._peak, self._peak_details = p, details
            if p >= ex.enter:
                if self._held(t):
                    self.state = "active"
                    self._rep_start = self._rep_start if self._rep_start is not None else t
                    self._cand_since, self._cand_n = None, 0
            else:
                self._cand_since, self._cand_n = None, 0
                if p >= ex.attempt and self._rep_start is None:
                    self._rep_start = t
                if p <= ex.exit * 0.5:                 # clearly back at rest
                    if self._peak >= ex.attempt and self._rep_start is not None:
                        self.feedback = f"{ex.bad_feedback} (not counted)"
                        events.append(RepEvent(ex.name, "attempt", self.count, t,
                                               feedback=self.feedback, depth=self._peak,
                                               duration=t - self._rep_start))
                    self._peak, self._rep_start = 0.0, None
        else:  # active
            if p > self._peak:
                self._peak, self._peak_details = p, details
            if p <= ex.exit:
                if self._held(t):
                    events.append(self._finish(t))
            else:
                self._cand_since, self._cand_n = None, 0
        return events

    def _held(self, t: float) -> bool:
        if self._cand_since is None:
            self._cand_since, self._cand_n = t, 0
        self._cand_n += 1
        return self._cand_n >= 2 and t - self._cand_since >= self.min_hold

    def _finish(self, t: float) -> RepEvent:
        ex = self.exercise
        start = self._rep_start if self._rep_start is not None else t
        duration = t - start
        self.state = "rest"
        self._cand_since, self._cand_n = None, 0
        peak, self._peak, self._rep_start = self._peak, 0.0, None
        if duration < self.min_rep_time:
            self.feedback = "too fast: not counted"
            return RepEvent(ex.name, "attempt", self.count, t, feedback=self.feedback,
                            depth=peak, duration=duration)
        good = peak >= ex.good
        self.count += 1
        self.good_count += int(good)
        self.feedback = ex.good_feedback if good else ex.bad_feedback
        if not good and ex.name == "jumping_jack":
            arms = self._peak_details.get("arms", 1.0)
            self.feedback = "hands higher" if arms < ex.good else "feet wider"
        ev = RepEvent(ex.name, "rep", self.count, t, good=good, feedback=self.feedback,
                      depth=float(np.clip(peak, 0, 1)), duration=duration)
        self.reps.append(ev)
        return ev


def count_reps(poses: list[tuple[Pose | None, float]], exercise: str = "squat") -> int:
    """Reps of ``exercise`` in a sequence of ``(pose, t)`` of one person."""
    counter = RepCounter(exercise)
    for pose, t in poses:
        counter.update(pose, t)
    return counter.count


__all__ = ["EXERCISES", "Exercise", "RepCounter", "RepEvent", "count_reps", "resolve_exercise"]
