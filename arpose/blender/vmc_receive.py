"""The Blender add-on's receiving side, without Blender: an OSC/VMC decoder and the humanoid
tables it needs (standard library only, so it runs in Blender's own Python and in tests).

Axes: VMC sends Unity's coordinates (left-handed, +Y up, the avatar faces +Z, its right
hand at +X). Blender is right-handed, +Z up, and a character faces -Y with its left hand
at +X. So a Unity position ``(x, y, z)`` is Blender's ``(-x, -z, y)`` and a Unity
quaternion ``(x, y, z, w)`` is Blender's ``(w, x, z, -y)`` in ``(w, x, y, z)`` order.
"""

from __future__ import annotations

import socket
import struct

Quat = tuple[float, float, float, float]
"""``(w, x, y, z)``: Blender's (mathutils) order."""
Vec = tuple[float, float, float]

# Unity HumanBodyBones -> parent, for the bones arpose sends (and UpperChest/Toes, which
# other senders may send).
_SIDES = ("Left", "Right")
PARENTS: dict[str, str | None] = {
    "Hips": None,
    "Spine": "Hips",
    "Chest": "Spine",
    "UpperChest": "Chest",
    "Neck": "Chest",
    "Head": "Neck",
}
for _s in _SIDES:
    PARENTS.update(
        {
            f"{_s}Shoulder": "Chest",
            f"{_s}UpperArm": f"{_s}Shoulder",
            f"{_s}LowerArm": f"{_s}UpperArm",
            f"{_s}Hand": f"{_s}LowerArm",
            f"{_s}UpperLeg": "Hips",
            f"{_s}LowerLeg": f"{_s}UpperLeg",
            f"{_s}Foot": f"{_s}LowerLeg",
            f"{_s}Toes": f"{_s}Foot",
        }
    )
    for _f in ("Thumb", "Index", "Middle", "Ring", "Little"):
        _prev = f"{_s}Hand"
        for _seg in ("Proximal", "Intermediate", "Distal"):
            PARENTS[f"{_s}{_f}{_seg}"] = _prev
            _prev = f"{_s}{_f}{_seg}"
HUMAN_BONES: tuple[str, ...] = tuple(PARENTS)
"""Unity humanoid bone names, parents before children."""

# Candidate armature bone names for each humanoid bone: arpose's BVH names (MotionBuilder /
# Mixamo style, with or without "mixamorig:"), VRoid's J_Bip names and VRM 1.0 names.
_BVH_BODY = {
    "Hips": "Hips",
    "Spine": "Spine",
    "Chest": "Spine1",
    "UpperChest": "Spine2",
    "Neck": "Neck",
    "Head": "Head",
    "Shoulder": "Shoulder",
    "UpperArm": "Arm",
    "LowerArm": "ForeArm",
    "Hand": "Hand",
    "UpperLeg": "UpLeg",
    "LowerLeg": "Leg",
    "Foot": "Foot",
    "Toes": "ToeBase",
}
_BVH_FINGER = {"Thumb": "Thumb", "Index": "Index", "Middle": "Middle", "Ring": "Ring", "Little": "Pinky"}
_SEG_NUMBER = {"Proximal": 1, "Intermediate": 2, "Distal": 3}


def candidates(bone: str) -> list[str]:
    """Names an armature may give the Unity humanoid bone ``bone`` (compared ignoring case)."""
    names = [bone]
    side = next((s for s in _SIDES if bone.startswith(s)), "")
    part = bone[len(side) :]
    bvh = None
    if part in _BVH_BODY:
        bvh = side + _BVH_BODY[part]
    else:
        for f, bf in _BVH_FINGER.items():
            if part.startswith(f):
                bvh = f"{side}Hand{bf}{_SEG_NUMBER[part[len(f) :]]}"
    if bvh is not None:
        names += [bvh, "mixamorig:" + bvh]
    vroid_side = {"Left": "L", "Right": "R", "": "C"}[side]
    names.append(f"J_Bip_{vroid_side}_{part}")
    vrm1 = (side.lower() + part) if side else part[0].lower() + part[1:]
    if "Thumb" in part:  # VRM 1.0 thumbs: Metacarpal, Proximal, Distal
        vrm1 = vrm1.replace("Proximal", "Metacarpal").replace("Intermediate", "Proximal")
    names.append(vrm1)
    return names


def detect_bone_map(armature_bones: list[str]) -> dict[str, str]:
    """Unity humanoid bone -> the armature's bone, for every humanoid bone found by name."""
    lower = {b.lower(): b for b in armature_bones}
    out: dict[str, str] = {}
    for bone in HUMAN_BONES:
        for name in candidates(bone):
            if name.lower() in lower:
                out[bone] = lower[name.lower()]
                break
    return out


REQUIRED = ("Hips", "Spine", "Head", "LeftUpperArm", "RightUpperArm", "LeftUpperLeg", "RightUpperLeg")
"""The bones a bone map must name for the add-on to drive an armature."""


def unity_to_blender_quat(x: float, y: float, z: float, w: float) -> Quat:
    """A Unity rotation as Blender's ``(w, x, y, z)`` (see the module doc)."""
    return (w, x, z, -y)


def unity_to_blender_pos(x: float, y: float, z: float) -> Vec:
    """A Unity position as a Blender one (see the module doc)."""
    return (-x, -z, y)


# ----------------------------------------------------------------------------- OSC


def _string(data: bytes, i: int) -> tuple[str, int]:
    end = data.index(b"\0", i)
    return data[i:end].decode("utf-8", "replace"), (end + 4) & ~3


def parse_packet(data: bytes) -> list[tuple[str, list]]:
    """The messages of one OSC packet (a message or a bundle, nested bundles too):
    ``[(address, [arguments])]``. Types ``s f i d h T F N`` are understood; a packet that
    does not parse yields what parsed before the damage."""
    out: list[tuple[str, list]] = []
    try:
        if data.startswith(b"#bundle\0"):
            i = 16
            while i + 4 <= len(data):
                (n,) = struct.unpack_from(">i", data, i)
                out.extend(parse_packet(data[i + 4 : i + 4 + n]))
                i += 4 + n
            return out
        address, i = _string(data, 0)
        tags, i = _string(data, i)
        args: list = []
        for t in tags[1:]:
            if t == "f":
                args.append(struct.unpack_from(">f", data, i)[0])
                i += 4
            elif t == "i":
                args.append(struct.unpack_from(">i", data, i)[0])
                i += 4
            elif t == "s":
                s, i = _string(data, i)
                args.append(s)
            elif t == "d":
                args.append(struct.unpack_from(">d", data, i)[0])
                i += 8
            elif t == "h":
                args.append(struct.unpack_from(">q", data, i)[0])
                i += 8
            elif t in "TFN":
                args.append({"T": True, "F": False, "N": None}[t])
            else:
                break
        out.append((address, args))
    except (ValueError, struct.error):
        pass
    return out


class VmcReceiver:
    """Listens for VMC messages on UDP and keeps the latest state.

    Attributes:
        bones: Unity bone name -> (Unity position, Unity quaternion (x, y, z, w)).
        root: the latest ``/VMC/Ext/Root/Pos`` (position, quaternion), or None.
        time: the latest ``/VMC/Ext/T``.
        tracking: the tracking status of the latest ``/VMC/Ext/OK`` (1: tracked).
        packets: datagrams received so far.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 39539):
        self.host, self.port = host, port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        self.sock.bind((host, port))
        self.bones: dict[str, tuple[Vec, tuple[float, float, float, float]]] = {}
        self.root: tuple[Vec, tuple[float, float, float, float]] | None = None
        self.time: float | None = None
        self.tracking = 0
        self.packets = 0

    def poll(self) -> int:
        """Read every waiting datagram (never blocks); returns how many were read."""
        n = 0
        while True:
            try:
                data = self.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            n += 1
            for address, args in parse_packet(data):
                self.handle(address, args)
        self.packets += n
        return n

    def handle(self, address: str, args: list) -> None:
        if address in ("/VMC/Ext/Bone/Pos", "/VMC/Ext/Root/Pos") and len(args) >= 8:
            value = (tuple(args[1:4]), tuple(args[4:8]))
            if address == "/VMC/Ext/Root/Pos":
                self.root = value
            else:
                self.bones[str(args[0])] = value
        elif address == "/VMC/Ext/T" and args:
            self.time = float(args[0])
        elif address == "/VMC/Ext/OK" and args:
            self.tracking = int(args[3]) if len(args) >= 4 else int(args[0])

    def close(self) -> None:
        self.sock.close()
