"""The capture/inference worker with the real model on real video files."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from arpose.errors import PipelineError, SourceError
from arpose.sources import Camera, Frame, VideoFile
from arpose.tracking.pipeline import Handoff, track


@pytest.fixture(scope="module")
def clip(tmp_path_factory, astronaut):
    """A real 24-frame video of the astronaut drifting to the right."""
    path = tmp_path_factory.mktemp("video") / "astronaut.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 24.0, (512, 512))
    bgr = cv2.cvtColor(astronaut, cv2.COLOR_RGB2BGR)
    for i in range(24):
        m = np.float32([[1, 0, 2 * i], [0, 1, 0]])
        writer.write(cv2.warpAffine(bgr, m, (512, 512), borderMode=cv2.BORDER_REPLICATE))
    writer.release()
    return path


def test_every_frame_in_order_from_a_file(clip):
    with track(clip) as pipeline:
        frames = list(pipeline)
    assert [pf.index for pf in frames] == list(range(24))
    assert all(len(pf.poses) == 1 and pf.poses[0].id == 0 for pf in frames)
    ts = [pf.t for pf in frames]
    assert ts == sorted(ts) and ts[1] == pytest.approx(1 / 24)
    # the person drifts right by 2 px per frame; the smoothed nose follows
    noses = np.array([pf.poses[0].xy("nose")[0] for pf in frames])
    assert noses[-1] - noses[0] > 25
    assert all(pf.stats.inference_ms > 0 and pf.stats.latency_ms >= pf.stats.inference_ms for pf in frames)
    assert frames[0].image is not None and frames[0].raw


def test_latest_wins_under_a_slow_consumer(clip):
    source = VideoFile(clip, realtime=True)  # camera-like: 24 FPS, frames may drop
    with track(source) as pipeline:
        assert pipeline.drop_frames
        got = []
        while not pipeline.finished:
            pf = pipeline.latest(timeout=0.5)
            if pf is not None:
                got.append(pf.index)
                time.sleep(0.15)  # a consumer much slower than the source
        dropped = pipeline.dropped
    assert dropped > 0
    assert got == sorted(got) and len(got) < 24
    assert got[-1] >= 20  # the consumer kept up with the newest frames, not a backlog


class _FailingSource:
    """A real video source that breaks after a few frames (like a yanked USB camera)."""

    name = "flaky.avi"
    live = False

    def __init__(self, clip):
        self._inner = VideoFile(clip)
        self._n = 0

    def read(self) -> Frame | None:
        self._n += 1
        if self._n > 3:
            raise OSError("device unplugged")
        return self._inner.read()

    def close(self) -> None:
        self._inner.close()


def test_worker_errors_surface_in_the_consumer(clip):
    pipeline = track(_FailingSource(clip))
    with pytest.raises(PipelineError, match="device unplugged"):
        with pipeline:
            for _ in pipeline:
                pass


def test_stop_is_prompt_and_releases_everything(clip):
    pipeline = track(VideoFile(clip, realtime=True)).start()
    assert pipeline.latest(timeout=10) is not None
    start = time.monotonic()
    pipeline.stop()
    assert time.monotonic() - start < 3
    assert not any(th.is_alive() for th in pipeline._threads)
    assert not [t for t in threading.enumerate() if t.name.startswith("arpose-")]


def test_handoff_is_bounded():
    stop = threading.Event()
    fifo = Handoff(drop=False, capacity=2)
    assert fifo.put(1, stop) and fifo.put(2, stop)
    stop.set()
    assert not fifo.put(3, stop)  # full: waits, then gives up when stopped
    assert fifo.get() == 1 and fifo.get() == 2
    slot = Handoff(drop=True)
    for i in range(10):
        slot.put(i, stop)
    assert slot.get() == 9 and slot.dropped == 9


def test_camera_reconnects_after_a_dropout(clip):
    """The Camera code path, fed by a real video file instead of a webcam: when the
    'device' stops delivering, it is reopened with back-off and the run continues."""
    opened = []

    def opener(index):
        opened.append(index)
        return cv2.VideoCapture(str(clip))

    cam = Camera(0, opener=opener, give_up_s=5)
    frames = [cam.read() for _ in range(30)]  # 24 frames, a dropout, then more frames
    cam.close()
    assert len(opened) == 2
    assert [f.index for f in frames] == list(range(30))
    assert all(f.image.shape == (512, 512, 3) for f in frames)


def test_camera_that_never_returns_gives_a_clear_error(clip):
    calls = []

    def opener(index):
        calls.append(index)
        return cv2.VideoCapture(str(clip) if len(calls) == 1 else "/nonexistent.avi")

    cam = Camera(3, opener=opener, give_up_s=0.6)
    for _ in range(24):
        cam.read()
    with pytest.raises(SourceError, match="camera 3: stopped delivering frames"):
        cam.read()


def test_missing_camera():
    with pytest.raises(SourceError, match="camera 7: cannot open"):
        Camera(7, opener=lambda i: cv2.VideoCapture("/nonexistent.avi"))


def test_files_give_the_same_result_every_run(clip):
    def run():
        with track(clip, workers=2) as pipeline:
            return np.stack([pf.poses[0].landmarks for pf in pipeline])

    np.testing.assert_array_equal(run(), run())


@pytest.mark.slow
def test_dance_video_ids_and_smoothing(dance_video):
    """On the real street clip: the dancer keeps one id from start to end, and the
    One-Euro output cuts jitter by at least 60% for at most one frame of lag."""
    from arpose.bench import filters as bench

    frames = bench.collect_frames(dance_video)
    assert len(frames) == 205
    pid = bench._main_track(frames)
    present = [pf.person(pid) is not None for pf in frames]
    assert sum(present) > 0.7 * len(frames)
    # the dancer is the largest person whenever present: the id does not hop to a passer-by
    for pf in frames:
        dancer = pf.person(pid)
        if dancer is not None and len(pf.poses) > 1:
            assert dancer.body_size == max(p.body_size for p in pf.poses)
    raw, smooth, vis = bench._trajectories(frames, pid)
    result = bench.jitter_and_lag(raw, smooth, vis)
    assert result["jitter_reduction"] >= 0.6
    assert abs(result["lag_frames"]) <= 1.0


def test_a_looping_video_starts_again_with_growing_timestamps(clip):
    from arpose.sources import open_source

    plain = open_source(str(clip))
    n = sum(1 for _ in iter(plain.read, None))
    plain.close()
    looped = open_source(f"{clip}?loop")
    frames = [looped.read() for _ in range(2 * n + 3)]
    looped.close()
    assert all(f is not None for f in frames)
    ts = [f.t for f in frames]
    assert all(b > a for a, b in zip(ts, ts[1:]))  # one monotonic stream
    assert np.array_equal(frames[n].image, frames[0].image)  # frame n is the first again


def test_loop_on_an_image_is_refused(tmp_path):
    from arpose.sources import open_source

    path = tmp_path / "x.png"
    cv2.imwrite(str(path), np.zeros((64, 64, 3), np.uint8))
    with pytest.raises(SourceError, match=r"x\.png: \?loop works on videos"):
        open_source(f"{path}?loop")
