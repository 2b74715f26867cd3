"""The skinned glTF reader: known answers on small files written here, the shared
mannequin, and one clear line for every kind of bad file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from avatar_helpers import arm_model, split_glb, write_gltf

from arpose.errors import AssetError
from arpose.rig.gltf import load_gltf, save_glb, skin_vertices


@pytest.fixture
def arm_glb(tmp_path) -> Path:
    path = tmp_path / "arm.glb"
    save_glb(path, arm_model())
    return path


def test_reads_skeleton_skin_and_mesh(arm_glb):
    m = load_gltf(arm_glb)
    assert m.names == ("root", "upper", "lower", "mesh")
    assert list(m.parents) == [-1, 0, 1, -1]
    assert np.allclose(m.rest_global[2][:3, 3], [0, 1, 0])
    assert m.skins[0].joints == (1, 2)
    # at rest the joint matrices are the identity: the bind pose is the rest pose
    assert np.allclose(m.skin_matrices(m.rest_global), np.eye(4))
    (prim,) = m.meshes[0].primitives
    assert prim.positions.shape == (10, 3) and prim.indices.size == 24
    assert np.allclose(prim.weights.sum(1), 1.0)
    assert prim.material.base_color == pytest.approx((0.8, 0.4, 0.1, 1.0))


@pytest.mark.parametrize(
    ("interp", "t", "deg"), [("LINEAR", 0.5, 45), ("STEP", 0.5, 0), ("CUBICSPLINE", 0.5, 45)]
)
def test_clip_sampled_at_t(tmp_path, interp, t, deg):
    path = tmp_path / "arm.glb"
    save_glb(path, arm_model(interpolation=interp))
    m = load_gltf(path)
    _, rot, _ = m.pose_trs("bend", t)
    angle = np.degrees(2 * np.arctan2(rot[2][2], rot[2][3]))
    assert angle == pytest.approx(deg, abs=1e-3 if interp != "CUBICSPLINE" else 3)
    assert np.allclose(rot[1], [0, 0, 0, 1])  # not animated: rest value


def test_skinning_reference_known_answer(arm_glb):
    m = load_gltf(arm_glb)
    g = m.global_matrices(m.pose_local("bend", 1.0))  # lower bent 90 degrees about +Z at y=1
    (prim,) = m.meshes[0].primitives
    out = skin_vertices(prim.positions, prim.joints, prim.weights, m.skin_matrices(g))
    # the tip (0.1, 2, 0) rigid on `lower` turns about (0, 1, 0): to (-1, 1.1, 0)
    assert np.allclose(out[9], [-1.0, 1.1, 0.0], atol=1e-6)
    assert np.allclose(out[:2], prim.positions[:2], atol=1e-6)  # upper did not move


def test_mannequin(tmp_path, mannequin_gltf):
    m = load_gltf(mannequin_gltf)
    assert len(m.skins[0].joints) == 53 and len(m.animations) == 46
    (mesh,) = m.meshes
    assert [p.material.name for p in mesh.primitives] == ["M_Main", "M_Joints"]
    assert mesh.vertex_count == 8547
    assert np.abs(m.skin_matrices(m.rest_global) - np.eye(4)).max() < 1e-5
    g = m.global_matrices(m.pose_local("A_TPose", 0.0))
    hand_l, hand_r = g[m.node_index("DEF-hand.L")], g[m.node_index("DEF-hand.R")]
    assert hand_l[0, 3] > 0.6 and hand_r[0, 3] < -0.6  # +Y up, facing +Z: left hand at +X
    # a round trip through save_glb keeps skeleton, mesh and clips
    small = dataclasses.replace(m, animations={"Walk_Loop": m.clip("Walk_Loop")})
    save_glb(tmp_path / "m.glb", small)
    back = load_gltf(tmp_path / "m.glb")
    assert np.allclose(back.pose_local("Walk_Loop", 0.4), m.pose_local("Walk_Loop", 0.4), atol=1e-6)


def _broken(tmp_path: Path, arm_glb: Path, edit, blob_edit=None) -> Path:
    doc, blob = split_glb(arm_glb)
    edit(doc)
    if blob_edit is not None:
        blob = blob_edit(blob)
    return write_gltf(tmp_path / "bad", doc, blob)


def _drop_skin(doc):
    del doc["skins"]
    for n in doc["nodes"]:
        n.pop("skin", None)


def _huge_count(doc):
    doc["accessors"][doc["meshes"][0]["primitives"][0]["attributes"]["POSITION"]]["count"] = 10**9


def _out_of_range(doc):
    doc["accessors"][doc["meshes"][0]["primitives"][0]["attributes"]["POSITION"]]["byteOffset"] = 10_000


def _bad_joint(doc):
    doc["skins"][0]["joints"] = [1, 99]


def _outside(doc):
    doc["buffers"][0]["uri"] = "../../etc/passwd"


@pytest.mark.parametrize(
    ("edit", "blob_edit", "words"),
    [
        (_drop_skin, None, "no skin"),
        (_huge_count, None, "absurd count"),
        (_out_of_range, None, "out of range"),
        (_bad_joint, None, "does not exist"),
        (lambda d: None, lambda b: b[: len(b) // 2], "truncated"),
        (lambda d: d["buffers"][0].__setitem__("byteLength", 10**12), None, "absurd byteLength"),
        (lambda d: d["asset"].__setitem__("version", "1.0"), None, "not 2.x"),
        (lambda d: d["skins"][0].__setitem__("joints", 5), None, "malformed"),
    ],
)
def test_bad_files_one_line(tmp_path, arm_glb, edit, blob_edit, words):
    path = _broken(tmp_path, arm_glb, edit, blob_edit)
    with pytest.raises(AssetError) as e:
        load_gltf(path)
    msg = str(e.value)
    assert str(path) in msg and words in msg and "\n" not in msg


def test_missing_buffer_and_outside_uri(tmp_path, arm_glb):
    doc, _ = split_glb(arm_glb)
    path = write_gltf(tmp_path / "nobin", doc, None)
    with pytest.raises(AssetError, match="missing"):
        load_gltf(path)
    path = _broken(tmp_path, arm_glb, lambda d: None)
    data = json.loads(path.read_text())
    _outside(data)
    path.write_text(json.dumps(data))
    with pytest.raises(AssetError, match="outside the model's folder"):
        load_gltf(path)


def test_too_many_joints_and_not_gltf(tmp_path, arm_glb):
    with pytest.raises(AssetError, match="more than the renderer supports"):
        load_gltf(arm_glb, max_joints=1)
    junk = tmp_path / "x.gltf"
    junk.write_text("import os; os.system('echo pwned')")
    with pytest.raises(AssetError, match="not a glTF file"):
        load_gltf(junk)
    with pytest.raises(AssetError, match="no such glTF file"):
        load_gltf(tmp_path / "nope.glb")
