"""Landmarks of a posed skeleton: the known answers the rig solver's tests compare against.

:func:`landmarks_from_bones` turns bone heads and frames in rig space (from arpose's own
:class:`~arpose.rig.Skeleton`, or from a glTF character posed by a clip) into MediaPipe
world landmarks in BlazePose's layout and the 21 hand landmarks per hand: the input the
solver sees from the tracker, with a known pose behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..joints import HAND_LANDMARK_NAMES, LANDMARK_NAMES, NUM_LANDMARKS
from ..rig import quat
from ..rig.rigpose import RigPose, global_rotations
from ..rig.skeleton import BONE_INDEX, FINGER_SEGMENTS, FINGERS, RIG_FROM_MEDIAPIPE, SIDES

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


def bone_frames(pose: RigPose) -> BoneFrames:
    """The bone frames of an arpose :class:`~arpose.rig.RigPose` (its own skeleton)."""
    heads = pose.joint_positions()
    g = quat.to_matrix(global_rotations(pose.rotations.astype(np.float64)))
    tails = pose.tails()
    names = list(BONE_INDEX)
    tips = {f"{s}{f}": tails[BONE_INDEX[f"{s}{f}Distal"]] for s in SIDES for f in FINGERS}
    return BoneFrames(
        {b: heads[i] for i, b in enumerate(names)}, {b: g[i] for i, b in enumerate(names)}, tips
    )


def landmarks_from_bones(frames: BoneFrames) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``(33, 3)`` MediaPipe world landmarks (centred on the hips' midpoint) and
    ``{"left"|"right": (21, 3)}`` hand world landmarks (centred on the wrist)."""
    h, r = frames.heads, frames.rotations
    rig = np.zeros((NUM_LANDMARKS, 3))
    for name, off in FACE_POINTS.items():
        rig[_LM[name]] = h["head"] + r["head"] @ np.asarray(off)
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


def landmarks_of(pose: RigPose) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """World and hand landmarks of an arpose :class:`~arpose.rig.RigPose`."""
    return landmarks_from_bones(bone_frames(pose))
