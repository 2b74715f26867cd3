"""Export landmark tracks for other tools: OpenPose JSON, COCO keypoint results, CSV, and
BVH motion capture (joint rotations from the rig solver: :mod:`arpose.bvh`).

Inputs are recordings (``.arpose``) or videos (tracked here with the pipeline); a
folder of them is exported with one process per file and resumes where it stopped.
Every output appears atomically (written under a temporary name, then renamed), so
an interrupted export never leaves a file that looks complete.

BlazePose -> OpenPose BODY_25 (see :data:`arpose.joints.BODY25`): keypoints come from
the joint of the same name; ``Neck`` is the shoulder midpoint and ``MidHip`` the hip
midpoint (virtual joints), ``LBigToe``/``RBigToe`` are BlazePose's ``foot_index``,
and ``LSmallToe``/``RSmallToe`` have no BlazePose counterpart: they are written as
``0, 0, 0`` (OpenPose's "not detected"). The confidence is BlazePose's visibility.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import batch
from .bvh import BvhWriter
from .errors import ArposeError, BatchError, ExportError
from .joints import BODY25_INDEX, COCO17_INDEX, HAND_JOINT_NAMES, LANDMARK_NAMES
from .pose import Pose, PoseFrame
from .record import Recording, is_recording
from .sources import VIDEO_SUFFIXES
from .tracking.reuse import track_video

log = logging.getLogger(__name__)

FORMATS = ("openpose", "coco", "csv", "bvh")
_SUFFIX = {"coco": ".json", "csv": ".csv", "bvh": ".bvh"}
OPENPOSE_VERSION = 1.3
"""The ``version`` OpenPose 1.7 writes in its JSON files."""
_BODY25_IDX = np.array([max(i, 0) for i in BODY25_INDEX])
_BODY25_MISSING = np.array([i < 0 for i in BODY25_INDEX])
_COCO_IDX = np.array(COCO17_INDEX)


# ----------------------------------------------------------------------------- layouts


def body25(pose: Pose) -> np.ndarray:
    """``(25, 3)`` float32 x, y, confidence in OpenPose BODY_25 order (see module doc)."""
    out = pose.all_joints[_BODY25_IDX][:, [0, 1, 3]].copy()
    out[_BODY25_MISSING] = 0.0
    return out


def coco17(pose: Pose) -> np.ndarray:
    """``(17, 3)`` float32 x, y, confidence in COCO keypoint order."""
    return pose.all_joints[_COCO_IDX][:, [0, 1, 3]].copy()


def _flat(a: np.ndarray, decimals: tuple[int, ...] = (3, 3, 4)) -> list[float]:
    rounded = np.stack([np.round(a[:, k].astype(np.float64), d) for k, d in enumerate(decimals)], axis=1)
    return [float(v) for v in rounded.ravel()]


def hand21(hand: Any) -> np.ndarray:
    """``(21, 3)`` x, y, confidence of a hand in OpenPose's hand order (= the hand model's);
    zeros for None (OpenPose's "not found")."""
    if hand is None:
        return np.zeros((21, 3), np.float32)
    out = hand.landmarks[:, [0, 1, 3]].copy()
    out[:, 2] *= float(hand.score)
    return out


def _hand_flat(p: Pose, side: str, tracked: bool) -> list[float]:
    """OpenPose's hand array: 63 numbers with hand tracking on (zeros when not found),
    empty with it off (as OpenPose does without --hand)."""
    if not tracked:
        return []
    return _flat(hand21(p.hand(side)))


def openpose_json(frame: PoseFrame, hands: bool | None = None) -> dict[str, Any]:
    """One frame in OpenPose's per-frame JSON layout (BODY_25; no face). ``hands``: fill
    the hand arrays (``export --hands``); None: when the frame has hands tracked."""
    people = []
    tracked = (frame.hands_tracked or bool(frame.hands)) if hands is None else hands
    for p in frame.poses:
        people.append(
            {
                "person_id": [int(p.id)],
                "pose_keypoints_2d": _flat(body25(p)),
                "face_keypoints_2d": [],
                "hand_left_keypoints_2d": _hand_flat(p, "left", tracked),
                "hand_right_keypoints_2d": _hand_flat(p, "right", tracked),
                "pose_keypoints_3d": [],
                "face_keypoints_3d": [],
                "hand_left_keypoints_3d": [],
                "hand_right_keypoints_3d": [],
            }
        )
    return {"version": OPENPOSE_VERSION, "people": people}


def openpose_filename(stem: str, index: int) -> str:
    """OpenPose's name for frame ``index`` of a video called ``stem``."""
    return f"{stem}_{index:012d}_keypoints.json"


def read_openpose(path: str | os.PathLike) -> list[np.ndarray]:
    """The people of one OpenPose JSON file as ``(25, 3)`` arrays (x, y, confidence).

    Raises:
        ExportError: the file is not OpenPose BODY_25 JSON.
    """
    p = Path(path)
    try:
        obj = json.loads(p.read_text())
        people = obj["people"]
        out = [np.asarray(person["pose_keypoints_2d"], np.float32).reshape(25, 3) for person in people]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExportError(f"{p}: not an OpenPose BODY_25 keypoints file ({exc})") from None
    return out


def read_openpose_hands(path: str | os.PathLike) -> list[dict[str, np.ndarray | None]]:
    """The hands of each person of one OpenPose JSON file: ``{"left": (21, 3) or None,
    "right": ...}`` (None where the array is empty or all zeros)."""
    p = Path(path)
    try:
        people = json.loads(p.read_text())["people"]
        out: list[dict[str, np.ndarray | None]] = []
        for person in people:
            sides: dict[str, np.ndarray | None] = {}
            for side in ("left", "right"):
                a = np.asarray(person.get(f"hand_{side}_keypoints_2d") or [], np.float32)
                sides[side] = a.reshape(21, 3) if a.size and np.any(a) else None
            out.append(sides)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArposeError(f"{p}: not an OpenPose keypoints file with hands ({exc})") from None
    return out


def coco_results(frames: Iterable[PoseFrame], hands: bool | None = None) -> list[dict[str, Any]]:
    """COCO keypoint detection results: one entry per person per frame.

    ``image_id`` is the frame index; ``score`` the mean visibility of the 17 keypoints;
    ``track_id`` the arpose person id (an extra field COCO tools ignore). ``hands``: add
    COCO-WholeBody's hand fields (``export --hands``); None: when the frame has hands.
    """
    out = []
    for pf in frames:
        for p in pf.poses:
            kp = coco17(p)
            entry = {
                "image_id": int(pf.index),
                "category_id": 1,
                "keypoints": _flat(kp),
                "score": round(float(kp[:, 2].mean()), 4),
                "track_id": int(p.id),
            }
            if (pf.hands_tracked or bool(pf.hands)) if hands is None else hands:
                entry["lefthand_kpts"] = _flat(hand21(p.hand("left")))
                entry["righthand_kpts"] = _flat(hand21(p.hand("right")))
            out.append(entry)
    return out


CSV_COLUMNS: tuple[str, ...] = (
    ("frame", "t", "width", "height", "person")
    + tuple(f"{n}_{c}" for n in LANDMARK_NAMES for c in ("x", "y", "z", "visibility"))
    + tuple(f"{n}_world_{c}" for n in LANDMARK_NAMES for c in ("x", "y", "z"))
)
"""One row per person per frame; a frame with nobody is one row with empty person cells."""

CSV_HAND_COLUMNS: tuple[str, ...] = tuple(
    f"{n}_{c}" for n in HAND_JOINT_NAMES for c in ("x", "y", "z", "visibility")
)
"""Appended to :data:`CSV_COLUMNS` when hands are tracked (``export --hands``): each of the
person's hands, 21 landmarks as x, y pixels, z, visibility (``left_hand_wrist_x``, ...,
``right_pinky_tip_visibility``); empty cells for a hand not found. Without hands the
header is :data:`CSV_COLUMNS` alone, unchanged."""


def csv_rows(frame: PoseFrame, hands: bool = False) -> list[list[Any]]:
    """The rows of one frame; with ``hands`` each row also carries the person's hands
    (:data:`CSV_HAND_COLUMNS`)."""
    head = [int(frame.index), round(float(frame.t), 6), int(frame.size[0]), int(frame.size[1])]
    width = len(CSV_COLUMNS) + (len(CSV_HAND_COLUMNS) if hands else 0)
    if not frame.poses:
        return [head + [""] * (width - len(head))]
    rows = []
    for p in frame.poses:
        lm = _flat(p.landmarks[:, :4], (3, 3, 3, 4))
        world = _flat(p.world, (5, 5, 5))
        row: list[Any] = head + [int(p.id)] + lm + world
        if hands:
            for side in ("left", "right"):
                hand = p.hand(side)
                row += [""] * 84 if hand is None else _flat(hand.landmarks[:, :4], (3, 3, 3, 4))
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- writers


_tmp_name = batch.partial_name


class _Writer:
    """Receives frames, makes the output appear on :meth:`commit`, cleans up on abort."""

    def write(self, frame: PoseFrame) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def commit(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def abort(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class OpenPoseWriter(_Writer):
    """One JSON file per frame, named like OpenPose names them.

    With ``atomic_dir`` the whole folder appears at once on commit (batch exports and
    resume); otherwise files go into ``out_dir`` one by one, each written atomically.
    """

    def __init__(self, out_dir: Path, stem: str, atomic_dir: bool = False, hands: bool = False):
        self.final = out_dir
        self.hands = hands
        self.stem = stem
        self.atomic_dir = atomic_dir
        self.dir = _tmp_name(out_dir) if atomic_dir else out_dir
        if atomic_dir and self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True, exist_ok=True)

    def write(self, frame: PoseFrame) -> None:
        path = self.dir / openpose_filename(self.stem, frame.index)
        text = json.dumps(openpose_json(frame, self.hands), separators=(",", ":"))
        if self.atomic_dir:
            path.write_text(text)
        else:
            tmp = _tmp_name(path)
            tmp.write_text(text)
            os.replace(tmp, path)

    def commit(self) -> None:
        if self.atomic_dir:
            if self.final.exists():
                shutil.rmtree(self.final)
            os.replace(self.dir, self.final)

    def abort(self) -> None:
        if self.atomic_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


class CocoWriter(_Writer):
    """COCO keypoint results (a JSON list) in one file."""

    def __init__(self, path: Path, hands: bool = False):
        self.path = path
        self.hands = hands
        self._results: list[dict[str, Any]] = []

    def write(self, frame: PoseFrame) -> None:
        self._results.extend(coco_results([frame], self.hands))

    def commit(self) -> None:
        tmp = _tmp_name(self.path)
        tmp.write_text(json.dumps(self._results, separators=(",", ":")))
        os.replace(tmp, self.path)

    def abort(self) -> None:
        pass


class CsvWriter(_Writer):
    """The flat CSV, streamed to a temporary file and renamed on commit."""

    def __init__(self, path: Path, hands: bool = False):
        self.path = path
        self.tmp = _tmp_name(path)
        self.hands = hands
        self._f: io.TextIOWrapper | None = open(self.tmp, "w", newline="")
        self._csv = csv.writer(self._f)
        self._csv.writerow(CSV_COLUMNS + (CSV_HAND_COLUMNS if hands else ()))

    def write(self, frame: PoseFrame) -> None:
        self._csv.writerows(csv_rows(frame, self.hands))

    def commit(self) -> None:
        assert self._f is not None
        self._f.close()
        self._f = None
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None
        self.tmp.unlink(missing_ok=True)


def _writer(
    fmt: str,
    output: Path,
    stem: str,
    batch: bool,
    hands: bool = False,
    person: int | None = None,
    source: str | None = None,
) -> _Writer | BvhWriter:
    if fmt == "openpose":
        return OpenPoseWriter(output, stem, atomic_dir=batch, hands=hands)
    if fmt == "coco":
        return CocoWriter(output, hands)
    if fmt == "csv":
        return CsvWriter(output, hands)
    if fmt == "bvh":
        return BvhWriter(output, person=person, hands=hands, source=source)
    raise ExportError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")


# ----------------------------------------------------------------------------- inputs


@dataclass
class ExportResult:
    """What one export produced."""

    input: Path
    output: Path
    frames: int = 0
    people: int = 0
    """Person-frames written."""
    problems: list[str] = field(default_factory=list)
    """Damage found in a recording (each also logged as a warning)."""
    skipped: bool = False
    """True when a batch export found the output already complete."""
    error: str | None = None
    files: list[Path] = field(default_factory=list)
    """The files written when there are several (BVH: one per person)."""


@contextlib.contextmanager
def pose_frames(
    path: str | os.PathLike,
    *,
    raw: bool = False,
    max_people: int = 2,
    model: str | os.PathLike | None = None,
    problems: list[str] | None = None,
    hands: bool = False,
) -> Iterator[Iterator[PoseFrame]]:
    """The PoseFrames of a recording (read as fast as possible) or a video (tracked).

    Args:
        raw: the raw landmarks of a recording, or no smoothing for a video.
        problems: receives a recording's damage reports once iteration is done.
    """
    p = Path(path)
    if is_recording(p):
        rec = Recording(p)

        def frames() -> Iterator[PoseFrame]:
            for r in rec:
                yield r.to_pose_frame(raw=raw)
            if problems is not None:
                problems.extend(rec.problems)

        yield frames()
        return
    # the worker's detectors, reset (arpose.tracking.reuse): one model load per process
    with track_video(p, max_people=max_people, smooth=not raw, model=model, hands=hands) as pipeline:
        yield iter(pipeline)


def default_output(input_path: Path, fmt: str) -> Path:
    """Where ``arpose export`` writes when no ``--output`` is given."""
    if fmt == "openpose":
        return input_path.with_name(f"{input_path.stem}_openpose")
    return input_path.with_suffix({"coco": ".coco.json", "csv": ".csv", "bvh": ".bvh"}[fmt])


def export(
    input_path: str | os.PathLike,
    fmt: str,
    output: str | os.PathLike | None = None,
    *,
    raw: bool = False,
    max_people: int = 2,
    model: str | os.PathLike | None = None,
    progress: Callable[[int], None] | None = None,
    batch: bool = False,
    hands: bool = False,
    person: int | None = None,
) -> ExportResult:
    """Export one recording or video.

    Args:
        fmt: ``"openpose"`` (``output`` is a folder), ``"coco"`` or ``"csv"`` (a file), or
            ``"bvh"`` (see ``person``; a recording without world landmarks is refused).
        progress: called with 1 after each frame (for a progress bar).
        batch: make the OpenPose folder appear atomically (used for folder exports).
        hands: track hands too (a video): OpenPose's hand arrays, COCO-WholeBody hand fields,
            BVH finger joints.
        person: BVH: write only this person (``output`` is their file); otherwise one file
            per person, ``STEM_personID.bvh`` beside ``output``.

    Raises:
        ExportError: unknown format, unwritable output.
        ArposeError: unreadable input (a SourceError or RecordingError).
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    src = Path(input_path)
    out = Path(output) if output is not None else default_output(src, fmt)
    if fmt == "openpose" and out.exists() and not out.is_dir():
        raise ExportError(
            f"{out}: exists and is not a folder (OpenPose export writes one "
            f"JSON file per frame into a folder)"
        )
    if fmt != "openpose" and out.is_dir():
        raise ExportError(
            f"{out}: is a folder; {fmt} export writes one file, e.g. {out / (src.stem + _SUFFIX[fmt])}"
        )
    if not out.parent.exists():
        raise ExportError(f"{out}: folder {out.parent} does not exist")
    result = ExportResult(src, out)
    try:
        writer = _writer(fmt, out, src.stem, batch, hands, person, str(src))
    except OSError as exc:
        raise ExportError(f"{out}: cannot write ({exc.strerror or exc})") from None
    try:
        with pose_frames(
            src, raw=raw, max_people=max_people, model=model, problems=result.problems, hands=hands
        ) as frames:
            for pf in frames:
                writer.write(pf)
                result.frames += 1
                result.people += len(pf.poses)
                if progress is not None:
                    progress(1)
        writer.commit()
        if isinstance(writer, BvhWriter):
            result.files = writer.files
    except OSError as exc:
        writer.abort()
        raise ExportError(f"{out}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        writer.abort()
        raise
    return result


# ----------------------------------------------------------------------------- batches


def batch_inputs(folder: str | os.PathLike) -> list[Path]:
    """The videos and recordings in ``folder`` (not recursive), in name order."""
    d = Path(folder)
    return sorted(
        p for p in d.iterdir() if p.is_file() and (p.suffix.lower() in VIDEO_SUFFIXES or is_recording(p))
    )


def batch_output(out_dir: Path, src: Path, fmt: str) -> Path:
    if fmt == "openpose":
        return out_dir / src.stem
    return out_dir / (src.stem + _SUFFIX[fmt])


def _export_one(args: tuple[str, str, str, bool, int, str | None, bool, int | None]) -> ExportResult:
    """One file of a folder export, in a batch worker (:mod:`arpose.batch`)."""
    src, fmt, out, raw, max_people, model, hands, person = args
    try:
        return export(
            src, fmt, out, raw=raw, max_people=max_people, model=model, batch=True, hands=hands, person=person
        )
    except ArposeError as exc:
        return ExportResult(Path(src), Path(out), error=str(exc))


MANIFEST = ".arpose-export.json"
"""In a folder export's output folder: what each output was made from and what it held
when it was complete. Resume trusts an output only when this says so and it still
holds that; anything else is exported again."""
_LOCK = ".arpose-export.lock"


def _output_check(dst: Path, fmt: str) -> dict[str, int] | None:
    """What a finished output holds: its file count (OpenPose) or byte size."""
    try:
        if fmt == "openpose":
            if not dst.is_dir():
                return None
            return {"files": sum(1 for _ in dst.iterdir())}
        if fmt == "bvh":  # one file per person (STEM_personID.bvh), or STEM.bvh for a chosen one
            files = [f for f in dst.parent.glob(f"{dst.stem}_person*.bvh") if f.is_file()]
            files += [dst] if dst.is_file() else []
            return {"files": len(files), "bytes": sum(f.stat().st_size for f in files)}
        if not dst.is_file():
            return None
        return {"bytes": dst.stat().st_size}
    except OSError:
        return None


def _input_key(
    src: Path,
    fmt: str,
    raw: bool,
    max_people: int,
    model: str | os.PathLike | None,
    hands: bool = False,
    person: int | None = None,
) -> dict[str, Any]:
    st = src.stat()
    key = {
        "input": src.name,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "format": fmt,
        "raw": raw,
        "max_people": max_people,
        "model": None if model is None else str(model),
    }
    if hands:  # absent without hands, so manifests written before hands still match
        key["hands"] = True
    if person is not None:
        key["person"] = person
    return key


def _read_manifest(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / MANIFEST).read_text())
        return data["outputs"] if isinstance(data.get("outputs"), dict) else {}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}


def _write_manifest(out: Path, entries: dict[str, Any]) -> None:
    path = out / MANIFEST
    tmp = _tmp_name(path)
    tmp.write_text(json.dumps({"version": 1, "outputs": entries}, indent=1, sort_keys=True))
    os.replace(tmp, path)


def is_complete(
    out_dir: str | os.PathLike,
    src: str | os.PathLike,
    fmt: str,
    *,
    raw: bool = False,
    max_people: int = 2,
    model: str | os.PathLike | None = None,
    hands: bool = False,
    person: int | None = None,
) -> bool:
    """True when a folder export into ``out_dir`` finished ``src`` with these options and
    the output still holds what it held then (the resume test; a name alone is not
    enough)."""
    out, s = Path(out_dir), Path(src)
    dst = batch_output(out, s, fmt)
    entry = _read_manifest(out).get(dst.name)
    if not isinstance(entry, dict):
        return False
    try:
        key = _input_key(s, fmt, raw, max_people, model, hands, person)
    except OSError:
        return False
    return (
        all(entry.get(k) == v for k, v in key.items())
        and ("hands" in entry) == hands
        and entry.get("person") == person
        and entry.get("output") == _output_check(dst, fmt)
    )


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """One folder export per output folder at a time (a second one fails at once)."""
    try:
        with batch.exclusive(out, _LOCK, "export"):
            yield
    except BatchError as exc:
        raise ExportError(str(exc)) from None


def _remove_partial(dst: Path) -> None:
    tmp = _tmp_name(dst)
    if tmp.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        tmp.unlink(missing_ok=True)
    for f in dst.parent.glob(f".{dst.stem}_person*.bvh.partial"):  # BVH: one per person
        f.unlink(missing_ok=True)


def export_folder(
    folder: str | os.PathLike,
    fmt: str,
    out_dir: str | os.PathLike,
    *,
    raw: bool = False,
    max_people: int = 2,
    model: str | os.PathLike | None = None,
    workers: int | None = None,
    progress: bool = True,
    on_result: Callable[[ExportResult], None] | None = None,
    hands: bool = False,
    person: int | None = None,
    ray: str | None = None,
) -> list[ExportResult]:
    """Export every video and recording in ``folder`` into ``out_dir``, one job each on
    the batch runner (:mod:`arpose.batch`: local processes, or a Ray cluster with ``ray``).

    Resumes: an input is skipped only when the folder's manifest (:data:`MANIFEST`) says
    its output was completed from this same input (size and modification time) with the
    same options, and the output still holds what it held then (:func:`is_complete`);
    anything else is exported again. Workers die with this process (PDEATHSIG on
    Linux), and an interruption (Ctrl+C, SIGTERM) stops them and removes their partial
    outputs; a worker that dies has its file exported again by another. One failing
    input does not stop the others; its :attr:`ExportResult.error` says why.

    Raises:
        ExportError: unknown format, no inputs, an unwritable output folder, or another
            export writing into the same folder.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    try:
        inputs = batch_inputs(folder)
    except OSError as exc:
        raise ExportError(f"{folder}: cannot list the folder ({exc.strerror or exc})") from None
    if not inputs:
        raise ExportError(
            f"{folder}: holds no videos ({', '.join(sorted(VIDEO_SUFFIXES))}) or .arpose recordings"
        )
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ExportError(
            f"{out}: exists and is not a folder (a folder export writes one output per input into a folder)"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise ExportError(f"{out}: output folder is not writable (permission denied)")
    with _exclusive(out):
        return _export_folder_locked(
            inputs,
            fmt,
            out,
            raw=raw,
            max_people=max_people,
            model=model,
            workers=workers,
            progress=progress,
            on_result=on_result,
            hands=hands,
            person=person,
            ray=ray,
        )


def _export_folder_locked(
    inputs: list[Path],
    fmt: str,
    out: Path,
    *,
    raw: bool,
    max_people: int,
    model: str | os.PathLike | None,
    workers: int | None,
    progress: bool,
    on_result: Callable[[ExportResult], None] | None,
    hands: bool = False,
    person: int | None = None,
    ray: str | None = None,
) -> list[ExportResult]:
    manifest = _read_manifest(out)
    results: list[ExportResult] = []
    todo: list[batch.Job] = []
    for src in inputs:
        dst = batch_output(out, src, fmt)
        if is_complete(
            out, src, fmt, raw=raw, max_people=max_people, model=model, hands=hands, person=person
        ):
            results.append(ExportResult(src, dst, skipped=True))
        else:
            if dst.exists():
                log.info("%s: not known to be complete; exporting it again", dst)
            manifest.pop(dst.name, None)
            args = (
                str(src),
                fmt,
                str(dst),
                raw,
                max_people,
                None if model is None else str(model),
                hands,
                person,
            )
            todo.append(batch.Job(dst.name, args))
    if todo:
        _write_manifest(out, manifest)  # forget outputs about to be replaced
    from tqdm import tqdm  # lazy: only folder exports show a progress bar

    bar = tqdm(
        total=len(inputs), initial=len(results), unit="file", disable=not progress, desc=f"export {fmt}"
    )
    if results:
        bar.set_postfix_str(f"{len(results)} already done")
    try:
        for _, res in batch.run(_export_one, todo, workers=workers, ray=ray):
            results.append(res)
            if res.error is None:
                manifest[res.output.name] = {
                    **_input_key(res.input, fmt, raw, max_people, model, hands, person),
                    "frames": res.frames,
                    "output": _output_check(res.output, fmt),
                }
                _write_manifest(out, manifest)
            if on_result is not None:
                on_result(res)
            bar.update(1)
    except BaseException:
        for pending in todo:
            _remove_partial(Path(pending.args[2]))
        raise
    finally:
        bar.close()
    order = {p: i for i, p in enumerate(inputs)}
    results.sort(key=lambda r: order.get(r.input, 0))
    return results


__all__ = [
    "FORMATS",
    "OPENPOSE_VERSION",
    "CSV_COLUMNS",
    "CSV_HAND_COLUMNS",
    "ExportResult",
    "body25",
    "coco17",
    "openpose_json",
    "openpose_filename",
    "read_openpose",
    "coco_results",
    "csv_rows",
    "pose_frames",
    "export",
    "export_folder",
    "batch_inputs",
    "default_output",
    "is_complete",
    "MANIFEST",
    "OpenPoseWriter",
    "CocoWriter",
    "CsvWriter",
]
