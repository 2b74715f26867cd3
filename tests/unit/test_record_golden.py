"""Recordings made by earlier writers, read by today's reader: tests/golden/recording_*.arpose.

One file per kind of recording the format has had: version 1 before hand tracking (made
by the writer as released then), version 1 with hands, and version 1 with a record kind
no reader knows yet (which readers must skip). How they were made:
tests/golden/make_recordings.py. Every landmark follows a formula (repeated here), so the
tests check every value, not just the counts. The files never change: a reader that
cannot read them breaks recordings users already have."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from arpose.joints import LANDMARK_NAMES
from arpose.pose import Hand, Pose, PoseFrame
from arpose.record import Recorder, Recording

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
BEFORE_HANDS = GOLDEN / "recording_v1_before_hands.arpose"
HANDS = GOLDEN / "recording_v1_hands.arpose"
UNKNOWN_RECORD = GOLDEN / "recording_v1_unknown_record.arpose"
SIZE = (640, 480)


def body(person: int, frame: int, raw: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The landmarks and world landmarks make_recordings.py wrote for one person."""
    j = np.arange(33, dtype=np.float64)
    lm = np.stack(
        [
            100 + 10 * j + frame + 0.25 * person + (0.5 if raw else 0.0),
            400 - 5 * j + 50 * person,
            -j / 64,
            0.5 + j / 128,
            1 - j / 256,
        ],
        axis=1,
    )
    world = np.stack([(j - 16) / 32, -j / 64 + person, np.full(33, frame / 8)], axis=1)
    return lm.astype(np.float32), world.astype(np.float32)


def hand(side: str, frame: int) -> tuple[np.ndarray, np.ndarray]:
    """The landmarks and world landmarks make_recordings.py wrote for one hand."""
    k = np.arange(21, dtype=np.float64)
    lm = np.stack(
        [300 + 4 * k + (20 if side == "right" else 0) + frame, 200 - 3 * k, -k / 32, 1 - k / 64], axis=1
    )
    world = np.stack([k / 128, -k / 256, np.full(21, 1 / 16)], axis=1)
    return lm.astype(np.float32), world.astype(np.float32)


def assert_person(pose: Pose, person: int, frame: int, raw: bool = False) -> None:
    lm, world = body(person, frame, raw)
    assert pose.id == person
    np.testing.assert_array_equal(pose.landmarks, lm)
    np.testing.assert_array_equal(pose.world, world)


@pytest.mark.parametrize("path", [BEFORE_HANDS, HANDS, UNKNOWN_RECORD], ids=lambda p: p.stem)
def test_golden_recordings_are_version_1_with_their_header(path):
    rec = Recording(path)
    assert rec.version == 1
    assert rec.meta["format"] == "arpose-recording" and rec.meta["source"] == "golden"
    assert rec.fps == 30.0 and rec.video_path is None and not rec.video_missing
    assert rec.meta["landmarks"] == list(LANDMARK_NAMES)
    assert rec.meta["landmark_columns"] == ["x_px", "y_px", "z", "visibility", "presence"]
    rec.frames()
    assert rec.problems == []


def test_recording_from_before_hands_reads_with_every_value():
    frames = Recording(BEFORE_HANDS).frames()
    assert [f.index for f in frames] == [0, 1, 2]
    assert [f.t for f in frames] == [0.0, 1 / 30, 2 / 30]
    assert {f.size for f in frames} == {SIZE} and {f.video_frame for f in frames} == {-1}
    assert [[p.id for p in f.poses] for f in frames] == [[3], [3, 7], []]
    assert [[p.id for p in f.raw] for f in frames] == [[3], [3, 7], []]
    for f in frames:
        for pose, raw in zip(f.poses, f.raw, strict=True):
            assert_person(pose, pose.id, f.index)
            assert_person(raw, raw.id, f.index, raw=True)
    # known values, written out: person 7 in frame 1, its nose and its right ankle (28)
    np.testing.assert_array_equal(frames[1].poses[1].landmarks[0], [102.75, 750.0, 0.0, 0.5, 1.0])
    np.testing.assert_array_equal(
        frames[1].poses[1].landmarks[28], [382.75, 610.0, -0.4375, 0.71875, 0.890625]
    )
    # no hands: neither tracked nor attached, in the records nor in the frames replayed
    for f in frames:
        assert not f.hands_tracked and f.hands == () and f.raw_hands == ()
        pf = f.to_pose_frame()
        assert not pf.hands_tracked and pf.hands == ()
        assert all(p.hands == () for p in pf.poses + pf.raw)


def test_recording_with_hands_reads_hands_on_bodies_and_alone():
    frames = Recording(HANDS).frames()
    assert [f.index for f in frames] == [0, 1, 2]
    assert [[p.id for p in f.poses] for f in frames] == [[3], [3], [3]]
    assert [len(f.raw) for f in frames] == [1, 0, 0]
    for f in frames:
        assert_person(f.poses[0], 3, f.index)
    # frame 0: a left hand on person 3 (with world landmarks) and a lone right hand (without)
    assert frames[0].hands_tracked
    left, lone = frames[0].hands
    assert (left.id, left.side, left.person, left.score) == (1, "left", 3, 0.75)
    np.testing.assert_array_equal(left.landmarks, hand("left", 0)[0])
    np.testing.assert_array_equal(left.world, hand("left", 0)[1])
    assert (lone.id, lone.side, lone.person, lone.score) == (2, "right", None, 0.5)
    np.testing.assert_array_equal(lone.landmarks, hand("right", 0)[0])
    assert lone.world is None
    np.testing.assert_array_equal(left.landmarks[8], [332.0, 176.0, -0.25, 0.875])
    assert [h.id for h in frames[0].raw_hands] == [1, 2]
    pf = frames[0].to_pose_frame()
    assert pf.hands_tracked and [h.id for h in pf.hands] == [1, 2]
    assert pf.poses[0].hand("left") is not None and pf.poses[0].hand("right") is None
    assert frames[0].to_pose_frame(raw=True).poses[0].hand("left") is not None
    # frame 1: hands tracked, none found; frame 2: hand tracking off
    assert frames[1].hands_tracked and frames[1].hands == ()
    assert not frames[2].hands_tracked and frames[2].hands == ()
    assert frames[2].to_pose_frame().poses[0].hands == ()


def test_a_record_kind_from_a_newer_writer_is_skipped_silently():
    rec = Recording(UNKNOWN_RECORD)
    frames = rec.frames()
    assert rec.problems == []
    assert [f.index for f in frames] == [0, 1]
    for f in frames:
        assert_person(f.poses[0], 3, f.index)
        assert f.raw == () and not f.hands_tracked
    assert b"ARPZ" in UNKNOWN_RECORD.read_bytes()


def _records(path: Path) -> bytes:
    """Everything after the header line (which holds the creation time)."""
    data = path.read_bytes()
    return data[data.index(b"\n") + 1 :]


def test_todays_writer_writes_the_same_records(tmp_path):
    """Frames without hands come out byte for byte as the writer from before hands wrote
    them (so readers from then still read them); frames with hands as the golden file."""

    def pose(person: int, frame: int, raw: bool = False) -> Pose:
        return Pose(*body(person, frame, raw), id=person)

    before = tmp_path / "before.arpose"
    with Recorder(before, fps=30.0, source="golden", fsync_s=0) as rec:
        for i, ids in enumerate([(3,), (3, 7), ()]):
            rec.write(
                PoseFrame(
                    i / 30,
                    i,
                    SIZE,
                    tuple(pose(p, i) for p in ids),
                    raw=tuple(pose(p, i, raw=True) for p in ids),
                )
            )
    assert _records(before) == _records(BEFORE_HANDS)

    with_hands = tmp_path / "hands.arpose"
    left = Hand(*hand("left", 0), side="left", score=0.75, person=3, id=1)
    lone = Hand(hand("right", 0)[0], None, side="right", score=0.5, person=None, id=2)
    with Recorder(with_hands, fps=30.0, source="golden", fsync_s=0) as rec:
        p = pose(3, 0).with_hands((left,))
        rec.write(PoseFrame(0.0, 0, SIZE, (p,), raw=(p,), hands=(left, lone), hands_tracked=True))
        rec.write(PoseFrame(1 / 30, 1, SIZE, (pose(3, 1),), hands_tracked=True))
        rec.write(PoseFrame(2 / 30, 2, SIZE, (pose(3, 2),)))
    assert _records(with_hands) == _records(HANDS)
