"""The humanoid skeleton: bone names (VRM 1.0 humanoid), hierarchy, rest directions and one
person's bone lengths.

Rig space is right-handed, metres, +Y up, the person faces +Z and their left hand is at +X
(``docs/developer/rig.md``). At rest (a T-pose, palms down, thumbs forward) every bone's
global rotation is the identity, so a bone's rest direction is a fixed rig-space vector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..joints import HAND_LANDMARK_NAMES, LANDMARK_NAMES
from . import quat

FINGERS = ("Thumb", "Index", "Middle", "Ring", "Little")
"""Finger names in VRM order (thumb first)."""
FINGER_SEGMENTS: dict[str, tuple[str, str, str]] = {
    "Thumb": ("Metacarpal", "Proximal", "Distal"),
    **{f: ("Proximal", "Intermediate", "Distal") for f in FINGERS[1:]},
}
SIDES = ("left", "right")

_BODY = ["hips", "spine", "chest", "neck", "head"]
for _s in SIDES:
    _BODY += [f"{_s}Shoulder", f"{_s}UpperArm", f"{_s}LowerArm", f"{_s}Hand"]
for _s in SIDES:
    _BODY += [f"{_s}UpperLeg", f"{_s}LowerLeg", f"{_s}Foot"]
_FINGER_BONES = [f"{s}{f}{seg}" for s in SIDES for f in FINGERS for seg in FINGER_SEGMENTS[f]]

BONES: tuple[str, ...] = tuple(_BODY + _FINGER_BONES)
"""Every bone, parents before children (VRM 1.0 humanoid names)."""
BONE_INDEX: dict[str, int] = {b: i for i, b in enumerate(BONES)}
"""Bone name -> index into :data:`BONES` (and the rows of a :class:`~arpose.rig.RigPose`)."""
NUM_BONES = len(BONES)


def _parent(bone: str) -> str | None:
    if bone == "hips":
        return None
    chain = {"spine": "hips", "chest": "spine", "neck": "chest", "head": "neck"}
    if bone in chain:
        return chain[bone]
    side = "left" if bone.startswith("left") else "right"
    part = bone[len(side) :]
    limb = {
        "Shoulder": "chest",
        "UpperArm": f"{side}Shoulder",
        "LowerArm": f"{side}UpperArm",
        "Hand": f"{side}LowerArm",
        "UpperLeg": "hips",
        "LowerLeg": f"{side}UpperLeg",
        "Foot": f"{side}LowerLeg",
    }
    if part in limb:
        return limb[part]
    for f in FINGERS:
        segs = FINGER_SEGMENTS[f]
        if part.startswith(f):
            i = segs.index(part[len(f) :])
            return f"{side}Hand" if i == 0 else f"{side}{f}{segs[i - 1]}"
    raise AssertionError(bone)


PARENT: dict[str, str | None] = {b: _parent(b) for b in BONES}
"""Bone name -> its parent's name (``None`` for ``hips``)."""
PARENT_INDEX = np.array([-1 if PARENT[b] is None else BONE_INDEX[PARENT[b]] for b in BONES])  # type: ignore[index]

_SQ = 1.0 / np.sqrt(2.0)


def _rest_dir(bone: str) -> tuple[float, float, float]:
    if bone in ("hips", "spine", "chest", "neck", "head"):
        return (0.0, 1.0, 0.0)
    sx = 1.0 if bone.startswith("left") else -1.0
    if bone.endswith(("UpperLeg", "LowerLeg")):
        return (0.0, -1.0, 0.0)
    if bone.endswith("Foot"):
        return (0.0, 0.0, 1.0)
    if "Thumb" in bone:
        return (sx * _SQ, 0.0, _SQ)
    return (sx, 0.0, 0.0)


REST_DIRECTIONS = np.array([_rest_dir(b) for b in BONES])
"""``(NUM_BONES, 3)`` unit rest direction (head to tail) of each bone in rig space."""


def mirror_name(bone: str) -> str:
    """``leftHand`` <-> ``rightHand``; centre bones are their own mirror."""
    if bone.startswith("left"):
        return "right" + bone[4:]
    if bone.startswith("right"):
        return "left" + bone[5:]
    return bone


LM = {n: i for i, n in enumerate(LANDMARK_NAMES)}
"""BlazePose landmark name -> index."""
HLM = {n: i for i, n in enumerate(HAND_LANDMARK_NAMES)}
"""Hand landmark name -> index."""
_HAND_CHAIN = {
    "Thumb": ("thumb_cmc", "thumb_mcp", "thumb_ip", "thumb_tip"),
    "Index": ("index_finger_mcp", "index_finger_pip", "index_finger_dip", "index_finger_tip"),
    "Middle": ("middle_finger_mcp", "middle_finger_pip", "middle_finger_dip", "middle_finger_tip"),
    "Ring": ("ring_finger_mcp", "ring_finger_pip", "ring_finger_dip", "ring_finger_tip"),
    "Little": ("pinky_mcp", "pinky_pip", "pinky_dip", "pinky_tip"),
}
FINGER_LANDMARKS: dict[str, tuple[int, int, int, int]] = {
    f: tuple(HLM[n] for n in names)  # type: ignore[misc]
    for f, names in _HAND_CHAIN.items()
}
"""Finger -> the four hand landmarks along it (base joint to tip): bone ``k`` of the
finger goes from landmark ``k`` to landmark ``k + 1``."""

# An average adult (metres): the lengths BlazePose's world landmarks give on this project's
# photos, and hand proportions from MediaPipe's hand world landmarks.
_DEFAULT_LENGTHS = {
    "hips": 0.10,
    "spine": 0.15,
    "chest": 0.25,
    "neck": 0.20,
    "head": 0.12,
    "Shoulder": 0.18,
    "UpperArm": 0.27,
    "LowerArm": 0.25,
    "Hand": 0.085,
    "UpperLeg": 0.42,
    "LowerLeg": 0.40,
    "Foot": 0.20,
    "ThumbMetacarpal": 0.040,
    "ThumbProximal": 0.035,
    "ThumbDistal": 0.030,
    "Proximal": 0.040,
    "Intermediate": 0.025,
    "Distal": 0.022,
}
_HIP_HALF_WIDTH = 0.10
# Base of each finger from the wrist, in the left hand's rest frame (fingers +X, palm down,
# thumb towards +Z).
_FINGER_BASE = {
    "Thumb": (0.025, -0.01, 0.025),
    "Index": (0.085, 0.0, 0.025),
    "Middle": (0.085, 0.0, 0.0),
    "Ring": (0.080, 0.0, -0.020),
    "Little": (0.072, 0.0, -0.040),
}


def _default_length(bone: str) -> float:
    if bone in _DEFAULT_LENGTHS:
        return _DEFAULT_LENGTHS[bone]
    part = bone[4:] if bone.startswith("left") else bone[5:]
    if part in _DEFAULT_LENGTHS:
        return _DEFAULT_LENGTHS[part]
    if part.startswith("Thumb"):
        return _DEFAULT_LENGTHS[part]
    for seg in ("Proximal", "Intermediate", "Distal"):
        if part.endswith(seg):
            return _DEFAULT_LENGTHS[seg]
    raise AssertionError(bone)


_CHAIN = np.array(
    [
        not b.endswith("UpperLeg")
        and str(PARENT[b]).endswith(
            (
                "hips",
                "spine",
                "chest",
                "neck",
                "Shoulder",
                "UpperArm",
                "LowerArm",
                "UpperLeg",
                "LowerLeg",
                "Metacarpal",
                "Proximal",
                "Intermediate",
            )
        )
        for b in BONES
    ]
)
"""Bones whose head is their parent's tail."""
_LEGS = np.array([BONE_INDEX["leftUpperLeg"], BONE_INDEX["rightUpperLeg"]])
_FINGER_BASE_ROWS = np.array([BONE_INDEX[f"{s}{f}{FINGER_SEGMENTS[f][0]}"] for s in SIDES for f in FINGERS])
_MIRROR = np.array([1.0, 1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1.0, -1.0, -1.0])[:, None] * np.array(
    [1.0, 0.0, 0.0]
) + np.array([0.0, 1.0, 1.0])


def _offsets(lengths: np.ndarray, hip_half: float, finger_base: np.ndarray) -> np.ndarray:
    """Rest offset of every bone's head from its parent's head. A bone continuing its
    parent's line starts at the parent's tail; legs start beside the hips' head, the
    shoulders and the neck at the chest's tail, the fingers at their bases in the hand
    (``finger_base``: the left hand's, ``(5, 3)`` in :data:`FINGERS` order)."""
    parent = np.maximum(PARENT_INDEX, 0)
    off = np.where(_CHAIN[:, None], REST_DIRECTIONS[parent] * lengths[parent][:, None], 0.0)
    off[_LEGS] = [[hip_half, 0.0, 0.0], [-hip_half, 0.0, 0.0]]
    off[_FINGER_BASE_ROWS] = np.concatenate([finger_base, finger_base]) * _MIRROR
    return np.asarray(off)


@dataclass(frozen=True, eq=False)
class Skeleton:
    """One person's bone lengths and the rest offsets built from them.

    Attributes:
        lengths: ``(NUM_BONES,)`` metres, head to tail of each bone.
        offsets: ``(NUM_BONES, 3)`` rest offset of each bone's head from its parent's head
            (rig space; the hips' row is zero).
    """

    lengths: np.ndarray
    offsets: np.ndarray

    @classmethod
    def default(cls) -> Skeleton:
        """An average adult."""
        return _DEFAULT

    @classmethod
    def from_lengths(
        cls,
        lengths: np.ndarray,
        hip_half_width: float = _HIP_HALF_WIDTH,
        finger_bases: np.ndarray | None = None,
    ) -> Skeleton:
        """A skeleton from bone lengths (and optionally the hip half-width and the left
        hand's ``(5, 3)`` finger bases in the order of :data:`FINGERS`)."""
        lengths = np.asarray(lengths, np.float64)
        bases = np.asarray(finger_bases if finger_bases is not None else [_FINGER_BASE[f] for f in FINGERS])
        return cls(lengths, _offsets(lengths, hip_half_width, bases))

    @property
    def hip_height(self) -> float:
        """Height of the hips' head above the soles at rest (legs straight down)."""
        i = BONE_INDEX
        return float(self.lengths[i["leftUpperLeg"]] + self.lengths[i["leftLowerLeg"]] + _ANKLE_HEIGHT)

    @classmethod
    def measure(cls, world: np.ndarray, hands: dict[str, np.ndarray] | None = None) -> Skeleton:
        """Bone lengths from one person's world landmarks (MediaPipe ``(33, 3)`` metres) and
        optionally their hand world landmarks (``{"left"|"right": (21, 3)}``). Left and
        right are averaged (a person is symmetric; the tracker is not)."""
        lengths, hip_half, bases = measure_lengths(world, hands)
        return cls.from_lengths(lengths, hip_half, bases)


_ANKLE_HEIGHT = 0.08
_DEFAULT = Skeleton.from_lengths(np.array([_default_length(b) for b in BONES]))
DEFAULT_LENGTHS = _DEFAULT.lengths
DEFAULT_FINGER_BASES = np.array([_FINGER_BASE[f] for f in FINGERS])

RIG_FROM_MEDIAPIPE = np.array([1.0, -1.0, -1.0])
"""MediaPipe world (x image-right, y down, z away from the camera) to rig space: ``p * this``."""


def to_rig(points: np.ndarray) -> np.ndarray:
    """MediaPipe world (or hand world) landmarks ``(..., 3)`` to rig space, float64."""
    return np.asarray(points, np.float64)[..., :3] * RIG_FROM_MEDIAPIPE


def unit(v: np.ndarray) -> np.ndarray:
    """Unit vectors along the last axis (zero stays zero)."""
    return np.asarray(v / np.maximum(quat.norm(v), 1e-9)[..., None])


def hand_axes(hand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A hand's finger direction (wrist to middle-finger base) and side direction (little
    finger's base to the index finger's), from ``(..., 21, 3)`` rig-space hand landmarks."""
    fwd = hand[..., HLM["middle_finger_mcp"], :] - hand[..., HLM["wrist"], :]
    side = hand[..., HLM["index_finger_mcp"], :] - hand[..., HLM["pinky_mcp"], :]
    return fwd, side


def basis(primary: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    """``(..., 3, 3)`` orthonormal columns: ``primary``, ``secondary`` made perpendicular to
    it, and their cross product. A secondary parallel to the primary is replaced by any
    perpendicular (the caller keeps that from happening where it matters)."""
    p = unit(primary)
    q = secondary - (secondary * p).sum(axis=-1)[..., None] * p
    n = quat.norm(q)
    weak = n < 1e-6
    if np.any(weak):  # degenerate input (coincident landmarks): any frame, never NaN
        p = np.where(quat.norm(p)[..., None] < 1e-9, np.array([1.0, 0.0, 0.0]), p)
        alt = quat.cross(p, np.array([0.0, 0.0, 1.0]))
        alt2 = quat.cross(p, np.array([1.0, 0.0, 0.0]))
        alt = np.where(quat.norm(alt)[..., None] < 1e-3, alt2, alt)
        q = np.where(weak[..., None], alt, q)
        n = quat.norm(q)
    q = q / n[..., None]
    out = np.empty(p.shape + (3,))
    out[..., 0], out[..., 1], out[..., 2] = p, q, quat.cross(p, q)
    return out


TORSO_SHARE = (0.2, 0.3, 0.5)
"""The hips', spine's and chest's shares of the hips-to-shoulders distance."""
_PAIRS = {
    name: np.array([[LM[a], LM[b]] for a, b in pairs])
    for name, pairs in {
        "UpperArm": [("left_shoulder", "left_elbow"), ("right_shoulder", "right_elbow")],
        "LowerArm": [("left_elbow", "left_wrist"), ("right_elbow", "right_wrist")],
        "UpperLeg": [("left_hip", "left_knee"), ("right_hip", "right_knee")],
        "LowerLeg": [("left_knee", "left_ankle"), ("right_knee", "right_ankle")],
        "Foot": [("left_heel", "left_foot_index"), ("right_heel", "right_foot_index")],
    }.items()
}
_MEASURED = {
    part: [BONE_INDEX["left" + part], BONE_INDEX["right" + part]] for part in (*_PAIRS, "Shoulder", "Hand")
}
_FINGER_ROWS = np.array(
    [[BONE_INDEX[f"{s}{f}{seg}"] for f in FINGERS for seg in FINGER_SEGMENTS[f]] for s in SIDES]
)
_CHAINS = np.array([FINGER_LANDMARKS[f] for f in FINGERS])  # (5, 4)
_BASES = _CHAINS[:, 0]


def measure_lengths(
    world: np.ndarray, hands: dict[str, np.ndarray] | None = None
) -> tuple[np.ndarray, float, np.ndarray]:
    """Bone lengths, hip half-width and the left hand's finger bases (``(5, 3)``, rest
    frame) from one person's landmarks; left and right are averaged. Bones not measurable
    keep the default lengths (fingers without hand landmarks are scaled with the arm)."""
    p = to_rig(world)
    lengths = DEFAULT_LENGTHS.copy()
    ls, rs, lh, rh = p[LM["left_shoulder"]], p[LM["right_shoulder"]], p[LM["left_hip"]], p[LM["right_hip"]]
    sho_mid = 0.5 * (ls + rs)
    torso = float(quat.norm(sho_mid - 0.5 * (lh + rh)))
    ears = 0.5 * (p[LM["left_ear"]] + p[LM["right_ear"]])
    eyes = 0.5 * (p[LM["left_eye"]] + p[LM["right_eye"]])
    mouth = 0.5 * (p[LM["mouth_left"]] + p[LM["mouth_right"]])
    found = {
        "hips": TORSO_SHARE[0] * torso,
        "spine": TORSO_SHARE[1] * torso,
        "chest": TORSO_SHARE[2] * torso,
        "neck": float(quat.norm(ears - sho_mid)),
        "head": 2.0 * float(quat.norm(eyes - mouth)),  # ear level to the crown
    }
    rows = [BONE_INDEX[b] for b in found]
    vals = list(found.values())
    for part, idx in _PAIRS.items():
        d = quat.norm(p[idx[:, 1]] - p[idx[:, 0]]).mean()
        rows += _MEASURED[part]
        vals += [d, d]
    half = 0.5 * float(quat.norm(ls - rs))
    rows += _MEASURED["Shoulder"]
    vals += [half, half]
    v = np.asarray(vals)
    ok = np.isfinite(v) & (v > 1e-4)
    lengths[np.asarray(rows)[ok]] = v[ok]
    hip_half = 0.5 * float(quat.norm(lh - rh))
    if not (np.isfinite(hip_half) and hip_half > 1e-4):
        hip_half = _HIP_HALF_WIDTH
    arm = lengths[BONE_INDEX["leftLowerArm"]] / DEFAULT_LENGTHS[BONE_INDEX["leftLowerArm"]]
    lengths[_FINGER_ROWS] *= arm
    bases = DEFAULT_FINGER_BASES * arm
    if hands:
        sides = [s for s in SIDES if s in hands]
        h = to_rig(np.stack([hands[s] for s in sides]))  # (H, 21, 3)
        sx = np.array([1.0 if s == "left" else -1.0 for s in sides])
        fwd, side = hand_axes(h)
        rest = basis(
            sx[:, None] * np.array([1.0, 0.0, 0.0]), np.broadcast_to([0.0, 0.0, 1.0], (len(sides), 3))
        )
        rot = basis(fwd, side) @ np.swapaxes(rest, -1, -2)  # (H, 3, 3)
        local = np.einsum("hji,hkj->hki", rot, h[:, _BASES] - h[:, :1])  # rot.T @ each base
        bases = (local * np.stack([sx, np.ones_like(sx), np.ones_like(sx)], -1)[:, None]).mean(axis=0)
        seg = quat.norm(h[:, _CHAINS[:, 1:]] - h[:, _CHAINS[:, :-1]]).mean(axis=0).reshape(-1)  # (15,)
        lengths[_FINGER_ROWS] = seg
        lengths[_MEASURED["Hand"]] = float(quat.norm(fwd).mean())
    return lengths, hip_half, bases
