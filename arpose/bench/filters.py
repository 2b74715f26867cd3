"""The ``smoothing`` section of ``arpose bench``: jitter reduction and added lag of the
filtered landmarks against the raw landmarks on the same frames (the metrics themselves
are :mod:`arpose.metrics`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ..metrics import (
    crossings,
    jitter,
    jitter_and_lag,
    masked_jitter,
    moving_average,
    valid_samples,
    zero_phase_lag,
)
from ..pose import VIS, Pose, PoseFrame
from ..tracking.filters import DEFAULT_METHOD, METHODS
from ..tracking.identity import PersonTracker
from ..tracking.pipeline import track


def _main_track(frames: list[PoseFrame]) -> int | None:
    """Id of the person seen longest (and largest), e.g. the dancer."""
    score: dict[int, float] = {}
    for pf in frames:
        for p in pf.raw:
            score[p.id] = score.get(p.id, 0.0) + p.body_size
    return max(score, key=lambda k: score[k]) if score else None


def _trajectories(frames: list[PoseFrame], pid: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T, 33, 2) raw and smoothed pixel positions plus visibility, over the longest run of
    consecutive frames in which ``pid`` is present."""
    runs: list[list[Any]] = []
    cur: list[Any] = []
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
    raw_xy, smooth_xy, vis = (np.stack(x) for x in zip(*best))
    return raw_xy, smooth_xy, vis


MIN_REST_SAMPLES = 100  # fewer landmark-frames at rest: the clip's jitter at rest is n/a


def score_track(
    track: RawTrack, smoother: PersonTracker, noise: dict[str, Any] | None = None, make_smoother: Any = None
) -> dict[str, float]:
    """:func:`jitter_and_lag` of ``smoother`` on the longest run of ``track``, with the
    track's frame size, body size and rate, and the smoother's own resets as breaks; the
    jitter at rest is NaN when fewer than :data:`MIN_REST_SAMPLES` samples are at rest.
    With ``noise`` (:func:`still_noise`) and ``make_smoother`` (-> a fresh smoother of the
    same kind), also ``noise_ratio_in_motion``: :func:`noise_transfer` on this clip."""
    run = track.longest_run()
    raw, smooth, vis = resmooth_track(track, smoother, run)
    t = track.t[run]
    breaks = sorted({int(np.searchsorted(t, rt)) for rt, _, _ in smoother.resets})
    out = jitter_and_lag(
        raw,
        smooth,
        vis,
        frame_size=track.frame_size,
        breaks=breaks,
        body_size=track.body_size(run),
        fps=track.fps,
    )
    if out.get("rest_fraction", 0.0) * raw.shape[0] * raw.shape[1] < MIN_REST_SAMPLES:
        out["jitter_ratio"] = out["jitter_reduction"] = math.nan
    if noise is not None and make_smoother is not None:
        out["noise_ratio_in_motion"] = noise_transfer(track, make_smoother, noise)
    return out


def noise_transfer(track: RawTrack, make_smoother: Any, noise: dict[str, Any], seed: int = 0) -> float:
    """The share of known noise that gets through a smoother while the clip's real person
    moves: the clip's motion (a centred 9-frame moving average of its raw track: the
    motion without most of the noise; real visibilities kept) is smoothed with and without
    AR(1) noise of the size and autocorrelation measured on a person standing still
    (:func:`still_noise`), and the jitter (mean |second difference|, valid samples) of the
    difference the noise made to the output is divided by the jitter of the noise. Unlike
    the clip's own second difference, this counts no motion: where a joint moves, its
    real acceleration is not jitter, and a filter without lag must keep it."""
    run = track.longest_run()
    lm = track.landmarks[run].astype(np.float64)
    if len(lm) < 20:
        return math.nan
    motion = moving_average(lm[:, :, :2], 9)
    lm = lm[4:-4]
    size = track.body_size(run)
    eps = (
        _ar1(len(motion), (33, 2), float(noise["r1"]), np.random.default_rng(seed))
        * np.asarray(noise["sigma"])[None, :, None]
        * size
    )
    t = track.t[run][4:-4]
    outs = []
    for xy in (motion, motion + eps):
        frames = lm.astype(np.float32)
        frames[:, :, :2] = xy
        sub = RawTrack(
            t, np.ones(len(t), bool), frames, track.world[run][4:-4], track.fps, track.name, track.frame_size
        )
        outs.append(resmooth_track(sub, make_smoother())[1])
    valid = valid_samples(motion, lm[:, :, VIS], track.frame_size)
    return masked_jitter(outs[1] - outs[0], valid) / masked_jitter(eps, valid)


def collect_frames(
    video: Path, smoother: PersonTracker | None = None, max_frames: int | None = None
) -> list[PoseFrame]:
    frames = []
    with track(video, drop_frames=False, keep_images=False, tracker=smoother) as pipeline:
        for pf in pipeline:
            frames.append(pf)
            if max_frames is not None and len(frames) >= max_frames:
                break
    return frames


def resmooth(frames: list[PoseFrame], smoother: PersonTracker) -> list[PoseFrame]:
    """Run another smoother over the raw poses of already-tracked frames (for tuning
    without re-running the model)."""
    out = []
    for pf in frames:
        raw_no_id = tuple(p.with_id(-1) for p in pf.raw)
        poses, raw = smoother.update(raw_no_id, pf.t)
        out.append(PoseFrame(pf.t, pf.index, pf.size, poses, raw=raw))
    return out


def bench_smoothing(video: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Every smoothing method side by side on the same raw landmarks of ``video``: jitter
    ratio (at rest; in motion; and the earlier whole-clip figure, see
    :func:`jitter_and_lag`) and zero-phase lag (frames) per method, plus the metric's own check on this
    clip (the raw track delayed by one frame must read 1)."""

    track = track_raw(video)
    if not track.present.any():
        return {"error": "nobody tracked in the video"}
    result: dict[str, Any] = {"default_method": DEFAULT_METHOD}
    for method in METHODS:
        r = score_track(track, PersonTracker(method=method))
        result["frames"] = len(range(*track.longest_run().indices(len(track.t))))
        result["metric_check_1_frame_delay"] = r["metric_check_1_frame_delay"]
        result[f"{method}_jitter_ratio"] = r["jitter_ratio"]
        result[f"{method}_jitter_ratio_moving"] = r.get("jitter_ratio_moving", math.nan)
        result[f"{method}_jitter_ratio_whole"] = r["jitter_ratio_whole"]
        result[f"{method}_lag_frames"] = r["lag_frames"]
    # the metric must read a known answer on this very clip: the raw track delayed by a
    # whole number of frames reads that number
    run = track.longest_run()
    raw = track.landmarks[run][:, :, :2]
    steady = (track.landmarks[run][:, :, VIS] >= 0.5).all(axis=0)
    raw = raw[:, steady] if steady.any() else raw
    for k in (2, 3):
        result[f"metric_check_{k}_frame_delay"] = zero_phase_lag(raw[k:], raw[:-k])
    if any(result.get(f"{m}_lag_frames", 0.0) < 0 for m in METHODS):
        result["lag_note"] = (
            "a negative lag is a lead: a lag-compensating filter predicts the motion and, on "
            "a smooth pan like the built-in clip's, runs ahead of it"
        )
    return result


# -- raw tracks ---------------------------------------------------------------------------
class RawTrack:
    """The raw (unsmoothed) landmarks of one person over a clip: what every filter is
    compared on, tracked once and re-smoothed many times.

    Attributes: ``t`` (N,) seconds; ``present`` (N,) bool; ``landmarks`` (N, 33, 5) pixels
    (x, y, z, visibility, presence; zeros where absent); ``world`` (N, 33, 3); ``fps``.
    """

    def __init__(
        self,
        t: np.ndarray,
        present: np.ndarray,
        landmarks: np.ndarray,
        world: np.ndarray,
        fps: float,
        name: str = "",
        frame_size: tuple[int, int] | None = None,
    ):
        self.t, self.present, self.landmarks, self.world = t, present, landmarks, world
        self.fps, self.name, self.frame_size = fps, name, frame_size

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            t=self.t,
            present=self.present,
            landmarks=self.landmarks,
            world=self.world,
            fps=np.float64(self.fps),
            frame_size=np.asarray(self.frame_size or (0, 0), np.int64),
        )

    @classmethod
    def load(cls, path: Path, name: str = "") -> RawTrack:
        with np.load(path, allow_pickle=False) as z:
            fs = tuple(int(v) for v in z["frame_size"]) if "frame_size" in z else (0, 0)
            size = (fs[0], fs[1]) if fs[0] > 0 else None
            return cls(z["t"], z["present"], z["landmarks"], z["world"], float(z["fps"]), name, size)

    def body_size(self, run: slice | None = None) -> float:
        """Median body size (px) over ``run`` (default: the longest run)."""
        run = run or self.longest_run()
        sizes = [
            Pose(self.landmarks[i], self.world[i]).body_size
            for i in range(run.start, run.stop)
            if self.present[i]
        ]
        return float(np.median(sizes)) if sizes else 1.0

    def longest_run(self) -> slice:
        """The longest stretch of consecutive frames with the person present."""
        best, start = (0, 0), None
        for i, p in enumerate(list(self.present) + [False]):
            if p and start is None:
                start = i
            elif not p and start is not None:
                if i - start > best[1] - best[0]:
                    best = (start, i)
                start = None
        return slice(*best)


def track_raw(video: Path, cache: Path | None = None) -> RawTrack:
    """Track ``video`` once without smoothing and keep the main person (seen longest and
    largest); cached as ``.npz`` in ``cache`` (a folder) when given."""
    cached = cache / f"{Path(video).stem}.raw.npz" if cache is not None else None
    if cached is not None and cached.is_file():
        loaded = RawTrack.load(cached, Path(video).stem)
        if loaded.frame_size is not None:
            return loaded
    frames = collect_frames(video, smoother=PersonTracker(smooth=False))
    pid = _main_track(frames)
    n = len(frames)
    lm, world = np.zeros((n, 33, 5), np.float32), np.zeros((n, 33, 3), np.float32)
    present = np.zeros(n, bool)
    for i, pf in enumerate(frames):
        p = next((q for q in pf.raw if q.id == pid), None)
        if p is not None:
            present[i], lm[i], world[i] = True, p.landmarks, p.world
    t = np.array([pf.t for pf in frames], np.float64)
    fps = 1.0 / float(np.median(np.diff(t))) if n > 1 else 30.0
    size = (int(frames[0].size[0]), int(frames[0].size[1])) if frames else None
    track = RawTrack(t, present, lm, world, fps, Path(video).stem, size)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        track.save(cached)
    return track


def resmooth_track(
    track: RawTrack, smoother: PersonTracker, run: slice | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feed the raw poses of ``track`` (its longest run by default) through ``smoother``;
    returns raw (T, 33, 2), smoothed (T, 33, 2) pixel positions and visibility (T, 33)."""
    run = run or track.longest_run()
    raw, out, vis = [], [], []
    for i in range(run.start, run.stop):
        pose = Pose(track.landmarks[i], track.world[i])
        sm = smoother([pose], float(track.t[i]))[0]
        raw.append(track.landmarks[i, :, :2])
        out.append(sm.landmarks[:, :2])
        vis.append(track.landmarks[i, :, VIS])
    return (np.asarray(raw, np.float64), np.asarray(out, np.float64), np.asarray(vis, np.float64))


# -- ground truth --------------------------------------------------------------------------
def still_noise(track: RawTrack, seconds: float = 1.5) -> dict[str, Any]:
    """Size and spectrum of the landmark noise of a person standing still: the window of
    ``seconds`` in which the (moving-average) body moves least, each landmark's linear
    trend removed. Returns ``sigma`` (33,) in body sizes, the autocorrelations ``r1``,
    ``r2`` at lags 1 and 2 frames (pooled), the window, and the mean pose there."""
    run = track.longest_run()
    w = max(int(round(seconds * track.fps)), 8)
    lm = track.landmarks[run, :, :2].astype(np.float64)
    size = np.array([Pose(track.landmarks[i], track.world[i]).body_size for i in range(run.start, run.stop)])
    if len(lm) < w + 2:
        raise ValueError(f"{track.name}: fewer than {w} frames with the person present")
    trend = moving_average(lm, 9) if len(lm) > 9 else lm
    motion = np.array(
        [np.abs(np.diff(trend[j : j + w - 8], axis=0)).mean() for j in range(len(trend) - (w - 8))]
    )
    j = int(np.argmin(motion))
    seg = lm[j : j + w] / float(np.median(size[j : j + w]))
    tt = np.arange(w) - (w - 1) / 2
    coef = (seg * tt[:, None, None]).sum(0) / (tt**2).sum()
    res = seg - seg.mean(0) - coef * tt[:, None, None]
    flat = res.reshape(w, -1)
    var = (flat**2).mean(0)
    r1 = float((flat[1:] * flat[:-1]).mean(0).sum() / var.sum() * w / (w - 1))
    r2 = float((flat[2:] * flat[:-2]).mean(0).sum() / var.sum() * w / (w - 2))
    start = run.start + j
    return {
        "sigma": np.sqrt((res**2).mean(axis=(0, 2))),
        "r1": r1,
        "r2": r2,
        "window": (start, start + w),
        "fps": track.fps,
        "pose": track.landmarks[start : start + w].mean(0),
        "source": track.name,
        "motion_body_per_frame": float(motion[j] / np.median(size[j : j + w])),
    }


def _ar1(n: int, shape: tuple[int, ...], rho: float, rng: np.random.Generator) -> np.ndarray:
    """AR(1) noise of unit variance and lag-1 autocorrelation ``rho``."""
    e = rng.normal(0.0, math.sqrt(max(1 - rho**2, 1e-6)), (n,) + shape)
    out = np.empty_like(e)
    out[0] = rng.normal(0.0, 1.0, shape)
    for i in range(1, n):
        out[i] = rho * out[i - 1] + e[i]
    return out


RIGHT_ARM = (14, 16, 18, 20, 22)  # elbow, wrist, pinky, index, thumb


def trajectories(fps: float, seconds: float = 4.0) -> dict[str, np.ndarray]:
    """Known motions (T, 33, 2) in body sizes, added to a real pose: rest, a ramp
    (0.5 body/s), a 1 Hz sine (0.25 body), a 0.2 body step, a fast swipe of the right arm
    (1.5 body sizes in 0.3 s and back)."""
    t = np.arange(int(seconds * fps)) / fps
    z = np.zeros((len(t), 33, 2))
    out = {"rest": z.copy()}
    ramp = z.copy()
    ramp[..., 0] = (0.5 * np.clip(t - 1.0, 0, None))[:, None]
    out["ramp"] = ramp
    sine = z.copy()
    sine[..., 0] = (0.25 * np.sin(2 * math.pi * 1.0 * t))[:, None]
    out["sine"] = sine
    step = z.copy()
    step[t >= 1.0, :, 0] = 0.2
    out["step"] = step
    swipe = z.copy()
    u = np.clip((t - 1.0) / 0.3, 0, 1)
    back = np.clip((t - 2.3) / 0.3, 0, 1)
    prof = (0.5 - 0.5 * np.cos(math.pi * u)) - (0.5 - 0.5 * np.cos(math.pi * back))
    swipe[:, list(RIGHT_ARM), 0] = 1.5 * prof[:, None]
    out["swipe"] = swipe
    return out


def ground_truth(
    noise: dict[str, Any], make_smoother: Any, seed: int = 0, seconds: float = 4.0
) -> dict[str, float]:
    """Score a smoother (``make_smoother()`` -> fresh :class:`PersonTracker`) on the known
    trajectories of :func:`trajectories` carried by the real still pose of ``noise``,
    with AR(1) noise of the measured per-landmark size and lag-1 autocorrelation.

    Returns, in body sizes and frames: ``rms_<motion>`` error to the truth,
    ``jitter_rest_ratio`` (output / input jitter at rest), ``lag_<motion>`` (shift best
    aligning the output with the truth; NaN where it cannot be seen), ``step_overshoot``
    (peak beyond the step, as a fraction of it) and ``step_crossings`` (times the output
    crosses the target after reaching it: oscillation)."""
    fps = float(noise["fps"])
    base = np.asarray(noise["pose"], np.float64)
    size = Pose(base.astype(np.float32), np.zeros((33, 3), np.float32)).body_size
    rng = np.random.default_rng(seed)
    out: dict[str, float] = {}
    for name, motion in trajectories(fps, seconds).items():
        n = len(motion)
        truth = base[None, :, :2] + motion * size
        eps = _ar1(n, (33, 2), float(noise["r1"]), rng) * noise["sigma"][None, :, None] * size
        lm = np.repeat(base[None].astype(np.float32), n, 0)
        lm[:, :, :2] = truth + eps
        lm[:, :, VIS:] = 0.99
        sm = make_smoother()
        res = np.array(
            [sm([Pose(lm[i], np.zeros((33, 3), np.float32))], i / fps)[0].landmarks[:, :2] for i in range(n)],
            np.float64,
        )
        err = (res - truth) / size
        settle = int(0.5 * fps)  # skip the filter's start-up
        out[f"rms_{name}"] = float(np.sqrt((err[settle:] ** 2).sum(-1).mean()))
        if name == "rest":
            out["jitter_rest_ratio"] = jitter(res[settle:]) / jitter(lm[settle:, :, :2])
            continue
        moving = list(RIGHT_ARM) if name == "swipe" else list(range(33))
        out[f"lag_{name}"] = zero_phase_lag(truth[:, moving], res[:, moving], window=1)
        if name == "step":
            k = int(1.0 * fps)
            x = (res[k:, :, 0] - base[None, :, 0]) / size / 0.2  # 0 before, 1 = target
            xm = x.mean(1)
            out["step_overshoot"] = float(max(np.max(xm) - 1.0, 0.0))
            out["step_crossings"] = float(crossings(xm))
    return out
