"""Following the body: the rig solver's rotations retargeted onto a skinned model.

:class:`RigDriver` is the :class:`~arpose.scene.skinned.PoseDriver` of avatars that take the
person's pose (the effects' ``rig = ...``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..joints import JOINT_INDEX
from ..pose import Pose
from ..rig import RigSolver, SolveOptions
from ..rig.gltf import GltfModel, trs_matrices
from ..rig.retarget import Retarget
from .skinned import torso_length

_LIMBS = tuple(
    (f"{side}{bone}", f"{side}{child}", f"{lside}_{a}", f"{lside}_{b}")
    for side, lside in (("left", "left"), ("right", "right"))
    for bone, child, a, b in (
        ("UpperArm", "LowerArm", "shoulder", "elbow"),
        ("LowerArm", "Hand", "elbow", "wrist"),
        ("UpperLeg", "LowerLeg", "hip", "knee"),
        ("LowerLeg", "Foot", "knee", "ankle"),
    )
)
LIMB_FIT = (0.75, 1.33)
"""Bounds of the factor a limb of the model is stretched by to match the person's."""


class RigDriver:
    """Follows the body: the rig solver per person (:class:`~arpose.rig.RigSolver`), its
    rotations retargeted to the model's bones (:class:`~arpose.rig.retarget.Retarget`,
    axes computed from the model's rest pose), and the model's arms and legs stretched to
    the person's proportions (each limb bone's length relative to the torso, from the
    world landmarks, averaged over time and bounded by :data:`LIMB_FIT`).

    Args:
        model: the model; bone_map: arpose bone -> model bone (``detect_bone_map``).
        fit_limbs: stretch the limbs to the person's proportions.
        options: the solver's options.
    """

    def __init__(
        self,
        model: GltfModel,
        bone_map: Mapping[str, str],
        *,
        fit_limbs: bool = True,
        options: SolveOptions | None = None,
    ) -> None:
        self.model = model
        self.retarget = Retarget.from_rest(bone_map, model.names, model.parents, model.rest_global)
        self.model_to_rig = np.asarray(self.retarget.frame, np.float64)
        self.solver = RigSolver(options or SolveOptions())
        rest = model.rest_global[:, :3, 3]
        node = {b: model.node_index(n) for b, n in bone_map.items()}
        shoulders = (rest[node["leftUpperArm"]] + rest[node["rightUpperArm"]]) / 2
        torso = float(np.linalg.norm(shoulders - rest[node["hips"]])) or 1.0
        self._limbs: list[tuple[int, float, int, int]] = []
        if fit_limbs:
            for bone, child, a, b in _LIMBS:
                if bone in node and child in node and model.parents[node[child]] == node[bone]:
                    length = float(np.linalg.norm(rest[node[child]] - rest[node[bone]])) / torso
                    if length > 1e-6:
                        self._limbs.append((node[child], length, JOINT_INDEX[a], JOINT_INDEX[b]))
        self._fit = np.full(len(self._limbs), np.nan)

    def local_matrices(self, pose: Pose, t: float) -> np.ndarray:
        rig_pose = self.solver.update(pose, t)
        rot = self.retarget.apply(rig_pose)
        tr = self.model.rest_translation.copy()
        if self._limbs:
            w = pose.world.astype(np.float64)
            vis = pose.landmarks[:, 3]
            torso = torso_length(w)
            for k, (child, model_len, a, b) in enumerate(self._limbs):
                if torso > 1e-6 and min(vis[a], vis[b]) >= 0.5:
                    ratio = float(np.linalg.norm(w[a] - w[b])) / torso / model_len
                    r = float(np.clip(ratio, *LIMB_FIT))
                    self._fit[k] = r if np.isnan(self._fit[k]) else 0.8 * self._fit[k] + 0.2 * r
                if not np.isnan(self._fit[k]):
                    tr[child] = tr[child] * self._fit[k]
        return trs_matrices(tr, rot, self.model.rest_scale)

    def reset(self) -> None:
        self.solver.reset()
        self._fit[:] = np.nan
