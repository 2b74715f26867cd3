"""The joint vocabulary: every name an effect file, a game or the CLI may use.

BlazePose's 33 landmarks in model order, virtual joints derived from them
(fixed linear combinations, so they are computed for all joints at once with one
matrix product), aliases, and the maps to COCO-17 and OpenPose BODY_25.
Everything outside this module says ``"left_wrist"``, never ``lm[15]``.
"""

from __future__ import annotations

import difflib
import enum

import numpy as np

from .errors import UnknownJointError

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
NUM_LANDMARKS = len(LANDMARK_NAMES)

# the functional API (members from the names), which mypy cannot enumerate
Landmark = enum.IntEnum("Landmark", [(n.upper(), i) for i, n in enumerate(LANDMARK_NAMES)])  # type: ignore[misc]
Landmark.__doc__ = "BlazePose landmark indices by name (``Landmark.LEFT_WRIST == 15``)."

_L = {n: i for i, n in enumerate(LANDMARK_NAMES)}

# Virtual joints: weights over the 33 landmarks (x, y, z combine linearly; the
# visibility of a virtual joint is its parts' visibilities weighted by |weight|).
VIRTUAL_JOINTS: dict[str, dict[str, float]] = {
    "mid_shoulder": {"left_shoulder": 0.5, "right_shoulder": 0.5},
    "mid_hip": {"left_hip": 0.5, "right_hip": 0.5},
    # OpenPose's neck is the shoulder midpoint; keep that so BODY_25 maps 1:1.
    "neck": {"left_shoulder": 0.5, "right_shoulder": 0.5},
    "chest": {"left_shoulder": 0.35, "right_shoulder": 0.35, "left_hip": 0.15, "right_hip": 0.15},
    "spine": {"left_shoulder": 0.25, "right_shoulder": 0.25, "left_hip": 0.25, "right_hip": 0.25},
    "mid_eye": {"left_eye": 0.5, "right_eye": 0.5},
    "mouth": {"mouth_left": 0.5, "mouth_right": 0.5},
    # Centre of the head: between the ears.
    "head": {"left_ear": 0.5, "right_ear": 0.5},
    # Top of the skull: from the mouth through the eyes, 1.7 eye-mouth distances past the eyes.
    "head_top": {"left_eye": 1.35, "right_eye": 1.35, "mouth_left": -0.85, "mouth_right": -0.85},
    # Chin: 0.8 eye-mouth distances below the mouth.
    "chin": {"mouth_left": 0.9, "mouth_right": 0.9, "left_eye": -0.4, "right_eye": -0.4},
}
VIRTUAL_NAMES: tuple[str, ...] = tuple(VIRTUAL_JOINTS)

HEAD_JOINTS: frozenset[str] = frozenset(
    LANDMARK_NAMES[:11] + ("mid_eye", "mouth", "head", "head_top", "chin")
)
"""Joints on the head: effects there scale by the head's width and turn with the head."""
TORSO_JOINTS: frozenset[str] = frozenset(
    (
        "left_shoulder",
        "right_shoulder",
        "left_hip",
        "right_hip",
        "mid_shoulder",
        "mid_hip",
        "neck",
        "chest",
        "spine",
    )
)
"""Joints on the torso: effects there turn with the shoulders and hips."""

# The hand model's 21 landmarks (MediaPipe HandLandmark order, which is also OpenPose's
# and COCO-WholeBody's hand order). Joint names prefix them with the side, except the
# hand model's wrist, which is ``left_hand_wrist`` so that ``left_wrist`` stays the body's.
HAND_LANDMARK_NAMES: tuple[str, ...] = (
    "wrist",
    "thumb_cmc",
    "thumb_mcp",
    "thumb_ip",
    "thumb_tip",
    "index_finger_mcp",
    "index_finger_pip",
    "index_finger_dip",
    "index_finger_tip",
    "middle_finger_mcp",
    "middle_finger_pip",
    "middle_finger_dip",
    "middle_finger_tip",
    "ring_finger_mcp",
    "ring_finger_pip",
    "ring_finger_dip",
    "ring_finger_tip",
    "pinky_mcp",
    "pinky_pip",
    "pinky_dip",
    "pinky_tip",
)
NUM_HAND_LANDMARKS = len(HAND_LANDMARK_NAMES)


class HandLandmark(enum.IntEnum):
    """Hand landmark indices by name (``HandLandmark.INDEX_FINGER_TIP == 8``)."""

    WRIST = 0
    THUMB_CMC = 1
    THUMB_MCP = 2
    THUMB_IP = 3
    THUMB_TIP = 4
    INDEX_FINGER_MCP = 5
    INDEX_FINGER_PIP = 6
    INDEX_FINGER_DIP = 7
    INDEX_FINGER_TIP = 8
    MIDDLE_FINGER_MCP = 9
    MIDDLE_FINGER_PIP = 10
    MIDDLE_FINGER_DIP = 11
    MIDDLE_FINGER_TIP = 12
    RING_FINGER_MCP = 13
    RING_FINGER_PIP = 14
    RING_FINGER_DIP = 15
    RING_FINGER_TIP = 16
    PINKY_MCP = 17
    PINKY_PIP = 18
    PINKY_DIP = 19
    PINKY_TIP = 20


assert [m.name.lower() for m in HandLandmark] == list(HAND_LANDMARK_NAMES)
HAND_SIDES: tuple[str, str] = ("left", "right")
"""The person's own left and right (like ``left_wrist``), never the image's."""


def hand_joint_name(side: str, landmark: str) -> str:
    """``("left", "wrist") -> "left_hand_wrist"``, ``("left", "thumb_tip") -> "left_thumb_tip"``."""
    return f"{side}_hand_wrist" if landmark == "wrist" else f"{side}_{landmark}"


HAND_JOINT_NAMES: tuple[str, ...] = tuple(
    hand_joint_name(side, n) for side in HAND_SIDES for n in HAND_LANDMARK_NAMES
)
"""The 42 hand joints: the left hand's 21, then the right hand's 21."""
# The palm centre: the wrist and the four finger bases (a virtual hand joint).
PALM_WEIGHTS: dict[str, float] = {
    "wrist": 0.2,
    "index_finger_mcp": 0.2,
    "middle_finger_mcp": 0.2,
    "ring_finger_mcp": 0.2,
    "pinky_mcp": 0.2,
}
HAND_VIRTUAL_NAMES: tuple[str, ...] = ("left_palm", "right_palm")
JOINT_NAMES: tuple[str, ...] = LANDMARK_NAMES + VIRTUAL_NAMES + HAND_JOINT_NAMES + HAND_VIRTUAL_NAMES
"""All joints with a position: the 33 landmarks, the virtual joints, the 42 hand joints,
then the two palms. Hand joints have visibility 0 when hand tracking is off or the hand
was not found (their position then falls back to the body's nearest hand landmark)."""

ALIASES: dict[str, str] = {
    "left_hand": "left_wrist",
    "right_hand": "right_wrist",
    "left_foot": "left_ankle",
    "right_foot": "right_ankle",
    "left_toe": "left_foot_index",
    "right_toe": "right_foot_index",
    "left_index_finger": "left_index",
    "right_index_finger": "right_index",
    "pelvis": "mid_hip",
    "hips": "mid_hip",
    "torso": "spine",
    "forehead": "head_top",
}
for _side in HAND_SIDES:
    for _finger in ("index", "middle", "ring"):
        for _part in ("mcp", "pip", "dip", "tip"):
            ALIASES[f"{_side}_{_finger}_{_part}"] = f"{_side}_{_finger}_finger_{_part}"
    for _part in ("mcp", "pip", "dip", "tip"):
        ALIASES[f"{_side}_little_{_part}"] = f"{_side}_pinky_{_part}"
        ALIASES[f"{_side}_little_finger_{_part}"] = f"{_side}_pinky_{_part}"
    ALIASES[f"{_side}_palm_center"] = f"{_side}_palm"
    ALIASES[f"{_side}_hand_root"] = f"{_side}_hand_wrist"

HAND_JOINTS: frozenset[str] = frozenset(HAND_JOINT_NAMES + HAND_VIRTUAL_NAMES)
"""Joints that only hand tracking provides (an effect naming one switches hands on)."""

JOINT_INDEX: dict[str, int] = {n: i for i, n in enumerate(JOINT_NAMES)}


def _virtual_matrix() -> np.ndarray:
    weights = np.zeros((len(VIRTUAL_NAMES), NUM_LANDMARKS), np.float32)
    for row, parts in enumerate(VIRTUAL_JOINTS.values()):
        for name, w in parts.items():
            weights[row, _L[name]] = w
    return weights


VIRTUAL_WEIGHTS = _virtual_matrix()
"""``(len(VIRTUAL_NAMES), 33)``: virtual joint positions = VIRTUAL_WEIGHTS @ landmarks."""


def resolve_joint(name: str) -> str:
    """Return the canonical joint name for ``name`` (aliases resolved, case-insensitive).

    Raises:
        UnknownJointError: with the closest valid names in the message.
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    key = ALIASES.get(key, key)
    if key in JOINT_INDEX:
        return key
    choices = list(JOINT_NAMES) + list(ALIASES)
    close = difflib.get_close_matches(key, choices, n=3, cutoff=0.6)
    hint = (
        f"; did you mean {' or '.join(repr(c) for c in close)}?"
        if close
        else " (run `arpose joints` for the list)"
    )
    raise UnknownJointError(f"unknown joint {name!r}{hint}")


def is_hand_joint(name: str) -> bool:
    """True when ``name`` (aliases allowed) is a finger joint or palm: it needs hand tracking."""
    return resolve_joint(name) in HAND_JOINTS


def joint_index(name: str) -> int:
    """Index of a joint (aliases allowed) in :data:`JOINT_NAMES` / :meth:`Pose.all_joints`."""
    return JOINT_INDEX[resolve_joint(name)]


# The hand's skeleton (MediaPipe HAND_CONNECTIONS), as pairs of hand landmark indices.
HAND_CONNECTIONS: tuple[tuple[int, int], ...] = (
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 4),
    (0, 5),
    (5, 6),
    (6, 7),
    (7, 8),
    (5, 9),
    (9, 10),
    (10, 11),
    (11, 12),
    (9, 13),
    (13, 14),
    (14, 15),
    (15, 16),
    (13, 17),
    (0, 17),
    (17, 18),
    (18, 19),
    (19, 20),
)

# OpenPose's hand keypoints (hand_left_keypoints_2d / hand_right_keypoints_2d): the same
# 21 points in the same order, so index i of OpenPose is hand landmark i.
OPENPOSE_HAND: tuple[tuple[str, str], ...] = tuple((f"{i}", n) for i, n in enumerate(HAND_LANDMARK_NAMES))

# When a hand is not tracked, its joints sit on the body's hand landmarks (visibility 0),
# so nothing anchored to a finger jumps to the image origin.
HAND_FALLBACK: tuple[str, ...] = (
    "wrist",
    "thumb",
    "thumb",
    "thumb",
    "thumb",
    "index",
    "index",
    "index",
    "index",
    "index",
    "index",
    "index",
    "index",
    "pinky",
    "pinky",
    "pinky",
    "pinky",
    "pinky",
    "pinky",
    "pinky",
    "pinky",
)

# MediaPipe's 33-point skeleton, as pairs of landmark indices.
POSE_CONNECTIONS: tuple[tuple[int, int], ...] = (
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 7),
    (0, 4),
    (4, 5),
    (5, 6),
    (6, 8),
    (9, 10),
    (11, 12),
    (11, 13),
    (13, 15),
    (15, 17),
    (15, 19),
    (15, 21),
    (17, 19),
    (12, 14),
    (14, 16),
    (16, 18),
    (16, 20),
    (16, 22),
    (18, 20),
    (11, 23),
    (12, 24),
    (23, 24),
    (23, 25),
    (24, 26),
    (25, 27),
    (26, 28),
    (27, 29),
    (28, 30),
    (29, 31),
    (30, 32),
    (27, 31),
    (28, 32),
)

# COCO-17 keypoints in COCO order, each with the joint that provides it.
COCO17: tuple[tuple[str, str], ...] = (
    ("nose", "nose"),
    ("left_eye", "left_eye"),
    ("right_eye", "right_eye"),
    ("left_ear", "left_ear"),
    ("right_ear", "right_ear"),
    ("left_shoulder", "left_shoulder"),
    ("right_shoulder", "right_shoulder"),
    ("left_elbow", "left_elbow"),
    ("right_elbow", "right_elbow"),
    ("left_wrist", "left_wrist"),
    ("right_wrist", "right_wrist"),
    ("left_hip", "left_hip"),
    ("right_hip", "right_hip"),
    ("left_knee", "left_knee"),
    ("right_knee", "right_knee"),
    ("left_ankle", "left_ankle"),
    ("right_ankle", "right_ankle"),
)
COCO17_INDEX: tuple[int, ...] = tuple(JOINT_INDEX[j] for _, j in COCO17)

# OpenPose BODY_25 keypoints in OpenPose order, each with the joint that provides
# it; None where BlazePose has no counterpart (the small toes): exported as 0, 0, 0.
BODY25: tuple[tuple[str, str | None], ...] = (
    ("Nose", "nose"),
    ("Neck", "neck"),
    ("RShoulder", "right_shoulder"),
    ("RElbow", "right_elbow"),
    ("RWrist", "right_wrist"),
    ("LShoulder", "left_shoulder"),
    ("LElbow", "left_elbow"),
    ("LWrist", "left_wrist"),
    ("MidHip", "mid_hip"),
    ("RHip", "right_hip"),
    ("RKnee", "right_knee"),
    ("RAnkle", "right_ankle"),
    ("LHip", "left_hip"),
    ("LKnee", "left_knee"),
    ("LAnkle", "left_ankle"),
    ("REye", "right_eye"),
    ("LEye", "left_eye"),
    ("REar", "right_ear"),
    ("LEar", "left_ear"),
    ("LBigToe", "left_foot_index"),
    ("LSmallToe", None),
    ("LHeel", "left_heel"),
    ("RBigToe", "right_foot_index"),
    ("RSmallToe", None),
    ("RHeel", "right_heel"),
)
BODY25_INDEX: tuple[int, ...] = tuple(-1 if j is None else JOINT_INDEX[j] for _, j in BODY25)
BODY25_CONNECTIONS: tuple[tuple[int, int], ...] = (
    (1, 8),
    (1, 2),
    (1, 5),
    (2, 3),
    (3, 4),
    (5, 6),
    (6, 7),
    (8, 9),
    (9, 10),
    (10, 11),
    (8, 12),
    (12, 13),
    (13, 14),
    (1, 0),
    (0, 15),
    (15, 17),
    (0, 16),
    (16, 18),
    (14, 19),
    (19, 20),
    (14, 21),
    (11, 22),
    (22, 23),
    (11, 24),
)
# OpenPose's per-keypoint render colours (RGB).
BODY25_COLORS: tuple[tuple[int, int, int], ...] = (
    (255, 0, 85),
    (255, 0, 0),
    (255, 85, 0),
    (255, 170, 0),
    (255, 255, 0),
    (170, 255, 0),
    (85, 255, 0),
    (0, 255, 0),
    (255, 0, 0),
    (0, 255, 85),
    (0, 255, 170),
    (0, 255, 255),
    (0, 170, 255),
    (0, 85, 255),
    (0, 0, 255),
    (255, 0, 170),
    (170, 0, 255),
    (255, 0, 255),
    (85, 0, 255),
    (0, 0, 255),
    (0, 0, 255),
    (0, 0, 255),
    (0, 255, 255),
    (0, 255, 255),
    (0, 255, 255),
)


def describe() -> str:
    """Human-readable listing of the vocabulary (what ``arpose joints`` prints)."""
    lines = ["BlazePose landmarks (model order):"]
    lines += [f"  {i:2d}  {n}" for i, n in enumerate(LANDMARK_NAMES)]
    lines.append("Virtual joints (computed from landmarks):")
    for name, parts in VIRTUAL_JOINTS.items():
        formula = " + ".join(f"{w:g}*{p}" for p, w in parts.items())
        lines.append(f"  {JOINT_INDEX[name]:2d}  {name:<13} = {formula}")
    lines.append("Aliases:")
    lines += [
        f"      {a:<18} -> {t}"
        for a, t in ALIASES.items()
        if not (t in HAND_JOINTS and a.startswith("right_"))
    ]
    lines.append("      (right_* hand aliases as for left_*)")
    lines.append("Hand joints (need hand tracking: --hands; model order, both sides):")
    for i, n in enumerate(HAND_LANDMARK_NAMES):
        lines.append(f"  {i:2d}  {hand_joint_name('left', n):<24} {hand_joint_name('right', n)}")
    lines.append(f"      {'left_palm':<24} right_palm   (mean of wrist and the four finger bases)")
    lines.append("OpenPose hand (hand_left/right_keypoints_2d order = hand model order above)")
    lines.append("COCO-17 (COCO order -> arpose joint):")
    lines += [f"  {i:2d}  {c:<15} <- {j}" for i, (c, j) in enumerate(COCO17)]
    lines.append("OpenPose BODY_25 (OpenPose order -> arpose joint):")
    lines += [f"  {i:2d}  {c:<10} <- {j or '(none: exported as 0, 0, 0)'}" for i, (c, j) in enumerate(BODY25)]
    return "\n".join(lines)
