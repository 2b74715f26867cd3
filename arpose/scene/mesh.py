"""Triangle meshes as GL-free data, and the Mesh node.

:class:`MeshData` holds flat numpy arrays (positions, normals, optional UVs, vertex
colours, indices) and an optional :class:`~arpose.scene.sprite.TextureData`; it is made
from a trimesh mesh, an OBJ/GLB/PLY/STL file (:func:`load_mesh`), or the procedural
shapes here (:func:`box`, :func:`sphere`, :func:`cylinder`, :func:`cone`, :func:`torus`).

Axis convention: files and trimesh use y up and +z towards the viewer (glTF); arpose's
world is y down and +z away from the camera. The conversion (a half turn about x,
which keeps handedness) happens once here, so a hat modelled upright in Blender stands
upright on the head.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import AssetError
from .node import Drawable, project_bounds
from .projection import Projection
from .sprite import TextureData

log = logging.getLogger(__name__)

MAX_MESH_BYTES = 64 * 1024 * 1024
MAX_VERTICES = 2_000_000
SMOOTH_ANGLE = np.radians(35.0)
"""Edges sharper than this stay hard (a box keeps flat faces, a sphere is smooth)."""

_Y_UP_TO_Y_DOWN = np.diag([1.0, -1.0, -1.0])


class MeshData:
    """Triangles ready for upload. Arrays are float32/uint32 and contiguous.

    Attributes:
        positions: (N, 3); normals: (N, 3); uvs: (N, 2) or None; colors: (N, 4) float in
        [0, 1] or None; indices: (M, 3); texture: TextureData or None; name: for messages.
    """

    def __init__(
        self,
        positions: np.ndarray,
        indices: np.ndarray,
        *,
        normals: np.ndarray | None = None,
        uvs: np.ndarray | None = None,
        colors: np.ndarray | None = None,
        texture: TextureData | None = None,
        name: str = "<mesh>",
        error: str | None = None,
    ):
        self.name = name
        self.error = error
        pos = np.ascontiguousarray(positions, np.float32).reshape(-1, 3)
        idx = np.ascontiguousarray(indices, np.uint32).reshape(-1, 3)
        if len(idx) == 0:
            raise AssetError(f"mesh {name} has no faces")
        if len(pos) == 0 or np.max(idx) >= len(pos):
            raise AssetError(f"mesh {name}: face indices point past the {len(pos)} vertices")
        if len(pos) > MAX_VERTICES:
            raise AssetError(f"mesh {name} has {len(pos)} vertices; the limit is {MAX_VERTICES}")
        if not np.isfinite(pos).all():
            raise AssetError(f"mesh {name} has non-finite vertex positions")
        self.positions = pos
        self.indices = idx
        self.normals = (
            np.ascontiguousarray(normals, np.float32).reshape(-1, 3)
            if normals is not None
            else _vertex_normals(pos, idx)
        )
        self.uvs = None if uvs is None else np.ascontiguousarray(uvs, np.float32).reshape(-1, 2)
        self.colors = None if colors is None else np.ascontiguousarray(colors, np.float32).reshape(-1, 4)
        for label, arr in (("normals", self.normals), ("uvs", self.uvs), ("colors", self.colors)):
            if arr is not None and len(arr) != len(pos):
                raise AssetError(f"mesh {name}: {len(arr)} {label} for {len(pos)} vertices")
        self.texture = texture if self.uvs is not None else None
        self.version = 0

    @property
    def bounds(self) -> np.ndarray:
        """(2, 3) min and max corner."""
        return np.stack([self.positions.min(0), self.positions.max(0)])

    def corners(self) -> np.ndarray:
        """(8, 4) homogeneous corners of :attr:`bounds`, cached per :attr:`version` (the
        renderer projects them every frame to find where a mesh can draw)."""
        key = (self.version, id(self.positions))
        cached = getattr(self, "_corners", None)
        if cached is None or cached[0] != key:
            (ax, ay, az), (bx, by, bz) = self.bounds.astype(np.float64)
            box = np.array([[x, y, z, 1.0] for x in (ax, bx) for y in (ay, by) for z in (az, bz)])
            self._corners = cached = (key, box)
        return cached[1]

    def interleaved(self) -> np.ndarray:
        """(N, 12) float32: position, normal, uv, colour (the renderer's vertex layout)."""
        n = len(self.positions)
        out = np.empty((n, 12), np.float32)
        out[:, 0:3] = self.positions
        out[:, 3:6] = self.normals
        out[:, 6:8] = self.uvs if self.uvs is not None else 0.0
        out[:, 8:12] = self.colors if self.colors is not None else 1.0
        return out

    def normalized(self, size: float = 1.0) -> MeshData:
        """A copy centred at the origin whose largest side is ``size`` units."""
        lo, hi = self.bounds
        span = float((hi - lo).max()) or 1.0
        pos = (self.positions - (lo + hi) / 2.0) * (size / span)
        return MeshData(
            pos,
            self.indices,
            normals=self.normals,
            uvs=self.uvs,
            colors=self.colors,
            texture=self.texture,
            name=self.name,
        )

    @classmethod
    def from_trimesh(
        cls, tm: Any, name: str = "<trimesh>", y_up: bool = True, smooth_angle: float | None = SMOOTH_ANGLE
    ) -> MeshData:
        """Convert a ``trimesh.Trimesh`` (or Scene, concatenated); y-up unless told."""
        import trimesh  # lazy: slow to import (~0.3 s); only mesh files and primitives need it

        if isinstance(tm, trimesh.Scene):
            geoms = [g for g in tm.dump() if isinstance(g, trimesh.Trimesh)] if hasattr(tm, "dump") else []
            if not geoms:
                raise AssetError(f"mesh {name} contains no triangle geometry")
            tm = trimesh.util.concatenate(geoms) if len(geoms) > 1 else geoms[0]
        if not isinstance(tm, trimesh.Trimesh):
            raise AssetError(f"mesh {name} is a {type(tm).__name__}, not a triangle mesh")
        if len(tm.faces) == 0:
            raise AssetError(f"mesh {name} has no faces")
        visual: Any = tm.visual
        texture: TextureData | None = None
        uvs = None
        if getattr(visual, "kind", None) == "texture" and getattr(visual, "uv", None) is not None:
            uvs = np.asarray(visual.uv, np.float32).copy()
            uvs[:, 1] = 1.0 - uvs[:, 1]  # GL/OBJ v goes up; our textures have row 0 on top
            image = getattr(visual.material, "image", None) or getattr(
                visual.material, "baseColorTexture", None
            )
            if image is not None:
                texture = TextureData(np.asarray(image.convert("RGBA")), f"{name}:texture")
            colors = None
            base = getattr(visual.material, "baseColorFactor", None)
            if base is not None and texture is None:
                colors = np.tile(np.asarray(base, np.float32) / 255.0, (len(tm.vertices), 1))
            if texture is None and colors is None:
                uvs = None
        else:
            colors = None
        faces = np.asarray(tm.faces, np.int64)
        pos = np.asarray(tm.vertices, np.float64)
        if uvs is None and smooth_angle is not None and getattr(visual, "kind", None) != "texture":
            kind = getattr(visual, "kind", None)
            vcolors = (
                np.asarray(visual.vertex_colors, np.float32) / 255.0 if kind in ("vertex", "face") else None
            )
            pos, faces, normals, src = _smooth_shade(tm, smooth_angle)
            if vcolors is not None:
                colors = vcolors[src]
        elif "vertex_normals" in tm._cache:  # normals the file brought
            normals = np.asarray(tm.vertex_normals, np.float64)
        else:
            normals = _angle_weighted_normals(pos, faces, tm.face_normals, tm.face_angles)
        if y_up:
            pos = pos @ _Y_UP_TO_Y_DOWN
            normals = normals @ _Y_UP_TO_Y_DOWN
        return cls(pos, faces, normals=normals, uvs=uvs, colors=colors, texture=texture, name=name)

    @classmethod
    def placeholder(cls, name: str = "<placeholder>", error: str | None = None) -> MeshData:
        """A magenta/black checkered cube that marks a broken mesh on screen."""
        data = box((1.0, 1.0, 1.0), name=name)
        faces = len(data.indices)
        pal = np.array([[1.0, 0.0, 1.0, 1.0], [0.1, 0.1, 0.1, 1.0]], np.float32)
        cols = np.empty((len(data.positions), 4), np.float32)
        for f in range(faces):  # tiny: 12 faces
            cols[data.indices[f]] = pal[(f // 2) % 2]
        data.colors = cols
        data.error = error or "placeholder"
        return data

    def __repr__(self) -> str:
        return f"<MeshData {self.name!r} {len(self.positions)} verts {len(self.indices)} faces>"


def _angle_weighted_normals(
    pos: np.ndarray, faces: np.ndarray, face_normals: np.ndarray, face_angles: np.ndarray
) -> np.ndarray:
    """Vertex normals: the face normals around each vertex weighted by the corner angle
    (trimesh's ``vertex_normals``, without the scipy sparse matrix it wants)."""
    vn = np.zeros((len(pos), 3), np.float64)
    for k in range(3):
        np.add.at(vn, faces[:, k], face_normals * face_angles[:, k : k + 1])
    norm = np.linalg.norm(vn, axis=1, keepdims=True)
    return vn / np.where(norm > 0, norm, 1.0)


def _face_components(n_faces: int, pairs: np.ndarray) -> np.ndarray:
    """A component label per face, faces joined by ``pairs`` (union-find in numpy: label
    propagation with pointer jumping; no graph library needed)."""
    labels = np.arange(n_faces)
    if len(pairs) == 0:
        return labels
    a, b = pairs[:, 0], pairs[:, 1]
    while True:
        m = np.minimum(labels[a], labels[b])
        new = labels.copy()
        np.minimum.at(new, a, m)
        np.minimum.at(new, b, m)
        new = new[new]  # jump to the root's label
        while True:
            nxt = new[new]
            if np.array_equal(nxt, new):
                break
            new = nxt
        if np.array_equal(new, labels):
            return labels
        labels = new


def _smooth_shade(tm: Any, angle: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split the mesh's vertices along edges sharper than ``angle`` and give each piece
    smooth normals (a box keeps flat faces, a sphere is smooth).

    Done in numpy: trimesh's ``graph.smooth_shade`` needs scipy or networkx (which a plain
    install lacks: it then printed tracebacks and left the mesh flat-shaded).

    Returns:
        positions, faces, normals and, per new vertex, the original vertex it came from.
    """
    faces = np.asarray(tm.faces, np.int64)
    pos = np.asarray(tm.vertices, np.float64)
    adjacency = np.asarray(tm.face_adjacency, np.int64).reshape(-1, 2)
    if len(adjacency):
        adjacency = adjacency[np.asarray(tm.face_adjacency_angles) < angle]
    comp = _face_components(len(faces), adjacency)
    corner_vertex = faces.ravel()
    corner_comp = np.repeat(comp, 3)
    keys = corner_vertex * (int(comp.max()) + 1) + corner_comp
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    src = corner_vertex[first]
    new_faces = inverse.reshape(-1, 3)
    normals = _angle_weighted_normals(pos[src], new_faces, tm.face_normals, tm.face_angles)
    return pos[src], new_faces, normals, src


def _vertex_normals(pos: np.ndarray, idx: np.ndarray) -> np.ndarray:
    tri = pos[idx]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    vn = np.zeros_like(pos)
    for k in range(3):
        np.add.at(vn, idx[:, k], fn)
    norm = np.linalg.norm(vn, axis=1, keepdims=True)
    return (vn / np.where(norm > 0, norm, 1.0)).astype(np.float32)


def load_mesh(
    source: str | os.PathLike | Any,
    *,
    on_error: str = "raise",
    normalize: float | None = None,
    y_up: bool = True,
) -> MeshData:
    """Load OBJ/GLB/GLTF/PLY/STL with trimesh (or convert a trimesh object).

    Args:
        normalize: when given, centre the mesh and scale its largest side to this size.
        on_error: ``"raise"`` or ``"placeholder"`` (log and return a checkered cube).

    Raises:
        AssetError: missing or corrupt file, no faces, too large; naming the file.
    """
    if on_error not in ("raise", "placeholder"):
        raise ValueError(f"on_error must be 'raise' or 'placeholder', got {on_error!r}")
    if isinstance(source, MeshData):
        return source
    name = str(source) if isinstance(source, (str, os.PathLike)) else type(source).__name__
    try:
        if isinstance(source, (str, os.PathLike)):
            data = _load_file(Path(source), y_up)
        else:
            data = MeshData.from_trimesh(source, name, y_up=y_up)
        return data.normalized(normalize) if normalize else data
    except AssetError as exc:
        if on_error == "raise":
            raise
        log.error("%s (showing a placeholder)", exc)
        return MeshData.placeholder(name, str(exc))


def _load_file(path: Path, y_up: bool) -> MeshData:
    import trimesh  # lazy: slow to import (~0.3 s); only mesh files and primitives need it

    if not path.is_file():
        raise AssetError(f"mesh file not found: {path}")
    size = path.stat().st_size
    if size > MAX_MESH_BYTES:
        raise AssetError(
            f"mesh file {path} is {size / 1e6:.0f} MB; the limit is {MAX_MESH_BYTES // 1_000_000} MB"
        )
    if size == 0:
        raise AssetError(f"mesh file {path} is empty")
    try:
        loaded = trimesh.load(str(path), force=None, process=True)
    except Exception as exc:  # trimesh raises many kinds for corrupt input
        raise AssetError(f"cannot read mesh {path}: {type(exc).__name__}: {exc}") from exc
    return MeshData.from_trimesh(loaded, str(path), y_up=y_up)


# -- procedural shapes (y up, like files; converted like files) --------------------------
def _from_creation(tm: Any, name: str, color: Sequence[float] | None) -> MeshData:
    if color is not None:
        c = np.asarray(color, np.float64)
        c = np.append(c, 1.0) if len(c) == 3 else c
        tm.visual.vertex_colors = np.round(np.clip(c, 0, 1) * 255).astype(np.uint8)
    return MeshData.from_trimesh(tm, name)


def box(
    extents: Sequence[float] = (1.0, 1.0, 1.0), *, color: Sequence[float] | None = None, name: str = "box"
) -> MeshData:
    import trimesh  # lazy: slow to import (~0.3 s); only mesh files and primitives need it

    return _from_creation(trimesh.creation.box(extents=extents), name, color)


def sphere(
    radius: float = 0.5, *, subdivisions: int = 2, color: Sequence[float] | None = None, name: str = "sphere"
) -> MeshData:
    import trimesh  # lazy: slow to import (~0.3 s); only mesh files and primitives need it

    return _from_creation(trimesh.creation.icosphere(subdivisions=subdivisions, radius=radius), name, color)


def cylinder(
    radius: float = 0.5,
    height: float = 1.0,
    *,
    sections: int = 32,
    color: Sequence[float] | None = None,
    name: str = "cylinder",
) -> MeshData:
    """A cylinder along y (up), centred at the origin."""
    import trimesh  # lazy: slow to import (~0.3 s); only mesh files and primitives need it

    tm = trimesh.creation.cylinder(radius=radius, height=height, sections=sections)
    tm.apply_transform(trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0]))
    return _from_creation(tm, name, color)


def cone(
    radius: float = 0.5,
    height: float = 1.0,
    *,
    sections: int = 32,
    color: Sequence[float] | None = None,
    name: str = "cone",
) -> MeshData:
    """A cone along y with its base at y=0 and its tip at y=height."""
    import trimesh  # lazy: slow to import (~0.3 s); only mesh files and primitives need it

    tm = trimesh.creation.cone(radius=radius, height=height, sections=sections)
    tm.apply_transform(trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0]))
    return _from_creation(tm, name, color)


def torus(
    major: float = 0.5,
    minor: float = 0.15,
    *,
    major_sections: int = 32,
    minor_sections: int = 12,
    color: Sequence[float] | None = None,
    name: str = "torus",
) -> MeshData:
    """A ring in the x-z plane (a hat brim, a halo)."""
    import trimesh  # lazy: slow to import (~0.3 s); only mesh files and primitives need it

    tm = trimesh.creation.torus(
        major_radius=major, minor_radius=minor, major_sections=major_sections, minor_sections=minor_sections
    )
    tm.apply_transform(trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0]))
    return _from_creation(tm, name, color)


class Mesh(Drawable):
    """A lit triangle mesh in its parent's units (one body measure under an anchor).

    Args:
        mesh: MeshData, a file path, or a trimesh object (see :func:`load_mesh`).
        color: RGBA multiplied with vertex colours / texture.
        lit: simple directional + ambient lighting; False draws flat colours.
    """

    def __init__(self, mesh: MeshData | str | os.PathLike | Any, *, lit: bool = True, name: str = "", **kw):
        self.mesh = load_mesh(mesh)
        super().__init__(name or f"Mesh({Path(self.mesh.name).name})", **kw)
        self.lit = bool(lit)

    @property
    def batch_key(self) -> int:
        """Opaque meshes first (0), then see-through ones with other content (1)."""
        return 0 if self.color[3] >= 1.0 and self.world_opacity >= 1.0 else 1

    def pixel_bounds(self, camera: Projection) -> np.ndarray | None:
        world = (self.mesh.corners() @ np.asarray(self.world_matrix, float).T)[:, :3]
        return project_bounds(world, camera)
