"""GPU resources of a Renderer: created once per data object, reused, released when the
data object dies or the renderer closes.

Textures, meshes and body quads are keyed by the identity of the GL-free data they were
uploaded from (``TextureData``, ``MeshData``, a ``BodyQuad`` node), through weak references,
so a scene that drops an asset frees its GPU memory on the next frame.
"""

from __future__ import annotations

import weakref
from typing import Any


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
