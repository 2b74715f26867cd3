"""CPU skeleton drawing with OpenCV: for quick looks, the bench's naive loop, and images
written without OpenGL. The geometry (bones, colours, visibility cut-off) is the one of
:func:`arpose.render.skeleton.skeleton_geometry`, which the GL overlay and the games use
too; only the rasteriser differs."""

from __future__ import annotations

import cv2
import numpy as np

from ..errors import SourceError
from ..pose import PoseFrame
from .skeleton import MIN_VISIBILITY, skeleton_geometry


def draw_skeleton(
    image: np.ndarray,
    pose_frame: PoseFrame,
    min_visibility: float = MIN_VISIBILITY,
    thickness: int | None = None,
) -> np.ndarray:
    """Draw every person's 33-point skeleton onto ``image`` (RGB, in place) and return it."""
    h, w = image.shape[:2]
    t = thickness or max(2, round(max(h, w) / 400))
    geom = skeleton_geometry(pose_frame.poses, min_visibility=min_visibility, thickness=t)
    lim = 4 * max(h, w)
    for x0, y0, x1, y1, r, g, b, _a, width in geom.tolist():
        colour = (int(r * 255), int(g * 255), int(b * 255))
        p0 = (int(np.clip(x0, -lim, lim)), int(np.clip(y0, -lim, lim)))
        p1 = (int(np.clip(x1, -lim, lim)), int(np.clip(y1, -lim, lim)))
        if p0 == p1:
            cv2.circle(image, p0, max(1, int(width / 2)), colour, -1, cv2.LINE_AA)
        else:
            cv2.line(image, p0, p1, colour, max(1, int(round(width))), cv2.LINE_AA)
    return image


def write_image(path: str, rgb: np.ndarray) -> None:
    """Write an RGB image (PNG/JPEG by extension)."""
    if not cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        raise SourceError(f"{path}: cannot write image (unknown extension or folder missing)")
