"""Pose detectors kept for the life of a worker process and reset between videos.

A batch worker (:mod:`arpose.batch`) tracks one video after another. Creating MediaPipe
landmarkers for each video costs about 0.2-0.3 s each (more on a cold disk); here they are
created once per process and per option set, then lent to each video's pipeline.

A VIDEO-mode landmarker tracks from frame to frame (the region of the last pose, its
smoothing), so a detector that just finished video A might start video B from A's last
pose, and a file's result would depend on which file its worker ran before.
:func:`reset` feeds each detector two blank frames first: with nobody found, the next
frame is detected from scratch. Measured on the shared clips: a video tracked by
detectors that had just tracked another video, or the same one, gives landmarks
bit-identical to fresh detectors (tests/integration/test_batch.py; with MediaPipe 1.2.3
they were identical even without the reset, which is kept as the guard the property needs).

Hands keep their own tracking state; with ``hands=True`` detectors are made fresh per
video.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from ..pose import PoseFrame
from ..sources import open_source
from .detector import Detection, DetectorOptions, PoseDetector
from .identity import PersonTracker
from .pipeline import Pipeline, track

VIDEO_THREADS = 2
"""Inference threads per video in a batch. Fixed (not from the core count) because each
thread's detector sees every n-th frame, so the count changes the landmarks: a batch on
a 2-core laptop and on a 64-core node must give the same output."""

_lock = threading.Lock()
_pool: dict[tuple[str | None, int], list[PoseDetector]] = {}


class _Lease:
    """A borrowed detector: the pipeline's ``close()`` leaves it open for the next video."""

    def __init__(self, detector: PoseDetector) -> None:
        self.detector = detector
        self.options = detector.options

    def detect(self, image: np.ndarray, t: float = 0.0) -> Detection:
        return self.detector.detect(image, t)

    def close(self) -> None:
        pass


def reset(detector: PoseDetector) -> None:
    """Forget the last video: two frames with nobody in them, just after its last one."""
    detector.forget(2)


def detectors(max_people: int, model: str | os.PathLike | None = None) -> list[PoseDetector]:
    """This process's :data:`VIDEO_THREADS` detectors for these options, reset; made on
    first use."""
    key = (None if model is None else str(model), int(max_people))
    with _lock:
        found = _pool.get(key)
        if found is None:
            opts = DetectorOptions(model=None if model is None else Path(model), num_poses=int(max_people))
            found = _pool[key] = [PoseDetector(opts) for _ in range(VIDEO_THREADS)]
        else:
            for d in found:
                reset(d)
        return found


def loaded() -> int:
    """Detectors this process holds (for tests: one set per worker, not per video)."""
    return sum(len(v) for v in _pool.values())


def track_video(
    path: str | os.PathLike,
    *,
    max_people: int = 2,
    smooth: bool = True,
    model: str | os.PathLike | None = None,
    hands: bool = False,
) -> Pipeline:
    """Like :func:`~arpose.tracking.pipeline.track` for a video or a recording, with this
    process's reused detectors and :data:`VIDEO_THREADS` inference threads: the same
    landmarks in any worker of any batch."""
    spec = str(path)
    if hands:
        return track(
            spec,
            max_people=max_people,
            smooth=smooth,
            model=None if model is None else str(model),
            keep_images=False,
            hands=True,
            workers=VIDEO_THREADS,
        )
    source = open_source(spec)
    if getattr(source, "yields_poses", False):
        return Pipeline(source, None, PersonTracker(smooth=smooth), keep_images=False)
    try:
        leased = [_Lease(d) for d in detectors(max_people, model)]
    except BaseException:
        source.close()
        raise
    return Pipeline(source, leased, PersonTracker(smooth=smooth), keep_images=False)  # type: ignore[arg-type]


def frames_of(path: str | os.PathLike, **options: object) -> list[PoseFrame]:
    """Every PoseFrame of a video, tracked with :func:`track_video`."""
    with track_video(path, **options) as pipeline:  # type: ignore[arg-type]
        return list(pipeline)


__all__ = ["VIDEO_THREADS", "track_video", "frames_of", "detectors", "reset", "loaded"]
