"""The ``smoothing`` section of ``arpose bench``: jitter reduction and added lag of the
smoothed landmarks against the raw landmarks on the same frames."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ..pipeline import track
from ..pose import VIS, PoseFrame
from ..smoothing import PoseSmoother


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
