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


_SHOULDERS = _idx("left_shoulder", "right_shoulder")
_HIPS = _idx("left_hip", "right_hip")


def body_scale(pose: Pose) -> float:
    """Pixels per shoulder width for ``pose``, robust to turning sideways; NaN if unknown.

    The 2D shoulder width shrinks when a person turns, so the torso height divided by
    :data:`TORSO_PER_SU` is used when that is larger.
    """
    j = pose.all_joints
    sh = j[_SHOULDERS]
    if not np.all(np.isfinite(sh[:, :2])) or np.any(sh[:, 3] < MIN_VISIBILITY):
        return float("nan")
    width = float(np.linalg.norm(sh[0, :2] - sh[1, :2]))
    hips = j[_HIPS]
    if np.all(np.isfinite(hips[:, :2])) and np.all(hips[:, 3] >= MIN_VISIBILITY):
        torso = float(np.linalg.norm(sh[:, :2].mean(0) - hips[:, :2].mean(0)))
        width = max(width, torso / TORSO_PER_SU)
    return width if width >= MIN_SCALE_PX else float("nan")


@dataclass(frozen=True, eq=False)
class BodyView:
    """One pose in body units from the user's point of view (see module doc).

    Attributes:
        p: ``(len(JOINT_NAMES), 3)`` positions in shoulder widths relative to the
            mid-shoulder point: x toward the user's right, y down, z away from the camera.
        seen: ``(len(JOINT_NAMES),)`` bool, landmark visible and finite.
        scale: pixels per shoulder width.
        origin: ``(2,)`` image pixel position of the mid-shoulder point.
        mirror: whether user-right is image-left (True for a person facing the camera).
    """

    p: np.ndarray
    seen: np.ndarray
    scale: float
    origin: np.ndarray
    mirror: bool = True

    def __getitem__(self, name: str) -> np.ndarray:
        return self.p[JOINT_INDEX[name]]

    def sees(self, *names: str) -> bool:
        """True when all named joints are visible."""
        return bool(all(self.seen[JOINT_INDEX[n]] for n in names))

    def missing(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The named joints that are not visible."""
        return tuple(n for n in names if not self.seen[JOINT_INDEX[n]])

    def rise(self, joint: str, ref: str) -> float:
        """How far ``joint`` is above ``ref``, in shoulder widths (negative = below)."""
        return float(self[ref][1] - self[joint][1])

    def to_image(self, q: np.ndarray) -> np.ndarray:
        """Body-unit point(s) ``(..., 2|3)`` back to image pixels ``(..., 2)``."""
        q = np.asarray(q, np.float64)[..., :2]
        sign = -1.0 if self.mirror else 1.0
        return np.stack([self.origin[0] + sign * q[..., 0] * self.scale,
                         self.origin[1] + q[..., 1] * self.scale], axis=-1)

    def torso_tilt(self) -> float:
        """Sideways torso tilt in degrees, positive toward the user's right; NaN if the
        hips are not visible."""
        if not self.sees("left_hip", "right_hip"):
            return float("nan")
        v = -self["mid_hip"]                      # mid_hip -> mid_shoulder (origin)
        return math.degrees(math.atan2(float(v[0]), float(-v[1])))


def body_view(pose: Pose | None, *, scale: float | None = None, mirror: bool = True,
              min_visibility: float = MIN_VISIBILITY) -> BodyView | None:
    """Measure ``pose`` in body units; None when it cannot be measured.

    Args:
        pose: a pose (None gives None).
        scale: pixels per shoulder width to use (e.g. a smoothed value kept by the
            caller); default :func:`body_scale` of this pose.
        mirror: True (default) for a person facing the camera: the user's right is the
            image's left. Use False only for back-facing setups.
        min_visibility: landmarks below this visibility count as unseen.
    """
    if pose is None:
        return None
    s = body_scale(pose) if scale is None else float(scale)
    if not (math.isfinite(s) and s >= MIN_SCALE_PX):
        return None
    j = pose.all_joints.astype(np.float64)
    finite = np.all(np.isfinite(j), axis=1)
    seen = finite & (np.nan_to_num(j[:, 3]) >= min_visibility)
    origin = j[JOINT_INDEX["mid_shoulder"], :2].copy()
    if not np.all(np.isfinite(origin)):
        return None
    p = np.where(finite[:, None], j[:, :3], 0.0)
    p = p - np.array([origin[0], origin[1], 0.0])
    p /= s
    if mirror:
        p[:, 0] *= -1.0
    return BodyView(p=p, seen=seen, scale=s, origin=origin, mirror=mirror)



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
        if shin < 0.2:                      # lying down or garbage: no reading
            return float("nan")
        out.append(float(knee[1] - hip[1]) / shin)
    return float(np.mean(out))


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


__all__ = ["BodyView", "body_view", "body_scale", "squat_ratio", "arm_rise", "feet_spread", "LEGS",
           "MIN_VISIBILITY", "MIN_SCALE_PX",
           "TORSO_PER_SU"]
