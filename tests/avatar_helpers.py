"""Small skinned glTF models written by tests: a two-bone arm, a Mixamo-named rig, and
ways to break them (the reader's bad-input tests)."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

from arpose.rig.gltf import AnimationClip, Channel, GltfModel, Material, Primitive, Skin, SkinnedMesh


def arm_model(clip: bool = True, interpolation: str = "LINEAR") -> GltfModel:
    """Two joints, ``upper`` at the origin and ``lower`` 1 m up (+Y), a root node above
    them and a mesh node beside; a strip of quads along Y skinned rigidly (y < 1: upper,
    y > 1: lower, y == 1: half each). The clip ``bend`` turns ``lower`` 90 degrees about
    +Z over one second."""
    names = ("root", "upper", "lower", "mesh")
    parents = np.array([-1, 0, 1, -1])
    tr = np.array([[0, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 0]], float)
    rot = np.tile([0.0, 0.0, 0.0, 1.0], (4, 1))
    sc = np.ones((4, 3))
    ys = np.array([0.0, 0.5, 1.0, 1.5, 2.0])
    pos = np.concatenate([np.stack([np.full(5, x), ys, np.zeros(5)], 1) for x in (-0.1, 0.1)]).astype(
        np.float32
    )
    joints = np.zeros((10, 4), np.uint16)
    joints[:, 1] = 1
    w = np.zeros((10, 4), np.float32)
    lower = np.tile(ys, 2)
    w[:, 0] = np.where(lower < 1, 1.0, np.where(lower > 1, 0.0, 0.5))
    w[:, 1] = 1 - w[:, 0]
    quads = [(i, i + 1, i + 6, i, i + 6, i + 5) for i in range(4)]
    idx = np.array(quads, np.uint32).reshape(-1)
    prim = Primitive(
        positions=pos,
        normals=np.tile(np.array([0, 0, 1], np.float32), (10, 1)),
        uvs=np.zeros((10, 2), np.float32),
        joints=joints,
        weights=w,
        indices=idx,
        material=Material("skin", (0.8, 0.4, 0.1, 1.0)),
    )
    ibm = np.tile(np.eye(4), (2, 1, 1))
    ibm[1, 1, 3] = -1.0  # lower's bind global is a translation by +1 in y
    clips = {}
    if clip:
        s = np.sin(np.pi / 4)
        times = np.array([0.0, 1.0])
        vals = np.array([[0, 0, 0, 1], [0, 0, s, s]], float)
        if interpolation == "CUBICSPLINE":
            vals = np.stack([np.zeros_like(vals), vals, np.zeros_like(vals)], 1)
        clips["bend"] = AnimationClip("bend", (Channel(2, "rotation", times, vals, interpolation),), 1.0)
    return GltfModel(
        path="arm",
        names=names,
        parents=parents,
        order=(0, 1, 2, 3),
        rest_translation=tr,
        rest_rotation=rot,
        rest_scale=sc,
        skins=(Skin("arm", (1, 2), ibm),),
        meshes=(SkinnedMesh("strip", 3, 0, (prim,)),),
        animations=clips,
    )


def split_glb(glb: Path) -> tuple[dict[str, Any], bytes]:
    """The JSON document and binary chunk of a .glb."""
    raw = glb.read_bytes()
    (jlen,) = struct.unpack_from("<I", raw, 12)
    doc = json.loads(raw[20 : 20 + jlen])
    (blen,) = struct.unpack_from("<I", raw, 20 + jlen)
    return doc, raw[28 + jlen : 28 + jlen + blen]


def write_gltf(folder: Path, doc: dict[str, Any], blob: bytes | None, name: str = "model") -> Path:
    """Write ``doc`` as ``name.gltf`` with its buffer in ``name.bin`` (when ``blob``)."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = json.loads(json.dumps(doc))
    if doc.get("buffers"):
        doc["buffers"][0]["uri"] = f"{name}.bin"
    if blob is not None:
        (folder / f"{name}.bin").write_bytes(blob)
    path = folder / f"{name}.gltf"
    path.write_text(json.dumps(doc))
    return path
