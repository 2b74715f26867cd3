"""The view camera: a pinhole whose image is exactly the source frame.

World coordinates follow the camera convention of OpenCV (x right, y down, z forward,
camera at the origin), so a landmark ``(x_px, y_px, z)`` maps to a world point with one
formula and projects back onto the same pixel. The plane ``z == 0`` of MediaPipe (the hip
plane) sits at distance ``f`` (the focal length in pixels), where one world unit is one
source pixel; a landmark at relative depth ``z`` (pixel units, smaller = closer) sits at
distance ``f + z``. Mirroring is not part of the camera: the renderer flips the output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

DEFAULT_FOV_Y = 55.0
"""Vertical field of view in degrees: a typical webcam (about 70 degrees diagonal)."""
MIN_DEPTH_FRACTION = 0.2
"""Landmarks never come closer than this fraction of ``f`` (guards wild z values)."""


@dataclass(frozen=True)
class Projection:
    """Pinhole camera for a source image of ``size`` (w, h) and vertical ``fov_y`` degrees."""

    size: tuple[int, int]
    fov_y: float = DEFAULT_FOV_Y
    near_fraction: float = 0.05
    far_fraction: float = 20.0
    _focal: float = field(init=False, repr=False, compare=False, default=0.0)

    def __post_init__(self) -> None:
        w, h = self.size
        if w <= 0 or h <= 0:
            raise ValueError(f"camera size must be positive, got {self.size}")
        if not 1.0 <= self.fov_y <= 170.0:
            raise ValueError(f"fov_y must be in [1, 170] degrees, got {self.fov_y}")

        # cached: read for every anchor every frame
        object.__setattr__(self, "_focal", (self.size[1] / 2.0) / math.tan(math.radians(self.fov_y) / 2.0))

    @property
    def focal(self) -> float:
        """Focal length in source pixels (square pixels, principal point at the centre)."""
        return self._focal

    @property
    def near(self) -> float:
        return self.focal * self.near_fraction

    @property
    def far(self) -> float:
        return self.focal * self.far_fraction

    def depth(self, z: np.ndarray | float) -> np.ndarray | float:
        """Distance from the camera of a landmark with relative depth ``z`` (pixel units)."""
        f = self._focal
        if isinstance(z, (float, int, np.floating)):
            return max(f + float(z), f * MIN_DEPTH_FRACTION)
        return np.maximum(f + np.asarray(z, np.float64), f * MIN_DEPTH_FRACTION)

    def unproject_point(self, x: float, y: float, z: float) -> tuple[float, float, float]:
        """One pixel x, y and landmark z -> world (x, y, z) as floats (the hot path)."""
        f = self._focal
        d = max(f + z, f * MIN_DEPTH_FRACTION)
        return (x - self.size[0] / 2.0) * d / f, (y - self.size[1] / 2.0) * d / f, d

    def unproject(self, px: np.ndarray) -> np.ndarray:
        """``(..., 3)`` pixel x, y and landmark z -> ``(..., 3)`` world points."""
        px = np.asarray(px, np.float64)
        w, h = self.size
        f = self.focal
        d = self.depth(px[..., 2])
        out = np.empty(px.shape[:-1] + (3,), np.float64)
        out[..., 0] = (px[..., 0] - w / 2.0) * d / f
        out[..., 1] = (px[..., 1] - h / 2.0) * d / f
        out[..., 2] = d
        return out

    def project(self, world: np.ndarray) -> np.ndarray:
        """``(..., 3)`` world points -> ``(..., 2)`` source pixels (unmirrored)."""
        world = np.asarray(world, np.float64)
        w, h = self.size
        f = self.focal
        z = world[..., 2]
        return np.stack([world[..., 0] * f / z + w / 2.0, world[..., 1] * f / z + h / 2.0], -1)

    def projection(self, flip: bool = False) -> np.ndarray:
        """4x4 matrix (column-vector convention) from world to GL clip space.

        y is negated (image rows go down, GL's y goes up); ``flip`` negates x once,
        which is the only place the selfie view is made.
        """
        w, h = self.size
        f = self.focal
        n, fa = self.near, self.far
        sx = -1.0 if flip else 1.0
        return np.array(
            [
                [sx * 2.0 * f / w, 0.0, 0.0, 0.0],
                [0.0, -2.0 * f / h, 0.0, 0.0],
                [0.0, 0.0, (fa + n) / (fa - n), -2.0 * fa * n / (fa - n)],
                [0.0, 0.0, 1.0, 0.0],
            ],
            np.float64,
        )

    def screen_projection(self, flip: bool = False) -> np.ndarray:
        """4x4 orthographic matrix from source pixels (z ignored) to clip space (for the
        background, the skeleton and the HUD, which live in pixels)."""
        w, h = self.size
        sx = -1.0 if flip else 1.0
        return np.array(
            [
                [sx * 2.0 / w, 0.0, 0.0, -sx],
                [0.0, -2.0 / h, 0.0, 1.0],
                [0.0, 0.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 1.0],
            ],
            np.float64,
        )
