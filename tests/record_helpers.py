"""Synthetic recordings for the recording, export and stream tests (no model needed):
frames with 0, 1 or 2 people whose raw poses differ from the smoothed ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from arpose.pose import Pose, PoseFrame
from arpose.record import Recorder


def make_pose(rng: np.random.Generator, pid: int, w: int = 640, h: int = 480) -> Pose:
    lm = np.empty((33, 5), np.float32)
    lm[:, 0] = rng.uniform(0, w, 33)
    lm[:, 1] = rng.uniform(0, h, 33)
    lm[:, 2] = rng.uniform(-200, 200, 33)
    lm[:, 3:5] = rng.uniform(0, 1, (33, 2))
    return Pose(lm, rng.normal(0, 0.5, (33, 3)).astype(np.float32), pid)


def make_frames(n: int = 20, seed: int = 0, fps: float = 50.0) -> list[tuple[PoseFrame, tuple]]:
    """Synthetic frames with 0, 1 or 2 people, and raw poses that differ from smoothed."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        people = tuple(make_pose(rng, pid) for pid in range(i % 3))
        raw = tuple(
            Pose(p.landmarks + rng.normal(0, 2, (33, 5)).astype(np.float32), p.world, p.id) for p in people
        )
        out.append((PoseFrame(t=1.5 + i / fps, index=i, size=(640, 480), poses=people), raw))
    return out


def write(path: Path, frames, **kw) -> Path:
    with Recorder(path, fps=50.0, source="synthetic", **kw) as rec:
        for pf, raw in frames:
            assert rec.write(pf, raw)
    return path
