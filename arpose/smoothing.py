"""One-Euro smoothing (Casiez, Roussel & Vogel, CHI 2012), vectorised, plus person ids.

The One-Euro filter is a low-pass filter whose cutoff rises with speed: still joints are
smoothed hard (no jitter), fast ones lightly (little lag). It is driven by real
timestamps, so a variable frame rate is handled. Speeds are divided by the body's size
(the longer side of its landmark box) before they raise the cutoff, so the same
parameters work for a person near the camera and one far away (this is what MediaPipe's
own pose smoothing does).

:class:`PoseSmoother` keeps one filter per tracked person and gives people stable ids
by associating poses with tracks by position; a person who leaves and returns within
``keep_lost_s`` keeps their id.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .pose import VIS, Pose

# Defaults chosen by measurement on ../shared/media/dance.avi (tools/tune_smoothing.py;
# the README's "Smoothing" table has the jitter/lag trade-off behind them).
DEFAULT_MIN_CUTOFF = 1.0
DEFAULT_BETA = 1.0
DEFAULT_D_CUTOFF = 1.0


def _alpha(dt: float, cutoff: np.ndarray | float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """A One-Euro filter over an array of any shape, called as ``f(x, t)``.

    Args:
        min_cutoff: cutoff frequency (Hz) at rest; lower = less jitter, more lag when slow.
        beta: how fast the cutoff rises with speed (per unit of normalised speed); higher =
            less lag on fast motion.
        d_cutoff: cutoff (Hz) of the speed estimate.
    """

    def __init__(self, min_cutoff: float = DEFAULT_MIN_CUTOFF, beta: float = DEFAULT_BETA,
                 d_cutoff: float = DEFAULT_D_CUTOFF):
        if not min_cutoff > 0:
            raise ValueError(f"min_cutoff must be > 0, got {min_cutoff}")
        if not beta >= 0:
            raise ValueError(f"beta must be >= 0, got {beta}")
        if not d_cutoff > 0:
            raise ValueError(f"d_cutoff must be > 0, got {d_cutoff}")
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.reset()

    def reset(self) -> None:
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @property
    def value(self) -> np.ndarray | None:
        """Last filtered value."""
        return self._x

    @property
    def velocity(self) -> np.ndarray | None:
        """Filtered speed (units per second) of the last update; for extrapolation."""
        return self._dx

    def __call__(self, x: np.ndarray, t: float, scale: float = 1.0,
                 weight: np.ndarray | float | None = None) -> np.ndarray:
        """Filter one sample.

        Args:
            x: the new raw sample (same shape every call).
            t: its timestamp in seconds (0.0 is a valid timestamp).
            scale: divides the speed before it raises the cutoff (e.g. body size in px).
            weight: per-element trust in [0, 1] (broadcastable to ``x``); 0 holds the
                previous value, so an unreliable (low-visibility) sample cannot yank it.
        """
        x = np.asarray(x, np.float64)
        if self._t is None or self._x is None:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return self._x.copy()
        dt = t - self._t
        if dt <= 0:  # a repeated or out-of-order timestamp: nothing new to learn
            return self._x.copy()
        self._t = t
        w = 1.0 if weight is None else np.asarray(weight, np.float64)
        dx = (x - self._x) / dt
        a_d = _alpha(dt, self.d_cutoff) * w
        self._dx = self._dx + a_d * (dx - self._dx)
        cutoff = self.min_cutoff + self.beta * np.abs(self._dx) / max(scale, 1e-9)
        a = _alpha(dt, cutoff) * w
        self._x = self._x + a * (x - self._x)
        return self._x.copy()


@dataclass
class _Track:
    id: int
    landmarks: OneEuroFilter
    world: OneEuroFilter
    visibility: np.ndarray
    center: np.ndarray
    size: float
    last_t: float
    pose: Pose


class PoseSmoother:
    """Per-person One-Euro smoothing with stable ids, called as ``smoother(poses, t)``.

    Args:
        min_cutoff, beta, d_cutoff: One-Euro parameters (speed in body sizes per second).
        smooth: False only assigns ids (``--no-smooth``).
        keep_lost_s: a person missing for up to this long keeps their id when back.
        match_distance: largest jump (in body sizes) between frames still taken as the
            same person.
        visibility_low, visibility_high: landmarks below ``low`` barely move the filter,
            above ``high`` are fully trusted; in between, trust ramps linearly.
        visibility_cutoff: low-pass cutoff (Hz) of the visibility values (for fading).
    """

    def __init__(self, min_cutoff: float = DEFAULT_MIN_CUTOFF, beta: float = DEFAULT_BETA,
                 d_cutoff: float = DEFAULT_D_CUTOFF, *, smooth: bool = True,
                 keep_lost_s: float = 1.0, match_distance: float = 0.6,
                 visibility_low: float = 0.2, visibility_high: float = 0.6,
                 visibility_cutoff: float = 3.0, reset_gap_s: float = 0.3):
        OneEuroFilter(min_cutoff, beta, d_cutoff)  # validates the parameters
        self.params = (min_cutoff, beta, d_cutoff)
        self.smooth = smooth
        self.keep_lost_s = keep_lost_s
        self.match_distance = match_distance
        self.visibility_low, self.visibility_high = visibility_low, visibility_high
        self.visibility_cutoff = visibility_cutoff
        self.reset_gap_s = reset_gap_s
        self._tracks: list[_Track] = []
        self._next_id = 0

    def reset(self) -> None:
        self._tracks.clear()
        self._next_id = 0

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
        """Like calling the smoother, but also returns the raw poses with their ids."""
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

    def _filters(self) -> tuple[OneEuroFilter, OneEuroFilter]:
        return OneEuroFilter(*self.params), OneEuroFilter(*self.params)

    def _new_track(self, pose: Pose, t: float) -> _Track:
        pid, self._next_id = self._next_id, self._next_id + 1
        lf, wf = self._filters()
        track = _Track(pid, lf, wf, pose.landmarks[:, VIS].astype(np.float64), pose.center,
                       pose.body_size, t, pose.with_id(pid))
        if self.smooth:
            lf(pose.landmarks[:, :3], t)
            wf(pose.world, t)
        return track

    def _update(self, track: _Track, pose: Pose, t: float) -> None:
        dt = t - track.last_t
        if dt > self.reset_gap_s:  # back after a gap: start the filters afresh
            track.landmarks.reset()
            track.world.reset()
        track.last_t = t
        track.center = pose.center
        track.size = pose.body_size
        if not self.smooth:
            track.pose = pose.with_id(track.id)
            return
        vis = pose.landmarks[:, VIS].astype(np.float64)
        trust = np.clip((vis - self.visibility_low) /
                        (self.visibility_high - self.visibility_low), 0.02, 1.0)[:, None]
        xyz = track.landmarks(pose.landmarks[:, :3], t, scale=pose.body_size, weight=trust)
        world = track.world(pose.world, t, scale=1.0, weight=trust)
        if dt > 0:
            a = float(_alpha(dt, self.visibility_cutoff))
            track.visibility = track.visibility + a * (vis - track.visibility)
        lm = pose.landmarks.copy()
        lm[:, :3] = xyz
        lm[:, VIS] = track.visibility
        track.pose = Pose(lm.astype(np.float32), world.astype(np.float32), track.id)
