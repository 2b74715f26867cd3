"""Joint rotations from landmarks: a humanoid rig solved per person and per frame.

The analysis layer, beside :mod:`arpose.coach`: it imports only the core modules. Skinned
avatars (:mod:`arpose.scene.skinned`, :mod:`arpose.render`) and the engine outputs (BVH in
:mod:`arpose.bvh`, VMC in :mod:`arpose.vmc`) build on it; see
``docs/developer/rig.md`` for the API they share.
"""

from .rigpose import RigPose
from .skeleton import BONE_INDEX, BONES, NUM_BONES, PARENT, REST_DIRECTIONS, Skeleton
from .solve import LIMITS, SolveOptions, solve_pose
from .solver import NEUTRAL, RigSolver

__all__ = [
    "BONES",
    "BONE_INDEX",
    "LIMITS",
    "NEUTRAL",
    "NUM_BONES",
    "PARENT",
    "REST_DIRECTIONS",
    "RigPose",
    "RigSolver",
    "Skeleton",
    "SolveOptions",
    "solve_pose",
]
