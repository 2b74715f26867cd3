"""Landmarks of a posed skeleton: the known answers the rig solver's tests compare against.

:func:`landmarks_from_bones` turns bone heads and frames in rig space (from arpose's own
:class:`~arpose.rig.Skeleton`, or from a glTF character posed by a clip) into MediaPipe
world landmarks in BlazePose's layout and the 21 hand landmarks per hand: the input the
solver sees from the tracker, with a known pose behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..rig import quat
from ..rig.gltf import GltfModel, trs_matrices
from ..rig.landmarks import HEAD_CENTRE, BoneFrames, landmarks_from_bones
from ..rig.retarget import TAIL_CHILD as _TAIL
from ..rig.retarget import Retarget
from ..rig.rigpose import RigPose, global_rotations
from ..rig.skeleton import BONE_INDEX, BONES, FINGER_SEGMENTS, FINGERS, SIDES
from ..rig.solve import solve_pose


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


def landmarks_of(pose: RigPose) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """World and hand landmarks of an arpose :class:`~arpose.rig.RigPose`."""
    return landmarks_from_bones(bone_frames(pose))


# -- a glTF character posed by its own clips -----------------------------------------------


def model_frames(model: GltfModel, retarget: Retarget, global_m: np.ndarray) -> BoneFrames:
    """The bone frames of a glTF character posed by ``global_m (N, 4, 4)`` (model space):
    heads of the mapped bones and their frames in arpose's convention, in rig space."""
    pos = global_m[:, :3, 3] @ retarget.frame.T
    rig = retarget.rig_globals(global_m)
    idx = {n: i for i, n in enumerate(model.names)}
    heads, rots, tips = {}, {}, {}
    for bone, name in retarget.bone_map.items():
        heads[bone] = pos[idx[name]]
        rots[bone] = rig[BONE_INDEX[bone]]
    rot = np.asarray([retarget.frame @ m[:3, :3] / np.linalg.norm(m[:3, :3], axis=0) for m in global_m])
    for s in SIDES:
        for f in FINGERS:
            last, prev = (idx[retarget.bone_map[f"{s}{f}{seg}"]] for seg in FINGER_SEGMENTS[f][::-1][:2])
            # the last segment is as long as the one before, turned by its own bend
            tips[f"{s}{f}"] = pos[last] + rot[last] @ rot[prev].T @ (pos[last] - pos[prev])
    return BoneFrames(heads, rots, tips)


@dataclass(frozen=True)
class RoundTrip:
    """How well one clip survives landmarks -> solve -> retarget -> forward kinematics.

    Attributes:
        clip: the clip's name.
        frames: frames compared.
        position_cm: mean distance (cm) of every mapped joint from where the clip put it,
            both measured from the hips.
        position_p95_cm: its 95th percentile.
        direction_deg: mean angle (degrees) between each bone's direction (head to the
            next mapped joint) in the clip and in the re-posed model.
        direction_p95_deg: its 95th percentile.
        worst_bone: the bone with the largest mean direction error.
    """

    clip: str
    frames: int
    position_cm: float
    position_p95_cm: float
    direction_deg: float
    direction_p95_deg: float
    worst_bone: str


def round_trip(model: GltfModel, clip: str, bone_map: dict[str, str], *, fps: float = 10.0) -> RoundTrip:
    """Pose ``model`` by ``clip`` every ``1/fps`` s, build BlazePose world and hand
    landmarks from its joints, solve them, drive the model with the solved rotations and
    compare joint positions and bone directions with the clip's."""
    rest = model.rest_global
    rt = Retarget.from_rest(bone_map, model.names, model.parents, rest)
    c = model.clip(clip)
    times = np.arange(0.0, max(c.duration, 1e-6), 1.0 / fps)
    idx = {n: i for i, n in enumerate(model.names)}
    nodes = [idx[bone_map[b]] for b in BONES if b in bone_map]
    bones = [b for b in BONES if b in bone_map]
    pairs = [(bones.index(b), bones.index(_TAIL[b])) for b in bones if _TAIL.get(b) in bone_map]
    pos_err, dir_err = [], []
    for t in times:
        tr, _, sc = model.pose_trs(c, float(t))
        truth = model.global_matrices(model.pose_local(c, float(t)))
        world, hands = landmarks_from_bones(model_frames(model, rt, truth), HEAD_CENTRE)
        solved = solve_pose(world, hands=hands)
        again = model.global_matrices(trs_matrices(tr, rt.apply(solved), sc))
        a, b = truth[nodes, :3, 3], again[nodes, :3, 3]
        a, b = a - a[0], b - b[0]
        pos_err.append(np.linalg.norm(a - b, axis=1))
        da = np.array([a[j] - a[i] for i, j in pairs])
        db = np.array([b[j] - b[i] for i, j in pairs])
        cos = np.sum(da * db, axis=1) / np.maximum(
            np.linalg.norm(da, axis=1) * np.linalg.norm(db, axis=1), 1e-12
        )
        dir_err.append(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
    pe, de = np.array(pos_err) * 100.0, np.array(dir_err)
    worst = bones[pairs[int(np.argmax(de.mean(axis=0)))][0]]
    return RoundTrip(
        clip,
        len(times),
        float(pe.mean()),
        float(np.percentile(pe, 95)),
        float(de.mean()),
        float(np.percentile(de, 95)),
        worst,
    )
