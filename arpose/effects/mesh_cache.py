"""Decoded meshes cached on disk by content, so starting an effect needs no trimesh.

Importing trimesh (it brings scipy and networkx) takes about half a second, more than
the rest of ``arpose render``'s set-up together, and it runs while the inference threads
are already working. So a mesh file is decoded by trimesh once, and the arrays of its
:class:`~arpose.scene.mesh.MeshData` (positions, faces, normals, uvs, colours, texture)
are kept as an ``.npz`` under ``<cache>/meshes`` (:func:`arpose.model.cache_dir`), named
by the SHA-256 of the file's bytes and of the decoding settings: an edited file is a new
entry, never a stale one. Entries are plain arrays read with ``allow_pickle=False``
(data, never code). A missing, corrupt or unwritable cache only costs the decode.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ..model import cache_dir
from ..scene.mesh import SMOOTH_ANGLE, MeshData
from ..scene.sprite import TextureData

log = logging.getLogger(__name__)

FORMAT = 1
"""Bump when what :meth:`MeshData.from_trimesh` makes of a file changes."""
_OPTIONAL = ("uvs", "colors", "texture")


@lru_cache(maxsize=1)
def _trimesh_version() -> str:
    try:
        return metadata.version("trimesh")
    except metadata.PackageNotFoundError:  # pragma: no cover - a declared dependency
        return "none"


def cache_key(data: bytes, suffix: str) -> str:
    """Name of the entry for a mesh file's bytes (and the settings that decode it)."""
    h = hashlib.sha256(
        f"arpose-mesh {FORMAT} {suffix.lower()} {SMOOTH_ANGLE} trimesh {_trimesh_version()}\n".encode()
    )
    h.update(data)
    return h.hexdigest()


def entry_path(key: str) -> Path:
    return cache_dir() / "meshes" / f"{key}.npz"


def load(key: str, name: str) -> MeshData | None:
    """The cached mesh for ``key``, or None (absent, unreadable or corrupt)."""
    path = entry_path(key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        texture = arrays.get("texture")
        return MeshData(
            arrays["positions"],
            arrays["indices"],
            normals=arrays["normals"],
            uvs=arrays.get("uvs"),
            colors=arrays.get("colors"),
            texture=None if texture is None else TextureData(texture, f"{name}:texture"),
            name=name,
        )
    except Exception as exc:  # any damage to the entry: decode the file again
        log.warning("%s: mesh cache entry unreadable (%s); decoding the file again", path, exc)
        return None


def save(key: str, mesh: MeshData) -> None:
    """Store ``mesh`` under ``key``, atomically; failures are logged, never raised."""
    path = entry_path(key)
    arrays: dict[str, Any] = {"positions": mesh.positions, "indices": mesh.indices, "normals": mesh.normals}
    for field in _OPTIONAL:
        value = getattr(mesh, field)
        if value is not None:
            arrays[field] = value.array if isinstance(value, TextureData) else value
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:12]}-", suffix=".npz")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        log.debug("cannot write mesh cache entry %s: %s", path, exc)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


__all__ = ["FORMAT", "cache_key", "entry_path", "load", "save"]
