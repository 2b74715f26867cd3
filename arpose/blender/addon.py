"""arpose for Blender: drive an armature live from ``arpose serve --vmc`` and import arpose BVH.

This file is the add-on's ``__init__.py`` (``arpose blender -o arpose_blender.zip``
builds the installable zip); it runs inside Blender (3.4 and later) and imports nothing
from arpose. Errors a user can fix (no armature chosen, no humanoid bones found, a bone map
file that does not read, a port in use) are reported in Blender's status bar and its log
as one line, never as a traceback.

Scripting (what the panel's buttons call)::

    import arpose_blender
    arm = arpose_blender.import_bvh("/path/clip_person1.bvh")   # scale and axes set
    driver = arpose_blender.start(arm, port=39539)               # listen for VMC
    driver.step()                                                # poll + pose (a timer does it)
    arpose_blender.stop()
"""

from __future__ import annotations

import builtins
import contextlib
import json
import logging
import os

import bpy
from mathutils import Quaternion, Vector

from . import vmc_receive
from .vmc_receive import HUMAN_BONES, PARENTS, REQUIRED, VmcReceiver, detect_bone_map

bl_info = {
    "name": "arpose",
    "author": "arpose contributors",
    "version": (0, 2, 0),
    "blender": (3, 4, 0),
    "location": "3D Viewport > Sidebar > arpose; File > Import > arpose BVH",
    "description": "Drive an armature live from arpose (VMC protocol) and import arpose BVH motion capture",
    "category": "Animation",
}

log = logging.getLogger("arpose_blender")

BVH_SCALE = 0.01
"""arpose writes BVH in centimetres; Blender works in metres."""
FPS_INTERVAL = 1.0 / 60.0


class AddonError(Exception):
    """A problem the user can fix; reported as one line in Blender's UI and log."""


# ----------------------------------------------------------------------------- BVH import


@contextlib.contextmanager
def _open_without_u():
    """Blender 3.4's BVH importer opens files with mode ``'rU'``, which Python 3.11 refuses;
    drop the ``U`` while it runs (harmless where the importer is already fixed)."""
    original = builtins.open

    def patched(file, mode="r", *args, **kwargs):
        if isinstance(mode, str) and "U" in mode:
            mode = mode.replace("U", "") or "r"
        return original(file, mode, *args, **kwargs)

    builtins.open = patched
    try:
        yield
    finally:
        builtins.open = original


def import_bvh(filepath: str, *, scale: float = BVH_SCALE) -> bpy.types.Object:
    """Import an arpose BVH (centimetres, +Y up, facing +Z) as an armature standing on
    Blender's floor (+Z up, facing -Y), with the scene's frame rate and range set from it.

    Raises:
        AddonError: the file is missing or is not a BVH file.
    """
    path = bpy.path.abspath(filepath)
    if not os.path.isfile(path):
        raise AddonError(f"{path}: no such BVH file")
    if not hasattr(bpy.ops.import_anim, "bvh") or "io_anim_bvh" not in bpy.context.preferences.addons:
        import addon_utils  # lazy: Blender's own module, only to enable the BVH importer

        addon_utils.enable("io_anim_bvh", default_set=True)
    before = set(bpy.data.objects)
    try:
        with _open_without_u():
            bpy.ops.import_anim.bvh(
                filepath=path,
                global_scale=scale,
                axis_forward="-Z",
                axis_up="Y",
                rotate_mode="NATIVE",
                use_fps_scale=False,
                update_scene_fps=True,
                update_scene_duration=True,
            )
    except (RuntimeError, ValueError, IndexError) as exc:
        raise AddonError(f"{path}: not a BVH file Blender can import ({str(exc).strip()[:200]})") from None
    new = [o for o in bpy.data.objects if o not in before and o.type == "ARMATURE"]
    if not new:
        raise AddonError(f"{path}: the BVH importer made no armature")
    arm = new[0]
    action = arm.animation_data.action if arm.animation_data else None
    if action is not None:  # the scene shows exactly the clip (the importer only ever extends it)
        start, end = (int(round(v)) for v in action.frame_range)
        bpy.context.scene.frame_start, bpy.context.scene.frame_end = start, end
    log.info("imported %s as %s", path, arm.name)
    return arm


# ----------------------------------------------------------------------------- live driving


def _load_bone_map(path: str) -> dict[str, str]:
    p = bpy.path.abspath(path)
    try:
        with open(p, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise AddonError(f"{p}: cannot read the bone map ({exc})") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise AddonError(f'{p}: a bone map is a JSON object {{"Hips": "my_hips_bone", ...}}')
    unknown = [k for k in data if k not in PARENTS]
    if unknown:
        raise AddonError(f"{p}: {unknown[0]!r} is not a Unity humanoid bone name (e.g. Hips, LeftUpperArm)")
    return data


def bone_map_for(armature: bpy.types.Object, bone_map_path: str = "") -> dict[str, str]:
    """The humanoid bone -> armature bone map: given as a JSON file, or detected by name.

    Raises:
        AddonError: not an armature, a map naming bones the armature lacks, or too few
            humanoid bones found.
    """
    if armature is None or armature.type != "ARMATURE":
        what = "nothing" if armature is None else f"{armature.name!r} ({armature.type.lower()})"
        raise AddonError(f"choose an armature to drive (got {what})")
    names = [b.name for b in armature.data.bones]
    if bone_map_path:
        mapping = _load_bone_map(bone_map_path)
        missing = [v for v in mapping.values() if v not in names]
        if missing:
            raise AddonError(f"bone map names {missing[0]!r}, which armature {armature.name!r} does not have")
    else:
        mapping = detect_bone_map(names)
    lacking = [b for b in REQUIRED if b not in mapping]
    if lacking:
        raise AddonError(
            f"armature {armature.name!r}: no bone found for {', '.join(lacking)}; rename the bones "
            f"(Unity, Mixamo, VRM or arpose BVH names) or give a bone map file"
        )
    return mapping


T_DIRECTIONS: dict[str, tuple[float, float, float]] = {
    **{f"Left{b}": (1.0, 0.0, 0.0) for b in ("UpperArm", "LowerArm", "Hand")},
    **{f"Right{b}": (-1.0, 0.0, 0.0) for b in ("UpperArm", "LowerArm", "Hand")},
    **{f"{s}{b}": (0.0, 0.0, -1.0) for s in ("Left", "Right") for b in ("UpperLeg", "LowerLeg")},
}
"""Limb bones' directions in the T-pose that VMC rotations start from, in Blender's world
(the character faces -Y, its left hand at +X, +Z up)."""


class Driver:
    """Receives VMC and poses one armature (see :func:`start`).

    The received local rotations are chained into each humanoid bone's rotation from the
    T-pose, then expressed in each armature bone's own rest frame (so bone roll and axis
    conventions come from the armature's rest pose). An armature at rest in another pose
    than the T-pose (an A-pose) has its arms' and legs' rest directions turned to the T-pose
    first (:data:`T_DIRECTIONS`), so a T-pose sent is a T-pose shown. Bones that are not
    mapped keep their rest orientation relative to their parent.
    """

    def __init__(self, armature: bpy.types.Object, receiver: VmcReceiver, mapping: dict[str, str]):
        self.armature = armature
        self.receiver = receiver
        self.mapping = mapping
        self.by_bone = {v: k for k, v in mapping.items()}
        bones = armature.data.bones
        self.order = []
        stack = [b for b in bones if b.parent is None]
        while stack:
            b = stack.pop(0)
            self.order.append(b.name)
            stack.extend(b.children)
        self.rest = {b.name: b.matrix_local.to_quaternion() for b in bones}
        self.rest_head = {b.name: b.head_local.copy() for b in bones}
        # an A-pose (or any other) rest: each limb bone's turn from its T-pose direction to
        # its rest direction, in world space, undone before the humanoid rotation
        world = armature.matrix_world.to_quaternion()
        self.t_fix: dict[str, Quaternion] = {}
        for hb, name in mapping.items():
            if hb in T_DIRECTIONS and name in self.rest:
                rest_dir = (world @ self.rest[name]) @ Vector((0.0, 1.0, 0.0))
                self.t_fix[name] = Vector(T_DIRECTIONS[hb]).rotation_difference(rest_dir).inverted()
        self.parent = {b.name: (b.parent.name if b.parent else None) for b in bones}
        self.frames = 0
        self._hips_height: float | None = None

    def step(self) -> bool:
        """Read what arrived and pose the armature; False when nothing new arrived."""
        if not self.receiver.poll() or not self.receiver.bones:
            return False
        self.apply()
        self.frames += 1
        return True

    def humanoid_rotations(self) -> dict[str, Quaternion]:
        """Each humanoid bone's rotation from the T-pose, in Blender's world axes."""
        received = self.receiver.bones
        out: dict[str, Quaternion] = {}
        for hb in HUMAN_BONES:
            local = Quaternion()
            if hb in received:
                local = Quaternion(vmc_receive.unity_to_blender_quat(*received[hb][1]))
            parent = PARENTS[hb]
            out[hb] = out[parent] @ local if parent is not None else local
        return out

    def apply(self) -> None:
        arm = self.armature
        world = arm.matrix_world.to_quaternion()
        world_inv = world.inverted()
        g = self.humanoid_rotations()
        pose: dict[str, Quaternion] = {}
        for name in self.order:
            rest = self.rest[name]
            parent = self.parent[name]
            hb = self.by_bone.get(name)
            if hb is not None:
                target = world_inv @ g[hb] @ self.t_fix.get(name, Quaternion()) @ world @ rest
            elif parent is not None:
                target = pose[parent] @ self.rest[parent].inverted() @ rest
            else:
                target = rest
            pose[name] = target
            if parent is not None:
                basis = rest.inverted() @ self.rest[parent] @ pose[parent].inverted() @ target
            else:
                basis = rest.inverted() @ target
            pb = arm.pose.bones[name]
            pb.rotation_mode = "QUATERNION"
            pb.rotation_quaternion = basis
        self._apply_root(world_inv)

    def _apply_root(self, world_inv: Quaternion) -> None:
        """Horizontal root motion from ``/VMC/Ext/Root/Pos``; vertical motion of the hips
        relative to their height in the first frame received."""
        hips = self.mapping.get("Hips")
        received = self.receiver.bones.get("Hips")
        if hips is None or received is None:
            return
        root = self.receiver.root[0] if self.receiver.root is not None else (0.0, 0.0, 0.0)
        x, y, _ = vmc_receive.unity_to_blender_pos(root[0], 0.0, root[2])
        height = float(received[0][1])
        if self._hips_height is None:
            self._hips_height = height
        delta = Vector((x, y, height - self._hips_height))
        scale = max(self.armature.matrix_world.to_scale()[0], 1e-6)
        local = self.rest[hips].inverted() @ (world_inv @ delta) / scale
        if self.parent[hips] is None:
            self.armature.pose.bones[hips].location = local


_state: dict[str, object] = {}


def start(
    armature: bpy.types.Object, *, host: str = "127.0.0.1", port: int = 39539, bone_map_path: str = ""
) -> Driver:
    """Listen for VMC on ``host:port`` and drive ``armature``; returns the :class:`Driver`
    (a Blender timer calls its ``step`` while Blender runs interactively).

    Raises:
        AddonError: see :func:`bone_map_for`; or the port cannot be opened.
    """
    stop()
    mapping = bone_map_for(armature, bone_map_path)
    try:
        receiver = VmcReceiver(host, port)
    except OSError as exc:
        raise AddonError(
            f"cannot listen for VMC on {host}:{port} ({exc.strerror or exc}); choose another port"
        ) from None
    driver = Driver(armature, receiver, mapping)
    _state["driver"] = driver
    if not bpy.app.background:
        bpy.app.timers.register(_tick, first_interval=FPS_INTERVAL)
    log.info(
        "listening for VMC on %s:%d, driving %s (%d bones mapped)", host, port, armature.name, len(mapping)
    )
    return driver


def _tick() -> float | None:
    driver = _state.get("driver")
    if not isinstance(driver, Driver):
        return None
    try:
        driver.step()
    except ReferenceError:  # the armature was deleted
        log.warning("arpose: the driven armature is gone; stopped listening")
        stop()
        return None
    return FPS_INTERVAL


def stop() -> None:
    """Stop listening (and stop the timer)."""
    driver = _state.pop("driver", None)
    if isinstance(driver, Driver):
        driver.receiver.close()
    if bpy.app.timers.is_registered(_tick):
        bpy.app.timers.unregister(_tick)


def running() -> bool:
    return isinstance(_state.get("driver"), Driver)


# ----------------------------------------------------------------------------- UI


def _fail(op: bpy.types.Operator, exc: Exception) -> set[str]:
    log.error("arpose: %s", exc)
    op.report({"ERROR"}, str(exc))
    return {"CANCELLED"}


class ARPOSE_OT_import_bvh(bpy.types.Operator):
    """Import an arpose BVH file (centimetres, Y up) as an armature"""

    bl_idname = "arpose.import_bvh"
    bl_label = "Import arpose BVH"
    bl_options = {"REGISTER", "UNDO"}

    filepath: bpy.props.StringProperty(subtype="FILE_PATH")  # type: ignore[valid-type]
    filter_glob: bpy.props.StringProperty(default="*.bvh", options={"HIDDEN"})  # type: ignore[valid-type]

    def execute(self, context):
        try:
            arm = import_bvh(self.filepath)
        except AddonError as exc:
            return _fail(self, exc)
        context.scene.arpose_armature = arm
        self.report({"INFO"}, f"arpose: imported {arm.name}")
        return {"FINISHED"}

    def invoke(self, context, event):
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}


class ARPOSE_OT_vmc_start(bpy.types.Operator):
    """Listen for arpose serve --vmc and drive the chosen armature"""

    bl_idname = "arpose.vmc_start"
    bl_label = "Start VMC"

    def execute(self, context):
        s = context.scene
        try:
            start(s.arpose_armature, host=s.arpose_host, port=s.arpose_port, bone_map_path=s.arpose_bone_map)
        except AddonError as exc:
            return _fail(self, exc)
        self.report({"INFO"}, f"arpose: listening for VMC on {s.arpose_host}:{s.arpose_port}")
        return {"FINISHED"}


class ARPOSE_OT_vmc_stop(bpy.types.Operator):
    """Stop listening for VMC"""

    bl_idname = "arpose.vmc_stop"
    bl_label = "Stop VMC"

    def execute(self, context):
        stop()
        return {"FINISHED"}


class ARPOSE_PT_panel(bpy.types.Panel):
    bl_label = "arpose"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "arpose"

    def draw(self, context):
        s = context.scene
        col = self.layout.column()
        col.label(text="Armature to drive")
        col.prop(s, "arpose_armature", text="")
        col.label(text="Bone map (empty: by bone names)")
        col.prop(s, "arpose_bone_map", text="")
        col.label(text="Listen for VMC on")
        row = col.row(align=True)
        row.prop(s, "arpose_host", text="")
        row.prop(s, "arpose_port", text="")
        if running():
            driver = _state["driver"]
            col.label(text=f"receiving: {getattr(driver, 'frames', 0)} frames")
            col.operator(ARPOSE_OT_vmc_stop.bl_idname, icon="PAUSE")
        else:
            col.operator(ARPOSE_OT_vmc_start.bl_idname, icon="PLAY")
        col.operator(ARPOSE_OT_import_bvh.bl_idname, icon="ARMATURE_DATA")


def _menu_import(self, context):
    self.layout.operator(ARPOSE_OT_import_bvh.bl_idname, text="arpose BVH (.bvh)")


_CLASSES = (ARPOSE_OT_import_bvh, ARPOSE_OT_vmc_start, ARPOSE_OT_vmc_stop, ARPOSE_PT_panel)


def register() -> None:
    for cls in _CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.Scene.arpose_armature = bpy.props.PointerProperty(
        name="Armature", type=bpy.types.Object, poll=lambda _self, obj: obj.type == "ARMATURE"
    )
    bpy.types.Scene.arpose_bone_map = bpy.props.StringProperty(
        name="Bone map", subtype="FILE_PATH", description="JSON {Unity bone: armature bone}; empty: by name"
    )
    bpy.types.Scene.arpose_host = bpy.props.StringProperty(name="Host", default="127.0.0.1")
    bpy.types.Scene.arpose_port = bpy.props.IntProperty(name="Port", default=39539, min=1, max=65535)
    bpy.types.TOPBAR_MT_file_import.append(_menu_import)


def unregister() -> None:
    stop()
    bpy.types.TOPBAR_MT_file_import.remove(_menu_import)
    for name in ("arpose_armature", "arpose_bone_map", "arpose_host", "arpose_port"):
        if hasattr(bpy.types.Scene, name):
            delattr(bpy.types.Scene, name)
    for cls in reversed(_CLASSES):
        bpy.utils.unregister_class(cls)
