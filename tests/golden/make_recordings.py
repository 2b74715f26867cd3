"""How the golden ``.arpose`` recordings in this folder were made (kept for the record).

The files are a contract: today's reader must read them as they are. Do not regenerate
them to make a test pass; add a new file when the format gains something.

    # recording_v1_before_hands.arpose: the writer as released before hand tracking
    git archive 0c61c29^ arpose | tar -x -C /tmp/old
    cd /tmp && PYTHONPATH=/tmp/old python REPO/tests/golden/make_recordings.py before_hands OUT
    # recording_v1_hands.arpose and recording_v1_unknown_record.arpose: the writer of
    # format version 1 with hands (commit 0c61c29 onwards)
    python tests/golden/make_recordings.py hands OUT
    python tests/golden/make_recordings.py unknown_record OUT

The landmark values follow the formulas below (exact in float32), so the tests can check
every value, not just the counts; tests/unit/test_record_golden.py holds the same formulas.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

import numpy as np

from arpose.pose import Hand, Pose, PoseFrame
from arpose.record import Recorder, Recording

SIZE = (640, 480)


def body(person: int, frame: int, raw: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(landmarks (33, 5), world (33, 3)) of one person in one frame."""
    j = np.arange(33, dtype=np.float64)
    lm = np.stack(
        [
            100 + 10 * j + frame + 0.25 * person + (0.5 if raw else 0.0),
            400 - 5 * j + 50 * person,
            -j / 64,
            0.5 + j / 128,
            1 - j / 256,
        ],
        axis=1,
    )
    world = np.stack([(j - 16) / 32, -j / 64 + person, np.full(33, frame / 8)], axis=1)
    return lm.astype(np.float32), world.astype(np.float32)


def hand(side: str, frame: int) -> tuple[np.ndarray, np.ndarray]:
    """(landmarks (21, 4), world (21, 3)) of one hand in one frame."""
    k = np.arange(21, dtype=np.float64)
    lm = np.stack(
        [300 + 4 * k + (20 if side == "right" else 0) + frame, 200 - 3 * k, -k / 32, 1 - k / 64], axis=1
    )
    world = np.stack([k / 128, -k / 256, np.full(21, 1 / 16)], axis=1)
    return lm.astype(np.float32), world.astype(np.float32)


def pose(person: int, frame: int, raw: bool = False) -> Pose:
    return Pose(*body(person, frame, raw), id=person)


def before_hands(out: Path) -> None:
    """Three frames: person 3; persons 3 and 7; nobody. Raw poses beside smoothed ones."""
    people = [(3,), (3, 7), ()]
    with Recorder(out, fps=30.0, source="golden", fsync_s=0) as rec:
        for i, ids in enumerate(people):
            rec.write(
                PoseFrame(
                    i / 30,
                    i,
                    SIZE,
                    tuple(pose(p, i) for p in ids),
                    raw=tuple(pose(p, i, raw=True) for p in ids),
                )
            )


def hands(out: Path) -> None:
    """Three frames of person 3: with a left hand on the body and a lone right hand;
    hands tracked but none found; hand tracking off."""
    with Recorder(out, fps=30.0, source="golden", fsync_s=0) as rec:
        left = Hand(*hand("left", 0), side="left", score=0.75, person=3, id=1)
        lone = Hand(hand("right", 0)[0], None, side="right", score=0.5, person=None, id=2)
        p = pose(3, 0).with_hands((left,))
        rec.write(PoseFrame(0.0, 0, SIZE, (p,), raw=(p,), hands=(left, lone), hands_tracked=True))
        rec.write(PoseFrame(1 / 30, 1, SIZE, (pose(3, 1),), hands_tracked=True))
        rec.write(PoseFrame(2 / 30, 2, SIZE, (pose(3, 2),)))


def unknown_record(out: Path) -> None:
    """Two frames of person 3 with a record kind no reader knows yet (b"ARPZ") between
    them: readers skip it (room for additions without a format version bump)."""
    with Recorder(out, fps=30.0, source="golden", fsync_s=0) as rec:
        rec.write(PoseFrame(0.0, 0, SIZE, (pose(3, 0),)))
        rec.write(PoseFrame(1 / 30, 1, SIZE, (pose(3, 1),)))
    second = Recording(out).frames()[1].offset
    payload = b"a record from a newer writer"
    crc = zlib.crc32(payload, zlib.crc32(b"ARPZ"))
    data = out.read_bytes()
    out.write_bytes(
        data[:second] + struct.pack("<4sII", b"ARPZ", len(payload), crc) + payload + data[second:]
    )


if __name__ == "__main__":
    kind, folder = sys.argv[1], Path(sys.argv[2])
    {"before_hands": before_hands, "hands": hands, "unknown_record": unknown_record}[kind](
        folder / f"recording_v1_{kind}.arpose"
    )
