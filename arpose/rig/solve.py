"""solve_pose: one frame's landmarks to joint rotations, with no state.

Each bone's global rotation is the rotation taking two rest axes to two measured vectors:
its direction (head to tail, which fixes the swing) and a secondary axis that fixes the
twist about it. The secondary axes are where the work is:

- the hips and chest from the hip and shoulder lines (with the torso's up), the spine half
  way between them, the head from the ears and eyes (with the mouth-to-eyes up);
- an upper arm or leg from the plane its limb bends in (the elbow and knee are hinges);
  a limb too straight to show a plane falls back on the smallest swing from its parent's
  frame, or for a leg on the direction the foot points;
- a forearm from the hand's knuckle line (forearm roll is where the wrist's twist lives),
  else from the elbow's hinge; a shin from the knee's hinge;
- a hand from its knuckle line, each finger from the plane it curls in (else the hand's).

Everything is computed for both sides, and for all fifteen bones of a hand, at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ..joints import NUM_HAND_LANDMARKS, NUM_LANDMARKS
from . import quat
from .rigpose import RigPose
from .skeleton import (
    BONE_INDEX,
    BONES,
    FINGER_LANDMARKS,
    FINGERS,
    LM,
    NUM_BONES,
    PARENT_INDEX,
    REST_DIRECTIONS,
    SIDES,
    Skeleton,
    basis,
    hand_axes,
    to_rig,
    unit,
)

X, Y, Z = np.eye(3)
_SX = np.array([1.0, -1.0])[:, None]  # left, right

# Per-bone limits on the local rotation, degrees: (swing of the bone's direction, twist
# about it). Generous: they catch a solve gone wrong (a knee bent forwards, a head turned
# backwards), not a person's flexibility.
_LIMIT_PARTS: dict[str, tuple[float, float]] = {
    "hips": (180.0, 180.0),
    "spine": (60.0, 45.0),
    "chest": (60.0, 45.0),
    "neck": (60.0, 60.0),
    "head": (70.0, 85.0),
    "Shoulder": (30.0, 20.0),
    "UpperArm": (180.0, 120.0),
    "LowerArm": (165.0, 110.0),
    "Hand": (95.0, 45.0),
    "UpperLeg": (150.0, 70.0),
    "LowerLeg": (165.0, 35.0),
    "Foot": (110.0, 45.0),
    "ThumbMetacarpal": (90.0, 70.0),
    "ThumbProximal": (90.0, 40.0),
    "ThumbDistal": (100.0, 30.0),
    "Proximal": (110.0, 35.0),
    "Intermediate": (125.0, 25.0),
    "Distal": (110.0, 25.0),
}


def _limit_of(bone: str) -> tuple[float, float]:
    if bone in _LIMIT_PARTS:
        return _LIMIT_PARTS[bone]
    part = bone[4:] if bone.startswith("left") else bone[5:]
    if part in _LIMIT_PARTS:
        return _LIMIT_PARTS[part]
    for seg in ("Proximal", "Intermediate", "Distal"):
        if part.endswith(seg):
            return _LIMIT_PARTS[seg]
    raise AssertionError(bone)


LIMITS: MappingProxyType[str, tuple[float, float]] = MappingProxyType({b: _limit_of(b) for b in BONES})
"""Bone -> (largest swing, largest twist) of its local rotation, in degrees."""
_LIMIT_RAD = np.radians(np.array([LIMITS[b] for b in BONES]))


@dataclass(frozen=True)
class SolveOptions:
    """How landmarks become rotations.

    Attributes:
        limits: clamp each bone's local rotation to :data:`LIMITS`.
        min_visibility: landmarks below this visibility do not count as seen (the bones
            they move get confidence 0; the ``RigSolver`` holds them).
        hands: use the 21 hand landmarks when given (else hands from the body's wrist,
            index and little-finger landmarks, and fingers at rest).
        hold_seconds: the ``RigSolver`` keeps an unseen bone's last rotation
            this long ...
        relax_seconds: ... then eases it to rest over this long.
        fov_degrees: the camera's horizontal field of view, for root motion from the image.
    """

    limits: bool = True
    min_visibility: float = 0.5
    hands: bool = True
    hold_seconds: float = 0.5
    relax_seconds: float = 1.0
    fov_degrees: float = 60.0


def _smooth(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return np.asarray(t * t * (3.0 - 2.0 * t))


def _frame(p: np.ndarray, q: np.ndarray, rest_p: np.ndarray, rest_q: np.ndarray) -> np.ndarray:
    """The rotation matrix taking rest axis ``rest_p`` to ``p`` and, as nearly as it can,
    ``rest_q`` to ``q``."""
    return np.asarray(basis(p, q) @ np.swapaxes(basis(rest_p, rest_q), -1, -2))


def _swung(parent: np.ndarray, rest_p: np.ndarray, rest_q: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Where ``rest_q`` goes when a bone turns with its parent and then swings by the
    smallest rotation onto ``p``: the secondary axis of a bone with no twist of its own."""
    a = np.einsum("...ij,...j->...i", parent, rest_p)
    s = np.einsum("...ij,...j->...i", parent, rest_q)
    return quat.rotate(quat.between(a, p), s)


def _vis(vis: np.ndarray, *names: str) -> np.ndarray:
    return np.asarray(np.min(vis[..., [LM[n] for n in names]], axis=-1))


def _pair(p: np.ndarray, name: str) -> np.ndarray:
    """``(2, ...)``: the left and right landmark ``name`` (``"shoulder"`` ...)."""
    return p[[LM["left_" + name], LM["right_" + name]]]


_ARM_DIR = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
_ELBOW_HINGE = np.cross(_ARM_DIR, Z)  # the forearm bends forwards from a palms-down T-pose
_KNEE_HINGE = np.cross(-Y, -Z)  # the shin bends backwards: +X
_FINGER_DIR = REST_DIRECTIONS[
    [BONE_INDEX[f"{s}{f}{'Metacarpal' if f == 'Thumb' else 'Proximal'}"] for s in SIDES for f in FINGERS]
].reshape(2, 5, 3)
_FINGER_HINGE = unit(np.cross(_FINGER_DIR, -Y))  # fingers curl towards the palm (-Y at rest)
_I = BONE_INDEX
_ARM_ROWS = {
    part: [_I["left" + part], _I["right" + part]] for part in ("Shoulder", "UpperArm", "LowerArm", "Hand")
}
_LEG_ROWS = {part: [_I["left" + part], _I["right" + part]] for part in ("UpperLeg", "LowerLeg", "Foot")}
_FINGER_ROWS = np.array([_I[f"{s}{FINGERS[0]}Metacarpal"] for s in SIDES])  # 15 rows from here, per side
_FINGER_CHAINS = np.array([FINGER_LANDMARKS[f] for f in FINGERS])  # (5, 4)


def _solve_globals(
    p: np.ndarray,
    vis: np.ndarray,
    hands: dict[str, np.ndarray],
    min_vis: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``(NUM_BONES, 3, 3)`` global rotations and ``(NUM_BONES,)`` confidences."""
    g = np.tile(np.eye(3), (NUM_BONES, 1, 1))
    conf = np.zeros(NUM_BONES)

    def seen(v: np.ndarray) -> np.ndarray:
        return np.asarray(v >= min_vis, np.float64)

    # torso and head
    hip, sho = _pair(p, "hip"), _pair(p, "shoulder")
    up = sho.mean(0) - hip.mean(0)
    hips = _frame(hip[0] - hip[1], up, X, Y)
    chest = _frame(sho[0] - sho[1], up, X, Y)
    spine = quat.to_matrix(quat.slerp(quat.from_matrix(hips), quat.from_matrix(chest), 0.5))
    ears = 0.5 * (p[LM["left_ear"]] + p[LM["right_ear"]])
    eyes = 0.5 * (p[LM["left_eye"]] + p[LM["right_eye"]])
    mouth = 0.5 * (p[LM["mouth_left"]] + p[LM["mouth_right"]])
    across = unit(p[LM["left_ear"]] - p[LM["right_ear"]]) + unit(p[LM["left_eye"]] - p[LM["right_eye"]])
    head = _frame(across, eyes - mouth, X, Y)
    neck = _frame(ears - sho.mean(0), chest[:, 0] + head[:, 0], Y, X)
    g[[0, 1, 2, 3, 4]] = hips, spine, chest, neck, head
    torso_v = seen(_vis(vis, "left_hip", "right_hip", "left_shoulder", "right_shoulder"))
    head_v = seen(_vis(vis, "left_ear", "right_ear", "left_eye", "right_eye", "mouth_left", "mouth_right"))
    conf[[0, 1, 2]] = torso_v
    conf[3] = conf[4] = torso_v * head_v

    # arms (left and right at once)
    elb, wri = _pair(p, "elbow"), _pair(p, "wrist")
    upper_v, lower = elb - sho, wri - elb
    n = np.cross(unit(upper_v), unit(lower))
    w = _smooth(np.linalg.norm(n, axis=-1), 0.17, 0.5)[:, None]
    q0 = _swung(np.stack([chest, chest]), _ARM_DIR, _ELBOW_HINGE, upper_v)
    upper = _frame(upper_v, w * unit(n) + (1 - w) * q0, _ARM_DIR, _ELBOW_HINGE)
    hand_fwd = _pair(p, "index") + _pair(p, "pinky") - 2 * wri
    hand_side = _pair(p, "index") - _pair(p, "pinky")
    hand_c = np.array([_vis(vis, f"{s}_wrist", f"{s}_index", f"{s}_pinky") for s in SIDES])
    for k, side in enumerate(SIDES):
        if side in hands:
            hand_fwd[k], hand_side[k] = hand_axes(hands[side])
            hand_c[k] = 1.0
    hand_c = seen(hand_c)
    hinge_now = np.einsum("sij,sj->si", upper, _ELBOW_HINGE)
    hand = _frame(hand_fwd, hand_side, _ARM_DIR, np.array([Z, Z]))
    knuckles = hand[:, :, 2]  # the hand's +Z: its flexion axis, which wrist bending keeps
    roll = hand_c[:, None] * knuckles + (1 - hand_c[:, None]) * unit(np.cross(hinge_now, lower))
    forearm = _frame(lower, roll, _ARM_DIR, np.array([Z, Z]))
    g[_ARM_ROWS["Shoulder"]] = chest
    g[_ARM_ROWS["UpperArm"]], g[_ARM_ROWS["LowerArm"]], g[_ARM_ROWS["Hand"]] = upper, forearm, hand
    arm_v = seen(np.array([_vis(vis, f"{s}_shoulder", f"{s}_elbow") for s in SIDES]))
    fore_v = seen(np.array([_vis(vis, f"{s}_elbow", f"{s}_wrist") for s in SIDES]))
    conf[_ARM_ROWS["Shoulder"]] = torso_v
    conf[_ARM_ROWS["UpperArm"]] = arm_v * np.maximum(fore_v, 1.0 - w[:, 0])
    conf[_ARM_ROWS["LowerArm"]] = fore_v
    conf[_ARM_ROWS["Hand"]] = hand_c

    # legs
    knee, ank = _pair(p, "knee"), _pair(p, "ankle")
    heel, toe = _pair(p, "heel"), _pair(p, "foot_index")
    thigh_v, shin_v, foot_v = knee - hip, ank - knee, toe - heel
    q0 = _swung(np.stack([hips, hips]), np.array([-Y, -Y]), np.array([X, X]), thigh_v)
    n = np.cross(unit(thigh_v), unit(shin_v))
    n = n * np.where(np.sum(n * q0, axis=-1, keepdims=True) < 0, -1.0, 1.0)  # no knee bends forwards
    w = _smooth(np.linalg.norm(n, axis=-1), 0.17, 0.5)[:, None]
    toes = np.cross(unit(thigh_v), -unit(foot_v))
    wf = _smooth(np.linalg.norm(toes, axis=-1), 0.3, 0.6)[:, None]
    fallback = wf * unit(toes) + (1 - wf) * q0
    thigh = _frame(thigh_v, w * unit(n) + (1 - w) * fallback, -Y, X)
    shin = _frame(shin_v, np.einsum("sij,j->si", thigh, X), -Y, X)
    foot = _frame(foot_v, ank - heel, Z, Y)
    g[_LEG_ROWS["UpperLeg"]], g[_LEG_ROWS["LowerLeg"]], g[_LEG_ROWS["Foot"]] = thigh, shin, foot
    leg_v = seen(np.array([_vis(vis, f"{s}_hip", f"{s}_knee") for s in SIDES]))
    shin_c = seen(np.array([_vis(vis, f"{s}_knee", f"{s}_ankle") for s in SIDES]))
    conf[_LEG_ROWS["UpperLeg"]] = leg_v * np.maximum(shin_c, 1.0 - w[:, 0])
    conf[_LEG_ROWS["LowerLeg"]] = shin_c
    conf[_LEG_ROWS["Foot"]] = seen(
        np.array([_vis(vis, f"{s}_ankle", f"{s}_heel", f"{s}_foot_index") for s in SIDES])
    )

    # fingers: the 15 bones of each tracked hand at once
    for k, side in enumerate(SIDES):
        rows = slice(_FINGER_ROWS[k], _FINGER_ROWS[k] + 15)
        if side not in hands:
            g[rows] = g[_ARM_ROWS["Hand"][k]]  # straight fingers: local identity
            continue
        h = hands[side]
        seg = h[_FINGER_CHAINS[:, 1:]] - h[_FINGER_CHAINS[:, :-1]]  # (5, 3 segments, 3)
        su = unit(seg)
        n = np.cross(su[:, 0], su[:, 1]) + np.cross(su[:, 1], su[:, 2])
        q0 = _swung(np.stack([hand[k]] * 5), _FINGER_DIR[k], _FINGER_HINGE[k], seg[:, 0])
        n = n * np.where(np.sum(n * q0, axis=-1, keepdims=True) < 0, -1.0, 1.0)
        w = _smooth(np.linalg.norm(n, axis=-1), 0.15, 0.45)[:, None]
        q = w * unit(n) + (1 - w) * q0
        dirs = np.broadcast_to(_FINGER_DIR[k][:, None], (5, 3, 3))
        hinges = np.broadcast_to(_FINGER_HINGE[k][:, None], (5, 3, 3))
        g[rows] = _frame(seg, np.broadcast_to(q[:, None], (5, 3, 3)), dirs, hinges).reshape(15, 3, 3)
        conf[rows] = 1.0
    return g, conf


def local_rotations(g: np.ndarray) -> np.ndarray:
    """``(NUM_BONES, 4)`` local quaternions from ``(NUM_BONES, 3, 3)`` global matrices."""
    parent = np.where(PARENT_INDEX[:, None, None] < 0, np.eye(3), g[np.maximum(PARENT_INDEX, 0)])
    return quat.from_matrix(np.swapaxes(parent, -1, -2) @ g)


def apply_limits(local: np.ndarray) -> np.ndarray:
    """Clamp each bone's local rotation to :data:`LIMITS` (swing and twist separately)."""
    swing, twist = quat.swing_twist(local, REST_DIRECTIONS)
    sa, ta = quat.angle(swing), quat.angle(twist)
    fs = np.minimum(1.0, _LIMIT_RAD[:, 0] / np.maximum(sa, 1e-9))
    ft = np.minimum(1.0, _LIMIT_RAD[:, 1] / np.maximum(ta, 1e-9))
    if np.all(fs >= 1.0) and np.all(ft >= 1.0):
        return local
    return quat.mul(quat.scale_angle(swing, fs), quat.scale_angle(twist, ft))


def _hands(hands: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for side, h in (hands or {}).items():
        if side not in SIDES:
            raise ValueError(f"hand side must be 'left' or 'right', not {side!r}")
        h = np.asarray(h)
        if h.shape != (NUM_HAND_LANDMARKS, 3):
            raise ValueError(f"{side} hand landmarks must be (21, 3), got {h.shape}")
        if np.all(np.isfinite(h)):
            out[side] = to_rig(h)
    return out


def solve_pose(
    world: np.ndarray,
    visibility: np.ndarray | None = None,
    hands: dict[str, np.ndarray] | None = None,
    *,
    skeleton: Skeleton | None = None,
    options: SolveOptions = SolveOptions(),
) -> RigPose:
    """Joint rotations for one frame, no state.

    Args:
        world: ``(33, 3)`` MediaPipe world landmarks (metres, hips at the origin).
        visibility: ``(33,)`` landmark visibility, or None (all seen).
        hands: ``{"left"|"right": (21, 3)}`` hand world landmarks (the person's own sides).
        skeleton: bone lengths for :meth:`RigPose.joint_positions`; measured from these
            landmarks when None.
        options: see :class:`SolveOptions`.

    The root is ``(0, h, 0)``: the hips' height ``h`` above the lowest seen foot point, or
    the skeleton's standing hip height when no foot is seen.
    """
    world = np.asarray(world)
    if world.shape != (NUM_LANDMARKS, 3):
        raise ValueError(f"world landmarks must be (33, 3), got {world.shape}")
    p = to_rig(world)
    vis = np.ones(NUM_LANDMARKS) if visibility is None else np.asarray(visibility, np.float64)
    hd = _hands(hands) if options.hands else {}
    g, conf = _solve_globals(p, vis, hd, options.min_visibility)
    local = local_rotations(g)
    if options.limits:
        local = apply_limits(local)
    if skeleton is None:
        skeleton = Skeleton.measure(world, {s: h * (1.0, -1.0, -1.0) for s, h in hd.items()})
    return RigPose(local.astype(np.float32), _root(p, vis, skeleton, options), conf, skeleton)


_FEET = [LM[n] for n in ("left_heel", "right_heel", "left_foot_index", "right_foot_index")]


def _root(p: np.ndarray, vis: np.ndarray, skeleton: Skeleton, options: SolveOptions) -> np.ndarray:
    seen = vis[_FEET] >= options.min_visibility
    h = -float(np.min(p[_FEET][seen, 1])) if np.any(seen) else skeleton.hip_height
    return np.array([0.0, h, 0.0])
