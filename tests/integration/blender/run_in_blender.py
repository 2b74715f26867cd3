"""Runs INSIDE Blender (``blender -b --factory-startup --python THIS -- MODE ...``) for
tests/integration/test_blender.py: installs the add-on zip the way a user does, then

- ``import ZIP BVH OUT.json``: imports the BVH with the add-on and writes every frame's
  joint positions (world space, metres);
- ``vmc ZIP BVH PORT FRAMES OUT.json``: imports the BVH for its armature, drives it from
  VMC on PORT until FRAMES frames have posed it (or two minutes passed), and writes the
  joint positions after each with the frame's VMC time;
- ``errors ZIP OUT.json``: the add-on's operators on bad input, what they reported.

Only Blender's Python runs here: no arpose import.
"""

import json
import sys
import time

import addon_utils
import bpy

JOINTS = [
    "Hips",
    "LeftArm",
    "LeftForeArm",
    "LeftHand",
    "RightArm",
    "RightForeArm",
    "RightHand",
    "LeftUpLeg",
    "LeftLeg",
    "LeftFoot",
    "RightUpLeg",
    "RightLeg",
    "RightFoot",
]


def install(zip_path):
    bpy.ops.preferences.addon_install(filepath=zip_path, overwrite=True)
    addon_utils.enable("arpose_blender", default_set=True, handle_error=None)
    import arpose_blender

    return arpose_blender


def joints(arm):
    return [list(arm.matrix_world @ arm.pose.bones[n].head) for n in JOINTS]


def main():
    argv = sys.argv[sys.argv.index("--") + 1 :]
    mode = argv[0]
    addon = install(argv[1])
    out = {"joints": JOINTS, "blender": bpy.app.version_string}
    if mode == "import":
        arm = addon.import_bvh(argv[2])
        scene = bpy.context.scene
        out["fps"] = scene.render.fps / scene.render.fps_base
        out["frame_start"], out["frame_end"] = scene.frame_start, scene.frame_end
        frames = []
        for f in range(scene.frame_start, scene.frame_end + 1):
            scene.frame_set(f)
            frames.append(joints(arm))
        out["frames"] = frames
        path = argv[3]
    elif mode == "vmc":
        arm = addon.import_bvh(argv[2])
        arm.animation_data_clear()  # the live driver poses it, not the BVH's action
        driver = addon.start(arm, port=int(argv[3]))
        wanted = int(argv[4])
        deadline = time.monotonic() + 120.0  # a bound for a broken stream, not a measurement
        frames, times = [], []
        while len(frames) < wanted and time.monotonic() < deadline:
            if driver.step():
                bpy.context.view_layer.update()
                frames.append(joints(arm))
                times.append(driver.receiver.time)
            else:
                time.sleep(0.002)
        addon.stop()
        out.update(frames=frames, times=times, packets=driver.receiver.packets, mapped=len(driver.mapping))
        path = argv[5]
    elif mode == "apose":
        arm = _apose_armature()
        driver = addon.start(arm, port=0)
        out["directions"] = {}
        s = 0.5**0.5
        for label, left_upper_arm in (("t-pose", (0.0, 0.0, 0.0, 1.0)), ("left arm up", (0.0, 0.0, -s, s))):
            for bone in ("Hips", "Spine", "Chest", "LeftShoulder", "RightShoulder", "RightUpperArm"):
                driver.receiver.handle("/VMC/Ext/Bone/Pos", [bone, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0])
            driver.receiver.handle("/VMC/Ext/Bone/Pos", ["LeftUpperArm", 0.0, 0.0, 0.0, *left_upper_arm])
            driver.apply()
            bpy.context.view_layer.update()
            out["directions"][label] = {
                b: list(
                    (
                        arm.matrix_world @ arm.pose.bones[b].tail - arm.matrix_world @ arm.pose.bones[b].head
                    ).normalized()
                )
                for b in ("LeftUpperArm", "LeftLowerArm", "RightUpperArm", "LeftUpperLeg")
            }
        addon.stop()
        path = argv[2]
    elif mode == "errors":
        reports = {}
        scene = bpy.context.scene
        for name, setup in (
            ("no armature", lambda: None),
            ("not humanoid", _plain_armature),
        ):
            scene.arpose_armature = setup()
            reports[name] = _call(bpy.ops.arpose.vmc_start)
        reports["missing bvh"] = _call(bpy.ops.arpose.import_bvh, filepath="/nonexistent/x.bvh")
        out["reports"] = reports
        path = argv[2]
    else:
        raise SystemExit(f"unknown mode {mode}")
    with open(path, "w") as f:
        json.dump(out, f)


def _call(op, **kw):
    """An operator's result; an operator that reports an error raises RuntimeError when called
    from a script (Blender's rule), with the reported message."""
    try:
        return str(op(**kw))
    except RuntimeError as exc:
        return "reported: " + str(exc).strip()


def _apose_armature():
    """A humanoid armature (Unity bone names) whose rest is an A-pose: arms 45 degrees down,
    with bone rolls of its own."""
    data = bpy.data.armatures.new("APose")
    obj = bpy.data.objects.new("APose", data)
    bpy.context.scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    bpy.ops.object.mode_set(mode="EDIT")
    c = 0.5**0.5
    spec = {
        "Hips": (None, (0, 0, 1.0), (0, 0, 1.1)),
        "Spine": ("Hips", (0, 0, 1.1), (0, 0, 1.3)),
        "Chest": ("Spine", (0, 0, 1.3), (0, 0, 1.45)),
        "Neck": ("Chest", (0, 0, 1.45), (0, 0, 1.55)),
        "Head": ("Neck", (0, 0, 1.55), (0, 0, 1.75)),
        "LeftUpperLeg": ("Hips", (0.1, 0, 1.0), (0.1, 0, 0.55)),
        "RightUpperLeg": ("Hips", (-0.1, 0, 1.0), (-0.1, 0, 0.55)),
    }
    for side, sx in (("Left", 1.0), ("Right", -1.0)):
        sh = (sx * 0.17, 0, 1.42)
        el = (sh[0] + sx * 0.28 * c, 0, sh[2] - 0.28 * c)
        wr = (el[0] + sx * 0.25 * c, 0, el[2] - 0.25 * c)
        spec[f"{side}Shoulder"] = ("Chest", (sx * 0.03, 0, 1.42), sh)
        spec[f"{side}UpperArm"] = (f"{side}Shoulder", sh, el)
        spec[f"{side}LowerArm"] = (f"{side}UpperArm", el, wr)
    for name, (parent, head, tail) in spec.items():
        b = data.edit_bones.new(name)
        b.head, b.tail = head, tail
        b.roll = 0.7  # any roll: the axes come from the rest pose
        if parent:
            b.parent = data.edit_bones[parent]
    bpy.ops.object.mode_set(mode="OBJECT")
    return obj


def _plain_armature():
    data = bpy.data.armatures.new("Plain")
    obj = bpy.data.objects.new("Plain", data)
    bpy.context.scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    bpy.ops.object.mode_set(mode="EDIT")
    b = data.edit_bones.new("bone")
    b.tail = (0, 0, 1)
    bpy.ops.object.mode_set(mode="OBJECT")
    return obj


main()
