"""CPU skeleton drawing with OpenCV: for quick looks, the bench's naive loop, and images
written without OpenGL. The GPU overlay for live use lives in :mod:`arpose.render`."""

from __future__ import annotations

import cv2
import numpy as np

from .joints import POSE_CONNECTIONS
from .pose import VIS, PoseFrame

_PALETTE = ((0, 200, 255), (255, 120, 0), (120, 255, 80), (255, 60, 200))


def draw_skeleton(image: np.ndarray, pose_frame: PoseFrame, min_visibility: float = 0.5,
                  thickness: int | None = None) -> np.ndarray:
    """Draw every person's 33-point skeleton onto ``image`` (RGB, in place) and return it."""
    h, w = image.shape[:2]
    t = thickness or max(2, round(max(h, w) / 400))
    for pose in pose_frame.poses:
        color = _PALETTE[pose.id % len(_PALETTE)] if pose.id >= 0 else _PALETTE[0]
        lm = pose.landmarks
        pts = np.round(lm[:, :2]).astype(np.int32)
        ok = lm[:, VIS] >= min_visibility
        for a, b in POSE_CONNECTIONS:
            if ok[a] and ok[b]:
                cv2.line(image, tuple(pts[a]), tuple(pts[b]), color, t, cv2.LINE_AA)
        for i in np.flatnonzero(ok):
            cv2.circle(image, tuple(pts[i]), t + 1, (255, 255, 255), -1, cv2.LINE_AA)
    return image


def write_image(path: str, rgb: np.ndarray) -> None:
    """Write an RGB image (PNG/JPEG by extension)."""
    from .errors import SourceError
    if not cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        raise SourceError(f"{path}: cannot write image (unknown extension or folder missing)")
