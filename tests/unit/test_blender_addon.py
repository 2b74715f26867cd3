"""The Blender add-on's zip and its Blender-free parts (decoder, bone maps); the add-on in
real Blender is tests/integration/test_blender.py."""

from __future__ import annotations

import ast
import zipfile

import pytest
from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder

from arpose.blender import ADDON_NAME, build_addon_zip, vmc_receive
from arpose.errors import ArposeError


def test_zip_is_an_installable_addon_package(tmp_path) -> None:
    out = build_addon_zip(tmp_path / "a.zip")
    names = zipfile.ZipFile(out).namelist()
    assert sorted(names) == [f"{ADDON_NAME}/__init__.py", f"{ADDON_NAME}/vmc_receive.py"]
    init = zipfile.ZipFile(out).read(f"{ADDON_NAME}/__init__.py").decode()
    tree = ast.parse(init)
    bl_info = next(
        n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "bl_info"
    )
    info = ast.literal_eval(bl_info.value)
    assert info["name"] == "arpose" and info["blender"] >= (3, 4, 0)
    funcs = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert {"register", "unregister", "import_bvh", "start", "stop"} <= funcs
    assert "arpose" not in {  # runs in Blender's Python, where arpose is not installed
        (n.module or "").split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.level == 0
    }
    assert build_addon_zip(tmp_path) == tmp_path / f"{ADDON_NAME}.zip"  # a folder: the default name
    with pytest.raises(ArposeError, match="does not exist"):
        build_addon_zip(tmp_path / "no" / "a.zip")


def test_decoder_reads_python_osc_bundles() -> None:
    bundle = OscBundleBuilder(IMMEDIATELY)
    for address, args in (
        ("/VMC/Ext/Bone/Pos", ["LeftUpperArm", 0.1, 0.2, 0.3, 0.0, 0.0, 0.70710677, 0.70710677]),
        ("/VMC/Ext/T", [12.5]),
        ("/VMC/Ext/OK", [1, 3, 0, 1]),
    ):
        m = OscMessageBuilder(address)
        for a in args:
            m.add_arg(a)
        bundle.add_content(m.build())
    got = vmc_receive.parse_packet(bundle.build().dgram)
    assert [a for a, _ in got] == ["/VMC/Ext/Bone/Pos", "/VMC/Ext/T", "/VMC/Ext/OK"]
    assert got[0][1][0] == "LeftUpperArm" and got[0][1][1:4] == pytest.approx([0.1, 0.2, 0.3])
    assert got[1][1] == [12.5] and got[2][1] == [1, 3, 0, 1]


@pytest.mark.parametrize(
    "names, hips, left_upper_arm",
    [
        (
            ["Hips", "Spine", "Spine1", "Head", "LeftArm", "RightArm", "LeftUpLeg", "RightUpLeg"],
            "Hips",
            "LeftArm",
        ),
        (
            [
                f"mixamorig:{n}"
                for n in ("Hips", "Spine", "Head", "LeftArm", "RightArm", "LeftUpLeg", "RightUpLeg")
            ],
            "mixamorig:Hips",
            "mixamorig:LeftArm",
        ),
        (
            ["J_Bip_C_Hips", "J_Bip_C_Spine", "J_Bip_C_Head", "J_Bip_L_UpperArm", "J_Bip_R_UpperArm"]
            + ["J_Bip_L_UpperLeg", "J_Bip_R_UpperLeg"],
            "J_Bip_C_Hips",
            "J_Bip_L_UpperArm",
        ),
        (
            ["hips", "spine", "head", "leftUpperArm", "rightUpperArm", "leftUpperLeg", "rightUpperLeg"],
            "hips",
            "leftUpperArm",
        ),
    ],
)
def test_bone_maps_are_detected_by_name(names, hips, left_upper_arm) -> None:
    m = vmc_receive.detect_bone_map(names)
    assert m["Hips"] == hips and m["LeftUpperArm"] == left_upper_arm
    assert set(vmc_receive.REQUIRED) <= set(m)


def test_receiver_keeps_the_latest_state() -> None:
    rx = vmc_receive.VmcReceiver("127.0.0.1", 0)
    try:
        rx.handle("/VMC/Ext/Bone/Pos", ["Head", 0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 1.0])
        rx.handle("/VMC/Ext/Root/Pos", ["root", 1.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0])
        rx.handle("/VMC/Ext/OK", [1, 3, 0, 0])
        rx.handle("/VMC/Ext/T", [3.5])
        assert (
            rx.bones["Head"][0] == (0.0, 0.1, 0.0) and rx.root is not None and rx.root[0] == (1.0, 0.0, 2.0)
        )
        assert rx.tracking == 0 and rx.time == 3.5
        assert rx.poll() == 0  # nothing waiting: returns at once
    finally:
        rx.close()
