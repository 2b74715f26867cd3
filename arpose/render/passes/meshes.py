"""The mesh passes: lit triangle meshes, and textures warped onto the body (BodyQuad)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...scene.anchors import BodyQuad
from ...scene.mesh import Mesh, MeshData
from ...scene.node import Drawable
from ...scene.sprite import TextureData
from ..resources import Gpu, mat_bytes
from .base import FrameState, LayerState, RenderPass

LIGHT_DIR = (0.35, 0.55, 0.75)
"""Direction the light travels in world space: from the upper left, towards the scene."""
_VERTEX_FORMAT = ("3f 3f 2f 4f", "in_pos", "in_normal", "in_uv", "in_color")


class MeshPass(RenderPass):
    """Draws :class:`~arpose.scene.mesh.Mesh` nodes, one draw each (vertex arrays made
    once per :class:`~arpose.scene.mesh.MeshData`, remade when its version changes)."""

    name = "meshes"
    stage = "overlay"
    node_types: tuple[type[Drawable], ...] = (Mesh,)

    def setup(self, gpu: Gpu) -> None:
        self.gpu = gpu
        self.prog = gpu.program("mesh.vert", "mesh.frag")
        self._layer: LayerState | None = None

    def prepare(self, frame: FrameState) -> None:
        prog = self.prog
        prog["u_use_mask"].value = frame.use_mask
        prog["u_viewport"].value = tuple(float(v) for v in frame.viewport)
        prog["u_tex"].value = 0
        prog["u_mask"].value = 1
        prog["u_light_dir"].value = LIGHT_DIR
        self._layer = None

    def draw_nodes(self, nodes: Sequence[Drawable], frame: FrameState, layer: LayerState) -> None:
        if self._layer is not layer:
            self.prog["u_mirror"].value = layer.flip
            self.prog["u_proj"].write(layer.proj_bytes)
            self._layer = layer
        for node in nodes:
            self.draw_node(node, frame, layer.name)

    def draw_node(self, node: Any, frame: FrameState, layer: str) -> None:
        mesh: MeshData = node.mesh
        self.draw_mesh(
            node, self._vao(mesh), node.world_matrix, getattr(mesh, "texture", None), node.lit, frame, layer
        )

    def draw_mesh(
        self,
        node: Drawable,
        entry: dict[str, Any],
        model: np.ndarray,
        texture: TextureData | None,
        lit: bool,
        frame: FrameState,
        layer: str,
    ) -> None:
        """One draw of ``entry`` (a vertex array and its index count) at ``model``."""
        prog = self.prog
        prog["u_model"].write(mat_bytes(model))
        try:
            nm = np.linalg.inv(model[:3, :3]).T
        except np.linalg.LinAlgError:
            return  # a zero scale: nothing to draw
        prog["u_normal_matrix"].write(mat_bytes(nm))
        c = node.color
        prog["u_color"].value = (c[0], c[1], c[2], c[3] * node.world_opacity)
        prog["u_lit"].value = bool(lit)
        prog["u_occlusion"].value = float(frame.occlusion_code(node, layer))
        prog["u_body_depth"].value = (frame.body_depth(node), frame.body_margin)
        prog["u_use_texture"].value = texture is not None
        (self.gpu.texture(texture) if texture is not None else self.gpu.white).use(location=0)
        entry["vao"].render(self.gpu.mgl.TRIANGLES, vertices=entry["count"])
        frame.stats["draw_calls"] += 1
        frame.stats["meshes"] += 1

    def _vao(self, data: MeshData) -> dict[str, Any]:
        cache = self.gpu.cache.meshes
        entry = cache.get(data)
        if entry is not None and entry["version"] == data.version:
            return entry
        ctx = self.gpu.ctx
        vbo = ctx.buffer(data.interleaved().tobytes())
        ibo = ctx.buffer(data.indices.tobytes())
        vao = ctx.vertex_array(self.prog, [(vbo, *_VERTEX_FORMAT)], ibo)
        entry = {"vbo": vbo, "ibo": ibo, "vao": vao, "version": data.version, "count": data.indices.size}
        cache.put(data, entry)
        return entry


class BodyQuadPass(MeshPass):
    """Draws :class:`~arpose.scene.anchors.BodyQuad` nodes: their world-space grid,
    rewritten in place when the node's version changes, unlit, with their texture."""

    name = "body_quads"
    node_types = (BodyQuad,)

    def draw_node(self, node: Any, frame: FrameState, layer: str) -> None:
        if node.vertices is not None:
            self.draw_mesh(node, self._quad_vao(node), np.eye(4), node.texture, False, frame, layer)

    def _quad_vao(self, node: BodyQuad) -> dict[str, Any]:
        cache = self.gpu.cache.quads
        entry = cache.get(node)
        if entry is None:
            assert node.vertices is not None
            ctx = self.gpu.ctx
            vbo = ctx.buffer(reserve=node.vertices.nbytes, dynamic=True)
            ibo = ctx.buffer(node.indices.tobytes())
            vao = ctx.vertex_array(self.prog, [(vbo, *_VERTEX_FORMAT)], ibo)
            entry = {"vbo": vbo, "ibo": ibo, "vao": vao, "version": -1, "count": node.indices.size}
            cache.put(node, entry)
        if entry["version"] != node.version:
            entry["vbo"].write(node.vertices)
            entry["version"] = node.version
        return entry
