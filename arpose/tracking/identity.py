"""PersonTracker: who is who over time, with each person's landmarks filtered.

It gives people stable ids by associating poses with tracks by position; a person who
leaves and returns within ``keep_lost_s`` keeps their id. Identity is decided here, after
the detector, from the people themselves: it does not matter which inference worker
(each with its own MediaPipe tracker) saw a frame.

Who is tracked (``max_people``): every person detected gets a track and an id, but only
up to ``max_people`` of them are *selected* and reported. The selection is sticky: a
selected person stays selected while seen, and through gaps up to ``keep_lost_s``; a
newcomer takes a place only when one is free (nobody selected yet, or a selected person
gone for longer than ``keep_lost_s``). Among newcomers competing for free places the
``select`` rule decides (:data:`SELECT_RULES`). A selected person missed for a moment
(at most ``hold_s``: one worker's detector missing them on one frame) is still reported,
moved on by their filtered velocity, so effects and players do not blink; ``raw`` holds
only what the detector saw. It starts a track's filters
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

_PREDICT_S = 0.2  # a track's landmarks are moved on by their speed for at most this long
_GATE_BASE = 0.25  # body sizes: the most a person's landmarks move (median) in one frame
_GATE_SPEED = 2.0  # body sizes per second more for each second unseen (see PersonTracker._gate)

SELECT_RULES = ("first", "largest", "central")
"""How free places go to newcomers when more people are in view than ``max_people``:
``first`` (the default): whoever was seen first, ties by size; ``largest``: the biggest
body (nearest the camera); ``central``: the nearest to the image's vertical centre line
(needs the frame width, see :meth:`PersonTracker.update`)."""


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
    first_t: float = 0.0  # when the track started (the "first" selection rule)
    motion: np.ndarray | None = None  # raw landmark speed (33, 2) px/s, for the prediction


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
        match_distance: largest distance (body sizes; the median landmark distance from
            where the track should be now) still taken as the same person; less for a
            track seen a moment ago (0.25 + 2 per second unseen).
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
        max_people: most people reported (None: everyone detected); the rest are
            tracked with ids but not reported (see the module docstring).
        select: the rule that gives free places to newcomers (:data:`SELECT_RULES`).
        hold_s: a selected person missing for up to this long is still reported,
            moved by their velocity (0 turns it off). 0.1 s: on dance.avi with two
            inference workers a selected person is missed on single frames (20 ms).

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
        max_people: int | None = None,
        select: str = "first",
        hold_s: float = 0.1,
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
        if max_people is not None and max_people < 1:
            raise ValueError(f"max_people must be at least 1, got {max_people}")
        if select not in SELECT_RULES:
            raise ValueError(f"select must be one of {', '.join(SELECT_RULES)}, not {select!r}")
        self.max_people = max_people
        self.select = select
        self.hold_s = max(0.0, float(hold_s))
        self.resets: deque[tuple[float, int, str]] = deque(maxlen=1024)
        self._tracks: list[_Track] = []
        self._selected: list[int] = []  # ids of the selected tracks, in order of selection
        self._next_id = 0

    def reset(self) -> None:
        self._tracks.clear()
        self._selected.clear()
        self._next_id = 0
        self.resets.clear()

    @property
    def selected(self) -> tuple[int, ...]:
        """Ids of the people reported (see ``max_people``), in order of selection."""
        return tuple(self._selected)

    def velocity(self, pid: int) -> np.ndarray | None:
        """``(33, 3)`` filtered landmark speed in px/s of person ``pid`` (None if unknown)."""
        for tr in self._tracks:
            if tr.id == pid:
                return tr.landmarks.velocity
        return None

    def __call__(self, poses: Sequence[Pose], t: float) -> tuple[Pose, ...]:
        """Smoothed poses with ids, ordered by id."""
        return self.update(poses, t)[0]

    def update(
        self, poses: Sequence[Pose], t: float, width: float | None = None
    ) -> tuple[tuple[Pose, ...], tuple[Pose, ...]]:
        """Like calling the tracker, but also returns the raw poses with their ids.

        ``width``: the frame's width in pixels (the ``central`` rule; without it the
        centre of the people in view is used)."""
        self._tracks = [tr for tr in self._tracks if t - tr.last_t <= self.keep_lost_s]
        alive = {tr.id for tr in self._tracks}
        self._selected = [pid for pid in self._selected if pid in alive]
        pairs = self._associate(poses, t)
        seen: list[tuple[_Track, Pose]] = []
        for i, pose in enumerate(poses):
            track = pairs.get(i)
            if track is None:
                track = self._new_track(pose, t)
                self._tracks.append(track)
            else:
                self._update(track, pose, t)
            seen.append((track, pose))
        self._fill_places([tr for tr, _ in seen], width)
        chosen = set(self._selected) if self.max_people is not None else None
        out = [tr.pose for tr, _ in seen if chosen is None or tr.id in chosen]
        raw = [pose.with_id(tr.id) for tr, pose in seen if chosen is None or tr.id in chosen]
        if self.hold_s > 0:
            now = {tr.id for tr, _ in seen}
            out += [
                self._held(tr, t)
                for tr in self._tracks
                if tr.id not in now
                and 0 < t - tr.last_t <= self.hold_s + 1e-6
                and (chosen is None or tr.id in chosen)
            ]
        out.sort(key=lambda p: p.id)
        raw.sort(key=lambda p: p.id)
        return tuple(out), tuple(raw)

    def _fill_places(self, seen: list[_Track], width: float | None) -> None:
        """Give free places to the newcomers in view, by the ``select`` rule."""
        if self.max_people is None:
            return
        free = self.max_people - len(self._selected)
        if free <= 0:
            return
        taken = set(self._selected)
        new = [tr for tr in seen if tr.id not in taken]
        if not new:
            return
        if self.select == "largest":
            new.sort(key=lambda tr: (-tr.size, tr.id))
        elif self.select == "central":
            cx = width / 2 if width else float(np.mean([tr.center[0] for tr in seen]))
            new.sort(key=lambda tr: (abs(float(tr.center[0]) - cx), tr.id))
        else:
            new.sort(key=lambda tr: (tr.first_t, -tr.size, tr.id))
        self._selected += [tr.id for tr in new[:free]]

    def _held(self, track: _Track, t: float) -> Pose:
        """A selected person missing on this frame, moved on by their filtered velocity."""
        velocity = track.landmarks.velocity if self.smooth else None
        if velocity is None:
            return track.pose
        lm = track.pose.landmarks.copy()
        lm[:, :3] += (velocity * (t - track.last_t)).astype(np.float32)
        return Pose(lm, track.pose.world, track.id)

    def _associate(self, poses: Sequence[Pose], t: float) -> dict[int, _Track]:
        """Greedy nearest-first matching of poses to tracks.

        The distance is the median over the landmarks (those both see) between the pose
        and where the track's landmarks should be now (last seen, moved on by their speed),
        in body sizes. Landmarks, not the torso centre alone: when a passer-by walks in
        front of a player whom the detector missed on this frame, their centres meet but
        their heads, shoulders and feet do not, and the passer-by's own track, moved on,
        lies closer."""
        if not poses or not self._tracks:
            return {}
        cand = []
        for i, pose in enumerate(poses):
            s = pose.body_size
            seen = pose.landmarks[:, VIS] >= 0.5
            for tr in self._tracks:
                d = self._distance(pose, seen, tr, t) / max(s, tr.size, 1.0)
                if d <= self._gate(t - tr.last_t):
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

    def _gate(self, dt: float) -> float:
        """Largest distance (body sizes) at which a track unseen for ``dt`` seconds takes
        a pose: :data:`_GATE_BASE` plus :data:`_GATE_SPEED` per second, at most
        ``match_distance``. A track missed on one frame (the other worker's detector
        lost them) must not take a bystander half a body away. Time going backwards is a
        restart of the stream (a ``?loop`` replay), where nobody's speed is known: the
        whole ``match_distance`` applies, so a player keeps their id across the loop."""
        if dt < 0:
            return self.match_distance
        return min(self.match_distance, _GATE_BASE + _GATE_SPEED * dt)

    @staticmethod
    def _distance(pose: Pose, seen: np.ndarray, track: _Track, t: float) -> float:
        """Median landmark distance (px) between ``pose`` and ``track`` predicted at ``t``."""
        expected = track.raw
        if track.motion is not None:
            expected = expected + track.motion * min(max(t - track.last_t, 0.0), _PREDICT_S)
        both = seen & (track.visibility >= 0.5)
        if int(np.count_nonzero(both)) < 4:
            both = np.ones(len(seen), bool)
        return float(np.median(np.linalg.norm(pose.landmarks[both, :2] - expected[both], axis=1)))

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
            t,
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
        if reason is None and 0 < dt <= _PREDICT_S:
            speed = (pose.landmarks[:, :2].astype(np.float64) - track.raw) / dt
            track.motion = speed if track.motion is None else 0.5 * (track.motion + speed)
        else:
            track.motion = None
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
