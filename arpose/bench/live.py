"""The ``live`` section of ``arpose bench``: the camera-to-screen latency budget, in parts.

A video is replayed at a camera's pace (30 FPS by default, latest wins, stale frames
dropped) through the real pipeline, and each newest result is drawn by the real offscreen
renderer (a small AR scene: sprites and meshes on joints), as the live mirror does:

- capture -> landmarks: the frame leaving the source to its smoothed landmarks being
  published (inference plus queueing), p50 / p95;
- the filter's delay: the zero-phase lag of the default smoother on the clip taken at
  the live rate, in ms (NaN when the clip has too little motion to see it);
- landmarks -> drawn frame: publication to the rendered, read-back frame;
- the total motion-to-photon budget minus the camera and the display: the sum.

All against one inference of one model alone (decoded frames, one thread, nothing else),
measured in the same run. One inference thread is compared with two (two make each
inference slower on two cores). The render-time extrapolation of anchors
(:func:`arpose.scene.anchors.extrapolate`) is checked against the next real result: the
error of the drawn position with and without it, in body sizes.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..metrics import zero_phase_lag
from ..pose import VIS, Pose
from ..render.renderer import Renderer
from ..scene.anchors import extrapolate
from ..sources import VideoFile
from ..tracking.detector import DetectorOptions, PoseDetector
from ..tracking.identity import PersonTracker
from ..tracking.pipeline import track
from . import latest_frames, percentile
from .filters import RawTrack, resmooth_track, track_raw
from .render import build_scene

MAX_EXTRAPOLATION_S = 0.1  # JointAnchor's default
log = logging.getLogger(__name__)


def inference_alone(video: Path, frames: int = 60, max_people: int = 2) -> list[float]:
    """Milliseconds of one ``detect`` call of one model, alone: the baseline."""
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    images: list[np.ndarray] = []
    while len(images) < frames:
        ok, bgr = cap.read()
        if not ok:
            break
        images.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    out = []
    with PoseDetector(DetectorOptions(num_poses=max_people)) as tracker:
        for i, img in enumerate(images):
            t0 = time.perf_counter()
            tracker.detect(img, i / fps)
            out.append((time.perf_counter() - t0) * 1000.0)
    return out[3:] if len(out) > 6 else out  # the first calls warm the model up


def _main(poses: tuple[Pose, ...], pid: int | None) -> Pose | None:
    if pid is not None:
        return next((p for p in poses if p.id == pid), None)
    return max(poses, key=lambda p: p.body_size) if poses else None


def live_run(
    video: Path, fps: float, workers: int, max_frames: int | None = None, render: bool = True
) -> dict[str, Any]:
    """One camera-paced replay with ``workers`` inference threads; per drawn result the
    latency parts, plus the main person's raw and smoothed tracks for the checks."""
    source = VideoFile(video, realtime=True, max_fps=fps)
    cap_to_lm, lm_to_drawn, total, inference = [], [], [], []
    ts: list[float] = []
    smooth: list[np.ndarray] = []
    raw: list[np.ndarray] = []
    sizes: list[float] = []
    vis: list[np.ndarray] = []
    pid: int | None = None
    renderer = None
    scene = build_scene(sprites=10, meshes=2) if render else None
    try:
        with track(source, drop_frames=True, workers=workers) as pipeline:
            for pf in latest_frames(pipeline):
                available = pf.stats.captured_at + pf.stats.latency_ms / 1000.0
                if render:
                    if renderer is None:
                        renderer = Renderer.offscreen(pf.size)
                    renderer.render(scene, pf, read=True)
                drawn = time.monotonic()
                cap_to_lm.append(pf.stats.latency_ms)
                lm_to_drawn.append((drawn - available) * 1000.0)
                total.append((drawn - pf.stats.captured_at) * 1000.0)
                inference.append(pf.stats.inference_ms)
                p = _main(pf.poses, pid)
                if p is not None:
                    pid = p.id
                    r = next((q for q in pf.raw if q.id == p.id), None)
                    if r is not None:
                        ts.append(pf.t)
                        smooth.append(p.landmarks[:, :2].astype(np.float64))
                        raw.append(r.landmarks[:, :2].astype(np.float64))
                        vis.append(r.landmarks[:, VIS].astype(np.float64))
                        sizes.append(r.body_size)
                if max_frames is not None and len(total) >= max_frames:
                    break
            dropped = pipeline.dropped
    finally:
        if renderer is not None:
            renderer.release()
    return {
        "workers": workers,
        "frames": len(total),
        "dropped": dropped,
        "source_fps": source.fps / source._step,
        "capture_to_landmarks_ms": cap_to_lm,
        "landmarks_to_drawn_ms": lm_to_drawn,
        "total_ms": total,
        "inference_ms": inference,
        "t": np.asarray(ts),
        "smooth": np.asarray(smooth),
        "raw": np.asarray(raw),
        "vis": np.asarray(vis),
        "size": np.asarray(sizes),
    }


def filter_delay_ms(video: Path, step: int, fps: float) -> float:
    """The default smoother's delay at the live rate: the zero-phase lag (frames) of the
    smoothed against the raw landmarks of ``video`` taken every ``step``-th frame (what a
    camera-paced replay delivers), times the frame interval. NaN when the clip has too
    little motion for the metric to see a lag."""
    track = track_raw(video)
    keep = np.arange(0, len(track.t), max(step, 1))
    sub = RawTrack(
        track.t[keep], track.present[keep], track.landmarks[keep], track.world[keep], fps, track.name
    )
    if sub.present.sum() < 30:
        return math.nan
    raw, smooth, vis = resmooth_track(sub, PersonTracker())
    good = (vis >= 0.5).all(axis=0)
    if not good.any():
        return math.nan
    return zero_phase_lag(raw[:, good], smooth[:, good]) * 1000.0 / fps


def extrapolation_error(run: dict[str, Any]) -> dict[str, float]:
    """Drawn position (from result i, at the time result i+1 arrives) against result i+1,
    with and without extrapolation; mean error in body sizes over visible landmarks."""
    t, p, size = run["t"], run["smooth"], run["size"]
    if len(t) < 3:
        return {"extrapolation_error_body": math.nan, "hold_error_body": math.nan}
    good = (run["vis"] >= 0.5).all(axis=0)
    with_x, without = [], []
    for i in range(1, len(t) - 1):
        dt_prev, dt_next = t[i] - t[i - 1], t[i + 1] - t[i]
        if not (0 < dt_prev <= 0.5 and dt_next > 0):
            continue
        v = (p[i] - p[i - 1]) / dt_prev
        drawn = extrapolate(p[i], v, dt_next, MAX_EXTRAPOLATION_S)
        s = max(float(size[i]), 1.0)
        with_x.append(float(np.linalg.norm(drawn - p[i + 1], axis=1)[good].mean()) / s)
        without.append(float(np.linalg.norm(p[i] - p[i + 1], axis=1)[good].mean()) / s)
    return {
        "extrapolation_error_body": float(np.mean(with_x)) if with_x else math.nan,
        "hold_error_body": float(np.mean(without)) if without else math.nan,
    }


def bench_live(video: Path, options: dict[str, Any]) -> dict[str, Any]:
    """``arpose bench`` section (``options``: ``live_fps``, ``max_frames``, ``rounds``).

    One and two inference threads run in alternating order over ``rounds`` rounds (1, 2,
    then 2, 1, ...), each round with its own inference-alone baseline, so load from other
    processes hits both alike; the latency samples of all rounds are pooled per thread
    count, and each round's winner (lower total p50) is counted."""
    fps = float(options.get("live_fps", 30.0))
    max_frames = options.get("max_frames")
    rounds = max(1, int(options.get("rounds") or 1))
    alone: list[float] = []
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    wins = {1: 0, 2: 0}
    ratios = []
    for r in range(rounds):
        alone += inference_alone(video)
        order = (1, 2) if r % 2 == 0 else (2, 1)
        this = {w: live_run(video, fps, w, max_frames) for w in order}
        p50 = {w: percentile(this[w]["total_ms"], 50) for w in order}
        wins[min(p50, key=lambda w: p50[w])] += 1
        ratios.append(p50[1] / p50[2])
        log.info("live round %d: total p50 %.1f ms (1 thread) vs %.1f ms (2)", r + 1, p50[1], p50[2])
        for w in order:
            runs[w].append(this[w])
    alone_p50 = percentile(alone, 50)
    out: dict[str, Any] = {
        "rounds": rounds,
        "inference_alone_ms_p50": alone_p50,
        "inference_alone_ms_p95": percentile(alone, 95),
        "live_fps": runs[1][0]["source_fps"],
    }
    source = VideoFile(video, realtime=True, max_fps=fps)
    step, live_fps = source._step, source.fps / source._step
    source.close()
    delay = filter_delay_ms(video, step, live_fps)
    out["filter_delay_ms"] = delay
    extra = 0.0 if math.isnan(delay) else delay
    for w, rs in runs.items():
        pre = f"threads{w}_"
        pooled = {
            k: [v for r in rs for v in r[k]]
            for k in ("capture_to_landmarks_ms", "landmarks_to_drawn_ms", "total_ms", "inference_ms")
        }
        t50, t95 = percentile(pooled["total_ms"], 50), percentile(pooled["total_ms"], 95)
        out.update(
            {
                pre + "frames_drawn": sum(r["frames"] for r in rs),
                pre + "dropped": sum(r["dropped"] for r in rs),
                pre + "inference_ms_p50": percentile(pooled["inference_ms"], 50),
                pre + "capture_to_landmarks_ms_p50": percentile(pooled["capture_to_landmarks_ms"], 50),
                pre + "capture_to_landmarks_ms_p95": percentile(pooled["capture_to_landmarks_ms"], 95),
                pre + "landmarks_to_drawn_ms_p50": percentile(pooled["landmarks_to_drawn_ms"], 50),
                pre + "landmarks_to_drawn_ms_p95": percentile(pooled["landmarks_to_drawn_ms"], 95),
                pre + "total_ms_p50": t50 + extra,
                pre + "total_ms_p95": t95 + extra,
                pre + "total_p50_vs_inference_alone": (t50 + extra) / alone_p50,
                pre + "rounds_won": wins[w],
            }
        )
        errs = [extrapolation_error(r) for r in rs]
        for k in ("extrapolation_error_body", "hold_error_body"):
            vals = [e[k] for e in errs if not math.isnan(e[k])]
            out[pre + k] = float(np.mean(vals)) if vals else math.nan
    out["total_p50_1_over_2_median_of_rounds"] = float(np.median(ratios))
    best = min(runs, key=lambda w: out[f"threads{w}_total_ms_p50"])
    out["live_threads_best"] = best
    return out
