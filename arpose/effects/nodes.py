"""Effect -> scene nodes: the effect file format is a thin layer over :mod:`arpose.scene`.

Each attachment becomes, per person slot it applies to::

    JointAnchor(joint, scale_by, offset, rotate_by, tilt_3d, min_visibility, layer, opacity)
      └─ Animator(rotate + animation)          one unit = one body measure
           └─ Sprite(width=scale, pivot)
      └─ FaceCamera └─ Animator └─ Mesh(scale / mesh width)     (3D content)

a ``quad`` attachment becomes one :class:`~arpose.scene.BodyQuad`, and an avatar (a skinned
glTF asset) one :class:`~arpose.scene.skinned.Avatar` driven by the rig solver through its
bone map (or by one of its clips). All nodes of one
effect hang under one :class:`EffectNode`, so swapping an effect (the mirror's gallery,
hot reload) is one ``replace`` in the scene. Assets are decoded once per effect into the
scene's GL-free data (:func:`decode_assets`) and shared by every person's copy.
"""

from __future__ import annotations

import difflib
import logging
import math
from collections.abc import Iterable, Mapping
from typing import Any, cast

import numpy as np

from ..errors import ArposeError, AssetError, EffectError, RigError
from ..joints import is_hand_joint
from ..rig import BONE_INDEX, BONES
from ..rig.gltf import GltfModel
from ..rig.retarget import REQUIRED, detect_bone_map
from ..scene.anchors import BodyQuad, JointAnchor
from ..scene.mesh import Mesh, MeshData
from ..scene.node import FrameContext, Node, compose
from ..scene.rigdrive import RigDriver
from ..scene.skinned import Avatar, ClipDriver, PoseDriver
from ..scene.sprite import Sprite, TextureData
from .assets import load_asset_data
from .schema import Animation, Attachment, Effect

log = logging.getLogger(__name__)

AssetData = Any  # TextureData | MeshData | anything a registered kind returns


def decode_assets(effect: Effect, *, on_error: str = "raise") -> dict[str, AssetData]:
    """Decode every asset of ``effect`` (GL-free) with the loader of its kind.

    Args:
        on_error: ``"raise"`` (default): :class:`EffectError` naming the effect and the
            asset; ``"placeholder"``: log it and use a magenta checkerboard / cube, so a
            running mirror shows the problem instead of stopping.
    """
    if on_error not in ("raise", "placeholder"):
        raise ValueError(f"on_error must be 'raise' or 'placeholder', got {on_error!r}")
    where = effect.path.name if effect.path is not None else f"effect {effect.name!r}"
    data: dict[str, AssetData] = {}
    for name, asset in effect.assets.items():
        try:
            value = load_asset_data(asset.path, asset.kind)
        except ArposeError as exc:
            if on_error == "raise":
                raise EffectError(f"asset {name!r} of {where}: {exc}") from None
            log.error("asset %r of %s: %s (showing a placeholder)", name, where, exc)
            value = (
                MeshData.placeholder(str(asset.path), str(exc))
                if asset.kind == "mesh"
                else TextureData.placeholder(str(asset.path), str(exc))
            )
        data[name] = value
    for i, att in enumerate(effect.attachments, 1):
        model = data.get(att.asset)
        if not isinstance(model, GltfModel):
            continue
        a_where = f"attachment {i} of {where}"
        try:  # bone maps and clips are checked now, so a hot reload can refuse them
            bone_map(att, model, a_where)
            if att.clip:
                _clip(att, model, a_where)
        except EffectError as exc:
            if on_error == "raise":
                raise
            log.error("%s (showing a placeholder)", exc)
            data[att.asset] = TextureData.placeholder(str(effect.assets[att.asset].path), str(exc))
    return data


def _euler_matrix(degrees: Iterable[float]) -> np.ndarray:
    """3x3 rotation for angles about x, then y, then z (degrees)."""
    ax, ay, az = (math.radians(float(d)) for d in degrees)
    cx, sx, cy, sy, cz, sz = (
        math.cos(ax),
        math.sin(ax),
        math.cos(ay),
        math.sin(ay),
        math.cos(az),
        math.sin(az),
    )
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


class Animator(Node):
    """A fixed extra rotation plus an optional :class:`Animation`, in the anchor's units.

    With ``rotate = [0, 0, a]`` a positive ``a`` turns the content's top toward the
    person's left side (x is the person's left, y is down). The transform is recomputed
    only when it is animated.
    """

    def __init__(
        self,
        rotate: Iterable[float] = (0.0, 0.0, 0.0),
        animation: Animation | None = None,
        name: str = "Animator",
        **kw: Any,
    ):
        super().__init__(name, **kw)
        self.base_rotation = tuple(float(r) for r in rotate)
        self.animation = animation
        self.set_matrix(compose((0.0, 0.0, 0.0), _euler_matrix(self.base_rotation), (1, 1, 1)))

    def matrix_at(self, t: float) -> np.ndarray:
        """Local matrix at timeline time ``t``."""
        if self.animation is None:
            return compose((0.0, 0.0, 0.0), _euler_matrix(self.base_rotation), (1, 1, 1))
        offset, rot, scale = self.animation.sample(t)
        angles = [b + r for b, r in zip(self.base_rotation, rot)]
        return compose(offset, _euler_matrix(angles), (scale, scale, scale))

    def update(self, ctx: FrameContext) -> None:
        if self.animation is not None:
            self.set_matrix(self.matrix_at(ctx.now))


class FaceCamera(Node):
    """Turns its content to face the camera along the ray through the anchor.

    Landmarks are close to a weak-perspective (orthographic) model: a head looking at
    the camera has the same z for eyes and mouth wherever it is in the picture. The
    renderer's camera is a pinhole, so a 3D mesh above the image centre would be seen from
    below (a hat showing the underside of its brim). Rotating the content so its forward
    axis follows the viewing ray shows it as the landmarks describe it: frontal when the
    body is frontal. Sprites do not need this (flat, parallel to the image).
    """

    def update(self, ctx: FrameContext) -> None:
        parent = self.parent
        if parent is None:
            return
        world = parent.world_matrix
        ray = world[:3, 3]
        n = float(np.linalg.norm(ray))
        a = world[:3, :3]
        scale = np.linalg.norm(a, axis=0)
        if n < 1e-9 or not np.all(scale > 1e-12):
            return
        ray = ray / n
        z = np.array([0.0, 0.0, 1.0])
        axis = np.cross(z, ray)
        s, c = float(np.linalg.norm(axis)), float(ray @ z)
        if s < 1e-9:
            return
        k = axis / s
        kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
        r_ray = np.eye(3) + s * kx + (1 - c) * (kx @ kx)  # Rodrigues: z -> ray
        rot = a / scale[None, :]
        local = np.eye(4)
        local[:3, :3] = rot.T @ r_ray @ rot
        self.set_matrix(local)


class EffectNode(Node):
    """All nodes of one effect for the given players (1 = first person, 2 = second, ...).

    Attributes:
        effect: the :class:`Effect` it shows.
        players: player numbers it covers.
        assets: the decoded asset data (shared by every player's copy).
    """

    def __init__(
        self,
        effect: Effect,
        *,
        players: Iterable[int] = (1, 2),
        assets: Mapping[str, AssetData] | None = None,
        on_error: str = "raise",
        **kw: Any,
    ):
        super().__init__(kw.pop("name", f"Effect({effect.name})"), **kw)
        self.effect = effect
        self.players = tuple(int(p) for p in players)
        if self.players and min(self.players) < 1:  # empty: shown on nobody right now
            raise ValueError(f"players must be numbers from 1, got {players!r}")
        self.assets = dict(assets) if assets is not None else decode_assets(effect, on_error=on_error)
        where = effect.path.name if effect.path is not None else f"effect {effect.name!r}"
        for i, att in enumerate(effect.attachments, 1):
            for player in self.players:
                if att.applies_to(player):
                    self.add(
                        attachment_node(
                            att,
                            self.assets[att.asset],
                            slot=player - 1,
                            where=f"attachment {i} of {where}",
                            color=effect.assets[att.asset].color,
                        )
                    )

    def anchors(self) -> list[Node]:
        """The per-attachment roots (JointAnchors and BodyQuads)."""
        return list(self.children)


def attachment_node(
    att: Attachment,
    data: AssetData,
    *,
    slot: int = 0,
    where: str = "attachment",
    color: tuple[float, float, float, float] | None = None,
) -> Node:
    """The scene subtree for one attachment on person ``slot`` (0-based)."""
    rgba = color or (1.0, 1.0, 1.0, 1.0)
    if isinstance(data, GltfModel):
        return avatar_node(att, data, slot=slot, where=where, color=rgba)
    if att.quad is not None:
        if not isinstance(data, TextureData):
            raise EffectError(f"'quad' in {where} needs a sprite (image) asset, got a {type(data).__name__}")
        left, top, right, bottom = att.margin
        return BodyQuad(
            data,
            att.quad,
            slot=slot,
            expand=(left, top, right, bottom),
            min_visibility=att.min_visibility,
            layer=att.layer,
            opacity=att.opacity,
            color=rgba,
            name=f"quad[{slot}]:{att.asset}",
        )
    anchor = JointAnchor(
        att.joint,
        slot=slot,
        scale_by=att.scale_by,
        offset=att.offset,
        rotate_by=cast("tuple[str, str] | None", att.rotate_by),  # normalised
        tilt_3d=att.tilt_3d,
        min_visibility=att.min_visibility,
        layer=att.layer,
        opacity=att.opacity,
        name=f"{att.joint}[{slot}]:{att.asset}",
    )
    sx, sy, sz = att.scale
    parent: Node = anchor.add(FaceCamera("FaceCamera")) if isinstance(data, MeshData) else anchor
    holder = parent.add(Animator(att.rotate, att.animation))
    if isinstance(data, TextureData):
        holder.add(Sprite(data, width=sx, height=sy * data.aspect, pivot=att.pivot, color=rgba))
    elif isinstance(data, MeshData):
        lo, hi = data.bounds
        width = float(hi[0] - lo[0]) or 1.0
        holder.add(Mesh(data, scale=(sx / width, sy / width, sz / width), color=rgba))
    elif isinstance(data, Node):  # a kind whose loader makes nodes itself
        holder.add(data)
    else:
        raise AssetError(
            f"{where}: asset {att.asset!r} decoded to a {type(data).__name__}, which the scene cannot draw"
        )
    return anchor


def bone_map(att: Attachment, model: GltfModel, where: str) -> dict[str, str]:
    """arpose bone -> the model's bone for an avatar attachment: detected (``rig = "auto"``
    or a convention's name), then the attachment's own table on top.

    Raises:
        EffectError: naming the effect, the attachment and the bone (a bone the model does
            not have, a name that is not an arpose bone, required bones missing).
    """
    rig = att.rig or "auto"
    names = set(model.names)
    detected: dict[str, str] = {}
    given: Mapping[str, str] = {}
    try:
        if rig == "auto" and model.humanoid:  # a VRM file says which node is which bone
            detected = {b: n for b, n in model.humanoid.items() if b in BONE_INDEX}
        elif isinstance(rig, str):
            detected = detect_bone_map(model.names, None if rig == "auto" else rig)
        else:
            given = rig
            try:
                detected = detect_bone_map(model.names)
            except RigError:
                detected = {}
    except RigError as exc:
        raise EffectError(
            f"{where} ({model.path}): {exc}; give the bones with a [attach.rig] table"
        ) from None
    for bone, model_bone in given.items():
        if bone not in BONES:
            raise EffectError(
                f"invalid 'rig' in {where}: {bone!r} is not an arpose bone{_suggest(bone, BONES)}"
                " (VRM humanoid names: hips, spine, leftUpperArm, ...)"
            )
        if model_bone not in names:
            raise EffectError(
                f"invalid 'rig' in {where}: bone {model_bone!r} (for {bone}) is not in "
                f"{model.path}{_suggest(model_bone, names)}"
            )
    out = {**detected, **given}
    missing = [b for b in REQUIRED if b not in out]
    if missing:
        raise EffectError(f"{where}: the bone map of {model.path} lacks {', '.join(missing)}")
    return out


def _suggest(key: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


_TORSO_FIT = {
    f"{side}_{joint}": f"{side}{bone}"
    for side in ("left", "right")
    for joint, bone in (("shoulder", "UpperArm"), ("hip", "UpperLeg"))
}
_FIT = {
    **_TORSO_FIT,
    **{
        f"{side}_{joint}": f"{side}{bone}"
        for side in ("left", "right")
        for joint, bone in (("elbow", "LowerArm"), ("wrist", "Hand"), ("knee", "LowerLeg"), ("ankle", "Foot"))
    },
}
"""Landmarks and the arpose bones whose heads sit on them: an avatar is placed and sized
by fitting these (only the torso's when it plays a clip rather than the person's pose)."""


def _clip(att: Attachment, model: GltfModel, where: str) -> ClipDriver:
    try:
        return ClipDriver(model, att.clip)
    except AssetError as exc:
        raise EffectError(f"invalid 'clip' in {where}: {exc}") from None


def avatar_node(
    att: Attachment,
    model: GltfModel,
    *,
    slot: int = 0,
    where: str = "attachment",
    color: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
) -> Avatar:
    """The :class:`~arpose.scene.skinned.Avatar` for one avatar attachment on ``slot``."""
    bones = bone_map(att, model, where)
    driver: PoseDriver
    if att.clip:
        driver = _clip(att, model, where)
    else:
        try:
            driver = RigDriver(model, bones)
        except RigError as exc:
            raise EffectError(f"{where} ({model.path}): {exc}") from None
    return Avatar(
        model,
        driver,
        hips=bones["hips"],
        shoulders=(bones["leftUpperArm"], bones["rightUpperArm"]),
        fit={j: bones[b] for j, b in (_TORSO_FIT if att.clip else _FIT).items() if b in bones},
        slot=slot,
        scale=att.scale[0],
        min_visibility=att.min_visibility,
        layer=att.layer,
        opacity=att.opacity,
        color=color,
        name=f"avatar[{slot}]:{att.asset}",
    )


def needs_mask(effects: Iterable[Effect]) -> bool:
    """True when some attachment must be hidden where the body is (``background`` and
    ``behind_body`` layers), so tracking should produce the segmentation mask. Content in
    the ``body`` layer uses the mask when there is one, but does not ask for it."""
    return any(a.layer in ("background", "behind_body") for e in effects for a in e.attachments)


def needs_hands(effects: Iterable[Effect]) -> bool:
    """True when some attachment follows or turns with a finger joint or palm, so tracking
    should run the hand model (hand tracking switches on by itself, like the mask)."""
    for e in effects:
        for a in e.attachments:
            pair = a.rotate_by if isinstance(a.rotate_by, tuple) else ()
            if is_hand_joint(a.joint) or any(is_hand_joint(j) for j in pair):
                return True
    return False


__all__ = [
    "decode_assets",
    "EffectNode",
    "Animator",
    "FaceCamera",
    "attachment_node",
    "avatar_node",
    "bone_map",
    "needs_mask",
    "needs_hands",
]
