"""A validated glTF 2.0 reader for skinned avatars: skeleton, skins, meshes and clips.

trimesh drops skins, so skinned avatars and costumes are read here: the JSON with the
standard library (pygltflib's dataclass parser takes about 10 s on the shared mannequin's
7,000 accessors; pygltflib writes the files arpose generates, see ``tools/make_avatars.py``)
and the binary data with numpy. The file is data, never code: every index, offset,
count and size is checked against what the file really holds, and any problem raises one
:class:`~arpose.errors.AssetError` line naming the file and the problem.

Everything is GL-free ("load now, upload later"): :class:`GltfModel` holds numpy arrays; the
renderer's skinned pass uploads them. Matrices are numpy's row-major math convention
(``M @ column_vector``); glTF stores them column-major, so they are transposed on reading.
Quaternions are ``(x, y, z, w)`` as in glTF and :mod:`arpose.rig`.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np

from ..errors import AssetError
from . import quat

MAX_JOINTS = 256
"""Joints one skin may have: the skinned pass's ``uniform mat4 u_joints[N]`` array."""
MAX_FILE_BYTES = 512 * 1024 * 1024
"""Largest .gltf/.glb/.bin read (an avatar is a few MB)."""
MAX_VERTICES = 4_000_000
MAX_INDICES = 24_000_000
MAX_NODES = 20_000
MAX_KEYFRAMES = 1_000_000

_COMPONENT: dict[int, np.dtype[Any]] = {
    5120: np.dtype(np.int8),
    5121: np.dtype(np.uint8),
    5122: np.dtype("<i2"),
    5123: np.dtype("<u2"),
    5125: np.dtype("<u4"),
    5126: np.dtype("<f4"),
}
_WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
_NORM_SCALE = {5120: 127.0, 5121: 255.0, 5122: 32767.0, 5123: 65535.0}
_TRIANGLES = 4


@dataclass(frozen=True)
class Material:
    """A primitive's base colour: a factor (linear RGBA) and an optional texture
    (decoded RGBA, ``(H, W, 4)`` uint8, row 0 at the top as glTF's UVs expect)."""

    name: str
    base_color: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    texture: np.ndarray | None = None
    double_sided: bool = False


@dataclass(frozen=True)
class Primitive:
    """One skinned triangle list: per-vertex arrays of equal length and a material."""

    positions: np.ndarray  # (V, 3) float32, in the skinned mesh's bind space
    normals: np.ndarray  # (V, 3) float32 (computed when the file has none)
    uvs: np.ndarray  # (V, 2) float32 (zeros when the file has none)
    joints: np.ndarray  # (V, 4) uint16, indices into the skin's joints
    weights: np.ndarray  # (V, 4) float32, summing to 1
    indices: np.ndarray  # (K,) uint32, a multiple of 3
    material: Material


@dataclass(frozen=True)
class Skin:
    """A skin: the nodes that are its joints and their inverse bind matrices."""

    name: str
    joints: tuple[int, ...]  # node indices
    inverse_bind: np.ndarray  # (J, 4, 4) float64


@dataclass(frozen=True)
class SkinnedMesh:
    """A mesh node with a skin: its primitives and which skin deforms them."""

    name: str
    node: int
    skin: int
    primitives: tuple[Primitive, ...]

    @property
    def vertex_count(self) -> int:
        return sum(len(p.positions) for p in self.primitives)


@dataclass(frozen=True)
class Channel:
    """One animated property of one node, with its keyframes."""

    node: int
    path: str  # "translation", "rotation" or "scale"
    times: np.ndarray  # (K,) float64, increasing
    values: np.ndarray  # (K, 3|4) or (K, 3, 3|4) for CUBICSPLINE (in-tangent, value, out-tangent)
    interpolation: str  # "LINEAR", "STEP" or "CUBICSPLINE"

    def sample(self, t: float) -> np.ndarray:
        """The value at time ``t`` (clamped to the keyframes' range)."""
        times, vals = self.times, self.values
        cubic = self.interpolation == "CUBICSPLINE"
        if t <= times[0] or len(times) == 1:
            out = vals[0, 1] if cubic else vals[0]
        elif t >= times[-1]:
            out = vals[-1, 1] if cubic else vals[-1]
        else:
            k = int(np.searchsorted(times, t, side="right")) - 1
            t0, t1 = times[k], times[k + 1]
            dt = t1 - t0
            u = 0.0 if dt <= 0 else (t - t0) / dt
            if self.interpolation == "STEP":
                out = vals[k]
            elif cubic:
                u2, u3 = u * u, u * u * u
                p0, m0 = vals[k, 1], vals[k, 2] * dt
                p1, m1 = vals[k + 1, 1], vals[k + 1, 0] * dt
                out = (
                    (2 * u3 - 3 * u2 + 1) * p0
                    + (u3 - 2 * u2 + u) * m0
                    + (-2 * u3 + 3 * u2) * p1
                    + (u3 - u2) * m1
                )
            elif self.path == "rotation":
                out = quat.slerp(vals[k], vals[k + 1], u)
            else:
                out = vals[k] * (1 - u) + vals[k + 1] * u
        out = np.asarray(out, np.float64)
        if self.path == "rotation":
            out = out / max(float(np.linalg.norm(out)), 1e-12)
        return out


@dataclass(frozen=True)
class AnimationClip:
    """A named animation: channels over nodes, ``duration`` seconds long."""

    name: str
    channels: tuple[Channel, ...]
    duration: float


@dataclass(frozen=True)
class GltfModel:
    """A glTF file's skeleton, skins, skinned meshes and animation clips.

    ``rest_translation``/``rest_rotation``/``rest_scale`` are each node's local TRS as stored
    (the bind pose of a well-formed avatar); :attr:`rest_global` their global matrices.
    """

    path: str
    names: tuple[str, ...]
    parents: np.ndarray  # (N,) int, -1 for roots
    order: tuple[int, ...]  # node indices, parents before children
    rest_translation: np.ndarray  # (N, 3)
    rest_rotation: np.ndarray  # (N, 4) xyzw
    rest_scale: np.ndarray  # (N, 3)
    skins: tuple[Skin, ...]
    meshes: tuple[SkinnedMesh, ...]
    animations: dict[str, AnimationClip] = field(default_factory=dict)
    humanoid: dict[str, str] = field(default_factory=dict)
    """A VRM file's own humanoid bone map (VRM 1.0 bone name -> node name; VRM 0.x's
    thumbs renamed to 1.0's), from its ``VRMC_vrm``/``VRM`` extension; empty otherwise."""

    @property
    def rest_local(self) -> np.ndarray:
        """(N, 4, 4) local matrices of the rest pose."""
        return trs_matrices(self.rest_translation, self.rest_rotation, self.rest_scale)

    @property
    def rest_global(self) -> np.ndarray:
        """(N, 4, 4) global matrices of the rest pose."""
        return self.global_matrices(self.rest_local)

    def node_index(self, name: str) -> int:
        """Index of the node called ``name`` (AssetError naming the file if none)."""
        try:
            return self.names.index(name)
        except ValueError:
            raise AssetError(f"{self.path}: no node named {name!r}") from None

    def global_matrices(self, local: np.ndarray) -> np.ndarray:
        """(N, 4, 4) global matrices from (N, 4, 4) local ones (one top-down pass)."""
        out = np.empty_like(local)
        parents = self.parents
        for i in self.order:
            p = parents[i]
            out[i] = local[i] if p < 0 else out[p] @ local[i]
        return out

    def clip(self, name: str) -> AnimationClip:
        """The clip called ``name``; AssetError listing the clips there are."""
        try:
            return self.animations[name]
        except KeyError:
            have = ", ".join(sorted(self.animations)) or "none"
            raise AssetError(f"{self.path}: no animation {name!r} (clips: {have})") from None

    def pose_trs(self, clip: AnimationClip | str, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Local (translation, rotation, scale) of every node at time ``t`` of ``clip``;
        nodes and properties the clip does not animate keep their rest values."""
        c = self.clip(clip) if isinstance(clip, str) else clip
        tr, rot, sc = self.rest_translation.copy(), self.rest_rotation.copy(), self.rest_scale.copy()
        target = {"translation": tr, "rotation": rot, "scale": sc}
        for ch in c.channels:
            target[ch.path][ch.node] = ch.sample(t)
        return tr, rot, sc

    def pose_local(self, clip: AnimationClip | str, t: float) -> np.ndarray:
        """(N, 4, 4) local matrices at time ``t`` of ``clip``."""
        return trs_matrices(*self.pose_trs(clip, t))

    def skin_matrices(self, global_m: np.ndarray, skin: int = 0) -> np.ndarray:
        """(J, 4, 4) joint matrices for linear blend skinning, ``global[joint] @ IBM``: they
        take bind-space vertices to scene space (glTF ignores the skinned mesh node's own
        transform)."""
        s = self.skins[skin]
        return global_m[list(s.joints)] @ s.inverse_bind


# -- maths -------------------------------------------------------------------------------


def trs_matrices(t: np.ndarray, r: np.ndarray, s: np.ndarray) -> np.ndarray:
    """(N, 4, 4) matrices ``T @ R @ S`` from (N, 3) translations, (N, 4) quaternions and
    (N, 3) scales."""
    t = np.asarray(t, np.float64)
    n = t.shape[0]
    m = np.zeros((n, 4, 4))
    rot = quat.to_matrix(quat.normalize(np.asarray(r, np.float64)))
    m[:, :3, :3] = rot * np.asarray(s, np.float64)[:, None, :]
    m[:, :3, 3] = t
    m[:, 3, 3] = 1.0
    return m


# -- reading -----------------------------------------------------------------------------


class _Obj:
    """Attribute access to a glTF JSON object: ``o.byteLength``; a missing key is None,
    nested objects are wrapped, lists of objects become lists of :class:`_Obj`."""

    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]) -> None:
        self._d = d

    def __setattr__(self, key: str, value: Any) -> None:
        if key != "_d":
            raise AttributeError(key)
        object.__setattr__(self, key, value)

    def __getattr__(self, key: str) -> Any:
        v = self._d.get(key)
        if isinstance(v, dict):
            return _Obj(v)
        if isinstance(v, list) and v and isinstance(v[0], dict):
            return [_Obj(x) if isinstance(x, dict) else x for x in v]
        return v


def _objects(value: Any, what: str, r: _Reader) -> list[_Obj]:
    """A top-level glTF array: a list of JSON objects (else one line naming it)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(x, _Obj) for x in value):
        raise r.fail(f"'{what}' must be a list of objects")
    return value


class _Reader:
    """Reads one file's binary data with every access checked."""

    def __init__(self, path: Path, gltf: _Obj, glb_blob: bytes | None) -> None:
        self.path = path
        self.label = str(path)
        self.g = gltf
        self.glb_blob = glb_blob
        self._buffers: dict[int, bytes] = {}
        self._arrays: dict[str, list[_Obj]] = {}

    def array(self, key: str) -> list[_Obj]:
        """A top-level array (``accessors``...), checked once and kept."""
        out = self._arrays.get(key)
        if out is None:
            out = self._arrays[key] = _objects(getattr(self.g, key), key, self)
        return out

    def fail(self, problem: str) -> AssetError:
        return AssetError(f"{self.label}: {problem}")

    def buffer(self, i: int) -> bytes:
        if i in self._buffers:
            return self._buffers[i]
        bufs = self.array("buffers")
        if not 0 <= i < len(bufs):
            raise self.fail(f"buffer {i} does not exist ({len(bufs)} buffers)")
        b = bufs[i]
        declared = b.byteLength
        if not isinstance(declared, int) or declared < 0 or declared > MAX_FILE_BYTES:
            raise self.fail(f"buffer {i} declares an absurd byteLength {declared!r}")
        uri = b.uri
        if uri is None:
            if self.glb_blob is None or i != 0:
                raise self.fail(f"buffer {i} has no uri and there is no GLB binary chunk")
            data = self.glb_blob
        elif uri.startswith("data:"):
            head, _, payload = uri.partition(",")
            if not head.endswith(";base64"):
                raise self.fail(f"buffer {i}: only base64 data URIs are supported")
            try:
                data = base64.b64decode(payload, validate=True)
            except ValueError:
                raise self.fail(f"buffer {i}: its data URI is not valid base64") from None
        else:
            data = self._file(uri, f"buffer {i}")
        if len(data) < declared:
            raise self.fail(f"buffer {i} is truncated: {len(data)} bytes, {declared} declared")
        self._buffers[i] = data
        return data

    def _file(self, uri: str, what: str) -> bytes:
        rel = unquote(uri)
        if "://" in rel or rel.startswith(("/", "\\")) or ":" in rel.split("/")[0]:
            raise self.fail(f"{what} uri {uri!r} is not a relative file name (nothing is downloaded)")
        base = self.path.parent.resolve()
        target = (base / rel).resolve()
        if base not in target.parents:
            raise self.fail(f"{what} uri {uri!r} points outside the model's folder")
        if not target.is_file():
            raise self.fail(f"{what} file {rel!r} is missing")
        size = target.stat().st_size
        if size > MAX_FILE_BYTES:
            raise self.fail(f"{what} file {rel!r} is absurdly large ({size} bytes)")
        return target.read_bytes()

    def view(self, i: int) -> tuple[bytes, int, int, int | None]:
        views = self.array("bufferViews")
        if not isinstance(i, int) or not 0 <= i < len(views):
            raise self.fail(f"bufferView {i} does not exist ({len(views)} bufferViews)")
        v = views[i]
        data = self.buffer(v.buffer if v.buffer is not None else -1)
        off = v.byteOffset or 0
        length = v.byteLength
        if not isinstance(length, int) or off < 0 or length < 0 or off + length > len(data):
            raise self.fail(
                f"bufferView {i} (offset {off}, length {length}) runs past the end of buffer "
                f"{v.buffer} ({len(data)} bytes): missing or truncated data"
            )
        return data, off, length, v.byteStride

    def accessor(self, i: Any, *, types: Sequence[str], what: str, limit: int) -> np.ndarray:
        """The accessor's data as a (count, width) float64 or integer array, checked."""
        accs = self.array("accessors")
        if not isinstance(i, int) or not 0 <= i < len(accs):
            raise self.fail(f"{what}: accessor {i} does not exist ({len(accs)} accessors)")
        a = accs[i]
        if a.type not in types:
            raise self.fail(f"{what}: accessor {i} is {a.type}, expected {' or '.join(types)}")
        dtype = _COMPONENT.get(a.componentType)
        if dtype is None:
            raise self.fail(f"{what}: accessor {i} has an unknown componentType {a.componentType!r}")
        count = a.count
        if not isinstance(count, int) or count < 0 or count > limit:
            raise self.fail(f"{what}: accessor {i} has an absurd count {count!r} (limit {limit})")
        if a.sparse is not None:
            raise self.fail(f"{what}: accessor {i} is sparse, which is not supported")
        width = _WIDTH[a.type]
        if a.bufferView is None:
            arr = np.zeros((count, width), dtype)
        else:
            data, voff, vlen, stride = self.view(a.bufferView)
            aoff = a.byteOffset or 0
            elem = dtype.itemsize * width
            stride = stride or elem
            if aoff < 0 or stride < elem:
                raise self.fail(f"{what}: accessor {i} has a bad byteOffset/byteStride")
            need = aoff + (stride * (count - 1) + elem if count else 0)
            if need > vlen:
                raise self.fail(
                    f"{what}: accessor {i} ({count} x {a.type}) is out of range of bufferView "
                    f"{a.bufferView} ({need} bytes needed, {vlen} there)"
                )
            if count == 0:
                arr = np.zeros((0, width), dtype)
            else:
                start = voff + aoff
                arr = np.ndarray(
                    (count, width), dtype, buffer=data, offset=start, strides=(stride, dtype.itemsize)
                ).copy()
        if a.normalized and a.componentType in _NORM_SCALE:
            arr = np.maximum(arr.astype(np.float64) / _NORM_SCALE[a.componentType], -1.0)
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise self.fail(f"{what}: accessor {i} holds NaN or infinite values")
        return arr

    def floats(self, i: Any, *, types: Sequence[str], what: str, limit: int) -> np.ndarray:
        arr = self.accessor(i, types=types, what=what, limit=limit)
        if arr.dtype.kind != "f":
            comp = self.array("accessors")[i].componentType
            if not self.array("accessors")[i].normalized and comp != 5126:
                raise self.fail(f"{what}: accessor {i} must be float or normalized integers")
        return arr.astype(np.float64)

    def image(self, i: int) -> np.ndarray | None:
        images = self.array("images")
        if not 0 <= i < len(images):
            raise self.fail(f"image {i} does not exist ({len(images)} images)")
        im = images[i]
        if im.bufferView is not None:
            data, off, length, _ = self.view(im.bufferView)
            raw = data[off : off + length]
        elif im.uri and im.uri.startswith("data:"):
            try:
                raw = base64.b64decode(im.uri.partition(",")[2], validate=True)
            except ValueError:
                raise self.fail(f"image {i}: its data URI is not valid base64") from None
        elif im.uri:
            raw = self._file(im.uri, f"image {i}")
        else:
            raise self.fail(f"image {i} has neither a uri nor a bufferView")
        import cv2  # lazy: only textured models decode images

        buf = np.frombuffer(raw, np.uint8)
        pic = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if buf.size else None
        if pic is None:
            raise self.fail(f"image {i} cannot be decoded (PNG or JPEG expected)")
        if pic.ndim == 2:
            pic = cv2.cvtColor(pic, cv2.COLOR_GRAY2RGBA)
        elif pic.shape[2] == 3:
            pic = cv2.cvtColor(pic, cv2.COLOR_BGR2RGBA)
        else:
            pic = cv2.cvtColor(pic, cv2.COLOR_BGRA2RGBA)
        if pic.dtype == np.uint16:  # 16-bit PNG
            pic = (pic.astype(np.uint32) // 257).astype(np.uint8)
        return np.ascontiguousarray(pic)


def load_gltf(
    path: str | os.PathLike[str], *, max_joints: int = MAX_JOINTS, animations: bool = True
) -> GltfModel:
    """Read a skinned glTF 2.0 model (``.gltf`` with its buffers, or ``.glb``).

    Args:
        path: the file.
        max_joints: the most joints a skin may have (the renderer's limit).
        animations: read the animation clips too.

    Raises:
        AssetError: one line naming the file and the problem (missing file, not glTF 2.0,
            no skin, too many joints, missing or truncated buffers, absurd sizes or counts,
            an accessor out of range, bad weights or joint indices).
    """
    p = Path(path)
    label = str(p)
    if not p.is_file():
        raise AssetError(f"{label}: no such glTF file")
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise AssetError(f"{label}: absurdly large for an avatar ({size} bytes)")
    raw = p.read_bytes()
    gltf, blob = _parse(raw, label)
    r = _Reader(p, gltf, blob)
    try:
        return _load(r, max_joints, animations)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as e:
        # a field of the wrong JSON type somewhere the checks above do not look
        raise r.fail(f"malformed glTF ({e.__class__.__name__}: {e})") from None


def _load(r: _Reader, max_joints: int, animations: bool) -> GltfModel:
    gltf, label = r.g, r.label
    version = str(getattr(gltf.asset, "version", "") or "")
    if not version.startswith("2."):
        raise r.fail(f"glTF version {version or '(none)'} is not 2.x")

    nodes = r.array("nodes")
    if not nodes:
        raise r.fail("has no nodes")
    if len(nodes) > MAX_NODES:
        raise r.fail(f"absurd node count {len(nodes)} (limit {MAX_NODES})")
    n = len(nodes)
    names = tuple(str(nd.name or f"node{i}") for i, nd in enumerate(nodes))
    parents = np.full(n, -1, np.int64)
    for i, nd in enumerate(nodes):
        for c in nd.children or []:
            if not isinstance(c, int) or not 0 <= c < n or c == i:
                raise r.fail(f"node {names[i]!r} has a child {c!r} that does not exist")
            if parents[c] >= 0:
                raise r.fail(f"node {names[c]!r} has two parents")
            parents[c] = i
    order = _topological(parents, r)
    tr, rot, sc = _rest_trs(nodes, names, r)

    skins = tuple(_skin(r, k, n, max_joints) for k in range(len(r.array("skins"))))
    if not skins:
        raise r.fail("has no skin: an avatar or costume must be a skinned mesh (export with its armature)")
    materials = [_material(r, k) for k in range(len(r.array("materials")))]
    meshes: list[SkinnedMesh] = []
    budget = [MAX_VERTICES]
    for i, nd in enumerate(nodes):
        if nd.mesh is None or nd.skin is None:
            continue
        if not isinstance(nd.skin, int) or not 0 <= nd.skin < len(skins):
            raise r.fail(f"node {names[i]!r} names skin {nd.skin!r}, which does not exist")
        meshes.append(_skinned_mesh(r, i, names[i], nd.mesh, nd.skin, skins, materials, budget))
    if not meshes:
        raise r.fail("has a skin but no mesh node uses it (no skinned mesh)")
    clips = {}
    if animations:
        for k, an in enumerate(r.array("animations")):
            clip = _animation(r, k, an, n)
            clips[clip.name] = clip
    return GltfModel(
        path=label,
        names=names,
        parents=parents,
        order=order,
        rest_translation=tr,
        rest_rotation=rot,
        rest_scale=sc,
        skins=skins,
        meshes=tuple(meshes),
        animations=clips,
        humanoid=_vrm_humanoid(gltf, names, r),
    )


_VRM0_THUMB = {"Proximal": "Metacarpal", "Intermediate": "Proximal", "Distal": "Distal"}


def _vrm_humanoid(gltf: _Obj, names: Sequence[str], r: _Reader) -> dict[str, str]:
    """VRM bone name -> node name from a VRM 1.0 (``VRMC_vrm``) or 0.x (``VRM``) extension."""
    ext = gltf.extensions
    if not isinstance(ext, _Obj):
        return {}
    pairs: list[tuple[Any, Any]] = []
    vrm1, vrm0 = ext.VRMC_vrm, ext.VRM
    if (
        isinstance(vrm1, _Obj)
        and isinstance(vrm1.humanoid, _Obj)
        and isinstance(vrm1.humanoid.humanBones, _Obj)
    ):
        bones = vrm1.humanoid.humanBones._d
        pairs = [(b, v.get("node") if isinstance(v, dict) else None) for b, v in bones.items()]
    elif isinstance(vrm0, _Obj) and isinstance(vrm0.humanoid, _Obj):
        for item in vrm0.humanoid.humanBones or []:
            if isinstance(item, _Obj) and isinstance(item.bone, str):
                bone = item.bone
                for old, new in _VRM0_THUMB.items():
                    if bone.endswith("Thumb" + old):
                        bone = bone[: -len(old)] + new
                pairs.append((bone, item.node))
    out = {}
    for bone, node in pairs:
        if not isinstance(bone, str) or not isinstance(node, int) or not 0 <= node < len(names):
            raise r.fail(f"VRM humanoid bone {bone!r} names node {node!r}, which does not exist")
        out[bone] = names[node]
    return out


def _parse(raw: bytes, label: str) -> tuple[_Obj, bytes | None]:
    blob: bytes | None = None
    if raw[:4] == b"glTF":
        if len(raw) < 20:
            raise AssetError(f"{label}: truncated GLB header")
        _, version, total = struct.unpack_from("<III", raw, 0)
        if version != 2:
            raise AssetError(f"{label}: GLB version {version} is not 2")
        if total > len(raw):
            raise AssetError(f"{label}: truncated GLB ({len(raw)} bytes, {total} declared)")
        pos, text = 12, None
        while pos + 8 <= total:
            clen, ctype = struct.unpack_from("<II", raw, pos)
            if pos + 8 + clen > total:
                raise AssetError(f"{label}: truncated GLB chunk at byte {pos}")
            chunk = raw[pos + 8 : pos + 8 + clen]
            if ctype == 0x4E4F534A and text is None:
                text = chunk
            elif ctype == 0x004E4942 and blob is None:
                blob = chunk
            pos += 8 + ((clen + 3) & ~3)
        if text is None:
            raise AssetError(f"{label}: GLB without a JSON chunk")
        raw = text
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise AssetError(f"{label}: not a glTF file ({e.__class__.__name__}: {e})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("asset"), dict):
        raise AssetError(f"{label}: not a glTF file (no 'asset' object)")
    return _Obj(doc), blob


def _topological(parents: np.ndarray, r: _Reader) -> tuple[int, ...]:
    n = len(parents)
    children: list[list[int]] = [[] for _ in range(n)]
    roots: list[int] = []
    for i, p in enumerate(parents):
        (roots if p < 0 else children[int(p)]).append(i)
    order: list[int] = []
    stack = roots[::-1]
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(children[i][::-1])
    if len(order) != n:
        raise r.fail("its node hierarchy has a cycle")
    return tuple(order)


def _vec(value: Any, width: int, default: Sequence[float], what: str, r: _Reader) -> np.ndarray:
    if value is None:
        return np.array(default, np.float64)
    try:
        out = np.array(value, np.float64)
    except (TypeError, ValueError):
        raise r.fail(f"{what} is not a list of numbers") from None
    if out.shape != (width,) or not np.isfinite(out).all():
        raise r.fail(f"{what} must be {width} finite numbers, got {value!r}")
    return out


def _rest_trs(nodes: Sequence[Any], names: Sequence[str], r: _Reader) -> tuple[np.ndarray, ...]:
    n = len(nodes)
    tr, rot, sc = np.zeros((n, 3)), np.zeros((n, 4)), np.ones((n, 3))
    for i, nd in enumerate(nodes):
        what = f"node {names[i]!r}"
        if nd.matrix is not None:
            m = _vec(nd.matrix, 16, (), f"{what} matrix", r).reshape(4, 4).T
            tr[i] = m[:3, 3]
            s = np.linalg.norm(m[:3, :3], axis=0)
            if (s < 1e-12).any():
                raise r.fail(f"{what} matrix has a zero scale")
            rm = m[:3, :3] / s
            if np.linalg.det(rm) < 0:
                s[0], rm[:, 0] = -s[0], -rm[:, 0]
            sc[i], rot[i] = s, quat.from_matrix(rm)
        else:
            tr[i] = _vec(nd.translation, 3, (0, 0, 0), f"{what} translation", r)
            q = _vec(nd.rotation, 4, (0, 0, 0, 1), f"{what} rotation", r)
            norm = float(np.linalg.norm(q))
            if norm < 1e-6:
                raise r.fail(f"{what} rotation is not a unit quaternion: {list(q)}")
            rot[i] = q / norm
            sc[i] = _vec(nd.scale, 3, (1, 1, 1), f"{what} scale", r)
        if np.abs(tr[i]).max() > 1e5 or np.abs(sc[i]).max() > 1e5:
            raise r.fail(f"{what} has an absurd translation or scale")
    return tr, rot, sc


def _skin(r: _Reader, k: int, n_nodes: int, max_joints: int) -> Skin:
    s = r.array("skins")[k]
    name = s.name or f"skin{k}"
    joints = list(s.joints or [])
    if not joints:
        raise r.fail(f"skin {name!r} has no joints")
    if len(joints) > max_joints:
        raise r.fail(
            f"skin {name!r} has {len(joints)} joints, more than the renderer supports ({max_joints}); "
            "remove helper bones (hair, cloth) or split the model"
        )
    for j in joints:
        if not isinstance(j, int) or not 0 <= j < n_nodes:
            raise r.fail(f"skin {name!r} names joint node {j!r}, which does not exist")
    if len(set(joints)) != len(joints):
        raise r.fail(f"skin {name!r} lists a joint twice")
    if s.inverseBindMatrices is None:
        ibm = np.tile(np.eye(4), (len(joints), 1, 1))
    else:
        m = r.floats(
            s.inverseBindMatrices,
            types=("MAT4",),
            what=f"skin {name!r} inverseBindMatrices",
            limit=max_joints,
        )
        if len(m) != len(joints):
            raise r.fail(f"skin {name!r} has {len(m)} inverse bind matrices for {len(joints)} joints")
        ibm = m.reshape(-1, 4, 4).transpose(0, 2, 1)
        if np.abs(np.linalg.det(ibm[:, :3, :3])).min() < 1e-12:
            raise r.fail(f"skin {name!r} has a singular inverse bind matrix")
    return Skin(name=name, joints=tuple(joints), inverse_bind=ibm)


def _material(r: _Reader, k: int) -> Material:
    m = r.array("materials")[k]
    name = m.name or f"material{k}"
    pbr = m.pbrMetallicRoughness
    color = (1.0, 1.0, 1.0, 1.0)
    tex = None
    if pbr is not None:
        if pbr.baseColorFactor is not None:
            c = _vec(pbr.baseColorFactor, 4, (1, 1, 1, 1), f"material {name!r} baseColorFactor", r)
            color = tuple(float(v) for v in np.clip(c, 0.0, 1.0))  # type: ignore[assignment]
        if pbr.baseColorTexture is not None:
            textures = r.array("textures")
            ti = pbr.baseColorTexture.index
            if not isinstance(ti, int) or not 0 <= ti < len(textures):
                raise r.fail(f"material {name!r} names texture {ti!r}, which does not exist")
            src = textures[ti].source
            if src is not None:
                tex = r.image(src)
    return Material(name=name, base_color=color, texture=tex, double_sided=bool(m.doubleSided))


def _skinned_mesh(
    r: _Reader,
    node: int,
    node_name: str,
    mesh_i: Any,
    skin_i: int,
    skins: Sequence[Skin],
    materials: Sequence[Material],
    budget: list[int],
) -> SkinnedMesh:
    meshes = r.array("meshes")
    if not isinstance(mesh_i, int) or not 0 <= mesh_i < len(meshes):
        raise r.fail(f"node {node_name!r} names mesh {mesh_i!r}, which does not exist")
    mesh = meshes[mesh_i]
    mname = mesh.name or node_name
    n_joints = len(skins[skin_i].joints)
    prims = []
    for pi, p in enumerate(mesh.primitives or []):
        what = f"mesh {mname!r} primitive {pi}"
        mode = _TRIANGLES if p.mode is None else p.mode
        if mode != _TRIANGLES:
            continue  # lines and points are not skinned surfaces
        attrs = p.attributes
        if attrs.POSITION is None:
            raise r.fail(f"{what} has no POSITION")
        if attrs.JOINTS_0 is None or attrs.WEIGHTS_0 is None:
            raise r.fail(f"{what} has no JOINTS_0/WEIGHTS_0: it is not skinned")
        pos = r.floats(attrs.POSITION, types=("VEC3",), what=f"{what} POSITION", limit=budget[0])
        v = len(pos)
        budget[0] -= v

        def same(
            i: Any, name: str, typ: str, floats: bool = True, v: int = v, what: str = what
        ) -> np.ndarray:
            arr = (r.floats if floats else r.accessor)(
                i, types=(typ,), what=f"{what} {name}", limit=MAX_VERTICES
            )
            if len(arr) != v:
                raise r.fail(f"{what} {name} has {len(arr)} entries for {v} vertices")
            return arr

        joints = same(attrs.JOINTS_0, "JOINTS_0", "VEC4", floats=False)
        if joints.dtype.kind not in "iu":
            raise r.fail(f"{what} JOINTS_0 must be unsigned integers")
        weights = same(attrs.WEIGHTS_0, "WEIGHTS_0", "VEC4")
        if (weights < -1e-6).any():
            raise r.fail(f"{what} WEIGHTS_0 has negative weights")
        weights = np.maximum(weights, 0.0)
        used = weights > 0
        if v and int(joints[used].max(initial=0)) >= n_joints:
            raise r.fail(
                f"{what} JOINTS_0 refers to joint {int(joints[used].max())}; the skin has {n_joints}"
            )
        joints = np.where(used, joints, 0)
        total = weights.sum(axis=1, keepdims=True)
        if v and (total < 1e-6).any():
            raise r.fail(f"{what} has {int((total < 1e-6).sum())} vertices with no skin weight")
        weights = weights / np.maximum(total, 1e-12)
        if p.indices is not None:
            idx = r.accessor(p.indices, types=("SCALAR",), what=f"{what} indices", limit=MAX_INDICES)
            if idx.dtype.kind not in "iu":
                raise r.fail(f"{what} indices must be unsigned integers")
            idx = idx.reshape(-1).astype(np.int64)
        else:
            idx = np.arange(v, dtype=np.int64)
        if idx.size % 3:
            raise r.fail(f"{what} has {idx.size} indices, not a multiple of 3")
        if idx.size and int(idx.max()) >= v:
            raise r.fail(f"{what} index {int(idx.max())} is out of range ({v} vertices)")
        normals = (
            same(attrs.NORMAL, "NORMAL", "VEC3") if attrs.NORMAL is not None else _vertex_normals(pos, idx)
        )
        uvs = (
            same(attrs.TEXCOORD_0, "TEXCOORD_0", "VEC2") if attrs.TEXCOORD_0 is not None else np.zeros((v, 2))
        )
        mat_i = p.material
        if mat_i is None:
            material = Material(name="default")
        elif isinstance(mat_i, int) and 0 <= mat_i < len(materials):
            material = materials[mat_i]
        else:
            raise r.fail(f"{what} names material {mat_i!r}, which does not exist")
        prims.append(
            Primitive(
                positions=pos.astype(np.float32),
                normals=normals.astype(np.float32),
                uvs=uvs.astype(np.float32),
                joints=joints.astype(np.uint16),
                weights=weights.astype(np.float32),
                indices=idx.astype(np.uint32),
                material=material,
            )
        )
    if not prims:
        raise r.fail(f"mesh {mname!r} has no triangle primitives")
    return SkinnedMesh(name=mname, node=node, skin=skin_i, primitives=tuple(prims))


def _vertex_normals(pos: np.ndarray, idx: np.ndarray) -> np.ndarray:
    tri = idx.reshape(-1, 3)
    n = np.zeros_like(pos)
    if len(tri):
        fn = np.cross(pos[tri[:, 1]] - pos[tri[:, 0]], pos[tri[:, 2]] - pos[tri[:, 0]])
        for k in range(3):
            np.add.at(n, tri[:, k], fn)
    ln = np.linalg.norm(n, axis=1, keepdims=True)
    return np.where(ln > 1e-12, n / np.maximum(ln, 1e-12), np.array([0.0, 1.0, 0.0]))


def _animation(r: _Reader, k: int, an: Any, n_nodes: int) -> AnimationClip:
    name = an.name or f"animation{k}"
    samplers = an.samplers or []
    channels = []
    duration = 0.0
    for ci, ch in enumerate(an.channels or []):
        what = f"animation {name!r} channel {ci}"
        tgt = ch.target
        if tgt is None or tgt.path not in ("translation", "rotation", "scale", "weights"):
            raise r.fail(f"{what} has an unknown target path")
        if tgt.path == "weights" or tgt.node is None:
            continue  # morph weights do not move the skeleton
        if not isinstance(tgt.node, int) or not 0 <= tgt.node < n_nodes:
            raise r.fail(f"{what} targets node {tgt.node!r}, which does not exist")
        if not isinstance(ch.sampler, int) or not 0 <= ch.sampler < len(samplers):
            raise r.fail(f"{what} names sampler {ch.sampler!r}, which does not exist")
        s = samplers[ch.sampler]
        interp = s.interpolation or "LINEAR"
        if interp not in ("LINEAR", "STEP", "CUBICSPLINE"):
            raise r.fail(f"{what} has an unknown interpolation {interp!r}")
        times = r.floats(s.input, types=("SCALAR",), what=f"{what} input", limit=MAX_KEYFRAMES).reshape(-1)
        if times.size == 0:
            raise r.fail(f"{what} has no keyframes")
        if (np.diff(times) < 0).any():
            raise r.fail(f"{what} keyframe times are not increasing")
        width = 4 if tgt.path == "rotation" else 3
        typ = "VEC4" if width == 4 else "VEC3"
        vals = r.floats(s.output, types=(typ,), what=f"{what} output", limit=3 * MAX_KEYFRAMES)
        per = 3 if interp == "CUBICSPLINE" else 1
        if len(vals) != per * times.size:
            raise r.fail(f"{what} has {len(vals)} values for {times.size} keyframes")
        if per == 3:
            vals = vals.reshape(times.size, 3, width)
        channels.append(Channel(tgt.node, tgt.path, times, vals, interp))
        duration = max(duration, float(times[-1]))
    return AnimationClip(name=name, channels=tuple(channels), duration=duration)


# -- writing -----------------------------------------------------------------------------


class _Blob:
    """The binary chunk of a GLB being written, with its bufferViews and accessors."""

    def __init__(self) -> None:
        import pygltflib  # lazy: only writing (tools, tests) needs it

        self.lib = pygltflib
        self.data = bytearray()
        self.views: list[Any] = []
        self.accessors: list[Any] = []

    def add(self, arr: np.ndarray, typ: str, target: int | None = None, minmax: bool = False) -> int:
        lib = self.lib
        kind = {np.dtype("<f4"): 5126, np.dtype("<u2"): 5123, np.dtype("<u4"): 5125}[arr.dtype]
        while len(self.data) % 4:
            self.data.append(0)
        raw = np.ascontiguousarray(arr).tobytes()
        self.views.append(
            lib.BufferView(buffer=0, byteOffset=len(self.data), byteLength=len(raw), target=target)
        )
        self.data.extend(raw)
        flat = arr.reshape(len(arr), -1)
        acc = lib.Accessor(bufferView=len(self.views) - 1, componentType=kind, count=len(arr), type=typ)
        if minmax:
            acc.min = [float(v) for v in flat.min(axis=0)]
            acc.max = [float(v) for v in flat.max(axis=0)]
        self.accessors.append(acc)
        return len(self.accessors) - 1


def save_glb(path: str | os.PathLike[str], model: GltfModel) -> None:
    """Write ``model`` (skeleton, skins, skinned meshes, clips) as one ``.glb`` file.

    Used by ``tools/make_avatars.py`` (the gallery's derived mannequin and costumes) and
    by tests that need small skinned files. Textures are written as PNG.
    """
    b = _Blob()
    lib = b.lib
    nodes = []
    for i, name in enumerate(model.names):
        children = [int(c) for c in np.flatnonzero(model.parents == i)]
        nodes.append(
            lib.Node(
                name=name,
                children=children or [],
                translation=[float(v) for v in model.rest_translation[i]],
                rotation=[float(v) for v in model.rest_rotation[i]],
                scale=[float(v) for v in model.rest_scale[i]],
            )
        )
    skins = []
    for s in model.skins:
        ibm = np.ascontiguousarray(s.inverse_bind.transpose(0, 2, 1)).astype("<f4")
        skins.append(lib.Skin(name=s.name, joints=list(s.joints), inverseBindMatrices=b.add(ibm, "MAT4")))
    materials: list[Any] = []
    textures: list[Any] = []
    images: list[Any] = []
    mat_index: dict[int, int] = {}
    meshes = []
    for sm in model.meshes:
        prims = []
        for p in sm.primitives:
            key = id(p.material)
            if key not in mat_index:
                mat_index[key] = len(materials)
                materials.append(_write_material(b, p.material, textures, images))
            attrs = lib.Attributes(
                POSITION=b.add(p.positions.astype("<f4"), "VEC3", 34962, minmax=True),
                NORMAL=b.add(p.normals.astype("<f4"), "VEC3", 34962),
                TEXCOORD_0=b.add(p.uvs.astype("<f4"), "VEC2", 34962),
                JOINTS_0=b.add(p.joints.astype("<u2"), "VEC4", 34962),
                WEIGHTS_0=b.add(p.weights.astype("<f4"), "VEC4", 34962),
            )
            prims.append(
                lib.Primitive(
                    attributes=attrs,
                    indices=b.add(p.indices.astype("<u4"), "SCALAR", 34963),
                    material=mat_index[key],
                    mode=_TRIANGLES,
                )
            )
        meshes.append(lib.Mesh(name=sm.name, primitives=prims))
        nodes[sm.node].mesh = len(meshes) - 1
        nodes[sm.node].skin = sm.skin
    animations = []
    for clip in model.animations.values():
        samplers, channels = [], []
        for ch in clip.channels:
            typ = "VEC4" if ch.path == "rotation" else "VEC3"
            vals = ch.values.reshape(-1, ch.values.shape[-1]).astype("<f4")
            samplers.append(
                lib.AnimationSampler(
                    input=b.add(ch.times.astype("<f4"), "SCALAR", minmax=True),
                    output=b.add(vals, typ),
                    interpolation=ch.interpolation,
                )
            )
            channels.append(
                lib.AnimationChannel(
                    sampler=len(samplers) - 1, target=lib.AnimationChannelTarget(node=ch.node, path=ch.path)
                )
            )
        animations.append(lib.Animation(name=clip.name, samplers=samplers, channels=channels))
    roots = [i for i in range(len(model.names)) if model.parents[i] < 0]
    while len(b.data) % 4:
        b.data.append(0)
    g = lib.GLTF2(
        asset=lib.Asset(version="2.0", generator="arpose"),
        scene=0,
        scenes=[lib.Scene(nodes=roots)],
        nodes=nodes,
        skins=skins,
        meshes=meshes,
        materials=materials,
        textures=textures,
        images=images,
        samplers=[lib.Sampler()] if textures else [],
        animations=animations,
        accessors=b.accessors,
        bufferViews=b.views,
        buffers=[lib.Buffer(byteLength=len(b.data))],
    )
    if model.humanoid:
        index = {n: i for i, n in enumerate(model.names)}
        human = {bone: {"node": index[n]} for bone, n in model.humanoid.items()}
        g.extensionsUsed = ["VRMC_vrm"]
        g.extensions = {"VRMC_vrm": {"specVersion": "1.0", "humanoid": {"humanBones": human}}}
    g.set_binary_blob(bytes(b.data))
    g.save_binary(str(path))


def _write_material(b: _Blob, m: Material, textures: list[Any], images: list[Any]) -> Any:
    lib = b.lib
    pbr = lib.PbrMetallicRoughness(baseColorFactor=[float(c) for c in m.base_color], metallicFactor=0.0)
    if m.texture is not None:
        import cv2  # lazy: only textured materials encode images

        ok, png = cv2.imencode(".png", cv2.cvtColor(m.texture, cv2.COLOR_RGBA2BGRA))
        if not ok:
            raise AssetError(f"material {m.name!r}: its texture cannot be encoded as PNG")
        while len(b.data) % 4:
            b.data.append(0)
        b.views.append(lib.BufferView(buffer=0, byteOffset=len(b.data), byteLength=len(png)))
        b.data.extend(png.tobytes())
        images.append(lib.Image(bufferView=len(b.views) - 1, mimeType="image/png"))
        textures.append(lib.Texture(source=len(images) - 1, sampler=0))
        pbr.baseColorTexture = lib.TextureInfo(index=len(textures) - 1)
    return lib.Material(name=m.name, pbrMetallicRoughness=pbr, doubleSided=m.double_sided)


def skin_vertices(
    positions: np.ndarray, joints: np.ndarray, weights: np.ndarray, matrices: np.ndarray
) -> np.ndarray:
    """Linear blend skinning on the CPU: the reference the GPU pass is tested against.

    Args:
        positions: (V, 3) bind-space positions.
        joints: (V, 4) joint indices into ``matrices``.
        weights: (V, 4) weights summing to 1.
        matrices: (J, 4, 4) joint matrices (:meth:`GltfModel.skin_matrices`).

    Returns:
        (V, 3) skinned positions, float64.
    """
    m = np.einsum("vk,vkij->vij", np.asarray(weights, np.float64), np.asarray(matrices, np.float64)[joints])
    p = np.asarray(positions, np.float64)
    return np.einsum("vij,vj->vi", m[:, :3, :3], p) + m[:, :3, 3]
