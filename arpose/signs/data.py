"""Sign samples from files: arpose's own sample CSVs, keypoint CSVs of the
hand-gesture-recognition-using-mediapipe family (with a label file), and the shared
one-signer alphabet npz; plus splitting by blocks of consecutive rows.

Every malformed file, row or label gives one :class:`arpose.errors.SignError` line naming
the file and row.

Formats:

- **keypoint CSV** (no header): ``class_index, x0, y0, ..., x20, y20`` (42 numbers, 2D,
  wrist-relative, scaled by the largest absolute value), or ``class_index`` plus 16 points
  (32 numbers) of a fingertip trajectory (``point_history.csv``). Class names come from a
  label file (one name per line; a UTF-8 byte-order mark is allowed).
- **arpose sample CSV** (written by ``arpose signs record``): a header
  ``label,side,x0,y0,...,x20,y20`` then one hand per row in pixels.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SignError
from .features import NUM_POINTS, STATIC_SPEC, TRAJECTORY_LEN, TRAJECTORY_SPEC

SAMPLE_HEADER = ["label", "side"] + [f"{a}{i}" for i in range(NUM_POINTS) for a in "xy"]


@dataclass(frozen=True, eq=False)
class Samples:
    """Labelled samples of one kind.

    Attributes:
        spec: :data:`arpose.signs.features.STATIC_SPEC` (``raw`` is ``(N, 21, 2)``) or
            :data:`arpose.signs.features.TRAJECTORY_SPEC` (``(N, 16, 2)``).
        labels: ``(N,)`` class names.
        order: ``(N,)`` position in its recording (row or frame number): blocks split on it.
        mirror: ``(N,)`` true for left hands (flip onto a right hand), when known.
    """

    spec: str
    raw: np.ndarray
    labels: np.ndarray
    order: np.ndarray
    mirror: np.ndarray
    source: str

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, mask: np.ndarray) -> Samples:
        return Samples(
            self.spec, self.raw[mask], self.labels[mask], self.order[mask], self.mirror[mask], self.source
        )

    @property
    def classes(self) -> list[str]:
        """Class names in order of first appearance."""
        return list(dict.fromkeys(self.labels.tolist()))


def read_labels(path: str | Path) -> list[str]:
    """Class names, one per line (first CSV column); a UTF-8 BOM and blank trailing lines
    are allowed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SignError(f"{path}: cannot read the label file ({exc})") from exc
    names: list[str] = []
    for i, row in enumerate(csv.reader(text.splitlines()), start=1):
        name = row[0].strip() if row else ""
        if not name:
            if any(r.strip() for r in text.splitlines()[i:]):
                raise SignError(f"{path}: row {i}: empty class name")
            break
        names.append(name)
    if not names:
        raise SignError(f"{path}: the label file names no classes")
    if len(set(names)) != len(names):
        raise SignError(f"{path}: a class name appears twice")
    return names


def read_keypoint_csv(path: str | Path, labels: Sequence[str] | None = None) -> Samples:
    """A keypoint CSV (hands: 42 numbers per row; trajectories: 32) with class names from
    ``labels`` (a list; class indices name themselves when it is None)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SignError(f"{path}: cannot read the keypoint CSV ({exc})") from exc
    values: list[list[float]] = []
    idx: list[int] = []
    width = None
    for i, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not any(c.strip() for c in row):
            continue
        try:
            k = int(row[0])
            nums = [float(c) for c in row[1:]]
        except ValueError:
            raise SignError(
                f"{path}: row {i}: expected a class index and numbers, got {','.join(row)[:60]!r}"
            ) from None
        if width is None:
            width = len(nums)
            if width not in (2 * NUM_POINTS, 2 * TRAJECTORY_LEN):
                raise SignError(
                    f"{path}: row {i}: {width} numbers; a keypoint CSV row has {2 * NUM_POINTS} "
                    f"(hand x, y) or {2 * TRAJECTORY_LEN} (fingertip history)"
                )
        elif len(nums) != width:
            raise SignError(f"{path}: row {i}: {len(nums)} numbers, the rows above have {width}")
        if not np.all(np.isfinite(nums)):
            raise SignError(f"{path}: row {i}: a value is not a finite number")
        if k < 0 or (labels is not None and k >= len(labels)):
            n = "?" if labels is None else len(labels)
            raise SignError(f"{path}: row {i}: class index {k} is not in the label file ({n} classes)")
        values.append(nums)
        idx.append(k)
    if not values:
        raise SignError(f"{path}: no rows")
    arr = np.asarray(values, np.float64)
    names = [str(k) for k in range(max(idx) + 1)] if labels is None else list(labels)
    spec = STATIC_SPEC if width == 2 * NUM_POINTS else TRAJECTORY_SPEC
    raw = arr.reshape(len(arr), -1, 2)
    return Samples(
        spec,
        raw,
        np.asarray([names[k] for k in idx]),
        np.arange(len(arr)),
        np.zeros(len(arr), bool),
        str(path),
    )


def read_samples(path: str | Path) -> Samples:
    """An arpose sample CSV (see ``arpose signs record``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SignError(f"{path}: cannot read the samples ({exc})") from exc
    rows = list(csv.reader(text.splitlines()))
    if not rows or [c.strip() for c in rows[0]] != SAMPLE_HEADER:
        raise SignError(f"{path}: row 1: not an arpose sample header (label,side,x0,y0,...,x20,y20)")
    labels, sides, values = [], [], []
    for i, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(SAMPLE_HEADER):
            raise SignError(f"{path}: row {i}: {len(row)} fields, expected {len(SAMPLE_HEADER)}")
        label, side = row[0].strip(), row[1].strip()
        if not label:
            raise SignError(f"{path}: row {i}: empty label")
        if side not in ("left", "right", ""):
            raise SignError(f"{path}: row {i}: side must be left, right or empty, not {side!r}")
        try:
            nums = [float(c) for c in row[2:]]
        except ValueError:
            raise SignError(f"{path}: row {i}: a coordinate is not a number") from None
        if not np.all(np.isfinite(nums)):
            raise SignError(f"{path}: row {i}: a coordinate is not a finite number")
        labels.append(label)
        sides.append(side == "left")
        values.append(nums)
    if not values:
        raise SignError(f"{path}: no samples")
    raw = np.asarray(values, np.float64).reshape(-1, NUM_POINTS, 2)
    return Samples(STATIC_SPEC, raw, np.asarray(labels), np.arange(len(raw)), np.asarray(sides), str(path))


def write_samples(path: str | Path, label: str, hands: Sequence[tuple[str, np.ndarray]]) -> int:
    """Append ``(side, (21, >=2) pixels)`` hands labelled ``label`` to a sample CSV
    (created with its header); returns the number written."""
    path = Path(path)
    new = not path.exists() or path.stat().st_size == 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            if new:
                w.writerow(SAMPLE_HEADER)
            for side, pts in hands:
                xy = np.asarray(pts, np.float64)[:, :2].reshape(-1)
                w.writerow([label, side, *(f"{v:.2f}" for v in xy)])
    except OSError as exc:
        raise SignError(f"{path}: cannot write samples ({exc.strerror or exc})") from exc
    return len(hands)


def load_alphabet(path: str | Path, aspect: float = 16 / 9, *, depth: bool = False) -> Samples:
    """The shared one-signer alphabet npz as x, y in pixel-like units: x (normalised by the
    image width) times ``aspect`` (width / height; the source's 16:9 is an estimate: it
    makes the hand's bone lengths most consistent), y as is. ``order`` is the frame.
    With ``depth``, ``raw`` is ``(N, 21, 3)``: z (in units of the width, like x) times
    ``aspect`` too, for turning the hands out of the image plane
    (:func:`arpose.signs.features.augment_hands_3d`); features read x, y only."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            lm, letter, frame = z["landmarks"], z["letter"], z["frame"]
    except (OSError, ValueError, KeyError) as exc:
        raise SignError(f"{path}: not the alphabet npz (landmarks, letter, frame): {exc}") from exc
    raw = np.asarray(lm, np.float64)[..., : 3 if depth else 2].copy()
    raw[..., 0] *= aspect
    if depth:
        raw[..., 2] *= aspect
    return Samples(
        STATIC_SPEC,
        raw,
        np.asarray(letter).astype(str),
        np.asarray(frame),
        np.zeros(len(raw), bool),
        str(path),
    )


def load_data(paths: Sequence[str | Path], labels: str | Path | None = None) -> Samples:
    """Samples from several files of one kind: sample CSVs, keypoint CSVs (``labels``
    names their classes) or the alphabet npz. ``order`` keeps each file's rows apart."""
    names = read_labels(labels) if labels is not None else None
    parts: list[Samples] = []
    for p in paths:
        p = Path(p)
        if p.suffix.lower() == ".npz":
            parts.append(load_alphabet(p))
            continue
        try:
            with p.open(encoding="utf-8-sig") as f:
                first = f.readline()
        except (OSError, UnicodeDecodeError) as exc:
            raise SignError(f"{p}: cannot read ({exc})") from exc
        if first.startswith("label,"):
            parts.append(read_samples(p))
        else:
            parts.append(read_keypoint_csv(p, names))
    if not parts:
        raise SignError("no data files given")
    specs = {s.spec for s in parts}
    if len(specs) > 1:
        raise SignError("the data files mix hand shapes and fingertip trajectories: train them apart")
    offset = 0
    orders = []
    for s in parts:
        orders.append(s.order + offset)
        offset += int(s.order.max()) + 1 + 10**6
    return Samples(
        parts[0].spec,
        np.concatenate([s.raw for s in parts]),
        np.concatenate([s.labels for s in parts]),
        np.concatenate(orders),
        np.concatenate([s.mirror for s in parts]),
        ", ".join(s.source for s in parts),
    )


def block_folds(samples: Samples, blocks: int = 5) -> np.ndarray:
    """``(N,)`` fold number in ``[0, blocks)``: each class's samples, sorted by ``order``,
    cut into ``blocks`` contiguous runs (never a random split of near-duplicate frames)."""
    fold = np.zeros(len(samples), np.int64)
    for c in samples.classes:
        idx = np.flatnonzero(samples.labels == c)
        idx = idx[np.argsort(samples.order[idx], kind="stable")]
        fold[idx] = np.minimum(np.arange(len(idx)) * blocks // max(len(idx), 1), blocks - 1)
    return fold


__all__ = [
    "Samples",
    "read_labels",
    "read_keypoint_csv",
    "read_samples",
    "write_samples",
    "load_alphabet",
    "load_data",
    "block_folds",
]
