"""Camera image <-> screen mapping: mirroring and fitting, decided in one place.

Landmarks stay in unmirrored camera pixels (see docs/developer/architecture.md); the screen shows
a mirror view (the natural way to see yourself). :class:`ScreenMap` is the single
conversion used by the renderer's camera background and scene (its GL viewport),
the body input's hand cursors and swipes, and the games' own 2D drawing, so a wrist
drawn over the video, a crown on the head and a wrist used for slicing land on the
same screen pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..compat import renamed_keywords, warn_renamed

FITS = ("contain", "cover", "stretch")


@dataclass(frozen=True)
class ScreenMap:
    """Maps image pixels to screen pixels.

    Attributes:
        image_size: (width, height) of the camera image.
        screen_size: (width, height) of the window.
        flip: flip left-right (default True: a mirror view).
        fit: "contain" (whole image visible, bars if aspect ratios differ; default),
            "cover" (fill the screen, crop), or "stretch".
    """

    image_size: tuple[int, int]
    screen_size: tuple[int, int]
    flip: bool = True
    fit: str = "contain"

    @property
    def mirror(self) -> bool:
        """0.1.0's name of :attr:`flip` (deprecated)."""
        warn_renamed("ScreenMap.mirror", "ScreenMap.flip")
        return self.flip

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
        if self.flip:
            u = 1.0 - u
        v = p[..., 1] / self.image_size[1]
        return np.stack([x0 + u * w, y0 + v * h], axis=-1)

    def to_image(self, xy: np.ndarray | tuple[float, float]) -> np.ndarray:
        """Screen position(s) back to image pixels."""
        p = np.asarray(xy, np.float64)[..., :2]
        x0, y0, w, h = self.rect
        u = (p[..., 0] - x0) / w
        if self.flip:
            u = 1.0 - u
        v = (p[..., 1] - y0) / h
        return np.stack([u * self.image_size[0], v * self.image_size[1]], axis=-1)

    @property
    def scale(self) -> float:
        """Screen pixels per image pixel (horizontal)."""
        return self.rect[2] / self.image_size[0]

    def length(self, px: float) -> float:
        """An image-pixel length in screen pixels."""
        return float(px) * self.scale

    def crop(self) -> tuple[int, int, int, int]:
        """The ``(x0, y0, x1, y1)`` part of the image that is visible on the screen."""
        x0, y0, w, h = self.rect
        iw, ih = self.image_size
        sw, sh = self.screen_size
        kx, ky = w / iw, h / ih
        left = int(round(-x0 / kx))
        top = int(round(-y0 / ky))
        right = int(round((sw - x0) / kx))
        bottom = int(round((sh - y0) / ky))
        return max(left, 0), max(top, 0), min(right, iw), min(bottom, ih)

    def viewport(self) -> tuple[int, int, int, int]:
        """The image's rectangle as a GL viewport ``(x, y, w, h)`` in whole pixels, y up
        (it may reach past the screen's edges with ``fit="cover"``: GL clips it)."""
        sw, sh = self.screen_size
        x0, y0, w, h = self.rect
        vw, vh = max(1, round(w)), max(1, round(h))
        if self.fit == "stretch":
            return 0, 0, sw, sh
        return (sw - vw) // 2, (sh - vh) // 2, vw, vh


ScreenMap.__init__ = renamed_keywords(mirror="flip")(ScreenMap.__init__)  # type: ignore[method-assign]

__all__ = ["ScreenMap", "FITS"]
