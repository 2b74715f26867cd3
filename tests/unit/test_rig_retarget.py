"""Bone-name conventions and their detection."""

from __future__ import annotations

import pytest

from arpose.errors import RigError
from arpose.rig import BONES
from arpose.rig.retarget import CONVENTIONS, REQUIRED, detect_bone_map


@pytest.mark.parametrize("name", list(CONVENTIONS))
def test_every_convention_names_every_bone_once(name: str) -> None:
    table = CONVENTIONS[name]
    assert set(table) == set(BONES)
    assert len(set(table.values())) == len(BONES)


@pytest.mark.parametrize(
    ("convention", "prefix", "bone", "expected"),
    [
        ("mixamo", "mixamorig:", "leftUpperArm", "mixamorig:LeftArm"),
        ("mixamo", "mixamorig1:", "rightLittleDistal", "mixamorig1:RightHandPinky3"),
        ("unity", "", "leftThumbMetacarpal", "LeftThumbProximal"),
        ("vrm0", "", "leftThumbProximal", "leftThumbIntermediate"),
        ("vrm", "", "leftThumbMetacarpal", "leftThumbMetacarpal"),
        ("vroid", "", "chest", "J_Bip_C_UpperChest"),
        ("mannequin", "", "leftLowerArm", "DEF-forearm.L"),
    ],
)
def test_detect_finds_the_convention(convention: str, prefix: str, bone: str, expected: str) -> None:
    names = ["Armature", "Mesh"] + [prefix + n for n in CONVENTIONS[convention].values()]
    found = detect_bone_map(names)
    assert found[bone] == expected
    assert len(found) == len(BONES)


def test_optional_bones_may_be_missing() -> None:
    names = [CONVENTIONS["mixamo"][b] for b in REQUIRED]
    found = detect_bone_map(names)
    assert set(found) == set(REQUIRED)


def test_missing_bones_are_named() -> None:
    names = [n for b, n in CONVENTIONS["mixamo"].items() if b not in ("leftHand", "head")]
    with pytest.raises(RigError, match="missing Head, LeftHand"):
        detect_bone_map(names)
    with pytest.raises(RigError, match="unknown bone convention 'maya'"):
        detect_bone_map(names, "maya")
