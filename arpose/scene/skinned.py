"""Skinned meshes: glTF avatars and costumes that bend with the body (GL-free).

A :class:`SkinnedMesh` draws the skinned primitives of a :class:`~arpose.rig.gltf.GltfModel`
with joint matrices it is given (:meth:`SkinnedMesh.set_pose`); the renderer's skinned pass
does the linear blend skinning in its vertex shader. An :class:`Avatar` is the node that
reads one person's pose every frame, asks its :class:`PoseDriver` for the model's local
joint matrices, and places the model on the person: the model's hips on the person's hips
(the landmarks' pixel and depth), scaled so its torso is the person's torso, turned from
rig space (+Y up, facing the camera) into the camera's world space (y down, z away).

Drivers: :class:`ClipDriver` plays one of the model's own animation clips (development,
demos, idle avatars); :class:`~arpose.scene.rigdrive.RigDriver` turns the person's
landmarks into the model's joint rotations with the rig solver.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from ..joints import JOINT_INDEX
from ..pose import Pose
from ..rig.gltf import GltfModel, Primitive
from .anchors import Fader, PersonSelector, pose_measures
from .node import Drawable, FrameContext, Node, project_bounds
from .projection import Projection
from .sprite import TextureData

RIG_TO_CAMERA = np.diag([1.0, -1.0, -1.0])
"""Rig space (+Y up, facing +Z, the person's left at +X) to camera space (x right, y down,
z away) for a person facing the camera: a half turn about x."""
VERTEX_FLOATS = 16
"""Per-vertex layout of :attr:`SkinPart.vertices`: position 3, normal 3, uv 2, joints 4
(as floats), weights 4."""


class SkinPart:
    """One skinned primitive ready for upload: interleaved vertices, indices, material."""

    __slots__ = ("vertices", "indices", "color", "texture", "skin", "double_sided", "__weakref__")

    def __init__(self, prim: Primitive, skin: int, name: str) -> None:
        v = np.empty((len(prim.positions), VERTEX_FLOATS), np.float32)
        v[:, 0:3] = prim.positions
        v[:, 3:6] = prim.normals
        v[:, 6:8] = prim.uvs
        v[:, 8:12] = prim.joints
        v[:, 12:16] = prim.weights
        self.vertices = v
        self.indices = np.ascontiguousarray(prim.indices, np.uint32)
        self.color = tuple(float(c) for c in prim.material.base_color)
        tex = prim.material.texture
        self.texture = None if tex is None else TextureData(tex, f"{name}:{prim.material.name}")
        self.skin = skin
        self.double_sided = prim.material.double_sided
        """Draw back faces too (else they are culled: a closed body costs half)."""


class SkinnedMesh(Drawable):
    """The skinned meshes of a glTF model, posed by joint matrices (model space).

    Args:
        model: the loaded model (:func:`arpose.rig.gltf.load_gltf`).
        lit: simple directional lighting as for :class:`~arpose.scene.mesh.Mesh`.
        color: RGBA multiplied with each material's base colour.
    """

    def __init__(self, model: GltfModel, *, lit: bool = True, name: str = "", **kw) -> None:
        super().__init__(name or f"SkinnedMesh({model.path})", **kw)
        self.model = model
        self.lit = bool(lit)
        self.parts = [SkinPart(p, m.skin, model.path) for m in model.meshes for p in m.primitives]
        self.max_joints = max(len(s.joints) for s in model.skins)
        self.joint_matrices = [
            np.tile(np.eye(4, dtype=np.float32), (len(s.joints), 1, 1)) for s in model.skins
        ]
        """Per skin, (J, 4, 4) float32: bind space to model space (row-major maths)."""
        self.joint_points = model.rest_global[:, :3, 3]
        pos = np.concatenate([p.positions for m in model.meshes for p in m.primitives])
        self.reach = float(np.linalg.norm(pos.max(0) - pos.min(0))) * 0.25
        """Margin around the joints that holds every vertex (for :meth:`pixel_bounds`)."""
        self.version = 0
        self.set_pose(model.rest_global)

    def set_pose(self, global_m: np.ndarray) -> None:
        """Pose the skins from (N, 4, 4) global node matrices of the model."""
        for k in range(len(self.model.skins)):
            self.joint_matrices[k] = self.model.skin_matrices(global_m, k).astype(np.float32)
        self.joint_points = global_m[:, :3, 3]
        """(N, 3) every node's position, model space, as last posed."""
        self.version += 1

    @property
    def batch_key(self) -> int:
        return 0 if self.color[3] >= 1.0 and self.world_opacity >= 1.0 else 1

    def pixel_bounds(self, camera: Projection) -> np.ndarray | None:
        pts = self.joint_points
        lo, hi = pts.min(0) - self.reach, pts.max(0) + self.reach
        corners = np.array(
            [[x, y, z, 1.0] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
        )
        world = (corners @ np.asarray(self.world_matrix, float).T)[:, :3]
        return project_bounds(world, camera)


class PoseDriver(Protocol):
    """Turns one person's pose into the model's local node matrices."""

    model_to_rig: np.ndarray
    """(3, 3) rotation from the model's space to rig space (which way the model faces)."""

    def local_matrices(self, pose: Pose, t: float) -> np.ndarray:
        """(N, 4, 4) local matrices of the model's nodes for ``pose`` at time ``t``."""
        ...

    def reset(self) -> None:
        """Forget the person (they left; a new one may take the slot)."""
        ...


class ClipDriver:
    """Plays one of the model's animation clips, looping, whatever the person does.

    Args:
        model: the model; clip: the clip's name; speed: playback rate.
    """

    def __init__(self, model: GltfModel, clip: str, speed: float = 1.0) -> None:
        self.model = model
        self.clip = model.clip(clip)
        self.speed = float(speed)
        self.model_to_rig = np.eye(3)

    def local_matrices(self, pose: Pose, t: float) -> np.ndarray:
        d = self.clip.duration
        tt = (t * self.speed) % d if d > 0 else 0.0
        return self.model.pose_local(self.clip, tt)

    def reset(self) -> None:
        pass


_L_SH, _R_SH = JOINT_INDEX["left_shoulder"], JOINT_INDEX["right_shoulder"]
_L_HIP, _R_HIP = JOINT_INDEX["left_hip"], JOINT_INDEX["right_hip"]


def torso_length(world: np.ndarray) -> float:
    """Mid-hip to mid-shoulder distance of (33, 3) landmarks (metres or pixels)."""
    return float(np.linalg.norm((world[_L_SH] + world[_R_SH]) / 2 - (world[_L_HIP] + world[_R_HIP]) / 2))


_SEGMENTS = np.array(
    [
        (JOINT_INDEX[a], JOINT_INDEX[b])
        for a, b in (
            ("left_shoulder", "right_shoulder"),
            ("left_shoulder", "left_hip"),
            ("right_shoulder", "right_hip"),
            ("left_hip", "right_hip"),
            ("left_shoulder", "left_elbow"),
            ("right_shoulder", "right_elbow"),
            ("left_hip", "left_knee"),
            ("right_hip", "right_knee"),
        )
    ]
)


def pixels_per_metre(pose: Pose, min_visibility: float = 0.5) -> float:
    """Source pixels per metre of this person, at their depth: the image lengths of their
    seen torso and upper-limb segments over the same segments' lengths in the world
    landmarks, both in the image plane (x, y), so turning and bending shorten both alike."""
    lm, w = pose.landmarks, pose.world
    a, b = _SEGMENTS[:, 0], _SEGMENTS[:, 1]
    seen = np.minimum(lm[a, 3], lm[b, 3]) >= min_visibility
    if not seen[:4].any():
        seen[:4] = True
    px = np.linalg.norm(lm[a, :2] - lm[b, :2], axis=1)[seen].sum()
    m = np.linalg.norm(w[a, :2] - w[b, :2], axis=1)[seen].sum()
    return float(px / m) if m > 1e-6 else float(torso_length(lm[:, :3]) / max(torso_length(w), 1e-6))


class Avatar(Node):
    """Dresses one person in a skinned model (see the module docstring).

    Args:
        model: the glTF model.
        driver: a :class:`PoseDriver` (the rig solver's, or a clip).
        hips: the model's hips node; shoulders: its (left, right) upper-arm nodes (their
            midpoint is the model's shoulder line); together they give the model's torso
            length, which is matched to the person's when ``fit`` cannot be used.
        fit: landmark name -> model node at that joint (``left_elbow`` ->
            ``mixamorig:LeftForeArm``): each frame the model's scale and position are the
            least-squares fit, in the image, of those posed nodes onto the person's seen
            landmarks (so a half-seen person, hips out of the picture, is still dressed
            where they are). None: hips on the hips, torso length matched.
        person, slot: whom to follow (as for anchors).
        scale: extra factor on the fitted size.
        min_visibility: the shoulders must be this visible, else the avatar fades out.
        fade_time: seconds for a full fade.
        lit, color, layer, occlusion: passed to the :class:`SkinnedMesh`.
    """

    def __init__(
        self,
        model: GltfModel,
        driver: PoseDriver,
        *,
        hips: str,
        shoulders: tuple[str, str],
        person: int | None = None,
        slot: int = 0,
        scale: float = 1.0,
        min_visibility: float = 0.5,
        fade_time: float = 0.2,
        lit: bool = True,
        color: Sequence[float] = (1.0, 1.0, 1.0, 1.0),
        occlusion: str | None = None,
        fit: Mapping[str, str] | None = None,
        name: str = "",
        **kw,
    ) -> None:
        super().__init__(name or f"Avatar({model.path})", **kw)
        fit = dict(fit or {})
        self._fit_lm = np.array([JOINT_INDEX[j] for j in fit], np.int64)
        self._fit_nodes = np.array([model.node_index(n) for n in fit.values()], np.int64)
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"scale of {self.name} must be a positive number, got {scale!r}")
        self.model = model
        self.driver = driver
        self.selector = PersonSelector(person, slot)
        self.scale_factor = float(scale)
        self.min_visibility = float(min_visibility)
        self.fader = Fader(fade_time)
        self.base_opacity = self.opacity
        self._hips = model.node_index(hips)
        self._shoulders = (model.node_index(shoulders[0]), model.node_index(shoulders[1]))
        rest = model.rest_global[:, :3, 3] @ driver.model_to_rig.T
        self.model_torso = float(
            np.linalg.norm((rest[self._shoulders[0]] + rest[self._shoulders[1]]) / 2 - rest[self._hips])
        )
        if self.model_torso <= 1e-6:
            raise ValueError(f"{model.path}: hips {hips!r} and shoulders {shoulders!r} coincide")
        self.mesh = SkinnedMesh(model, lit=lit, color=color, occlusion=occlusion, name=f"{self.name}.mesh")
        self.add(self.mesh)
        self.tracked = False
        self.body_depth: float | None = None
        """World depth of the followed person's body plane (occlusion)."""
        self._pid: int | None = None

    @property
    def fade(self) -> float:
        return self.fader.alpha

    def joint_world(self, name: str) -> np.ndarray:
        """World position (the scene's camera space) of the model's node ``name`` as last
        posed: where a bone ended up on the person (for tests, games, debug drawing)."""
        p = self.mesh.joint_points[self.model.node_index(name)]
        return (self.world_matrix @ np.append(p, 1.0))[:3]

    def update(self, ctx: FrameContext) -> None:
        if ctx.new_frame:
            pose = self.selector.select(ctx.frame)
            self.tracked = False
            if pose is not None and ctx.frame is not None:
                lm = pose.landmarks
                if min(lm[_L_SH, 3], lm[_R_SH, 3]) >= self.min_visibility:
                    if pose.id != self._pid:
                        self.driver.reset()
                        self._pid = pose.id
                    self.tracked = True
                    self._place(pose, ctx)
        self.opacity = self.base_opacity * self.fader.step(1.0 if self.tracked else 0.0, ctx.dt)

    def _place(self, pose: Pose, ctx: FrameContext) -> None:
        local = self.driver.local_matrices(pose, ctx.frame.t if ctx.frame is not None else ctx.now)
        g = self.model.global_matrices(local)
        self.mesh.set_pose(g)
        measures = pose_measures(pose, ctx.cache)
        self.body_depth = float(ctx.camera.depth(measures["body_z"]))
        if len(self._fit_lm) and self._place_fit(pose, g, ctx.camera):
            return
        lm = pose.landmarks.astype(np.float64)
        hip_px = (lm[_L_HIP, :3] + lm[_R_HIP, :3]) / 2
        cam = ctx.camera
        origin = np.array(cam.unproject_point(float(hip_px[0]), float(hip_px[1]), float(hip_px[2])))
        k = origin[2] / cam.focal  # world units per source pixel at the hips' depth
        s = k * pixels_per_metre(pose) * torso_length(pose.world) / self.model_torso * self.scale_factor
        m = np.eye(4)
        m[:3, :3] = RIG_TO_CAMERA @ self.driver.model_to_rig * s
        m[:3, 3] = origin - m[:3, :3] @ g[self._hips, :3, 3]
        self.set_matrix(m)

    def _place_fit(self, pose: Pose, g: np.ndarray, cam: Projection) -> bool:
        """Scale and place by the least-squares fit of the ``fit`` nodes onto the seen
        landmarks (weak perspective, in the image plane); False when they do not span."""
        rot = RIG_TO_CAMERA @ self.driver.model_to_rig
        p = g[self._fit_nodes, :3, 3]
        c = p @ rot.T
        lm = pose.landmarks[self._fit_lm].astype(np.float64)
        w = np.where(lm[:, 3] >= self.min_visibility, 1.0, 0.02)
        wsum = float(w.sum())
        cm, qm = (w @ c[:, :2]) / wsum, (w @ lm[:, :2]) / wsum
        dc, dq = c[:, :2] - cm, lm[:, :2] - qm
        var = float(w @ (dc * dc).sum(axis=1))
        if var < 1e-10:
            return False
        s_px = float(w @ (dc * dq).sum(axis=1)) / var  # source pixels per model unit
        if not s_px > 0:
            return False
        z = float(w @ lm[:, 2]) / wsum
        origin = np.array(cam.unproject_point(float(qm[0]), float(qm[1]), z))
        k = origin[2] / cam.focal
        m = np.eye(4)
        m[:3, :3] = rot * (k * s_px * self.scale_factor)
        m[:3, 3] = origin - m[:3, :3] @ ((w @ p) / wsum)
        self.set_matrix(m)
        return True
