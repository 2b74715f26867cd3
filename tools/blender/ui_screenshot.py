"""Runs INSIDE Blender with a window (under Xvfb): ``blender F.blend --python THIS -- ZIP BVH FRAME OUT``.

Installs the arpose add-on, imports the BVH with it, shows the front view with the
sidebar open, and after a few seconds saves a screenshot of the whole window. The sidebar's
arpose tab is chosen from outside (``xdotool`` clicks it: Blender has no API for the active
tab); tools/make_engine_pictures.py drives it.
"""

import sys

import addon_utils
import bpy

argv = sys.argv[sys.argv.index("--") + 1 :]
zip_path, bvh, frame, out = argv[0], argv[1], int(argv[2]), argv[3]
bpy.ops.preferences.addon_install(filepath=zip_path, overwrite=True)
addon_utils.enable("arpose_blender", default_set=True)
import arpose_blender  # noqa: E402

for obj in list(bpy.data.objects):
    bpy.data.objects.remove(obj)
arm = arpose_blender.import_bvh(bvh)
bpy.context.scene.arpose_armature = arm
bpy.context.scene.frame_set(frame)
bpy.context.view_layer.objects.active = arm
arm.select_set(True)


def setup():
    for area in bpy.context.screen.areas:
        if area.type == "VIEW_3D":
            area.spaces.active.show_region_ui = True
            window = next(r for r in area.regions if r.type == "WINDOW")
            with bpy.context.temp_override(area=area, region=window):
                bpy.ops.view3d.view_axis(type="FRONT")
                bpy.ops.view3d.view_selected()
            area.tag_redraw()


def shot():
    bpy.ops.screen.screenshot(filepath=out)
    bpy.ops.wm.quit_blender()


bpy.app.timers.register(setup, first_interval=3.0)
bpy.app.timers.register(shot, first_interval=14.0)
