"""Scene graph nodes: local transforms, cached world transforms, visibility and fading.

A :class:`Node` holds a local transform (position, rotation quaternion ``(x, y, z, w)``
as used by ``pyrr.Quaternion``, scale), an opacity and a ``visible`` flag, and its
children. :meth:`Scene.update` runs once per rendered frame: first every node's
:meth:`Node.update` hook (anchors rewrite their transform from the body there), then one
explicit top-down pass that recomputes world matrices only below nodes whose transform
changed (a "changed" flag per node, so idle subtrees cost nothing).

Draw state is separate from transforms: ``layer`` (one of :data:`LAYERS`, inherited from
the parent when None) and ``order`` (lower first within a layer) decide when a node is
drawn, never where.

World space is the camera space of :mod:`arpose.scene.projection` (x right, y down, z away
from the camera, units of source pixels at the hip plane). Place content with
:class:`~arpose.scene.anchors.JointAnchor` or :class:`~arpose.scene.anchors.PixelAnchor`
rather than raw world coordinates.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..pose import PoseFrame
from .projection import DEFAULT_FOV_Y, Projection

log = logging.getLogger(__name__)

LAYERS: tuple[str, ...] = ("background", "behind_body", "body", "front", "hud")
"""Draw layers in drawing order.

- ``background``: right after the camera image, no depth test, hidden where the body is
  (a virtual backdrop);
- ``behind_body``: depth-tested, always hidden where the body is (wings, capes);
- ``body``: depth-tested, hidden where the body is only when it is behind the body plane
  (the default);
- ``front``: depth-tested, never hidden by the body (glasses, a shirt);
- ``hud``: last, no depth test, never mirrored (scores, labels).
"""
LAYER_INDEX = {name: i for i, name in enumerate(LAYERS)}


def check_layer(layer: str | None) -> str | None:
    if layer is None:
        return None
    key = str(layer).strip().lower().replace("-", "_")
    if key not in LAYER_INDEX:
        raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")
    return key


def quat_from_axis_angle(axis: Sequence[float], angle: float) -> np.ndarray:
    """Unit quaternion ``(x, y, z, w)`` for a rotation of ``angle`` radians about ``axis``."""
    a = np.asarray(axis, np.float64)
    a = a / (np.linalg.norm(a) or 1.0)
    s = math.sin(angle / 2.0)
    return np.array([a[0] * s, a[1] * s, a[2] * s, math.cos(angle / 2.0)])


def quat_to_matrix(q: Sequence[float] | np.ndarray) -> np.ndarray:
    """3x3 rotation matrix (column vectors) of a quaternion ``(x, y, z, w)``."""
    x, y, z, w = (float(v) for v in q)
    n = x * x + y * y + z * z + w * w
    if n < 1e-12:
        return np.eye(3)
    s = 2.0 / n
    return np.array(
        [
            [1 - s * (y * y + z * z), s * (x * y - z * w), s * (x * z + y * w)],
            [s * (x * y + z * w), 1 - s * (x * x + z * z), s * (y * z - x * w)],
            [s * (x * z - y * w), s * (y * z + x * w), 1 - s * (x * x + y * y)],
        ]
    )


def compose(
    position: Sequence[float] | np.ndarray, rotation: np.ndarray, scale: Sequence[float] | np.ndarray
) -> np.ndarray:
    """4x4 matrix T @ R @ S; ``rotation`` is a 3x3 matrix."""
    m = np.eye(4)
    m[:3, :3] = rotation * np.asarray(scale, np.float64)[None, :]
    m[:3, 3] = position
    return m


@dataclass
class FrameContext:
    """What :meth:`Node.update` gets each rendered frame."""

    frame: PoseFrame | None
    """The newest PoseFrame (may be the same object as last render)."""
    now: float
    """Timeline seconds of this render (>= frame.t between inference results)."""
    dt: float
    """Seconds since the previous render (0 on the first one or after a seek)."""
    camera: Projection
    new_frame: bool
    """True when ``frame`` differs from the previous render's."""
    cache: dict = field(default_factory=dict)
    """Per-render memo shared by anchors (body measures per person, computed once)."""


class Node:
    """A transform in the scene tree; the base of anchors and drawable content.

    Args:
        name: for lookups and log lines.
        position, rotation, scale: local transform; rotation is a quaternion
            ``(x, y, z, w)`` (``pyrr.Quaternion`` works); scale a number or 3 numbers.
        visible: hidden nodes and their subtrees are neither updated nor drawn.
        opacity: multiplies down the tree (fading).
        layer: one of :data:`LAYERS`; None inherits the parent's (``body`` at the root).
        order: draw order within a layer (lower first).
    """

    def __init__(
        self,
        name: str = "",
        *,
        position: Sequence[float] = (0.0, 0.0, 0.0),
        rotation: Sequence[float] = (0.0, 0.0, 0.0, 1.0),
        scale: float | Sequence[float] = 1.0,
        visible: bool = True,
        opacity: float = 1.0,
        layer: str | None = None,
        order: int = 0,
        children: Iterable[Node] = (),
    ):
        self.name = name or type(self).__name__
        self.parent: Node | None = None
        self.children: list[Node] = []
        self._position = np.zeros(3)
        self._rotation = np.array([0.0, 0.0, 0.0, 1.0])
        self._scale = np.ones(3)
        self._local = np.eye(4)
        self._explicit = False
        self._local_stale = True
        self.changed = True
        """Set when the local transform changed; cleared by the world pass."""
        self.position = position
        self.rotation = rotation
        self.scale = scale
        self.visible = bool(visible)
        self.opacity = float(opacity)
        self.layer = check_layer(layer)
        self.order = int(order)
        self.world_matrix = np.eye(4)
        """Cached world transform (valid after :meth:`Scene.update`)."""
        self.world_opacity = 1.0
        self.world_layer = "body"
        self.world_body_depth: float | None = None
        """World depth of the body plane of the person the nearest anchor above follows
        (for occlusion), or None when no anchor is above."""
        for c in children:
            self.add(c)

    # -- local transform -------------------------------------------------------------
    @property
    def position(self) -> np.ndarray:
        return self._position

    @position.setter
    def position(self, value: Sequence[float]) -> None:
        v = np.asarray(value, np.float64).reshape(-1)
        if v.shape != (3,) and v.shape != (2,):
            raise ValueError(f"position of {self.name} must have 2 or 3 numbers, got {value!r}")
        self._position = np.append(v, 0.0) if v.shape == (2,) else v.copy()
        self.changed = True
        self._explicit = False
        self._local_stale = True

    @property
    def rotation(self) -> np.ndarray:
        return self._rotation

    @rotation.setter
    def rotation(self, value: Sequence[float]) -> None:
        q = np.asarray(value, np.float64).reshape(-1)
        if q.shape != (4,):
            raise ValueError(f"rotation of {self.name} must be a quaternion (x, y, z, w)")
        self._rotation = q.copy()
        self.changed = True
        self._explicit = False
        self._local_stale = True

    @property
    def scale(self) -> np.ndarray:
        return self._scale

    @scale.setter
    def scale(self, value: float | Sequence[float]) -> None:
        s = np.asarray(value, np.float64).reshape(-1)
        if s.shape == (1,):
            s = np.repeat(s, 3)
        if s.shape != (3,):
            raise ValueError(f"scale of {self.name} must be a number or 3 numbers")
        self._scale = s.copy()
        self.changed = True
        self._explicit = False
        self._local_stale = True

    def set_matrix(self, matrix: np.ndarray) -> None:
        """Set the local transform directly as a 4x4 matrix (anchors do this)."""
        self._local = np.asarray(matrix, np.float64)
        self._explicit = True
        self.changed = True

    @property
    def local_matrix(self) -> np.ndarray:
        if not self._explicit and self._local_stale:
            self._local = compose(self._position, quat_to_matrix(self._rotation), self._scale)
            self._local_stale = False
        return self._local

    # -- tree ------------------------------------------------------------------------
    def add(self, child: Node) -> Node:
        """Attach ``child`` (detaching it from a previous parent); returns it."""
        if child is self or child in self.ancestors():
            raise ValueError(f"cannot add {child.name} under itself")
        if child.parent is not None:
            child.parent.remove(child)
        child.parent = self
        child.changed = True
        self.children.append(child)
        return child

    def remove(self, child: Node) -> None:
        self.children.remove(child)
        child.parent = None

    def ancestors(self) -> Iterator[Node]:
        n = self.parent
        while n is not None:
            yield n
            n = n.parent

    def walk(self) -> Iterator[Node]:
        """This node and all descendants, depth first."""
        stack = [self]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(n.children))

    def find(self, name: str) -> Node | None:
        for n in self.walk():
            if n.name == name:
                return n
        return None

    # -- per-frame hook --------------------------------------------------------------
    def update(self, ctx: FrameContext) -> None:
        """Called once per render before the world pass (override in anchors/animations)."""

    def release(self) -> None:
        """Drop references to decoded data (GPU objects belong to the renderer)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} children={len(self.children)}>"


class Drawable(Node):
    """A node the renderer draws (sprites, meshes, warped quads, skeletons).

    Args:
        color: RGBA tint in [0, 1] multiplied with the texture or vertex colours.
        occlusion: override the layer's body-mask rule: None (layer default),
            ``"none"``, ``"depth"`` or ``"always"``.
    """

    OCCLUSION_MODES = ("none", "depth", "always")

    def __init__(
        self,
        name: str = "",
        *,
        color: Sequence[float] = (1.0, 1.0, 1.0, 1.0),
        occlusion: str | None = None,
        **kw,
    ):
        super().__init__(name, **kw)
        c = [float(v) for v in color]
        if len(c) == 3:
            c.append(1.0)
        if len(c) != 4:
            raise ValueError(f"color of {self.name} must have 3 or 4 numbers, got {color!r}")
        self.color = tuple(c)
        if occlusion is not None and occlusion not in self.OCCLUSION_MODES:
            raise ValueError(
                f"occlusion of {self.name} must be one of "
                f"{', '.join(self.OCCLUSION_MODES)}, got {occlusion!r}"
            )
        self.occlusion = occlusion

    depth_tested = True
    """Drawn with the depth test in depth-tested layers (a skeleton's lines are not), so
    the renderer clears depth only where such content is."""

    @property
    def batch_key(self) -> int:
        """Orders content within one layer and ``order`` value (lower first) and groups it:
        consecutive nodes with equal keys drawn by one render pass are handed to it
        together (sprites sharing a texture become one instanced draw). The default, 1,
        sorts after opaque meshes (0) and before sprites (2 + texture)."""
        return 1

    def pixel_bounds(self, camera: Projection) -> np.ndarray | None:
        """Source-pixel points ``(N, 2)`` whose box holds every pixel this node draws:
        empty when it draws nothing, None when unknown (the renderer then assumes the
        whole frame). Node types override it; see :func:`project_bounds`."""
        return None


def project_bounds(world: np.ndarray, camera: Projection) -> np.ndarray | None:
    """Source pixels of world points ``(N, 3)`` for :meth:`Drawable.pixel_bounds`; None
    (unknown: the whole frame) when a point reaches behind the camera's near plane."""
    if np.any(world[:, 2] <= camera.near):
        return None
    return camera.project(world)


class Scene(Node):
    """The root of a tree: runs the per-frame update and the world-matrix pass.

    Args:
        fov_y: vertical field of view of the source camera in degrees.
    """

    def __init__(self, name: str = "scene", *, fov_y: float = DEFAULT_FOV_Y, **kw):
        super().__init__(name, **kw)
        self.fov_y = float(fov_y)
        self.camera: Projection | None = None
        self._last_frame: PoseFrame | None = None
        self._last_now: float | None = None
        self.draw_list: list[Node] = []
        """Visible drawable nodes of the last update, in no particular order."""

    def refresh(self) -> None:
        """Make the next :meth:`update_frame` treat its frame as new even when it is the
        one drawn last: nodes added since (an effect switch, a hot reload) then read the
        body, or a still image would lose them until a frame that never comes."""
        self._last_frame = None

    def update_frame(
        self, frame: PoseFrame | None, now: float | None = None, size: tuple[int, int] | None = None
    ) -> FrameContext:
        """Advance the scene to ``frame`` at timeline time ``now`` (default ``frame.t``).

        Call once per render. Calling again with the same frame and a later ``now``
        extrapolates anchors (bounded) between inference results.
        """
        if frame is not None:
            size = (int(frame.size[0]), int(frame.size[1]))
        if size is None:
            size = self.camera.size if self.camera else (640, 480)
        if self.camera is None or self.camera.size != size or self.camera.fov_y != self.fov_y:
            self.camera = Projection(size, self.fov_y)
        if now is None:
            now = frame.t if frame is not None else (self._last_now or 0.0)
        dt = 0.0 if self._last_now is None else now - self._last_now
        if dt < 0 or dt > 5.0:  # a seek or a replay restart: no fading across it
            dt = 0.0
        ctx = FrameContext(frame, float(now), float(dt), self.camera, new_frame=frame is not self._last_frame)
        self._last_frame, self._last_now = frame, float(now)
        self._update_tree(ctx)
        return ctx

    def _update_tree(self, ctx: FrameContext) -> None:
        draw: list[Node] = []
        # one explicit top-down pass: hooks first for a node, then its world matrix
        stack: list[tuple[Node, np.ndarray, float, str, bool, float | None]] = []
        identity = np.eye(4)
        for c in reversed(self.children):
            stack.append((c, identity, self.opacity, self.layer or "body", self.changed, None))
        self.changed = False
        while stack:
            node, parent_world, parent_opacity, parent_layer, parent_changed, body_z = stack.pop()
            if not node.visible:
                if parent_changed:
                    node.changed = True  # recompute when it shows again
                continue
            node.update(ctx)
            dirty = parent_changed or node.changed
            if dirty:
                node.world_matrix = parent_world @ node.local_matrix
                node.changed = False
            node.world_opacity = parent_opacity * node.opacity
            node.world_layer = node.layer or parent_layer
            own = getattr(node, "body_depth", None)
            node.world_body_depth = body_z = own if own is not None else body_z
            if node.world_opacity <= 1e-3:
                if dirty:
                    for c in node.children:
                        c.changed = True
                continue
            if isinstance(node, Drawable):
                draw.append(node)
            for c in reversed(node.children):
                stack.append((c, node.world_matrix, node.world_opacity, node.world_layer, dirty, body_z))
        self.draw_list = draw
