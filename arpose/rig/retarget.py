"""Retargeting: arpose's bone rotations onto a real character's skeleton.

Two problems, both solved from data rather than tuned per model:

- **names**: :data:`CONVENTIONS` maps arpose's bones to VRM, Mixamo, Unity HumanBodyBones,
  VRoid and the shared mannequin; :func:`detect_bone_map` picks the convention a model's
  bone names follow, tolerating the usual prefixes (``mixamorig:``, ``Armature|`` ...).
- **axes** ("arms upside down"): every rig has its own bone axes and rest pose (T or A).
  :class:`Retarget` reads them from the model's rest (bind) matrices: it finds which way
  the model faces, where each bone points at rest, and turns arpose's rotations (relative to
  a T-pose in rig space) into the model's own local rotations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

import numpy as np

from ..errors import RigError
from . import quat
from .landmarks import HEAD_CENTRE, BoneFrames, landmarks_from_bones
from .rigpose import RigPose
from .skeleton import (
    BONE_INDEX,
    BONES,
    DEFAULT_FINGER_BASES,
    FINGER_SEGMENTS,
    FINGERS,
    NUM_BONES,
    PARENT,
    REST_DIRECTIONS,
    SIDES,
    basis,
)
from .solve import SolveOptions, solve_pose


def _fingers(fmt: str, numbered: bool, thumb_segments: Sequence[str] | None = None) -> dict[str, str]:
    """Finger bones for a convention: ``fmt`` has ``{S}`` (side), ``{F}`` (finger) and
    ``{N}`` (segment: 1-3 when ``numbered``, else the segment's name)."""
    out = {}
    names = {"Thumb": "Thumb", "Index": "Index", "Middle": "Middle", "Ring": "Ring", "Little": "Little"}
    for side in SIDES:
        for f in FINGERS:
            segs = FINGER_SEGMENTS[f] if not (f == "Thumb" and thumb_segments) else tuple(thumb_segments)
            for k, seg in enumerate(FINGER_SEGMENTS[f]):
                n = str(k + 1) if numbered else segs[k]
                out[f"{side}{f}{seg}"] = fmt.format(S=side, F=names[f], N=n)
    return out


def _body(names: dict[str, str], sides: tuple[str, str]) -> dict[str, str]:
    """Expand ``{S}`` in the limb names with each side's spelling."""
    out = {}
    for bone, model in names.items():
        if "{S}" in model:
            for side, spelled in zip(SIDES, sides):
                out[side + bone] = model.format(S=spelled)
        else:
            out[bone] = model
    return out


_LIMBS = ("Shoulder", "UpperArm", "LowerArm", "Hand", "UpperLeg", "LowerLeg", "Foot")

_VRM = {b: b for b in BONES}
_VRM0 = {
    **_VRM,
    **{
        f"{s}Thumb{a}": f"{s}Thumb{b}"
        for s in SIDES
        for a, b in zip(FINGER_SEGMENTS["Thumb"], ("Proximal", "Intermediate", "Distal"))
    },
}
_MIXAMO = {
    **_body(
        {
            "hips": "Hips",
            "spine": "Spine",
            "chest": "Spine2",
            "neck": "Neck",
            "head": "Head",
            "Shoulder": "{S}Shoulder",
            "UpperArm": "{S}Arm",
            "LowerArm": "{S}ForeArm",
            "Hand": "{S}Hand",
            "UpperLeg": "{S}UpLeg",
            "LowerLeg": "{S}Leg",
            "Foot": "{S}Foot",
        },
        ("Left", "Right"),
    ),
    **{k: v.replace("Little", "Pinky") for k, v in _fingers("{S}Hand{F}{N}", True).items()},
}
_MIXAMO = {k: v.replace("leftHand", "LeftHand").replace("rightHand", "RightHand") for k, v in _MIXAMO.items()}
_UNITY = {
    **_body(
        {
            "hips": "Hips",
            "spine": "Spine",
            "chest": "Chest",
            "neck": "Neck",
            "head": "Head",
            **{part: "{S}" + part for part in _LIMBS},
        },
        ("Left", "Right"),
    ),
    **{
        k: v[0].upper() + v[1:]
        for k, v in _fingers("{S}{F}{N}", False, ("Proximal", "Intermediate", "Distal")).items()
    },
}
_VROID = {
    **_body(
        {
            "hips": "J_Bip_C_Hips",
            "spine": "J_Bip_C_Spine",
            "chest": "J_Bip_C_UpperChest",
            "neck": "J_Bip_C_Neck",
            "head": "J_Bip_C_Head",
            **{part: "J_Bip_{S}_" + part for part in _LIMBS},
        },
        ("L", "R"),
    ),
    **{
        k: v.replace("J_Bip_left_", "J_Bip_L_").replace("J_Bip_right_", "J_Bip_R_")
        for k, v in _fingers("J_Bip_{S}_{F}{N}", True).items()
    },
}
_RIGIFY_FINGERS = {
    "Thumb": "thumb",
    "Index": "f_index",
    "Middle": "f_middle",
    "Ring": "f_ring",
    "Little": "f_pinky",
}
_MANNEQUIN = {
    **_body(
        {
            "hips": "DEF-hips",
            "spine": "DEF-spine.001",
            "chest": "DEF-spine.003",
            "neck": "DEF-neck",
            "head": "DEF-head",
            "Shoulder": "DEF-shoulder.{S}",
            "UpperArm": "DEF-upper_arm.{S}",
            "LowerArm": "DEF-forearm.{S}",
            "Hand": "DEF-hand.{S}",
            "UpperLeg": "DEF-thigh.{S}",
            "LowerLeg": "DEF-shin.{S}",
            "Foot": "DEF-foot.{S}",
        },
        ("L", "R"),
    ),
    **{
        f"{side}{f}{seg}": f"DEF-{_RIGIFY_FINGERS[f]}.0{k + 1}.{'L' if side == 'left' else 'R'}"
        for side in SIDES
        for f in FINGERS
        for k, seg in enumerate(FINGER_SEGMENTS[f])
    },
}

CONVENTIONS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        name: MappingProxyType(table)
        for name, table in {
            "vrm": _VRM,
            "vrm0": _VRM0,
            "mixamo": _MIXAMO,
            "unity": _UNITY,
            "vroid": _VROID,
            "mannequin": _MANNEQUIN,
        }.items()
    }
)
"""Convention name -> (arpose bone -> the model's bone name). ``vrm`` is VRM 1.0's humanoid
(arpose's own names), ``vrm0`` VRM 0.x's (thumbs named proximal to distal), ``unity``
Unity's HumanBodyBones (what VMC sends), ``vroid`` VRoid Studio's ``J_Bip_*`` bones,
``mannequin`` the shared Quaternius mannequin's (Rigify ``DEF-*``) bones."""

REQUIRED: tuple[str, ...] = (
    "hips",
    "spine",
    "head",
    *(f"{s}{p}" for s in SIDES for p in ("UpperArm", "LowerArm", "Hand", "UpperLeg", "LowerLeg")),
)
"""Bones a model must have to be driven at all (fingers, neck, chest, shoulders and feet
are optional: a missing one just follows its parent)."""

_PREFIX = re.compile(r"^(?:.*[:|])?(?:mixamorig\d*_)?")


def _key(name: str) -> str:
    """A bone name without namespace prefixes (``mixamorig:``, ``Armature|``), case or
    separators: the form names are matched in."""
    return re.sub(r"[\s_.\-]", "", _PREFIX.sub("", name)).lower()


def detect_bone_map(model_bones: Iterable[str], convention: str | None = None) -> dict[str, str]:
    """arpose bone -> model bone, for the convention the names follow best (or the one
    named). Raises :class:`~arpose.errors.RigError` naming the missing bones when the
    best match lacks any of :data:`REQUIRED`."""
    names = list(model_bones)
    by_key: dict[str, str] = {}
    for n in names:
        by_key.setdefault(_key(n), n)
    if convention is not None and convention not in CONVENTIONS:
        raise RigError(f"unknown bone convention {convention!r} (known: {', '.join(CONVENTIONS)})")
    best: dict[str, str] = {}
    best_name = ""
    for cname in [convention] if convention else list(CONVENTIONS):
        table = CONVENTIONS[cname]
        found = {b: by_key[_key(m)] for b, m in table.items() if _key(m) in by_key}
        if len(found) > len(best):
            best, best_name = found, cname
    missing = [b for b in REQUIRED if b not in best]
    if missing:
        what = f"the {best_name} convention" if best_name else "any known convention"
        shown = ", ".join(CONVENTIONS[best_name or "vrm"][b] for b in missing[:6])
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        raise RigError(f"bone map: the model's bones do not follow {what}: missing {shown}{more}")
    return best


TAIL_CHILD: dict[str, str] = {"hips": "spine", "spine": "chest", "chest": "neck", "neck": "head"}
"""Bone -> the bone whose head sits at its tail: a model's bone direction is measured
towards the model bone mapped to that one."""
for _s in SIDES:
    TAIL_CHILD.update(
        {
            f"{_s}Shoulder": f"{_s}UpperArm",
            f"{_s}UpperArm": f"{_s}LowerArm",
            f"{_s}LowerArm": f"{_s}Hand",
            f"{_s}Hand": f"{_s}MiddleProximal",
            f"{_s}UpperLeg": f"{_s}LowerLeg",
            f"{_s}LowerLeg": f"{_s}Foot",
        }
    )
    for _f in FINGERS:
        _segs = FINGER_SEGMENTS[_f]
        for _a, _b in zip(_segs[:-1], _segs[1:]):
            TAIL_CHILD[f"{_s}{_f}{_a}"] = f"{_s}{_f}{_b}"
_Y = np.array([0.0, 1.0, 0.0])
_Z = np.array([0.0, 0.0, 1.0])


def _rotations(m: np.ndarray) -> np.ndarray:
    """The rotation part of ``(..., 4, 4)`` (or 3x3) matrices that may carry scale."""
    r = np.asarray(m, np.float64)[..., :3, :3]
    r = r / np.maximum(np.linalg.norm(r, axis=-2, keepdims=True), 1e-12)
    return quat.to_matrix(quat.from_matrix(r))


class Retarget:
    """Drives one model's skeleton from :class:`~arpose.rig.RigPose` s.

    Built once per model by :meth:`from_rest`; :meth:`apply` is then a few matrix products
    per bone. Model bones not in the bone map keep their rest rotation relative to their
    parent (a third spine bone, twist bones, toes, a root above the hips).
    """

    def __init__(
        self,
        bone_map: Mapping[str, str],
        names: Sequence[str],
        parents: np.ndarray,
        order: Sequence[int],
        frame: np.ndarray,
        rest_rig: np.ndarray,
        correction: dict[int, np.ndarray],
        source: dict[int, int],
        rest_positions: np.ndarray | None = None,
    ) -> None:
        self.bone_map = dict(bone_map)
        self.names = tuple(names)
        self.parents = np.asarray(parents)
        self.order = tuple(order)
        self.frame = frame
        """``(3, 3)`` model space to rig space (which way the model faces and is up)."""
        self._rest = rest_rig  # (M, 3, 3) rest global rotations in rig space
        self._fix = correction  # model node -> (3, 3) rest correction in rig space
        self._src = source  # model node -> arpose bone index
        self._pos = rest_positions  # (M, 3) rest joint positions in rig space, or None
        self._mapped = np.array(sorted(source), int)
        self._mapped_src = np.array([source[i] for i in self._mapped], int)
        self._mapped_rest = np.array([correction[i] @ rest_rig[i] for i in self._mapped]).reshape(-1, 3, 3)
        self._unmapped = [(i, int(self.parents[i])) for i in self.order if i not in source]
        parent_rest = rest_rig[np.maximum(self.parents, 0)]
        self._rest_local = np.swapaxes(parent_rest, -1, -2) @ rest_rig
        self._torso: list[int] = []  # model nodes from the spine's to the chest's
        self._to_arms: list[list[int]] = []  # model nodes from the hips' to each upper arm's
        back = {b: m for m, b in source.items()}
        names_needed = (
            "hips",
            "spine",
            "chest",
            "leftUpperArm",
            "rightUpperArm",
            "leftUpperLeg",
            "rightUpperLeg",
        )
        if rest_positions is not None and all(BONE_INDEX[b] in back for b in names_needed):
            hips, spine, chest = (back[BONE_INDEX[b]] for b in ("hips", "spine", "chest"))
            torso = _path(self.parents, spine, chest)
            arms = [_path(self.parents, hips, back[BONE_INDEX[f"{s}UpperArm"]]) for s in SIDES]
            if torso and all(arms):
                self._torso, self._to_arms = torso, arms
                self._legs = [back[BONE_INDEX[f"{s}UpperLeg"]] for s in SIDES]

    @classmethod
    def from_rest(
        cls,
        bone_map: Mapping[str, str],
        names: Sequence[str],
        parents: Sequence[int] | np.ndarray,
        rest_global: np.ndarray,
    ) -> Retarget:
        """A retargeter for a model whose nodes are ``names`` with ``parents`` (-1 for a
        root) and rest (bind) global matrices ``rest_global (M, 4, 4)``. Each bone's axis
        convention is computed from these: nothing is tuned per model.

        Raises :class:`~arpose.errors.RigError` when the map names a bone the model lacks
        or an arpose bone that does not exist."""
        names = list(names)
        parents = np.asarray(parents, int)
        rest_global = np.asarray(rest_global, np.float64)
        if rest_global.shape != (len(names), 4, 4) or parents.shape != (len(names),):
            raise RigError(
                f"rest pose: {len(names)} names, {parents.shape} parents, {rest_global.shape} matrices"
            )
        index = {n: i for i, n in enumerate(names)}
        for bone, model in bone_map.items():
            if bone not in BONE_INDEX:
                raise RigError(f"bone map: {bone!r} is not an arpose bone (see arpose.rig.BONES)")
            if model not in index:
                raise RigError(f"bone map: {bone} -> {model!r}, but the model has no bone {model!r}")
        missing = [b for b in REQUIRED if b not in bone_map]
        if missing:
            raise RigError(f"bone map: missing {', '.join(missing)}")
        node = {b: index[m] for b, m in bone_map.items()}
        pos = rest_global[:, :3, 3]
        rot = _rotations(rest_global)

        # which way the model faces: its left is +X, up (hips to head) is +Y in rig space
        left = (
            pos[node["leftUpperLeg"]]
            - pos[node["rightUpperLeg"]]
            + pos[node["leftUpperArm"]]
            - pos[node["rightUpperArm"]]
        )
        up = pos[node["head"]] - pos[node["hips"]]
        frame = basis(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])) @ basis(left, up).T
        rest_rig = frame @ rot
        pos_rig = pos @ frame.T

        order = _order(parents)
        children: dict[int, list[int]] = {}
        for i, p in enumerate(parents):
            children.setdefault(int(p), []).append(i)
        # see the rest pose as the solver would, and take what it finds as "rest"
        frames, hands = _rest_frames(node, pos_rig, rest_rig, children)
        world, hand_lm = landmarks_from_bones(frames, HEAD_CENTRE)
        seen = solve_pose(world, hands={s: hand_lm[s] for s in hands}, options=SolveOptions(limits=False))
        solved = quat.to_matrix(seen.global_rotations().astype(np.float64))
        correction = {m: solved[BONE_INDEX[b]].T for b, m in node.items()}
        source = {m: BONE_INDEX[b] for b, m in node.items()}
        return cls(bone_map, names, parents, order, frame, rest_rig, correction, source, pos_rig)

    def global_rig(self, pose: RigPose) -> np.ndarray:
        """``(M, 3, 3)`` every model node's posed global rotation, in rig space.

        Then the model's spine turns as a whole (about its base) so that the line from its
        hips to its shoulders points as the person's does: a model's spine is several bones
        with their own curve, and sharing a bend or twist among them otherwise than the
        person does would carry the arms away from the person's."""
        g = quat.to_matrix(pose.global_rotations().astype(np.float64))
        extra: dict[int, np.ndarray] = {}
        out = self._globals(g, extra)
        if not self._torso:
            return out
        sk = pose.skeleton
        chord = sum(g[BONE_INDEX[b]][:, 1] * sk.lengths[BONE_INDEX[b]] for b in ("hips", "spine", "chest"))
        turn = np.eye(3)
        for _ in range(2):
            legs, arms = self._points(out)
            have = 0.5 * (arms[0][-1] + arms[1][-1]) - legs
            turn = quat.to_matrix(quat.between(have, np.asarray(chord))) @ turn
            extra = dict.fromkeys(self._torso, turn)
            out = self._globals(g, extra)
        return out

    def _globals(self, g: np.ndarray, extra: dict[int, np.ndarray]) -> np.ndarray:
        out = np.empty_like(self._rest)
        # mapped nodes at once (their globals do not depend on their parents') ...
        out[self._mapped] = g[self._mapped_src] @ self._mapped_rest
        if extra:
            keys = list(extra)
            out[keys] = np.stack([extra[k] for k in keys]) @ out[keys]
        # ... then the others, parents first, keeping their rest rotation under their parent
        for i, p in self._unmapped:
            out[i] = self._rest[i] if p < 0 else out[p] @ self._rest_local[i]
        return out

    def _points(self, out: np.ndarray) -> tuple[np.ndarray, list[list[np.ndarray]]]:
        """The posed model's thigh-head midpoint and the joints from its hips to each upper
        arm, relative to the hips' head."""
        assert self._pos is not None
        arms = []
        for path in self._to_arms:
            pts = [np.zeros(3)]
            for a, b in zip(path[:-1], path[1:]):
                pts.append(pts[-1] + out[a] @ self._rest[a].T @ (self._pos[b] - self._pos[a]))
            arms.append(pts)
        hips = self._to_arms[0][0]
        legs = [out[hips] @ self._rest[hips].T @ (self._pos[leg] - self._pos[hips]) for leg in self._legs]
        return np.asarray(0.5 * (legs[0] + legs[1])), arms

    def apply(self, pose: RigPose) -> np.ndarray:
        """``(M, 4)`` float32 local rotations ``(x, y, z, w)`` of every model node for
        ``pose`` (translations and scales stay the model's own)."""
        g = self.global_rig(pose)
        parent = np.where((self.parents < 0)[:, None, None], self.frame[None], g[np.maximum(self.parents, 0)])
        return quat.from_matrix(np.swapaxes(parent, -1, -2) @ g).astype(np.float32)

    def rig_globals(self, model_global: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`apply`: ``(NUM_BONES, 3, 3)`` arpose global rotations of a
        posed model's mapped bones (``model_global (M, 4, 4)``, model space); unmapped
        arpose bones follow their parent. For tests and for reading a model's clips."""
        rot = self.frame @ _rotations(model_global)
        out = np.tile(np.eye(3), (NUM_BONES, 1, 1))
        back = {b: m for m, b in self._src.items()}
        for i, bone in enumerate(BONES):
            m = back.get(i)
            if m is not None:
                out[i] = rot[m] @ (self._fix[m] @ self._rest[m]).T
            elif PARENT[bone] is not None:
                out[i] = out[BONE_INDEX[PARENT[bone]]]  # type: ignore[index]
        return out


def _rest_frames(
    node: dict[str, int], pos: np.ndarray, rot: np.ndarray, children: dict[int, list[int]]
) -> tuple[BoneFrames, list[str]]:
    """A model's rest pose as bone frames for :func:`~arpose.rig.landmarks.landmarks_from_bones`:
    its joints where it has them, the face looking forward, the soles flat, and the bones a
    model may lack (feet, fingers) put where a body would have them. Also the sides whose
    fingers are all there (only those get hand landmarks)."""
    heads = {b: pos[m] for b, m in node.items()}
    rots = {"head": np.eye(3)}
    tips: dict[str, np.ndarray] = {}
    hands = []
    for s in SIDES:
        sx = 1.0 if s == "left" else -1.0
        hip, knee = heads[f"{s}UpperLeg"], heads[f"{s}LowerLeg"]
        ankle = heads.setdefault(f"{s}Foot", knee + (knee - hip))
        m = node.get(f"{s}Foot")
        fwd = (
            np.mean([pos[c] for c in children[m]], axis=0) - ankle
            if m is not None and children.get(m)
            else _Z
        )
        fwd = fwd - fwd[1] * _Y
        rots[f"{s}Foot"] = basis(fwd if np.linalg.norm(fwd) > 1e-6 else _Z, _Y) @ basis(_Z, _Y).T
        wrist, elbow = heads[f"{s}Hand"], heads[f"{s}LowerArm"]
        along = basis(wrist - elbow, _Z) @ basis(np.array([sx, 0.0, 0.0]), _Z).T
        complete = True
        for k, f in enumerate(FINGERS):
            segs = [f"{s}{f}{seg}" for seg in FINGER_SEGMENTS[f]]
            if not all(b in node for b in segs):
                complete = False
                start = wrist + along @ (DEFAULT_FINGER_BASES[k] * (sx, 1.0, 1.0))
                for j, b in enumerate(segs):
                    heads[b] = start + along @ (REST_DIRECTIONS[BONE_INDEX[b]] * 0.03 * j)
                tips[f"{s}{f}"] = start + along @ (REST_DIRECTIONS[BONE_INDEX[segs[0]]] * 0.09)
                continue
            last, prev = node[segs[-1]], node[segs[-2]]
            if children.get(last):
                tips[f"{s}{f}"] = pos[children[last][0]]
            else:  # as long as the segment before, turned by its own bend
                tips[f"{s}{f}"] = pos[last] + rot[last] @ rot[prev].T @ (pos[last] - pos[prev])
        if complete:
            hands.append(s)
    return BoneFrames(heads, rots, tips), hands


def _path(parents: np.ndarray, top: int, bottom: int) -> list[int]:
    """Nodes from ``top`` down to its descendant ``bottom`` (empty if it is not one)."""
    chain = [bottom]
    while chain[-1] != top:
        p = int(parents[chain[-1]])
        if p < 0:
            return []
        chain.append(p)
    return chain[::-1]


def _order(parents: np.ndarray) -> tuple[int, ...]:
    """Node indices, parents before children (RigError on a cycle)."""
    done: list[int] = []
    seen = np.zeros(len(parents), bool)
    for start in range(len(parents)):
        chain = []
        i = start
        while i >= 0 and not seen[i]:
            if i in chain:
                raise RigError(f"rest pose: node {i} is its own ancestor")
            chain.append(i)
            i = int(parents[i])
        for j in reversed(chain):
            seen[j] = True
            done.append(j)
    return tuple(done)
