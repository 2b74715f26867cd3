"""Bone-name conventions and their detection."""

from __future__ import annotations

import numpy as np
import pytest

from arpose.errors import RigError
from arpose.rig import BONE_INDEX, BONES, NUM_BONES, PARENT, RigPose, Skeleton, quat
from arpose.rig.retarget import CONVENTIONS, REQUIRED, Retarget, detect_bone_map
from arpose.rig.rigpose import global_rotations


@pytest.mark.parametrize("name", list(CONVENTIONS))
def test_every_convention_names_every_bone_once(name: str) -> None:
    table = CONVENTIONS[name]
    assert set(table) == set(BONES)
    assert len(set(table.values())) == len(BONES)


@pytest.mark.parametrize(
    ("convention", "prefix", "bone", "expected"),
    [
        ("mixamo", "mixamorig:", "leftUpperArm", "mixamorig:LeftArm"),
        ("mixamo", "mixamorig1:", "rightLittleDistal", "mixamorig1:RightHandPinky3"),
        ("unity", "", "leftThumbMetacarpal", "LeftThumbProximal"),
        ("vrm0", "", "leftThumbProximal", "leftThumbIntermediate"),
        ("vrm", "", "leftThumbMetacarpal", "leftThumbMetacarpal"),
        ("vroid", "", "chest", "J_Bip_C_UpperChest"),
        ("mannequin", "", "leftLowerArm", "DEF-forearm.L"),
    ],
)
def test_detect_finds_the_convention(convention: str, prefix: str, bone: str, expected: str) -> None:
    names = ["Armature", "Mesh"] + [prefix + n for n in CONVENTIONS[convention].values()]
    found = detect_bone_map(names)
    assert found[bone] == expected
    assert len(found) == len(BONES)


def test_optional_bones_may_be_missing() -> None:
    names = [CONVENTIONS["mixamo"][b] for b in REQUIRED]
    found = detect_bone_map(names)
    assert set(found) == set(REQUIRED)


def test_missing_bones_are_named() -> None:
    names = [n for b, n in CONVENTIONS["mixamo"].items() if b not in ("leftHand", "head")]
    with pytest.raises(RigError, match="missing Head, LeftHand"):
        detect_bone_map(names)
    with pytest.raises(RigError, match="unknown bone convention 'maya'"):
        detect_bone_map(names, "maya")


# -- Retarget on synthetic models whose answers are known -----------------------------------


Z = np.array([0.0, 0.0, 1.0])


def _pose(**rotations: np.ndarray) -> RigPose:
    q = np.tile(quat.IDENTITY, (NUM_BONES, 1))
    for bone, r in rotations.items():
        q[BONE_INDEX[bone]] = r
    return RigPose(q.astype(np.float32), np.zeros(3), np.ones(NUM_BONES), Skeleton.default())


def _rot(axis: np.ndarray, degrees: float) -> np.ndarray:
    return quat.from_axis_angle(np.asarray(axis, float), np.radians(degrees))


def _model(rest: RigPose, axes: np.ndarray, world: np.ndarray, convention: str = "mixamo"):
    """A model with arpose's skeleton in the pose ``rest``, every bone given the rest
    orientation ``axes[b]`` (its own bone axes), the whole figure turned by ``world``
    (model space -> nothing: the model's own up and facing)."""
    names = [CONVENTIONS[convention][b] for b in BONES]
    parents = np.array([-1 if PARENT[b] is None else BONE_INDEX[PARENT[b]] for b in BONES])
    pos = rest.joint_positions() @ world.T
    m = np.tile(np.eye(4), (NUM_BONES, 1, 1))
    m[:, :3, :3] = world @ quat.to_matrix(quat.mul(global_rotations(rest.rotations.astype(float)), axes))
    m[:, :3, 3] = pos
    return names, parents, m


def _fk(parents: np.ndarray, rest: np.ndarray, local_q: np.ndarray) -> np.ndarray:
    """Model joint positions for local rotations, translations from the rest."""
    n = len(parents)
    local_t = [
        rest[i, :3, 3] if parents[i] < 0 else (np.linalg.inv(rest[parents[i]]) @ rest[i])[:3, 3]
        for i in range(n)
    ]
    g = np.zeros((n, 4, 4))
    for i in range(n):
        m = np.eye(4)
        m[:3, :3] = quat.to_matrix(local_q[i].astype(float))
        m[:3, 3] = local_t[i]
        g[i] = m if parents[i] < 0 else g[parents[i]] @ m
    return g[:, :3, 3]


POSE = _pose(
    leftUpperArm=_rot(Z, 60),
    leftLowerArm=_rot(-np.eye(3)[1], 70),
    rightUpperArm=_rot(Z, 50),
    head=_rot(np.eye(3)[1], 30),
    leftUpperLeg=_rot(np.eye(3)[0], -40),
    leftLowerLeg=_rot(np.eye(3)[0], 60),
    leftIndexProximal=_rot(-Z, 40),
    leftIndexIntermediate=_rot(-Z, 60),
)


def test_bone_axes_of_the_model_do_not_matter() -> None:
    """The "arms upside down" problem: a model's bones each have their own axes (Blender's
    Y along the bone, Mixamo's, random here) and the model stands Z-up facing -Y; the
    retargeted pose must put its joints where arpose's skeleton puts them all the same."""
    rng = np.random.default_rng(7)
    axes = quat.normalize(rng.normal(size=(NUM_BONES, 4)))
    world = quat.to_matrix(_rot(np.eye(3)[0], 90))  # Y-up rig space -> a Z-up file
    names, parents, rest = _model(_pose(), axes, world)
    rt = Retarget.from_rest(detect_bone_map(names), names, parents, rest)
    got = _fk(parents, rest, rt.apply(POSE))
    want = (POSE.joint_positions() - POSE.root) @ world.T
    assert np.abs((got - got[0]) - (want - want[0])).max() < 1e-3
    # and the plain identity rest comes back as the model's own rest
    assert np.abs(_fk(parents, rest, rt.apply(_pose())) - rest[:, :3, 3]).max() < 1e-6


def test_a_pose_rest_is_read_from_the_model() -> None:
    """A model bound in an A-pose (arms 40 degrees down): arpose's T-pose puts its arms level,
    and an arm raised in arpose is raised as much on the model."""
    a_pose = _pose(leftUpperArm=_rot(Z, -40), rightUpperArm=_rot(Z, 40))
    names, parents, rest = _model(a_pose, np.tile(quat.IDENTITY, (NUM_BONES, 1)), np.eye(3), "vrm")
    rt = Retarget.from_rest(detect_bone_map(names), names, parents, rest)
    got = _fk(parents, rest, rt.apply(_pose()))
    arm = got[BONE_INDEX["leftLowerArm"]] - got[BONE_INDEX["leftUpperArm"]]
    assert abs(arm[1]) < 1e-3 and arm[0] > 0.2  # level, pointing out to the left
    got = _fk(parents, rest, rt.apply(POSE))
    want = POSE.joint_positions()
    assert np.abs((got - got[0]) - (want - want[0])).max() < 1e-3


def test_bad_bone_maps_are_named() -> None:
    names, parents, rest = _model(_pose(), np.tile(quat.IDENTITY, (NUM_BONES, 1)), np.eye(3), "vrm")
    bm = detect_bone_map(names)
    with pytest.raises(RigError, match="leftHand -> 'LeftPalm'"):
        Retarget.from_rest({**bm, "leftHand": "LeftPalm"}, names, parents, rest)
    with pytest.raises(RigError, match="'tail' is not an arpose bone"):
        Retarget.from_rest({**bm, "tail": "hips"}, names, parents, rest)
    with pytest.raises(RigError, match="missing head"):
        Retarget.from_rest({k: v for k, v in bm.items() if k != "head"}, names, parents, rest)
