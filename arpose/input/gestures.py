"""Gestures: discrete events from one person's landmarks over time.

A :class:`GestureDetector` follows ONE person. Feed it ``update(pose, t)`` once per
frame (``pose`` may be None when the person is not in view); it returns the
:class:`GestureEvent` s that happened in that frame and keeps :attr:`~GestureDetector.active`,
the set of held poses right now, for polling.

Gesture names (:data:`GESTURES`) and what they mean. Distances are in shoulder
widths ("su") of the person, so the same thresholds work near and far; directions
are from the user's point of view (= screen directions in a mirror view); see
:mod:`arpose.input.body_view`. All defaults live in :class:`GestureConfig`.

================  =========================================================================
``hand_up``       held: a wrist >= ``hand_up`` (0.8 su, about nose height) above its
                  shoulder; ``side`` says which hand. Fires for each hand independently.
``both_hands_up`` held: both wrists up as above (``hand_up`` events fire too).
``t_pose``        held: both wrists >= ``t_pose_reach`` (1.2 su) out from their shoulders,
                  wrists and elbows within ``t_pose_level`` (0.45 su) of shoulder height.
``lean``          held: torso tilted >= ``lean_deg`` (12 deg) sideways (hips needed);
                  ``side`` = the user's side leaned toward, ``value`` = angle.
``squat_down``    the squat ratio (vertical thigh / vertical shin, 1 standing, ~0.2 at
                  parallel) dropped below ``squat_down`` (0.55); legs needed.
``squat_up``      after ``squat_down``, the ratio rose above ``squat_up`` (0.8).
``jump``          both ankles and the hips rose >= ``jump_rise`` (0.3 su) above their
                  standing level, the hips at >= ``jump_speed`` (3 su/s: a take-off,
                  not a camera tilt); ``value`` = the height. Legs needed.
``swipe``         a wrist moved >= ``swipe_distance`` (1.0 su) at >= ``swipe_speed``
                  (3 su/s) along a consistent direction; ``direction`` (unit, x right,
                  y down), ``speed`` (su/s), ``start``/``end`` (image px).
``punch``         the wrist's reach in front of its shoulder grew >= ``punch_depth``
                  (1.0 su) within ``punch_window`` (0.35 s) at >= ``swipe_speed``; depth
                  is median-filtered (MediaPipe's depth is noisy). ``side``, ``speed``.
``clap``          the wrists came from >= ``clap_open`` (0.9 su) apart to <=
                  ``clap_close`` (0.45 su) within ``clap_window`` (0.6 s), each hand moving
                  >= ``clap_each`` (0.2 su) toward the other.
================  =========================================================================

Held poses fire ``phase="start"`` after they have held for ``hold`` seconds and
``phase="end"`` after they have been gone for ``release`` seconds (debounce:
flicker never produces a burst of events). Hysteresis: a pose is entered at its
threshold and left at a looser one.

Tracking glitches: a landmark that teleports for a frame produces a single huge
velocity sample. Swipes therefore need >= ``swipe_segments`` (2) consecutive
velocity samples pointing the same way (cosine >= 0.6 to the motion's
direction), no sample above ``max_speed`` (25 su/s, beyond a human hand; such a
sample restarts the trail and starts a ``glitch_holdoff`` of 0.4 s for that
hand), no single step carrying more than ``swipe_step_share`` (70 %) of the
distance, and not the profile of a teleport that the One-Euro filter smoothed
into a glide (its fastest step comes first, straight from rest; a real swipe
speeds up from rest first). A clap needs both hands to move (one teleporting
wrist is not a clap).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

import numpy as np

from ..pose import Pose
from .body_view import BodyView, body_scale, body_view, squat_ratio

GESTURES: tuple[str, ...] = (
    "hand_up",
    "both_hands_up",
    "t_pose",
    "lean",
    "squat_down",
    "squat_up",
    "jump",
    "swipe",
    "punch",
    "clap",
)
"""Every gesture name a :class:`GestureEvent` can carry."""

HELD: tuple[str, ...] = ("hand_up", "both_hands_up", "t_pose", "lean")
"""Gestures that are held (they have start and end phases)."""


@dataclass(frozen=True)
class GestureConfig:
    """Thresholds of every gesture (distances in shoulder widths, times in seconds)."""

    hold: float = 0.15
    """A held pose must last this long before it starts (debounce)."""
    release: float = 0.15
    """...and be gone this long before it ends and can start again."""
    hand_up: float = 0.8
    """Wrist this far above its shoulder = hand up (0.8 su is about nose height)."""
    hand_up_release: float = 0.55
    t_pose_reach: float = 1.2
    t_pose_level: float = 0.45
    t_pose_release: float = 0.65
    """Level tolerance while already in a T-pose (hysteresis)."""
    lean_deg: float = 12.0
    lean_release_deg: float = 7.0
    squat_down: float = 0.55
    squat_up: float = 0.8
    jump_rise: float = 0.3
    jump_release: float = 0.12
    baseline_tau: float = 1.0
    """Time constant of the standing-level estimate used by ``jump``."""
    swipe_distance: float = 1.0
    swipe_speed: float = 3.0
    swipe_window: float = 0.45
    """The qualifying motion must happen within this time."""
    swipe_segments: int = 2
    swipe_consistency: float = 0.6
    swipe_step_share: float = 0.7
    swipe_cooldown: float = 0.35
    max_speed: float = 25.0
    """Hand speeds above this (su/s, ~9.5 m/s) are tracking glitches."""
    glitch_holdoff: float = 0.4
    """After a glitch sample, that hand's motion is ignored this long (the smoother
    turns a teleport into a glide there and back)."""
    punch_depth: float = 1.0
    """A punch: the wrist's reach in front of its shoulder grows by this much..."""
    punch_window: float = 0.35
    """...within this time (and at >= ``swipe_speed``)."""
    punch_median: int = 5
    """Depth is median-filtered over this many samples (MediaPipe depth is noisy)."""
    jump_speed: float = 3.0
    """The hips must rise at >= this speed (su/s): a jump, not a camera tilt or a slow
    rise onto the toes. A 10 cm hop leaves the floor at about 1.4 m/s, 3.5 su/s; the camera
    tilt at the end of dance.avi lifts the whole street at 2.3-2.5 su/s (frames 186-202)."""
    jump_window: float = 0.3
    clap_open: float = 0.9
    clap_close: float = 0.45
    clap_window: float = 0.6
    clap_cooldown: float = 0.3
    clap_each: float = 0.2
    """Each hand must travel at least this far toward the other during a clap."""
    scale_tau: float = 0.5
    """Time constant of the body-scale smoothing."""
    max_gap: float = 0.5
    """A gap between samples longer than this restarts motion tracking."""

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise ValueError(f"GestureConfig.{f.name} must be a finite number >= 0, got {v!r}")
        if self.hand_up_release > self.hand_up:
            raise ValueError("GestureConfig.hand_up_release must be <= hand_up")
        if self.squat_down >= self.squat_up:
            raise ValueError("GestureConfig.squat_down must be < squat_up")


@dataclass(frozen=True)
class GestureEvent:
    """One gesture of one person.

    Attributes:
        name: one of :data:`GESTURES`.
        t: timestamp (PoseFrame.t) of the frame where it was recognised.
        phase: "start" or "end" for held poses; "start" for one-shot gestures.
        side: "left"/"right" (the user's own side) for hand_up, lean, swipe, punch.
        player: player slot (0-based) when known, else -1 (set by BodyInput).
        speed: shoulder widths per second (swipe, punch, clap).
        direction: unit vector (x toward the user's right = screen right in a mirror
            view, y down) of a swipe or punch's sideways part.
        value: gesture-specific size: lean angle, jump height (su), swipe distance (su).
        start, end: image pixel positions where a swipe/punch began and is now.
    """

    name: str
    t: float
    phase: str = "start"
    side: str | None = None
    player: int = -1
    speed: float = 0.0
    direction: tuple[float, float] = (0.0, 0.0)
    value: float = 0.0
    start: tuple[float, float] | None = None
    end: tuple[float, float] | None = None

    @property
    def label(self) -> str:
        """Direction as a word: "left", "right", "up" or "down" (dominant axis)."""
        dx, dy = self.direction
        if abs(dx) >= abs(dy):
            return "right" if dx > 0 else "left"
        return "down" if dy > 0 else "up"

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class _Held:
    """Debounced boolean with hysteresis handled by the caller (start/end by time)."""

    def __init__(self) -> None:
        self.active = False
        self.raw = False
        self._since: float | None = None  # when raw last changed

    def update(self, raw: bool, t: float, hold: float, release: float) -> str | None:
        if raw != self.raw:
            self.raw, self._since = raw, t
        if self._since is None:
            self._since = t
        if raw and not self.active and t - self._since >= hold and t > self._since:
            self.active = True
            return "start"
        if not raw and self.active and t - self._since >= release and t > self._since:
            self.active = False
            return "end"
        return None

    def clear(self, t: float) -> str | None:
        """Person gone: end at once."""
        was = self.active
        self.active, self.raw, self._since = False, False, None
        return "end" if was else None


@dataclass
class _Trail:
    """Recent body-relative positions of one wrist."""

    t: deque = field(default_factory=lambda: deque(maxlen=64))
    p: deque = field(default_factory=lambda: deque(maxlen=64))
    cooldown_until: float = -math.inf
    holdoff_until: float = -math.inf

    def clear(self) -> None:
        self.t.clear()
        self.p.clear()


class GestureDetector:
    """Recognises :data:`GESTURES` for one person from poses over time.

    Args:
        config: thresholds (see :class:`GestureConfig`).
        flip: True when the person faces the camera (user-right = image-left).
    """

    def __init__(self, config: GestureConfig | None = None, *, flip: bool = True):
        self.config = config or GestureConfig()
        self.flip = flip
        self.reset()

    def reset(self) -> None:
        """Forget everything (a different person, or time jumped backwards)."""
        self._t: float | None = None
        self._scale: float | None = None
        self._held: dict[tuple[str, str | None], _Held] = {}
        self._trails = {"left": _Trail(), "right": _Trail()}
        self._depth = {"left": _Trail(), "right": _Trail()}
        self._jump_hist: deque = deque(maxlen=64)
        self._squat_down = False
        self._squat_since: float | None = None
        self._ankle_base: float | None = None
        self._hip_base: float | None = None
        self._air = False
        self._air_n = 0
        self._jump_t: float | None = None
        self._fast_t: float | None = None
        self._clap_open_t: float | None = None
        self._clap_open_pos: tuple[np.ndarray, np.ndarray] = (np.zeros(2), np.zeros(2))
        self._clap_cooldown = -math.inf
        self.view: BodyView | None = None

    @property
    def active(self) -> set[str]:
        """Held gestures active now, e.g. ``{"hand_up:left", "lean:right", "t_pose"}``."""
        return {f"{n}:{s}" if s else n for (n, s), h in self._held.items() if h.active}

    def is_active(self, name: str, side: str | None = None) -> bool:
        """Whether held gesture ``name`` (optionally of ``side``) is active now."""
        return any(h.active for (n, s), h in self._held.items() if n == name and (side is None or s == side))

    # -- main entry ----------------------------------------------------------------
    def update(self, pose: Pose | None, t: float) -> list[GestureEvent]:
        """Process one frame; returns the gestures recognised in it.

        ``pose`` None (person not in view) ends held gestures and clears motion trails.
        Timestamps must increase; a timestamp going backwards (a replay restarted)
        resets the detector.
        """
        t = float(t)
        if not math.isfinite(t):
            return []
        events: list[GestureEvent] = []
        if self._t is not None and t < self._t:
            self.reset()
        gap = self._t is not None and t - self._t > self.config.max_gap
        prev_t, self._t = self._t, t
        view = self._measure(pose, t, prev_t)
        self.view = view
        if view is None:
            for (name, side), h in self._held.items():
                if h.clear(t):
                    events.append(GestureEvent(name, t, "end", side))
            for tr in (*self._trails.values(), *self._depth.values()):
                tr.clear()
            self._clap_open_t = None
            return events
        if gap:
            for tr in (*self._trails.values(), *self._depth.values()):
                tr.clear()
            self._jump_hist.clear()
        events += self._held_poses(view, t)
        events += self._squat(view, t)
        events += self._jump(view, t)
        for side in ("left", "right"):
            events += self._motion(view, t, side)
            events += self._punch(view, t, side)
        events += self._clap(view, t)
        return events

    def _measure(self, pose: Pose | None, t: float, prev_t: float | None) -> BodyView | None:
        if pose is None:
            return None
        s = body_scale(pose)
        if not math.isfinite(s):
            return None
        if self._scale is None or prev_t is None:
            self._scale = s
        else:
            a = 1.0 - math.exp(-max(t - prev_t, 0.0) / max(self.config.scale_tau, 1e-6))
            self._scale += a * (s - self._scale)
        return body_view(pose, scale=self._scale, flip=self.flip)

    def _held_update(
        self, name: str, side: str | None, raw: bool, t: float, value: float = 0.0
    ) -> list[GestureEvent]:
        h = self._held.setdefault((name, side), _Held())
        phase = h.update(raw, t, self.config.hold, self.config.release)
        return [GestureEvent(name, t, phase, side, value=value)] if phase else []

    def _is(self, name: str, side: str | None = None) -> bool:
        h = self._held.get((name, side))
        return bool(h and h.raw)

    def _held_poses(self, v: BodyView, t: float) -> list[GestureEvent]:
        c = self.config
        ev: list[GestureEvent] = []
        up = {}
        for side in ("left", "right"):
            w, s = f"{side}_wrist", f"{side}_shoulder"
            if v.sees(w, s):
                r = v.rise(w, s)
                thr = c.hand_up_release if self._is("hand_up", side) else c.hand_up
                up[side] = r >= thr
            else:
                up[side] = False
            ev += self._held_update("hand_up", side, up[side], t)
        ev += self._held_update("both_hands_up", None, up["left"] and up["right"], t)
        # T-pose
        tp = False
        if v.sees(
            "left_wrist", "right_wrist", "left_elbow", "right_elbow", "left_shoulder", "right_shoulder"
        ):
            level = c.t_pose_release if self._is("t_pose") else c.t_pose_level
            tp = True
            for side, sign in (("left", -1.0), ("right", 1.0)):
                sh, el, wr = v[f"{side}_shoulder"], v[f"{side}_elbow"], v[f"{side}_wrist"]
                reach = sign * (wr[0] - sh[0])
                tp &= (
                    reach >= c.t_pose_reach
                    and abs(wr[1] - sh[1]) <= level
                    and abs(el[1] - sh[1]) <= level
                    and sign * (el[0] - sh[0]) > 0
                )
        ev += self._held_update("t_pose", None, tp, t)
        # lean
        tilt = v.torso_tilt()
        for side, sign in (("left", -1.0), ("right", 1.0)):
            on = False
            if math.isfinite(tilt):
                thr = c.lean_release_deg if self._is("lean", side) else c.lean_deg
                on = sign * tilt >= thr
            ev += self._held_update("lean", side, on, t, value=abs(tilt) if on else 0.0)
        return ev

    def _squat(self, v: BodyView, t: float) -> list[GestureEvent]:
        c = self.config
        r = squat_ratio(v)
        if not math.isfinite(r):
            self._squat_since = None
            return []
        want_down = not self._squat_down
        cond = r < c.squat_down if want_down else r > c.squat_up
        if not cond:
            self._squat_since = None
            return []
        if self._squat_since is None:
            self._squat_since = t
        if t - self._squat_since >= min(c.hold, 0.1) and t > self._squat_since:
            self._squat_down = want_down
            self._squat_since = None
            return [GestureEvent("squat_down" if want_down else "squat_up", t, value=r)]
        return []

    def _jump(self, v: BodyView, t: float) -> list[GestureEvent]:
        """Feet and hips above their standing level (image y in body units)."""
        c = self.config
        prev_t, self._jump_t = self._jump_t, t
        if not v.sees("left_ankle", "right_ankle", "left_hip", "right_hip"):
            self._air, self._air_n = False, 0
            return []
        # image pixels (levels must not move when the scale estimate does), then su
        s = v.scale
        ankles = v.origin[1] + s * (v["left_ankle"][1] + v["right_ankle"][1]) / 2
        hips = v.origin[1] + s * v["mid_hip"][1]
        low_ankle = v.origin[1] + s * max(v["left_ankle"][1], v["right_ankle"][1])
        if self._ankle_base is None or self._hip_base is None:
            self._ankle_base, self._hip_base = ankles, hips
            return []
        rise_a = (self._ankle_base - low_ankle) / s  # the LOWER foot must leave the floor
        rise_h = (self._hip_base - hips) / s
        hist = self._jump_hist
        while hist and t - hist[0][0] > c.jump_window:
            hist.popleft()
        for tk, hk in hist:  # a fast take-off recently?
            d = (hk - hips) / s
            if t > tk and d >= 0.5 * c.jump_rise and d / (t - tk) >= c.jump_speed:
                self._fast_t = t
                break
        hist.append((t, hips))
        fast = self._fast_t is not None and t - self._fast_t <= c.jump_window
        up = rise_a >= c.jump_rise and rise_h >= c.jump_rise * 0.6 and fast
        down = rise_a < c.jump_release
        ev: list[GestureEvent] = []
        if not self._air:
            self._air_n = self._air_n + 1 if up else 0
            if self._air_n >= 2:  # 2 samples: one glitch is not a jump
                self._air = True
                ev.append(GestureEvent("jump", t, value=float(rise_a)))
        elif down:
            self._air, self._air_n = False, 0
        if not self._air and self._air_n == 0:
            # standing level follows slow drifts (walking nearer/farther), not jumps
            dt = min(max(t - (prev_t if prev_t is not None else t), 0.0), c.max_gap)
            a = 1.0 - math.exp(-dt / max(c.baseline_tau, 1e-6))
            self._ankle_base += a * (ankles - self._ankle_base)
            if math.isfinite(squat_ratio(v)) and squat_ratio(v) > c.squat_up:
                self._hip_base += a * (hips - self._hip_base)
        return ev

    def _motion(self, v: BodyView, t: float, side: str) -> list[GestureEvent]:
        """Swipe from the body-relative 2D wrist trail."""
        c = self.config
        tr = self._trails[side]
        w = f"{side}_wrist"
        if not v.sees(w):
            tr.clear()
            return []
        p = v[w][:2].copy()
        if tr.t:
            dt = max(t - tr.t[-1], 1.0 / 240.0)
            if float(np.linalg.norm(p - tr.p[-1])) / dt > c.max_speed:
                tr.holdoff_until = t + c.glitch_holdoff  # a teleport: ignore the glide
        if t < tr.holdoff_until:
            tr.clear()  # the trail restarts after the hold-off
        tr.t.append(t)
        tr.p.append(p)
        while tr.t and t - tr.t[0] > c.swipe_window:
            tr.t.popleft()
            tr.p.popleft()
        if t < tr.cooldown_until or len(tr.t) < c.swipe_segments + 1:
            return []
        last_dt = max(tr.t[-1] - tr.t[-2], 1.0 / 240.0)
        if float(np.hypot(*(tr.p[-1] - tr.p[-2]))) / last_dt < c.swipe_speed * 0.3:
            return []  # not moving now: no run ends here
        ts = np.fromiter(tr.t, float)
        ps = np.array(tr.p)
        steps = np.diff(ps, axis=0)
        dts = np.maximum(np.diff(ts), 1.0 / 240.0)
        speeds = np.linalg.norm(steps, axis=1) / dts
        # longest run ending now of steps in a consistent direction
        best = None
        for k in range(len(steps) - c.swipe_segments, -1, -1):
            run = steps[k:]
            disp = run.sum(axis=0)
            dist = float(np.linalg.norm(disp))
            if dist < 1e-9:
                break
            lens = np.linalg.norm(run, axis=1)
            cos = (run @ (disp / dist)) / np.maximum(lens, 1e-9)
            if np.any(cos < c.swipe_consistency) or np.any(speeds[k:] < c.swipe_speed * 0.3):
                break
            best = (k, disp, dist, lens)
        if best is None:
            return []
        k, disp, dist, lens = best
        duration = float(ts[-1] - ts[k])
        if dist < c.swipe_distance or duration <= 0:
            return []
        speed = dist / duration
        if speed < c.swipe_speed or float(np.max(lens)) > c.swipe_step_share * dist:
            return []
        if int(np.argmax(lens)) == 0:
            # fastest step first: a hand speeds up from rest, a teleport glide does not
            before = float(np.linalg.norm(steps[k - 1])) if k > 0 else None
            if (before is not None and before < 0.3 * lens[0]) or lens[-1] <= 0.6 * lens[0]:
                return []
        tr.cooldown_until = t + c.swipe_cooldown
        tr.clear()
        start, end = v.to_image(ps[k]), v.to_image(p)
        return [
            GestureEvent(
                "swipe",
                t,
                side=side,
                speed=float(speed),
                direction=(float(disp[0] / dist), float(disp[1] / dist)),
                value=dist,
                start=(float(start[0]), float(start[1])),
                end=(float(end[0]), float(end[1])),
            )
        ]

    def _punch(self, v: BodyView, t: float, side: str) -> list[GestureEvent]:
        """Punch: the wrist's depth in front of its shoulder grows fast.

        MediaPipe's depth is far noisier than x/y (on dance.avi the wrist's frame-to-frame
        depth change has a median of 10 su/s on a still arm), so depth is median-filtered
        over ``punch_median`` samples before differences are taken.
        """
        c = self.config
        tr = self._depth[side]
        w, sh = f"{side}_wrist", f"{side}_shoulder"
        if not v.sees(w, sh):
            tr.clear()
            return []
        tr.t.append(t)
        tr.p.append(np.array([v[sh][2] - v[w][2], v[w][0], v[w][1]]))  # reach (>0 = in front)
        while tr.t and t - tr.t[0] > c.punch_window + 0.2:
            tr.t.popleft()
            tr.p.popleft()
        n = int(c.punch_median)
        if len(tr.t) < n + 2 or t < tr.cooldown_until:
            return []
        ps = np.array(tr.p)
        if float(ps[-n:, 0].max() - ps[:, 0].min()) < c.punch_depth:
            return []  # cheap test before the medians
        ts = np.fromiter(tr.t, float)
        k = np.arange(n - 1, len(ts))
        reach = np.median(np.lib.stride_tricks.sliding_window_view(ps[:, 0], n), axis=1)
        tk = ts[k]
        now = reach[-1]
        recent = tk >= t - c.punch_window
        if not np.any(recent[:-1]):
            return []
        low_i = int(np.argmin(np.where(recent, reach, np.inf)))
        gain = float(now - reach[low_i])
        dt = float(t - tk[low_i])
        if gain < c.punch_depth or dt <= 0 or gain / dt < c.swipe_speed:
            return []
        seg = reach[low_i:]
        if np.any(np.diff(seg) < -0.25 * c.punch_depth):  # must grow steadily
            return []
        tr.cooldown_until = t + c.swipe_cooldown
        tr.clear()
        xy0, xy1 = ps[k[low_i], 1:], ps[-1, 1:]
        start, end = v.to_image(xy0), v.to_image(xy1)
        flat = xy1 - xy0
        nrm = float(np.linalg.norm(flat))
        return [
            GestureEvent(
                "punch",
                t,
                side=side,
                speed=gain / dt,
                direction=(float(flat[0] / nrm), float(flat[1] / nrm)) if nrm > 1e-9 else (0.0, 0.0),
                value=gain,
                start=(float(start[0]), float(start[1])),
                end=(float(end[0]), float(end[1])),
            )
        ]

    def _clap(self, v: BodyView, t: float) -> list[GestureEvent]:
        c = self.config
        if not v.sees("left_wrist", "right_wrist"):
            self._clap_open_t = None
            return []
        lw, rw = v["left_wrist"][:2].copy(), v["right_wrist"][:2].copy()
        d = float(np.linalg.norm(lw - rw))
        if d >= c.clap_open:
            self._clap_open_t, self._clap_open_pos = t, (lw, rw)
            return []
        if self._clap_open_t is None or d > c.clap_close:
            return []
        elapsed = t - self._clap_open_t
        lw0, rw0 = self._clap_open_pos
        axis = (rw0 - lw0) / max(float(np.linalg.norm(rw0 - lw0)), 1e-9)
        # both hands must have moved toward each other (a teleporting wrist moves alone)
        both = float((lw - lw0) @ axis) >= c.clap_each and float((rw0 - rw) @ axis) >= c.clap_each
        ok = 0 < elapsed <= c.clap_window and both and t >= self._clap_cooldown
        self._clap_open_t = None
        if not ok:
            return []
        self._clap_cooldown = t + c.clap_cooldown
        return [GestureEvent("clap", t, speed=(c.clap_open - d) / elapsed)]


def detect_all(
    poses: Iterable[tuple[Pose | None, float]], config: GestureConfig | None = None
) -> list[GestureEvent]:
    """Run one detector over ``(pose, t)`` pairs (one person) and collect every event."""
    det = GestureDetector(config)
    out: list[GestureEvent] = []
    for pose, t in poses:
        out += det.update(pose, t)
    return out


__all__ = ["GESTURES", "HELD", "GestureConfig", "GestureEvent", "GestureDetector", "detect_all"]
