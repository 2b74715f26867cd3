"""Landmarks of a posed skeleton: BlazePose world landmarks and hand landmarks where a
character's joints are.

:class:`~arpose.rig.retarget.Retarget` uses this to see a model's rest pose as the solver
would (its axis conventions come from solving that), and the tests use it to make known
answers: pose a skeleton, build its landmarks, solve, compare.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..joints import HAND_LANDMARK_NAMES, LANDMARK_NAMES, NUM_LANDMARKS
from .skeleton import FINGER_SEGMENTS, FINGERS, RIG_FROM_MEDIAPIPE, SIDES

_LM = {n: i for i, n in enumerate(LANDMARK_NAMES)}
_HLM = {n: i for i, n in enumerate(HAND_LANDMARK_NAMES)}

# Face points in the head's frame (metres from the ear midpoint, head upright and facing +Z).
FACE_POINTS: dict[str, tuple[float, float, float]] = {
    "nose": (0.0, 0.0, 0.10),
    "left_eye_inner": (0.015, 0.03, 0.085),
    "left_eye": (0.032, 0.03, 0.085),
    "left_eye_outer": (0.048, 0.03, 0.08),
    "right_eye_inner": (-0.015, 0.03, 0.085),
    "right_eye": (-0.032, 0.03, 0.085),
    "right_eye_outer": (-0.048, 0.03, 0.08),
    "left_ear": (0.075, 0.0, 0.0),
    "right_ear": (-0.075, 0.0, 0.0),
    "mouth_left": (0.025, -0.035, 0.085),
    "mouth_right": (-0.025, -0.035, 0.085),
}
# Heel and toe tip in the foot's frame, from the ankle (the foot points +Z).
HEEL = (0.0, -0.06, -0.05)
TOE = (0.0, -0.06, 0.17)


@dataclass(frozen=True)
class BoneFrames:
    """Where a posed character's bones are, in rig space (what the landmarks are built from).

    Attributes:
        heads: bone name -> ``(3,)`` head position.
        rotations: bone name -> ``(3, 3)`` the bone's frame, in arpose's rest convention
            (identity when the bone is as in arpose's T-pose).
        tips: ``"leftThumb"`` ... -> ``(3,)`` the tip of each finger.
    """

    heads: dict[str, np.ndarray]
    rotations: dict[str, np.ndarray]
    tips: dict[str, np.ndarray]


HEAD_CENTRE = (0.0, 0.08, 0.0)
"""Between the ears, from a character's head joint (the skull's base): about 8 cm up."""


def landmarks_from_bones(
    frames: BoneFrames, head_centre: tuple[float, float, float] = (0.0, 0.0, 0.0)
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``(33, 3)`` MediaPipe world landmarks (centred on the hips' midpoint) and
    ``{"left"|"right": (21, 3)}`` hand world landmarks (centred on the wrist).

    ``head_centre``: the point between the ears in the head bone's frame, from its head
    (zero for arpose's skeleton, whose head bone starts between the ears)."""
    h, r = frames.heads, frames.rotations
    rig = np.zeros((NUM_LANDMARKS, 3))
    centre_of_head = h["head"] + r["head"] @ np.asarray(head_centre)
    for name, off in FACE_POINTS.items():
        rig[_LM[name]] = centre_of_head + r["head"] @ np.asarray(off)
    for s in SIDES:
        rig[_LM[f"{s}_shoulder"]] = h[f"{s}UpperArm"]
        rig[_LM[f"{s}_elbow"]] = h[f"{s}LowerArm"]
        rig[_LM[f"{s}_wrist"]] = h[f"{s}Hand"]
        rig[_LM[f"{s}_hip"]] = h[f"{s}UpperLeg"]
        rig[_LM[f"{s}_knee"]] = h[f"{s}LowerLeg"]
        rig[_LM[f"{s}_ankle"]] = h[f"{s}Foot"]
        rig[_LM[f"{s}_heel"]] = h[f"{s}Foot"] + r[f"{s}Foot"] @ np.asarray(HEEL)
        rig[_LM[f"{s}_foot_index"]] = h[f"{s}Foot"] + r[f"{s}Foot"] @ np.asarray(TOE)
        # BlazePose's hand points sit on the knuckles of the index and little fingers
        rig[_LM[f"{s}_index"]] = h[f"{s}IndexProximal"]
        rig[_LM[f"{s}_pinky"]] = h[f"{s}LittleProximal"]
        rig[_LM[f"{s}_thumb"]] = h[f"{s}ThumbProximal"]
    centre = 0.5 * (rig[_LM["left_hip"]] + rig[_LM["right_hip"]])
    world = (rig - centre) * RIG_FROM_MEDIAPIPE
    hands: dict[str, np.ndarray] = {}
    for s in SIDES:
        pts = np.zeros((len(HAND_LANDMARK_NAMES), 3))
        pts[0] = h[f"{s}Hand"]
        for fi, f in enumerate(FINGERS):
            segs = FINGER_SEGMENTS[f]
            chain = [h[f"{s}{f}{seg}"] for seg in segs] + [frames.tips[f"{s}{f}"]]
            for k, p in enumerate(chain):
                pts[1 + 4 * fi + k] = p
        hands[s] = (pts - pts[0]) * RIG_FROM_MEDIAPIPE
    return world, hands
