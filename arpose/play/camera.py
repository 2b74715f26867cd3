"""The camera view behind every game: mirrored frame, dimmed, with the players' skeletons.

Landmarks stay unmirrored in the data; the mirror is decided here, once, by
:class:`ScreenMap` (source pixels -> window pixels, "cover" fit, mirrored so the
player moves like in a mirror). The frame goes to the screen through OpenCV
(resize + flip + dim in one pass each) and ``pygame.image.frombuffer`` (no copy),
and is reused when the camera has not delivered a new frame since the last draw.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import cv2
import numpy as np
import pygame

from ..joints import POSE_CONNECTIONS
from ..pose import Pose, PoseFrame

log = logging.getLogger(__name__)

_CONN = np.array(POSE_CONNECTIONS, np.int32)
# Body joints drawn as dots (no face details, no finger tips: clearer at game size).
_DOTS = np.array([0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28], np.int32)
_BODY_CONN = np.array([c for c in POSE_CONNECTIONS if min(c) >= 11 and max(c) <= 28
                       and not (15 <= c[0] <= 22 and 17 <= c[1] <= 22)], np.int32)


class ScreenMap:
    """Maps source-image pixels to window pixels: scale to cover the window, centre, mirror.

    Args:
        src_size: (w, h) of the source image.
        screen_size: (W, H) of the window.
        mirror: flip left-right (what a player expects from a front camera).
    """

    def __init__(self, src_size: tuple[int, int], screen_size: tuple[int, int],
                 mirror: bool = True) -> None:
        w, h = max(int(src_size[0]), 1), max(int(src_size[1]), 1)
        W, H = int(screen_size[0]), int(screen_size[1])
        self.src_size, self.screen_size, self.mirror = (w, h), (W, H), mirror
        self.scale = max(W / w, H / h)
        self.ox = (W - w * self.scale) / 2.0
        self.oy = (H - h * self.scale) / 2.0

    def to_screen(self, xy: np.ndarray) -> np.ndarray:
        """``(..., 2)`` source pixels -> window pixels (float)."""
        xy = np.asarray(xy, np.float32)
        out = np.empty_like(xy)
        out[..., 0] = xy[..., 0] * self.scale + self.ox
        out[..., 1] = xy[..., 1] * self.scale + self.oy
        if self.mirror:
            out[..., 0] = self.screen_size[0] - out[..., 0]
        return out

    def length(self, px: float) -> float:
        """A source-pixel length in window pixels."""
        return float(px) * self.scale

    def crop(self) -> tuple[int, int, int, int]:
        """The (x0, y0, x1, y1) part of the source image that is visible on screen."""
        w, h = self.src_size
        W, H = self.screen_size
        x0 = int(round(-self.ox / self.scale))
        y0 = int(round(-self.oy / self.scale))
        x1 = int(round((W - self.ox) / self.scale))
        y1 = int(round((H - self.oy) / self.scale))
        return max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)


def screen_points(pose: Pose, smap: ScreenMap) -> tuple[np.ndarray, np.ndarray]:
    """Window positions ``(33, 2)`` and visibilities ``(33,)`` of a pose, NaN-safe."""
    lm = pose.landmarks
    pts = smap.to_screen(np.nan_to_num(lm[:, :2], nan=-1e4, posinf=-1e4, neginf=-1e4))
    vis = np.nan_to_num(lm[:, 3], nan=0.0)
    return pts, vis


class CameraView:
    """Draws the background: the mirrored camera frame (or a gradient when there is no
    image, e.g. a landmark replay) and skeletons.

    Args:
        screen_size: window size.
        dim: brightness of the camera frame (0..1); below 1 makes the game layer pop.
    """

    def __init__(self, screen_size: tuple[int, int], dim: float = 0.6) -> None:
        self.screen_size = (int(screen_size[0]), int(screen_size[1]))
        self.dim = float(dim)
        self._last_image_id: int | None = None
        self._frame_surface: pygame.Surface | None = None
        self._frame_buffer: np.ndarray | None = None
        self._gradient = self._make_gradient()

    def _make_gradient(self) -> pygame.Surface:
        W, H = self.screen_size
        y = np.linspace(0.0, 1.0, H, dtype=np.float32)[:, None]
        top, bottom = np.array([24, 26, 58], np.float32), np.array([8, 60, 84], np.float32)
        col = (top * (1 - y) + bottom * y).astype(np.uint8)  # (H, 3)
        img = np.ascontiguousarray(np.broadcast_to(col[:, None, :], (H, W, 3)))
        return pygame.image.frombuffer(img.tobytes(), (W, H), "RGB").copy()

    def frame_surface(self, image: np.ndarray, smap: ScreenMap) -> pygame.Surface:
        """The camera image as a window-sized Surface (cached per source image)."""
        if self._frame_surface is not None and self._last_image_id == id(image):
            return self._frame_surface
        x0, y0, x1, y1 = smap.crop()
        crop = image[y0:y1, x0:x1]
        if crop.size == 0:
            crop = image
        W, H = self.screen_size
        small = cv2.resize(crop, (W, H), interpolation=cv2.INTER_LINEAR)
        if smap.mirror:
            small = cv2.flip(small, 1)
        if self.dim < 1.0:
            small = cv2.convertScaleAbs(small, alpha=self.dim)
        self._frame_buffer = np.ascontiguousarray(small)
        self._frame_surface = pygame.image.frombuffer(self._frame_buffer, (W, H), "RGB")
        self._last_image_id = id(image)
        return self._frame_surface

    def draw(self, surface: pygame.Surface, pf: PoseFrame | None, smap: ScreenMap | None,
             skeletons: Sequence[tuple[Pose, tuple[int, int, int]]] = ()) -> None:
        """Draw the background and the given (pose, colour) skeletons."""
        image = None if pf is None else pf.image
        if image is not None and smap is not None and image.ndim == 3 and image.size:
            surface.blit(self.frame_surface(image, smap), (0, 0))
        else:
            surface.blit(self._gradient, (0, 0))
        if smap is not None:
            for pose, colour in skeletons:
                draw_skeleton(surface, pose, smap, colour)


def draw_skeleton(surface: pygame.Surface, pose: Pose, smap: ScreenMap,
                  colour: tuple[int, int, int], width: int | None = None,
                  min_vis: float = 0.4) -> None:
    """Draw a body skeleton (limbs + joint dots) of ``pose`` in window coordinates."""
    pts, vis = screen_points(pose, smap)
    if width is None:
        width = max(3, int(surface.get_height() / 120))
    ok = vis > min_vis
    W, H = surface.get_size()
    lim = 4 * max(W, H)
    pts = np.clip(pts, -lim, lim).tolist()
    dark = tuple(int(c * 0.35) for c in colour)
    for a, b in _BODY_CONN:
        if ok[a] and ok[b]:
            pygame.draw.line(surface, dark, pts[a], pts[b], width + 4)
    for a, b in _BODY_CONN:
        if ok[a] and ok[b]:
            pygame.draw.line(surface, colour, pts[a], pts[b], width)
    for i in _DOTS:
        if ok[i]:
            pygame.draw.circle(surface, (255, 255, 255), pts[i], width + 1)
    # The head as a ring around the nose, sized by the shoulders.
    if ok[0] and ok[11] and ok[12]:
        r = max(8.0, 0.35 * math.dist(pts[11], pts[12]))
        pygame.draw.circle(surface, colour, pts[0], r, width)


__all__ = ["ScreenMap", "CameraView", "draw_skeleton", "screen_points"]
