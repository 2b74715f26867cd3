"""Benchmarks behind `arpose bench`: every number is measured in one run and reported
next to a baseline from the same run (these machines are shared and noisy, so ratios
mean more than absolute milliseconds).

Sections:
- tracking: model inference ms, pipeline throughput against a naive single-threaded
  loop (read, convert, infer, draw), end-to-end latency on a camera-paced replay,
  filter cost;
- smoothing: jitter reduction and added lag of the One-Euro output against raw
  landmarks on the same frames.
Other modules add sections with :func:`register_section`.
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .annotate import draw_skeleton
from .pipeline import track
from .pose import VIS, PoseFrame
from .smoothing import PoseSmoother
from .sources import VideoFile, read_image, sample_image_path
from .tracker import PoseTracker, TrackerOptions

log = logging.getLogger(__name__)

SHARED_VIDEO = Path(__file__).resolve().parents[2] / "shared" / "media" / "dance.avi"

Section = Callable[[Path, dict[str, Any]], dict[str, Any]]
_SECTIONS: dict[str, Section] = {}


def register_section(name: str, fn: Section) -> None:
    """Add a section to `arpose bench` (``fn(video, options) -> dict of results``)."""
    _SECTIONS[name] = fn


def percentile(values: list[float] | np.ndarray, q: float) -> float:
    arr = np.asarray(values, np.float64)
    return float(np.percentile(arr, q)) if arr.size else math.nan


def default_video() -> Path:
    """The shared dance clip when present, else a clip made from the built-in photo."""
    if SHARED_VIDEO.is_file():
        return SHARED_VIDEO
    return make_sample_video(Path(tempfile.gettempdir()) / "arpose-sample.avi")


def make_sample_video(path: Path, frames: int = 150, fps: float = 30.0) -> Path:
    """Write a clip of the built-in portrait slowly panning and zooming (a real person,
    real decoding; the motion is synthetic)."""
    if path.is_file():
        return path
    img = cv2.cvtColor(read_image(sample_image_path()), cv2.COLOR_RGB2BGR)
    h, w = img.shape[:2]
    out_w, out_h = 640, 480
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (out_w, out_h))
    for i in range(frames):
        phase = 2 * math.pi * i / frames
        zoom = 1.0 + 0.15 * math.sin(phase)
        dx, dy = 40 * math.sin(phase), 20 * math.cos(2 * phase)
        m = np.float32([[zoom, 0, out_w / 2 - zoom * w / 2 + dx],
                        [0, zoom, out_h / 2 - zoom * h / 2 + dy]])
        writer.write(cv2.warpAffine(img, m, (out_w, out_h), borderMode=cv2.BORDER_REFLECT))
    writer.release()
    return path


# -- tracking ----------------------------------------------------------------------------
def run_naive(video: Path, max_frames: int | None = None) -> dict[str, float]:
    """The popular single-threaded loop: read, convert, infer, draw, one after another."""
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    n = 0
    with PoseTracker(TrackerOptions(num_poses=2)) as tracker:
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
    return {"frames": n, "seconds": elapsed, "fps": n / elapsed if elapsed else math.nan,
            "ms_per_frame": 1000 * elapsed / max(n, 1)}


def run_pipelined(video: Path, max_frames: int | None = None) -> dict[str, Any]:
    """The same work through :class:`Pipeline`: capture, inference and drawing overlap."""
    inference, filt = [], []
    n = 0
    with track(video, drop_frames=False) as pipeline:
        start = time.perf_counter()
        for pf in pipeline:
            draw_skeleton(pf.image, pf)
            inference.append(pf.stats.inference_ms)
            filt.append(pf.stats.filter_ms)
            n += 1
            if max_frames is not None and n >= max_frames:
                break
        elapsed = time.perf_counter() - start
    return {"frames": n, "seconds": elapsed, "fps": n / elapsed if elapsed else math.nan,
            "inference_ms": inference, "filter_ms": filt}


def run_live(video: Path, fps: float, max_frames: int | None = None) -> dict[str, Any]:
    """A camera-like run: the video is played at ``fps`` in real time, stale frames are
    dropped, and the consumer takes the newest result, as the live mirror does."""
    source = VideoFile(video, realtime=True, max_fps=fps)
    latency, inference = [], []
    with track(source, drop_frames=True) as pipeline:
        while True:
            pf = pipeline.latest(timeout=0.5)
            if pf is None:
                if pipeline.finished:
                    break
                continue
            draw_skeleton(pf.image, pf)
            latency.append(pf.stats.latency_ms)
            inference.append(pf.stats.inference_ms)
            if max_frames is not None and len(latency) >= max_frames:
                break
        dropped = pipeline.dropped
    return {"frames": len(latency), "latency_ms": latency, "inference_ms": inference,
            "dropped": dropped, "source_fps": source.fps / source._step}


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


# -- smoothing -------------------------------------------------------------------------------
def _main_track(frames: list[PoseFrame]) -> int | None:
    """Id of the person seen longest (and largest), e.g. the dancer."""
    score: dict[int, float] = {}
    for pf in frames:
        for p in pf.raw:
            score[p.id] = score.get(p.id, 0.0) + p.body_size
    return max(score, key=score.get) if score else None


def _trajectories(frames: list[PoseFrame], pid: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T, 33, 2) raw and smoothed pixel positions plus visibility, over the longest run of
    consecutive frames in which ``pid`` is present."""
    runs, cur = [], []
    for pf in frames:
        raw = next((p for p in pf.raw if p.id == pid), None)
        sm = pf.person(pid)
        if raw is None or sm is None:
            if cur:
                runs.append(cur)
            cur = []
            continue
        cur.append((raw.landmarks[:, :2], sm.landmarks[:, :2], raw.landmarks[:, VIS]))
    if cur:
        runs.append(cur)
    best = max(runs, key=len)
    raw, sm, vis = (np.stack(x) for x in zip(*best))
    return raw, sm, vis


def jitter_and_lag(raw: np.ndarray, smooth: np.ndarray, vis: np.ndarray,
                   min_visibility: float = 0.5, max_lag: int = 5) -> dict[str, float]:
    """Jitter = mean |second difference| of positions (px); lag = the shift (frames,
    sub-frame by parabolic interpolation) that best aligns the smoothed velocity with the
    raw velocity (cross-correlation)."""
    good = (vis >= min_visibility).all(axis=0)  # landmarks visible throughout
    if not good.any():
        good = np.ones(raw.shape[1], bool)
    r, s = raw[:, good], smooth[:, good]
    jit_raw = float(np.abs(np.diff(r, 2, axis=0)).mean())
    jit_smooth = float(np.abs(np.diff(s, 2, axis=0)).mean())
    vr = np.diff(r, axis=0).reshape(len(r) - 1, -1)
    vs = np.diff(s, axis=0).reshape(len(s) - 1, -1)
    vr, vs = vr - vr.mean(0), vs - vs.mean(0)
    lags = np.arange(-max_lag, max_lag + 1)
    corr = []
    for k in lags:
        if k >= 0:
            a, b = vr[: len(vr) - k], vs[k:]
        else:
            a, b = vr[-k:], vs[: len(vs) + k]
        corr.append(float((a * b).sum()))
    i = int(np.argmax(corr))
    lag = float(lags[i])
    if 0 < i < len(corr) - 1:
        y0, y1, y2 = corr[i - 1], corr[i], corr[i + 1]
        denom = y0 - 2 * y1 + y2
        if denom != 0:
            lag += 0.5 * (y0 - y2) / denom
    return {"jitter_raw_px": jit_raw, "jitter_smooth_px": jit_smooth,
            "jitter_reduction": 1.0 - jit_smooth / jit_raw if jit_raw else math.nan,
            "lag_frames": lag}


def collect_frames(video: Path, smoother: PoseSmoother | None = None,
                   max_frames: int | None = None) -> list[PoseFrame]:
    frames = []
    with track(video, drop_frames=False, keep_images=False, smoother=smoother) as pipeline:
        for pf in pipeline:
            frames.append(pf)
            if max_frames is not None and len(frames) >= max_frames:
                break
    return frames


def resmooth(frames: list[PoseFrame], smoother: PoseSmoother) -> list[PoseFrame]:
    """Run another smoother over the raw poses of already-tracked frames (for tuning
    without re-running the model)."""
    out = []
    for pf in frames:
        raw_no_id = tuple(p.with_id(-1) for p in pf.raw)
        poses, raw = smoother.update(raw_no_id, pf.t)
        out.append(PoseFrame(pf.t, pf.index, pf.size, poses, raw=raw))
    return out


def bench_smoothing(video: Path, options: dict[str, Any]) -> dict[str, Any]:
    frames = collect_frames(video, max_frames=options.get("max_frames"))
    pid = _main_track(frames)
    if pid is None:
        return {"error": "nobody tracked in the video"}
    raw, sm, vis = _trajectories(frames, pid)
    result = jitter_and_lag(raw, sm, vis)
    result["frames"] = len(raw)
    return result


register_section("tracking", bench_tracking)
register_section("smoothing", bench_smoothing)


def run(video: Path | None = None, sections: list[str] | None = None,
        options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the named sections (all by default) on ``video`` and return their results."""
    video = Path(video) if video else default_video()
    VideoFile(video).close()  # clear error for a bad path before any section starts
    options = options or {}
    names = sections or list(_SECTIONS)
    results: dict[str, Any] = {"source": str(video)}
    for name in names:
        if name not in _SECTIONS:
            from .errors import ArposeError
            raise ArposeError(f"unknown bench section {name!r}; choose from "
                              f"{', '.join(_SECTIONS)}")
        log.info("bench: %s", name)
        results[name] = _SECTIONS[name](video, options)
    return results
