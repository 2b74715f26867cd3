"""The VMC protocol (Virtual Motion Capture, OSC over UDP): joint rotations for VSeeFace,
VNyan, Warudo, EVMC4U in Unity, three-vrm and Blender add-ons.

arpose is a VMC *Performer*: it solves each person's rig (:class:`arpose.rig.RigSolver`)
and sends, per frame, what a *Marionette* (the receiver that draws the avatar, port 39539
by convention) expects::

    /VMC/Ext/Root/Pos  s "root"  f p.x p.y p.z  f q.x q.y q.z q.w
    /VMC/Ext/Bone/Pos  s name    f p.x p.y p.z  f q.x q.y q.z q.w     one per bone
    /VMC/Ext/OK        i loaded (1)  i calibration state (3: calibrated)
                       i calibration mode (0: normal)  i tracking status (1: tracked, 0: lost)
    /VMC/Ext/T         f time (the frame's timestamp, seconds)

as the published specification says:

- bone names are Unity's ``HumanBodyBones`` (``Hips``, ``LeftUpperArm``, ...; the rig's
  ``CONVENTIONS["unity"]``); finger bones only while hands are tracked, so a receiver's own
  finger animation is left alone otherwise;
- positions and rotations are **local** (relative to the parent bone), in **Unity's
  coordinates**: left-handed, metres, +Y up, the avatar faces +Z with its right hand at
  +X. From rig space (right-handed, the person's left hand at +X) that is a mirror of X:
  ``p = (-x, y, z)`` and ``q = (x, -y, -z, w)``. The rest pose is a T-pose whose bone
  frames are aligned with the avatar (VRM's normalised bones), so an identity rotation
  everywhere is the T-pose;
- the root carries the horizontal root motion ``(x, 0, z)``; the hips' local position is
  their height above the floor ``(0, y, 0)``; other bones' local positions are the
  person's measured rest offsets (receivers with "bone position synchronise" off ignore
  them);
- messages travel in OSC bundles (``#bundle``, time tag "immediately"), each at most
  :data:`MAX_DATAGRAM` bytes so that they cross a network without IP fragmentation.

One avatar per port is the protocol's model: the ``k``-th person of a frame (in id order)
goes to ``port + k``. Sending follows :class:`arpose.stream.OscSender`'s rules: a UDP
socket connected to the receiver (so it binds the one local address that routes there,
127.0.0.1 for a local receiver), an unresolvable host is an error at once, and a receiver
that is not listening costs one warning, then at most one per ten seconds.
"""

from __future__ import annotations

import logging
import struct

import numpy as np

from .errors import StreamError
from .pose import PoseFrame
from .rig import BONES, RigPose, RigSolver
from .rig.retarget import CONVENTIONS

# The OSC helpers of arpose.stream (the same encoding and sending rules as --osc).
from .stream import _osc_head, _osc_string, _QuietErrors, _udp_socket

log = logging.getLogger(__name__)

DEFAULT_VMC_PORT = 39539
"""The Marionette's port by convention (EVMC4U, VSeeFace, Warudo's receivers)."""
MAX_DATAGRAM = 1400
"""Bundles are split to stay under a typical Ethernet MTU."""

UNITY_NAMES: dict[str, str] = dict(CONVENTIONS["unity"])
"""arpose rig bone -> Unity ``HumanBodyBones`` name (the names VMC sends)."""
_FINGERS = ("Thumb", "Index", "Middle", "Ring", "Little")
_BODY = [i for i, b in enumerate(BONES) if b in UNITY_NAMES and not any(f in b for f in _FINGERS)]
_ALL = [i for i, b in enumerate(BONES) if b in UNITY_NAMES]
_HIPS = BONES.index("hips")

_MIRROR_P = np.array([-1.0, 1.0, 1.0], np.float32)
_MIRROR_Q = np.array([1.0, -1.0, -1.0, 1.0], np.float32)


def to_unity_position(p: np.ndarray) -> np.ndarray:
    """Rig-space positions ``(..., 3)`` -> Unity's left-handed axes (X mirrored)."""
    return np.asarray(p, np.float32) * _MIRROR_P


def to_unity_rotation(q: np.ndarray) -> np.ndarray:
    """Rig-space quaternions ``(..., 4)`` (x, y, z, w) -> Unity's axes: the same rotation
    seen in the X mirror, ``(x, -y, -z, w)``."""
    return np.asarray(q, np.float32) * _MIRROR_Q


def _bundle(messages: list[bytes]) -> bytes:
    out = [b"#bundle\0", struct.pack(">Q", 1)]  # time tag 1: "immediately"
    for m in messages:
        out.append(struct.pack(">i", len(m)))
        out.append(m)
    return b"".join(out)


def bundles(messages: list[bytes], limit: int = MAX_DATAGRAM) -> list[bytes]:
    """Pack messages into as few OSC bundles as fit in ``limit`` bytes each."""
    out: list[bytes] = []
    group: list[bytes] = []
    size = 16
    for m in messages:
        if group and size + 4 + len(m) > limit:
            out.append(_bundle(group))
            group, size = [], 16
        group.append(m)
        size += 4 + len(m)
    if group:
        out.append(_bundle(group))
    return out


class VmcEncoder:
    """Turns one person's :class:`~arpose.rig.RigPose` into VMC OSC messages."""

    def __init__(self) -> None:
        self._bone_heads = {
            i: _osc_head("/VMC/Ext/Bone/Pos", "sfffffff") + _osc_string(UNITY_NAMES[BONES[i]]) for i in _ALL
        }
        self._root_head = _osc_head("/VMC/Ext/Root/Pos", "sfffffff") + _osc_string("root")
        self._ok_head = _osc_head("/VMC/Ext/OK", "iiii")
        self._t_head = _osc_head("/VMC/Ext/T", "f")

    def messages(self, pose: RigPose | None, t: float, *, fingers: bool = False) -> list[bytes]:
        """The messages of one frame; ``pose`` None: the person is not tracked (only
        ``/VMC/Ext/OK`` with tracking status 0 and ``/VMC/Ext/T``)."""
        out: list[bytes] = []
        if pose is not None:
            root = np.asarray(pose.root, np.float32)
            out.append(
                self._root_head
                + np.concatenate(
                    [to_unity_position(np.array([root[0], 0.0, root[2]])), np.array([0, 0, 0, 1], np.float32)]
                )
                .astype(">f4")
                .tobytes()
            )
            index = _ALL if fingers else _BODY
            pos = to_unity_position(pose.skeleton.offsets[index])
            pos[index.index(_HIPS)] = (0.0, float(root[1]), 0.0)
            rot = to_unity_rotation(pose.rotations[index])
            values = np.concatenate([pos, rot], axis=1).astype(">f4")
            out.extend(self._bone_heads[i] + values[k].tobytes() for k, i in enumerate(index))
        out.append(self._ok_head + struct.pack(">iiii", 1, 3, 0, int(pose is not None)))
        out.append(self._t_head + struct.pack(">f", float(t)))
        return out


class VmcSender:
    """Solves and sends every person of each frame over the VMC protocol.

    Args:
        host, port: the receiver (a Marionette); person ``k`` of a frame (id order) goes to
            ``port + k``.
        people: how many people to send (one port each).

    Raises:
        StreamError: the host does not resolve, or a port is out of range.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_VMC_PORT, *, people: int = 1):
        if people < 1:
            raise StreamError(f"VMC: people={people}: must be at least 1")
        if port + people - 1 > 65535:
            raise StreamError(f"VMC receiver {host}:{port}: ports {port}..{port + people - 1} exceed 65535")
        self.host, self.port = host, port
        self.sent = 0
        self._encoder = VmcEncoder()
        self._socks = []
        try:
            for k in range(people):
                self._socks.append(_udp_socket(host, port + k))
        except StreamError as exc:
            self.close()
            raise StreamError(str(exc).replace("OSC receiver", "VMC receiver", 1)) from None
        self._errors = [_QuietErrors(f"VMC {host}:{port + k}") for k in range(people)]
        self._solvers: dict[int, RigSolver] = {}

    def datagrams(self, frame: PoseFrame) -> list[list[bytes]]:
        """The bundles of one frame, per port (solving each person's rig)."""
        poses = sorted(frame.poses, key=lambda p: int(p.id))[: len(self._socks)]
        live = {int(p.id) for p in poses}
        for pid in [pid for pid in self._solvers if pid not in live]:
            del self._solvers[pid]  # a person who left starts afresh if they come back
        fingers = bool(frame.hands_tracked or frame.hands)
        out = []
        for k in range(len(self._socks)):
            rig = None
            if k < len(poses):
                pose = poses[k]
                solver = self._solvers.setdefault(int(pose.id), RigSolver())
                rig = solver.update(pose, float(frame.t), image_size=(int(frame.size[0]), int(frame.size[1])))
            out.append(bundles(self._encoder.messages(rig, float(frame.t), fingers=fingers)))
        return out

    def send(self, frame: PoseFrame) -> None:
        """Send one frame; a missing or unreachable receiver never raises."""
        for sock, errors, grams in zip(self._socks, self._errors, self.datagrams(frame)):
            try:
                for g in grams:
                    sock.send(g)
            except OSError as exc:  # refused (nobody listens), full buffer, network down
                errors.failed(exc)
                continue
            errors.ok()
        self.sent += 1

    @property
    def local_address(self) -> tuple[str, int]:
        """The address the first socket is bound to (a loopback address for a local receiver)."""
        return self._socks[0].getsockname()[:2]

    def close(self) -> None:
        for s in self._socks:
            s.close()

    def __enter__(self) -> VmcSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "DEFAULT_VMC_PORT",
    "MAX_DATAGRAM",
    "UNITY_NAMES",
    "VmcEncoder",
    "VmcSender",
    "bundles",
    "to_unity_position",
    "to_unity_rotation",
]
