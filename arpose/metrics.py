"""Metrics of tracking quality, pure numpy: jitter, lag, PCK and OKS.

One home for what ``arpose bench``, ``tools/`` and the tests measure with: the jitter and
zero-phase lag of smoothed landmarks (:func:`jitter_and_lag`, :func:`zero_phase_lag`),
COCO keypoint scores of people found on photos (:func:`oks`, :func:`coco_scores`,
:func:`ghosts`, :func:`photo_precision`), hand keypoint PCK (:func:`pck`, :func:`hand_scores`)
and who is who over time (:func:`match_people`, :func:`identity_scores`). Each metric was
checked on a known answer (a pure k-frame delay reads k; a perfect hand reads PCK 1; two
people exchanging ids once read 2 switches and 1 swap frame).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


def moving_average(x: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average along axis 0 (a zero-phase smoothing: it neither leads nor
    lags); ``window`` is odd, the output is ``window - 1`` samples shorter."""
    if window < 1 or window % 2 == 0:
        raise ValueError(f"window must be odd and >= 1, got {window}")
    c = np.cumsum(np.concatenate([np.zeros((1,) + x.shape[1:]), x]), axis=0)
    return np.asarray((c[window:] - c[:-window]) / window)


def zero_phase_lag(
    raw: np.ndarray, smooth: np.ndarray, window: int = 5, max_lag: int = 8, min_contrast: float = 0.05
) -> float:
    """Frames by which ``smooth`` trails ``raw`` (arrays (T, ...) on the same frames).

    The reference is a centred moving average of ``raw`` (zero phase, so it trails
    nothing); the lag is the shift k minimising the mean squared difference between
    ``smooth[t]`` and ``reference[t - k]``, sub-frame by a parabola through the minimum
    and its two neighbours. Unlike a velocity cross-correlation, this sees the delay of a
    first-order (exponential) filter. Returns NaN when the metric cannot see a lag: the
    best shift is at the edge of the search, or the error rises by less than
    ``min_contrast`` (relative) two frames either side of it (too little motion).
    """
    raw = np.asarray(raw, np.float64).reshape(len(raw), -1)
    smooth = np.asarray(smooth, np.float64).reshape(len(smooth), -1)
    h = window // 2
    ref = moving_average(raw, window)  # ref[j] is centred on raw[j + h]
    n = len(raw)
    t = np.arange(h + max_lag, n - h - max_lag)  # the same frames for every shift
    if len(t) < 3 * max_lag:
        return math.nan
    lags = np.arange(-max_lag, max_lag + 1)
    err = np.array([float(((smooth[t] - ref[t - k - h]) ** 2).mean()) for k in lags])
    i = int(np.argmin(err))
    if i < 2 or i > len(err) - 3:
        return math.nan
    rise = (min(err[i - 2], err[i + 2]) - err[i]) / max(err[i], 1e-12)
    if rise < min_contrast:
        return math.nan
    lag = float(lags[i])
    y0, y1, y2 = err[i - 1], err[i], err[i + 1]
    denom = y0 - 2 * y1 + y2
    if denom > 0:
        lag += 0.5 * (y0 - y2) / denom
    return lag


def jitter(x: np.ndarray) -> float:
    """Mean |second difference| along axis 0 (same units as ``x``)."""
    return float(np.abs(np.diff(np.asarray(x, np.float64), 2, axis=0)).mean())


# -- the jitter metric on real clips ------------------------------------------------------
REST_SPEED = 0.25  # body sizes per second: slower than this over REST_WINDOW_S is "at rest"
REST_WINDOW_S = 0.3


def valid_samples(
    raw: np.ndarray,
    vis: np.ndarray,
    frame_size: tuple[int, int] | None = None,
    breaks: Sequence[int] = (),
    min_visibility: float = 0.5,
) -> np.ndarray:
    """(T, 33) bool: where a raw landmark is a measurement of a visible point: visibility
    at least ``min_visibility`` and inside the picture (MediaPipe also places landmarks
    outside it, e.g. a head above the top edge, often with high visibility: guesses, not
    measurements). ``breaks`` are frames at which the track restarts (a scene cut, a
    tracker swap, a reset of the filter): a second difference spanning one is not jitter."""
    ok = np.asarray(vis) >= min_visibility
    if frame_size is not None:
        w, h = frame_size
        x, y = raw[..., 0], raw[..., 1]
        ok &= (x >= 0) & (x < w) & (y >= 0) & (y < h)
    ok = ok.copy()
    for b in breaks:  # the second differences centred on b - 1 and b span the break
        if 0 < b < len(ok):
            ok[b - 1] = False
    return ok


def rest_samples(
    raw: np.ndarray,
    body_size: float,
    fps: float,
    max_speed: float = REST_SPEED,
    window_s: float = REST_WINDOW_S,
) -> np.ndarray:
    """(T, 33) bool: where a landmark is at rest: its zero-phase speed (centred 5-frame
    moving average, in body sizes per second) stays below ``max_speed`` throughout the
    ``window_s`` around the frame. A window, not the speed at the frame, so the turning
    point of a swing (speed 0, acceleration largest) is not taken as rest."""
    n = len(raw)
    rest = np.zeros(raw.shape[:2], bool)
    if n < 7:
        return rest
    m = moving_average(np.asarray(raw, np.float64), 5)  # m[j] centred on frame j + 2
    v = np.linalg.norm(np.diff(m, axis=0), axis=-1) * fps / max(body_size, 1e-9)
    speed = np.full(raw.shape[:2], np.inf)
    speed[3 : 3 + len(v)] = v  # v[j]: between frames j + 2 and j + 3
    half = max(int(round(window_s * fps / 2)), 1)
    for t in range(half, n - half):
        rest[t] = np.max(speed[t - half : t + half + 1], axis=0) < max_speed
    return rest


def masked_jitter(x: np.ndarray, samples: np.ndarray) -> float:
    """Mean |second difference| (over x and y) of ``x`` (T, 33, 2) at the samples (T, 33)
    whose three frames (t - 1, t, t + 1) are all in ``samples``; NaN if there are none."""
    d2 = np.abs(np.diff(np.asarray(x, np.float64), 2, axis=0)).mean(-1)
    keep = samples[:-2] & samples[1:-1] & samples[2:]
    return float(d2[keep].mean()) if keep.any() else math.nan


def jitter_and_lag(
    raw: np.ndarray,
    smooth: np.ndarray,
    vis: np.ndarray,
    min_visibility: float = 0.5,
    max_lag: int = 8,
    frame_size: tuple[int, int] | None = None,
    breaks: Sequence[int] = (),
    body_size: float | None = None,
    fps: float | None = None,
) -> dict[str, float]:
    """Jitter and lag of ``smooth`` against ``raw`` (T, 33, 2) pixel positions.

    - ``jitter_ratio``: smoothed / raw mean |second difference| **at rest** over valid
      samples (:func:`valid_samples`, :func:`rest_samples`): the measurement noise a
      filter exists to remove. Where a joint moves, the second difference is mostly the
      body's real acceleration, which a filter with no lag must keep (a centred moving
      average keeps it too); see ``tools/tune_smoothing.py``'s known-answer check. Needs
      ``body_size`` and ``fps``; without them it is the all-valid ratio.
    - ``jitter_ratio_moving``: the same over valid samples not at rest;
      ``jitter_ratio_valid``: over all valid samples;
      ``jitter_ratio_whole``: the earlier definition (every frame of the landmarks
      visible throughout, inside the picture or not, across breaks).
    - ``lag_frames``: :func:`zero_phase_lag` of the smoothed against the raw positions of
      the landmarks visible throughout (NaN when the clip has too little motion).
    """
    good = (vis >= min_visibility).all(axis=0)  # landmarks visible throughout
    if not good.any():
        good = np.ones(raw.shape[1], bool)
    r, s = raw[:, good], smooth[:, good]
    jit_raw, jit_smooth = jitter(r), jitter(s)
    valid = valid_samples(raw, vis, frame_size, breaks, min_visibility)
    ratio = lambda m: masked_jitter(smooth, m) / masked_jitter(raw, m)  # noqa: E731
    out = {
        "jitter_ratio_whole": jit_smooth / jit_raw if jit_raw else math.nan,
        "jitter_ratio_valid": ratio(valid),
        "valid_fraction": float(valid.mean()),
    }
    if body_size is not None and fps is not None:
        rest = rest_samples(raw, body_size, fps)
        out.update(
            {
                "jitter_raw_px": masked_jitter(raw, valid & rest),
                "jitter_smooth_px": masked_jitter(smooth, valid & rest),
                "jitter_ratio": ratio(valid & rest),
                "jitter_ratio_moving": ratio(valid & ~rest),
                "rest_fraction": float((valid & rest).mean()),
            }
        )
    else:
        out.update(
            {
                "jitter_raw_px": masked_jitter(raw, valid),
                "jitter_smooth_px": masked_jitter(smooth, valid),
                "jitter_ratio": out["jitter_ratio_valid"],
            }
        )
    out["jitter_reduction"] = 1.0 - out["jitter_ratio"]
    out["lag_frames"] = zero_phase_lag(r, s, max_lag=max_lag)
    # the metric checked on this very clip: raw delayed by one frame must read 1
    out["metric_check_1_frame_delay"] = zero_phase_lag(r[1:], r[:-1], max_lag=max_lag)
    return out


def crossings(x: np.ndarray, target: float = 1.0, band: float = 0.05) -> int:
    """How often ``x`` (a step response, target ``target``) swings from one side of the
    target to the other by more than ``band`` after first reaching 90% of it: 0 or 1 for
    a settling filter, more for an oscillating one."""
    reached = np.flatnonzero(x >= 0.9 * target)
    if not reached.size:
        return 0
    side = 0
    n = 0
    for v in x[reached[0] :] - target:
        s = 1 if v > band else -1 if v < -band else 0
        if s and side and s != side:
            n += 1
        side = s or side
    return n


# -- COCO people on photos ------------------------------------------------------------------
SIGMAS = (
    np.array(
        [0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89]
    )
    / 10.0
)
"""COCO's per-keypoint OKS constants (17 keypoints, COCO order)."""


def oks(pred: np.ndarray, gt: np.ndarray, area: float) -> float:
    """COCO object keypoint similarity of one predicted (17, 2+) against one annotated
    (17, 3) person of segment ``area``."""
    vis = gt[:, 2] > 0
    if not vis.any():
        return 0.0
    d2 = ((pred[:, :2] - gt[:, :2]) ** 2).sum(1)
    e = d2 / (2 * (2 * SIGMAS) ** 2 * (area + np.spacing(1)))
    return float(np.exp(-e)[vis].mean())


def coco_scores(people_by_image: dict[int, list[np.ndarray]], coco: dict[str, Any]) -> dict[str, float]:
    """Recall at OKS 0.5, mean OKS, PCK@0.2 (of the box diagonal), people found and
    :func:`ghosts` of predicted (17, 2+) COCO-order people per image id."""
    oks_all, matched, pck_hits, pck_total = [], 0, 0, 0
    for ann in coco["annotations"]:
        if ann.get("iscrowd") or ann["num_keypoints"] == 0:
            continue
        gt = np.array(ann["keypoints"], np.float64).reshape(17, 3)
        preds = people_by_image.get(ann["image_id"], [])
        scores = [oks(p, gt, ann["area"]) for p in preds]
        best = max(scores, default=0.0)
        oks_all.append(best)
        if best >= 0.5:
            matched += 1
        if preds:
            p = preds[int(np.argmax(scores))]
            x, y, w, h = ann["bbox"]
            thr = 0.2 * float(np.hypot(w, h))
            vis = gt[:, 2] > 0
            dist = np.linalg.norm(p[:, :2] - gt[:, :2], axis=1)
            pck_hits += int((dist[vis] <= thr).sum())
        pck_total += int((gt[:, 2] > 0).sum())
    return {
        "people": len(oks_all),
        "recall@OKS0.5": matched / len(oks_all),
        "mean_OKS": float(np.mean(oks_all)),
        "PCK@0.2": pck_hits / pck_total,
        "found": sum(len(v) for v in people_by_image.values()),
        "ghosts": ghosts(people_by_image, coco),
    }


def ghosts(people_by_image: dict[int, list[np.ndarray]], coco: dict[str, Any]) -> int:
    """Predictions that are nobody: OKS below 0.1 with every annotated person, and the
    middle of their keypoints outside every annotated box (COCO also boxes people with
    no labelled keypoint; a prediction there is a real person, not a ghost)."""
    n = 0
    for image_id, preds in people_by_image.items():
        anns = [a for a in coco["annotations"] if a["image_id"] == image_id]
        for p in preds:
            best = max(
                (
                    oks(p, np.array(a["keypoints"], np.float64).reshape(17, 3), a["area"])
                    for a in anns
                    if a["num_keypoints"]
                ),
                default=0.0,
            )
            cx, cy = np.median(p[:, :2], axis=0)
            inside = any(
                a["bbox"][0] <= cx <= a["bbox"][0] + a["bbox"][2]
                and a["bbox"][1] <= cy <= a["bbox"][1] + a["bbox"][3]
                for a in anns
            )
            n += best < 0.1 and not inside
    return n


# -- hands ----------------------------------------------------------------------------------
def pck(pred: np.ndarray, gt: np.ndarray, valid: np.ndarray, alpha: float = 0.2) -> float:
    """Share of valid keypoints within alpha x the longer side of the gt hand box."""
    pts = gt[valid]
    if len(pts) < 2:
        return 0.0
    box = float(max(np.ptp(pts[:, 0]), np.ptp(pts[:, 1]), 1.0))
    d = np.linalg.norm(pred[valid] - pts, axis=1)
    return float(np.mean(d <= alpha * box))


def hand_scores(preds: list[np.ndarray], gts: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, Any]:
    """Greedy best-PCK matching of predicted to gt hands; recall and mean PCK."""
    found, pcks = 0, []
    used: set[int] = set()
    for gt, valid in gts:
        best, best_k = 0.0, -1
        for k, p in enumerate(preds):
            if k in used:
                continue
            s = pck(p, gt, valid)
            if s > best:
                best, best_k = s, k
        if best >= 0.5:
            found += 1
            used.add(best_k)
            pcks.append(best)
        else:
            pcks.append(0.0)
    return {"hands": len(gts), "found": found, "pck_all": pcks, "extra": len(preds) - found}


# -- identity ---------------------------------------------------------------------------------
def match_people(
    truth: Sequence[tuple[int, np.ndarray]], found: Sequence[tuple[int, np.ndarray]], radius: float
) -> dict[int, int]:
    """One frame: ``{true id: found id}``, nearest pairs first, of ``(id, xy)`` people
    whose centres lie at most ``radius`` pixels apart (one-to-one)."""
    pairs = sorted(
        (float(np.linalg.norm(np.asarray(a, float) - np.asarray(b, float))), ta, fb)
        for ta, a in truth
        for fb, b in found
    )
    out: dict[int, int] = {}
    used: set[int] = set()
    for d, ta, fb in pairs:
        if d > radius:
            break
        if ta in out or fb in used:
            continue
        out[ta] = fb
        used.add(fb)
    return out


def identity_scores(
    matches: Sequence[dict[int, int]],
    present: Sequence[Sequence[int]],
    reported: Sequence[Sequence[int]],
    fps: float,
) -> dict[str, float]:
    """Id switches and swaps of a tracker against true identities, frame by frame.

    Args:
        matches: per frame, ``{true id: reported id}`` (:func:`match_people`).
        present: per frame, the true ids in view.
        reported: per frame, the ids the tracker reported.
        fps: frames per second (for person-minutes).

    An id switch (as in the CLEAR-MOT metrics): a true person matched to a reported id
    other than the one they were last matched to. A swap frame: a frame in which two
    true people exchange their reported ids. Person-minutes: frames in view of every true
    person, over ``fps * 60``. ``set_changes``: consecutive frames whose reported id sets
    differ (what a hat or a player slot sees).
    """
    last: dict[int, int] = {}
    switches = swap_frames = 0
    for m in matches:
        changed = {a: (last[a], b) for a, b in m.items() if a in last and last[a] != b}
        switches += len(changed)
        olds = {old: a for a, (old, _) in changed.items()}
        if any(new in olds and changed[olds[new]][1] == changed[a][0] for a, (_, new) in changed.items()):
            swap_frames += 1
        last.update(m)
    person_frames = sum(len(p) for p in present)
    matched = sum(len(m) for m in matches)
    minutes = person_frames / fps / 60.0
    sets = [frozenset(r) for r in reported]
    return {
        "frames": len(matches),
        "person_minutes": minutes,
        "id_switches": switches,
        "switches_per_person_minute": switches / minutes if minutes else 0.0,
        "swap_frames": swap_frames,
        "set_changes": sum(a != b for a, b in zip(sets, sets[1:])),
        "coverage": matched / person_frames if person_frames else 0.0,
    }


# -- people on photos ------------------------------------------------------------------------
def _inside_polygon(x: float, y: float, poly: np.ndarray) -> bool:
    """Ray casting: whether (x, y) lies inside the polygon ``(N, 2)``."""
    px, py = poly[:, 0], poly[:, 1]
    qx, qy = np.roll(px, 1), np.roll(py, 1)
    cross = (py > y) != (qy > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = qx + (y - qy) * (px - qx) / (py - qy)
    return bool(np.count_nonzero(cross & (x < xs)) % 2)


def photo_precision(
    people_by_image: dict[int, list[np.ndarray]],
    coco: dict[str, Any],
    ignore: dict[int, list[np.ndarray]] | None = None,
    min_oks: float = 0.5,
) -> dict[str, float]:
    """Precision and recall of the people found on annotated photos, and false people.

    Predicted (17, 2+) COCO-order people are matched one-to-one to annotated people
    (with keypoints), best OKS first, at OKS >= ``min_oks``. An unmatched prediction is a
    false person, unless the middle of its keypoints lies in a box of a person annotated
    without keypoints (COCO's small or crowded people) or in an ``ignore`` polygon of its
    image (PoseTrack's ignore regions): those are counted as ``ignored``. A second copy of
    one person, or a limb taken for a person, is false. Annotations need ``area`` (COCO)
    or get their box's area.
    """
    tp = false = ignored = annotated = 0
    for image_id, preds in people_by_image.items():
        anns = [a for a in coco["annotations"] if a["image_id"] == image_id]
        gts, boxes = [], []
        for a in anns:
            k = np.array(a["keypoints"], np.float64).reshape(17, 3)
            if (k[:, 2] > 0).any() and a.get("num_keypoints", 1):
                gts.append((k, float(a.get("area") or a["bbox"][2] * a["bbox"][3])))
            else:
                boxes.append(a["bbox"])
        annotated += len(gts)
        pairs = sorted(
            ((oks(p, g, area), i, j) for i, p in enumerate(preds) for j, (g, area) in enumerate(gts)),
            reverse=True,
        )
        hit_p: set[int] = set()
        hit_g: set[int] = set()
        for s, i, j in pairs:
            if s < min_oks:
                break
            if i not in hit_p and j not in hit_g:
                hit_p.add(i)
                hit_g.add(j)
        tp += len(hit_p)
        for i, p in enumerate(preds):
            if i in hit_p:
                continue
            cx, cy = (float(v) for v in np.median(np.asarray(p)[:, :2], axis=0))
            if any(b[0] <= cx <= b[0] + b[2] and b[1] <= cy <= b[1] + b[3] for b in boxes) or any(
                _inside_polygon(cx, cy, poly) for poly in (ignore or {}).get(image_id, [])
            ):
                ignored += 1
            else:
                false += 1
    photos = len(people_by_image)
    return {
        "photos": photos,
        "annotated": annotated,
        "found": tp + false + ignored,
        "true": tp,
        "false": false,
        "ignored": ignored,
        "precision": tp / (tp + false) if tp + false else 1.0,
        "recall": tp / annotated if annotated else 0.0,
        "false_per_photo": false / photos if photos else 0.0,
    }
