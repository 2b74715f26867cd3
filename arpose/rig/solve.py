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
from typing import Any

import numpy as np

from ..errors import RigError
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
from .skeleton import (
    TORSO_SHARE as _TORSO_SHARE,
)

X, Y, Z = np.eye(3)
_SX = np.array([1.0, -1.0])[:, None]  # left, right

# Per-bone limits on the local rotation, degrees: (swing of the bone's direction, twist
# about it). Generous: they catch a solve gone wrong (a knee bent forwards, a head turned
# backwards), not a person's flexibility.
_LIMIT_PARTS: dict[str, tuple[float, float]] = {
    "hips": (180.0, 180.0),
    "spine": (70.0, 60.0),
    "chest": (70.0, 60.0),
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
_LIMIT_COS = np.cos(np.minimum(_LIMIT_RAD[:, 0], np.pi))


@dataclass(frozen=True)
class SolveOptions:
    """How landmarks become rotations.

    Attributes:
        limits: clamp each bone's local rotation to :data:`LIMITS`.
        min_visibility: landmarks below this visibility do not count as seen (the bones
            they move get confidence 0; :class:`~arpose.rig.RigSolver` holds them).
        hands: use the 21 hand landmarks when given (else hands from the body's wrist,
            index and little-finger landmarks, and fingers at rest).
        hold_seconds: :class:`~arpose.rig.RigSolver` keeps an unseen bone's last rotation
            this long ...
        relax_seconds: ... then eases it to rest over this long.
        fov_degrees: the camera's horizontal field of view, for root motion from the image.
        root_window_seconds: root motion uses the median of the person's scale (pixels per
            metre of torso) over this long: the scale of one frame carries MediaPipe's length
            noise, which the distance amplifies (a real change of depth arrives after half
            of it).
    """

    limits: bool = True
    min_visibility: float = 0.5
    hands: bool = True
    hold_seconds: float = 0.5
    relax_seconds: float = 1.0
    fov_degrees: float = 60.0
    root_window_seconds: float = 0.5


def _smooth(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return np.asarray(t * t * (3.0 - 2.0 * t))


def _perp(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """``v`` without its component along the unit ``axis``, made unit length."""
    return unit(v - (v * axis).sum(axis=-1)[..., None] * axis)


def _rest_t(rest_p: Any, rest_q: Any) -> np.ndarray:
    return np.asarray(np.swapaxes(basis(np.asarray(rest_p, float), np.asarray(rest_q, float)), -1, -2))


def _swung(parent: np.ndarray, rest_p: np.ndarray, rest_q: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Where ``rest_q`` goes when a bone turns with its parent and then swings by the
    smallest rotation onto ``p``: the secondary axis of a bone with no twist of its own."""
    a = np.einsum("...ij,...j->...i", parent, rest_p)
    s = np.einsum("...ij,...j->...i", parent, rest_q)
    return quat.rotate(quat.between(a, p), s)


_I = BONE_INDEX
_L = np.array(
    [
        [LM["left_" + n], LM["right_" + n]]
        for n in (
            "shoulder",
            "elbow",
            "wrist",
            "index",
            "pinky",
            "hip",
            "knee",
            "ankle",
            "heel",
            "foot_index",
        )
    ]
)
(_SHO, _ELB, _WRI, _IDX, _PNK, _HIP, _KNE, _ANK, _HEE, _TOE) = range(10)
_ARM_DIR = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
_ELBOW_HINGE = quat.cross(_ARM_DIR, Z)  # the forearm bends forwards from a palms-down T-pose
_FINGER_DIR = REST_DIRECTIONS[
    [_I[f"{s}{f}{'Metacarpal' if f == 'Thumb' else 'Proximal'}"] for s in SIDES for f in FINGERS]
].reshape(2, 5, 3)
_FINGER_HINGE = unit(quat.cross(_FINGER_DIR, -Y))  # fingers curl towards the palm (-Y at rest)
_FINGER_ROWS = np.array([_I[f"{s}{FINGERS[0]}Metacarpal"] for s in SIDES])  # 15 rows from here, per side
_FINGER_CHAINS = np.array([FINGER_LANDMARKS[f] for f in FINGERS])  # (5, 4)

# stage A: bones whose two axes come straight from landmarks
_A_ROWS = np.array(
    [_I[b] for b in ("hips", "chest", "neck", "head", "leftHand", "rightHand", "leftFoot", "rightFoot")]
)
_A_REST = _rest_t([X, X, Y, X, X, -X, Z, Z], [Y, Y, X, Y, Z, Z, Y, Y])
_SPINE_REST = _rest_t(Y, X)
# stage B: limbs (their fallbacks need stage A's frames), then the fingers of each hand
_LIMBS = ("UpperArm", "LowerArm", "UpperLeg", "LowerLeg")
_B_ROWS = np.array([_I[s + part] for part in _LIMBS for s in SIDES])
_B_REST = _rest_t(
    [X, -X, X, -X, -Y, -Y, -Y, -Y],
    [*_ELBOW_HINGE, Z, Z, X, X, X, X],
)
_F_DIRS = np.repeat(_FINGER_DIR, 3, axis=1)  # (2, 15, 3)
_F_REST = _rest_t(_F_DIRS, np.repeat(_FINGER_HINGE, 3, axis=1))  # (2, 15, 3, 3)
_SHOULDERS = np.array([_I["leftShoulder"], _I["rightShoulder"]])
_VIS_GROUPS = {
    "torso": [LM[n] for n in ("left_hip", "right_hip", "left_shoulder", "right_shoulder")],
    "head": [LM[n] for n in ("left_ear", "right_ear", "left_eye", "right_eye", "mouth_left", "mouth_right")],
}
_FACE = np.array(
    [LM[n] for n in ("left_ear", "right_ear", "left_eye", "right_eye", "mouth_left", "mouth_right")]
)


def _conf_landmarks(bone: str) -> list[int]:
    torso = _VIS_GROUPS["torso"]
    if bone in ("hips", "spine", "chest") or bone.endswith("Shoulder"):
        return torso
    if bone in ("neck", "head"):
        return torso + _VIS_GROUPS["head"]
    side = "left_" if bone.startswith("left") else "right_"
    part = {
        "UpperArm": ("shoulder", "elbow"),
        "LowerArm": ("elbow", "wrist"),
        "Hand": ("wrist", "index", "pinky"),
        "UpperLeg": ("hip", "knee"),
        "LowerLeg": ("knee", "ankle"),
        "Foot": ("ankle", "heel", "foot_index"),
    }[bone[len(side) - 1 :]]
    return [LM[side + n] for n in part]


_NUM_BODY = 19  # the bones before the fingers
_HAND_ROWS = np.array([_I["leftHand"], _I["rightHand"]])  # (index arrays: cheaper than lists)
_CONF_LISTS = [_conf_landmarks(b) for b in BONES[:_NUM_BODY]]
_CONF_IDX = np.array([c + [NUM_LANDMARKS] * (10 - len(c)) for c in _CONF_LISTS])  # padded: always seen
_UPPER_ROWS = np.array([_I[s + p] for p in ("UpperArm", "UpperLeg") for s in SIDES])
_LOWER_ROWS = np.array([_I[s + p] for p in ("LowerArm", "LowerLeg") for s in SIDES])


def _solve_globals(
    p: np.ndarray,
    vis: np.ndarray,
    hands: dict[str, np.ndarray],
    min_vis: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``(NUM_BONES, 3, 3)`` global rotations and ``(NUM_BONES,)`` confidences."""
    g = np.empty((NUM_BONES, 3, 3))
    lm = p[_L]  # (10, 2, 3): each paired landmark, left and right
    lv = vis[_L] >= min_vis  # (10, 2)
    sho, hip = lm[_SHO], lm[_HIP]
    up = sho.sum(0) - hip.sum(0)
    hip_line, sho_line = hip[0] - hip[1], sho[0] - sho[1]
    le, re, ley, rey, ml, mr = p[_FACE]
    # np.array of a list of equal arrays: a quarter of np.stack's cost on a frame's few rows
    u_ears, u_eyes, u_sho, u_hip, u_up = unit(np.array([le - re, ley - rey, sho_line, hip_line, up]))
    across = u_ears + u_eyes
    hand_fwd = lm[_IDX] + lm[_PNK] - 2 * lm[_WRI]
    hand_side = lm[_IDX] - lm[_PNK]
    hand_c = (lv[_WRI] & lv[_IDX] & lv[_PNK]).astype(np.float64)
    for k, side in enumerate(SIDES):
        if side in hands:
            hand_fwd[k], hand_side[k] = hand_axes(hands[side])
            hand_c[k] = 1.0
    heel = lm[_HEE]
    foot_v = lm[_TOE] - heel

    # stage A
    pa = np.array([hip_line, sho_line, 0.5 * (le + re - sho.sum(0)), across, *hand_fwd, *foot_v])
    qa = np.array([up, up, u_sho + unit(across), ley + rey - ml - mr, *hand_side, *(lm[_ANK] - heel)])
    ga = basis(pa, qa) @ _A_REST
    g[_A_ROWS] = ga
    hips, chest, hand = ga[0], ga[1], ga[4:6]
    # the spine bridges the hips and chest so that the chain ends between the shoulders
    gap = u_up - _TORSO_SHARE[0] * hips[:, 1] - _TORSO_SHARE[2] * chest[:, 1]
    g[_I["spine"]] = basis(gap, u_hip + u_sho) @ _SPINE_REST

    # stage B: limbs, with the fallbacks from stage A's frames
    upper, lower = lm[_ELB] - sho, lm[_WRI] - lm[_ELB]
    thigh, shin = lm[_KNE] - hip, lm[_ANK] - lm[_KNE]
    present = [k for k, side in enumerate(SIDES) if side in hands]
    segs = [hands[SIDES[k]][_FINGER_CHAINS[:, 1:]] - hands[SIDES[k]][_FINGER_CHAINS[:, :-1]] for k in present]
    parents = np.array([chest, chest, hips, hips, *(hand[k] for k in present for _ in range(5))])
    rest_p = np.concatenate([_ARM_DIR, [-Y, -Y], *(_FINGER_DIR[k] for k in present)])
    rest_q = np.concatenate([_ELBOW_HINGE, [X, X], *(_FINGER_HINGE[k] for k in present)])
    first = np.concatenate([upper, thigh, *(s[:, 0] for s in segs)])
    q0 = _swung(parents, rest_p, rest_q, first)
    uu, lu, tu, su, hf, fv = unit(np.array([upper, lower, thigh, shin, hand_fwd, foot_v]))
    n_arm = quat.cross(uu, lu)
    w_arm = _smooth(quat.norm(n_arm), 0.17, 0.5)[:, None]
    q_upper = w_arm * unit(n_arm) + (1 - w_arm) * q0[0:2]
    hinge_now = _perp(q_upper, uu)
    knuckles = _perp(hand_side, hf)  # the hand's +Z: its flexion axis
    hc = hand_c[:, None]
    roll = hc * knuckles + (1 - hc) * unit(quat.cross(hinge_now, lower))
    n_leg = quat.cross(tu, su)
    n_leg = n_leg * np.where((n_leg * q0[2:4]).sum(-1) < 0, -1.0, 1.0)[:, None]  # no knee bends forwards
    w_leg = _smooth(quat.norm(n_leg), 0.17, 0.5)[:, None]
    toes = quat.cross(tu, -fv)
    wf = _smooth(quat.norm(toes), 0.3, 0.6)[:, None]
    q_thigh = w_leg * unit(n_leg) + (1 - w_leg) * (wf * unit(toes) + (1 - wf) * q0[2:4])
    knee_axis = _perp(q_thigh, tu)
    pb = np.concatenate([upper, lower, thigh, shin])
    qb = np.concatenate([q_upper, roll, q_thigh, knee_axis])
    rest = _B_REST
    if present:
        seg = np.stack(segs)  # (H, 5, 3 segments, 3)
        sv = unit(seg)
        n = quat.cross(sv[:, :, 0], sv[:, :, 1]) + quat.cross(sv[:, :, 1], sv[:, :, 2])
        qf0 = q0[4:].reshape(len(present), 5, 3)
        n = n * np.where((n * qf0).sum(-1) < 0, -1.0, 1.0)[..., None]
        w = _smooth(quat.norm(n), 0.15, 0.45)[..., None]
        qf = np.repeat(w * unit(n) + (1 - w) * qf0, 3, axis=1)  # (H, 15, 3)
        pb = np.concatenate([pb, seg.reshape(-1, 3)])
        qb = np.concatenate([qb, qf.reshape(-1, 3)])
        rest = np.concatenate([rest, *(_F_REST[k] for k in present)])
    gb = basis(pb, qb) @ rest
    g[_B_ROWS] = gb[:8]
    g[_SHOULDERS] = chest
    for j, k in enumerate(present):
        g[_FINGER_ROWS[k] : _FINGER_ROWS[k] + 15] = gb[8 + 15 * j : 8 + 15 * (j + 1)]
    for k in set(range(2)) - set(present):
        g[_FINGER_ROWS[k] : _FINGER_ROWS[k] + 15] = hand[k]  # straight fingers: local identity

    # confidences: a bone is seen when all the landmarks it is solved from are
    seen = np.append(vis >= min_vis, True)[_CONF_IDX].all(axis=1).astype(np.float64)
    conf = np.zeros(NUM_BONES)
    conf[:_NUM_BODY] = seen
    # a straight limb's upper bone needs only its own two joints; a bent one, the third too
    conf[_UPPER_ROWS] *= np.maximum(seen[_LOWER_ROWS], 1.0 - np.concatenate([w_arm[:, 0], w_leg[:, 0]]))
    conf[_HAND_ROWS] = hand_c
    for k in present:
        conf[_FINGER_ROWS[k] : _FINGER_ROWS[k] + 15] = 1.0
    return g, conf


def local_rotations(g: np.ndarray) -> np.ndarray:
    """``(NUM_BONES, 4)`` local quaternions from ``(NUM_BONES, 3, 3)`` global matrices."""
    parent = np.where(PARENT_INDEX[:, None, None] < 0, np.eye(3), g[np.maximum(PARENT_INDEX, 0)])
    return quat.from_matrix(np.swapaxes(parent, -1, -2) @ g)


def apply_limits(local: np.ndarray) -> np.ndarray:
    """Clamp each bone's local rotation to :data:`LIMITS` (swing and twist separately).
    ``local`` is ``(NUM_BONES, 4)``, or ``(..., NUM_BONES, 4)`` for many frames at once."""
    # cheap bounds first: the twist's angle from the axis component, the swing's from where
    # the rest direction goes; only bones over a limit are split and clamped
    w = np.abs(local[..., 3])
    twist = 2.0 * np.arctan2(np.abs((local[..., :3] * REST_DIRECTIONS).sum(-1)), w)
    cos_swing = (quat.rotate(local, REST_DIRECTIONS) * REST_DIRECTIONS).sum(-1)
    over = (twist > _LIMIT_RAD[:, 1]) | (cos_swing < _LIMIT_COS)
    if not np.any(over):
        return local
    out = np.array(local, np.float64)
    bone = np.nonzero(over)[-1]  # the bone of each rotation over a limit
    swing, tw = quat.swing_twist(out[over], REST_DIRECTIONS[bone])
    sa, ta = quat.angle(swing), quat.angle(tw)
    fs = np.minimum(1.0, _LIMIT_RAD[bone, 0] / np.maximum(sa, 1e-9))
    ft = np.minimum(1.0, _LIMIT_RAD[bone, 1] / np.maximum(ta, 1e-9))
    out[over] = quat.mul(quat.scale_angle(swing, fs), quat.scale_angle(tw, ft))
    return out


def _hands(hands: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for side, h in (hands or {}).items():
        if side not in SIDES:
            raise ValueError(f"hand side must be 'left' or 'right', not {side!r}")
        h = np.asarray(h)
        if h.shape != (NUM_HAND_LANDMARKS, 3):
            raise ValueError(f"{side} hand landmarks must be (21, 3), got {h.shape}")
        if np.all(np.isfinite(h)) and np.ptp(h, axis=0).max() > 1e-4:  # a hand, not a point
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

    Raises :class:`~arpose.errors.RigError` for world landmarks that are not finite or all
    zero (a recording made without world landmarks), ``ValueError`` for wrong shapes.
    """
    world = np.asarray(world)
    if world.shape != (NUM_LANDMARKS, 3):
        raise ValueError(f"world landmarks must be (33, 3), got {world.shape}")
    if not np.all(np.isfinite(world)):
        raise RigError("world landmarks hold NaN or infinite values")
    if not np.any(world):
        raise RigError("world landmarks are all zero: the pose has no world landmarks to solve")
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
