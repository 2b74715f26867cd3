"""Hand regions from the body pose, the way MediaPipe Holistic finds hands.

The body model already knows where each hand is: its wrist, index and pinky landmarks
(BlazePose's rough finger points) give the hand's centre, size and rotation. Cutting that
square out, turned so the fingers point up, gives the hand model a large, upright hand
even when the person is small in the picture (the raw hand model finds 0 of 10 hands of
whole people in the COCO photos; see the README's hands section).

Geometry (``HandDetectionsFromPoseToRectsCalculator`` then ``RectTransformationCalculator``
in ``mediapipe/modules/holistic_landmark``): middle = (2 index + pinky) / 3, box = 2 x
|middle - wrist|, rotated so wrist -> middle points up, scaled by 2.7, shifted 0.1 box
towards the fingers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ...joints import HAND_SIDES, joint_index
from ...pose import VIS, Pose

ROI_SCALE = 2.7
ROI_SHIFT = -0.1
MIN_ROI_PX = 24.0
"""Smaller regions hold too few pixels for the hand model: skipped."""


@dataclass(frozen=True)
class HandRegion:
    """A rotated square around one hand, in source-image pixels.

    Attributes:
        center: x, y of the square's centre.
        size: side length in pixels.
        rotation: radians; the hand's up direction is the square's -y after rotating the
            image by this angle (counter-clockwise positive in image coordinates, y down).
        side: the person's ``"left"`` or ``"right"``.
        person: index of the body in the detection that the hand belongs to, or None.
        wrist: x, y of the body's wrist (what a found hand must be near).
    """

    center: tuple[float, float]
    size: float
    rotation: float
    side: str
    person: int | None = None
    wrist: tuple[float, float] | None = None

    def to_crop(self, out: int) -> np.ndarray:
        """``2x3`` affine matrix taking source pixels to an ``out`` x ``out`` upright crop."""
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        k = out / self.size
        cx, cy = self.center
        # x' = k R (x - c) + out/2, R rotating by -rotation so the hand points up.
        m = np.array([[c * k, s * k, 0.0], [-s * k, c * k, 0.0]], np.float64)
        m[:, 2] = np.array([out / 2.0, out / 2.0]) - m[:, :2] @ np.array([cx, cy])
        return m

    def crop(self, image: np.ndarray, out: int = 256) -> tuple[np.ndarray, np.ndarray]:
        """The upright crop (black outside the image) and the matrix that made it."""
        m = self.to_crop(out)
        patch = cv2.warpAffine(
            image,
            m,
            (out, out),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(0, 0, 0),
        )
        return patch, m

    def corners(self) -> np.ndarray:
        """``(4, 2)`` source-pixel corners (for drawing and tests)."""
        inv = cv2.invertAffineTransform(self.to_crop(1))
        pts = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float64)
        return pts @ inv[:, :2].T + inv[:, 2]


def region_from_points(
    wrist: np.ndarray, index: np.ndarray, pinky: np.ndarray, side: str, person: int | None = None
) -> HandRegion:
    """The Holistic hand region from three 2D points (pure geometry, testable by hand)."""
    middle = (2.0 * index + pinky) / 3.0
    d = middle - wrist
    box = 2.0 * float(math.hypot(d[0], d[1]))
    # Rotation that turns wrist -> middle into "up" (-y in image coordinates).
    rotation = math.pi / 2.0 - math.atan2(-float(d[1]), float(d[0]))
    rotation = (rotation + math.pi) % (2.0 * math.pi) - math.pi
    size = box * ROI_SCALE
    # Shift along the rotated y axis (towards the fingers for a negative shift).
    up = np.array([math.sin(rotation), -math.cos(rotation)])
    center = middle - up * (ROI_SHIFT * box)
    return HandRegion(
        (float(center[0]), float(center[1])), size, rotation, side, person, (float(wrist[0]), float(wrist[1]))
    )


TRACK_SCALE = 2.0
TRACK_SHIFT = -0.1
_TRACK_POINTS = (0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18)  # MediaPipe's palm-and-base subset


def region_from_hand(
    landmarks: np.ndarray, side: str, person: int | None = None, wrist: tuple[float, float] | None = None
) -> HandRegion:
    """The region for the next frame from a hand's 21 landmarks (pixels), the way MediaPipe
    tracks a hand (``HandLandmarksToRectCalculator``, then scale 2.0, shift 0.1 towards the
    fingers): rotated so wrist -> middle of the index/middle/ring knuckles points up, the
    box of the palm and finger bases in that frame. Tighter than the body's finger points
    give, so the landmark model sees a larger hand."""
    lm = np.asarray(landmarks, np.float64)[:, :2]
    knuckles = ((lm[5] + lm[13]) / 2.0 + lm[9]) / 2.0
    d = knuckles - lm[0]
    rotation = math.pi / 2.0 - math.atan2(-float(d[1]), float(d[0]))
    rotation = (rotation + math.pi) % (2.0 * math.pi) - math.pi
    right = np.array([math.cos(rotation), math.sin(rotation)])
    up = np.array([math.sin(rotation), -math.cos(rotation)])
    pts = lm[list(_TRACK_POINTS)]
    u, v = pts @ right, pts @ up
    width, height = float(np.ptp(u)), float(np.ptp(v))
    center = (
        right * (float(np.min(u)) + float(np.max(u))) / 2.0 + up * (float(np.min(v)) + float(np.max(v))) / 2.0
    )
    center = center - up * (TRACK_SHIFT * height)
    size = TRACK_SCALE * max(width, height)
    return HandRegion((float(center[0]), float(center[1])), size, rotation, side, person, wrist)


_IDX = {
    side: (joint_index(f"{side}_wrist"), joint_index(f"{side}_index"), joint_index(f"{side}_pinky"))
    for side in HAND_SIDES
}


def regions_from_pose(
    pose: Pose,
    person: int | None = None,
    *,
    image_size: tuple[int, int] | None = None,
    min_visibility: float = 0.1,
) -> list[HandRegion]:
    """Both hands' regions of one body (fewer when a hand is invisible, tiny, or its
    region lies wholly outside the image of size ``(width, height)``)."""
    lm = pose.landmarks
    out = []
    for side in HAND_SIDES:
        w, i, p = _IDX[side]
        if min(lm[w, VIS], lm[i, VIS], lm[p, VIS]) < min_visibility:
            continue
        region = region_from_points(
            lm[w, :2].astype(np.float64),
            lm[i, :2].astype(np.float64),
            lm[p, :2].astype(np.float64),
            side,
            person,
        )
        if region.size < MIN_ROI_PX:
            continue
        if image_size is not None:
            cx, cy = region.center
            r = region.size / 2.0
            if cx + r < 0 or cy + r < 0 or cx - r > image_size[0] or cy - r > image_size[1]:
                continue
        out.append(region)
    return out


__all__ = ["HandRegion", "region_from_hand", "region_from_points", "regions_from_pose", "ROI_SCALE"]
