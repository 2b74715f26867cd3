"""Synthetic people: realistic :class:`~arpose.pose.Pose` objects from a few body parameters.

Tests, benchmarks and games' headless demos need landmark sequences whose ground
truth is known (exactly N squats, a swipe from here to there, a still person with
tracker-like jitter). This module builds a 33-landmark BlazePose skeleton for a
person facing the camera from a small parametric body model and turns motions
(functions of time) into :class:`~arpose.pose.PoseFrame` lists with noise,
irregular timestamps and dropped frames.

Units: the body model is measured in shoulder widths ("su"); ``Body.scale`` is the
shoulder width in pixels. Proportions (shoulder width = 1): torso 1.4, upper arm
0.8, forearm 0.7, thigh and shin 1.15, hip width 0.7; a standing person is about
4.7 su tall (a 1.75 m adult with 0.38 m shoulders is 4.6).

Orientation: images are unmirrored camera images, so a person facing the camera has
their LEFT side on the image's RIGHT (larger x). Arm angles and hand offsets are
given from the person's own point of view (``out`` = away from the body's midline).

Example::

    from arpose.testing.bodies import Body, frames, make_pose, squat_motion
    pose = make_pose(Body(x=640, floor=700, scale=120, left_arm=180, right_arm=180))
    clip = frames(squat_motion(reps=5), fps=30, noise=1.5, seed=1)   # list[PoseFrame]
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..joints import LANDMARK_NAMES, NUM_LANDMARKS
from ..pose import Pose, PoseFrame

_I = {n: i for i, n in enumerate(LANDMARK_NAMES)}

METRES_PER_SU = 0.38
"""Shoulder width of the synthetic person in metres (for world landmarks)."""

UPPER_ARM, FOREARM, THIGH, SHIN, TORSO, HIP_HALF = 0.8, 0.7, 1.15, 1.15, 1.4, 0.35
LEG_NAMES = (
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)


@dataclass(frozen=True)
class Body:
    """Parameters of one synthetic person facing the camera.

    Attributes:
        x: image x of the body's midline (px).
        floor: image y of the floor under the feet (px).
        scale: shoulder width in pixels.
        squat: squat depth: 0 standing, 0.5 half squat, 1.0 thighs parallel to the floor.
        lean: sideways torso tilt in degrees, positive = toward the person's right.
        jump: height of the feet above the floor, in shoulder widths.
        legs_apart: distance between the ankles, in shoulder widths.
        left_arm / right_arm: arm elevation in the frontal plane, degrees: 0 hanging
            down, 90 straight out to the side (T-pose), 180 straight up.
        left_hand / right_hand: instead of an angle, the wrist position relative to its
            shoulder as ``(out, up, forward)`` in shoulder widths (``out`` = away from the
            midline, ``forward`` = toward the camera); overrides the arm angle.
        visible: "full", or "upper" (legs out of frame: knees/ankles/feet get
            visibility 0.02, as MediaPipe reports for cut-off limbs).
        id: person id put on the Pose.
        left_knee_lift / right_knee_lift: thigh raised forward, degrees (0 hanging, 90 level
            with the hip; the shin hangs down), for high knees.
    """

    x: float = 640.0
    floor: float = 690.0
    scale: float = 110.0
    squat: float = 0.0
    lean: float = 0.0
    jump: float = 0.0
    legs_apart: float = 0.7
    left_arm: float = 8.0
    right_arm: float = 8.0
    left_hand: tuple[float, float, float] | None = None
    right_hand: tuple[float, float, float] | None = None
    visible: str = "full"
    id: int = 0
    left_knee_lift: float = 0.0
    right_knee_lift: float = 0.0

    def but(self, **changes: Any) -> Body:
        """A copy with some parameters changed."""
        return replace(self, **changes)


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-9 else v


def _arm(
    shoulder: np.ndarray,
    side: float,
    up: np.ndarray,
    lateral: np.ndarray,
    angle: float,
    hand: tuple[float, float, float] | None,
) -> tuple[np.ndarray, ...]:
    """Elbow, wrist and hand points (pinky, index, thumb) in body coordinates."""
    fwd = np.array([0.0, 0.0, 1.0])
    out = lateral * side
    if hand is None:
        a = math.radians(angle)
        direction = _unit(math.sin(a) * out - math.cos(a) * up + 0.05 * fwd)
        wrist = shoulder + (UPPER_ARM + FOREARM) * direction
        elbow = shoulder + UPPER_ARM * direction
    else:
        wrist = shoulder + hand[0] * out + hand[1] * up + hand[2] * fwd
        d_vec = wrist - shoulder
        dist = float(np.linalg.norm(d_vec))
        if dist >= UPPER_ARM + FOREARM - 1e-6 or dist < 1e-6:
            wrist = (
                shoulder + _unit(d_vec) * min(dist, UPPER_ARM + FOREARM)
                if dist > 1e-6
                else shoulder - up * (UPPER_ARM + FOREARM)
            )
            elbow = shoulder + _unit(wrist - shoulder) * UPPER_ARM
        else:
            d = _unit(d_vec)
            along = (UPPER_ARM**2 - FOREARM**2 + dist**2) / (2 * dist)
            h = math.sqrt(max(UPPER_ARM**2 - along**2, 0.0))
            bend = -up - np.dot(-up, d) * d  # elbows hang down...
            if np.linalg.norm(bend) < 0.2:
                bend = out - np.dot(out, d) * d  # ...or out when the arm is vertical
            elbow = shoulder + along * d + h * _unit(bend)
    f = _unit(wrist - elbow)
    side_vec = _unit(np.cross(f, fwd)) if abs(f[2]) < 0.9 else up
    pinky = wrist + 0.2 * f - 0.06 * side_vec * side
    index = wrist + 0.25 * f + 0.03 * side_vec * side
    thumb = wrist + 0.15 * f + 0.09 * side_vec * side
    return elbow, wrist, pinky, index, thumb


@functools.lru_cache(maxsize=2048)
def body_points(body: Body) -> np.ndarray:
    """``(33, 3)`` landmark positions in body coordinates (shoulder widths): X toward
    the person's left, Y up from the floor, Z toward the camera (read-only, cached:
    still poses repeat a lot in test sequences)."""
    p = np.zeros((NUM_LANDMARKS, 3))
    depth = max(0.0, float(body.squat))
    theta = math.radians(min(depth, 1.4) * 90.0)  # thigh angle from vertical
    phi = 0.45 * theta  # shin leans forward
    psi = 0.35 * theta  # torso leans forward
    lift = max(0.0, float(body.jump))
    for side, s in (("left", 1.0), ("right", -1.0)):
        ankle = np.array([s * body.legs_apart / 2, 0.1 + lift, 0.0])
        knee = ankle + SHIN * np.array([0.0, math.cos(phi), math.sin(phi)])
        knee[0] = s * (HIP_HALF + body.legs_apart / 2) / 2 + s * 0.15 * min(depth, 1.0)
        hip = knee + THIGH * np.array([0.0, math.cos(theta), -math.sin(theta)])
        hip[0] = s * HIP_HALF
        p[_I[f"{side}_ankle"]] = ankle
        p[_I[f"{side}_knee"]] = knee
        p[_I[f"{side}_hip"]] = hip
        p[_I[f"{side}_heel"]] = ankle + [0.0, -0.07, -0.12]
        p[_I[f"{side}_foot_index"]] = ankle + [s * 0.05, -0.1, 0.3]
    for side, s, lift_deg in (("left", 1.0, body.left_knee_lift), ("right", -1.0, body.right_knee_lift)):
        if lift_deg > 0:
            a = math.radians(lift_deg)
            hip = p[_I[f"{side}_hip"]]
            knee = hip + THIGH * np.array([0.0, -math.cos(a), math.sin(a)])
            ankle = knee + np.array([0.0, -SHIN, 0.0])
            p[_I[f"{side}_knee"]] = knee
            p[_I[f"{side}_ankle"]] = ankle
            p[_I[f"{side}_heel"]] = ankle + [0.0, -0.07, -0.12]
            p[_I[f"{side}_foot_index"]] = ankle + [s * 0.05, -0.1, 0.3]
    mid_hip = (p[_I["left_hip"]] + p[_I["right_hip"]]) / 2
    lam = math.radians(body.lean)
    up = _unit(np.array([-math.sin(lam) * math.cos(psi), math.cos(lam) * math.cos(psi), math.sin(psi)]))
    lateral = _unit(np.array([math.cos(lam), math.sin(lam), 0.0]))
    fwd = np.array([0.0, 0.0, 1.0])
    mid_sh = mid_hip + TORSO * up
    # hips follow the lean a little (the pelvis tilts with the torso)
    for side, s in (("left", 1.0), ("right", -1.0)):
        p[_I[f"{side}_hip"]] = mid_hip + s * HIP_HALF * lateral
        p[_I[f"{side}_shoulder"]] = mid_sh + s * 0.5 * lateral
    head = mid_sh + 0.7 * up
    p[_I["nose"]] = mid_sh + 0.62 * up + 0.2 * fwd
    for side, s in (("left", 1.0), ("right", -1.0)):
        p[_I[f"{side}_eye_inner"]] = mid_sh + 0.75 * up + s * 0.07 * lateral + 0.15 * fwd
        p[_I[f"{side}_eye"]] = mid_sh + 0.76 * up + s * 0.12 * lateral + 0.14 * fwd
        p[_I[f"{side}_eye_outer"]] = mid_sh + 0.76 * up + s * 0.17 * lateral + 0.12 * fwd
        p[_I[f"{side}_ear"]] = head + s * 0.24 * lateral - 0.02 * fwd
        p[_I[f"mouth_{side}"]] = mid_sh + 0.5 * up + s * 0.08 * lateral + 0.15 * fwd
        shoulder = p[_I[f"{side}_shoulder"]]
        angle = body.left_arm if side == "left" else body.right_arm
        hand = body.left_hand if side == "left" else body.right_hand
        elbow, wrist, pinky, index, thumb = _arm(shoulder, s, up, lateral, angle, hand)
        p[_I[f"{side}_elbow"]] = elbow
        p[_I[f"{side}_wrist"]] = wrist
        p[_I[f"{side}_pinky"]] = pinky
        p[_I[f"{side}_index"]] = index
        p[_I[f"{side}_thumb"]] = thumb
    p.flags.writeable = False
    return p


def make_pose(
    body: Body | SideBody | None = None,
    *,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
    image_size: tuple[int, int] | None = None,
    **changes: object,
) -> Pose:
    """A :class:`Pose` for ``body`` (keyword ``changes`` override its fields).

    Args:
        noise: standard deviation of Gaussian pixel jitter on x and y (z gets twice
            that), like a tracker's frame-to-frame noise.
        rng: random generator for the noise (default: a fixed seed, so deterministic).
        image_size: when given, landmarks outside the image get visibility 0.05.
    """
    if isinstance(body, SideBody):
        return _side_pose(body, noise, rng, image_size)
    body = (body or Body()).but(**changes) if changes else (body or Body())
    pts = body_points(body)
    s = float(body.scale)
    hip_z = (pts[_I["left_hip"], 2] + pts[_I["right_hip"], 2]) / 2
    lm = np.zeros((NUM_LANDMARKS, 5), np.float32)
    lm[:, 0] = body.x + pts[:, 0] * s
    lm[:, 1] = body.floor - pts[:, 1] * s
    lm[:, 2] = -(pts[:, 2] - hip_z) * s
    lm[:, 3] = 0.99
    if noise > 0:
        rng = rng if rng is not None else np.random.default_rng(0)
        lm[:, 0:2] += rng.normal(0.0, noise, (NUM_LANDMARKS, 2))
        lm[:, 2] += rng.normal(0.0, 2 * noise, NUM_LANDMARKS)
        lm[:, 3] = np.clip(0.97 + rng.normal(0.0, 0.01, NUM_LANDMARKS), 0.0, 1.0)
    if body.visible == "upper":
        lm[[_I[n] for n in LEG_NAMES], 3] = 0.02
    elif body.visible != "full":
        raise ValueError(f"Body.visible must be 'full' or 'upper', got {body.visible!r}")
    if image_size is not None:
        w, h = image_size
        outside = (lm[:, 0] < 0) | (lm[:, 0] >= w) | (lm[:, 1] < 0) | (lm[:, 1] >= h)
        lm[outside, 3] = np.minimum(lm[outside, 3], 0.05)
    lm[:, 4] = lm[:, 3]
    mid_hip = (pts[_I["left_hip"]] + pts[_I["right_hip"]]) / 2
    world = (pts - mid_hip) * METRES_PER_SU
    world[:, 1:] *= -1.0  # MediaPipe world: y down, z away
    return Pose(lm, world.astype(np.float32), int(body.id))


Motion = tuple[Callable[[float], Sequence["Body | SideBody"]], float]
"""A motion: a function from time (s) to the bodies in view, and its duration (s)."""


def frames(
    motion: Motion,
    *,
    fps: float = 30.0,
    noise: float = 1.0,
    seed: int = 0,
    time_jitter: float = 0.0,
    drop: float = 0.0,
    size: tuple[int, int] = (1280, 720),
    t0: float = 0.0,
) -> list[PoseFrame]:
    """Sample a motion into PoseFrames the way a tracker would deliver them.

    Args:
        fps: nominal frame rate.
        noise: pixel jitter (see :func:`make_pose`).
        seed: random seed (noise, jitter and drops are all deterministic).
        time_jitter: per-frame timestamp jitter as a fraction of the frame interval.
        drop: probability of dropping a frame (a late camera or a skipped inference).
        size: image size of the frames.
        t0: timestamp of the first frame.
    """
    fn, duration = motion
    rng = np.random.default_rng(seed)
    out: list[PoseFrame] = []
    n = int(math.floor(duration * fps)) + 1
    for i in range(n):
        t = i / fps
        if time_jitter and 0 < i < n - 1:
            t += rng.uniform(-time_jitter, time_jitter) / fps
        if drop and 0 < i < n - 1 and rng.random() < drop:
            continue
        poses = tuple(make_pose(b, noise=noise, rng=rng, image_size=size) for b in fn(t))
        out.append(PoseFrame(t=t0 + t, index=i, size=size, poses=poses))
    return out


def _smooth_cycle(phase: float) -> float:
    """0 -> 1 -> 0 over one period, eased (cosine)."""
    return 0.5 - 0.5 * math.cos(2 * math.pi * phase)


def still_motion(duration: float = 4.0, body: Body | None = None) -> Motion:
    """A person standing still (the tracker's noise is added by :func:`frames`)."""
    b = body or Body()
    return (lambda t: [b]), duration


def squat_motion(
    reps: int = 5, *, depth: float = 1.0, period: float = 2.0, rest: float = 1.0, body: Body | None = None
) -> Motion:
    """``reps`` squats to ``depth`` (1 = parallel), one every ``period`` s, with ``rest``
    s standing before and after."""
    b = body or Body()

    def fn(t: float) -> list[Body]:
        u = t - rest
        if 0 <= u < reps * period:
            return [b.but(squat=depth * _smooth_cycle(u / period), left_hand=None, right_hand=None)]
        return [b]

    return fn, reps * period + 2 * rest


def jumping_jack_motion(
    reps: int = 5,
    *,
    period: float = 1.2,
    rest: float = 1.0,
    arms: float = 170.0,
    spread: float = 2.0,
    body: Body | None = None,
) -> Motion:
    """``reps`` jumping jacks: arms from hanging to ``arms`` degrees, feet from together
    to ``spread`` shoulder widths apart, with a small hop each time."""
    b = body or Body()

    def fn(t: float) -> list[Body]:
        u = t - rest
        if 0 <= u < reps * period:
            k = _smooth_cycle(u / period)
            hop = 0.25 * abs(math.sin(2 * math.pi * u / period))
            return [
                b.but(
                    left_arm=8 + (arms - 8) * k,
                    right_arm=8 + (arms - 8) * k,
                    legs_apart=0.6 + (spread - 0.6) * k,
                    jump=hop,
                )
            ]
        return [b.but(legs_apart=0.6)]

    return fn, reps * period + 2 * rest


def arm_raise_motion(
    reps: int = 5, *, period: float = 2.0, rest: float = 1.0, top: float = 175.0, body: Body | None = None
) -> Motion:
    """``reps`` raises of both straight arms from hanging to ``top`` degrees."""
    b = body or Body()

    def fn(t: float) -> list[Body]:
        u = t - rest
        if 0 <= u < reps * period:
            a = 8 + (top - 8) * _smooth_cycle(u / period)
            return [b.but(left_arm=a, right_arm=a)]
        return [b]

    return fn, reps * period + 2 * rest


def pose_hold_motion(
    hold: float = 1.5, *, rest: float = 1.0, body: Body | None = None, **pose: object
) -> Motion:
    """Stand, take the pose ``pose`` (Body fields, e.g. ``left_arm=180``) for ``hold`` s,
    stand again."""
    b = body or Body()
    target = b.but(**pose)

    def fn(t: float) -> list[Body]:
        return [target] if rest <= t < rest + hold else [b]

    return fn, hold + 2 * rest


def swipe_motion(
    side: str = "right",
    *,
    start: tuple[float, float, float] = (0.2, -0.3, 0.3),
    end: tuple[float, float, float] = (1.4, 0.2, 0.3),
    duration: float = 0.25,
    rest: float = 1.0,
    body: Body | None = None,
) -> Motion:
    """One fast hand movement of ``side``'s wrist from ``start`` to ``end`` (shoulder-relative
    ``(out, up, forward)`` in shoulder widths) taking ``duration`` s; the hand rests at
    ``start`` before and at ``end`` after. A punch is a swipe along ``forward``."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    b = body or Body()
    key = f"{side}_hand"
    s0, s1 = np.asarray(start, float), np.asarray(end, float)

    def fn(t: float) -> list[Body]:
        u = min(max((t - rest) / duration, 0.0), 1.0)
        k = 0.5 - 0.5 * math.cos(math.pi * u)
        return [b.but(**{key: tuple(s0 + (s1 - s0) * k)})]

    return fn, duration + 2 * rest


def clap_motion(
    claps: int = 1, *, period: float = 0.8, rest: float = 1.0, body: Body | None = None
) -> Motion:
    """Hands in front of the chest, apart then together, ``claps`` times."""
    b = body or Body()

    def fn(t: float) -> list[Body]:
        u = t - rest
        if 0 <= u < claps * period:
            k = _smooth_cycle(u / period)  # 0 apart -> 1 together -> 0 apart
            out = 0.9 - 1.35 * k  # wrist 0.9 su outside -> at the midline
            return [b.but(left_hand=(out, -0.5, 0.6), right_hand=(out, -0.5, 0.6))]
        return [b.but(left_hand=(0.9, -0.5, 0.6), right_hand=(0.9, -0.5, 0.6))]

    return fn, claps * period + 2 * rest


def jump_motion(
    jumps: int = 1, *, height: float = 0.8, period: float = 0.6, rest: float = 1.0, body: Body | None = None
) -> Motion:
    """``jumps`` vertical jumps, feet ``height`` shoulder widths off the floor at the top."""
    b = body or Body()

    def fn(t: float) -> list[Body]:
        u = t - rest
        if 0 <= u < jumps * period * 2:
            ph = (u % (2 * period)) / period
            if ph < 1.0:  # airborne half of each cycle: a parabola
                return [b.but(jump=height * 4 * ph * (1 - ph))]
        return [b]

    return fn, jumps * period * 2 + 2 * rest


def lean_motion(
    side: str = "left", *, angle: float = 20.0, hold: float = 1.0, rest: float = 1.0, body: Body | None = None
) -> Motion:
    """Lean the torso ``angle`` degrees toward the person's ``side`` and hold."""
    sign = 1.0 if side == "right" else -1.0
    return pose_hold_motion(hold, rest=rest, body=body, lean=sign * angle)


def concat(*motions: Motion) -> Motion:
    """Play motions one after another."""

    def fn(t: float) -> Sequence[Body | SideBody]:
        for m_fn, dur in motions:
            if t < dur:
                return m_fn(t)
            t -= dur
        return motions[-1][0](motions[-1][1])

    return fn, sum(d for _, d in motions)


def together(*motions: Motion) -> Motion:
    """Several people at once (each motion should use its own Body x and id)."""

    def fn(t: float) -> list[Body | SideBody]:
        return [b for m_fn, dur in motions for b in m_fn(min(t, dur))]

    return fn, max(d for _, d in motions)


# -- side views and lying poses (push-ups, sit-ups, lunges, side squats) -----------------


@dataclass(frozen=True)
class SideBody:
    """A person seen from the side (their ``facing`` side toward image-right when +1).

    Segment angles are degrees in the image plane, measured from straight DOWN, positive
    toward the facing direction (a thigh at 90 points forward, level). ``pose`` picks the
    construction: "stand" (feet on the floor: hips placed by the ``front`` leg), "plank"
    (push-up: wrists on the floor under the shoulders, body straight to the feet; ``elbow``
    is the elbow angle, ``sag`` drops the hips in shoulder widths) or "lying" (on the back,
    hips on the floor, knees bent; ``trunk`` is the torso's angle up from the floor).
    The far side's joints are drawn 0.12 su behind with visibility 0.8.
    """

    x: float = 640.0
    floor: float = 690.0
    scale: float = 110.0
    facing: float = 1.0
    pose: str = "stand"
    torso: float = 0.0
    thighs: tuple[float, float] = (0.0, 0.0)  # left, right
    shins: tuple[float, float] = (0.0, 0.0)
    front: int = 0  # leg on the floor carrying the hips
    arm: float = 0.0  # upper arm from down (stand)
    elbow: float = 175.0  # plank: elbow angle
    sag: float = 0.0
    trunk: float = 0.0  # lying: torso up from the floor
    id: int = 0

    def but(self, **changes: Any) -> SideBody:
        return replace(self, **changes)


def _d(angle: float, facing: float) -> np.ndarray:
    """Unit vector at ``angle`` degrees from down, toward ``facing`` (image coords, y down)."""
    a = math.radians(angle)
    return np.array([math.sin(a) * facing, math.cos(a)])


def side_points(b: SideBody) -> dict[str, np.ndarray]:
    """Named 2D points (shoulder widths, y down, floor at 0) of the NEAR side plus the head."""
    f = b.facing
    pts: dict[str, np.ndarray] = {}
    if b.pose == "stand":
        k = b.front
        foot = np.array([0.0, -0.1])
        knee_f = foot - SHIN * _d(b.shins[k], f)
        hip = knee_f - THIGH * _d(b.thighs[k], f)
        for i, side in enumerate(("left", "right")):
            knee = hip + THIGH * _d(b.thighs[i], f)
            pts[f"{side}_hip"], pts[f"{side}_knee"] = hip, knee
            pts[f"{side}_ankle"] = knee + SHIN * _d(b.shins[i], f)
        shoulder = hip + TORSO * np.array(
            [math.sin(math.radians(b.torso)) * f, -math.cos(math.radians(b.torso))]
        )
        up = _unit(shoulder - hip)
        elbow = shoulder + UPPER_ARM * _d(b.arm, f)
        wrist = elbow + FOREARM * _d(b.arm, f)
    elif b.pose == "plank":
        e = math.radians(min(max(b.elbow, 60.0), 180.0))
        wrist = np.array([0.0, -0.05])
        elbow = wrist + np.array([0.0, -FOREARM])
        beta = math.pi - e  # upper arm from down, pointing back
        shoulder = elbow + UPPER_ARM * np.array([math.sin(beta) * f, -math.cos(beta)])
        length = TORSO + THIGH + SHIN
        h = -shoulder[1] - 0.1
        run = math.sqrt(max(length**2 - h**2, 0.0))
        ankle = shoulder + np.array([-f * run, h])
        line = ankle - shoulder
        hip = shoulder + line * (TORSO / length) + np.array([0.0, b.sag])
        knee = shoulder + line * ((TORSO + THIGH) / length) + np.array([0.0, b.sag / 2])
        for side in ("left", "right"):
            pts[f"{side}_hip"], pts[f"{side}_knee"], pts[f"{side}_ankle"] = hip, knee, ankle
        up = _unit(shoulder - hip)
    elif b.pose == "lying":
        hip = np.array([0.0, -0.15])
        knee = hip + THIGH * np.array([math.cos(math.radians(45)) * f, -math.sin(math.radians(45))])
        ankle = knee + SHIN * np.array([math.cos(math.radians(60)) * f, math.sin(math.radians(60))])
        for side in ("left", "right"):
            pts[f"{side}_hip"], pts[f"{side}_knee"], pts[f"{side}_ankle"] = hip, knee, ankle
        a = math.radians(b.trunk)
        shoulder = hip + TORSO * np.array([-math.cos(a) * f, -math.sin(a)])
        up = _unit(shoulder - hip)
        elbow = shoulder + UPPER_ARM * 0.5 * (-up) + np.array([0.25 * f, 0.0])
        wrist = shoulder + np.array([0.3 * f, 0.05])  # hands crossed on the chest
    else:
        raise ValueError(f"SideBody.pose must be stand, plank or lying, got {b.pose!r}")
    fwd = np.array([f, 0.0])
    pts["shoulder"], pts["elbow"], pts["wrist"] = shoulder, elbow, wrist
    pts["head"] = shoulder + 0.62 * up + 0.18 * fwd
    for side in ("left", "right"):
        pts[f"{side}_heel"] = pts[f"{side}_ankle"] + np.array([-0.12 * f, 0.05])
        pts[f"{side}_foot_index"] = pts[f"{side}_ankle"] + np.array([0.3 * f, 0.05])
    return pts


def _side_pose(
    b: SideBody, noise: float, rng: np.random.Generator | None, image_size: tuple[int, int] | None
) -> Pose:
    pts = side_points(b)
    near = "left" if b.facing < 0 else "right"  # facing image-right shows the right side
    lm = np.zeros((NUM_LANDMARKS, 5), np.float32)
    lm[:, 3] = 0.99
    head = pts["head"]
    for name in LANDMARK_NAMES:
        side = (
            "left"
            if name.startswith("left") or name.endswith("_left")
            else "right"
            if name.startswith("right") or name.endswith("_right")
            else ""
        )
        base = name.replace("left_", "").replace("right_", "").replace("_left", "").replace("_right", "")
        key = name if name in pts else base
        if key in ("shoulder", "elbow", "wrist"):
            q = pts[key]
        elif key in ("pinky", "index", "thumb"):
            q = pts["wrist"] + (pts["wrist"] - pts["elbow"]) * 0.25
        elif name in pts:
            q = pts[name]
        else:  # face points: around the head
            q = head + np.array([0.05 * b.facing, -0.05])
        q = np.asarray(q, np.float64).copy()
        if side and side != near:
            q[0] -= 0.12 * b.facing
            lm[_I[name], 3] = 0.8
        lm[_I[name], 0] = b.x + q[0] * b.scale
        lm[_I[name], 1] = b.floor + q[1] * b.scale
    if noise > 0:
        rng = rng if rng is not None else np.random.default_rng(0)
        lm[:, 0:2] += rng.normal(0.0, noise, (NUM_LANDMARKS, 2))
        lm[:, 3] = np.clip(lm[:, 3] + rng.normal(0.0, 0.01, NUM_LANDMARKS), 0.0, 1.0)
    if image_size is not None:
        w, h = image_size
        outside = (lm[:, 0] < 0) | (lm[:, 0] >= w) | (lm[:, 1] < 0) | (lm[:, 1] >= h)
        lm[outside, 3] = np.minimum(lm[outside, 3], 0.05)
    lm[:, 4] = lm[:, 3]
    world = np.zeros((NUM_LANDMARKS, 3), np.float32)
    world[:, :2] = (
        (lm[:, :2] - lm[[_I["left_hip"], _I["right_hip"]], :2].mean(axis=0)) / b.scale * METRES_PER_SU
    )
    return Pose(lm, world, int(b.id))


def _cycle_motion(
    reps: int, period: float, rest: float, at: Callable[[float, int], Body | SideBody], still: Body | SideBody
) -> Motion:
    """``reps`` cycles of ``at(k, rep)`` (k: 0 -> 1 -> 0 eased) with rest before and after."""

    def fn(t: float) -> list[Body | SideBody]:
        u = t - rest
        if 0 <= u < reps * period:
            return [at(_smooth_cycle(u / period), int(u // period))]
        return [still]

    return fn, reps * period + 2 * rest


def pushup_motion(
    reps: int = 5,
    *,
    period: float = 1.6,
    rest: float = 1.0,
    bottom: float = 85.0,
    body: SideBody | None = None,
) -> Motion:
    """Side-view push-ups: elbows from 175 degrees down to ``bottom`` and back."""
    b = (body or SideBody(x=900.0, floor=650.0, scale=90.0)).but(pose="plank", elbow=175.0)
    return _cycle_motion(reps, period, rest, lambda k, i: b.but(elbow=175.0 - (175.0 - bottom) * k), b)


def situp_motion(
    reps: int = 5, *, period: float = 2.0, rest: float = 1.0, top: float = 75.0, body: SideBody | None = None
) -> Motion:
    """Side-view sit-ups: lying on the back, knees bent, torso up to ``top`` degrees."""
    b = (body or SideBody(x=600.0, floor=650.0, scale=100.0)).but(pose="lying", trunk=0.0)
    return _cycle_motion(reps, period, rest, lambda k, i: b.but(trunk=top * k), b)


def lunge_motion(
    reps: int = 6, *, period: float = 2.0, rest: float = 1.0, depth: float = 1.0, body: SideBody | None = None
) -> Motion:
    """Side-view forward lunges, alternating legs (left first): front thigh to level, back
    knee toward the floor."""
    b = body or SideBody(x=640.0, floor=690.0, scale=100.0)

    def at(k: float, i: int) -> SideBody:
        k *= depth
        front = i % 2
        thighs = [0.0, 0.0]
        shins = [0.0, 0.0]
        thighs[front], shins[front] = 85.0 * k, -5.0 * k
        thighs[1 - front], shins[1 - front] = -15.0 * k, -95.0 * k
        return b.but(thighs=tuple(thighs), shins=tuple(shins), front=front)

    return _cycle_motion(reps, period, rest, at, b)


def side_squat_motion(
    reps: int = 5, *, period: float = 2.0, rest: float = 1.0, body: SideBody | None = None
) -> Motion:
    """Squats filmed from the side: thighs to level, shins and torso leaning forward."""
    b = body or SideBody(x=640.0, floor=690.0, scale=100.0)
    return _cycle_motion(
        reps,
        period,
        rest,
        lambda k, i: b.but(
            thighs=(85.0 * k, 85.0 * k), shins=(-30.0 * k, -30.0 * k), torso=40.0 * k, arm=80.0 * k
        ),
        b,
    )


def lateral_raise_motion(
    reps: int = 5, *, period: float = 2.0, rest: float = 1.0, top: float = 90.0, body: Body | None = None
) -> Motion:
    """Both straight arms out to the side, to ``top`` degrees (90 = shoulder height)."""
    b = body or Body()
    return _cycle_motion(
        reps,
        period,
        rest,
        lambda k, i: b.but(left_arm=10 + (top - 10) * k, right_arm=10 + (top - 10) * k),
        b.but(left_arm=10, right_arm=10),
    )


def shoulder_press_motion(
    reps: int = 5, *, period: float = 2.0, rest: float = 1.0, body: Body | None = None
) -> Motion:
    """Hands from beside the shoulders (rest) pressed overhead and back."""
    b = body or Body()
    low, high = (0.3, 0.1, 0.1), (0.15, 1.45, 0.05)

    def at(k: float, i: int) -> Body:
        hand = tuple(lo + (hi - lo) * k for lo, hi in zip(low, high))
        return b.but(left_hand=hand, right_hand=hand)

    return _cycle_motion(reps, period, rest, at, b.but(left_hand=low, right_hand=low))


def high_knees_motion(
    reps: int = 10, *, period: float = 0.7, rest: float = 1.0, lift: float = 90.0, body: Body | None = None
) -> Motion:
    """Running on the spot: knees up to ``lift`` degrees, alternating (left first); ``reps``
    counts single knee lifts."""
    b = body or Body()

    def at(k: float, i: int) -> Body:
        return b.but(**{("left" if i % 2 == 0 else "right") + "_knee_lift": lift * k})

    return _cycle_motion(reps, period, rest, at, b)


__all__ = [
    "Body",
    "SideBody",
    "Motion",
    "side_points",
    "pushup_motion",
    "situp_motion",
    "lunge_motion",
    "side_squat_motion",
    "lateral_raise_motion",
    "shoulder_press_motion",
    "high_knees_motion",
    "METRES_PER_SU",
    "body_points",
    "make_pose",
    "frames",
    "concat",
    "together",
    "still_motion",
    "squat_motion",
    "jumping_jack_motion",
    "arm_raise_motion",
    "pose_hold_motion",
    "swipe_motion",
    "clap_motion",
    "jump_motion",
    "lean_motion",
]
