"""RigPose: one person's joint rotations in one frame, and forward kinematics over them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import quat
from .skeleton import BONE_INDEX, NUM_BONES, PARENT_INDEX, REST_DIRECTIONS, Skeleton


def _levels() -> list[np.ndarray]:
    depth = np.zeros(NUM_BONES, int)
    for i in range(1, NUM_BONES):
        depth[i] = depth[PARENT_INDEX[i]] + 1
    return [np.flatnonzero(depth == d) for d in range(1, depth.max() + 1)]


_LEVELS = _levels()
"""Bones by depth below the hips: a level's parents are all in the levels before it, so
forward kinematics is one batched step per level (ten), not one per bone (49)."""


def global_rotations(local: np.ndarray) -> np.ndarray:
    """``(..., NUM_BONES, 4)`` global rotations from local ones: ``global[b] =
    global[parent[b]] * local[b]`` (parents come first in :data:`~arpose.rig.BONES`)."""
    local = np.asarray(local, np.float64)
    g = np.empty(local.shape)
    g[..., 0, :] = local[..., 0, :]
    for level in _LEVELS:
        g[..., level, :] = quat.mul(g[..., PARENT_INDEX[level], :], local[..., level, :])
    return g


def forward_kinematics(local: np.ndarray, offsets: np.ndarray, root: np.ndarray) -> np.ndarray:
    """``(NUM_BONES, 3)`` bone heads in rig space for local rotations, rest offsets and the
    hips' position."""
    g = quat.to_matrix(global_rotations(local))
    pos = np.empty((NUM_BONES, 3))
    pos[0] = root
    for level in _LEVELS:
        parent = PARENT_INDEX[level]
        pos[level] = pos[parent] + np.einsum("bij,bj->bi", g[parent], offsets[level])
    return pos


@dataclass(frozen=True, eq=False)
class RigPose:
    """One person's pose as joint rotations.

    Attributes:
        rotations: ``(NUM_BONES, 4)`` float32 local quaternions ``(x, y, z, w)`` relative
            to the rest T-pose (identity everywhere = the rest pose).
        root: ``(3,)`` the hips' position in rig space, metres.
        confidence: ``(NUM_BONES,)`` in [0, 1]; 0 = not seen (held, then relaxed to rest).
        skeleton: the person's bone lengths used for this pose.
    """

    rotations: np.ndarray
    root: np.ndarray
    confidence: np.ndarray
    skeleton: Skeleton

    def rotation(self, bone: str) -> np.ndarray:
        """The local quaternion of one bone by name."""
        return np.asarray(self.rotations[BONE_INDEX[bone]])

    def global_rotations(self) -> np.ndarray:
        """``(NUM_BONES, 4)`` rotations of each bone relative to rig space."""
        return global_rotations(self.rotations).astype(np.float32)

    def joint_positions(self) -> np.ndarray:
        """``(NUM_BONES, 3)`` bone heads in rig space (the hips' head at :attr:`root`)."""
        return forward_kinematics(self.rotations, self.skeleton.offsets, self.root)

    def tails(self) -> np.ndarray:
        """``(NUM_BONES, 3)`` bone tails: head plus the posed rest direction times length."""
        g = quat.to_matrix(global_rotations(self.rotations))
        return np.asarray(
            self.joint_positions()
            + np.einsum("bij,bj->bi", g, REST_DIRECTIONS * self.skeleton.lengths[:, None])
        )
