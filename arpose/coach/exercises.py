"""Exercise definitions: the body parts each one needs, its progress signal and its form checks.

Every exercise reduces one pose to a **progress** number: 0 at rest, 1 at the far end of a
full rep (thighs parallel, arms overhead, chest at the floor). The rep counter
(:mod:`arpose.coach.counter`) runs a hysteresis state machine over it; the deepest
progress of a rep is its **range** (a fraction of a full rep) and the readings at that
moment feed the exercise's form checks ("go deeper", "knees in", "arms higher").

Signals are read straight from the landmarks with only the joints the exercise needs, so a
squat is measured with the head (or the shoulders) out of the picture, and side views use
the better-seen side. Joint angles and ratios are scale-free; distances are divided by a
body length made of needed joints only.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import ExerciseError
from ..joints import LANDMARK_NAMES
from ..pose import Pose

MIN_VISIBILITY = 0.3
"""Landmarks below this visibility count as unseen. Lower than the input library's 0.5: on
real clips a knee in plain view often reads 0.35-0.5 (a barbell squat filmed at 202x360),
while a joint outside the picture reads below 0.2."""

_IDX = {n: i for i, n in enumerate(LANDMARK_NAMES)}
SIDES = ("left", "right")


class Joints:
    """Image positions and a seen-mask of one pose's 33 landmarks (no body-size guess)."""

    __slots__ = ("xy", "seen", "pose")

    def __init__(self, pose: Pose, min_visibility: float = MIN_VISIBILITY) -> None:
        self.pose = pose
        lm = pose.landmarks
        self.xy = lm[:, :2].astype(np.float64)
        with np.errstate(invalid="ignore"):
            self.seen = np.isfinite(self.xy).all(axis=1) & (lm[:, 3] >= min_visibility)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.xy[_IDX[name]]

    def sees(self, *names: str) -> bool:
        return all(bool(self.seen[_IDX[n]]) for n in names)

    def missing(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(n for n in names if not self.seen[_IDX[n]])

    def angle(self, a: str, b: str, c: str) -> float:
        """Angle a-b-c at b in degrees (180 = straight)."""
        u, v = self[a] - self[b], self[c] - self[b]
        nu, nv = float(np.hypot(*u)), float(np.hypot(*v))
        if nu < 1e-6 or nv < 1e-6:
            return float("nan")
        cos = float(np.dot(u, v)) / (nu * nv)
        return math.degrees(math.acos(min(max(cos, -1.0), 1.0)))

    def dist(self, a: str, b: str) -> float:
        return float(np.hypot(*(self[a] - self[b])))

    def best_side(self, parts: tuple[str, ...]) -> str | None:
        """The side ("left"/"right") whose ``parts`` (names without the side prefix) are all
        seen; the one with the longer limbs in the picture when both are (the near side)."""
        ok = [s for s in SIDES if self.sees(*(f"{s}_{p}" for p in parts))]
        if len(ok) < 2:
            return ok[0] if ok else None
        length = [sum(self.dist(f"{s}_{a}", f"{s}_{b}") for a, b in zip(parts, parts[1:])) for s in ok]
        return ok[int(np.argmax(length))]


def _clip01(x: float) -> float:
    return float(min(max(x, 0.0), 1.0))


def _ramp(x: float, rest: float, full: float) -> float:
    """0 at ``rest``, 1 at ``full`` (either direction), clipped."""
    return _clip01((x - rest) / (full - rest))


Reading = tuple[float, dict[str, float]]
"""(progress 0..1, named metrics) of one frame; progress NaN = cannot be measured."""
NAN_READING: Reading = (float("nan"), {})


@dataclass(frozen=True)
class FormCheck:
    """A form rule judged on a finished rep: ``test(peak_metrics, rep_range)`` True = a fault."""

    flag: str
    test: Callable[[dict[str, float], float], bool]


@dataclass(frozen=True)
class Exercise:
    """One exercise: what it needs, how far into a rep a pose is, and how a rep is judged.

    Attributes:
        name: canonical name (``snake_case``; dashes accepted everywhere).
        title: display title.
        how: one-line instruction.
        needs: joints that must be seen; ``{side}`` in a name means "either side" (the
            better-seen side is used, for side views).
        progress: ``Joints -> (progress, metrics)``.
        enter / exit: progress that starts a rep / returns to rest (hysteresis).
        good: range (peak progress) a rep needs for good form.
        checks: extra form rules on the rep's peak metrics.
        low_range_flag: the flag of a rep whose range is below ``good``.
        per_side: reps are attributed to a side (lunge, high knees); ``metrics["side"]``
            is 0 for left, 1 for right at the peak.
        min_rep_time: reps faster than this (s, from leaving rest to returning) are glitches.
        stands_up: a rep ends standing, so a body lost while rising over the top edge of
            the picture has stood up (:class:`~arpose.coach.RepCounter`).
        origin: "builtin" or the learned file's path.
    """

    name: str
    title: str
    how: str
    needs: tuple[str, ...]
    progress: Callable[[Joints], Reading]
    enter: float = 0.5
    exit: float = 0.2
    good: float = 0.85
    checks: tuple[FormCheck, ...] = ()
    low_range_flag: str = "go deeper"
    good_feedback: str = "good rep"
    per_side: bool = False
    min_rep_time: float = 0.3
    origin: str = "builtin"
    stands_up: bool = False
    params: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def parts(self) -> str:
        """The needed joints in words ("hips, knees, ankles")."""
        seen: list[str] = []
        names = self.needs or tuple(str(n) for n in self.params.get("uses", ()))  # type: ignore[attr-defined]
        for n in names:
            base = n.replace("{side}_", "").replace("left_", "").replace("right_", "")
            word = {
                "hip": "hips",
                "knee": "knees",
                "ankle": "ankles",
                "shoulder": "shoulders",
                "elbow": "elbows",
                "wrist": "wrists",
                "heel": "heels",
            }.get(base, base)
            if n.startswith("{side}_"):
                word += " (one side)"
            if word not in seen:
                seen.append(word)
        if {"hips", "knees", "ankles"} <= set(seen):
            i = seen.index("hips")
            seen = [w for w in seen if w not in ("hips", "knees", "ankles")]
            seen.insert(i, "legs (hips, knees, ankles)")
        return ", ".join(seen)

    def missing(self, j: Joints) -> tuple[str, ...]:
        """Needed joints not seen (for ``{side}`` names, on both sides)."""
        plain = tuple(n for n in self.needs if "{side}" not in n)
        out = list(j.missing(plain))
        sided = tuple(n.replace("{side}_", "") for n in self.needs if "{side}" in n)
        if sided and j.best_side(sided) is None:
            out += [f"{s}_{p}" for s in SIDES for p in sided if not j.sees(f"{s}_{p}")]
        return tuple(out)

    @property
    def missing_message(self) -> str:
        return f"{self.title.lower()} needs your {self.parts} in view"

    def judge(self, metrics: dict[str, float], rng: float) -> tuple[str, ...]:
        """Form flags of a rep with peak ``metrics`` and range ``rng`` (empty = good form)."""
        flags = [self.low_range_flag] if rng < self.good else []
        for c in self.checks:
            try:
                if c.test(metrics, rng):
                    flags.append(c.flag)
            except (KeyError, ValueError):
                continue
        return tuple(dict.fromkeys(flags))


# -- progress signals ----------------------------------------------------------------------

LEGS = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")
ARMS = ("left_shoulder", "right_shoulder", "left_wrist", "right_wrist")


def _squat(j: Joints) -> Reading:
    """Vertical thigh over vertical shin (1 standing, ~0.25 parallel), front or side view;
    plus knee angle and knees-in (knee gap over ankle gap, front view)."""
    ratios, angles = [], []
    for s in SIDES:
        shin = j[f"{s}_ankle"][1] - j[f"{s}_knee"][1]
        thigh_len = j.dist(f"{s}_hip", f"{s}_knee")
        if shin < 0.15 * max(thigh_len, 1e-6):
            return NAN_READING
        ratios.append(float(j[f"{s}_knee"][1] - j[f"{s}_hip"][1]) / float(shin))
        angles.append(j.angle(f"{s}_hip", f"{s}_knee", f"{s}_ankle"))
    r = float(np.mean(ratios))
    # ratio drops to ~0.25 at parallel, the knee angle to ~90; take the deeper of both
    # so a foreshortened front view and a side view both read the full range.
    by_ratio = _ramp(r, 0.95, 0.3)
    by_angle = _ramp(float(np.mean(angles)), 172.0, 95.0)
    raw = max((0.95 - r) / 0.65, (172.0 - float(np.mean(angles))) / 77.0)
    knee_gap = abs(j["left_knee"][0] - j["right_knee"][0])
    ankle_gap = abs(j["left_ankle"][0] - j["right_ankle"][0])
    hip_w = abs(j["left_hip"][0] - j["right_hip"][0])
    metrics = {
        "ratio": r,
        "raw": raw,
        "knee_angle": float(np.mean(angles)),
        "knees_in": float(knee_gap / max(ankle_gap, 1e-6))
        if hip_w > 0.25 * j.dist("left_hip", "left_knee")
        else float("nan"),
    }
    return max(by_ratio, by_angle), metrics


def _lower_rise(j: Joints) -> float:
    """How far the lower wrist is above its shoulder, in shoulder widths (-1.5 hanging)."""
    sw = j.dist("left_shoulder", "right_shoulder")
    if sw < 1e-6:
        return float("nan")
    return min(float(j[f"{s}_shoulder"][1] - j[f"{s}_wrist"][1]) / sw for s in SIDES)


def _jack(j: Joints) -> Reading:
    """Mean of arms (wrists from hanging to overhead) and legs (feet from together to ~1.6
    hip-to-knee lengths apart; hip-to-knee instead of shoulders so a close-up reads)."""
    sw = j.dist("left_shoulder", "right_shoulder")
    rise = _lower_rise(j)
    if not math.isfinite(rise):
        return NAN_READING
    arms = _ramp(rise, -1.3, 0.9)
    thigh = (j.dist("left_hip", "left_knee") + j.dist("right_hip", "right_knee")) / 2
    spread = abs(j["left_ankle"][0] - j["right_ankle"][0]) / max(sw, 1e-6)
    legs = _ramp(spread, 0.75, 1.7)
    return 0.5 * (arms + legs), {"arms": arms, "legs": legs, "spread": spread, "thigh": thigh / max(sw, 1e-6)}


def _arm_raise(j: Joints) -> Reading:
    rise = _lower_rise(j)
    if not math.isfinite(rise):
        return NAN_READING
    return _ramp(rise, -1.3, 1.2), {"rise": rise}


def _lateral(j: Joints) -> Reading:
    """Arm elevation hip-shoulder-elbow, 10 degrees hanging -> 90 at shoulder height (both)."""
    a = [j.angle(f"{s}_hip", f"{s}_shoulder", f"{s}_elbow") for s in SIDES]
    elbow = [j.angle(f"{s}_shoulder", f"{s}_elbow", f"{s}_wrist") for s in SIDES]
    low = min(a)
    return _ramp(low, 15.0, 85.0), {"elevation": low, "elbow": float(np.mean(elbow)), "over": max(a)}


def _press(j: Joints) -> Reading:
    """Wrists from shoulder height to overhead, arms straight at the top."""
    sw = j.dist("left_shoulder", "right_shoulder")
    if sw < 1e-6:
        return NAN_READING
    rise = min(float(j[f"{s}_shoulder"][1] - j[f"{s}_wrist"][1]) / sw for s in SIDES)
    elbow = min(j.angle(f"{s}_shoulder", f"{s}_elbow", f"{s}_wrist") for s in SIDES)
    return _ramp(rise, 0.35, 1.3), {"rise": rise, "elbow": elbow, "raw": (rise - 0.35) / 0.95}


def _pushup(j: Joints) -> Reading:
    """Elbow angle of the better-seen side (side view): 165 arms straight -> 90 at the bottom;
    body line shoulder-hip-ankle for "keep your body straight"."""
    s = j.best_side(("shoulder", "elbow", "wrist", "hip"))
    if s is None:
        return NAN_READING
    elbow = j.angle(f"{s}_shoulder", f"{s}_elbow", f"{s}_wrist")
    line = j.angle(f"{s}_shoulder", f"{s}_hip", f"{s}_ankle") if j.sees(f"{s}_ankle") else float("nan")
    return _ramp(elbow, 160.0, 95.0), {"elbow": elbow, "body_line": line}


def _situp(j: Joints) -> Reading:
    """Hip angle shoulder-hip-knee of the better-seen side: ~130 lying with bent knees ->
    ~60 sitting up; a crunch reaches about half of that."""
    s = j.best_side(("shoulder", "hip", "knee"))
    if s is None:
        return NAN_READING
    hip = j.angle(f"{s}_shoulder", f"{s}_hip", f"{s}_knee")
    return _ramp(hip, 125.0, 65.0), {"hip_angle": hip}


def _lunge(j: Joints) -> Reading:
    """Front knee angle (175 standing -> 95 at the bottom); the front leg is the one whose
    knee is higher in the picture at the bottom (the back knee drops toward the floor)."""
    angles = [j.angle(f"{s}_hip", f"{s}_knee", f"{s}_ankle") for s in SIDES]
    front = 0 if j["left_knee"][1] < j["right_knee"][1] else 1
    bent = float(np.mean(angles))
    torso = float("nan")
    if j.sees("left_shoulder", "right_shoulder"):
        v = (j["left_shoulder"] + j["right_shoulder"]) / 2 - (j["left_hip"] + j["right_hip"]) / 2
        torso = abs(math.degrees(math.atan2(float(v[0]), float(-v[1]))))
    return _ramp(bent, 170.0, 105.0), {"knee_angle": angles[front], "side": float(front), "torso_lean": torso}


def _high_knees(j: Joints) -> Reading:
    """The higher knee's lift: knee from hip-to-ankle/2 below the hip up to hip height,
    in thigh lengths."""
    best, side = -math.inf, 0
    # the standing leg keeps its length in the picture; the lifted one points at the camera
    thigh = max(j.dist(f"{s}_hip", f"{s}_knee") for s in SIDES)
    if thigh < 1e-6:
        return NAN_READING
    for i, s in enumerate(SIDES):
        lift = float(j[f"{s}_hip"][1] - j[f"{s}_knee"][1]) / thigh  # -1 hanging, 0 level
        if lift > best:
            best, side = lift, i
    if not math.isfinite(best):
        return NAN_READING
    return _ramp(best, -0.85, -0.05), {"lift": best, "side": float(side)}


def _metric(name: str) -> Callable[[dict[str, float]], float]:
    return lambda m: float(m[name])


BUILTIN: dict[str, Exercise] = {
    e.name: e
    for e in (
        Exercise(
            "squat",
            "Squats",
            "Squat until your thighs are level, then stand up tall",
            LEGS,
            _squat,
            enter=0.6,
            exit=0.25,
            good=0.8,
            checks=(FormCheck("knees in", lambda m, r: m["knees_in"] < 0.75),),
            good_feedback="good depth",
            stands_up=True,
        ),
        Exercise(
            "jumping_jack",
            "Jumping Jacks",
            "Jump your feet apart and clap your hands overhead",
            LEGS + ARMS,
            _jack,
            enter=0.6,
            exit=0.25,
            good=0.8,
            checks=(
                FormCheck("arms higher", lambda m, r: m["arms"] < 0.8),
                FormCheck("feet wider", lambda m, r: m["legs"] < 0.6),
            ),
            low_range_flag="bigger jumping jack",
            good_feedback="full jumping jack",
            # 0.5 refused real jacks at 0.75 s per rep: their time above ``exit`` is ~0.43 s
            min_rep_time=0.3,
        ),
        Exercise(
            "arm_raise",
            "Arm Raises",
            "Raise both arms straight up, then lower them",
            ARMS,
            _arm_raise,
            enter=0.55,
            exit=0.25,
            good=0.9,
            low_range_flag="arms higher",
            good_feedback="arms all the way up",
        ),
        Exercise(
            "lateral_raise",
            "Lateral Raises",
            "Lift both arms out to shoulder height",
            (
                "left_hip",
                "right_hip",
                "left_shoulder",
                "right_shoulder",
                "left_elbow",
                "right_elbow",
                "left_wrist",
                "right_wrist",
            ),
            _lateral,
            enter=0.55,
            exit=0.25,
            good=0.88,
            checks=(FormCheck("not above the shoulders", lambda m, r: m["over"] > 120),),
            low_range_flag="arms higher",
            good_feedback="shoulder height",
        ),
        Exercise(
            "shoulder_press",
            "Shoulder Press",
            "Press both hands from your shoulders overhead",
            ("left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist"),
            _press,
            enter=0.5,
            exit=0.2,
            good=0.85,
            checks=(FormCheck("straighten your arms", lambda m, r: m["elbow"] < 140),),
            low_range_flag="press higher",
            good_feedback="full press",
        ),
        Exercise(
            "push_up",
            "Push-ups",
            "Side-on to the camera: lower your chest, push back up",
            ("{side}_shoulder", "{side}_elbow", "{side}_wrist", "{side}_hip"),
            _pushup,
            enter=0.45,
            exit=0.2,
            good=0.8,
            checks=(FormCheck("keep your body straight", lambda m, r: m["body_line"] < 150),),
            good_feedback="good push-up",
        ),
        Exercise(
            "sit_up",
            "Sit-ups",
            "Lie side-on to the camera, knees bent, and sit up",
            ("{side}_shoulder", "{side}_hip", "{side}_knee"),
            _situp,
            enter=0.35,
            exit=0.15,
            good=0.8,
            low_range_flag="come up higher",
            good_feedback="good sit-up",
        ),
        Exercise(
            "lunge",
            "Lunges",
            "Step forward and lower your back knee, then step back",
            LEGS,
            _lunge,
            enter=0.45,
            exit=0.2,
            good=0.8,
            checks=(FormCheck("chest up", lambda m, r: m["torso_lean"] > 25),),
            per_side=True,
            good_feedback="good lunge",
            stands_up=True,
        ),
        Exercise(
            "high_knees",
            "High Knees",
            "Run on the spot, knees up to hip height",
            LEGS,
            _high_knees,
            enter=0.5,
            exit=0.2,
            good=0.85,
            low_range_flag="knees higher",
            per_side=True,
            good_feedback="knee to hip height",
            min_rep_time=0.15,
        ),
    )
}
"""Built-in exercises by canonical name."""

ALIASES = {
    "squats": "squat",
    "jumping_jacks": "jumping_jack",
    "jacks": "jumping_jack",
    "arm_raises": "arm_raise",
    "lateral_raises": "lateral_raise",
    "press": "shoulder_press",
    "pushup": "push_up",
    "push_ups": "push_up",
    "pushups": "push_up",
    "situp": "sit_up",
    "sit_ups": "sit_up",
    "lunges": "lunge",
    "high_knee": "high_knees",
}


def canonical(name: str) -> str:
    """``"Jumping-Jacks"`` -> ``"jumping_jack"`` (aliases resolved; unknown names kept)."""
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(key, key)


MAX_NAME = 40
"""Longest exercise name (characters), as typed or stored."""

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def check_name(name: object, what: str = "exercise name") -> str:
    """The canonical key of ``name`` if it is a valid exercise name, else one clear error.

    An exercise name becomes a file name (``NAME.json`` in the exercises folder) and is
    printed, so it is 1-40 ASCII letters, digits, ``-``, ``_`` or spaces, starting with a
    letter (case does not matter): no path separators, dots, control characters or
    terminal escapes can get through.

    Raises:
        ExerciseError: naming the bad value (escaped) and the rule.
    """
    text = str(name)
    key = canonical(text)
    if not 0 < len(text) <= MAX_NAME or not key.isascii() or not _NAME.fullmatch(key):
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise ExerciseError(
            f"invalid {what} {shown!r}: use 1-{MAX_NAME} letters a-z, digits, '-', '_' "
            f"or spaces, starting with a letter"
        )
    return key


def display_name(name: str) -> str:
    return name.replace("_", "-")


def known_names(extra: list[str] | None = None) -> list[str]:
    return sorted(set(BUILTIN) | set(extra or []))


def unknown_exercise(name: str, known: list[str]) -> ExerciseError:
    """The did-you-mean error for an unknown exercise name."""
    key = canonical(name)
    close = difflib.get_close_matches(key, known + list(ALIASES), n=1, cutoff=0.6)
    hint = f"; did you mean {display_name(ALIASES.get(close[0], close[0]))!r}?" if close else ""
    return ExerciseError(
        f"unknown exercise {name!r}{hint} (known: "
        f"{', '.join(display_name(n) for n in known)}; "
        f"teach a new one with `arpose coach learn NAME --source VIDEO`)"
    )


__all__ = [
    "Exercise",
    "FormCheck",
    "Joints",
    "BUILTIN",
    "ALIASES",
    "LEGS",
    "ARMS",
    "Reading",
    "canonical",
    "check_name",
    "display_name",
    "known_names",
    "unknown_exercise",
    "MIN_VISIBILITY",
]
