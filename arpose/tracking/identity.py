"""PersonTracker: who is who over time, with each person's landmarks filtered.

It gives people stable ids by associating poses with tracks by position; a person who
leaves and returns within ``keep_lost_s`` keeps their id. It starts a track's filters
afresh when its timestamps repeat or go backwards, after a gap, when the landmarks jump
(the detector swapped people) and when the body's size jumps (a scene cut), so content
never flies across the screen. The filters themselves come from
:mod:`arpose.tracking.filters`, through an injected factory.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..pose import VIS, Pose
from .filters import METHODS, LandmarkFilter, default_method, low_pass_alpha, make_filter


@dataclass
class _Track:
    id: int
    landmarks: LandmarkFilter
    world: LandmarkFilter
    visibility: np.ndarray
    center: np.ndarray
    size: float
    last_t: float
    pose: Pose
    raw: np.ndarray  # last raw (33, 2) pixel positions, for the jump test
    torso: float  # last raw torso length (px), for the cut test


def _torso(lm: np.ndarray) -> float:
    """Shoulder-midpoint to hip-midpoint distance in pixels."""
    return float(np.linalg.norm((lm[11, :2] + lm[12, :2]) / 2 - (lm[23, :2] + lm[24, :2]) / 2))


def _ratio(a: float, b: float) -> float:
    a, b = max(a, 1e-9), max(b, 1e-9)
    return max(a / b, b / a)


class PersonTracker:
    """Who is who: stable person ids over time, each person's landmarks smoothed by their
    own filters; called as ``tracker(poses, t)``.

    The filters are injected: ``filter_factory`` makes one fresh per-array filter
    (:class:`~arpose.tracking.filters.LandmarkFilter`) per person and landmark set, so
    identity (association, ids, resets) is independent of how a track is smoothed.

    Args:
        min_cutoff, beta, d_cutoff: One-Euro parameters (speed in body sizes per second);
            None takes the method's default (only for the one-euro methods).
        method: the filter, by name: ``one-euro``, ``one-euro-lc`` or ``kalman``
            (:data:`METHODS` lists each one's parameters); None: :func:`default_method`
            (``--smoothing``).
        params: more parameters of the method (e.g. ``{"noise": 0.003}`` for kalman).
        filter_factory: makes each track's filters instead of ``method``/``params``
            (e.g. ``lambda: OneEuroFilter(0.5, 5.0)``).
        smooth: False only assigns ids (``--no-smooth``).
        keep_lost_s: a person missing for up to this long keeps their id when back.
        match_distance: largest jump (in body sizes) between frames still taken as the
            same person.
        visibility_low, visibility_high: landmarks below ``low`` barely move the filter,
            above ``high`` are fully trusted; in between, trust ramps linearly.
        visibility_cutoff: low-pass cutoff (Hz) of the visibility values (for fading).
        reset_gap_s: a track unseen for longer starts its filters afresh.
        jump_reset: a track whose landmarks move by more than this (median, in body
            sizes) from one frame to the next starts afresh (the tracker swapped people).
        cut_ratio: a track whose body box and torso (shoulders to hips) both change size
            by more than this factor from one frame to the next starts afresh (a scene cut
            or zoom; either alone also changes when limbs fade or the body bends: on the
            real clips both change at most 1.18x without a cut, but for one tracker glitch
            (1.6x, also a jump); the cuts in jumping_jacks_11 1.42x and 1.73x).

    ``resets`` holds the latest resets as ``(t, id, reason)`` (for the benchmarks).
    """

    def __init__(
        self,
        min_cutoff: float | None = None,
        beta: float | None = None,
        d_cutoff: float | None = None,
        *,
        method: str | None = None,
        params: dict[str, float] | None = None,
        smooth: bool = True,
        keep_lost_s: float = 1.0,
        match_distance: float = 0.6,
        visibility_low: float = 0.2,
        visibility_high: float = 0.6,
        visibility_cutoff: float = 3.0,
        reset_gap_s: float = 0.3,
        jump_reset: float = 0.35,
        cut_ratio: float = 1.35,
        filter_factory: Callable[[], LandmarkFilter] | None = None,
    ):
        extra: dict[str, float] = dict(params or {})
        for name, v in (("min_cutoff", min_cutoff), ("beta", beta), ("d_cutoff", d_cutoff)):
            if v is not None:
                extra[name] = v
        method = method or default_method()
        make_filter(method, **extra)  # validates the method and parameters
        self.method = method
        self.filter_params = extra
        self.filter_factory: Callable[[], LandmarkFilter] = filter_factory or self.make_filter
        self.smooth = smooth
        self.keep_lost_s = keep_lost_s
        self.match_distance = match_distance
        self.visibility_low, self.visibility_high = visibility_low, visibility_high
        self.visibility_cutoff = visibility_cutoff
        self.reset_gap_s = reset_gap_s
        self.jump_reset = jump_reset
        if not cut_ratio > 1:
            raise ValueError(f"cut_ratio must be > 1, got {cut_ratio}")
        self.cut_ratio = cut_ratio
        self.resets: deque[tuple[float, int, str]] = deque(maxlen=1024)
        self._tracks: list[_Track] = []
        self._next_id = 0

    def reset(self) -> None:
        self._tracks.clear()
        self._next_id = 0
        self.resets.clear()

    def velocity(self, pid: int) -> np.ndarray | None:
        """``(33, 3)`` filtered landmark speed in px/s of person ``pid`` (None if unknown)."""
        for tr in self._tracks:
            if tr.id == pid:
                return tr.landmarks.velocity
        return None

    def __call__(self, poses: Sequence[Pose], t: float) -> tuple[Pose, ...]:
        """Smoothed poses with ids, ordered by id."""
        return self.update(poses, t)[0]

    def update(self, poses: Sequence[Pose], t: float) -> tuple[tuple[Pose, ...], tuple[Pose, ...]]:
        """Like calling the tracker, but also returns the raw poses with their ids."""
        self._tracks = [tr for tr in self._tracks if t - tr.last_t <= self.keep_lost_s]
        pairs = self._associate(poses)
        out: list[Pose] = []
        raw: list[Pose] = []
        for i, pose in enumerate(poses):
            track = pairs.get(i)
            if track is None:
                track = self._new_track(pose, t)
                self._tracks.append(track)
            else:
                self._update(track, pose, t)
            out.append(track.pose)
            raw.append(pose.with_id(track.id))
        out.sort(key=lambda p: p.id)
        raw.sort(key=lambda p: p.id)
        return tuple(out), tuple(raw)

    def _associate(self, poses: Sequence[Pose]) -> dict[int, _Track]:
        """Greedy nearest-first matching of poses to tracks, by torso centre in body sizes."""
        if not poses or not self._tracks:
            return {}
        cand = []
        for i, pose in enumerate(poses):
            c, s = pose.center, pose.body_size
            for tr in self._tracks:
                d = float(np.linalg.norm(c - tr.center)) / max(s, tr.size, 1.0)
                if d <= self.match_distance:
                    cand.append((d, i, tr))
        cand.sort(key=lambda item: item[0])
        pairs: dict[int, _Track] = {}
        used: set[int] = set()
        for _, i, tr in cand:
            if i in pairs or tr.id in used:
                continue
            pairs[i] = tr
            used.add(tr.id)
        return pairs

    @property
    def params(self) -> dict[str, Any]:
        """The filter's parameters in force (the method's defaults plus overrides)."""
        return {**METHODS[self.method][1], **self.filter_params}

    def make_filter(self) -> LandmarkFilter:
        """A fresh per-array filter of this tracker's method and parameters."""
        return make_filter(self.method, **self.filter_params)

    def _filters(self) -> tuple[LandmarkFilter, LandmarkFilter]:
        return self.filter_factory(), self.filter_factory()

    def _new_track(self, pose: Pose, t: float) -> _Track:
        pid, self._next_id = self._next_id, self._next_id + 1
        lf, wf = self._filters()
        track = _Track(
            pid,
            lf,
            wf,
            pose.landmarks[:, VIS].astype(np.float64),
            pose.center,
            pose.body_size,
            t,
            pose.with_id(pid),
            pose.landmarks[:, :2].astype(np.float64),
            _torso(pose.landmarks),
        )
        if self.smooth:
            lf(pose.landmarks[:, :3], t, scale=pose.body_size)
            wf(pose.world, t)
        return track

    def _needs_reset(self, track: _Track, pose: Pose, dt: float) -> str | None:
        """Why the track's filters must start afresh with this pose, or None."""
        if dt <= 0:
            return "timestamp repeated or went backwards"
        if dt > self.reset_gap_s:
            return "gap"
        jump = np.median(np.linalg.norm(pose.landmarks[:, :2] - track.raw, axis=1))
        if jump > self.jump_reset * max(pose.body_size, track.size, 1.0):
            return "jump"
        torso = _torso(pose.landmarks)
        if min(_ratio(pose.body_size, track.size), _ratio(torso, track.torso)) > self.cut_ratio:
            return "cut"
        return None

    def _update(self, track: _Track, pose: Pose, t: float) -> None:
        dt = t - track.last_t
        reason = self._needs_reset(track, pose, dt)
        if reason is not None:
            self.resets.append((t, track.id, reason))
            track.landmarks.reset()
            track.world.reset()
            track.visibility = pose.landmarks[:, VIS].astype(np.float64)
        track.last_t = t
        track.raw = pose.landmarks[:, :2].astype(np.float64)
        track.torso = _torso(pose.landmarks)
        track.center = pose.center
        track.size = pose.body_size
        if not self.smooth:
            track.pose = pose.with_id(track.id)
            return
        vis = pose.landmarks[:, VIS].astype(np.float64)
        trust = np.clip(
            (vis - self.visibility_low) / (self.visibility_high - self.visibility_low), 0.02, 1.0
        )[:, None]
        xyz = track.landmarks(pose.landmarks[:, :3], t, scale=pose.body_size, weight=trust)
        world = track.world(pose.world, t, scale=1.0, weight=trust)
        if dt > 0:
            a = float(low_pass_alpha(dt, self.visibility_cutoff))
            track.visibility = track.visibility + a * (vis - track.visibility)
        lm = pose.landmarks.copy()
        lm[:, :3] = xyz
        lm[:, VIS] = track.visibility
        track.pose = Pose(lm.astype(np.float32), world.astype(np.float32), track.id)
