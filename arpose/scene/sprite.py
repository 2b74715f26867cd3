"""Textures as GL-free data, and the Sprite node (a textured quad with alpha).

Load now, upload later: :func:`load_texture` decodes a PNG (or takes a numpy array) into
a :class:`TextureData` holding an RGBA uint8 array; the renderer creates the GL texture
the first time it draws it, reuses it, and re-uploads only when :meth:`TextureData.update`
bumped its version. Logic tests and effect validation therefore need no GL context.

A broken file raises :class:`~arpose.errors.AssetError` naming it; with
``on_error="placeholder"`` (what a running mirror wants) it logs the error and returns a
magenta checkerboard instead, so the problem is visible on screen without a crash.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from ..errors import AssetError
from ..sources import MAX_PIXELS, image_size
from .node import Drawable, project_bounds
from .projection import Projection

log = logging.getLogger(__name__)

MAX_TEXTURE_SIZE = 16384
"""Refused at load time (the renderer checks the real GL limit again at upload)."""
PLACEHOLDER_COLORS = ((255, 0, 255, 255), (20, 20, 20, 255))
_UNIT_QUAD = np.array([[0, 0, 0, 1], [1, 0, 0, 1], [0, 1, 0, 1], [1, 1, 0, 1]], float)


class TextureData:
    """An RGBA uint8 image (row 0 at the top) waiting to be uploaded.

    Attributes:
        name: file name or label, for error messages.
        version: bumped by :meth:`update`; the renderer re-uploads when it changes.
        error: the load error message when this is a placeholder, else None.
    """

    __slots__ = ("array", "name", "version", "error", "__weakref__")

    def __init__(self, array: np.ndarray, name: str = "<array>", error: str | None = None):
        self.name = name
        self.error = error
        self.version = 0
        self.array = _to_rgba(array, name)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.array.shape[1]), int(self.array.shape[0])

    @property
    def aspect(self) -> float:
        w, h = self.size
        return h / w

    def update(self, array: np.ndarray) -> None:
        """Replace the pixels (same or different size); uploaded on the next draw."""
        self.array = _to_rgba(array, self.name)
        self.version += 1

    @classmethod
    def placeholder(
        cls, name: str = "<placeholder>", error: str | None = None, size: int = 64, cells: int = 8
    ) -> TextureData:
        """A magenta/black checkerboard that marks a broken asset on screen."""
        idx = np.arange(size) * cells // size
        check = (idx[:, None] + idx[None, :]) % 2
        img = np.empty((size, size, 4), np.uint8)
        img[check == 0] = PLACEHOLDER_COLORS[0]
        img[check == 1] = PLACEHOLDER_COLORS[1]
        return cls(img, name, error or "placeholder")

    def __repr__(self) -> str:
        return f"<TextureData {self.name!r} {self.size[0]}x{self.size[1]} v{self.version}>"


def _to_rgba(array: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(array)
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3 or a.shape[2] not in (1, 3, 4) or a.shape[0] < 1 or a.shape[1] < 1:
        raise AssetError(
            f"texture {name}: expected an (H, W), (H, W, 3) or (H, W, 4) image, got shape {a.shape}"
        )
    if max(a.shape[:2]) > MAX_TEXTURE_SIZE:
        raise AssetError(
            f"texture {name} is {a.shape[1]}x{a.shape[0]} pixels; the limit is "
            f"{MAX_TEXTURE_SIZE} per side: scale it down"
        )
    if a.dtype != np.uint8:
        if np.issubdtype(a.dtype, np.floating):
            a = np.clip(np.nan_to_num(a) * 255.0 + 0.5, 0, 255).astype(np.uint8)
        else:
            a = np.clip(a, 0, 255).astype(np.uint8)
    if a.shape[2] == 1:
        a = np.concatenate([np.repeat(a, 3, axis=2), np.full(a.shape[:2] + (1,), 255, np.uint8)], 2)
    elif a.shape[2] == 3:
        a = np.concatenate([a, np.full(a.shape[:2] + (1,), 255, np.uint8)], 2)
    return np.ascontiguousarray(a)


def load_texture(
    source: str | os.PathLike | np.ndarray | TextureData, *, on_error: str = "raise"
) -> TextureData:
    """Decode an image file (PNG with alpha, JPEG, ...) or wrap an array.

    Args:
        source: a path, an ``(H, W[, 3|4])`` array (RGB/RGBA, uint8 or float in [0, 1]),
            or an existing TextureData (returned as is).
        on_error: ``"raise"`` (default) or ``"placeholder"``: log and return a checkerboard.

    Raises:
        AssetError: missing, unreadable or oversized image, naming the file.
    """
    if on_error not in ("raise", "placeholder"):
        raise ValueError(f"on_error must be 'raise' or 'placeholder', got {on_error!r}")
    if isinstance(source, TextureData):
        return source
    name = "<array>" if isinstance(source, np.ndarray) else str(source)
    try:
        if isinstance(source, np.ndarray):
            return TextureData(source, name)
        return TextureData(_decode_file(Path(source)), name)
    except AssetError as exc:
        if on_error == "raise":
            raise
        log.error("%s (showing a placeholder)", exc)
        return TextureData.placeholder(name, str(exc))


def _decode_file(path: Path) -> np.ndarray:
    if not path.is_file():
        raise AssetError(f"image file not found: {path}")
    data = np.fromfile(str(path), np.uint8)
    size = image_size(data)  # from the header: refuse a decompression bomb before decoding
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        raise AssetError(
            f"{path}: image is {size[0]}x{size[1]}, larger than the "
            f"{MAX_PIXELS // 1_000_000} megapixel limit; scale it down"
        )
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if img is None:
        raise AssetError(f"cannot decode image {path}: not a valid PNG/JPEG/BMP/WebP file")
    if img.dtype == np.uint16:
        img = (img.astype(np.uint16) >> 8).astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA)
    elif img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    return img


class Sprite(Drawable):
    """A textured quad with alpha, in its parent's units.

    Under a :class:`~arpose.scene.anchors.JointAnchor` one unit is one body measure
    (e.g. one head width), so ``Sprite(tex, width=1.2)`` is 1.2 head widths wide.

    Args:
        texture: TextureData, path or numpy array (see :func:`load_texture`).
        width: width in parent units; ``height`` defaults to width times the image aspect.
        pivot: the point of the image placed at the node's origin, (0, 0) = top-left,
            (0.5, 0.5) = centre (default), (0.5, 1) = bottom centre (a hat sitting on top).
        Other keywords: see :class:`~arpose.scene.node.Drawable` / ``Node``.
    """

    def __init__(
        self,
        texture: TextureData | str | os.PathLike | np.ndarray,
        *,
        width: float = 1.0,
        height: float | None = None,
        pivot: Sequence[float] = (0.5, 0.5),
        name: str = "",
        **kw,
    ):
        self.texture = load_texture(texture)
        super().__init__(name or f"Sprite({Path(self.texture.name).name})", **kw)
        if width <= 0 or (height is not None and height <= 0):
            raise ValueError(f"sprite {self.name}: width and height must be positive")
        self.width = float(width)
        self.height = float(height) if height is not None else None
        self.pivot = (float(pivot[0]), float(pivot[1]))

    @property
    def size(self) -> tuple[float, float]:
        h = self.height if self.height is not None else self.width * self.texture.aspect
        return self.width, h

    def quad_matrix(self) -> np.ndarray:
        """World matrix of the unit quad [0, 1]^2 (u right, v down) of this sprite."""
        w, h = self.size
        m = np.eye(4)
        m[0, 0], m[1, 1] = w, h
        m[0, 3], m[1, 3] = -self.pivot[0] * w, -self.pivot[1] * h
        return self.world_matrix @ m

    @property
    def batch_key(self) -> int:
        """Sprites sort after meshes, grouped by texture: one instanced draw per texture."""
        return 2 + (id(self.texture) & 0xFFFFFFFF)

    def pixel_bounds(self, camera: Projection) -> np.ndarray | None:
        return project_bounds((_UNIT_QUAD @ self.quad_matrix().T)[:, :3], camera)
