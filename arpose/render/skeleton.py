"""Skeleton overlays: MediaPipe's 33-point style and OpenPose's BODY_25 colours.

:func:`skeleton_geometry` turns poses into capsules (bones) and discs (joints) in source
pixels: pure numpy, testable without GL. :class:`Skeleton` is a drawable node that does
this every frame for the people it is told to draw (a debugging overlay and an effect;
the one drawable that reads landmarks itself, because it draws all of them).
The renderer draws both with one instanced call; see also
:class:`arpose.render.composition.SkeletonOverlay`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..joints import (
    BODY25_COLORS,
    BODY25_CONNECTIONS,
    BODY25_INDEX,
    HAND_CONNECTIONS,
    LANDMARK_NAMES,
    POSE_CONNECTIONS,
)
from ..pose import Pose
from ..scene.node import Drawable, FrameContext
from ..scene.projection import Projection

STYLES = ("mediapipe", "body25")
MIN_VISIBILITY = 0.5
"""Landmarks below this visibility are not drawn (every skeleton drawer uses it)."""

# MediaPipe's default pose style: white bones, left landmarks orange, right ones cyan.
_MP_BONE = (224, 224, 224)
_MP_LEFT = (255, 138, 0)
_MP_RIGHT = (0, 217, 231)
_MP_CENTER = (255, 255, 255)
_MP_POINT_COLORS = (
    np.array(
        [
            _MP_LEFT
            if n.startswith("left_") or n == "mouth_left"
            else _MP_RIGHT
            if n.startswith("right_") or n == "mouth_right"
            else _MP_CENTER
            for n in LANDMARK_NAMES
        ],
        np.float32,
    )
    / 255.0
)

_B25_INDEX = np.array(BODY25_INDEX)
_B25_COLORS = np.array(BODY25_COLORS, np.float32) / 255.0
_B25_PAIRS = np.array(BODY25_CONNECTIONS)
_MP_PAIRS = np.array(POSE_CONNECTIONS)
_HAND_PAIRS = np.array(HAND_CONNECTIONS)


def check_style(style: str) -> str:
    key = str(style).strip().lower().replace("_", "").replace("-", "")
    key = {
        "mediapipe": "mediapipe",
        "mp": "mediapipe",
        "blazepose": "mediapipe",
        "body25": "body25",
        "openpose": "body25",
    }.get(key, key)
    if key not in STYLES:
        raise ValueError(f"unknown skeleton style {style!r}; expected one of {', '.join(STYLES)}")
    return key


def skeleton_geometry(
    poses: Iterable[Pose],
    style: str = "mediapipe",
    *,
    min_visibility: float = MIN_VISIBILITY,
    thickness: float = 4.0,
    opacity: float = 1.0,
    color: tuple[int, int, int] | None = None,
) -> np.ndarray:
    """Capsules for the given poses: ``(N, 9)`` float32 rows of
    ``x0, y0, x1, y1, r, g, b, a, width`` in source pixels. Bones first, then joints.

    ``color`` (RGB 0-255) paints the bones in one colour and the joints white (a game's
    player colour) instead of the style's colours. Every skeleton arpose draws (the GL
    overlay, the games, :func:`arpose.render.annotate.draw_skeleton`) comes from here.

    A pose's tracked hands (``Pose.hands``, with hand tracking on) are drawn too, so the
    fingers a hand sign or a finger effect reads are visible: the 21-point hand skeleton
    at half the bone width, with small joints so a nail or a ring on a joint still shows."""
    style = check_style(style)
    bones: list[np.ndarray] = []
    points: list[np.ndarray] = []
    for pose in poses:
        j = pose.all_joints
        if style == "mediapipe":
            xy, vis, pairs = j[:33, :2], j[:33, 3], _MP_PAIRS
            pcol = _MP_POINT_COLORS
            bcol = np.tile(np.array(_MP_BONE, np.float32) / 255.0, (len(pairs), 1))
            bone_w, point_w = thickness, thickness * 1.8
        else:
            idx = np.where(_B25_INDEX < 0, 0, _B25_INDEX)
            xy, vis = j[idx, :2], np.where(_B25_INDEX < 0, 0.0, j[idx, 3])
            pairs = _B25_PAIRS
            pcol = _B25_COLORS
            bcol = _B25_COLORS[pairs[:, 1]]  # OpenPose colours a limb by its second keypoint
            bone_w, point_w = thickness * 1.5, thickness * 2.0
        if color is not None:
            bcol = np.tile(np.array(color, np.float32) / 255.0, (len(pairs), 1))
            pcol = np.ones((len(xy), 3), np.float32)
        ok = (vis >= min_visibility) & np.all(np.isfinite(xy), axis=1)
        keep = ok[pairs[:, 0]] & ok[pairs[:, 1]]
        p = pairs[keep]
        if len(p):
            b = np.empty((len(p), 9), np.float32)
            b[:, 0:2], b[:, 2:4] = xy[p[:, 0]], xy[p[:, 1]]
            b[:, 4:7], b[:, 7] = bcol[keep], opacity * (0.6 if style == "body25" else 1.0)
            b[:, 8] = bone_w
            bones.append(b)
        k = np.flatnonzero(ok)
        if len(k):
            q = np.empty((len(k), 9), np.float32)
            q[:, 0:2] = q[:, 2:4] = xy[k]
            q[:, 4:7], q[:, 7], q[:, 8] = pcol[k], opacity, point_w
            points.append(q)
        for hand in pose.hands:
            _hand_rows(hand.landmarks, bones, points, min_visibility, thickness * 0.5, opacity, color)
    rows = bones + points
    return np.concatenate(rows) if rows else np.zeros((0, 9), np.float32)


def _hand_rows(
    lm: np.ndarray,
    bones: list[np.ndarray],
    points: list[np.ndarray],
    min_visibility: float,
    width: float,
    opacity: float,
    color: tuple[int, int, int] | None,
) -> None:
    """One hand's bones and joints (MediaPipe's hand style: white bones, red joints; a
    player ``color`` paints the bones)."""
    xy, vis = lm[:, :2], lm[:, 3]
    ok = (vis >= min_visibility) & np.all(np.isfinite(xy), axis=1)
    keep = ok[_HAND_PAIRS[:, 0]] & ok[_HAND_PAIRS[:, 1]]
    p = _HAND_PAIRS[keep]
    bone = np.array(color if color is not None else _MP_BONE, np.float32) / 255.0
    if len(p):
        b = np.empty((len(p), 9), np.float32)
        b[:, 0:2], b[:, 2:4] = xy[p[:, 0]], xy[p[:, 1]]
        b[:, 4:7], b[:, 7], b[:, 8] = bone, opacity, width
        bones.append(b)
    k = np.flatnonzero(ok)
    if len(k):
        q = np.empty((len(k), 9), np.float32)
        q[:, 0:2] = q[:, 2:4] = xy[k]
        q[:, 4:7] = (1.0, 1.0, 1.0) if color is not None else (0.94, 0.2, 0.2)
        q[:, 7], q[:, 8] = opacity, width * 1.5  # small: a nail or ring at a joint shows
        points.append(q)


class Skeleton(Drawable):
    """Draws the skeleton of everyone in the frame (or of ``person`` ids) each frame.

    Args:
        style: ``"mediapipe"`` or ``"body25"``.
        people: person ids to draw, or None for all.
        thickness: bone width in source pixels; None = image height / 180.
    """

    def __init__(
        self,
        style: str = "mediapipe",
        *,
        people: Sequence[int] | None = None,
        min_visibility: float = MIN_VISIBILITY,
        thickness: float | None = None,
        name: str = "",
        layer: str | None = "front",
        **kw,
    ):
        super().__init__(name or f"Skeleton({style})", layer=layer, **kw)
        self.style = check_style(style)
        self.people = None if people is None else set(int(p) for p in people)
        self.min_visibility = float(min_visibility)
        self.thickness = thickness
        self.geometry = np.zeros((0, 9), np.float32)

    def update(self, ctx: FrameContext) -> None:
        if not ctx.new_frame:
            return
        frame = ctx.frame
        if frame is None:
            self.geometry = np.zeros((0, 9), np.float32)
            return
        poses = [p for p in frame.poses if self.people is None or p.id in self.people]
        th = self.thickness if self.thickness is not None else max(2.0, frame.size[1] / 180.0)
        self.geometry = skeleton_geometry(poses, self.style, min_visibility=self.min_visibility, thickness=th)

    depth_tested = False  # lines are drawn without the depth test

    def pixel_bounds(self, camera: Projection) -> np.ndarray | None:
        """The capsules' ends padded by their radius: the geometry is in source pixels."""
        g = self.geometry
        if len(g) == 0:
            return np.zeros((0, 2))
        r = g[:, 8:9] / 2.0 + 1.0
        ends = np.concatenate([g[:, 0:2] - r, g[:, 0:2] + r, g[:, 2:4] - r, g[:, 2:4] + r])
        return ends.astype(float)
