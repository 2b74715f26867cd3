"""BVH writer: Euler conventions, the file read back by an independent forward kinematics,
per-person files, and refusing poses without world landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from arpose.bvh import (
    BODY_BONES,
    BVH_NAMES,
    MIN_FRAMES,
    BvhWriter,
    clip_skeleton,
    euler_zxy,
    euler_zxy_from_matrix,
    file_order,
    matrix_from_euler_zxy,
    read_bvh,
    write_bvh,
)
from arpose.errors import ExportError
from arpose.pose import Pose, PoseFrame
from arpose.rig import BONES, RigSolver, quat, solve_pose
from arpose.testing.bodies import Body, frames, make_pose, squat_motion


def _random_quats(n: int, seed: int = 0) -> np.ndarray:
    q = np.random.default_rng(seed).normal(size=(n, 4))
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def test_euler_zxy_round_trips_random_rotations() -> None:
    q = _random_quats(500)
    assert np.allclose(matrix_from_euler_zxy(euler_zxy(q)), quat.to_matrix(quat.normalize(q)), atol=1e-9)


def test_euler_zxy_known_answers() -> None:
    s = np.sqrt(0.5)
    # 90 degrees about Z, X, Y: each lands in its own channel
    assert np.allclose(euler_zxy(np.array([0, 0, s, s])), [90, 0, 0])
    assert np.allclose(euler_zxy(np.array([s, 0, 0, s])), [0, 90, 0])
    assert np.allclose(euler_zxy(np.array([0, s, 0, s])), [0, 0, 90])
    # Rz(30) Rx(20) Ry(10), built by hand
    m = matrix_from_euler_zxy(np.array([30.0, 20.0, 10.0]))
    z, x, y = np.radians([30.0, 20.0, 10.0])
    rz = np.array([[np.cos(z), -np.sin(z), 0], [np.sin(z), np.cos(z), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(x), -np.sin(x)], [0, np.sin(x), np.cos(x)]])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    assert np.allclose(m, rz @ rx @ ry)


def test_euler_zxy_gimbal_lock_still_round_trips() -> None:
    m = matrix_from_euler_zxy(np.array([[40.0, 90.0, 25.0], [-10.0, -90.0, 60.0]]))
    assert np.allclose(matrix_from_euler_zxy(euler_zxy_from_matrix(m)), m, atol=1e-9)


def test_names_are_the_motionbuilder_humanoid_names() -> None:
    assert [BVH_NAMES[b] for b in ("hips", "chest", "leftUpperArm", "rightLowerLeg", "leftFoot")] == [
        "Hips",
        "Spine1",
        "LeftArm",
        "RightLeg",
        "LeftFoot",
    ]
    assert BVH_NAMES["leftThumbMetacarpal"] == "LeftHandThumb1"
    assert BVH_NAMES["rightLittleDistal"] == "RightHandPinky3"
    assert len(set(BVH_NAMES.values())) == len(BONES)


@pytest.mark.parametrize("hands", [False, True])
def test_file_read_back_gives_the_solver_joint_positions(tmp_path, hands) -> None:
    """An independent forward kinematics of the written file (offsets, ZXY Euler channels,
    root position) puts every joint where the solver's own pose puts it."""
    motion = squat_motion()
    solver = RigSolver()
    poses = [solver.update(pf.poses[0], pf.t, image_size=pf.size) for pf in frames(motion, fps=30)[:40]]
    path = write_bvh(tmp_path / "a.bvh", poses, 1 / 30, hands=hands)
    bvh = read_bvh(path)
    bones = BONES if hands else BODY_BONES
    assert bvh.names == [BVH_NAMES[b] for b in file_order(bones)] and len(bvh.names) == len(bones)
    assert bvh.frame_time == pytest.approx(1 / 30, abs=1e-6)
    got = bvh.positions() / 100.0  # cm -> m
    skeleton = clip_skeleton(poses)
    index = [BONES.index(b) for b in file_order(bones)]
    for k, p in enumerate(poses):
        # the solver's pose with the file's skeleton (the clip's median lengths)
        want = type(p)(p.rotations, p.root, p.confidence, skeleton).joint_positions()[index]
        assert np.abs(got[k] - want).max() < 1e-4, k


def test_known_pose_left_arm_up_points_up_in_the_file(tmp_path) -> None:
    pose = solve_pose(make_pose(Body(left_arm=180, right_arm=90)).world)
    bvh = read_bvh(write_bvh(tmp_path / "up.bvh", [pose], 1 / 30))
    pos = bvh.positions()[0]
    n = bvh.names
    upper = pos[n.index("LeftForeArm")] - pos[n.index("LeftArm")]
    right = pos[n.index("RightForeArm")] - pos[n.index("RightArm")]
    assert upper[1] / np.linalg.norm(upper) > 0.95  # +Y: up
    assert right[0] / np.linalg.norm(right) < -0.95  # the right arm out to -X (T-pose)


def _frame(i: int, poses: tuple[Pose, ...], fps: float = 25.0) -> PoseFrame:
    return PoseFrame(t=i / fps, index=i, size=(1280, 720), poses=poses)


def test_writer_one_file_per_person_frame_time_and_gaps(tmp_path) -> None:
    w = BvhWriter(tmp_path / "clip.bvh", source="clip.mp4")
    for i in range(30):
        people = [make_pose(Body(id=1))]
        if 5 <= i < 25 and i != 12:  # person 2 enters, misses one frame, leaves
            people.append(make_pose(Body(id=2, x=300)))
        if i == 3:  # a passer-by seen once
            people.append(make_pose(Body(id=7, x=900)))
        w.write(_frame(i, tuple(people)))
    w.commit()
    assert [f.name for f in w.files] == ["clip_person1.bvh", "clip_person2.bvh"]
    one, two = read_bvh(w.files[0]), read_bvh(w.files[1])
    assert one.motion.shape[0] == 30 and two.motion.shape[0] == 20  # first to last appearance
    assert one.frame_time == pytest.approx(1 / 25, abs=1e-6)
    assert not (tmp_path / "clip_person7.bvh").exists()
    assert MIN_FRAMES > 1


def test_writer_chosen_person_goes_to_the_output_itself(tmp_path) -> None:
    w = BvhWriter(tmp_path / "me.bvh", person=2)
    for i in range(12):
        w.write(_frame(i, (make_pose(Body(id=1)), make_pose(Body(id=2, x=300)))))
    w.commit()
    assert w.files == [tmp_path / "me.bvh"] and read_bvh(w.files[0]).motion.shape[0] == 12
    missing = BvhWriter(tmp_path / "x.bvh", person=5)
    missing.write(_frame(0, (make_pose(Body(id=1)),)))
    with pytest.raises(ExportError, match="person 5 is never tracked"):
        missing.commit()


def test_poses_without_world_landmarks_are_refused(tmp_path) -> None:
    p = make_pose(Body(id=3))
    flat = Pose(p.landmarks, np.zeros_like(p.world), 3)
    w = BvhWriter(tmp_path / "x.bvh", source="take.arpose")
    with pytest.raises(ExportError, match=r"take.arpose: frame 4, person 3 has no world landmarks"):
        w.write(PoseFrame(t=0.0, index=4, size=(640, 480), poses=(flat,)))


def test_read_bvh_refuses_other_files(tmp_path) -> None:
    bad = tmp_path / "bad.bvh"
    bad.write_text("HIERARCHY\nROOT Hips\n{\nOFFSET 0 0\n")
    with pytest.raises(ExportError, match=r"bad\.bvh: not a BVH file"):
        read_bvh(bad)


def _record(path, motion_frames, world: bool = True):
    from arpose.record import Recorder

    with Recorder(path, fps=30.0, source="synthetic") as rec:
        for pf in motion_frames:
            poses = (
                pf.poses
                if world
                else tuple(Pose(p.landmarks, np.zeros_like(p.world), p.id) for p in pf.poses)
            )
            assert rec.write(PoseFrame(pf.t, pf.index, pf.size, poses), poses)
    return path


def test_export_bvh_from_a_recording_and_refuse_one_without_world(tmp_path) -> None:
    from arpose.export import export

    take = _record(tmp_path / "take.arpose", frames(squat_motion(), fps=30)[:45])
    res = export(take, "bvh")
    assert res.files == [tmp_path / "take_person0.bvh"] and res.frames == 45
    assert read_bvh(res.files[0]).motion.shape == (45, 3 + 3 * len(BODY_BONES))
    flat = _record(tmp_path / "flat.arpose", frames(squat_motion(), fps=30)[:5], world=False)
    with pytest.raises(ExportError, match=r"flat\.arpose: frame 0, person 0 has no world landmarks"):
        export(flat, "bvh", tmp_path / "flat.bvh")
    assert not list(tmp_path.glob("flat*.bvh")) and not list(tmp_path.glob(".*partial"))


def test_angles_do_not_jump_by_a_turn_between_frames() -> None:
    from arpose.bvh import motion_rows

    base = solve_pose(make_pose(Body()).world)
    # the hips turning steadily about +Y through 180 degrees: Y channel from 170 to 190
    poses = []
    for deg in np.linspace(170, 190, 11):
        q = np.array([0.0, np.sin(np.radians(deg) / 2), 0.0, np.cos(np.radians(deg) / 2)], np.float32)
        rot = base.rotations.copy()
        rot[BONES.index("hips")] = q
        poses.append(type(base)(rot, base.root, base.confidence, base.skeleton))
    y = motion_rows(poses, BODY_BONES)[:, 5]  # the hips' Yrotation channel
    assert np.all(np.abs(np.diff(y)) < 5) and abs(y[-1] - y[0]) == pytest.approx(20, abs=0.01)
