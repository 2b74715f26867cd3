"""The ``tracking`` section of ``arpose bench``: model inference ms, pipeline throughput
against a naive single-threaded loop (read, convert, infer, draw), end-to-end latency on
a camera-paced replay, filter cost."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import cv2

from ..pose import PoseFrame
from ..render.annotate import draw_skeleton
from ..sources import VideoFile
from ..tracking.detector import DetectorOptions, PoseDetector
from ..tracking.pipeline import track
from . import latest_frames, percentile


def run_naive(video: Path, max_frames: int | None = None) -> dict[str, float]:
    """The popular single-threaded loop: read, convert, infer, draw, one after another."""
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    n = 0
    with PoseDetector(DetectorOptions(num_poses=2)) as tracker:
        start = time.perf_counter()
        while max_frames is None or n < max_frames:
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            det = tracker.detect(rgb, n / fps)
            h, w = rgb.shape[:2]
            draw_skeleton(rgb, PoseFrame(n / fps, n, (w, h), det.poses))
            n += 1
        elapsed = time.perf_counter() - start
    cap.release()
    return {
        "frames": n,
        "seconds": elapsed,
        "fps": n / elapsed if elapsed else math.nan,
        "ms_per_frame": 1000 * elapsed / max(n, 1),
    }


def run_pipelined(video: Path, max_frames: int | None = None) -> dict[str, Any]:
    """The same work through :class:`Pipeline`: capture, inference and drawing overlap."""
    inference, filt = [], []
    n = 0
    with track(video, drop_frames=False) as pipeline:
        start = time.perf_counter()
        for pf in pipeline:
            if pf.image is not None:
                draw_skeleton(pf.image, pf)
            inference.append(pf.stats.inference_ms)
            filt.append(pf.stats.filter_ms)
            n += 1
            if max_frames is not None and n >= max_frames:
                break
        elapsed = time.perf_counter() - start
    return {
        "frames": n,
        "seconds": elapsed,
        "fps": n / elapsed if elapsed else math.nan,
        "inference_ms": inference,
        "filter_ms": filt,
    }


def run_live(video: Path, fps: float, max_frames: int | None = None) -> dict[str, Any]:
    """A camera-like run: the video is played at ``fps`` in real time, stale frames are
    dropped, and the consumer takes the newest result, as the live mirror does."""
    source = VideoFile(video, realtime=True, max_fps=fps)
    latency, inference = [], []
    with track(source, drop_frames=True) as pipeline:
        for pf in latest_frames(pipeline):
            if pf.image is not None:
                draw_skeleton(pf.image, pf)
            latency.append(pf.stats.latency_ms)
            inference.append(pf.stats.inference_ms)
            if max_frames is not None and len(latency) >= max_frames:
                break
        dropped = pipeline.dropped
    return {
        "frames": len(latency),
        "latency_ms": latency,
        "inference_ms": inference,
        "dropped": dropped,
        "source_fps": source.fps / source._step,
    }


def bench_tracking(video: Path, options: dict[str, Any]) -> dict[str, Any]:
    rounds = int(options.get("rounds", 2))
    max_frames = options.get("max_frames")
    naive, piped = [], []
    for _ in range(rounds):  # interleaved, so both see the same machine load
        naive.append(run_naive(video, max_frames))
        piped.append(run_pipelined(video, max_frames))
    best_naive = max(naive, key=lambda r: r["fps"])
    best_piped = max(piped, key=lambda r: r["fps"])
    live = run_live(video, float(options.get("live_fps", 30.0)), max_frames)
    inference = [ms for r in piped for ms in r["inference_ms"]] + live["inference_ms"]
    inf_p95 = percentile(inference, 95)
    lat_p95 = percentile(live["latency_ms"], 95)
    return {
        "frames": best_piped["frames"],
        "inference_ms_p50": percentile(inference, 50),
        "inference_ms_p95": inf_p95,
        "naive_fps": best_naive["fps"],
        "pipeline_fps": best_piped["fps"],
        "pipeline_vs_naive": best_piped["fps"] / best_naive["fps"],
        "live_fps": live["source_fps"],
        "latency_ms_p50": percentile(live["latency_ms"], 50),
        "latency_ms_p95": lat_p95,
        "latency_p95_vs_inference_p95": lat_p95 / inf_p95,
        "live_dropped_frames": live["dropped"],
        "filter_ms_p50": percentile(best_piped["filter_ms"], 50),
        "filter_ms_p95": percentile(best_piped["filter_ms"], 95),
    }
