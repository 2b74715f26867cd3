"""Recordings of landmark tracks (``.arpose`` files): write, read, replay.

Why a format of our own: a take must survive the recorder being killed or the disk
filling up (an append-only file of self-checking records loses at most the last
partial frame), it must keep the *raw* landmarks next to the smoothed ones (so
smoothers can be re-tuned on real data), and replaying it must give bit-identical
float32 landmarks (so a game run on a recording gives the same result every time).

File layout (version 1, all integers little-endian)::

    ARPOSE/1 {"created": ..., "landmarks": [...33 names...], ...}\\n   header line
    record*                                                           until end of file

    record  = tag (4 bytes) | payload length u32 | CRC-32 of tag + payload u32 | payload
    tag     = b"ARPF" for a frame; b"ARPH" for the hands of the frame record that follows
              it (added with hand tracking); other b"ARP?" tags are skipped by readers
              that do not know them (room for additions without a version bump)

    frame payload:
        t f64 (timeline seconds) | index u32 | width u32 | height u32 |
        video_frame i32 (-1: no video frame) | n_smoothed u16 | n_raw u16 |
        n_smoothed people, then n_raw people, each:
            id i32 | landmarks f32[33][5] (x_px, y_px, z, visibility, presence) |
            world f32[33][3] (metres)

    hands payload (before its frame; only when hand tracking ran):
        index u32 (the frame's) | n_smoothed u16 | n_raw u16 | hands, each:
            id i32 | person i32 (-1: no body) | side u8 (0 left, 1 right) |
            has_world u8 | pad u16 | score f32 | landmarks f32[21][4] | world f32[21][3]

A newer major version in the header makes readers refuse the file with a clear
:class:`~arpose.errors.RecordingError`. A truncated or corrupted record stops (or,
after a corrupted record, resynchronises at the next valid record); where it broke is
reported as a warning with the byte offset and frame.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import errno
import itertools
import json
import logging
import mmap
import os
import struct
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import cv2
import numpy as np

from . import sources
from .errors import RecordingError, SourceError
from .joints import LANDMARK_NAMES, NUM_LANDMARKS
from .pose import FrameStats, Hand, Pose, PoseFrame, attach_hands

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
"""Version written in new recordings; readers accept this and older."""
SUFFIX = ".arpose"
MAGIC = b"ARPOSE/"
TAG_PREFIX = b"ARP"
TAG_FRAME = b"ARPF"
TAG_HANDS = b"ARPH"
HANDS_HEADER = struct.Struct("<IHH")
HAND_DTYPE = np.dtype(
    [
        ("id", "<i4"),
        ("person", "<i4"),
        ("side", "u1"),
        ("has_world", "u1"),
        ("pad", "<u2"),
        ("score", "<f4"),
        ("landmarks", "<f4", (21, 4)),
        ("world", "<f4", (21, 3)),
    ]
)
RECORD_HEADER = struct.Struct("<4sII")
FRAME_HEADER = struct.Struct("<dIIIiHH")
PERSON_DTYPE = np.dtype(
    [("id", "<i4"), ("landmarks", "<f4", (NUM_LANDMARKS, 5)), ("world", "<f4", (NUM_LANDMARKS, 3))]
)
MAX_RECORD = 64 * 1024 * 1024
"""A length field larger than this is treated as corruption, not as a frame."""
MAX_HEADER = 1024 * 1024


@dataclass(frozen=True, eq=False)
class RecordedFrame:
    """One frame as stored: smoothed poses, raw (unsmoothed) poses and where it came from."""

    t: float
    index: int
    size: tuple[int, int]
    poses: tuple[Pose, ...]
    raw: tuple[Pose, ...] = ()
    video_frame: int = -1
    offset: int = 0
    """Byte offset of the record in the file."""
    hands: tuple[Hand, ...] = ()
    raw_hands: tuple[Hand, ...] = ()
    hands_tracked: bool = False

    def to_pose_frame(
        self, *, raw: bool = False, image: np.ndarray | None = None, captured_at: float | None = None
    ) -> PoseFrame:
        """The :class:`PoseFrame` consumers see (smoothed poses, or raw ones with ``raw``)."""
        stats = FrameStats(captured_at=time.monotonic() if captured_at is None else captured_at)
        hands = self.raw_hands if raw else self.hands
        poses = self.raw if raw else self.poses
        return PoseFrame(
            t=self.t,
            index=self.index,
            size=self.size,
            poses=attach_hands(poses, hands),
            image=image,
            stats=stats,
            raw=attach_hands(self.raw, self.raw_hands),
            hands=hands,
            hands_tracked=self.hands_tracked,
        )


# ----------------------------------------------------------------------------- encoding


def _people_array(poses: Sequence[Pose]) -> np.ndarray:
    arr = np.empty(len(poses), PERSON_DTYPE)
    for i, p in enumerate(poses):
        arr[i]["id"] = p.id
        arr[i]["landmarks"] = p.landmarks
        arr[i]["world"] = p.world
    return arr


def encode_frame(frame: PoseFrame, raw: Sequence[Pose] | None = None, video_frame: int = -1) -> bytes:
    """One complete frame record (header + payload) as bytes."""
    raw = tuple(raw or ())
    w, h = frame.size
    head = FRAME_HEADER.pack(
        float(frame.t),
        int(frame.index) & 0xFFFFFFFF,
        int(w),
        int(h),
        int(video_frame),
        len(frame.poses),
        len(raw),
    )
    payload = head + _people_array(frame.poses).tobytes() + _people_array(raw).tobytes()
    crc = zlib.crc32(payload, zlib.crc32(TAG_FRAME))
    return RECORD_HEADER.pack(TAG_FRAME, len(payload), crc) + payload


def _hands_array(hands: Sequence[Hand]) -> np.ndarray:
    arr = np.zeros(len(hands), HAND_DTYPE)
    for i, h in enumerate(hands):
        arr[i]["id"] = h.id
        arr[i]["person"] = -1 if h.person is None else h.person
        arr[i]["side"] = 0 if h.side == "left" else 1
        arr[i]["has_world"] = h.world is not None
        arr[i]["score"] = h.score
        arr[i]["landmarks"] = h.landmarks
        if h.world is not None:
            arr[i]["world"] = h.world
    return arr


def encode_hands(frame: PoseFrame, raw: Sequence[Hand] = ()) -> bytes:
    """The hands record of ``frame`` (written just before its frame record)."""
    head = HANDS_HEADER.pack(int(frame.index) & 0xFFFFFFFF, len(frame.hands), len(raw))
    payload = head + _hands_array(frame.hands).tobytes() + _hands_array(raw).tobytes()
    crc = zlib.crc32(payload, zlib.crc32(TAG_HANDS))
    return RECORD_HEADER.pack(TAG_HANDS, len(payload), crc) + payload


def decode_hands(payload: bytes | memoryview) -> tuple[int, tuple[Hand, ...], tuple[Hand, ...]]:
    """(frame index, smoothed hands, raw hands) of a hands record payload."""
    if len(payload) < HANDS_HEADER.size:
        raise ValueError(f"hands payload of {len(payload)} bytes is shorter than its header")
    index, n_s, n_r = HANDS_HEADER.unpack_from(payload, 0)
    need = HANDS_HEADER.size + (n_s + n_r) * HAND_DTYPE.itemsize
    if len(payload) != need:
        raise ValueError(f"hands payload is {len(payload)} bytes; {n_s}+{n_r} hands need {need}")
    arr = np.frombuffer(payload, HAND_DTYPE, n_s + n_r, HANDS_HEADER.size)
    hands = tuple(
        Hand(
            r["landmarks"].astype(np.float32),
            r["world"].astype(np.float32) if r["has_world"] else None,
            "left" if r["side"] == 0 else "right",
            float(r["score"]),
            None if r["person"] < 0 else int(r["person"]),
            int(r["id"]),
        )
        for r in arr
    )
    return index, hands[:n_s], hands[n_s:]


def _poses_from(arr: np.ndarray) -> tuple[Pose, ...]:
    # Copies, so the poses do not pin the whole file mapping in memory.
    return tuple(
        Pose(rec["landmarks"].astype(np.float32), rec["world"].astype(np.float32), int(rec["id"]))
        for rec in arr
    )


def decode_frame(payload: bytes | memoryview, offset: int = 0) -> RecordedFrame:
    """Inverse of the payload part of :func:`encode_frame`.

    Raises:
        ValueError: when the payload's size does not match its people counts.
    """
    if len(payload) < FRAME_HEADER.size:
        raise ValueError(f"frame payload of {len(payload)} bytes is shorter than its header")
    t, index, w, h, vframe, n_s, n_r = FRAME_HEADER.unpack_from(payload, 0)
    need = FRAME_HEADER.size + (n_s + n_r) * PERSON_DTYPE.itemsize
    if len(payload) != need:
        raise ValueError(f"frame payload is {len(payload)} bytes; {n_s}+{n_r} people need {need}")
    people = np.frombuffer(payload, PERSON_DTYPE, n_s + n_r, FRAME_HEADER.size)
    return RecordedFrame(
        t=t,
        index=index,
        size=(w, h),
        poses=_poses_from(people[:n_s]),
        raw=_poses_from(people[n_s:]),
        video_frame=vframe,
        offset=offset,
    )


def make_header(**meta: Any) -> bytes:
    """The header line of a new recording."""
    info = {
        "format": "arpose-recording",
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "landmarks": list(LANDMARK_NAMES),
        "landmark_columns": ["x_px", "y_px", "z", "visibility", "presence"],
        "world_columns": ["x_m", "y_m", "z_m"],
    }
    info.update({k: v for k, v in meta.items() if v is not None})
    line = MAGIC + str(FORMAT_VERSION).encode() + b" " + json.dumps(info).encode() + b"\n"
    if b"\n" in line[:-1]:  # json.dumps never emits raw newlines, but keep the invariant loud
        raise RecordingError("recording header must be one line")
    return line


def parse_header(data: bytes | mmap.mmap, name: str) -> tuple[int, dict, int]:
    """Parse the header line: returns (version, metadata, offset of the first record).

    Raises:
        RecordingError: not a recording, an incomplete header, or a newer format version.
    """
    head = bytes(data[: len(MAGIC)])
    if head != MAGIC:
        if len(head) < len(MAGIC) and MAGIC.startswith(head):
            raise RecordingError(
                f"{name}: recording is truncated inside its header ({len(data)} bytes); nothing to replay"
            )
        raise RecordingError(
            f"{name}: not an arpose recording (it does not start with "
            f"{MAGIC.decode()}); record one with `arpose record`"
        )
    end = data.find(b"\n", 0, MAX_HEADER)
    if end < 0:
        raise RecordingError(
            f"{name}: recording is truncated inside its header "
            f"({min(len(data), MAX_HEADER)} bytes, no end of line); "
            f"nothing to replay"
        )
    line = bytes(data[len(MAGIC) : end])
    version_text, _, meta_text = line.partition(b" ")
    try:
        version = int(version_text)
    except ValueError:
        raise RecordingError(f"{name}: bad format version {version_text[:20]!r} in the header") from None
    if version > FORMAT_VERSION:
        raise RecordingError(
            f"{name}: recorded with format version {version}, but this arpose "
            f"reads versions up to {FORMAT_VERSION}; upgrade arpose to "
            f"replay it"
        )
    if version < 1:
        raise RecordingError(f"{name}: bad format version {version} in the header")
    try:
        meta = json.loads(meta_text or b"{}")
        if not isinstance(meta, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        raise RecordingError(f"{name}: corrupt header metadata ({exc})") from None
    return version, meta, end + 1


# ----------------------------------------------------------------------------- writing


class Recorder:
    """Append frames to a ``.arpose`` file, one self-checking record per frame.

    Every record goes to the operating system as soon as it is written (unbuffered),
    so a killed process loses at most the frame being written; ``fsync_s`` bounds
    what a power cut can lose. A write error (disk full, device gone) stops the
    recording cleanly: the partial record is cut off when possible, :attr:`error`
    says why, and :meth:`write` returns False from then on.

    Args:
        path: the recording to create (overwritten unless ``append``).
        video: also write the images to this video file (MJPG AVI, still readable
            when the recorder is killed); ``True`` puts it next to ``path``.
        fps: the source's frame rate, stored in the header (the video's rate).
        source: a description of the source, stored in the header.
        append: add frames to an existing recording (a partial last record is cut off).
            Appended frames continue its frame numbers and timeline (shifted to follow
            its last frame when they would start again at 0), so the frames of a take
            stay unique and in order (exports name files by frame number).
        stream: write to this already-open binary file instead of opening ``path``.
        fsync_s: seconds between ``os.fsync`` calls (0 disables).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        video: bool | str | os.PathLike = False,
        fps: float | None = None,
        source: str | None = None,
        meta: dict[str, Any] | None = None,
        append: bool = False,
        stream: BinaryIO | None = None,
        fsync_s: float = 1.0,
    ):
        self.path = Path(path)
        self.fps = fps
        self.frames_written = 0
        self.error: str | None = None
        self.fsync_s = fsync_s
        self._last_sync = time.monotonic()
        self._video_writer: Any = None
        self._video_frames = 0
        self._last: tuple[int, float] | None = None
        """(index, t) of the last frame already in an appended-to recording."""
        self._shift: tuple[int, float] | None = None
        if video is True:
            self.video_path: Path | None = self.path.with_suffix(".avi")
        elif video:
            self.video_path = Path(video)
        else:
            self.video_path = None
        if stream is not None:
            self._file = stream
        else:
            self._file = self._open(append)
        self._good = self._tell()
        if self._good == 0:
            header = make_header(
                fps=fps,
                source=source,
                video=self.video_path.name if self.video_path else None,
                **(meta or {}),
            )
            if not self._write_all(header):
                raise RecordingError(f"{self.path}: cannot write the recording header ({self.error})")
            self._good = len(header)

    def _open(self, append: bool) -> BinaryIO:
        try:
            if self.path.parent and not self.path.parent.exists():
                raise RecordingError(f"{self.path}: folder {self.path.parent} does not exist")
            if append and self.path.exists() and self.path.stat().st_size > 0:
                if self.video_path is not None:
                    # one video per recording, named in its header: a second writer would
                    # overwrite it and its frame numbers would point at the new pictures
                    raise RecordingError(
                        f"{self.path}: cannot append video to an existing "
                        f"recording; append landmarks only, or record "
                        f"to a new file"
                    )
                rec = Recording(self.path)
                end = rec.valid_end()
                for last in rec:  # the frame numbers and time to continue from
                    self._last = (last.index, last.t)
                if self.fps is None:
                    self.fps = rec.fps
                f = open(self.path, "r+b", buffering=0)
                f.truncate(end)
                f.seek(end)
                self.frames_written = 0
                return f
            return open(self.path, "wb", buffering=0)
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot open for recording ({exc.strerror or exc})") from None

    def _tell(self) -> int:
        try:
            return self._file.tell()
        except (OSError, AttributeError, ValueError):
            return 0

    def _write_all(self, data: bytes) -> bool:
        """Write every byte or stop the recording; cut off a partial record on failure."""
        view = memoryview(data)
        try:
            while view:
                n = self._file.write(view)
                if n is None:  # non-blocking stream with nothing written: treat as failure
                    raise OSError(errno.EAGAIN, "write would block")
                view = view[n:]
        except OSError as exc:
            self.error = "disk full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            log.error(
                "%s: recording stopped after %d frames: %s (kept what was written)",
                self.path,
                self.frames_written,
                self.error,
            )
            try:
                self._file.truncate(self._good)
            except (OSError, ValueError, AttributeError):
                pass  # the reader will stop at the partial record instead
            self._close_file()
            return False
        return True

    @property
    def stopped(self) -> bool:
        """True once a write failed (see :attr:`error`) or after :meth:`close`."""
        return self._file is None

    def write(self, frame: PoseFrame, raw: Sequence[Pose] | None = None) -> bool:
        """Append one frame: its (smoothed) poses, the raw poses (``frame.raw`` unless
        given) and, when recording video, its image. Returns False once the recording
        has stopped."""
        if self._file is None:
            return False
        if raw is None:
            raw = frame.raw
        if self._last is not None:
            if self._shift is None:
                last_index, last_t = self._last
                step = 1.0 / (self.fps or 30.0)
                self._shift = (max(0, last_index + 1 - frame.index), max(0.0, last_t + step - frame.t))
            if self._shift != (0, 0.0):
                frame = dataclasses.replace(
                    frame, index=frame.index + self._shift[0], t=frame.t + self._shift[1]
                )
        vframe = -1
        if self.video_path is not None and frame.image is not None:
            vframe = self._write_video(frame.image)
        record = encode_frame(frame, raw, vframe)
        if frame.hands_tracked or frame.hands:  # an additive record: old readers skip it
            raw_hands = tuple(h for p in raw for h in p.hands) + tuple(
                h for h in frame.hands if h.person is None
            )
            record = encode_hands(frame, raw_hands) + record
        if not self._write_all(record):
            return False
        self._good += len(record)
        self.frames_written += 1
        now = time.monotonic()
        if self.fsync_s and now - self._last_sync >= self.fsync_s:
            self._last_sync = now
            try:
                os.fsync(self._file.fileno())
            except (OSError, AttributeError, ValueError):
                pass  # not a real file (tests) or fsync unsupported: flushing is enough
        return True

    def _write_video(self, image: np.ndarray) -> int:
        if self._video_writer is None:
            h, w = image.shape[:2]
            fourcc = cv2.VideoWriter.fourcc(*"MJPG")
            writer = cv2.VideoWriter(str(self.video_path), fourcc, float(self.fps or 30.0), (w, h))
            if not writer.isOpened():
                log.error("%s: cannot write video; recording landmarks only", self.video_path)
                self.video_path = None
                return -1
            self._video_writer = writer
        self._video_writer.write(np.ascontiguousarray(image[:, :, ::-1]))
        self._video_frames += 1
        return self._video_frames - 1

    def _close_file(self) -> None:
        f: BinaryIO | None = self._file
        self._file = None  # type: ignore[assignment]  # closed: nothing may write any more
        if f is not None:
            try:
                f.close()
            except OSError as exc:
                log.error("%s: error closing recording: %s", self.path, exc)

    def close(self) -> None:
        """Finish the recording (the file is valid at every moment; this just releases it)."""
        if self._file is not None:
            try:
                if self.fsync_s:
                    os.fsync(self._file.fileno())
            except (OSError, AttributeError, ValueError):
                pass
            self._close_file()
        if self._video_writer is not None:
            self._video_writer.release()
            self._video_writer = None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ----------------------------------------------------------------------------- reading


class Recording:
    """A ``.arpose`` file opened for reading; iterate it for :class:`RecordedFrame` s.

    Reading never raises for damage after the header: a truncated last record ends
    the iteration, a corrupted record is skipped up to the next valid record, and
    :attr:`problems` lists what happened (each also logged as a warning).

    Raises:
        RecordingError: the file is missing, not a recording, or from a newer version.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.problems: list[str] = []
        data = self._load()
        try:
            self.version, self.meta, self._start = parse_header(data, str(self.path))
        finally:
            data.close()

    def _load(self) -> mmap.mmap:
        try:
            with open(self.path, "rb") as f:
                if os.fstat(f.fileno()).st_size == 0:
                    raise RecordingError(f"{self.path}: recording is empty (0 bytes)")
                return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except FileNotFoundError:
            raise RecordingError(f"{self.path}: no such recording") from None
        except IsADirectoryError:
            raise RecordingError(f"{self.path}: is a folder, not a recording") from None
        except PermissionError:
            raise RecordingError(f"{self.path}: not readable (permission denied)") from None
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot read ({exc.strerror or exc})") from None

    @property
    def fps(self) -> float | None:
        fps = self.meta.get("fps")
        return float(fps) if isinstance(fps, (int, float)) and fps > 0 else None

    @property
    def video_missing(self) -> bool:
        """True when the header names a video that is not next to the file."""
        return bool(self.meta.get("video")) and self.video_path is None

    @property
    def video_path(self) -> Path | None:
        """The video recorded next to this file, when it exists."""
        name = self.meta.get("video")
        if not name:
            return None
        p = self.path.parent / str(name)
        return p if p.exists() else None

    def _problem(self, text: str) -> None:
        msg = f"{self.path}: {text}"
        self.problems.append(msg)
        log.warning("%s", msg)

    def __iter__(self) -> Iterator[RecordedFrame]:
        self.problems = []
        data = self._load()
        try:
            yield from self._records(data)
        finally:
            try:
                data.close()
            except BufferError:  # a view is still alive somewhere; the GC closes it
                pass

    def _records(self, data: mmap.mmap) -> Iterator[RecordedFrame]:
        size = len(data)
        pos = self._start
        count = 0
        last: RecordedFrame | None = None
        pending: tuple[int, tuple[Hand, ...], tuple[Hand, ...]] | None = None
        while pos < size:
            why = self._check(data, pos)
            if why is None:
                tag, length, _ = RECORD_HEADER.unpack_from(data, pos)
                body = pos + RECORD_HEADER.size
                if tag == TAG_HANDS:
                    try:
                        pending = decode_hands(data[body : body + length])
                    except ValueError as exc:
                        self._problem(f"hands record at byte {pos} skipped: {exc}")
                        pending = None
                    pos = body + length
                    continue
                if tag != TAG_FRAME:
                    pos = body + length  # a record kind from a newer writer: skip it
                    continue
                try:
                    rec = decode_frame(data[body : body + length], pos)
                except ValueError as exc:
                    why = str(exc)
                else:
                    if pending is not None and pending[0] == rec.index & 0xFFFFFFFF:
                        rec = dataclasses.replace(
                            rec, hands=pending[1], raw_hands=pending[2], hands_tracked=True
                        )
                    pending = None
                    yield rec
                    last, count, pos = rec, count + 1, body + length
                    continue
            where = (
                f"after frame {last.index} (t={last.t:.3f} s)"
                if last is not None
                else "before the first frame"
            )
            nxt = self._resync(data, pos + 1)
            if nxt is None:
                self._problem(
                    f"recording breaks at byte {pos} of {size} {where}: {why}; "
                    f"replayed the {count} valid frames before it"
                )
                return
            self._problem(
                f"corrupted data at bytes {pos}-{nxt} {where}: {why}; skipped to the next valid record"
            )
            pos = nxt

    @staticmethod
    def _check(data: mmap.mmap, pos: int) -> str | None:
        """None when a complete record with a valid checksum starts at ``pos``."""
        size = len(data)
        if size - pos < RECORD_HEADER.size:
            return f"truncated record header ({size - pos} of {RECORD_HEADER.size} bytes)"
        tag, length, crc = RECORD_HEADER.unpack_from(data, pos)
        if tag[:3] != TAG_PREFIX:
            return f"no record marker (found {bytes(tag)!r})"
        if length > MAX_RECORD:
            return f"implausible record length {length}"
        body = pos + RECORD_HEADER.size
        if size - body < length:
            return f"truncated record ({size - body} of {length} bytes)"
        if zlib.crc32(data[body : body + length], zlib.crc32(tag)) != crc:
            return "checksum mismatch"
        return None

    def _resync(self, data: mmap.mmap, pos: int) -> int | None:
        while (pos := data.find(TAG_PREFIX, pos)) >= 0:
            if self._check(data, pos) is None:
                return pos
            pos += 1
        return None

    def valid_end(self) -> int:
        """Byte offset just past the last valid record (where an append continues)."""
        end = self._start
        for rec in self:
            payload = FRAME_HEADER.size + (len(rec.poses) + len(rec.raw)) * PERSON_DTYPE.itemsize
            end = rec.offset + RECORD_HEADER.size + payload
        return end

    def frames(self) -> list[RecordedFrame]:
        """All valid frames (damage reported in :attr:`problems`)."""
        return list(self)


def read_recording(path: str | os.PathLike) -> list[RecordedFrame]:
    """All valid frames of a recording (a convenience around :class:`Recording`)."""
    return Recording(path).frames()


def is_recording(path: str | os.PathLike) -> bool:
    """True when ``path`` names a recording by suffix or starts with the recording magic."""
    p = Path(path)
    if p.suffix.lower() == SUFFIX:
        return True
    try:
        with open(p, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


# ----------------------------------------------------------------------------- replay


class Replay:
    """A source that plays a recording: ``read()`` returns :class:`PoseFrame` s.

    The pipeline sees ``yields_poses = True`` and bypasses the tracker, so effects and
    games run on a recording exactly as on a camera. Frames come at their original
    timing (like a camera) or, with ``fast``, as fast as they are read.

    Args:
        path: the ``.arpose`` file.
        fast: no waiting between frames.
        raw: replay the raw (unsmoothed) landmarks instead of the smoothed ones.
        video: attach the images of the video recorded next to it, when there is one.
        loop: start again at the end (``t`` keeps increasing).
        blank: attach a black picture of the recorded size to frames that have no
            image (no video recorded, or ``video=False``), for consumers that draw.
    """

    yields_poses = True

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        fast: bool = False,
        raw: bool = False,
        video: bool = True,
        loop: bool = False,
        blank: bool = False,
    ):
        self.path = Path(path)
        self.name = str(path)
        self.blank = blank
        self._blank: np.ndarray | None = None
        self.recording = Recording(self.path)  # RecordingError names the file and the problem
        self.fast = fast
        self.live = not fast
        self.raw = raw
        self.loop = loop
        # Frames are decoded lazily (an hour-long take is not held in memory); a few are
        # read ahead to check the take is not empty and to estimate its rate.
        self._it = iter(self.recording)
        self._ahead = list(itertools.islice(self._it, 16))
        if not self._ahead:
            where = f" ({self.recording.problems[0]})" if self.recording.problems else ""
            raise RecordingError(f"{self.path}: recording holds no frames{where}")
        self.t0 = self._ahead[0].t
        self.fps = self.recording.fps or self._estimate_fps()
        self._last_t = self.t0
        self._offset_t = 0.0
        self._start: float | None = None
        self._cap = None
        self._cap_next = 0
        if video and self.recording.video_path is not None:
            cap = cv2.VideoCapture(str(self.recording.video_path))
            if cap.isOpened():
                self._cap = cap
            else:
                log.warning(
                    "%s: cannot open the recorded video; replaying landmarks only", self.recording.video_path
                )

    def _estimate_fps(self) -> float:
        dt = np.diff(np.array([f.t for f in self._ahead], np.float64))
        dt = dt[dt > 0]
        return float(1.0 / np.median(dt)) if len(dt) else 30.0

    def _image(self, vframe: int) -> np.ndarray | None:
        if self._cap is None or vframe < 0:
            return None
        if vframe < self._cap_next:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, vframe)
            self._cap_next = vframe
        image = None
        while self._cap_next <= vframe:
            ok, image = self._cap.read()
            self._cap_next += 1
            if not ok:
                return None
        return None if image is None else cv2.cvtColor(image, cv2.COLOR_BGR2RGB)

    def _next_record(self) -> RecordedFrame | None:
        if self._ahead:
            return self._ahead.pop(0)
        rec = next(self._it, None)
        if rec is None and self.loop:
            self._offset_t += self._last_t - self.t0 + 1.0 / self.fps
            self._it = iter(self.recording)
            rec = next(self._it, None)
        return rec

    def read(self) -> PoseFrame | None:
        rec = self._next_record()
        if rec is None:
            return None
        self._last_t = rec.t
        t = rec.t + self._offset_t
        if not self.fast:
            now = time.monotonic()
            if self._start is None:
                self._start = now
            delay = self._start + (t - self.t0) - now
            if delay > 0:
                time.sleep(delay)
        image = self._image(rec.video_frame)
        if image is None and self.blank:
            w, h = rec.size
            if self._blank is None or self._blank.shape[:2] != (h, w):
                self._blank = np.zeros((max(h, 1), max(w, 1), 3), np.uint8)
                self._blank.flags.writeable = False  # shared by every frame
            image = self._blank
        pf = rec.to_pose_frame(raw=self.raw, image=image)
        if self._offset_t:
            pf = dataclasses.replace(pf, t=t)
        return pf

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> Replay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[PoseFrame]:
        while (pf := self.read()) is not None:
            yield pf


def _matches(spec: str) -> bool:
    base = spec.split("?", 1)[0]
    return base.lower().endswith(SUFFIX) or (Path(base).is_file() and is_recording(base))


def open_replay(spec: str) -> Replay:
    """Open a replay from a ``--source`` spec: ``take.arpose``, with options after ``?``:
    ``take.arpose?fast``, ``?raw``, ``?loop``, ``?novideo`` (combine with ``&``)."""
    base, _, query = spec.partition("?")
    opts = {o.strip().lower() for o in query.split("&") if o.strip()}
    unknown = opts - {"fast", "raw", "loop", "novideo"}
    if unknown:
        raise SourceError(
            f"{spec}: unknown replay option(s) {', '.join(sorted(unknown))}; "
            f"expected fast, raw, loop or novideo"
        )
    return Replay(
        base, fast="fast" in opts, raw="raw" in opts, loop="loop" in opts, video="novideo" not in opts
    )


def register() -> None:
    """Make every ``--source`` accept recordings (called once on ``import arpose``)."""
    if not getattr(sources, "_arpose_replay_registered", False):
        sources.register_source(_matches, open_replay)
        sources._arpose_replay_registered = True  # type: ignore[attr-defined]


__all__ = [
    "FORMAT_VERSION",
    "SUFFIX",
    "Recorder",
    "Recording",
    "RecordedFrame",
    "Replay",
    "encode_frame",
    "decode_frame",
    "make_header",
    "parse_header",
    "read_recording",
    "is_recording",
    "open_replay",
    "register",
]
