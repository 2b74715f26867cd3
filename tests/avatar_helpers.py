"""Small skinned glTF models written by tests: a two-bone arm, a Mixamo-named rig, and
ways to break them (the reader's bad-input tests)."""

from __future__ import annotations

import dataclasses
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

from arpose.rig.gltf import AnimationClip, Channel, GltfModel, Material, Primitive, Skin, SkinnedMesh


def arm_model(clip: bool = True, interpolation: str = "LINEAR", double_sided: bool = True) -> GltfModel:
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
    quads = [(i, i + 5, i + 6, i, i + 6, i + 1) for i in range(4)]  # counter-clockwise from +Z
    idx = np.array(quads, np.uint32).reshape(-1)
    prim = Primitive(
        positions=pos,
        normals=np.tile(np.array([0, 0, 1], np.float32), (10, 1)),
        uvs=np.zeros((10, 2), np.float32),
        joints=joints,
        weights=w,
        indices=idx,
        material=Material("skin", (0.8, 0.4, 0.1, 1.0), double_sided=double_sided),
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


_T_POSE = {  # arpose bone -> head position (metres), a 1.7 m person in a T-pose facing +Z
    "hips": (0.0, 1.0, 0.0),
    "spine": (0.0, 1.1, 0.0),
    "chest": (0.0, 1.3, 0.0),
    "neck": (0.0, 1.5, 0.0),
    "head": (0.0, 1.6, 0.0),
    "leftShoulder": (0.05, 1.45, 0.0),
    "leftUpperArm": (0.18, 1.45, 0.0),
    "leftLowerArm": (0.46, 1.45, 0.0),
    "leftHand": (0.72, 1.45, 0.0),
    "leftUpperLeg": (0.1, 0.95, 0.0),
    "leftLowerLeg": (0.1, 0.52, 0.0),
    "leftFoot": (0.1, 0.08, 0.0),
}
_T_PARENT = {
    "hips": None,
    "spine": "hips",
    "chest": "spine",
    "neck": "chest",
    "head": "neck",
    "Shoulder": "chest",
    "UpperArm": "Shoulder",
    "LowerArm": "UpperArm",
    "Hand": "LowerArm",
    "UpperLeg": "hips",
    "LowerLeg": "UpperLeg",
    "Foot": "LowerLeg",
}
_TIP = {"head": (0.0, 1.75, 0.0), "leftHand": (0.85, 1.45, 0.0), "leftFoot": (0.1, 0.02, 0.15)}
MIXAMO = {
    "hips": "Hips",
    "spine": "Spine",
    "chest": "Spine2",
    "neck": "Neck",
    "head": "Head",
    "Shoulder": "{S}Shoulder",
    "UpperArm": "{S}Arm",
    "LowerArm": "{S}ForeArm",
    "Hand": "{S}Hand",
    "UpperLeg": "{S}UpLeg",
    "LowerLeg": "{S}Leg",
    "Foot": "{S}Foot",
}


def _t_pose() -> tuple[dict[str, tuple[float, ...]], dict[str, str | None], dict[str, tuple[float, ...]]]:
    pos, parent, tip = {}, {}, {}
    for bone, p in _T_POSE.items():
        if bone.startswith("left"):
            part = bone[4:]
            for side, sx in (("left", 1.0), ("right", -1.0)):
                pos[side + part] = (p[0] * sx, p[1], p[2])
                par = _T_PARENT[part]
                parent[side + part] = par if par in ("chest", "hips") else side + par
                if bone in _TIP:
                    t = _TIP[bone]
                    tip[side + part] = (t[0] * sx, t[1], t[2])
        else:
            pos[bone], parent[bone] = p, _T_PARENT[bone]
            if bone in _TIP:
                tip[bone] = _TIP[bone]
    return pos, parent, tip


def humanoid_model(naming: dict[str, str], prefix: str = "mixamorig:", unit: float = 0.01) -> GltfModel:
    """A small humanoid in a T-pose (facing +Z) named by ``naming`` (arpose body part ->
    model name, ``{S}`` for ``Left``/``Right``), under an ``Armature`` node scaled by
    ``unit`` with bone offsets in 1/unit metres, as Mixamo's FBX-to-glTF exports are
    (centimetres under a 0.01 scale). Every bone carries one box, rigidly."""
    pos, parent, tip = _t_pose()
    bones = list(pos)

    def model_name(bone: str) -> str:
        for side in ("left", "right"):
            if bone.startswith(side):
                return prefix + naming[bone[len(side) :]].format(S=side.capitalize())
        return prefix + naming[bone]

    names = ["Armature", *[model_name(b) for b in bones], "Body"]
    idx = {b: i + 1 for i, b in enumerate(bones)}
    parents = np.full(len(names), -1)
    tr = np.zeros((len(names), 3))
    for b in bones:
        par = parent[b]
        parents[idx[b]] = 0 if par is None else idx[par]
        base = np.zeros(3) if par is None else np.array(pos[par])
        tr[idx[b]] = (np.array(pos[b]) - base) / unit
    sc = np.ones((len(names), 3))
    sc[0] = unit
    rot = np.tile([0.0, 0.0, 0.0, 1.0], (len(names), 1))
    # one box per bone, from its head to its child's head (or its tip)
    child = {parent[b]: b for b in bones if parent[b] is not None and parent[b] not in ("hips", "chest")}
    child["hips"], child["chest"] = "spine", "neck"
    verts, joints, idxs = [], [], []
    cube = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], float)
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    for k, b in enumerate(bones):
        a = np.array(pos[b])
        e = np.array(pos[child[b]]) if b in child else np.array(tip.get(b, pos[b]))
        c = (a + e) / 2
        half = np.maximum(np.abs(e - a) / 2, 0.04)
        base = len(verts) * 1
        for v in cube:
            verts.append(c + v * half)
            joints.append(k)
        for f in faces:
            q = [base + i for i in f]
            idxs += [q[0], q[1], q[2], q[0], q[2], q[3]]
    verts_a = np.array(verts, np.float32)
    n = len(verts_a)
    j = np.zeros((n, 4), np.uint16)
    j[:, 0] = joints
    w = np.zeros((n, 4), np.float32)
    w[:, 0] = 1.0
    normals = verts_a - verts_a.mean(0)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    prim = Primitive(
        positions=verts_a,
        normals=normals.astype(np.float32),
        uvs=np.zeros((n, 2), np.float32),
        joints=j,
        weights=w,
        indices=np.array(idxs, np.uint32),
        material=Material("body", (0.2, 0.8, 0.3, 1.0), double_sided=True),
    )
    model = GltfModel(
        path="humanoid",
        names=tuple(names),
        parents=parents,
        order=(0, *[idx[b] for b in bones], len(names) - 1),
        rest_translation=tr,
        rest_rotation=rot,
        rest_scale=sc,
        skins=(Skin("skin", tuple(idx[b] for b in bones), np.eye(4)[None].repeat(len(bones), 0)),),
        meshes=(SkinnedMesh("Body", len(names) - 1, 0, (prim,)),),
    )
    g = model.rest_global
    ibm = np.linalg.inv(g[[idx[b] for b in bones]])
    return dataclasses.replace(model, skins=(Skin("skin", tuple(idx[b] for b in bones), ibm),))
