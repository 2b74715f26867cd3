"""Asset kinds for effects: a small registry that picks a loader by kind or file extension.

An effect names files ("hat.glb", "shades.png"); each one is a *kind* of asset
(``sprite``, ``mesh``) chosen by an explicit ``kind = "..."`` or by its extension.
Loading here means decoding into the scene's GL-free data (``TextureData``,
``MeshData``): the renderer uploads it to the GPU later, when a context exists. Other packages add
kinds with :func:`register_asset_kind`; when nothing matches, the error lists the
kinds that exist.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..errors import AssetError
from ..rig.gltf import load_gltf
from ..scene.mesh import MeshData
from ..scene.sprite import TextureData
from ..sources import image_size
from . import mesh_cache

log = logging.getLogger(__name__)

MAX_ASSET_BYTES = 32 * 1024 * 1024
"""Asset files larger than this are refused (by ``stat``, before reading)."""
MAX_TEXTURE_SIDE = 8192
"""Sprites wider or taller than this are refused (beyond common GL texture limits)."""


@dataclass(frozen=True)
class AssetKind:
    """One kind of asset: its name, the extensions that imply it, and its decoder."""

    name: str
    extensions: tuple[str, ...]
    load: Callable[[Path], Any]
    """Decode a file into GL-free data; raise :class:`AssetError` on failure."""


_KINDS: dict[str, AssetKind] = {}


def register_asset_kind(
    name: str, extensions: tuple[str, ...] | list[str], load: Callable[[Path], Any]
) -> None:
    """Add (or replace) an asset kind, e.g. ``register_asset_kind("video", (".mp4",), fn)``."""
    exts = tuple(e.lower() if e.startswith(".") else "." + e.lower() for e in extensions)
    _KINDS[name] = AssetKind(name, exts, load)


def asset_kinds() -> tuple[str, ...]:
    """Names of the registered asset kinds."""
    return tuple(_KINDS)


def kind_for(path: str | os.PathLike, kind: str | None = None) -> str:
    """The kind of an asset: ``kind`` when given and known, otherwise by extension.

    Raises:
        AssetError: the kind is unknown or the extension matches no kind; the message
            lists the kinds (and their extensions) that exist.
    """
    listing = "; ".join(f"{k.name} ({', '.join(k.extensions)})" for k in _KINDS.values())
    if kind is not None:
        if kind in _KINDS:
            return kind
        raise AssetError(f"unknown asset kind {kind!r}; known kinds: {listing}")
    suffix = Path(path).suffix.lower()
    for k in _KINDS.values():
        if suffix in k.extensions:
            return k.name
    raise AssetError(
        f"no asset kind for {Path(path).name!r} (extension {suffix or 'none'!r}); known kinds: {listing}"
    )


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AssetError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if size > MAX_ASSET_BYTES:
        raise AssetError(
            f"{path}: asset is {size / 1e6:.1f} MB, over the {MAX_ASSET_BYTES // (1024 * 1024)} MB limit"
        )
    if size == 0:
        raise AssetError(f"{path}: asset file is empty")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AssetError(f"{path}: cannot read ({exc.strerror or exc})") from None


def load_image_rgba(path: Path) -> np.ndarray:
    """Decode an image file into an (H, W, 4) RGBA uint8 array (alpha kept or added)."""
    raw = _read_bytes(path)
    size = image_size(raw)  # from the header: refuse a decompression bomb before decoding
    if size is not None and max(size) > MAX_TEXTURE_SIDE:
        raise AssetError(
            f"{path}: image is {size[0]}x{size[1]}, larger than the "
            f"{MAX_TEXTURE_SIDE} px texture limit; scale it down"
        )
    data = np.frombuffer(raw, np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise AssetError(f"{path}: cannot decode image (corrupt or unsupported format)")
    if image.dtype != np.uint8:
        image = (image / max(float(np.max(image)), 1.0) * 255).astype(np.uint8)
    h, w = image.shape[:2]
    if max(h, w) > MAX_TEXTURE_SIDE:
        raise AssetError(
            f"{path}: image is {w}x{h}, larger than the {MAX_TEXTURE_SIDE} px texture limit; scale it down"
        )
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGBA)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGBA)


def load_trimesh(path: Path, data: bytes | None = None) -> Any:
    """Decode a mesh file (or its ``data``, already read) into one ``trimesh.Trimesh``
    (scenes are concatenated).

    The bytes are read here and handed to trimesh without a resolver, so a mesh file
    cannot make trimesh read other files (an OBJ's ``mtllib ../../x``): colours come
    from the file's own vertex colours or from the effect.
    """
    import trimesh  # lazy: slow to import (~0.3 s); only decoding a mesh file needs it

    if data is None:
        data = _read_bytes(path)
    try:
        loaded = trimesh.load(
            io.BytesIO(data), file_type=path.suffix.lower().lstrip("."), force=None, process=True
        )
    except Exception as exc:  # trimesh raises many types for corrupt files
        raise AssetError(f"{path}: cannot load mesh ({type(exc).__name__}: {exc})") from None
    if isinstance(loaded, trimesh.Scene):
        geoms = [g for g in loaded.dump() if isinstance(g, trimesh.Trimesh)]
        if not geoms:
            raise AssetError(f"{path}: mesh file contains no triangle meshes")
        loaded = trimesh.util.concatenate(geoms) if len(geoms) > 1 else geoms[0]
    if not isinstance(loaded, trimesh.Trimesh) or len(loaded.faces) == 0:
        raise AssetError(f"{path}: mesh has no faces")
    return loaded


def load_sprite_asset(path: Path) -> Any:
    """A sprite asset as the scene's GL-free :class:`~arpose.scene.sprite.TextureData`."""
    return TextureData(load_image_rgba(path), str(path))


def load_mesh_asset(path: Path) -> Any:
    """A mesh asset as the scene's GL-free :class:`~arpose.scene.mesh.MeshData` (y-up
    file); decoded by trimesh once, then read from :mod:`arpose.effects.mesh_cache`."""
    data = _read_bytes(path)
    key = mesh_cache.cache_key(data, path.suffix)
    mesh = mesh_cache.load(key, str(path))
    if mesh is None:
        mesh = MeshData.from_trimesh(load_trimesh(path, data), str(path))
        mesh_cache.save(key, mesh)
    return mesh


def load_avatar_asset(path: Path) -> Any:
    """A skinned avatar or costume as a GL-free :class:`~arpose.rig.gltf.GltfModel`
    (glTF 2.0; a VRM file is a glTF binary)."""
    return load_gltf(path)


register_asset_kind("sprite", (".png", ".jpg", ".jpeg", ".webp", ".bmp"), load_sprite_asset)
register_asset_kind("mesh", (".obj", ".glb", ".ply", ".stl", ".off"), load_mesh_asset)
register_asset_kind("avatar", (".gltf", ".vrm"), load_avatar_asset)


def load_asset_data(path: Path, kind: str) -> Any:
    """Decode one asset file with the loader of its kind."""
    return _KINDS[kind_for(path, kind)].load(path)


__all__ = [
    "AssetKind",
    "register_asset_kind",
    "asset_kinds",
    "kind_for",
    "load_asset_data",
    "load_image_rgba",
    "load_trimesh",
    "load_sprite_asset",
    "load_mesh_asset",
    "load_avatar_asset",
    "MAX_ASSET_BYTES",
    "MAX_TEXTURE_SIDE",
]
