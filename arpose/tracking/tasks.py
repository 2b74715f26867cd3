"""The one owner of MediaPipe Tasks objects: creating the pose and hand landmarkers,
silencing MediaPipe's native start-up chatter on stderr, and closing them (also at exit).

Both :class:`~arpose.tracking.detector.PoseDetector` and
:class:`~arpose.tracking.hands.detector.HandDetector` make their landmarkers here, so the
error messages, the stderr handling and the exit-time closing are the same for both.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError

log = logging.getLogger(__name__)

_SILENCE_LOCK = threading.Lock()
_silence_depth = 0
_saved_stderr_fd: int | None = None


@contextlib.contextmanager
def native_stderr_silenced(active: bool) -> Iterator[None]:
    """Point file descriptor 2 at /dev/null while MediaPipe loads and runs its first
    frame: its C++ logging ignores GLOG/TF environment variables, so this is the only
    switch there is.

    Several inference threads do this at the same time, so it is reference-counted under
    one lock: the first to enter saves the real fd 2, the last to leave puts it back.
    (Two threads each saving and restoring on their own interleaved and could leave fd 2
    on /dev/null for good, and with it every later error message and summary.)
    """
    global _silence_depth, _saved_stderr_fd
    if not active:
        yield
        return
    with _SILENCE_LOCK:
        if _silence_depth == 0:
            sys.stderr.flush()
            saved = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 2)
            finally:
                os.close(devnull)
            _saved_stderr_fd = saved
        _silence_depth += 1
    try:
        yield
    finally:
        with _SILENCE_LOCK:
            _silence_depth -= 1
            if _silence_depth == 0 and _saved_stderr_fd is not None:
                os.dup2(_saved_stderr_fd, 2)
                os.close(_saved_stderr_fd)
                _saved_stderr_fd = None


def mp_image(rgb: np.ndarray) -> Any:
    """An RGB uint8 array as the ``mediapipe.Image`` the landmarkers take."""
    import mediapipe as mp  # lazy: mediapipe is heavy; importing arpose must not load it

    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))


def _create(factory: Any, options: Any, model_path: Path, what: str, quiet: bool) -> Any:
    try:
        with native_stderr_silenced(quiet):
            landmarker = factory(options)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(
            f"{model_path}: MediaPipe cannot load this {what} ({str(exc).splitlines()[0]})"
        ) from None
    close_at_exit(landmarker)
    return landmarker


def create_pose_landmarker(
    model_path: Path,
    *,
    video: bool,
    num_poses: int,
    min_detection_confidence: float,
    min_presence_confidence: float,
    min_tracking_confidence: float,
    segmentation: bool,
    quiet: bool,
) -> Any:
    """A PoseLandmarker (VIDEO or IMAGE mode) from a ``.task`` bundle.

    Raises:
        ModelError: MediaPipe refused the file (named in the message).
    """
    from mediapipe.tasks.python import BaseOptions, vision  # lazy: heavy, see mp_image

    mode = vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE
    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=mode,
        num_poses=num_poses,
        min_pose_detection_confidence=min_detection_confidence,
        min_pose_presence_confidence=min_presence_confidence,
        min_tracking_confidence=min_tracking_confidence,
        output_segmentation_masks=segmentation,
    )
    return _create(vision.PoseLandmarker.create_from_options, options, model_path, "model", quiet)


def create_hand_landmarker(
    model_path: Path, *, min_detection_confidence: float, min_presence_confidence: float, quiet: bool
) -> Any:
    """A HandLandmarker (IMAGE mode, two hands) from a ``.task`` bundle.

    Raises:
        ModelError: MediaPipe refused the file (named in the message).
    """
    from mediapipe.tasks.python import BaseOptions, vision  # lazy: heavy, see mp_image

    options = vision.HandLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.IMAGE,
        num_hands=2,
        min_hand_detection_confidence=min_detection_confidence,
        min_hand_presence_confidence=min_presence_confidence,
    )
    return _create(vision.HandLandmarker.create_from_options, options, model_path, "hand model", quiet)


def close_landmarker(landmarker: object, quiet: bool = True) -> None:
    """Close a Tasks landmarker (pose or hand), quietly: mediapipe 1.x logs its graph
    teardown on stderr. Closing twice is harmless."""
    close = getattr(landmarker, "close", None)
    if close is None:
        return
    with native_stderr_silenced(quiet):
        try:
            close()
        except (RuntimeError, ValueError) as exc:  # a dying graph
            log.debug("closing the landmarker: %s", exc)


_still_open: weakref.WeakSet[object] = weakref.WeakSet()
_exit_hook = threading.Lock()
_exit_hook_registered = False


def _close_still_open() -> None:
    for landmarker in list(_still_open):
        close_landmarker(landmarker)


def close_at_exit(landmarker: object) -> None:
    """Close ``landmarker`` at interpreter exit if its owner did not.

    mediapipe 1.x closes a landmarker through a thread pool; one left to ``__del__`` at
    exit finds that pool shut down and prints ``TypeError`` (and ``atexit`` is already too
    late). So this hooks in where ``concurrent.futures`` itself does, just before it:
    threading's exit hooks, which run in reverse order of registration.
    """
    global _exit_hook_registered
    _still_open.add(landmarker)
    with _exit_hook:
        if _exit_hook_registered:
            return
        register = getattr(threading, "_register_atexit", None)
        try:
            if register is None:
                raise RuntimeError("no threading exit hooks")
            register(_close_still_open)
        except RuntimeError:  # already shutting down, or another Python: the later hook
            atexit.register(_close_still_open)
        _exit_hook_registered = True
