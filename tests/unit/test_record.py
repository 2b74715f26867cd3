"""Recording format: round trips, crash safety, damage reporting, replay source."""

from __future__ import annotations

import errno
import logging
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from record_helpers import make_frames, make_pose, write

import arpose
from arpose.errors import RecordingError, SourceError
from arpose.pose import Pose, PoseFrame
from arpose.record import (
    FORMAT_VERSION,
    MAGIC,
    Recorder,
    Recording,
    Replay,
    encode_frame,
    read_recording,
)
from arpose.sources import open_source


def assert_same(a: tuple[Pose, ...], b: tuple[Pose, ...]) -> None:
    assert len(a) == len(b)
    for p, q in zip(a, b):
        assert p.id == q.id
        np.testing.assert_array_equal(p.landmarks, q.landmarks)
        np.testing.assert_array_equal(p.world, q.world)


def test_record_then_read_gives_identical_landmarks(tmp_path):
    frames = make_frames(25)
    path = write(tmp_path / "take.arpose", frames)
    rec = Recording(path)
    assert rec.version == FORMAT_VERSION and rec.fps == 50.0
    assert rec.meta["landmarks"][15] == "left_wrist"
    got = rec.frames()
    assert rec.problems == []
    assert len(got) == len(frames)
    for (pf, raw), r in zip(frames, got):
        assert r.t == pf.t and r.index == pf.index and r.size == (640, 480)
        assert_same(r.poses, pf.poses)
        assert_same(r.raw, raw)
    # Raw and smoothed really are stored separately.
    assert not np.array_equal(got[1].raw[0].landmarks, got[1].poses[0].landmarks)


def test_header_is_one_readable_line(tmp_path):
    path = write(tmp_path / "take.arpose", make_frames(2))
    first = path.read_bytes().split(b"\n", 1)[0]
    assert first.startswith(MAGIC + b"1 {")
    assert b'"source": "synthetic"' in first


def test_replay_source_via_open_source_gives_same_poses(tmp_path):
    frames = make_frames(12)
    path = write(tmp_path / "take.arpose", frames)
    src = open_source(f"{path}?fast")
    assert getattr(src, "yields_poses", False) is True
    got = list(src)
    src.close()
    assert [g.index for g in got] == [pf.index for pf, _ in frames]
    assert [g.t for g in got] == [pf.t for pf, _ in frames]
    for g, (pf, _) in zip(got, frames):
        assert isinstance(g, PoseFrame) and g.image is None
        assert_same(g.poses, pf.poses)
    raw = list(open_source(f"{path}?fast&raw"))
    for g, (_, r) in zip(raw, frames):
        assert_same(g.poses, r)


def test_replay_is_deterministic(tmp_path):
    path = write(tmp_path / "take.arpose", make_frames(15, seed=3))

    def digest() -> float:
        return float(sum(p.landmarks.sum() for pf in Replay(path, fast=True) for p in pf.poses))

    assert digest() == digest()


def test_replay_keeps_original_timing(tmp_path):
    frames = make_frames(6, fps=20.0)  # 0.25 s of frames
    path = write(tmp_path / "take.arpose", frames)
    start = time.monotonic()
    arrivals = [time.monotonic() - start for _ in Replay(path)]
    assert len(arrivals) == len(frames)  # a replay that yields nothing must fail
    # Frame k must not come before its timestamp (lower bound only: never a timed upper bound).
    for k, arrival in enumerate(arrivals):
        assert arrival >= k / 20.0 - 0.005


def test_replay_loop_keeps_time_increasing(tmp_path):
    path = write(tmp_path / "take.arpose", make_frames(3))
    src = Replay(path, fast=True, loop=True)
    ts = [src.read().t for _ in range(8)]
    assert all(b > a for a, b in zip(ts, ts[1:]))


def test_unknown_replay_option_is_a_clear_error(tmp_path):
    path = write(tmp_path / "take.arpose", make_frames(2))
    with pytest.raises(SourceError, match=r"unknown replay option.*slow"):
        open_source(f"{path}?slow")


def test_newer_format_version_is_refused(tmp_path):
    path = tmp_path / "future.arpose"
    path.write_bytes(MAGIC + b"%d {}\n" % (FORMAT_VERSION + 1))
    with pytest.raises(RecordingError, match=r"format version 2.*upgrade arpose"):
        Recording(path)
    with pytest.raises(RecordingError, match="upgrade arpose"):
        open_source(str(path))


@pytest.mark.parametrize(
    "content,match",
    [
        (b"", "empty"),
        (b"hello world\n", "not an arpose recording"),
        (MAGIC[:4], "truncated inside its header"),
        (MAGIC + b'1 {"fps": 5', "truncated inside its header"),
        (MAGIC + b"x {}\n", "bad format version"),
    ],
)
def test_bad_headers_are_clear_errors(tmp_path, content, match):
    path = tmp_path / "bad.arpose"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=match):
        Recording(path)


def test_missing_recording_is_a_clear_error(tmp_path):
    with pytest.raises(RecordingError, match="no such recording"):
        Recording(tmp_path / "nope.arpose")


_FRAMES = make_frames(10, seed=7)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0.0, 1.0))
def test_truncated_recording_replays_up_to_the_break(tmp_path, cut, caplog):
    full = write(tmp_path / "full.arpose", _FRAMES).read_bytes()
    header_len = full.index(b"\n") + 1
    ends = []  # byte offset where each frame's record ends
    pos = header_len
    for pf, raw in _FRAMES:
        pos += len(encode_frame(pf, raw))
        ends.append(pos)
    assert ends[-1] == len(full)
    n = int(cut * len(full))
    path = tmp_path / "cut.arpose"
    path.write_bytes(full[:n])
    if n < header_len:
        with pytest.raises(RecordingError, match=r"truncated inside its header|empty"):
            Recording(path)
        return
    expected = sum(1 for e in ends if e <= n)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="arpose.record"):
        rec = Recording(path)
        got = rec.frames()
    assert len(got) == expected
    for r, (pf, _) in zip(got, _FRAMES):
        assert_same(r.poses, pf.poses)
    if n in ends or n == header_len:
        assert rec.problems == []
    else:
        assert len(rec.problems) == 1
        assert f"breaks at byte {ends[expected - 1] if expected else header_len}" in rec.problems[0]
        assert "breaks at byte" in caplog.text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.floats(0.0, 0.999), flip=st.integers(1, 255))
def test_corrupted_byte_skips_only_the_damaged_frame(tmp_path, where, flip):
    full = bytearray(write(tmp_path / "full.arpose", _FRAMES).read_bytes())
    header_len = full.index(b"\n") + 1
    i = header_len + int(where * (len(full) - header_len))
    full[i] ^= flip
    path = tmp_path / "bad.arpose"
    path.write_bytes(bytes(full))
    rec = Recording(path)
    got = rec.frames()
    originals = {pf.index: pf for pf, _ in _FRAMES}
    assert len(got) == len(_FRAMES) - 1  # exactly the damaged frame is lost
    for r in got:
        assert_same(r.poses, originals[r.index].poses)
    assert len(rec.problems) == 1
    assert "corrupted data at bytes" in rec.problems[0] or "breaks at byte" in rec.problems[0]


def test_killed_recorder_loses_at_most_the_partial_frame(tmp_path):
    """Records reach the OS as they are written: read the file while the recorder is open."""
    frames = make_frames(8)
    path = tmp_path / "live.arpose"
    rec = Recorder(path, fps=50.0)
    for k, (pf, raw) in enumerate(frames):
        rec.write(pf, raw)
        assert len(read_recording(path)) == k + 1  # no close, no flush call
    rec.close()


class FullDisk:
    """A real file whose writes fail with ENOSPC after ``limit`` bytes, like a full disk
    (the failing write stores what fits first)."""

    def __init__(self, f, limit: int):
        self.f, self.limit = f, limit

    def write(self, data) -> int:
        room = self.limit - self.f.tell()
        if len(data) > room:
            self.f.write(bytes(data[: max(room, 0)]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return self.f.write(data)

    def __getattr__(self, name):
        return getattr(self.f, name)


def test_disk_full_stops_cleanly_and_keeps_what_was_written(tmp_path, caplog):
    frames = make_frames(20)
    path = tmp_path / "full.arpose"
    real = open(path, "wb", buffering=0)
    rec = Recorder(path, fps=50.0, stream=FullDisk(real, limit=9000))
    results = []
    with caplog.at_level(logging.ERROR, logger="arpose.record"):
        for pf, raw in frames:
            results.append(rec.write(pf, raw))
    rec.close()
    assert rec.stopped and rec.error == "disk full"
    written = results.index(False)
    assert 0 < written < len(frames) and not any(results[written:])
    assert caplog.text.count("disk full") == 1  # one message, not one per frame
    r = Recording(path)
    got = r.frames()
    assert len(got) == written == rec.frames_written
    assert r.problems == []  # the partial record was cut off
    for g, (pf, _) in zip(got, frames):
        assert_same(g.poses, pf.poses)


def test_append_continues_after_a_partial_record(tmp_path):
    frames = make_frames(10)
    path = write(tmp_path / "take.arpose", frames[:5])
    path.write_bytes(path.read_bytes() + encode_frame(*frames[5])[:100])  # killed mid-write
    with Recorder(path, append=True) as rec:
        for pf, raw in frames[5:]:
            rec.write(pf, raw)
    r = Recording(path)
    assert [f.index for f in r.frames()] == list(range(10)) and r.problems == []


def test_video_next_to_recording_is_replayed_with_images(tmp_path):
    rng = np.random.default_rng(1)
    path = tmp_path / "take.arpose"
    images = [np.full((48, 64, 3), 40 * k, np.uint8) for k in range(5)]
    with Recorder(path, fps=25.0, video=True) as rec:
        for k, img in enumerate(images):
            rec.write(
                PoseFrame(t=k / 25, index=k, size=(64, 48), poses=(make_pose(rng, 0, 64, 48),), image=img)
            )
    assert (tmp_path / "take.avi").exists()
    got = list(Replay(path, fast=True))
    assert len(got) == 5
    for g, img in zip(got, images):
        assert g.image is not None and g.image.shape == (48, 64, 3)
        assert abs(float(g.image.mean()) - float(img.mean())) < 6  # MJPG is lossy
    assert all(g.image is None for g in Replay(path, fast=True, video=False))


def test_import_arpose_registers_replay():
    from arpose import sources

    assert getattr(sources, "_arpose_replay_registered", False)
    assert arpose.Replay is Replay


def test_recorder_takes_raw_poses_from_the_pose_frame(tmp_path):
    """The pipeline hands raw poses over in PoseFrame.raw; the replay gives them back there."""
    frames = [
        (PoseFrame(t=pf.t, index=pf.index, size=pf.size, poses=pf.poses, raw=raw), raw)
        for pf, raw in make_frames(6)
    ]
    path = tmp_path / "take.arpose"
    with Recorder(path) as rec:
        for pf, _ in frames:
            rec.write(pf)
    for got, (pf, raw) in zip(Replay(path, fast=True), frames):
        assert_same(got.poses, pf.poses)
        assert_same(got.raw, raw)


def test_cli_record_from_a_recording_through_the_pipeline(tmp_path, capsys):
    """`arpose record --source take.arpose --fast` re-records the same landmarks (replay
    source -> Pipeline -> Recorder), raw poses included."""
    from arpose.cli import main

    frames = make_frames(10, seed=4)
    src = write(tmp_path / "take.arpose", frames)
    out = tmp_path / "copy.arpose"
    assert main(["record", "--source", str(src), "--output", str(out), "--fast"]) == 0
    assert "recorded 10 frames" in capsys.readouterr().err
    got = read_recording(out)
    assert [g.index for g in got] == list(range(10))
    for g, (pf, raw) in zip(got, frames):
        assert g.t == pf.t
        assert_same(g.poses, pf.poses)
        assert_same(g.raw, raw)
    # --duration counts timeline seconds: 0.1 s at 50 FPS is 5 frames.
    assert main(["record", "--source", str(src), "--output", str(out), "--fast", "--duration", "0.1"]) == 0
    assert len(read_recording(out)) == 5


def test_cli_record_rejects_a_name_without_the_suffix(tmp_path, capsys):
    from arpose.cli import main

    src = write(tmp_path / "take.arpose", make_frames(2))
    assert main(["record", "--source", str(src), "--output", str(tmp_path / "x.json")]) == 1
    assert "must end in .arpose" in capsys.readouterr().err


def test_recording_without_frames_cannot_be_replayed(tmp_path):
    path = tmp_path / "empty.arpose"
    Recorder(path).close()
    assert Recording(path).frames() == []
    with pytest.raises(RecordingError, match="holds no frames"):
        open_source(str(path))
