"""A pose in body units, from the user's point of view: the common ground of all input logic.

Gestures, reps and cursors all ask questions like "is the wrist a head above the
shoulder?" or "did the hand travel one shoulder width?". Pixels cannot answer
those for both a child near the camera and an adult far away, so every
threshold in :mod:`arpose.input` is in **shoulder widths** ("su") of the person
being measured, and every direction is from the **user's point of view**:

* ``x`` grows toward the user's RIGHT. Because games show a mirror view, that is
  also screen-right; in the unmirrored camera image it is image-left.
* ``y`` grows DOWN (like the screen), so "above" means a smaller y.
* ``z`` grows AWAY from the camera (MediaPipe's sign), so a punch has negative dz.

:func:`body_view` turns a :class:`~arpose.pose.Pose` into a :class:`BodyView`
(all joints of ``JOINT_NAMES``, virtual ones included, relative to the mid-shoulder point and
divided by the body scale) or returns None when the pose cannot be measured
(NaN landmarks, zero-size body, shoulders not visible).
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np

from ..joints import JOINT_INDEX
from ..pose import Pose

MIN_VISIBILITY = 0.5
"""Landmarks with lower visibility count as not seen."""

MIN_SCALE_PX = 4.0
"""Bodies whose shoulder width is below this many pixels are too small to measure."""

TORSO_PER_SU = 1.4
"""Typical torso height (mid-shoulder to mid-hip) in shoulder widths; used when the
shoulders are foreshortened (the person turned sideways)."""

LEGS = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")
"""Joints an exercise that needs the legs must see."""


def _idx(*names: str) -> np.ndarray:
    return np.array([JOINT_INDEX[n] for n in names])


_SCALE_ROWS = tuple(int(i) for i in _idx("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
_MID_SHOULDER = JOINT_INDEX["mid_shoulder"]

# Per-pose caches (a Pose is immutable; entries vanish with the pose).
_SCALES: weakref.WeakKeyDictionary[Pose, float] = weakref.WeakKeyDictionary()
_VIEWS: weakref.WeakKeyDictionary[Pose, BodyView | None] = weakref.WeakKeyDictionary()


def body_scale(pose: Pose) -> float:
    """Pixels per shoulder width for ``pose``, robust to turning sideways; NaN if unknown.

    The 2D shoulder width shrinks when a person turns, so the torso height divided by
    :data:`TORSO_PER_SU` is used when that is larger. Called several times per frame
    (players, cursor, gestures, reps), so it is cached per Pose (poses are immutable).
    """
    cached = _SCALES.get(pose)
    if cached is not None:
        return cached
    ls, rs, lh, rh = (pose.landmarks[i, :4].tolist() for i in _SCALE_ROWS)  # python floats
    value = float("nan")
    if ls[3] >= MIN_VISIBILITY and rs[3] >= MIN_VISIBILITY:
        width = math.hypot(ls[0] - rs[0], ls[1] - rs[1])
        if lh[3] >= MIN_VISIBILITY and rh[3] >= MIN_VISIBILITY:
            torso = math.hypot((ls[0] + rs[0] - lh[0] - rh[0]) / 2, (ls[1] + rs[1] - lh[1] - rh[1]) / 2)
            if math.isfinite(torso):
                width = max(width, torso / TORSO_PER_SU)
        if math.isfinite(width) and width >= MIN_SCALE_PX:
            value = width
    _SCALES[pose] = value
    return value


@dataclass(frozen=True, eq=False)
class BodyView:
    """One pose in body units from the user's point of view (see module doc).

    Attributes:
        p: ``(len(JOINT_NAMES), 3)`` positions in shoulder widths relative to the
            mid-shoulder point: x toward the user's right, y down, z away from the camera.
        seen: ``(len(JOINT_NAMES),)`` bool, landmark visible and finite.
        scale: pixels per shoulder width.
        origin: ``(2,)`` image pixel position of the mid-shoulder point.
        flip: whether user-right is image-left (True for a person facing the camera).
    """

    p: np.ndarray
    seen: np.ndarray
    scale: float
    origin: np.ndarray
    flip: bool = True

    def __getitem__(self, name: str) -> np.ndarray:
        return self.p[JOINT_INDEX[name]]

    def sees(self, *names: str) -> bool:
        """True when all named joints are visible."""
        seen = self.seen
        for n in names:
            if not seen[JOINT_INDEX[n]]:
                return False
        return True

    def missing(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The named joints that are not visible."""
        return tuple(n for n in names if not self.seen[JOINT_INDEX[n]])

    def rise(self, joint: str, ref: str) -> float:
        """How far ``joint`` is above ``ref``, in shoulder widths (negative = below)."""
        return float(self[ref][1] - self[joint][1])

    def to_image(self, q: np.ndarray) -> np.ndarray:
        """Body-unit point(s) ``(..., 2|3)`` back to image pixels ``(..., 2)``."""
        q = np.asarray(q, np.float64)[..., :2]
        sign = -1.0 if self.flip else 1.0
        return np.stack(
            [self.origin[0] + sign * q[..., 0] * self.scale, self.origin[1] + q[..., 1] * self.scale], axis=-1
        )

    def torso_tilt(self) -> float:
        """Sideways torso tilt in degrees, positive toward the user's right; NaN if the
        hips are not visible."""
        if not self.sees("left_hip", "right_hip"):
            return float("nan")
        v = -self["mid_hip"]  # mid_hip -> mid_shoulder (origin)
        return math.degrees(math.atan2(float(v[0]), float(-v[1])))


def body_view(
    pose: Pose | None,
    *,
    scale: float | None = None,
    flip: bool = True,
    min_visibility: float = MIN_VISIBILITY,
) -> BodyView | None:
    """Measure ``pose`` in body units; None when it cannot be measured.

    Args:
        pose: a pose (None gives None).
        scale: pixels per shoulder width to use (e.g. a smoothed value kept by the
            caller); default :func:`body_scale` of this pose.
        flip: True (default) for a person facing the camera: the user's right is the
            image's left. Use False only for back-facing setups.
        min_visibility: landmarks below this visibility count as unseen.
    """
    if pose is None:
        return None
    default = scale is None and flip and min_visibility == MIN_VISIBILITY
    if default and pose in _VIEWS:
        return _VIEWS[pose]
    view = _measure(pose, body_scale(pose) if scale is None else float(scale), flip, min_visibility)
    if default:
        _VIEWS[pose] = view
    return view


def _measure(pose: Pose, s: float, flip: bool, min_visibility: float) -> BodyView | None:
    if not (math.isfinite(s) and s >= MIN_SCALE_PX):
        return None
    j = pose.all_joints.astype(np.float64)
    finite = np.isfinite(j).all(axis=1)
    with np.errstate(invalid="ignore"):
        seen: np.ndarray = finite & (j[:, 3] >= min_visibility)
    origin = j[_MID_SHOULDER, :2].copy()
    if not (math.isfinite(origin[0]) and math.isfinite(origin[1])):
        return None
    p = np.where(np.asarray(finite)[:, None], j[:, :3], 0.0)
    p[:, 0] -= origin[0]
    p[:, 1] -= origin[1]
    p /= s
    if flip:
        p[:, 0] *= -1.0
    p.flags.writeable = False
    seen.flags.writeable = False
    return BodyView(p=p, seen=seen, scale=s, origin=origin, flip=flip)


# -- exercise and gesture signals (shared by gestures.py and reps.py) ---------------------


def squat_ratio(view: BodyView) -> float:
    """Vertical thigh length over vertical shin length, averaged over both legs.

    About 1.0 standing, 0.5 in a half squat, <= 0.3 with the thighs parallel to the
    floor. It works facing the camera (where the 2D knee angle stays near 180 degrees
    because the thighs point at the lens) and from the side. NaN if a leg is unseen.
    """
    if not view.sees(*LEGS):
        return float("nan")
    out = []
    for side in ("left", "right"):
        hip, knee, ankle = view[f"{side}_hip"], view[f"{side}_knee"], view[f"{side}_ankle"]
        shin = float(ankle[1] - knee[1])
        if shin < 0.2:  # lying down or garbage: no reading
            return float("nan")
        out.append(float(knee[1] - hip[1]) / shin)
    return (out[0] + out[1]) / 2


def arm_rise(view: BodyView, side: str) -> float:
    """How far ``side``'s wrist is above its shoulder, in shoulder widths (NaN if unseen).
    Hanging arms are about -1.5, horizontal 0, straight up +1.5."""
    w, s = f"{side}_wrist", f"{side}_shoulder"
    if not view.sees(w, s):
        return float("nan")
    return view.rise(w, s)


def feet_spread(view: BodyView) -> float:
    """Horizontal distance between the ankles in shoulder widths (NaN if unseen)."""
    if not view.sees("left_ankle", "right_ankle"):
        return float("nan")
    return float(abs(view["left_ankle"][0] - view["right_ankle"][0]))


__all__ = [
    "BodyView",
    "body_view",
    "body_scale",
    "squat_ratio",
    "arm_rise",
    "feet_spread",
    "LEGS",
    "MIN_VISIBILITY",
    "MIN_SCALE_PX",
    "TORSO_PER_SU",
]
