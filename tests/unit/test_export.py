"""Exports: OpenPose JSON read back with the documented mapping, COCO, CSV, folder batches."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from record_helpers import make_frames

from arpose.errors import ArposeError
from arpose.export import (
    CSV_COLUMNS,
    OPENPOSE_VERSION,
    export,
    openpose_filename,
    read_openpose,
)
from arpose.joints import BODY25, COCO17, LANDMARK_NAMES
from arpose.record import Recorder


def test_openpose_export_reads_back_with_the_documented_mapping(take, tmp_path):
    path, frames = take
    out = tmp_path / "op"
    res = export(path, "openpose", out)
    assert res.frames == 9 and res.people == sum(len(f.poses) for f in frames)
    names = sorted(p.name for p in out.iterdir())
    assert names == [openpose_filename("take", i) for i in range(9)]
    assert names[0] == "take_000000000000_keypoints.json"
    for pf in frames:
        obj = json.loads((out / openpose_filename("take", pf.index)).read_text())
        assert obj["version"] == OPENPOSE_VERSION
        assert len(obj["people"]) == len(pf.poses)  # frames with nobody too
        people = read_openpose(out / openpose_filename("take", pf.index))
        for pose, kp, person in zip(pf.poses, people, obj["people"]):
            assert person["person_id"] == [pose.id]
            assert len(person["pose_keypoints_2d"]) == 75
            for k, (_op_name, joint) in enumerate(BODY25):
                if joint is None:
                    np.testing.assert_array_equal(kp[k], 0.0)
                else:
                    x, y, _, vis = pose.joint(joint)
                    np.testing.assert_allclose(kp[k], [x, y, vis], atol=1e-3)
            # Spot checks of the mapping, written out by hand.
            lm = pose.landmarks
            np.testing.assert_allclose(kp[1, :2], (lm[11, :2] + lm[12, :2]) / 2, atol=1e-3)  # Neck
            np.testing.assert_allclose(kp[8, :2], (lm[23, :2] + lm[24, :2]) / 2, atol=1e-3)  # MidHip
            np.testing.assert_allclose(kp[4, :2], lm[16, :2], atol=1e-3)  # RWrist
            np.testing.assert_allclose(kp[22, :2], lm[32, :2], atol=1e-3)  # RBigToe


def test_coco_export(take, tmp_path):
    path, frames = take
    out = tmp_path / "take.json"
    export(path, "coco", out)
    results = json.loads(out.read_text())
    assert len(results) == sum(len(f.poses) for f in frames)
    by_key = {(r["image_id"], r["track_id"]): r for r in results}
    for pf in frames:
        for pose in pf.poses:
            r = by_key[(pf.index, pose.id)]
            assert r["category_id"] == 1 and len(r["keypoints"]) == 51
            kp = np.asarray(r["keypoints"]).reshape(17, 3)
            for k, (_, joint) in enumerate(COCO17):
                i = LANDMARK_NAMES.index(joint)
                np.testing.assert_allclose(kp[k], pose.landmarks[i, [0, 1, 3]], atol=1e-3)
            assert r["score"] == pytest.approx(kp[:, 2].mean(), abs=1e-3)


def test_csv_export(take, tmp_path):
    path, frames = take
    out = tmp_path / "take.csv"
    export(path, "csv", out)
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert len(rows) == sum(max(1, len(f.poses)) for f in frames)
    empty = [r for r in rows if r["person"] == ""]
    assert [int(r["frame"]) for r in empty] == [f.index for f in frames if not f.poses]
    by_key = {(int(r["frame"]), int(r["person"])): r for r in rows if r["person"] != ""}
    for pf in frames:
        for pose in pf.poses:
            r = by_key[(pf.index, pose.id)]
            assert float(r["t"]) == pytest.approx(pf.t, abs=1e-6)
            assert float(r["left_wrist_x"]) == pytest.approx(pose.landmarks[15, 0], abs=1e-3)
            assert float(r["right_ankle_visibility"]) == pytest.approx(pose.landmarks[28, 3], abs=1e-4)
            assert float(r["nose_world_z"]) == pytest.approx(pose.world[0, 2], abs=1e-5)


def test_raw_export_uses_raw_landmarks(tmp_path):
    frames = make_frames(3, seed=5)
    path = tmp_path / "take.arpose"
    with Recorder(path) as rec:
        for pf, raw in frames:
            rec.write(pf, raw)
    export(path, "csv", tmp_path / "raw.csv", raw=True)
    with open(tmp_path / "raw.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["person"] != ""]
    raw_pose = frames[1][1][0]
    assert float(rows[0]["nose_x"]) == pytest.approx(raw_pose.landmarks[0, 0], abs=1e-3)


def test_interrupted_export_leaves_no_output(take, tmp_path):
    path, _ = take
    out = tmp_path / "take.csv"

    def boom(_n: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export(path, "csv", out, progress=boom)
    assert list(tmp_path.glob("take.csv*")) == [] and list(tmp_path.glob(".take.csv*")) == []


def test_bad_arguments_are_clear_errors(take, tmp_path):
    path, _ = take
    with pytest.raises(ArposeError, match="unknown export format 'fbx'"):
        export(path, "fbx", tmp_path / "x")
    with pytest.raises(ArposeError, match="is a folder"):
        export(path, "csv", tmp_path)
    with pytest.raises(ArposeError, match="does not exist"):
        export(path, "coco", tmp_path / "nope" / "x.json")
