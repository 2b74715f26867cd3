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

from ..errors import RigError
from .skeleton import BONES, FINGER_SEGMENTS, FINGERS, SIDES


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
