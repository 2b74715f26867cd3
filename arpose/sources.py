"""Frame sources behind one small interface: camera, video file, image, image folder.

A source yields :class:`Frame` records (RGB uint8, converted once here, never
again downstream) with two clocks: ``t``, the timeline (video position, or seconds
since a live source started) that filters and games use, and ``captured_at``,
``time.monotonic()`` when the frame was read, for latency statistics.

Other modules add kinds of source with :func:`register_source` (the recorder adds
replays of ``.arpose`` recordings that yield poses instead of images).
"""

from __future__ import annotations

import logging
import os
import re
import select
import stat
import struct
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from .errors import SourceError, printable
from .pose import PoseFrame

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"}
MAX_PIXELS = 100_000_000
"""Images larger than this (e.g. 10000x10000) are refused instead of exhausting memory.
The size is read from the file's header *before* decoding (:func:`image_size`), so a
small file that claims a huge picture (a decompression bomb) costs nothing."""
MIN_IMAGE_SIDE = 32
"""Smaller images cannot contain a detectable person; they are refused with a clear error."""


@dataclass(frozen=True, eq=False)
class Frame:
    """One captured image."""

    image: np.ndarray
    """RGB uint8, (H, W, 3)."""
    t: float
    """Timeline seconds (monotonic within a source)."""
    index: int
    captured_at: float
    """``time.monotonic()`` when the frame was read."""

    @property
    def size(self) -> tuple[int, int]:
        h, w = self.image.shape[:2]
        return w, h


@runtime_checkable
class Source(Protocol):
    """Anything that yields frames. ``read()`` returns None at the end."""

    name: str
    live: bool
    """True for cameras: frames arrive in real time and old ones may be dropped."""
    fps: float

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


@runtime_checkable
class PoseSource(Protocol):
    """A source of ready PoseFrames (a recording replayed): the pipeline skips detection.
    ``read()`` returns None at the end."""

    name: str
    live: bool
    fps: float
    yields_poses: bool
    """True: what ``read()`` returns are PoseFrames."""

    def read(self) -> PoseFrame | None: ...

    def close(self) -> None: ...


class _SourceBase:
    name = "source"
    live = False
    fps = 30.0

    def read(self) -> Frame | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame


def _to_rgb(image: np.ndarray, where: str) -> np.ndarray:
    if image is None or image.size == 0:
        raise SourceError(f"{where}: empty image")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def image_size(data: bytes | np.ndarray) -> tuple[int, int] | None:
    """``(width, height)`` from the header of a PNG, JPEG, GIF, BMP, WebP or TIFF file,
    without decoding it; None when the format is not one of these or the header is cut.
    """
    b = bytes(data[:64]) if not isinstance(data, bytes) else data[:64]
    try:
        if b.startswith(b"\x89PNG\r\n\x1a\n"):
            w, h = struct.unpack(">II", b[16:24])
            return w, h
        if b[:6] in (b"GIF87a", b"GIF89a"):
            w, h = struct.unpack("<HH", b[6:10])
            return w, h
        if b.startswith(b"BM"):
            w, h = struct.unpack("<ii", b[18:26])
            return abs(w), abs(h)
        if b.startswith(b"RIFF") and b[8:12] == b"WEBP":
            kind = b[12:16]
            if kind == b"VP8X":
                w = 1 + int.from_bytes(b[24:27], "little")
                h = 1 + int.from_bytes(b[27:30], "little")
                return w, h
            if kind == b"VP8L":
                bits = int.from_bytes(b[21:25], "little")
                return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
            if kind == b"VP8 ":
                w, h = struct.unpack("<HH", b[26:30])
                return w & 0x3FFF, h & 0x3FFF
            return None
        if b[:4] in (b"II*\0", b"MM\0*"):
            return _tiff_size(bytes(data[: 1 << 20]) if not isinstance(data, bytes) else data[: 1 << 20])
        if b.startswith(b"\xff\xd8"):
            return _jpeg_size(data)
    except (struct.error, IndexError, ValueError):
        return None
    return None


def _jpeg_size(data: bytes | np.ndarray) -> tuple[int, int] | None:
    """Walk the JPEG markers to the first start-of-frame (SOF0..SOF15 but DHT/JPG/DAC)."""
    buf = memoryview(data if isinstance(data, bytes) else data.tobytes())
    i, n = 2, len(buf)
    while i + 9 < n:
        if buf[i] != 0xFF:
            return None
        marker = buf[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length
            i += 2
            continue
        length = (buf[i + 2] << 8) | buf[i + 3]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h = (buf[i + 5] << 8) | buf[i + 6]
            w = (buf[i + 7] << 8) | buf[i + 8]
            return w, h
        i += 2 + length
    return None


def _tiff_size(b: bytes) -> tuple[int, int] | None:
    end = "<" if b[:2] == b"II" else ">"
    (ifd,) = struct.unpack(end + "I", b[4:8])
    (count,) = struct.unpack(end + "H", b[ifd : ifd + 2])
    dims: dict[int, int] = {}
    for k in range(count):
        tag, kind, _, value = struct.unpack(end + "HHI4s", b[ifd + 2 + 12 * k : ifd + 14 + 12 * k])
        if tag in (256, 257):
            dims[tag] = struct.unpack(end + ("H" if kind == 3 else "I"), value[:2] if kind == 3 else value)[0]
    if 256 in dims and 257 in dims:
        return dims[256], dims[257]
    return None


def check_image_size(
    size: tuple[int, int] | None, where: str | os.PathLike, max_pixels: int = MAX_PIXELS
) -> None:
    """Refuse a picture over ``max_pixels`` (from :func:`image_size`) before decoding.

    Raises:
        SourceError: naming the file, its size and the limit.
    """
    if size is not None and size[0] * size[1] > max_pixels:
        w, h = size
        raise SourceError(
            f"{where}: image is {w}x{h}, larger than the "
            f"{max_pixels // 1_000_000} megapixel limit; scale it down first"
        )


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as RGB uint8, with a clear error for every way that can fail."""
    p = Path(path)
    if not p.exists():
        raise SourceError(f"{p}: no such file")
    if p.is_dir():
        raise SourceError(f"{p}: is a folder, not an image")
    if not os.access(p, os.R_OK):
        raise SourceError(f"{p}: not readable (permission denied)")
    data = np.fromfile(p, np.uint8)
    if data.size == 0:
        raise SourceError(f"{p}: file is empty")
    if not cv2.haveImageReader(str(p)):
        raise SourceError(f"{p}: cannot decode image (corrupt, or not an image format OpenCV reads)")
    check_image_size(image_size(data), p)  # before decoding: a 1 MB PNG can hold 400 MP
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise SourceError(f"{p}: cannot decode image (corrupt or unsupported)")
    h, w = image.shape[:2]
    if h * w > MAX_PIXELS:  # a format whose header we do not read
        raise SourceError(
            f"{p}: image is {w}x{h}, larger than the {MAX_PIXELS // 1_000_000} "
            f"megapixel limit; scale it down first"
        )
    if image.dtype != np.uint8:
        image = cv2.convertScaleAbs(image, alpha=255.0 / max(float(np.max(image)), 1.0))
    return _to_rgb(image, str(p))


def _check_min_side(image: np.ndarray, where: Path) -> np.ndarray:
    h, w = image.shape[:2]
    if min(h, w) < MIN_IMAGE_SIDE:
        raise SourceError(
            f"{where}: image is {w}x{h} pixels, too small to find a person "
            f"(at least {MIN_IMAGE_SIDE} px per side)"
        )
    return image


class ImageFile(_SourceBase):
    """A single image: one frame at t=0."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.name = str(path)
        self._image = _check_min_side(read_image(self.path), self.path)
        self._done = False

    def read(self) -> Frame | None:
        if self._done:
            return None
        self._done = True
        return Frame(self._image, 0.0, 0, time.monotonic())


FOLDER_KINDS = ("auto", "sequence", "photos")
"""How a folder of images is read: ``sequence`` (frames of one video: ids carried from
image to image), ``photos`` (unrelated photos, each on its own), or ``auto``
(:func:`frame_numbered`)."""

_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def frame_numbered(files: Sequence[Path]) -> bool:
    """Whether image names look like the frames of one video: two or more names, all the
    same text followed by a number (``000000.jpg``, ``frame_0001.png``), the numbers
    nearly consecutive (on average at most two apart). The COCO photos ``000000000785.jpg``,
    ``000000040083.jpg``, ... are numbered too, but far apart: photos."""
    if len(files) < 2:
        return False
    parts = [_NUMBERED.match(f.stem) for f in files]
    if any(m is None for m in parts):
        return False
    if len({m.group(1) for m in parts if m is not None}) != 1:
        return False
    numbers = sorted(int(m.group(2)) for m in parts if m is not None)
    return numbers[-1] - numbers[0] <= 2 * (len(numbers) - 1)


class ImageFolder(_SourceBase):
    """The images of a folder in name order: a sequence at ``fps`` frames per second, or
    a set of unrelated photos (``photos`` True), by ``kind`` (:data:`FOLDER_KINDS`)."""

    def __init__(self, path: str | os.PathLike, fps: float = 30.0, kind: str = "auto"):
        self.path = Path(path)
        self.name = str(path)
        self.fps = fps
        if kind not in FOLDER_KINDS:
            raise SourceError(
                f"{self.path}: folder kind must be one of {', '.join(FOLDER_KINDS)}, not {kind!r}"
            )
        self.files = sorted(f for f in self.path.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise SourceError(f"{self.path}: folder holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        numbered = frame_numbered(self.files)
        self.photos = kind == "photos" or (kind == "auto" and not numbered)
        """True: each image is a photo on its own (no ids carried from one to the next)."""
        self.rule = (
            f"as asked: --{kind}"
            if kind != "auto"
            else "the names are consecutive frame numbers"
            if numbered
            else "the names are not consecutive frame numbers"
        )
        """Why the folder is read the way it is (for the note the commands print)."""
        self._i = 0

    def describe(self) -> str:
        """One line saying how the folder is read and why."""
        n = len(self.files)
        what = f"{n} image(s) read as separate photos" if self.photos else f"{n} images read as one sequence"
        other = (
            "--sequence reads them as a video" if self.photos else "--photos reads them as separate photos"
        )
        return f"{self.name}: {what} ({self.rule}; {other})"

    def read(self) -> Frame | None:
        if self._i >= len(self.files):
            return None
        i, self._i = self._i, self._i + 1
        image = _check_min_side(read_image(self.files[i]), self.files[i])
        return Frame(image, i / self.fps, i, time.monotonic())


class VideoFile(_SourceBase):
    """A video file, decoded as fast as the consumer reads, or at its own rate with
    ``realtime=True`` (frames are then read on a camera's schedule).

    With ``loop=True`` (``clip.mp4?loop`` as a source spec) it starts again from its first
    frame when it ends; timestamps and frame indices keep growing, so filters and games see
    one continuous, monotonic stream.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        realtime: bool = False,
        max_fps: float | None = None,
        loop: bool = False,
    ):
        self.loop = loop
        self.path = Path(path)
        self.name = str(path)
        if not self.path.exists():
            raise SourceError(f"{self.path}: no such file")
        if not os.access(self.path, os.R_OK):
            raise SourceError(f"{self.path}: not readable (permission denied)")
        self._fifo_fd = _wait_for_fifo_writer(self.path)
        self._cap = cv2.VideoCapture(str(self.path))
        if self._fifo_fd is not None:  # OpenCV has its own reader now
            os.close(self._fifo_fd)
            self._fifo_fd = None
        if not self._cap.isOpened():
            raise SourceError(f"{self.path}: cannot open video (unsupported or corrupt)")
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 1 <= fps <= 1000 else 30.0
        self.frame_count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.realtime = realtime
        self.live = realtime
        # In realtime mode a camera-like rate can be imposed (frames in between are skipped).
        self._step = 1
        if realtime and max_fps and self.fps > max_fps:
            self._step = max(1, round(self.fps / max_fps))
        self._i = 0
        self._start: float | None = None
        first = self._read_raw()
        if first is None:
            self._cap.release()
            raise SourceError(f"{self.path}: no frame could be decoded (corrupt or empty video)")
        self._pending: np.ndarray | None = first

    def _read_raw(self) -> np.ndarray | None:
        ok, image = self._cap.read()
        return image if ok else None

    def _next_image(self) -> np.ndarray | None:
        for _ in range(self._step - 1):
            if not self._cap.grab():
                return None
            self._i += 1
        return self._read_raw()

    def read(self) -> Frame | None:
        image: np.ndarray | None
        if self._pending is not None:
            image, self._pending = self._pending, None
        else:
            image = self._next_image()
            if image is None and self.loop and self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
                image = self._next_image()  # a pipe cannot rewind: then it just ends
            if image is None:
                self._check_complete()
                return None
        index, self._i = self._i, self._i + 1
        t = index / self.fps
        if self.realtime:
            now = time.monotonic()
            if self._start is None:
                self._start = now - t
            delay = self._start + t - now
            if delay > 0:
                time.sleep(delay)
        return Frame(_to_rgb(image, self.name), t, index, time.monotonic())

    def _check_complete(self) -> None:
        """Warn (once) when the video ends well before the frame count its header gives:
        a truncated file (a copy cut short, a recorder killed) is otherwise used silently."""
        missing = self.frame_count - self._i
        if not getattr(self, "_warned", False) and missing > max(2, 0.02 * self.frame_count):
            self._warned = True
            log.warning(
                "%s: the video ended after %d of the %d frames its header announces; the "
                "file looks truncated (the frames before the damage were used)",
                printable(self.path),
                self._i,
                self.frame_count,
            )

    def close(self) -> None:
        self._cap.release()


def _wait_for_fifo_writer(path: Path, poll_s: float = 0.1) -> int | None:
    """For a named pipe: wait, in Python, until a writer has sent data, and return the
    read end that keeps the pipe open (None for anything else).

    OpenCV's open() of a pipe blocks inside C until a writer appears, where Ctrl+C and
    SIGTERM cannot reach it; waiting here first keeps the command stoppable.
    """
    try:
        if not stat.S_ISFIFO(path.stat().st_mode):
            return None
    except OSError:
        return None
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        while True:  # readable = data waiting (a writer that never came keeps us here)
            readable, _, _ = select.select([fd], [], [], poll_s)
            if readable:
                return fd
    except BaseException:
        os.close(fd)
        raise


class Camera(_SourceBase):
    """A webcam, set up for low latency: one-frame buffer, MJPG where offered.

    A camera that stops delivering frames is reopened with back-off; the run
    continues when it returns, and :class:`SourceError` is raised only after
    ``give_up_s`` seconds without a frame.
    """

    live = True

    def __init__(
        self,
        index: int = 0,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        give_up_s: float = 20.0,
        opener: Callable[[int], cv2.VideoCapture] | None = None,
    ):
        self.index = index
        self.name = f"camera {index}"
        self.width, self.height, self.fps = width, height, fps
        self.give_up_s = give_up_s
        self._opener = opener or self._open_device
        self._cap = self._open()
        if self._cap is None:
            raise SourceError(
                f"camera {index}: cannot open (no such camera, or it is in use); "
                f"try another camera index, or a video file"
            )
        self._start = time.monotonic()
        self._i = 0

    @staticmethod
    def _open_device(index: int) -> cv2.VideoCapture:
        backend = cv2.CAP_V4L2 if os.name == "posix" and Path("/dev").exists() else cv2.CAP_ANY
        return cv2.VideoCapture(index, backend)

    def _open(self):
        cap = self._opener(self.index)
        if cap is None or not cap.isOpened():
            return None
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        cap.set(cv2.CAP_PROP_FPS, self.fps)
        return cap

    def read(self) -> Frame | None:
        ok, image = self._cap.read() if self._cap is not None else (False, None)
        if not ok or image is None:
            image = self._reconnect()
        now = time.monotonic()
        index, self._i = self._i, self._i + 1
        return Frame(_to_rgb(image, self.name), now - self._start, index, now)

    def _reconnect(self) -> np.ndarray:
        deadline = time.monotonic() + self.give_up_s
        delay = 0.25
        while time.monotonic() < deadline:
            log.warning("%s: no frame; reopening in %.2f s", self.name, delay)
            if self._cap is not None:
                self._cap.release()
            time.sleep(delay)
            delay = min(delay * 2, 4.0)
            self._cap = self._open()
            if self._cap is not None:
                ok, image = self._cap.read()
                if ok and image is not None:
                    log.warning("%s: back", self.name)
                    return image
        raise SourceError(
            f"{self.name}: stopped delivering frames and did not come back within {self.give_up_s:g} s"
        )

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


SourceFactory = Callable[[str], object]
_REGISTRY: list[tuple[Callable[[str], bool], SourceFactory]] = []


def register_source(matches: Callable[[str], bool], factory: SourceFactory) -> None:
    """Teach :func:`open_source` a new kind of source (checked before the built-in kinds)."""
    _REGISTRY.append((matches, factory))


def open_source(
    spec: str | int | os.PathLike,
    *,
    realtime: bool = False,
    max_fps: float | None = None,
    folder: str = "auto",
) -> _SourceBase:
    """Open a source from a CLI-style spec: a camera index (``0``), an image, a folder
    of images, a video file, or any kind added with :func:`register_source`.

    Args:
        realtime: play video files at their own rate, like a camera (frames may drop).
        max_fps: with ``realtime``, the highest rate frames are delivered at.
        folder: how a folder of images is read (:data:`FOLDER_KINDS`).
    """
    text = str(spec)
    if text.isdigit():
        return Camera(int(text))
    for matches, factory in _REGISTRY:
        if matches(text):
            return factory(text)  # type: ignore[return-value]
    loop = False
    if text.endswith("?loop") and not Path(text).exists():  # clip.mp4?loop, like recordings
        text, loop = text[: -len("?loop")], True
    path = Path(text)
    if not path.exists():
        raise SourceError(f"{text}: no such file, folder or camera index")
    if loop and (path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES):
        raise SourceError(f"{text}: ?loop works on videos and recordings, not on images")
    if path.is_dir():
        return ImageFolder(path, kind=folder)
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return ImageFile(path)
    if suffix in VIDEO_SUFFIXES or suffix == "":
        return VideoFile(path, realtime=realtime, max_fps=max_fps, loop=loop)
    # Unknown suffix: let OpenCV try as a video, with a clear error if it cannot.
    try:
        return VideoFile(path, realtime=realtime, max_fps=max_fps, loop=loop)
    except SourceError:
        raise SourceError(f"{text}: not a known image, video or recording (suffix {suffix!r})") from None


def sample_image_path() -> Path:
    """A built-in photo of a person (Grace Hopper, shipped with matplotlib, a dependency
    of mediapipe), used by the demo when there is no camera."""
    try:
        import matplotlib.cbook as cbook  # lazy: matplotlib is heavy; only the demo photo

        return Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    except Exception as exc:  # pragma: no cover - matplotlib is installed with mediapipe
        raise SourceError(f"built-in sample photo not found ({exc})") from exc


__all__ = [
    "Frame",
    "Source",
    "Camera",
    "VideoFile",
    "ImageFile",
    "ImageFolder",
    "open_source",
    "register_source",
    "read_image",
    "sample_image_path",
]
