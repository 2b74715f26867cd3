"""Camera image <-> screen mapping: mirroring and letterboxing, decided in one place.

Landmarks stay in unmirrored camera pixels (see ARCHITECTURE.md); the screen shows
a mirror view (the natural way to see yourself). :class:`ScreenMap` is the single
conversion both the camera background and the body input use, so a wrist drawn
over the video and a wrist used for slicing land on the same screen pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FITS = ("contain", "cover", "stretch")


@dataclass(frozen=True)
class ScreenMap:
    """Maps image pixels to screen pixels.

    Attributes:
        image_size: (width, height) of the camera image.
        screen_size: (width, height) of the window.
        mirror: flip left-right (default True: a mirror view).
        fit: "contain" (whole image visible, bars if aspect ratios differ; default),
            "cover" (fill the screen, crop), or "stretch".
    """

    image_size: tuple[int, int]
    screen_size: tuple[int, int]
    mirror: bool = True
    fit: str = "contain"

    def __post_init__(self) -> None:
        if self.fit not in FITS:
            raise ValueError(f"fit must be one of {', '.join(FITS)}, got {self.fit!r}")
        for name in ("image_size", "screen_size"):
            w, h = getattr(self, name)
            if not (w > 0 and h > 0):
                raise ValueError(f"{name} must be positive, got {(w, h)}")

    @property
    def rect(self) -> tuple[float, float, float, float]:
        """Where the image is drawn on the screen: (x, y, width, height) in screen px."""
        iw, ih = self.image_size
        sw, sh = self.screen_size
        if self.fit == "stretch":
            return 0.0, 0.0, float(sw), float(sh)
        k = min(sw / iw, sh / ih) if self.fit == "contain" else max(sw / iw, sh / ih)
        w, h = iw * k, ih * k
        return (sw - w) / 2, (sh - h) / 2, w, h

    def to_screen(self, xy: np.ndarray | tuple[float, float]) -> np.ndarray:
        """Image pixel position(s) ``(..., 2)`` to screen pixels."""
        p = np.asarray(xy, np.float64)[..., :2]
        x0, y0, w, h = self.rect
        u = p[..., 0] / self.image_size[0]
        if self.mirror:
            u = 1.0 - u
        v = p[..., 1] / self.image_size[1]
        return np.stack([x0 + u * w, y0 + v * h], axis=-1)

    def to_image(self, xy: np.ndarray | tuple[float, float]) -> np.ndarray:
        """Screen position(s) back to image pixels."""
        p = np.asarray(xy, np.float64)[..., :2]
        x0, y0, w, h = self.rect
        u = (p[..., 0] - x0) / w
        if self.mirror:
            u = 1.0 - u
        v = (p[..., 1] - y0) / h
        return np.stack([u * self.image_size[0], v * self.image_size[1]], axis=-1)

    def scale(self) -> float:
        """Screen pixels per image pixel (horizontal)."""
        return self.rect[2] / self.image_size[0]


__all__ = ["ScreenMap", "FITS"]
