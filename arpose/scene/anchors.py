"""Anchors: the only scene nodes that read landmarks.

A :class:`JointAnchor` rewrites its transform every frame from one person's pose:

- position: the joint's pixel, unprojected at the joint's depth (``f + z``), so it
  projects back exactly onto the landmark;
- units: children see one unit = one body measure (``scale_by``, e.g. head width), so
  content fits a child and an adult, near and far;
- rotation: from a joint pair (ear to ear for the head roll, shoulder line for the torso)
  and, with ``tilt_3d``, yaw and pitch from the landmarks' z;
- fading: when the joint's visibility drops below ``min_visibility`` (or the person
  leaves) the anchor fades out over ``fade_time`` seconds of timeline time and back in
  when the joint returns; the last good transform is held meanwhile;
- extrapolation: between inference results (rendering faster than the model) the
  position moves on with the velocity measured between the last two PoseFrames, bounded
  by ``max_extrapolation`` seconds and ``max_speed`` measures per second.

:class:`PixelAnchor` places content at a fixed source pixel (or, in the ``hud`` layer, an
output pixel). :class:`BodyQuad` warps a texture onto four joints (a shirt on both
shoulders and both hips).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence

import numpy as np

from ..joints import HEAD_JOINTS, JOINT_INDEX, TORSO_JOINTS, resolve_joint
from ..pose import MEASURES, Pose, PoseFrame
from .node import Drawable, FrameContext, Node, project_bounds
from .projection import Projection
from .sprite import TextureData, load_texture

log = logging.getLogger(__name__)

HEAD_PAIR = ("right_ear", "left_ear")
SHOULDER_PAIR = ("right_shoulder", "left_shoulder")
HEAD_DOWN = ("mid_eye", "mouth")
TORSO_DOWN = ("mid_shoulder", "mid_hip")


BODY_DEPTH_MARGIN = 0.25
"""The body plane for occlusion lies this many shoulder widths behind the torso joints
(landmarks are joint centres inside the body; the back is further away)."""
_TORSO_IDX = np.array([JOINT_INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")])


def body_plane_z(pose: Pose, min_visibility: float = 0.5, shoulder_width: float | None = None) -> float:
    """Landmark z (pixel units) of the plane behind which content is hidden by this
    person's mask: the mean z of the visible torso joints (shoulders if the hips are not
    visible) plus :data:`BODY_DEPTH_MARGIN` shoulder widths."""
    j = pose.all_joints[_TORSO_IDX]
    ok = j[:, 3] >= min_visibility
    if not ok.any():
        ok[:2] = True
    z = float(j[ok, 2].mean())
    if shoulder_width is None:
        shoulder_width = pose.measure("shoulder_width")
    return z + BODY_DEPTH_MARGIN * shoulder_width


def _check_measure(name: str | None, what: str) -> str | None:
    if name is None:
        return None
    if name not in MEASURES:
        raise ValueError(f"unknown body measure {name!r} for {what}; expected one of {', '.join(MEASURES)}")
    return name


def _pair(pair: Sequence[str] | None, what: str) -> tuple[int, int] | None:
    if pair is None:
        return None
    if isinstance(pair, str) or len(pair) != 2:
        raise ValueError(f"{what} must be a pair of joint names, got {pair!r}")
    return JOINT_INDEX[resolve_joint(pair[0])], JOINT_INDEX[resolve_joint(pair[1])]


def _unit(v: np.ndarray) -> np.ndarray | None:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-6 else None


def basis_from_pair(x_dir: np.ndarray, down_dir: np.ndarray | None) -> np.ndarray:
    """3x3 rotation (columns = local x, y, z axes) with x along ``x_dir`` and y as close
    to ``down_dir`` as possible (in-plane perpendicular of x when None). Pure function,
    pixel units; plain float math because it runs for every anchor every frame."""
    x0, x1, x2 = (float(v) for v in x_dir)
    n = math.sqrt(x0 * x0 + x1 * x1 + x2 * x2)
    if n < 1e-6:
        return np.eye(3)
    x0, x1, x2 = x0 / n, x1 / n, x2 / n
    if down_dir is None:
        h0, h1, h2 = (-x1, x0, 0.0) if abs(x2) < 0.999 else (0.0, 1.0, 0.0)
    else:
        h0, h1, h2 = (float(v) for v in down_dir)
    d = h0 * x0 + h1 * x1 + h2 * x2
    y0, y1, y2 = h0 - d * x0, h1 - d * x1, h2 - d * x2
    n = math.sqrt(y0 * y0 + y1 * y1 + y2 * y2)
    if n < 1e-6:
        y0, y1, y2 = -x1, x0, 0.0
        n = math.sqrt(y0 * y0 + y1 * y1) or 1.0
    y0, y1, y2 = y0 / n, y1 / n, y2 / n
    z0, z1, z2 = x1 * y2 - x2 * y1, x2 * y0 - x0 * y2, x0 * y1 - x1 * y0
    return np.array([[x0, y0, z0], [x1, y1, z1], [x2, y2, z2]])


def pose_measures(pose: Pose, cache: dict | None = None) -> dict[str, float]:
    """All body measures of ``pose`` plus ``"body_z"`` (see :func:`body_plane_z`),
    computed once per pose per render when ``cache`` (``FrameContext.cache``) is given."""
    key = ("measures", id(pose))
    if cache is not None and key in cache and cache[key][0] is pose:
        return cache[key][1]
    values = dict(pose.measures)
    values["body_z"] = body_plane_z(pose, shoulder_width=values["shoulder_width"])
    if cache is not None:
        cache[key] = (pose, values)
    return values


class PersonSelector:
    """Which person an anchor follows: a person id (stable across frames), else a slot
    (index into ``frame.poses``, which is ordered by id)."""

    def __init__(self, person: int | None = None, slot: int = 0):
        if slot < 0:
            raise ValueError(f"slot must be >= 0, got {slot}")
        self.person = person
        self.slot = int(slot)

    def select(self, frame: PoseFrame | None) -> Pose | None:
        if frame is None:
            return None
        if self.person is not None:
            return frame.person(self.person)
        return frame.poses[self.slot] if self.slot < len(frame.poses) else None


class Fader:
    """Opacity that moves towards 0 or 1 at a fixed rate in timeline seconds."""

    def __init__(self, fade_time: float = 0.2):
        if fade_time < 0:
            raise ValueError(f"fade_time must be >= 0, got {fade_time}")
        self.fade_time = float(fade_time)
        self.alpha = 0.0
        self.target = 0.0
        self._started = False

    def step(self, target: float, dt: float) -> float:
        self.target = target
        if not self._started:  # appear at once the first time there is something to show
            self._started = target > 0
            self.alpha = target
            return self.alpha
        if self.fade_time <= 0:
            self.alpha = target
        else:
            delta = dt / self.fade_time
            if self.alpha < target:
                self.alpha = min(target, self.alpha + delta)
            else:
                self.alpha = max(target, self.alpha - delta)
        return self.alpha


def extrapolate(p: np.ndarray, v: np.ndarray, since: float, max_extrapolation: float) -> np.ndarray:
    """Where an anchor draws a joint ``since`` seconds after its last PoseFrame: moved on
    with velocity ``v`` for at most ``max_extrapolation`` seconds (``arpose bench``'s live
    section checks this against the next real result)."""
    return p + v * min(max(since, 0.0), max_extrapolation)


class JointAnchor(Node):
    """A node that follows a named joint of one person (see the module docstring).

    Args:
        joint: any joint name, virtual joint or alias (validated now:
            :class:`~arpose.errors.UnknownJointError` with suggestions).
        person: follow this person id; otherwise ``slot`` (0 = first person).
        scale_by: body measure that defines one unit for children (``head_width``,
            ``shoulder_width``, ``hip_width``, ``eye_distance``, ``torso_height``,
            ``body_size``), or None for one unit = one source pixel.
        scale: extra factor on that unit.
        offset: (dx, dy, dz) in units of ``offset_by`` (default: ``scale_by``), along the
            anchor's rotated axes (x = towards the user's left in the image, y = down,
            z = away from the camera).
        rotate_by: joint pair whose direction is the local x axis; ``"auto"`` picks ear
            to ear for head joints, shoulder to shoulder for torso joints, none otherwise.
        tilt_3d: add yaw/pitch from the landmarks' z (else only the in-image roll).
        down_by: joint pair for the local y axis when ``tilt_3d`` (auto: eyes->mouth on
            the head, shoulders->hips on the torso).
        use_depth: place the anchor at the joint's depth (else on the hip plane).
        min_visibility: below this the anchor fades out.
        fade_time: seconds for a full fade.
        max_extrapolation: seconds of extrapolation past the last PoseFrame.
        max_speed: velocity cap for extrapolation, in measures per second.
    """

    def __init__(
        self,
        joint: str,
        *,
        person: int | None = None,
        slot: int = 0,
        scale_by: str | None = "shoulder_width",
        scale: float = 1.0,
        offset: Sequence[float] = (0.0, 0.0, 0.0),
        offset_by: str | None = None,
        rotate_by: Sequence[str] | str | None = "auto",
        tilt_3d: bool = False,
        down_by: Sequence[str] | str | None = "auto",
        use_depth: bool = True,
        min_visibility: float = 0.5,
        fade_time: float = 0.2,
        max_extrapolation: float = 0.1,
        max_speed: float = 10.0,
        name: str = "",
        **kw,
    ):
        self.joint = resolve_joint(joint)
        super().__init__(name or f"JointAnchor({self.joint})", **kw)
        self._index = JOINT_INDEX[self.joint]
        self.selector = PersonSelector(person, slot)
        self.scale_by = _check_measure(scale_by, f"anchor {self.name}")
        self.offset_by = _check_measure(offset_by, f"anchor {self.name}") or self.scale_by
        if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
            raise ValueError(f"scale of anchor {self.name} must be a positive number, got {scale!r}")
        self.anchor_scale = float(scale)
        off = np.asarray(offset, np.float64).reshape(-1)
        if off.shape == (2,):
            off = np.append(off, 0.0)
        if off.shape != (3,) or not np.isfinite(off).all():
            raise ValueError(f"offset of anchor {self.name} must be 2 or 3 numbers, got {offset!r}")
        self.offset = off
        if rotate_by == "auto":
            rotate_by = (
                HEAD_PAIR
                if self.joint in HEAD_JOINTS
                else SHOULDER_PAIR
                if self.joint in TORSO_JOINTS
                else None
            )
        if down_by == "auto":
            down_by = (
                HEAD_DOWN if self.joint in HEAD_JOINTS else TORSO_DOWN if self.joint in TORSO_JOINTS else None
            )
        self._rot_pair = _pair(rotate_by, f"rotate_by of anchor {self.name}")
        self._down_pair = _pair(down_by, f"down_by of anchor {self.name}")
        self.tilt_3d = bool(tilt_3d)
        self.use_depth = bool(use_depth)
        if not 0.0 <= min_visibility <= 1.0:
            raise ValueError(f"min_visibility must be in [0, 1], got {min_visibility}")
        self.min_visibility = float(min_visibility)
        self.fader = Fader(fade_time)
        self.max_extrapolation = max(0.0, float(max_extrapolation))
        self.max_speed = max(0.0, float(max_speed))
        self.base_opacity = self.opacity
        # last good state
        self._p: np.ndarray | None = None  # pixel x, y, z
        self._t: float | None = None
        self._v = np.zeros(3)
        self._rot = np.eye(3)
        self._unit_px = 1.0
        self._offset_px = 1.0
        self.tracked = False
        """True when the joint was visible in the newest PoseFrame."""
        self.body_z: float | None = None
        """Landmark z of this person's body plane (occlusion), from the last sample."""
        self.body_depth: float | None = None
        """That plane's world depth, measured in this anchor's local scale so that a z
        offset of N body units behind a joint compares correctly with it."""

    @property
    def person(self) -> int | None:
        return self.selector.person

    @person.setter
    def person(self, pid: int | None) -> None:
        self.selector.person = pid

    @property
    def fade(self) -> float:
        """Current fade factor in [0, 1]."""
        return self.fader.alpha

    @staticmethod
    def _measure(measures: dict[str, float], name: str | None, last: float) -> float:
        if name is None:
            return 1.0
        value = measures[name]
        return value if math.isfinite(value) and value >= 1.0 else last

    def _sample(self, frame: PoseFrame, pose: Pose | None, cache: dict | None = None) -> None:
        joints = pose.all_joints if pose is not None else None
        vis = float(joints[self._index, 3]) if joints is not None else 0.0
        self.tracked = joints is not None and vis >= self.min_visibility
        if not self.tracked:
            self._v[:] = 0.0  # a lost joint holds still: it never flies away
            return
        assert joints is not None and pose is not None  # tracked implies both
        p = joints[self._index, :3].astype(np.float64)
        if not self.use_depth:
            p[2] = 0.0
        measures = pose_measures(pose, cache)
        self._unit_px = self._measure(measures, self.scale_by, self._unit_px)
        self._offset_px = self._measure(measures, self.offset_by, self._offset_px)
        if self._p is not None and self._t is not None and 0.0 < frame.t - self._t <= 0.5:
            v = (p - self._p) / (frame.t - self._t)
            cap = self.max_speed * max(self._unit_px, 1.0)
            speed = math.sqrt(float(v @ v))
            self._v = v * (cap / speed) if speed > cap else v
        else:
            self._v = np.zeros(3)
        self._p, self._t = p, frame.t
        self.body_z = measures["body_z"]
        if self._rot_pair is not None:
            a, b = self._rot_pair
            if min(joints[a, 3], joints[b, 3]) >= self.min_visibility * 0.5:
                x_dir = joints[b, :3] - joints[a, :3]
                down = None
                if self.tilt_3d:
                    if self._down_pair is not None:
                        c, d = self._down_pair
                        down = joints[d, :3] - joints[c, :3]
                else:
                    x_dir = np.array([x_dir[0], x_dir[1], 0.0])
                self._rot = basis_from_pair(x_dir, down)

    def update(self, ctx: FrameContext) -> None:
        if ctx.new_frame and ctx.frame is not None:
            self._sample(ctx.frame, self.selector.select(ctx.frame), ctx.cache)
        elif ctx.new_frame:
            self.tracked = False
        alpha = self.fader.step(1.0 if self.tracked else 0.0, ctx.dt)
        self.opacity = self.base_opacity * alpha
        if self._p is None:
            return
        p = self._p
        if self.tracked and self._t is not None:
            p = extrapolate(p, self._v, ctx.now - self._t, self.max_extrapolation)
        self.set_matrix(self.matrix_for(ctx.camera, p))
        if self.body_z is not None:
            pz = float(p[2])
            origin_d = float(ctx.camera.depth(pz))
            self.body_depth = origin_d + (self.body_z - pz) * origin_d / ctx.camera.focal

    def matrix_for(self, camera, p: np.ndarray) -> np.ndarray:
        """World matrix for joint pixel ``p`` (x, y, z) with the current rotation/units:
        T(origin) @ R @ S(k) @ T(offset) @ S(unit), with k = world units per pixel."""
        ox, oy, oz = camera.unproject_point(float(p[0]), float(p[1]), float(p[2]))
        k = oz / camera.focal
        s = self._unit_px * self.anchor_scale
        m = np.empty((4, 4))
        rk = self._rot * k
        m[:3, :3] = rk * s
        m[:3, 3] = rk @ (self.offset * self._offset_px)
        m[0, 3] += ox
        m[1, 3] += oy
        m[2, 3] += oz
        m[3] = (0.0, 0.0, 0.0, 1.0)
        return m


class PixelAnchor(Node):
    """Content at a fixed source pixel ``(x, y)`` and relative depth ``z``; children see
    one unit = ``unit`` pixels. In the ``hud`` layer, x and y are output pixels."""

    def __init__(self, x: float, y: float, z: float = 0.0, *, unit: float = 1.0, name: str = "", **kw):
        super().__init__(name or f"PixelAnchor({x:g},{y:g})", **kw)
        if unit <= 0:
            raise ValueError(f"unit of {self.name} must be positive")
        self.pixel = np.array([x, y, z], np.float64)
        self.unit = float(unit)
        self._camera: Projection | None = None

    def move_to(self, x: float, y: float, z: float | None = None) -> None:
        self.pixel[:2] = (x, y)
        if z is not None:
            self.pixel[2] = z
        self._camera = None

    def update(self, ctx: FrameContext) -> None:
        if ctx.camera is self._camera:
            return
        self._camera = ctx.camera
        origin = ctx.camera.unproject(self.pixel)
        k = origin[2] / ctx.camera.focal * self.unit
        m = np.diag([k, k, k, 1.0])
        m[:3, 3] = origin
        self.set_matrix(m)


class BodyQuad(Drawable):
    """A texture warped onto four joints: a costume shirt on both shoulders and hips.

    The image's corners go to ``corners`` in the order top-left, top-right,
    bottom-right, bottom-left *as the image appears in the unmirrored camera view* (so
    the default puts the image's left edge on the user's right shoulder, which is on the
    image's left for a person facing the camera). The quad is a ``grid`` x ``grid`` mesh
    interpolated bilinearly, each vertex at its own depth, so it bends with the torso.

    Args:
        expand: (left, top, right, bottom) margins as fractions of the quad's width/height
            (a shirt reaches past the shoulder joints and above them).
        depth_bias: moves the quad towards the camera by this many ``shoulder_width``s
            so it sits on the body rather than inside it.
        layer: default ``front`` (on the body, not hidden by the body mask).
    """

    def __init__(
        self,
        texture: TextureData | str | os.PathLike | np.ndarray,
        corners: Sequence[str] = ("right_shoulder", "left_shoulder", "left_hip", "right_hip"),
        *,
        person: int | None = None,
        slot: int = 0,
        expand: Sequence[float] = (0.0, 0.0, 0.0, 0.0),
        depth_bias: float = 0.1,
        min_visibility: float = 0.5,
        fade_time: float = 0.2,
        grid: int = 8,
        use_depth: bool = True,
        name: str = "",
        layer: str | None = "front",
        **kw,
    ):
        self.texture = load_texture(texture)
        super().__init__(name or "BodyQuad", layer=layer, **kw)
        if isinstance(corners, str) or len(corners) != 4:
            raise ValueError(f"{self.name}: corners must be 4 joint names, got {corners!r}")
        self.corners = tuple(resolve_joint(c) for c in corners)
        self._idx = np.array([JOINT_INDEX[c] for c in self.corners])
        ex = np.asarray(expand, np.float64).reshape(-1)
        if ex.shape != (4,) or not np.isfinite(ex).all():
            raise ValueError(f"{self.name}: expand must be 4 numbers (left, top, right, bottom)")
        self.expand = ex
        self.depth_bias = float(depth_bias)
        if not 2 <= int(grid) <= 64:
            raise ValueError(f"{self.name}: grid must be in [2, 64], got {grid}")
        self.grid = int(grid)
        self.use_depth = bool(use_depth)
        self.selector = PersonSelector(person, slot)
        self.min_visibility = float(min_visibility)
        self.fader = Fader(fade_time)
        self.base_opacity = self.opacity
        self._px: np.ndarray | None = None  # (4, 3) corner pixels incl. z
        self.body_z: float | None = None
        self.body_depth: float | None = None
        self.tracked = False
        self.vertices: np.ndarray | None = None
        """(grid*grid, 12) float32 world-space vertices (renderer layout), or None."""
        self.version = 0
        n = self.grid
        g = np.arange(n - 1)
        a = (g[:, None] * n + g[None, :]).reshape(-1)
        self.indices = np.concatenate(
            [np.stack([a, a + 1, a + n], 1), np.stack([a + 1, a + n + 1, a + n], 1)]
        ).astype(np.uint32)
        u = np.linspace(0.0, 1.0, n)
        self._uv = np.stack(np.meshgrid(u, u), -1).reshape(-1, 2)  # (u, v) row-major in v

    def update(self, ctx: FrameContext) -> None:
        if ctx.new_frame:
            pose = self.selector.select(ctx.frame)
            self.tracked = False
            if pose is not None:
                j = pose.all_joints[self._idx]
                if float(j[:, 3].min()) >= self.min_visibility:
                    self.tracked = True
                    px = j[:, :3].astype(np.float64)
                    if not self.use_depth:
                        px[:, 2] = 0.0
                    measures = pose_measures(pose, ctx.cache)
                    px[:, 2] -= self.depth_bias * measures["shoulder_width"]
                    self._px = px
                    self.body_z = measures["body_z"]
        self.opacity = self.base_opacity * self.fader.step(1.0 if self.tracked else 0.0, ctx.dt)
        if self._px is None or not (ctx.new_frame or self.vertices is None):
            return
        tl, tr, br, bl = self._px
        el, et, er, eb = self.expand
        u = self._uv[:, 0:1] * (1 + el + er) - el
        v = self._uv[:, 1:2] * (1 + et + eb) - et
        pts = (1 - v) * ((1 - u) * tl + u * tr) + v * ((1 - u) * bl + u * br)
        world = ctx.camera.unproject(pts)
        if self.body_z is not None:
            self.body_depth = float(ctx.camera.depth(self.body_z))
        out = np.empty((len(pts), 12), np.float32)
        out[:, 0:3] = world
        out[:, 3:6] = (0.0, 0.0, -1.0)
        out[:, 6:8] = self._uv
        out[:, 8:12] = 1.0
        self.vertices = out
        self.version += 1

    def pixel_bounds(self, camera: Projection) -> np.ndarray | None:
        if self.vertices is None:
            return np.zeros((0, 2))
        return project_bounds(np.asarray(self.vertices[:, :3], float), camera)
