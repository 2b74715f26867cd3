"""The ``signs`` section of ``arpose bench``: what reading hand signs costs, per hand per
frame, against the tracking that finds the hands, in the same run.

The video is tracked with hands on (every frame); then the tracked frames are read again
and again by the built-in ``asl-letters`` model, alone (features + classifier + rejection
per hand) and as the full :class:`arpose.signs.reader.SignReader` (plus the fingertip
movement model and the spelling buffer). When the video shows too few hands, synthetic
hands of the same frames' count stand in (the cost does not depend on the shape).
Target: at most 1 ms per hand per frame.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from ..pose import PoseFrame
from ..signs.classifier import load_model
from ..signs.reader import SignReader, read_hands
from ..testing.hands import SHAPES, shape_hand
from ..tracking.pipeline import track


def _with_hands(frames: list[PoseFrame]) -> list[PoseFrame]:
    """The frames, each given one synthetic hand when tracking found none."""
    names = list(SHAPES)
    out = []
    for i, pf in enumerate(frames):
        if pf.hands:
            out.append(pf)
            continue
        hand = shape_hand(names[i % len(names)], center=(320.0 + i % 7, 240.0), rotation=0.1 * (i % 5))
        out.append(PoseFrame(pf.t, pf.index, pf.size, pf.poses, hands=(hand,), hands_tracked=True))
    return out


def bench_signs(video: Path, options: dict[str, Any]) -> dict[str, Any]:
    max_frames = int(options.get("max_frames") or 150)
    repeats = int(options.get("repeats", 5))
    frames: list[PoseFrame] = []
    track_ms: list[float] = []
    with track(video, drop_frames=False, max_people=2, hands=True, keep_images=False) as pipeline:
        for pf in pipeline:
            frames.append(pf)
            track_ms.append(pf.stats.inference_ms)
            if len(frames) >= max_frames:
                break
    tracked_hands = sum(len(pf.hands) for pf in frames)
    frames = _with_hands(frames)
    hands = sum(len(pf.hands) for pf in frames)
    model = load_model("asl-letters")
    read_hands(model, frames[0].hands)  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        for pf in frames:
            read_hands(model, pf.hands)
    classify_s = time.perf_counter() - start
    reader = SignReader(model, movement="fingertip-gestures")
    start = time.perf_counter()
    for _ in range(repeats):
        for pf in frames:
            reader.update(pf)
    reader_s = time.perf_counter() - start
    per_hand = 1000.0 * classify_s / (repeats * max(hands, 1))
    tracking = float(np.mean(track_ms)) if track_ms else float("nan")
    return {
        "frames": len(frames),
        "tracked_hands": tracked_hands,
        "hands_read": hands,
        "tracking_ms_per_frame": tracking,
        "recognition_ms_per_hand": per_hand,
        "reader_ms_per_frame": 1000.0 * reader_s / (repeats * max(len(frames), 1)),
        "recognition_vs_tracking": per_hand / tracking if tracking else float("nan"),
        "target_ms_per_hand": 1.0,
        "meets_target": per_hand <= 1.0,
    }


__all__ = ["bench_signs"]
