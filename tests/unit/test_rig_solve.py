"""The rig solver on known shapes: pose arpose's own skeleton, build its landmarks, solve,
and compare the rotations with the ones the shape was made from."""

from __future__ import annotations

import numpy as np
import pytest

from arpose.errors import RigError
from arpose.joints import LANDMARK_NAMES
from arpose.rig import (
    BONE_INDEX,
    BONES,
    NUM_BONES,
    PARENT,
    REST_DIRECTIONS,
    RigPose,
    Skeleton,
    SolveOptions,
    quat,
    solve_pose,
)
from arpose.rig.skeleton import LM
from arpose.testing.rig import landmarks_of

X, Y, Z = np.eye(3)


def posed(**rotations: np.ndarray) -> RigPose:
    """The default skeleton with some bones' local rotations set."""
    q = np.tile(quat.IDENTITY, (NUM_BONES, 1))
    for bone, r in rotations.items():
        q[BONE_INDEX[bone]] = r
    return RigPose(q.astype(np.float32), np.zeros(3), np.ones(NUM_BONES), Skeleton.default())


def rot(axis: np.ndarray, degrees: float) -> np.ndarray:
    return quat.from_axis_angle(axis, np.radians(degrees))


def errors(truth: RigPose, solved: RigPose) -> np.ndarray:
    """Per-bone angle (degrees) between the true and solved local rotations."""
    d = quat.mul(quat.conj(truth.rotations.astype(np.float64)), solved.rotations.astype(np.float64))
    return np.degrees(quat.angle(d))


def roundtrip(truth: RigPose, hands: bool = True) -> RigPose:
    world, hand = landmarks_of(truth)
    return solve_pose(world, hands=hand if hands else None, skeleton=truth.skeleton)


def test_bones_follow_the_agreed_names_and_order() -> None:
    assert len(BONES) == 5 + 2 * 4 + 2 * 3 + 2 * 15 == NUM_BONES
    assert BONES[:5] == ("hips", "spine", "chest", "neck", "head")
    for i, b in enumerate(BONES):  # parents come first
        assert PARENT[b] is None or BONE_INDEX[PARENT[b]] < i
    assert (
        PARENT["leftThumbMetacarpal"] == "leftHand"
        and PARENT["rightLittleDistal"] == "rightLittleIntermediate"
    )
    assert np.allclose(np.linalg.norm(REST_DIRECTIONS, axis=1), 1.0)


def test_t_pose_solves_to_identity() -> None:
    truth = posed()
    solved = roundtrip(truth)
    assert errors(truth, solved).max() < 0.1
    assert np.all(solved.confidence == 1.0)
    # the skeleton measured from the landmarks reproduces the positions
    again = solve_pose(*landmarks_of(truth)[:1], hands=landmarks_of(truth)[1])
    assert np.allclose(again.joint_positions() - again.root, truth.joint_positions() - truth.root, atol=2e-3)


def test_arm_raised_90_degrees() -> None:
    truth = posed(leftUpperArm=rot(Z, 90), rightUpperArm=rot(Z, -90))  # both arms straight up
    solved = roundtrip(truth)
    assert errors(truth, solved).max() < 0.5
    g = quat.rotate(
        solved.global_rotations()[BONE_INDEX["leftUpperArm"]], REST_DIRECTIONS[BONE_INDEX["leftUpperArm"]]
    )
    assert np.allclose(g, Y, atol=1e-3)


def test_elbow_bent_forwards_and_arms_down() -> None:
    truth = posed(leftUpperArm=rot(Z, -80), leftLowerArm=rot(-Y, 90), rightLowerArm=rot(Y, 45))
    solved = roundtrip(truth)
    assert errors(truth, solved).max() < 0.5
    # the bend is all in the elbow: the upper arm got no spurious twist
    assert errors(truth, solved)[BONE_INDEX["leftLowerArm"]] < 0.5


def test_upper_arm_twist_is_read_from_the_elbow_plane() -> None:
    # upper arm twisted 60 degrees about itself, then the elbow bent: the bend plane shows it
    truth = posed(leftUpperArm=rot(X, 60), leftLowerArm=rot(-Y, 70))
    assert errors(truth, roundtrip(truth))[BONE_INDEX["leftUpperArm"]] < 0.5


def test_head_turned_and_nodding() -> None:
    truth = posed(head=quat.mul(rot(Y, 40), rot(X, 15)))
    solved = roundtrip(truth)
    gt, gs = truth.global_rotations().astype(np.float64), solved.global_rotations().astype(np.float64)
    i = BONE_INDEX["head"]
    assert np.degrees(quat.angle(quat.mul(quat.conj(gt[i]), gs[i]))) < 0.5
    # the neck shares the turn (half of it) and keeps its direction
    assert 15 < np.degrees(quat.angle(solved.rotation("neck"))) < 25
    assert np.allclose(
        solved.joint_positions() - solved.root, truth.joint_positions() - truth.root, atol=1e-3
    )


def test_hand_with_curled_fingers() -> None:
    curls = {}
    for side, sx in (("left", 1.0), ("right", -1.0)):
        hinge = np.array([0.0, 0.0, -sx])
        for f, (a, b, c) in {
            "Index": (30, 60, 40),
            "Middle": (50, 70, 40),
            "Ring": (70, 80, 50),
            "Little": (80, 90, 60),
        }.items():
            curls[f"{side}{f}Proximal"] = rot(hinge, a)
            curls[f"{side}{f}Intermediate"] = rot(hinge, b)
            curls[f"{side}{f}Distal"] = rot(hinge, c)
        curls[f"{side}Hand"] = rot(np.array([0.0, 0.0, sx]), 20)  # wrist bent up
    truth = posed(**curls)
    solved = roundtrip(truth)
    assert errors(truth, solved).max() < 0.5
    # without hand landmarks the fingers stay at rest, with confidence 0
    bare = roundtrip(truth, hands=False)
    assert bare.confidence[BONE_INDEX["leftIndexProximal"]] == 0.0
    assert quat.angle(bare.rotation("leftIndexProximal")) < 1e-3


def test_knee_bent_and_leg_lifted() -> None:
    truth = posed(
        leftUpperLeg=rot(X, -70), leftLowerLeg=rot(X, 90), leftFoot=rot(X, 10), rightUpperLeg=rot(Z, -20)
    )
    assert errors(truth, roundtrip(truth)).max() < 0.5


def test_torso_bend_and_turn() -> None:
    truth = posed(hips=rot(Y, 30), spine=rot(X, 10), chest=rot(X, 10))
    solved = roundtrip(truth)
    # four torso points cannot tell the pelvis's tilt from the spine's curve: the hips and
    # chest take the torso's mean lean; the turn and the shoulder line come out exact
    gt, gs = truth.global_rotations().astype(np.float64), solved.global_rotations().astype(np.float64)
    for b in ("hips", "chest"):
        i = BONE_INDEX[b]
        assert np.allclose(quat.rotate(gt[i], X), quat.rotate(gs[i], X), atol=1e-3)
    tails = (solved.tails() - solved.root - truth.tails() + truth.root)[BONE_INDEX["chest"]]
    assert np.linalg.norm(tails) < 0.02


def test_limits_stop_a_knee_bending_forwards() -> None:
    truth = posed(leftLowerLeg=rot(X, -60))  # the shin swung forwards: not a human knee
    world, hands = landmarks_of(truth)
    free = solve_pose(world, hands=hands, options=SolveOptions(limits=False))
    limited = solve_pose(world, hands=hands)
    i = BONE_INDEX["leftLowerLeg"]
    assert np.degrees(quat.angle(free.rotations[i])) > 50
    _, twist = quat.swing_twist(limited.rotations.astype(np.float64), REST_DIRECTIONS)
    assert np.degrees(quat.angle(twist[i])) <= 35.01


def test_low_visibility_bones_have_zero_confidence() -> None:
    world, hands = landmarks_of(posed())
    vis = np.ones(33)
    vis[LM["left_elbow"]] = 0.1
    solved = solve_pose(world, vis, hands)
    assert solved.confidence[BONE_INDEX["leftLowerArm"]] == 0.0
    assert solved.confidence[BONE_INDEX["rightLowerArm"]] == 1.0


def test_mirror_pose_mirrors_rotations() -> None:
    truth = posed(leftUpperArm=rot(Z, -50), leftLowerArm=rot(-Y, 60), head=rot(Y, 25))
    world, hands = landmarks_of(truth)
    a = solve_pose(world, hands=hands)
    # mirror the person: x -> -x and left <-> right
    swap = [
        LANDMARK_NAMES.index(n.replace("left", "@").replace("right", "left").replace("@", "right"))
        for n in LANDMARK_NAMES
    ]
    mw = world[swap] * (-1.0, 1.0, 1.0)
    b = solve_pose(mw, hands={"left": hands["right"] * (-1, 1, 1), "right": hands["left"] * (-1, 1, 1)})
    # a rotation mirrored in x: (x, y, z, w) -> (x, -y, -z, w)
    qa = a.rotation("leftLowerArm").astype(np.float64) * (1, -1, -1, 1)
    qb = b.rotation("rightLowerArm").astype(np.float64)
    assert np.degrees(quat.angle(quat.mul(quat.conj(qa), qb))) < 0.5


@pytest.mark.parametrize("bad", [np.zeros((32, 3)), np.zeros((33, 2))])
def test_bad_shapes_are_refused(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="33, 3"):
        solve_pose(bad)


def test_missing_world_landmarks_are_refused_in_one_line() -> None:
    with pytest.raises(RigError, match="all zero: the pose has no world landmarks"):
        solve_pose(np.zeros((33, 3)))
    bad = landmarks_of(posed())[0].copy()
    bad[5, 1] = np.nan
    with pytest.raises(RigError, match="NaN"):
        solve_pose(bad)


def test_degenerate_input_gives_finite_rotations() -> None:
    world, hands = landmarks_of(posed())
    flat = solve_pose(world, hands={"left": np.zeros((21, 3)), "right": hands["right"]})
    assert np.all(np.isfinite(flat.rotations)) and flat.confidence[BONE_INDEX["leftIndexProximal"]] == 0.0
    squashed = world.copy()
    squashed[[13, 15, 17, 19]] = squashed[11]  # elbow, wrist and hand on the shoulder
    assert np.all(np.isfinite(solve_pose(squashed).rotations))
