"""BVH motion capture files from the rig solver: one file per tracked person.

BVH (Biovision Hierarchy) is what Blender, MotionBuilder, Maya, Unity and Unreal import
as motion capture. The file holds a joint hierarchy with rest offsets, then one line of
channel values per frame. arpose writes:

- **names and hierarchy**: the MotionBuilder / Mixamo humanoid names (``Hips``, ``Spine``,
  ``Spine1``, ``Neck``, ``Head``, ``LeftShoulder``, ``LeftArm``, ``LeftForeArm``,
  ``LeftHand``, ``LeftUpLeg``, ``LeftLeg``, ``LeftFoot``, and with hands
  ``LeftHandThumb1..3``, ``LeftHandIndex1..3`` ... ``LeftHandPinky1..3``; see
  :data:`BVH_NAMES`), the hierarchy of :data:`arpose.rig.PARENT`;
- **axes and units**: rig space (right-handed, +Y up, the person faces +Z, their left hand
  at +X), the usual BVH convention, in **centimetres**; the rest pose is the rig's T-pose;
- **offsets**: the person's own bone lengths (each bone's median over the clip:
  :meth:`arpose.rig.RigSolver.median_skeleton`); leaves end in an ``End Site`` one bone length along the bone;
- **channels**: ``Xposition Yposition Zposition Zrotation Xrotation Yrotation`` on the hips
  (root motion: the solver's root estimate), ``Zrotation Xrotation Yrotation`` (degrees)
  on every other joint: each joint's rotation relative to its parent (a bone frame at rest
  is aligned with the axes): the solver's local rotations, **refitted onto the file's one
  skeleton** (:func:`arpose.rig.fit.fit_clip`: the spine and limbs aimed at the landmarks
  from where the fixed skeleton puts their joints, the solver's twists kept), since the
  solver solves each frame on that frame's own lengths and the error of fixed lengths
  would otherwise add up down each chain;
- **frame time**: from the source's timestamps (the median step, so a video's own rate).

A person's file spans the frames from their first to their last appearance; a frame
where they are missing in between repeats their last pose. People seen in fewer than
:data:`MIN_FRAMES` frames (a passer-by, a false detection) get no file (logged).
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import ExportError
from .pose import VIS, Pose, PoseFrame
from .rig import BONES, PARENT, RigPose, RigSolver, Skeleton, quat
from .rig.fit import fit_clip

log = logging.getLogger(__name__)

MIN_FRAMES = 10
"""People seen in fewer frames than this get no BVH file."""
UNITS_PER_METRE = 100.0
"""BVH files are written in centimetres (MotionBuilder's and Mixamo's unit)."""

_SEGMENT_NUMBER = {"Metacarpal": 1, "Proximal": 1, "Intermediate": 2, "Distal": 3}
_THUMB_NUMBER = {"Metacarpal": 1, "Proximal": 2, "Distal": 3}


def _bvh_name(bone: str) -> str:
    body = {
        "hips": "Hips",
        "spine": "Spine",
        "chest": "Spine1",
        "neck": "Neck",
        "head": "Head",
    }
    if bone in body:
        return body[bone]
    side = "Left" if bone.startswith("left") else "Right"
    part = bone[4:] if side == "Left" else bone[5:]
    limbs = {
        "Shoulder": "Shoulder",
        "UpperArm": "Arm",
        "LowerArm": "ForeArm",
        "Hand": "Hand",
        "UpperLeg": "UpLeg",
        "LowerLeg": "Leg",
        "Foot": "Foot",
    }
    if part in limbs:
        return side + limbs[part]
    for finger, bvh_finger in (
        ("Thumb", "Thumb"),
        ("Index", "Index"),
        ("Middle", "Middle"),
        ("Ring", "Ring"),
        ("Little", "Pinky"),
    ):
        if part.startswith(finger):
            seg = part[len(finger) :]
            number = (_THUMB_NUMBER if finger == "Thumb" else _SEGMENT_NUMBER)[seg]
            return f"{side}Hand{bvh_finger}{number}"
    raise ValueError(f"no BVH name for bone {bone!r}")


BVH_NAMES: dict[str, str] = {b: _bvh_name(b) for b in BONES}
"""arpose rig bone (VRM 1.0 name) -> BVH joint name (MotionBuilder / Mixamo style)."""

_FINGERS = ("Thumb", "Index", "Middle", "Ring", "Little")
BODY_BONES: tuple[str, ...] = tuple(b for b in BONES if not any(f in b for f in _FINGERS))
"""The bones written without ``hands``: everything but the fingers."""

_SQ = 1.0 / np.sqrt(2.0)


def rest_direction(bone: str) -> np.ndarray:
    """A bone's rest direction (head to tail) in rig space (``docs/developer/rig.md``)."""
    if bone in ("hips", "spine", "chest", "neck", "head"):
        return np.array([0.0, 1.0, 0.0])
    sx = 1.0 if bone.startswith("left") else -1.0
    if bone.endswith(("UpperLeg", "LowerLeg")):
        return np.array([0.0, -1.0, 0.0])
    if bone.endswith("Foot"):
        return np.array([0.0, 0.0, 1.0])
    if "Thumb" in bone:
        return np.array([sx * _SQ, 0.0, _SQ])
    return np.array([sx, 0.0, 0.0])


# ----------------------------------------------------------------------------- rotations


def euler_zxy(q: np.ndarray) -> np.ndarray:
    """``(..., 4)`` quaternions -> ``(..., 3)`` degrees ``(z, x, y)`` such that the rotation is
    ``Rz(z) @ Rx(x) @ Ry(y)``: the meaning of BVH channels ``Zrotation Xrotation Yrotation``."""
    return euler_zxy_from_matrix(quat.to_matrix(quat.normalize(np.asarray(q, np.float64))))


def euler_zxy_from_matrix(m: np.ndarray) -> np.ndarray:
    """``(..., 3, 3)`` rotation matrices -> ``(..., 3)`` degrees ``(z, x, y)`` (see
    :func:`euler_zxy`)."""
    x = np.arcsin(np.clip(m[..., 2, 1], -1.0, 1.0))
    z = np.arctan2(-m[..., 0, 1], m[..., 1, 1])
    y = np.arctan2(-m[..., 2, 0], m[..., 2, 2])
    # gimbal lock (x = +-90 deg): z and y turn about the same axis; put it all in z
    lock = np.abs(m[..., 2, 1]) > 1.0 - 1e-9
    if np.any(lock):
        z = np.where(lock, np.arctan2(m[..., 1, 0], m[..., 0, 0]), z)
        y = np.where(lock, 0.0, y)
    return np.degrees(np.stack([z, x, y], axis=-1))


def matrix_from_euler_zxy(deg: np.ndarray) -> np.ndarray:
    """The inverse of :func:`euler_zxy`: ``(..., 3)`` degrees (z, x, y) -> ``(..., 3, 3)``."""
    z, x, y = (np.radians(np.asarray(deg, np.float64)[..., k]) for k in range(3))
    cz, sz, cx, sx, cy, sy = np.cos(z), np.sin(z), np.cos(x), np.sin(x), np.cos(y), np.sin(y)
    one, zero = np.ones_like(z), np.zeros_like(z)
    rz = np.stack([cz, -sz, zero, sz, cz, zero, zero, zero, one], -1).reshape(z.shape + (3, 3))
    rx = np.stack([one, zero, zero, zero, cx, -sx, zero, sx, cx], -1).reshape(z.shape + (3, 3))
    ry = np.stack([cy, zero, sy, zero, one, zero, -sy, zero, cy], -1).reshape(z.shape + (3, 3))
    return rz @ rx @ ry


# ----------------------------------------------------------------------------- the file


def _children(bones: Sequence[str]) -> dict[str, list[str]]:
    chosen = set(bones)
    children: dict[str, list[str]] = {b: [] for b in bones}
    for b in bones:
        parent = PARENT[b]
        if parent is not None and parent in chosen:
            children[parent].append(b)
    return children


def file_order(bones: Sequence[str]) -> list[str]:
    """``bones`` in the order a BVH file lists them (depth first from the root), which is
    also the order of the channels in each motion line."""
    children = _children(bones)
    out: list[str] = []
    stack = [bones[0]]
    while stack:
        b = stack.pop()
        out.append(b)
        stack.extend(reversed(children[b]))
    return out


def hierarchy_text(skeleton: Skeleton, bones: Sequence[str]) -> str:
    """The ``HIERARCHY`` section for ``bones`` (parents before children), offsets from the
    skeleton in centimetres."""
    children = _children(bones)
    index = {b: i for i, b in enumerate(BONES)}
    out = io.StringIO()
    out.write("HIERARCHY\n")

    def vec(v: np.ndarray) -> str:
        return " ".join(f"{float(c) * UNITS_PER_METRE:.4f}" for c in v)

    def joint(b: str, depth: int) -> None:
        pad = "\t" * depth
        if depth == 0:
            out.write(f"ROOT {BVH_NAMES[b]}\n{pad}{{\n")
            out.write(f"{pad}\tOFFSET 0.0000 0.0000 0.0000\n")
            out.write(f"{pad}\tCHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n")
        else:
            out.write(f"{pad}JOINT {BVH_NAMES[b]}\n{pad}{{\n")
            out.write(f"{pad}\tOFFSET {vec(skeleton.offsets[index[b]])}\n")
            out.write(f"{pad}\tCHANNELS 3 Zrotation Xrotation Yrotation\n")
        if children[b]:
            for c in children[b]:
                joint(c, depth + 1)
        else:
            tail = rest_direction(b) * float(skeleton.lengths[index[b]])
            out.write(f"{pad}\tEnd Site\n{pad}\t{{\n{pad}\t\tOFFSET {vec(tail)}\n{pad}\t}}\n")
        out.write(f"{pad}}}\n")

    joint(bones[0], 0)
    return out.getvalue()


def motion_rows(poses: Sequence[RigPose], bones: Sequence[str]) -> np.ndarray:
    """``(frames, 3 + 3 * len(bones))`` channel values: root position (cm), then each
    bone's Z, X, Y rotation in degrees, in :func:`file_order`."""
    index = np.array([BONES.index(b) for b in file_order(bones)])
    rot = np.stack([p.rotations[index] for p in poses])  # (F, B, 4)
    root = np.stack([p.root for p in poses]).astype(np.float64) * UNITS_PER_METRE
    # continuous over time (no jump from +179 to -179 degrees for tools that interpolate)
    angles = np.degrees(np.unwrap(np.radians(euler_zxy(rot)), axis=0)).reshape(len(poses), -1)
    return np.concatenate([root, angles], axis=1)


def clip_skeleton(poses: Sequence[RigPose]) -> Skeleton:
    """One skeleton for a whole clip: the median of each bone's length and rest offset over
    the frames (a BVH file has one skeleton; MediaPipe's per-frame lengths wander, and a
    median ignores the frames where a limb was guessed)."""
    seen = list({id(p): p for p in poses}.values())  # a pose repeated over a gap counts once
    lengths = np.median(np.stack([p.skeleton.lengths for p in seen]), axis=0)
    offsets = np.median(np.stack([p.skeleton.offsets for p in seen]), axis=0)
    last = poses[-1].skeleton
    return dataclasses.replace(
        last, lengths=lengths.astype(last.lengths.dtype), offsets=offsets.astype(last.offsets.dtype)
    )


def write_bvh(
    path: str | os.PathLike,
    poses: Sequence[RigPose],
    frame_time: float,
    *,
    hands: bool = False,
    skeleton: Skeleton | None = None,
) -> Path:
    """Write one person's poses as a BVH file, atomically (a temporary name, then renamed).

    Args:
        skeleton: the bone lengths for the offsets (default: :func:`clip_skeleton`).
    """
    if not poses:
        raise ExportError(f"{path}: no frames to write")
    p = Path(path)
    bones = BONES if hands else BODY_BONES
    skel = skeleton if skeleton is not None else clip_skeleton(poses)
    rows = motion_rows(poses, bones)
    tmp = p.with_name(f".{p.name}.partial")
    with open(tmp, "w", newline="\n") as f:
        f.write(hierarchy_text(skel, bones))
        f.write(f"MOTION\nFrames: {len(poses)}\nFrame Time: {frame_time:.6f}\n")
        np.savetxt(f, rows, fmt="%.4f", delimiter=" ")
    os.replace(tmp, p)
    return p


@dataclass
class _Track:
    """One person's solved poses and landmarks, one entry per frame they are seen in."""

    solver: RigSolver
    first_frame: int
    frames: list[int] = field(default_factory=list)  # the export's frame index of each
    poses: list[RigPose] = field(default_factory=list)
    world: list[np.ndarray] = field(default_factory=list)
    visibility: list[np.ndarray] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return len(self.poses)

    def clip(self, fit: bool) -> tuple[list[RigPose], Skeleton]:
        """The file's poses, first to last appearance (a frame the person missed repeats
        their last pose), and its one skeleton: the median skeleton, with the rotations
        refitted onto it (:func:`arpose.rig.fit.fit_clip`) when ``fit``."""
        skeleton = self.solver.median_skeleton()
        poses = self.poses
        if fit:
            poses, skeleton = fit_clip(poses, np.stack(self.world), np.stack(self.visibility), skeleton)
        rows = (
            np.searchsorted(self.frames, np.arange(self.first_frame, self.frames[-1] + 1), side="right") - 1
        )
        return [poses[r] for r in rows], skeleton


def has_world(pose: Pose) -> bool:
    """False for a pose whose world landmarks are missing (all zeros: a recording made from
    2D keypoints)."""
    return bool(np.any(pose.world != 0.0))


class BvhWriter:
    """Receives an export's frames, solves each person's rig, and writes one BVH per person
    on :meth:`commit` (the export writers' protocol: ``write``, ``commit``, ``abort``).

    Args:
        path: the output. With ``person`` given, that person's file; otherwise each person
            ``ID`` goes to ``STEM_personID.bvh`` beside it.
        person: write only this person id.
        hands: include the 15 finger joints of each hand.
        source: the input's name, for error messages.
        fit: refit each person's solved rotations onto the file's one skeleton, aiming the
            limbs at the landmarks from where that skeleton puts their joints
            (:func:`arpose.rig.fit.fit_clip`); False writes the solver's rotations as solved
            on each frame's own lengths.
    """

    def __init__(
        self,
        path: Path,
        *,
        person: int | None = None,
        hands: bool = False,
        source: str | None = None,
        fit: bool = True,
    ):
        self.path = path
        self.person = person
        self.hands = hands
        self.fit = fit
        self.source = source or str(path)
        self.files: list[Path] = []
        self._tracks: dict[int, _Track] = {}
        self._times: list[float] = []
        self._written: list[Path] = []
        self._ids: set[int] = set()

    def output_for(self, person: int) -> Path:
        """Where person ``person``'s BVH goes."""
        if self.person is not None:
            return self.path
        return self.path.with_name(f"{self.path.stem}_person{person}{self.path.suffix or '.bvh'}")

    def write(self, frame: PoseFrame) -> None:
        n = len(self._times)
        self._times.append(float(frame.t))
        for pose in frame.poses:
            pid = int(pose.id)
            self._ids.add(pid)
            if self.person is not None and pid != self.person:
                continue
            if not has_world(pose):
                raise ExportError(
                    f"{self.source}: frame {frame.index}, person {pid} has no world landmarks "
                    f"(3D, metres); BVH needs them: export from the video, or from a recording "
                    f"made by arpose record"
                )
            track = self._tracks.get(pid)
            if track is None:
                track = self._tracks[pid] = _Track(RigSolver(), n)
            rig = track.solver.update(
                pose, float(frame.t), image_size=(int(frame.size[0]), int(frame.size[1]))
            )
            track.frames.append(n)
            track.poses.append(rig)
            if track.solver.held_turn_over and track.world:
                # the solver did not believe this frame (the body turned over in an instant:
                # MediaPipe reading a close-up upside down): the fit aims at the last believed
                # landmarks too, so the file holds the pose instead of flipping for a moment
                track.world.append(track.world[-1])
                track.visibility.append(track.visibility[-1])
            else:
                track.world.append(np.array(pose.world))
                track.visibility.append(np.array(pose.landmarks[:, VIS]))

    def frame_time(self) -> float:
        """The source's frame period: the median step between frames (1/30 without two)."""
        if len(self._times) < 2:
            return 1.0 / 30.0
        steps = np.diff(np.asarray(self._times, np.float64))
        steps = steps[steps > 0]
        return float(np.median(steps)) if steps.size else 1.0 / 30.0

    def commit(self) -> None:
        if self.person is not None and self.person not in self._tracks:
            seen = ", ".join(str(i) for i in sorted(self._ids)) or "nobody"
            raise ExportError(f"{self.source}: person {self.person} is never tracked (tracked: {seen})")
        frame_time = self.frame_time()
        for pid, track in sorted(self._tracks.items()):
            if track.seen < MIN_FRAMES and self.person is None:
                log.warning(
                    "%s: person %d is seen in %d frame(s) only; no BVH written for them",
                    self.source,
                    pid,
                    track.seen,
                )
                continue
            out = self.output_for(pid)
            self._written.append(out)
            poses, skeleton = track.clip(self.fit)
            write_bvh(out, poses, frame_time, hands=self.hands, skeleton=skeleton)
        self.files = list(self._written)
        if not self.files:
            log.warning("%s: nobody tracked long enough for a BVH file", self.source)

    def abort(self) -> None:
        for out in self._written:
            out.with_name(f".{out.name}.partial").unlink(missing_ok=True)


# ----------------------------------------------------------------------------- reading


@dataclass
class BvhFile:
    """A parsed BVH file (enough of the format to check arpose's own files)."""

    names: list[str]
    parents: list[int]
    offsets: np.ndarray  # (J, 3)
    channels: list[list[str]]
    frame_time: float
    motion: np.ndarray  # (F, total channels)

    def positions(self) -> np.ndarray:
        """``(F, J, 3)`` joint positions by forward kinematics (file units)."""
        n_frames = self.motion.shape[0]
        glob_r = np.zeros((n_frames, len(self.names), 3, 3))
        glob_p = np.zeros((n_frames, len(self.names), 3))
        col = 0
        for j, chans in enumerate(self.channels):
            vals = self.motion[:, col : col + len(chans)]
            col += len(chans)
            local_p = np.broadcast_to(self.offsets[j], (n_frames, 3)).copy()
            rot = np.broadcast_to(np.eye(3), (n_frames, 3, 3)).copy()
            for k, c in enumerate(chans):
                axis = "XYZ".index(c[0])
                if c.endswith("position"):
                    local_p[:, axis] += vals[:, k]
                else:
                    a = np.radians(vals[:, k])
                    ca, sa = np.cos(a), np.sin(a)
                    m = np.broadcast_to(np.eye(3), (n_frames, 3, 3)).copy()
                    i1, i2 = [i for i in range(3) if i != axis]
                    m[:, i1, i1], m[:, i2, i2] = ca, ca
                    m[:, i1, i2], m[:, i2, i1] = -sa, sa
                    if axis == 1:  # Ry's sine signs are the other way round
                        m[:, i1, i2], m[:, i2, i1] = sa, -sa
                    rot = rot @ m
            parent = self.parents[j]
            if parent < 0:
                glob_r[:, j], glob_p[:, j] = rot, local_p
            else:
                glob_r[:, j] = glob_r[:, parent] @ rot
                glob_p[:, j] = glob_p[:, parent] + np.einsum("fij,fj->fi", glob_r[:, parent], local_p)
        return glob_p


def read_bvh(path: str | os.PathLike) -> BvhFile:
    """Parse a BVH file.

    Raises:
        ExportError: not a BVH file this reader understands.
    """
    p = Path(path)
    try:
        tokens = p.read_text().split()
        names: list[str] = []
        parents: list[int] = []
        offsets: list[list[float]] = []
        channels: list[list[str]] = []
        stack: list[int] = []
        i = tokens.index("HIERARCHY") + 1
        last = -1
        while tokens[i] != "MOTION":
            t = tokens[i]
            if t in ("ROOT", "JOINT"):
                names.append(tokens[i + 1])
                parents.append(stack[-1] if stack else -1)
                last = len(names) - 1
                i += 2
            elif t == "End":
                last = -2  # an end site: its braces and offset are skipped
                i += 2
            elif t == "{":
                stack.append(last)
                i += 1
            elif t == "}":
                stack.pop()
                i += 1
            elif t == "OFFSET":
                if stack and stack[-1] >= 0:
                    offsets.append([float(v) for v in tokens[i + 1 : i + 4]])
                i += 4
            elif t == "CHANNELS":
                n = int(tokens[i + 1])
                channels.append(tokens[i + 2 : i + 2 + n])
                i += 2 + n
            else:
                raise ValueError(f"unexpected {t!r}")
        n_frames = int(tokens[i + 2])
        frame_time = float(tokens[i + 5])
        values = np.asarray(tokens[i + 6 :], np.float64)
        motion = values.reshape(n_frames, -1)
    except (OSError, ValueError, IndexError) as exc:
        raise ExportError(f"{p}: not a BVH file arpose can read ({exc})") from None
    return BvhFile(names, parents, np.asarray(offsets), channels, frame_time, motion)


__all__ = [
    "BVH_NAMES",
    "BODY_BONES",
    "MIN_FRAMES",
    "UNITS_PER_METRE",
    "BvhWriter",
    "BvhFile",
    "euler_zxy",
    "euler_zxy_from_matrix",
    "matrix_from_euler_zxy",
    "hierarchy_text",
    "file_order",
    "motion_rows",
    "write_bvh",
    "clip_skeleton",
    "read_bvh",
    "has_world",
    "rest_direction",
]
