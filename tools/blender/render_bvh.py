"""Runs INSIDE Blender: ``blender -b --factory-startup --python THIS -- ADDON.zip BVH OUT_PREFIX FRAME...``.

Installs the arpose add-on, imports the BVH with it, dresses each bone in a capsule (an
armature itself does not render), and renders the given frames with Cycles on the CPU
(headless, no GPU, no display) to OUT_PREFIX_FRAME.png. Used by tools/make_engine_pictures.py.
"""

import math
import sys

import addon_utils
import bpy
from mathutils import Matrix, Vector

argv = sys.argv[sys.argv.index("--") + 1 :]
zip_path, bvh, prefix, frames = argv[0], argv[1], argv[2], [int(f) for f in argv[3:]]
bpy.ops.preferences.addon_install(filepath=zip_path, overwrite=True)
addon_utils.enable("arpose_blender", default_set=True)
import arpose_blender  # noqa: E402

for obj in list(bpy.data.objects):  # the factory scene's cube, light and camera
    bpy.data.objects.remove(obj)
arm = arpose_blender.import_bvh(bvh)
scene = bpy.context.scene

# capsules on the bones, made at the rest pose and parented to their bone
arm.data.pose_position = "REST"
bpy.context.view_layer.update()
skin = bpy.data.materials.new("skin")
skin.diffuse_color = (0.85, 0.55, 0.3, 1.0)
skin.use_nodes = True
skin.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (0.85, 0.45, 0.2, 1.0)
for bone in arm.data.bones:
    length = bone.length
    if length < 0.02:
        continue
    radius = 0.05 if bone.name in ("Hips", "Spine", "Spine1") else 0.035
    bpy.ops.mesh.primitive_cylinder_add(vertices=16, radius=radius, depth=length)
    cyl = bpy.context.active_object
    cyl.data.materials.append(skin)
    world = arm.matrix_world @ bone.matrix_local
    cyl.matrix_world = (
        world @ Matrix.Rotation(math.radians(-90), 4, "X") @ Matrix.Translation((0, 0, length / 2))
    )
    saved = cyl.matrix_world.copy()
    cyl.parent = arm
    cyl.parent_type = "BONE"
    cyl.parent_bone = bone.name
    cyl.matrix_world = saved
    bpy.ops.mesh.primitive_uv_sphere_add(radius=radius * 1.25, location=world.translation)
    ball = bpy.context.active_object
    ball.data.materials.append(skin)
    saved = ball.matrix_world.copy()
    ball.parent = arm
    ball.parent_type = "BONE"
    ball.parent_bone = bone.name
    ball.matrix_world = saved
arm.data.pose_position = "POSE"

bpy.ops.mesh.primitive_plane_add(size=8, location=(0, 0, 0))
floor = bpy.context.active_object
mat = bpy.data.materials.new("floor")
mat.use_nodes = True
mat.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (0.6, 0.62, 0.66, 1.0)
floor.data.materials.append(mat)

cam_data = bpy.data.cameras.new("cam")
cam = bpy.data.objects.new("cam", cam_data)
scene.collection.objects.link(cam)
scene.camera = cam
sun = bpy.data.objects.new("sun", bpy.data.lights.new("sun", "SUN"))
sun.data.energy = 3.0
sun.rotation_euler = (math.radians(50), 0, math.radians(30))
scene.collection.objects.link(sun)
scene.world = bpy.data.worlds.new("w")
scene.world.color = (0.25, 0.27, 0.3)

scene.render.engine = "CYCLES"
scene.cycles.device = "CPU"
scene.cycles.samples = 16
scene.cycles.use_denoising = False
scene.render.resolution_x, scene.render.resolution_y = 480, 640
scene.render.image_settings.file_format = "PNG"
for f in frames:
    scene.frame_set(f)
    hips = arm.matrix_world @ arm.pose.bones["Hips"].head
    # a camera in front of the person (who faces -Y), looking at the hips, a little from above
    cam.location = Vector((hips.x + 0.8, hips.y - 4.2, 1.3))
    direction = Vector((hips.x, hips.y, 0.95)) - cam.location
    cam.rotation_euler = direction.to_track_quat("-Z", "Y").to_euler()
    scene.render.filepath = f"{prefix}_{f:04d}.png"
    bpy.ops.render.render(write_still=True)
