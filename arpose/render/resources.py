"""GPU resources of a Renderer: created once per data object, reused, released when the
data object dies or the renderer closes.

Textures, meshes and body quads are keyed by the identity of the GL-free data they were
uploaded from (``TextureData``, ``MeshData``, a ``BodyQuad`` node), through weak references,
so a scene that drops an asset frees its GPU memory on the next frame.

:class:`Gpu` is what render passes share: the context, compiled programs (one per shader
pair), the unit quad, textures of ``TextureData`` (with a placeholder for what cannot be
uploaded), the body-mask texture and reused CPU buffers. :class:`InstanceBuffer` is one
per-instance vertex buffer that grows when a batch needs it.
"""

from __future__ import annotations

import importlib.resources
import logging
import re
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import AssetError, RenderError
from ..scene.sprite import TextureData

log = logging.getLogger(__name__)


_INCLUDE = re.compile(r'^#include "([\w.]+)"\s*$', re.MULTILINE)


def load_shader(name: str) -> str:
    """Source of ``arpose/render/shaders/<name>.glsl``, with each ``#include "FILE"`` line
    replaced by that file of the same folder (GLSL has no includes: what several shaders
    share, such as the body-mask occlusion, is written once)."""
    folder = importlib.resources.files("arpose.render") / "shaders"
    source = (folder / f"{name}.glsl").read_text()
    return _INCLUDE.sub(lambda m: (folder / m.group(1)).read_text(), source)


def mat_bytes(m: np.ndarray) -> bytes:
    """Column-major float32 bytes of a 4x4/3x3 matrix for GL."""
    return np.ascontiguousarray(np.asarray(m, np.float32).T).tobytes()


class GpuCache:
    """GPU objects keyed by the identity of a live data object; dead keys released."""

    def __init__(self) -> None:
        self.items: dict[int, tuple[weakref.ref, Any]] = {}

    def get(self, key_obj: Any) -> Any:
        entry = self.items.get(id(key_obj))
        if entry is None or entry[0]() is not key_obj:
            return None
        return entry[1]

    def put(self, key_obj: Any, value: Any) -> None:
        old = self.items.get(id(key_obj))
        if old is not None:
            release(old[1])
        self.items[id(key_obj)] = (weakref.ref(key_obj), value)

    def replace(self, key_obj: Any, value: Any) -> None:
        """Store ``value`` for ``key_obj`` without releasing the old one (it was reused)."""
        self.items[id(key_obj)] = (weakref.ref(key_obj), value)

    def purge(self) -> None:
        dead = [k for k, (ref, _) in self.items.items() if ref() is None]
        for k in dead:
            release(self.items.pop(k)[1])

    def clear(self) -> None:
        for _, value in self.items.values():
            release(value)
        self.items.clear()


def release(value: Any) -> None:
    """Release a GL object, or every GL object in a dict, list or tuple of them."""
    if isinstance(value, dict):
        for v in value.values():
            release(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            release(v)
    elif hasattr(value, "release"):
        value.release()


class GpuResources:
    """The renderer's three caches, purged together once per frame and cleared on close."""

    def __init__(self) -> None:
        self.textures = GpuCache()
        self.meshes = GpuCache()
        self.quads = GpuCache()

    def purge(self) -> None:
        for cache in (self.textures, self.meshes, self.quads):
            cache.purge()

    def clear(self) -> None:
        for cache in (self.textures, self.meshes, self.quads):
            cache.clear()


class Gpu:
    """The GL objects render passes share; made once per renderer, reused every frame.

    Args:
        ctx: the moderngl context.
    """

    def __init__(self, ctx: Any) -> None:
        import moderngl  # lazy: GL is only loaded by code that renders

        self.mgl = moderngl
        self.ctx = ctx
        self.max_texture_size = int(ctx.info.get("GL_MAX_TEXTURE_SIZE", 8192))
        self.cache = GpuResources()  # textures, meshes and body quads, by their data objects
        self._programs: dict[tuple[str, str], Any] = {}
        self._placeholder = TextureData.placeholder("<upload failed>", size=16, cells=4)
        self._failed: set[int] = set()
        quad = np.array([0, 0, 1, 0, 0, 1, 1, 1], np.float32)
        self.quad = ctx.buffer(quad.tobytes())
        """The unit quad (0, 0)-(1, 1) as a 4-vertex triangle strip of ``2f``."""
        self.white = ctx.texture((1, 1), 4, np.full((1, 1, 4), 255, np.uint8).tobytes())
        self.zero_mask = ctx.texture((1, 1), 1, np.zeros(1, np.float32).tobytes(), dtype="f4")
        self._mask_tex: Any = None
        self._mask_source: Any = None
        self._pixels: np.ndarray | None = None

    def program(self, vertex: str, fragment: str) -> Any:
        """The program of ``shaders/<vertex>.glsl`` and ``<fragment>.glsl``, compiled once."""
        key = (vertex, fragment)
        prog = self._programs.get(key)
        if prog is None:
            try:
                prog = self.ctx.program(
                    vertex_shader=load_shader(vertex), fragment_shader=load_shader(fragment)
                )
            except Exception as exc:
                raise RenderError(f"shader compilation failed: {exc}") from exc
            self._programs[key] = prog
        return prog

    def texture(self, data: TextureData) -> Any:
        """GL texture for ``data`` (created once, rewritten when its version changes).
        An asset that cannot be uploaded is logged once and drawn as a checkerboard."""
        entry = self.cache.textures.get(data)
        if entry is not None and entry[1] == data.version:
            return entry[0]
        if id(data) in self._failed:
            return self.texture(self._placeholder) if data is not self._placeholder else self.white
        w, h = data.size
        try:
            if max(w, h) > self.max_texture_size:
                raise AssetError(
                    f"texture {data.name} is {w}x{h}; this GL's limit is "
                    f"{self.max_texture_size} per side: scale it down"
                )
            if entry is not None and entry[0].size == (w, h):
                entry[0].write(data.array)
                tex = entry[0]
                self.cache.textures.replace(data, (tex, data.version))
                return tex
            tex = self.ctx.texture((w, h), 4, data.array)
            if data.error is not None:  # placeholders: crisp checkers
                tex.filter = (self.mgl.NEAREST, self.mgl.NEAREST)
            else:
                tex.filter = (self.mgl.LINEAR_MIPMAP_LINEAR, self.mgl.LINEAR)
                tex.build_mipmaps()
            tex.repeat_x = tex.repeat_y = False
        except AssetError as exc:
            log.error("%s (drawing a placeholder)", exc)
            self._failed.add(id(data))
            return self.texture(self._placeholder) if data is not self._placeholder else self.white
        self.cache.textures.put(data, (tex, data.version))
        return tex

    def mask(self, mask: np.ndarray) -> Any:
        """The body mask (H, W) (float in [0, 1], uint8 or bool) as a float texture,
        one reused texture rewritten only when the mask is a new array."""
        if mask is self._mask_source and self._mask_tex is not None:
            return self._mask_tex
        m = np.asarray(mask)
        if m.ndim == 3:
            m = m[:, :, 0]
        if m.dtype != np.float32:
            m = m.astype(np.float32) / (255.0 if m.dtype == np.uint8 else 1.0)
        h, w = m.shape
        if self._mask_tex is None or self._mask_tex.size != (w, h):
            if self._mask_tex is not None:
                self._mask_tex.release()
            self._mask_tex = self.ctx.texture((w, h), 1, dtype="f4")
            self._mask_tex.filter = (self.mgl.LINEAR, self.mgl.LINEAR)
            self._mask_tex.repeat_x = self._mask_tex.repeat_y = False
        self._mask_tex.write(np.ascontiguousarray(m))
        self._mask_source = mask
        return self._mask_tex

    def pixels(self, size: tuple[int, int], w: int | None = None, h: int | None = None) -> np.ndarray:
        """A reused RGBA uint8 buffer: ``(H, W, 4)`` of the output ``size`` (W, H), or
        its first ``w * h`` pixels as ``(h, w, 4)`` for a box's upload or read-back."""
        W, H = size
        if self._pixels is None or self._pixels.shape != (H, W, 4):
            self._pixels = np.empty((H, W, 4), np.uint8)
        if w is None or h is None:
            return self._pixels
        return self._pixels.reshape(-1)[: w * h * 4].reshape(h, w, 4)

    def release(self) -> None:
        self.cache.clear()
        for obj in (self._mask_tex, self.white, self.zero_mask, self.quad, *self._programs.values()):
            if obj is not None:
                obj.release()
        self._programs.clear()


class InstanceBuffer:
    """A per-instance vertex buffer and its vertex array, grown (doubling) when a batch
    needs more rows, orphaned before every write: rewriting storage still queued for
    drawing would make llvmpipe flush (and software-rasterise) the frame so far, once
    per batch.

    Args:
        ctx: the moderngl context; capacity: rows at first; row_bytes: bytes per row;
        make_vao: builds the vertex array over a buffer.
    """

    def __init__(self, ctx: Any, capacity: int, row_bytes: int, make_vao: Callable[[Any], Any]) -> None:
        self.capacity = capacity
        self.row_bytes = row_bytes
        self._make_vao = make_vao
        self.buffer = ctx.buffer(reserve=capacity * row_bytes, dynamic=True)
        self.vao = make_vao(self.buffer)

    def upload(self, rows: np.ndarray) -> Any:
        """Write ``rows`` (k rows of ``row_bytes``) and return the vertex array to draw."""
        k = len(rows)
        if k > self.capacity:
            while self.capacity < k:
                self.capacity *= 2
            self.buffer.orphan(self.capacity * self.row_bytes)
            self.vao.release()
            self.vao = self._make_vao(self.buffer)
        self.buffer.orphan(self.capacity * self.row_bytes)
        self.buffer.write(rows)
        return self.vao

    def release(self) -> None:
        self.vao.release()
        self.buffer.release()
