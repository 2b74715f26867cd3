"""Runs INSIDE Blender (``blender -b --factory-startup --python THIS -- MODE ...``) for
tests/integration/test_blender.py: installs the add-on zip the way a user does, then

- ``import ZIP BVH OUT.json``: imports the BVH with the add-on and writes every frame's
  joint positions (world space, metres);
- ``vmc ZIP BVH PORT SECONDS OUT.json``: imports the BVH for its armature, drives it from
  VMC on PORT for SECONDS, and writes the joint positions after each received frame with
  the frame's VMC time;
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
        deadline = time.monotonic() + float(argv[4])
        frames, times = [], []
        while time.monotonic() < deadline:
            if driver.step():
                bpy.context.view_layer.update()
                frames.append(joints(arm))
                times.append(driver.receiver.time)
            else:
                time.sleep(0.002)
        addon.stop()
        out.update(frames=frames, times=times, packets=driver.receiver.packets, mapped=len(driver.mapping))
        path = argv[5]
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
