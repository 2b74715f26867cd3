"""The ``hands`` section of ``arpose bench``: what hand tracking costs.

The same video through the same pipeline with hands off and on, interleaved in one run
(the machines are shared and noisy: the ratio is the result, not the milliseconds):
pipeline FPS (every frame processed), inference ms per frame, and the live latency
(the video played in real time, newest frame wins) of each; the cost per hand is the extra
hand model's time per hand region it ran on (and per hand found). Target: with two people's hands,
at least 0.6x the body-only FPS.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..sources import VideoFile
from ..tracking.pipeline import track
from . import latest_frames


def _pipelined(video: Path, hands: bool, max_people: int, max_frames: int | None) -> dict[str, Any]:
    inference: list[float] = []
    found: list[int] = []
    hand_ms: list[float] = []
    crops: list[int] = []
    with track(video, drop_frames=False, max_people=max_people, hands=hands, keep_images=False) as pipeline:
        start = time.perf_counter()
        for pf in pipeline:
            inference.append(pf.stats.inference_ms)
            found.append(len(pf.hands))
            hand_ms.append(pf.stats.hand_ms)
            crops.append(pf.stats.hand_crops)
            if max_frames is not None and len(inference) >= max_frames:
                break
        elapsed = time.perf_counter() - start
    n = len(inference)
    return {
        "fps": n / elapsed if elapsed else math.nan,
        "frames": n,
        "inference_ms": inference,
        "hands": found,
        "hand_ms": hand_ms,
        "crops": crops,
    }


def _live(video: Path, hands: bool, max_people: int, fps: float, max_frames: int | None) -> list[float]:
    source = VideoFile(video, realtime=True, max_fps=fps)
    latency: list[float] = []
    with track(source, drop_frames=True, max_people=max_people, hands=hands) as pipeline:
        for pf in latest_frames(pipeline):
            latency.append(pf.stats.latency_ms)
            if max_frames is not None and len(latency) >= max_frames:
                break
    return latency


MIN_FOUND_HANDS = 10
"""Fewer hands found in the whole run: no cost per found hand is reported (one hand in
150 frames made it "361 ms per found hand" beside "0.0 hands per frame")."""


def bench_hands(video: Path, options: dict[str, Any]) -> dict[str, Any]:
    rounds = int(options.get("rounds", 2))
    max_frames = options.get("max_frames")
    max_people = int(options.get("max_people", 2))
    off: list[dict[str, Any]] = []
    on: list[dict[str, Any]] = []
    for _ in range(rounds):  # interleaved, so both see the same machine load
        off.append(_pipelined(video, False, max_people, max_frames))
        on.append(_pipelined(video, True, max_people, max_frames))
    lat_off = _live(video, False, max_people, float(options.get("live_fps", 30.0)), max_frames)
    lat_on = _live(video, True, max_people, float(options.get("live_fps", 30.0)), max_frames)
    best_off = max(off, key=lambda r: r["fps"])
    best_on = max(on, key=lambda r: r["fps"])
    inf_off = np.mean([ms for r in off for ms in r["inference_ms"]])
    inf_on = np.mean([ms for r in on for ms in r["inference_ms"]])
    hands_per_frame = float(np.mean([h for r in on for h in r["hands"]]))
    crops = sum(c for r in on for c in r["crops"])
    hand_ms = sum(ms for r in on for ms in r["hand_ms"])
    found = int(sum(h for r in on for h in r["hands"]))
    out = {
        "frames": best_on["frames"],
        "max_people": max_people,
        "hands_per_frame": hands_per_frame,
        "body_fps": best_off["fps"],
        "hands_fps": best_on["fps"],
        "hands_vs_body_fps": best_on["fps"] / best_off["fps"],
        "body_inference_ms_mean": float(inf_off),
        "hands_inference_ms_mean": float(inf_on),
        "hand_crops_per_frame": crops / max(sum(len(r["crops"]) for r in on), 1),
        "hand_ms_per_crop": hand_ms / crops if crops else math.nan,
        "hands_found": found,
        "hand_ms_per_found_hand": hand_ms / found if found >= MIN_FOUND_HANDS else math.nan,
        "body_latency_ms_p50": float(np.percentile(lat_off, 50)) if lat_off else math.nan,
        "hands_latency_ms_p50": float(np.percentile(lat_on, 50)) if lat_on else math.nan,
        "hands_vs_body_latency_p50": (
            float(np.percentile(lat_on, 50) / np.percentile(lat_off, 50)) if lat_on and lat_off else math.nan
        ),
    }
    if found < MIN_FOUND_HANDS:
        out["note"] = (
            f"only {found} hand(s) found in this video: too few to time per hand; "
            f"measure on a video with hands in view (--video)"
        )
    return out


__all__ = ["bench_hands"]
