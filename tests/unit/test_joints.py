from __future__ import annotations

import numpy as np
import pytest

from arpose import joints
from arpose.errors import UnknownJointError
from arpose.pose import Pose, PoseFrame


def test_landmark_order_matches_blazepose():
    assert len(joints.LANDMARK_NAMES) == 33
    assert joints.Landmark.NOSE == 0
    assert joints.Landmark.LEFT_WRIST == 15
    assert joints.Landmark.RIGHT_FOOT_INDEX == 32
    assert joints.joint_index("left_hip") == 23


def test_coco_map_matches_documented_indices():
    expected = [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]
    assert list(joints.COCO17_INDEX) == expected


def test_body25_map():
    names = [n for n, _ in joints.BODY25]
    assert len(names) == 25 and names[1] == "Neck" and names[8] == "MidHip"
    assert joints.BODY25_INDEX[4] == joints.joint_index("right_wrist")
    assert joints.BODY25_INDEX[20] == -1  # small toe: no BlazePose counterpart
    assert all(0 <= a < 25 and 0 <= b < 25 for a, b in joints.BODY25_CONNECTIONS)
    assert len(joints.BODY25_COLORS) == 25


def test_aliases_and_case():
    assert joints.resolve_joint("left_hand") == "left_wrist"
    assert joints.resolve_joint("Left-Shoulder") == "left_shoulder"
    assert joints.resolve_joint("neck") == "neck"


def test_unknown_joint_suggests_closest():
    with pytest.raises(UnknownJointError) as info:
        joints.resolve_joint("left_sholder")
    assert "left_shoulder" in str(info.value)
    assert "left_sholder" in str(info.value)


def _pose_from(points: dict[str, tuple[float, float, float]], vis: float = 1.0) -> Pose:
    lm = np.zeros((33, 5), np.float32)
    lm[:, 3:] = vis
    for name, xyz in points.items():
        lm[joints.joint_index(name), :3] = xyz
    return Pose(lm, np.zeros((33, 3), np.float32), 0)


def test_virtual_joints_are_linear_combinations():
    pose = _pose_from(
        {
            "left_shoulder": (300, 200, 0),
            "right_shoulder": (100, 200, 0),
            "left_hip": (260, 400, 0),
            "right_hip": (140, 400, 0),
            "left_eye": (220, 100, 0),
            "right_eye": (180, 100, 0),
            "mouth_left": (210, 130, 0),
            "mouth_right": (190, 130, 0),
        }
    )
    np.testing.assert_allclose(pose.xy("mid_shoulder"), (200, 200))
    np.testing.assert_allclose(pose.xy("neck"), (200, 200))
    np.testing.assert_allclose(pose.xy("mid_hip"), (200, 400))
    # head_top is above the eyes, along the mouth->eyes direction
    top = pose.xy("head_top")
    assert top[0] == pytest.approx(200) and top[1] == pytest.approx(100 - 1.7 * 30)
    assert pose.measure("shoulder_width") == pytest.approx(200)
    assert pose.measure("torso_height") == pytest.approx(200)


def test_virtual_visibility_is_weighted_by_contribution():
    pose = _pose_from({"left_shoulder": (300, 200, 0), "right_shoulder": (100, 200, 0)})
    lm = pose.landmarks
    lm[joints.joint_index("left_shoulder"), 3] = 0.2
    lm[joints.joint_index("left_hip"), 3] = lm[joints.joint_index("right_hip"), 3] = 0.0
    pose = Pose(lm, pose.world, 0)
    assert pose.visibility("mid_shoulder") == pytest.approx(0.6)
    # hips out of frame: the chest is still 70% shoulders, so it stays visible
    assert pose.visibility("chest") == pytest.approx(0.35 * 0.2 + 0.35 * 1.0)
    assert pose.visibility("mid_hip") == pytest.approx(0.0)


def test_widths_do_not_collapse_when_turning_sideways():
    front = _pose_from(
        {
            "left_ear": (240, 100, 0),
            "right_ear": (160, 100, 0),
            "left_eye": (220, 100, 0),
            "right_eye": (180, 100, 0),
            "mouth_left": (210, 130, 0),
            "mouth_right": (190, 130, 0),
            "left_shoulder": (300, 200, 0),
            "right_shoulder": (100, 200, 0),
            "left_hip": (260, 460, 0),
            "right_hip": (140, 460, 0),
        }
    )
    side = _pose_from(
        {
            "left_ear": (202, 100, 0),
            "right_ear": (198, 100, 0),
            "left_eye": (201, 100, 0),
            "right_eye": (199, 100, 0),
            "mouth_left": (201, 130, 0),
            "mouth_right": (199, 130, 0),
            "left_shoulder": (205, 200, 0),
            "right_shoulder": (195, 200, 0),
            "left_hip": (203, 460, 0),
            "right_hip": (197, 460, 0),
        }
    )
    assert front.measure("head_width") == pytest.approx(80)
    assert front.measure("shoulder_width") == pytest.approx(200)
    assert side.measure("shoulder_width") == pytest.approx(0.75 * 260)
    # sideways the torso bounds the shoulders, and the shoulders bound the head
    assert side.measure("head_width") == pytest.approx(max(1.85 * 30, 0.36 * 0.75 * 260))
    # seen from behind, MediaPipe folds ears and face together (eye-to-mouth 4 px here):
    # the head stays about as wide as it was facing the camera
    back = _pose_from(
        {
            "left_ear": (199, 100, 0),
            "right_ear": (201, 100, 0),
            "left_eye": (199, 110, 0),
            "right_eye": (201, 110, 0),
            "mouth_left": (199, 114, 0),
            "mouth_right": (201, 114, 0),
            "left_shoulder": (100, 200, 0),
            "right_shoulder": (300, 200, 0),
            "left_hip": (140, 460, 0),
            "right_hip": (260, 460, 0),
        }
    )
    assert back.measure("head_width") == pytest.approx(0.36 * 200)
    assert back.measure("head_width") > 0.85 * front.measure("head_width")


def test_json_round_trip():
    rng = np.random.default_rng(1)
    lm = rng.uniform(0, 500, (33, 5)).astype(np.float32)
    lm[:, 3:] = rng.uniform(0, 1, (33, 2))
    pose = Pose(lm, rng.normal(size=(33, 3)).astype(np.float32), 3)
    frame = PoseFrame(t=1.25, index=7, size=(640, 480), poses=(pose,))
    obj = frame.to_json()
    assert set(obj) == {"frame", "t", "width", "height", "people"}
    assert len(obj["people"][0]["landmarks"]) == 33 and len(obj["people"][0]["landmarks"][0]) == 4
    back = PoseFrame.from_json(obj)
    np.testing.assert_allclose(back.poses[0].landmarks[:, :4], lm[:, :4], atol=0.01)
    assert back.poses[0].id == 3 and back.t == 1.25


def test_pose_shape_is_checked():
    with pytest.raises(ValueError, match=r"landmarks must be \(33, 5\), got \(17, 5\)"):
        Pose(np.zeros((17, 5), np.float32), np.zeros((33, 3), np.float32))
