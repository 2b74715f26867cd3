"""The line pass: skeletons as anti-aliased capsules, all of one skeleton in one draw."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...scene.node import Drawable
from ..resources import Gpu, InstanceBuffer, mat_bytes
from ..skeleton import Skeleton, skeleton_geometry
from .base import FrameState, LayerState, RenderPass

_LINE_FLOATS = 9


class LinePass(RenderPass):
    """Draws :class:`~arpose.render.skeleton.Skeleton` nodes in their layer and the
    composition's :attr:`~arpose.render.composition.Composition.skeletons` above the
    ``front`` layer (below ``hud``). Lines are drawn without the depth test (it stays
    off for the rest of a layer a skeleton node is drawn in)."""

    name = "lines"
    stage = "hud"
    node_types = (Skeleton,)

    def setup(self, gpu: Gpu) -> None:
        self.gpu = gpu
        self.prog = gpu.program("lines.vert", "lines.frag")
        corners = np.array([0, -1, 1, -1, 0, 1, 1, 1], np.float32)
        self._corners = gpu.ctx.buffer(corners.tobytes())
        self.instances = InstanceBuffer(
            gpu.ctx,
            128,
            _LINE_FLOATS * 4,
            lambda buf: gpu.ctx.vertex_array(
                self.prog,
                [(self._corners, "2f", "in_corner"), (buf, "4f 4f 1f/i", "in_seg", "in_color", "in_width")],
            ),
        )

    def covers_frame(self, frame: FrameState) -> bool:
        return bool(frame.composition.skeletons)

    def draw(self, frame: FrameState) -> None:
        for sk in frame.composition.skeletons:
            th = max(2.0, sk.frame.size[1] / 180.0)
            self.draw_lines(
                skeleton_geometry(sk.frame.poses, sk.style, thickness=th, color=sk.color),
                1.0,
                frame,
                frame.flip,
            )

    def draw_nodes(self, nodes: Sequence[Drawable], frame: FrameState, layer: LayerState) -> None:
        for node in nodes:
            geometry = node.geometry  # type: ignore[attr-defined]
            self.draw_lines(geometry, node.world_opacity, frame, layer.flip)

    def draw_lines(self, geom: np.ndarray, opacity: float, frame: FrameState, flip: bool) -> None:
        """Capsules ``(N, 9)`` in source pixels (see :func:`skeleton_geometry`)."""
        k = len(geom)
        if k == 0:
            return
        g = geom
        if opacity < 1.0:
            g = geom.copy()
            g[:, 7] *= opacity
        vao = self.instances.upload(np.ascontiguousarray(g, np.float32))
        self.prog["u_proj"].write(mat_bytes(frame.camera.screen_projection(flip)))
        frame.ctx.disable(frame.ctx.DEPTH_TEST)
        vao.render(self.gpu.mgl.TRIANGLE_STRIP, vertices=4, instances=k)
        frame.stats["draw_calls"] += 1
        frame.stats["lines"] += k

    def release(self) -> None:
        self.instances.release()
        self._corners.release()
