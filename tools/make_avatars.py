"""Make the gallery's skinned avatars from the shared CC0 mannequin.

    python tools/make_avatars.py [--src ../shared/avatars/mannequin] [--out assets/effects/avatars]

Writes, with the licence notice beside them:

- ``mannequin.glb``: the Quaternius mannequin (CC0 1.0, via J-Ponzo's
  gltf-universal-animation-library), its 53-joint skin and both materials, with four of its
  46 clips (``A_TPose``, ``Idle_Loop``, ``Walk_Loop``, ``Dance_Loop``) to keep the file small;
- ``tunic.glb``: a costume piece derived from the mannequin's own skin: the surface its
  torso, shoulder, arm and thigh bones carry, pushed out along the normals (a loose tunic
  with long sleeves, 1.5 cm off the body) in two materials (body and sleeves). It keeps the
  mannequin's skeleton and skin weights, so it deforms with the body exactly as the
  mannequin does, and any bone map that drives the mannequin drives it.

Deterministic: running it again gives the same files.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from arpose.rig.gltf import GltfModel, Material, Primitive, SkinnedMesh, load_gltf, save_glb

REPO = Path(__file__).resolve().parents[1]
CLIPS = ("A_TPose", "Idle_Loop", "Walk_Loop", "Dance_Loop")
TUNIC_BODY = ("DEF-hips", "DEF-spine.001", "DEF-spine.002", "DEF-spine.003", "DEF-thigh.L", "DEF-thigh.R")
TUNIC_SLEEVES = (
    "DEF-shoulder.L",
    "DEF-shoulder.R",
    "DEF-upper_arm.L",
    "DEF-upper_arm.R",
    "DEF-forearm.L",
    "DEF-forearm.R",
)
TUNIC_OFFSET = 0.015
"""Metres the tunic stands off the mannequin's surface."""
LICENSE_HEAD = """\
mannequin.glb and tunic.glb in this folder are derived (by tools/make_avatars.py) from the
mannequin made by Quaternius, as published in J-Ponzo/gltf-universal-animation-library
(commit e24c23c, glTF/AnimationLibrary_Godot_Standard.gltf) under CC0 1.0 Universal.
The derived files are likewise dedicated to the public domain under CC0 1.0.
The licence text follows.

"""


def mannequin(src: GltfModel) -> GltfModel:
    """The mannequin with four clips, its materials single-sided: it is a closed body, and
    culling its back faces halves what software GL shades."""
    mesh = src.meshes[0]
    prims = tuple(
        dataclasses.replace(p, material=dataclasses.replace(p.material, double_sided=False))
        for p in mesh.primitives
    )
    return dataclasses.replace(
        src,
        path="mannequin",
        meshes=(dataclasses.replace(mesh, primitives=prims),),
        animations={c: src.clip(c) for c in CLIPS},
    )


def _piece(
    prim: Primitive, bones: set[int], others: set[int], material: Material, ties: bool
) -> Primitive | None:
    """The triangles touching ``bones`` that ``others`` do not carry more of (a triangle
    with as many of each goes to the piece with ``ties``), so the pieces close seams."""
    dom = prim.joints[np.arange(len(prim.joints)), prim.weights.argmax(1)]
    tri = prim.indices.reshape(-1, 3)
    mine = np.isin(dom, list(bones))[tri].sum(axis=1)
    theirs = np.isin(dom, list(others))[tri].sum(axis=1)
    tri = tri[(mine > 0) & ((mine >= theirs) if ties else (mine > theirs))]
    if not len(tri):
        return None
    used = np.unique(tri)
    remap = np.full(len(prim.positions), -1, np.int64)
    remap[used] = np.arange(len(used))
    # average the normals of vertices that share a position (UV seams), so the offset
    # surface does not crack along them
    pos = prim.positions[used].astype(np.float64)
    nrm = prim.normals[used].astype(np.float64)
    key = np.round(pos * 1e4).astype(np.int64)
    _, inv = np.unique(key, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    acc = np.zeros((inv.max() + 1, 3))
    np.add.at(acc, inv, nrm)
    smooth = acc[inv]
    smooth /= np.maximum(np.linalg.norm(smooth, axis=1, keepdims=True), 1e-9)
    return Primitive(
        positions=(pos + smooth * TUNIC_OFFSET).astype(np.float32),
        normals=smooth.astype(np.float32),
        uvs=prim.uvs[used],
        joints=prim.joints[used],
        weights=prim.weights[used],
        indices=remap[tri].reshape(-1).astype(np.uint32),
        material=material,
    )


def tunic(src: GltfModel) -> GltfModel:
    skin = src.skins[0]
    joint_of = {src.names[j]: k for k, j in enumerate(skin.joints)}
    body = _piece(
        src.meshes[0].primitives[0],
        {joint_of[b] for b in TUNIC_BODY},
        {joint_of[b] for b in TUNIC_SLEEVES},
        Material("tunic", (0.09, 0.36, 0.42, 1.0), double_sided=True),
        True,
    )
    sleeves = _piece(
        src.meshes[0].primitives[0],
        {joint_of[b] for b in TUNIC_SLEEVES},
        {joint_of[b] for b in TUNIC_BODY},
        Material("sleeves", (0.78, 0.58, 0.16, 1.0), double_sided=True),
        False,
    )
    prims = tuple(p for p in (body, sleeves) if p is not None)
    mesh = src.meshes[0]
    return dataclasses.replace(
        src,
        path="tunic",
        meshes=(SkinnedMesh("Tunic", mesh.node, mesh.skin, prims),),
        animations={c: src.clip(c) for c in CLIPS[:2]},
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, default=REPO.parent / "shared" / "avatars" / "mannequin")
    ap.add_argument("--out", type=Path, default=REPO / "assets" / "effects" / "avatars")
    args = ap.parse_args()
    src = load_gltf(args.src / "AnimationLibrary_Godot_Standard.gltf")
    args.out.mkdir(parents=True, exist_ok=True)
    save_glb(args.out / "mannequin.glb", mannequin(src))
    save_glb(args.out / "tunic.glb", tunic(src))
    (args.out / "LICENSE").write_text(LICENSE_HEAD + (args.src / "LICENSE").read_text())
    for name in ("mannequin.glb", "tunic.glb"):
        m = load_gltf(args.out / name)
        verts = sum(x.vertex_count for x in m.meshes)
        print(f"{name}: {(args.out / name).stat().st_size} bytes, {verts} vertices")


if __name__ == "__main__":
    main()
