"""The capture/inference worker: camera or file in, PoseFrames out, never falling behind.

Two worker threads and one consumer (the main thread):

    capture thread     source.read()  -> Frame        (decoding, colour conversion)
         | hand-off: latest wins for live sources, bounded FIFO for files
    inference threads  detector.detect (one model per thread; files: frames dealt round
         |             robin, so results are the same on every run; cameras: whichever
         |             thread is free takes the newest frame), then in frame order:
         |             TrackingStage.publish (ids, filters, hands) -> PoseFrame
         | hand-off: latest wins for live sources, bounded FIFO for files
    consumer           pipeline.latest() in a render loop, or ``for pf in pipeline``

MediaPipe runs one inference on one core, and inference dominates the frame time, so
two inference threads (the default for files on a machine with two or more cores) are
what makes the pipeline faster than a single loop. Live sources take
:data:`LIVE_WORKERS` threads, set from `arpose bench --section live` (one vs two).
Results are put back in frame order before tracking; in live mode a result older than
one already published is dropped instead.

Live sources (cameras) drop stale frames at each hand-off, so the consumer always sees
the newest result and latency cannot grow; files lose nothing (back-pressure instead).
Memory is bounded either way. An exception in a worker stops the pipeline and is raised
in the consumer's thread, with its message. Stop is prompt: every blocking wait polls
the stop flag.
"""

from __future__ import annotations

import collections
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

from ..errors import ArposeError, PipelineError
from ..pose import PoseFrame
from ..sources import Frame, ImageFile, PoseSource, Source, open_source
from .detector import Detection, DetectorOptions, PoseDetector
from .identity import PersonTracker
from .stage import TrackingStage

log = logging.getLogger(__name__)

_POLL_S = 0.05


class _Closed(Exception):
    """The producer side of a hand-off has finished."""


class Handoff:
    """A thread-safe hand-off between two threads.

    ``drop=True``: latest wins; a put replaces an unconsumed item (counted in ``dropped``).
    ``drop=False``: FIFO of at most ``capacity`` items; a put waits for room.
    """

    def __init__(self, drop: bool, capacity: int = 2):
        self.drop = drop
        self.capacity = 1 if drop else max(1, capacity)
        self._items: collections.deque = collections.deque()
        self._cond = threading.Condition()
        self._closed = False
        self.dropped = 0

    def put(self, item: Any, stop: threading.Event) -> bool:
        """Hand over ``item``; returns False when ``stop`` was set before it fitted."""
        with self._cond:
            if self.drop:
                if self._items:
                    self._items.clear()
                    self.dropped += 1
            else:
                while len(self._items) >= self.capacity:
                    if stop.is_set():
                        return False
                    self._cond.wait(_POLL_S)
            self._items.append(item)
            self._cond.notify_all()
            return True

    def get(self, timeout: float | None = None, newest: bool = False) -> Any:
        """Next item (or the newest, discarding older ones). Raises TimeoutError / _Closed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._items:
                if self._closed:
                    raise _Closed
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError
                self._cond.wait(_POLL_S if remaining is None else min(remaining, _POLL_S))
            if newest:
                item = self._items[-1]
                self._items.clear()
            else:
                item = self._items.popleft()
            self._cond.notify_all()
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class Pipeline:
    """Runs a source through the detector(s) and the tracking stage in background threads.

    Args:
        source: anything from :func:`arpose.sources.open_source`. A
            :class:`~arpose.sources.PoseSource` (``yields_poses`` True, e.g. a recording)
            returns PoseFrames itself and skips detection.
        detector: a :class:`PoseDetector`, or a list of them (one inference thread each);
            required unless the source yields poses.
        tracker: a :class:`PersonTracker`; None assigns no ids and does no smoothing.
        drop_frames: latest-wins hand-offs; defaults to ``source.live``.
        keep_images: attach the RGB frame to each PoseFrame (renderers need it).
        capacity: FIFO length when not dropping.

    Use as a context manager; ``for pose_frame in pipeline`` yields every result in order,
    ``pipeline.latest()`` the newest unseen one (or None) without waiting.
    """

    def __init__(
        self,
        source: Source | PoseSource,
        detector: PoseDetector | list[PoseDetector] | None = None,
        tracker: PersonTracker | None = None,
        *,
        drop_frames: bool | None = None,
        keep_images: bool = True,
        capacity: int = 2,
    ):
        self.source = source
        self.yields_poses = bool(getattr(source, "yields_poses", False))
        self.detectors: list[PoseDetector] = (
            list(detector)
            if isinstance(detector, (list, tuple))
            else [detector]
            if detector is not None
            else []
        )
        if not self.detectors and not self.yields_poses:
            raise ValueError("a detector is needed for a source of images")
        self.tracker = tracker
        self.stage = TrackingStage(tracker, keep_images=keep_images)
        self.drop_frames = bool(getattr(source, "live", False)) if drop_frames is None else drop_frames
        # Live: one latest-wins slot shared by the inference threads. Files: one bounded
        # FIFO per inference thread, dealt round robin (deterministic, and it bounds the
        # reorder buffer).
        n_inputs = 1 if self.drop_frames else max(1, len(self.detectors))
        self._inputs = [Handoff(self.drop_frames, capacity) for _ in range(n_inputs)]
        self._results = Handoff(self.drop_frames, capacity)
        self._order_lock = threading.Lock()
        self._pending: dict[int, tuple[Frame, Detection]] = {}
        self._next_seq = 0
        self._last_published = -1
        self._stale = 0
        self._workers_left = len(self.detectors)
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._threads: list[threading.Thread] = []
        self._finished = False
        self.frames_in = 0
        self.frames_out = 0

    @property
    def keep_images(self) -> bool:
        """Whether PoseFrames carry the RGB frame (the stage's setting)."""
        return self.stage.keep_images

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> Pipeline:
        if self._threads:
            return self
        self._threads = [
            threading.Thread(
                target=self._guard, args=(self._capture_loop,), name="arpose-capture", daemon=True
            )
        ]
        if not self.yields_poses:
            for i, detector in enumerate(self.detectors):
                inbox = self._inputs[i % len(self._inputs)]
                self._threads.append(
                    threading.Thread(
                        target=self._guard,
                        args=(lambda d=detector, box=inbox: self._infer_loop(d, box),),
                        name=f"arpose-inference-{i}",
                        daemon=True,
                    )
                )
        for th in self._threads:
            th.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the workers and release the source and detectors (idempotent)."""
        self._stop.set()
        self._close_all()
        deadline = time.monotonic() + timeout
        for th in self._threads:
            th.join(max(0.0, deadline - time.monotonic()))
            if th.is_alive():
                log.warning("%s did not stop within %.1f s", th.name, timeout)
        if not any(th.is_alive() for th in self._threads):
            self._release()

    def _release(self) -> None:
        for obj in (self.source, *self.detectors):
            close = getattr(obj, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # pragma: no cover - best effort on shutdown
                    log.debug("close failed", exc_info=True)

    def __enter__(self) -> Pipeline:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def dropped(self) -> int:
        """Frames dropped by latest-wins hand-offs so far."""
        return sum(h.dropped for h in self._inputs) + self._results.dropped + self._stale

    @property
    def finished(self) -> bool:
        """True once the source has ended and every result has been consumed."""
        return self._finished

    # -- consumer side -------------------------------------------------------------
    def _raise_error(self) -> None:
        exc = self._error
        if exc is None:
            return
        if isinstance(exc, ArposeError):
            raise exc
        raise PipelineError(
            f"{getattr(self.source, 'name', 'source')}: the capture/inference "
            f"worker failed: {type(exc).__name__}: {exc}"
        ) from exc

    def read(self, timeout: float | None = None) -> PoseFrame | None:
        """The next PoseFrame in order; None at the end of the source.

        Raises:
            TimeoutError: nothing arrived within ``timeout`` seconds.
            ArposeError: the worker failed (its own error, or PipelineError).
        """
        return self._take(timeout, newest=False)

    def latest(self, timeout: float | None = 0.0) -> PoseFrame | None:
        """The newest PoseFrame not yet returned, or None if there is none (yet/any more).

        For render loops: call once per drawn frame and keep using the previous result
        when this returns None.
        """
        try:
            return self._take(timeout, newest=True)
        except TimeoutError:
            return None

    def _take(self, timeout: float | None, newest: bool) -> PoseFrame | None:
        if not self._threads:
            self.start()
        try:
            item = self._results.get(timeout, newest=newest)
        except _Closed:
            self._finished = True
            self._raise_error()
            return None
        self.frames_out += 1
        return item

    def __iter__(self) -> Iterator[PoseFrame]:
        while (pf := self.read()) is not None:
            yield pf

    # -- workers ---------------------------------------------------------------------
    def _guard(self, loop: Callable[[], None]) -> None:
        try:
            loop()
        except BaseException as exc:  # surfaced in the consumer's thread
            log.debug("worker failed", exc_info=True)
            if self._error is None:
                self._error = exc
            self._stop.set()
            self._close_all()

    def _close_all(self) -> None:
        for handoff in (*self._inputs, self._results):
            handoff.close()

    def _capture_loop(self) -> None:
        outs = [self._results] if self.yields_poses else self._inputs
        seq = 0
        while not self._stop.is_set():
            try:
                item = self.source.read()
            except Exception as exc:
                # a bad file in a folder: every frame read before it still comes out, then
                # the consumer gets this error (raised once the results are drained)
                log.debug("source failed", exc_info=True)
                if self._error is None:
                    self._error = exc
                break
            if item is None:
                break
            self.frames_in += 1
            out = outs[seq % len(outs)]
            if not out.put(item if self.yields_poses else (seq, item), self._stop):
                break
            seq += 1
        for out in outs:
            out.close()

    def _infer_loop(self, detector: PoseDetector, inbox: Handoff) -> None:
        try:
            while not self._stop.is_set():
                try:
                    seq, frame = inbox.get(_POLL_S * 4)
                except TimeoutError:
                    continue
                except _Closed:
                    break
                detection = detector.detect(frame.image, frame.t)
                if not self._publish_in_order(seq, frame, detection):
                    break
        finally:
            with self._order_lock:
                self._workers_left -= 1
                if self._workers_left == 0:
                    self._results.close()

    def _publish_in_order(self, seq: int, frame: Frame, detection: Detection) -> bool:
        """Track and publish results in frame order (the filters need time to move
        forward). Live: a result older than one already published is dropped."""
        with self._order_lock:
            if self.drop_frames:
                if seq < self._last_published:
                    self._stale += 1
                    return True
                self._last_published = seq
                return self._publish(frame, detection)
            self._pending[seq] = (frame, detection)
            while self._next_seq in self._pending:
                frame, detection = self._pending.pop(self._next_seq)
                self._next_seq += 1
                if not self._publish(frame, detection):
                    return False
            return True

    def _publish(self, frame: Frame, detection: Detection) -> bool:
        pose_frame = self.stage.publish(frame, detection, self.dropped)
        return self._results.put(pose_frame, self._stop)


# Inference threads for live sources (cameras, realtime replays). `arpose bench --section
# live --rounds N` measures one against two in alternating rounds and reports
# ``live_threads_best``. Three runs of 4, 6 and 6 rounds on dance.avi at 25 FPS (a shared
# 2-core machine, one inference alone 51-73 ms p50) favoured one thread in 14 of 16
# rounds: e.g. total p50 130 vs 152 ms and p95 212 vs 358 ms. Two threads make each
# inference slower and results arrive out of order. An earlier session's quieter run
# had favoured two (README, Performance).
LIVE_WORKERS = 1


def default_workers(live: bool = False) -> int:
    """Inference threads: for files two where there are two cores or more (throughput,
    see module docstring); for live sources :data:`LIVE_WORKERS` (latency)."""
    cores = 2 if (os.cpu_count() or 1) >= 2 else 1
    return min(LIVE_WORKERS, cores) if live else cores


PHOTO_MAX_PEOPLE = 8
"""Most people :func:`track` finds on a single image by default (a group photo)."""
PLAYERS_MAX_PEOPLE = 2
"""Most people tracked by default in a video, a folder sequence, a camera or a recording
(two players)."""


def default_max_people(source: object) -> int:
    """The one default of every command (detect, render, mirror, export, games) for a
    kind of source: :data:`PHOTO_MAX_PEOPLE` on a single photo, else
    :data:`PLAYERS_MAX_PEOPLE`."""
    return PHOTO_MAX_PEOPLE if is_photos(source) else PLAYERS_MAX_PEOPLE


def is_photos(source: object) -> bool:
    """A single photo, or a folder read as separate photos
    (:class:`~arpose.sources.ImageFolder` ``photos``): IMAGE mode, tiles, no ids carried."""
    return isinstance(source, ImageFile) or bool(getattr(source, "photos", False))


def track(
    spec: str | int | Path | Source | PoseSource,
    *,
    max_people: int | None = None,
    smooth: bool = True,
    model: str | Path | None = None,
    segmentation: bool = False,
    realtime: bool = False,
    max_fps: float | None = None,
    drop_frames: bool | None = None,
    keep_images: bool = True,
    tracker: PersonTracker | None = None,
    workers: int | None = None,
    capacity: int = 2,
    hands: bool = False,
    hand_model: str | Path | None = None,
    tiles: bool | None = None,
    folder: str = "auto",
) -> Pipeline:
    """Open ``spec`` (camera index, video, image, folder, recording, or a source object)
    and return a ready-to-start :class:`Pipeline` with detector(s) and a person tracker.

    Args:
        workers: inference threads (each with its own model); default
            :func:`default_workers` (files and live sources each by measurement).
            A single image always uses one.
        capacity: frames each file hand-off holds (see :class:`Pipeline`); more
            absorbs a consumer whose time per frame varies, at the cost of memory.
        hands: also track 21 landmarks per hand (``PoseFrame.hands``, finger joints);
            off by default because it costs inference time.
        hand_model: a HandLandmarker ``.task`` bundle (default: the one shipped).
        max_people: most people tracked; default 2 (two players), and
            :data:`PHOTO_MAX_PEOPLE` for a single image (a group photo).
        tiles: also look for people on tiles of a single image
            (:mod:`arpose.tracking.tiles`); default on for a single image. Other
            sources ignore it (in video the detector follows people instead).
        tracker: the :class:`PersonTracker` to use; default one with ``smooth``.
        folder: a folder of images is a ``sequence`` (a video), ``photos`` (each on its
            own: like a single photo) or ``auto`` (:func:`arpose.sources.frame_numbered`).

    Example:
        >>> with track("dance.avi") as pipeline:
        ...     for pose_frame in pipeline:
        ...         print(pose_frame.t, len(pose_frame.poses))
    """
    if max_people is not None and max_people < 1:
        raise ArposeError(f"max_people={max_people}: must be at least 1")
    source = (
        cast("Source | PoseSource", spec)
        if hasattr(spec, "read")
        else open_source(spec, realtime=realtime, max_fps=max_fps, folder=folder)
    )
    photo = is_photos(source)
    if max_people is None:
        max_people = default_max_people(source)
    tiled = photo and (tiles is None or tiles)
    detectors: list[PoseDetector] = []
    try:
        if not getattr(source, "yields_poses", False):
            n = workers or default_workers(live=bool(getattr(source, "live", False)))
            if isinstance(source, ImageFile):
                n = 1
            options = DetectorOptions(
                model=model,
                num_poses=max_people,
                segmentation=segmentation,
                hands=hands,
                hand_model=hand_model,
                hand_fallback="always" if photo else "auto",
                mode="image" if photo else "video",
                tiles=tiled,
            )
            detectors = [PoseDetector(options) for _ in range(max(1, n))]
        if tracker is None:
            # photos: ids only (nothing to smooth between unrelated photos)
            tracker = PersonTracker(smooth=smooth and not photo, max_people=max_people)
        pipeline = Pipeline(
            source, detectors, tracker, drop_frames=drop_frames, keep_images=keep_images, capacity=capacity
        )
        pipeline.stage.separate = photo
        return pipeline
    except BaseException:
        for detector in detectors:
            detector.close()
        close = getattr(source, "close", None)
        if close is not None:
            close()
        raise
