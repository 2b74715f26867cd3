"""Landmark smoothing: three per-array filters, selectable by name, plus person ids.

- ``one-euro``: the One-Euro filter (Casiez, Roussel & Vogel, CHI 2012), a low-pass
  filter whose cutoff rises with speed: still joints are smoothed hard, fast ones lightly.
- ``one-euro-lc`` (the default): One-Euro with lag compensation: its output is pushed
  forward by the filter's own delay (the time constant 1/(2 pi cutoff) of the current
  cutoff) along its (smooth) derivative estimate.
- ``kalman``: a constant-velocity Kalman filter per coordinate (white-noise acceleration
  model); no lag on constant-speed motion, a bounded overshoot on a step.

All are driven by real timestamps (variable frame rates are fine) and work in body-size
units: speeds and noise are divided by the body's size (the longer side of its landmark
box), so one set of parameters fits a person near the camera and one far away (as in
MediaPipe's own pose smoothing). :func:`make_filter` makes any of them by name for other
landmark sets (hands reuse it).

:class:`PoseSmoother` keeps one filter per tracked person and gives people stable ids by
associating poses with tracks by position; a person who leaves and returns within
``keep_lost_s`` keeps their id. It starts a track's filters afresh when its timestamps
repeat or go backwards, after a gap, when the landmarks jump (the tracker swapped
people) and when the body's size jumps (a scene cut), so content never flies across the
screen.

The defaults were chosen by measurement: ``tools/tune_smoothing.py`` (ground truth and
real clips, the zero-phase lag metric of :mod:`arpose.bench.smoothing`); the README's
"Smoothing" section has the figures.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .pose import VIS, Pose

# One-Euro parameters in body sizes (see tools/tune_smoothing.py and the README).
DEFAULT_MIN_CUTOFF = 1.0
DEFAULT_BETA = 1.0
DEFAULT_D_CUTOFF = 1.0


def _alpha(dt: float, cutoff: np.ndarray | float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class LandmarkFilter(Protocol):
    """What :class:`PoseSmoother` needs of a per-array filter."""

    def __call__(self, x: np.ndarray, t: float, scale: float = 1.0,
                 weight: np.ndarray | float | None = None) -> np.ndarray: ...

    def reset(self) -> None: ...

    @property
    def velocity(self) -> np.ndarray | None: ...


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
        self._cutoff: np.ndarray | float = self.min_cutoff

    @property
    def value(self) -> np.ndarray | None:
        """Last filtered value."""
        return self._x

    @property
    def velocity(self) -> np.ndarray | None:
        """Filtered speed (units per second) of the last update; for extrapolation."""
        return self._dx

    @property
    def delay(self) -> np.ndarray | float:
        """The filter's own delay (s) at its current cutoff: on a constant-speed input a
        first-order low-pass trails by its time constant 1 / (2 pi cutoff)."""
        return 1.0 / (2.0 * math.pi * np.asarray(self._cutoff))

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
        if self._t is None or self._x is None or self._dx is None:
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
        self._cutoff = self.min_cutoff + self.beta * np.abs(self._dx) / max(scale, 1e-9)
        a = _alpha(dt, self._cutoff) * w
        self._x = self._x + a * (x - self._x)
        return self._x.copy()


class LagCompensatedOneEuro(OneEuroFilter):
    """One-Euro whose output is predicted forward by the filter's own delay.

    The output is ``x_f + compensation * delay * v_f`` (``x_f``, ``v_f``: the One-Euro
    value and speed, ``delay`` = 1 / (2 pi cutoff)): on steady motion this removes the
    first-order lag; on a step it overshoots by a bounded amount while the speed estimate
    decays (the cutoff is high then, so the delay, and the lead, are short).

    Args:
        min_cutoff, beta, d_cutoff: as :class:`OneEuroFilter`; a low ``d_cutoff`` keeps
            the prediction itself smooth.
        compensation: fraction of the delay predicted away (0 = plain One-Euro).
        max_lead_s: the longest prediction, in seconds.
        clip_to_sample: nonzero keeps the output between the filtered value and the
            newest sample (no overshoot at all on a step, but the raw sample's jitter
            comes back: measured worse, so off by default; the step overshoot without it
            is bounded, see the tests).
    """

    def __init__(self, min_cutoff: float = DEFAULT_MIN_CUTOFF, beta: float = DEFAULT_BETA,
                 d_cutoff: float = DEFAULT_D_CUTOFF, compensation: float = 1.0,
                 max_lead_s: float = 0.2, clip_to_sample: float = 0.0):
        self.clip_to_sample = bool(clip_to_sample)
        if not 0 <= compensation <= 2:
            raise ValueError(f"compensation must be in [0, 2], got {compensation}")
        if not max_lead_s >= 0:
            raise ValueError(f"max_lead_s must be >= 0, got {max_lead_s}")
        self.compensation, self.max_lead_s = compensation, max_lead_s
        super().__init__(min_cutoff, beta, d_cutoff)

    def reset(self) -> None:
        super().reset()
        self._out: np.ndarray | None = None

    @property
    def value(self) -> np.ndarray | None:
        """Last output (the compensated value)."""
        return self._out

    def __call__(self, x: np.ndarray, t: float, scale: float = 1.0,
                 weight: np.ndarray | float | None = None) -> np.ndarray:
        x = np.asarray(x, np.float64)
        fresh = self._t is None or t > self._t
        xf = super().__call__(x, t, scale, weight)
        if not fresh and self._out is not None:
            return self._out.copy()
        assert self._dx is not None
        lead = np.minimum(self.compensation * self.delay, self.max_lead_s) * self._dx
        if self.clip_to_sample:  # the prediction stays between the filtered value and the sample
            gap = x - xf
            lead = np.clip(lead, np.minimum(gap, 0.0), np.maximum(gap, 0.0))
        if weight is not None:
            lead = lead * (np.asarray(weight, np.float64) >= 0.5)
        self._out = xf + lead
        return self._out.copy()


class KalmanFilter:
    """Constant-velocity Kalman filter per element (position and speed, white-noise
    acceleration), called as ``f(x, t, scale, weight)`` like :class:`OneEuroFilter`.

    Args:
        noise: measurement noise (standard deviation), in body sizes.
        accel: process noise, the spectral density of the acceleration, in body sizes
            per s^1.5 (higher = follows faster changes, smooths less).
        speed0: standard deviation of the unknown initial speed, in body sizes per second.
    """

    def __init__(self, noise: float = 0.02, accel: float = 1.0, speed0: float = 1.0):
        for name, v in (("noise", noise), ("accel", accel), ("speed0", speed0)):
            if not v > 0:
                raise ValueError(f"{name} must be > 0, got {v}")
        self.noise, self.accel, self.speed0 = noise, accel, speed0
        self.reset()

    def reset(self) -> None:
        self._x: np.ndarray | None = None
        self._v: np.ndarray | None = None
        self._p: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._t: float | None = None

    @property
    def value(self) -> np.ndarray | None:
        return self._x

    @property
    def velocity(self) -> np.ndarray | None:
        """Estimated speed (units per second)."""
        return self._v

    def __call__(self, x: np.ndarray, t: float, scale: float = 1.0,
                 weight: np.ndarray | float | None = None) -> np.ndarray:
        x = np.asarray(x, np.float64)
        s = max(scale, 1e-9)
        r = (self.noise * s) ** 2
        if self._t is None or self._x is None or self._v is None or self._p is None:
            self._x, self._v, self._t = x.copy(), np.zeros_like(x), t
            self._p = (np.full_like(x, r), np.zeros_like(x), np.full_like(x, (self.speed0 * s) ** 2))
            return self._x.copy()
        dt = t - self._t
        if dt <= 0:
            return self._x.copy()
        self._t = t
        q = (self.accel * s) ** 2
        p00, p01, p11 = self._p
        # predict
        xp = self._x + self._v * dt
        p00 = p00 + dt * (2 * p01 + dt * p11) + q * dt ** 3 / 3
        p01 = p01 + dt * p11 + q * dt ** 2 / 2
        p11 = p11 + q * dt
        # update (weight 0: no measurement, the prediction is held)
        w = np.ones_like(x) if weight is None else np.broadcast_to(
            np.asarray(weight, np.float64), x.shape)
        seen = w > 0
        r_eff = r / np.maximum(w, 1e-9)
        k0 = np.where(seen, p00 / (p00 + r_eff), 0.0)
        k1 = np.where(seen, p01 / (p00 + r_eff), 0.0)
        y = x - xp
        self._x = xp + k0 * y
        self._v = self._v + k1 * y
        self._p = ((1 - k0) * p00, (1 - k0) * p01, p11 - k1 * p01)
        if not seen.all():  # held elements stay where they were
            self._x = np.where(seen, self._x, xp - self._v * dt)
        return self._x.copy()


# name -> (filter class, default parameters): the methods of PoseSmoother and --smoothing.
# Parameters chosen by measurement (tools/tune_smoothing.py; README "Smoothing"): on
# body-size-normalised speeds, each method's best trade-off of jitter and zero-phase lag
# over dance.avi and the exercise clips. (OneEuroFilter's own defaults, 1 Hz and beta 1,
# are kept for direct users such as the cursor, which pass their own parameters.)
METHODS: dict[str, tuple[type, dict[str, float]]] = {
    "one-euro": (OneEuroFilter, {"min_cutoff": 1.0, "beta": 10.0, "d_cutoff": 1.0}),
    "one-euro-lc": (LagCompensatedOneEuro, {"min_cutoff": 1.0, "beta": 10.0, "d_cutoff": 0.5,
                                            "compensation": 1.0, "max_lead_s": 0.2,
                                            "clip_to_sample": 0.0}),
    "kalman": (KalmanFilter, {"noise": 0.02, "accel": 1.0, "speed0": 1.0}),
}
DEFAULT_METHOD = "one-euro-lc"  # the measured best (README "Smoothing")
_process_default = [DEFAULT_METHOD]


def set_default_method(method: str) -> None:
    """Make ``method`` the one every :class:`PoseSmoother` made without a ``method`` uses
    (the ``--smoothing`` flag of the commands that track sets it once at start)."""
    make_filter(method)  # validates
    _process_default[0] = method


def default_method() -> str:
    """The method a :class:`PoseSmoother` without ``method`` uses."""
    return _process_default[0]


def make_filter(method: str = DEFAULT_METHOD, **params: float) -> LandmarkFilter:
    """A fresh per-array filter by method name (see :data:`METHODS`), with the method's
    default parameters overridden by ``params``; e.g. for hand landmarks."""
    if method not in METHODS:
        raise ValueError(f"unknown smoothing method {method!r}; choose from {', '.join(METHODS)}")
    cls, defaults = METHODS[method]
    unknown = set(params) - set(defaults)
    if unknown:
        raise ValueError(f"smoothing method {method!r} has no parameter "
                         f"{', '.join(sorted(unknown))}; it takes {', '.join(defaults)}")
    filt: LandmarkFilter = cls(**{**defaults, **params})
    return filt


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


class PoseSmoother:
    """Per-person smoothing with stable ids, called as ``smoother(poses, t)``.

    Args:
        min_cutoff, beta, d_cutoff: One-Euro parameters (speed in body sizes per second);
            None takes the method's default (only for the one-euro methods).
        method: the filter, by name: ``one-euro``, ``one-euro-lc`` or ``kalman``
            (:data:`METHODS` lists each one's parameters); None: :func:`default_method`
            (``--smoothing``).
        params: more parameters of the method (e.g. ``{"noise": 0.003}`` for kalman).
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

    def __init__(self, min_cutoff: float | None = None, beta: float | None = None,
                 d_cutoff: float | None = None, *, method: str | None = None,
                 params: dict[str, float] | None = None, smooth: bool = True,
                 keep_lost_s: float = 1.0, match_distance: float = 0.6,
                 visibility_low: float = 0.2, visibility_high: float = 0.6,
                 visibility_cutoff: float = 3.0, reset_gap_s: float = 0.3,
                 jump_reset: float = 0.35, cut_ratio: float = 1.35):
        extra: dict[str, float] = dict(params or {})
        for name, v in (("min_cutoff", min_cutoff), ("beta", beta), ("d_cutoff", d_cutoff)):
            if v is not None:
                extra[name] = v
        method = method or default_method()
        make_filter(method, **extra)  # validates the method and parameters
        self.method = method
        self.filter_params = extra
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

    @property
    def params(self) -> dict[str, Any]:
        """The filter's parameters in force (the method's defaults plus overrides)."""
        return {**METHODS[self.method][1], **self.filter_params}

    def make_filter(self) -> LandmarkFilter:
        """A fresh per-array filter of this smoother's method and parameters."""
        return make_filter(self.method, **self.filter_params)

    def _filters(self) -> tuple[LandmarkFilter, LandmarkFilter]:
        return self.make_filter(), self.make_filter()

    def _new_track(self, pose: Pose, t: float) -> _Track:
        pid, self._next_id = self._next_id, self._next_id + 1
        lf, wf = self._filters()
        track = _Track(pid, lf, wf, pose.landmarks[:, VIS].astype(np.float64), pose.center,
                       pose.body_size, t, pose.with_id(pid),
                       pose.landmarks[:, :2].astype(np.float64), _torso(pose.landmarks))
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
