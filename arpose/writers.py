"""Frame writers: a video file encoded on its own thread, and single images.

The one encoder of ``arpose render``, ``arpose play --video`` and ``arpose mirror --video``
(io layer: the play shell and the offline renderer both write through it).
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .errors import RenderError

IMAGE_OUTPUTS = (".png", ".jpg", ".jpeg")
VIDEO_OUTPUTS = {".mp4": "mp4v", ".avi": "MJPG"}
QUEUE_FRAMES = 6
"""Frames the writer's queue holds (and each hand-off of offline rendering)."""


def _video_writer(path: Path, fps: float, size: tuple[int, int]) -> Any:
    fourcc = cv2.VideoWriter.fourcc(*VIDEO_OUTPUTS[path.suffix.lower()])
    writer = cv2.VideoWriter(str(path), fourcc, float(fps), size)
    if not writer.isOpened():
        raise RenderError(
            f"{path}: cannot open a video writer ({path.suffix} with "
            f"{VIDEO_OUTPUTS[path.suffix.lower()]}); is the folder writable?"
        )
    return writer


class VideoWriter:
    """cv2.VideoWriter fed BGR frames from a small queue by its own thread: encoding
    (which releases the GIL) overlaps the next frame's rendering."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int]):
        self._writer = _video_writer(path, fps, size)
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=QUEUE_FRAMES)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="arpose-video-writer", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            bgr = self._queue.get()
            if bgr is None:
                return
            try:
                self._writer.write(bgr)
            except BaseException as exc:  # reported by write()/close() in the main thread
                self._error = exc
                return

    def write(self, bgr: np.ndarray) -> None:
        if self._error is not None:
            raise RenderError(f"video encoding failed: {self._error}")
        self._queue.put(bgr)

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._writer.release()
        if self._error is not None:
            raise RenderError(f"video encoding failed: {self._error}")


def open_video(path: str | os.PathLike, fps: float, size: tuple[int, int]) -> VideoWriter:
    """A video file writer (``.mp4``/``.avi``) fed BGR frames of ``size`` on its own
    thread (``write(bgr)``, ``close()``): the one encoder of ``arpose render``,
    ``arpose play --video`` and ``arpose mirror --video``.

    Raises:
        RenderError: an unknown extension, a missing folder or no encoder.
    """
    out = Path(path)
    if out.suffix.lower() not in VIDEO_OUTPUTS:
        raise RenderError(f"{out}: a video must end in {' or '.join(VIDEO_OUTPUTS)}")
    if not out.parent.exists():
        raise RenderError(f"{out}: folder {str(out.parent)!r} does not exist")
    return VideoWriter(out, fps, size)


def write_image(path: Path, bgr: np.ndarray) -> None:
    ok, buf = cv2.imencode(path.suffix.lower(), bgr)
    if not ok:
        raise RenderError(f"{path}: cannot encode the image")
    try:
        path.write_bytes(buf.tobytes())
    except OSError as exc:
        raise RenderError(f"{path}: cannot write ({exc.strerror or exc})") from None


__all__ = ["VideoWriter", "open_video", "write_image", "IMAGE_OUTPUTS", "VIDEO_OUTPUTS", "QUEUE_FRAMES"]
