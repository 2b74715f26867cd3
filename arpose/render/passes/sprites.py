"""The sprite pass: textured quads with alpha, one instanced draw per shared texture."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...scene.node import Drawable
from ...scene.sprite import Sprite
from ..resources import Gpu, InstanceBuffer
from .base import FrameState, LayerState, RenderPass

_SPRITE_FLOATS = 16 + 4 + 2
"""Per instance: the quad's world matrix, the tint times opacity, the occlusion rule and
the body plane depth."""


class SpritePass(RenderPass):
    """Draws :class:`~arpose.scene.sprite.Sprite` nodes. A run of sprites (equal batch
    keys: the same texture) is one instanced draw."""

    name = "sprites"
    stage = "overlay"
    node_types = (Sprite,)

    def setup(self, gpu: Gpu) -> None:
        self.gpu = gpu
        self.prog = gpu.program("sprite.vert", "sprite.frag")
        self.instances = InstanceBuffer(
            gpu.ctx,
            64,
            _SPRITE_FLOATS * 4,
            lambda buf: gpu.ctx.vertex_array(
                self.prog,
                [(gpu.quad, "2f", "in_uv"), (buf, "16f 4f 2f/i", "in_model", "in_color", "in_occlusion")],
            ),
        )
        self._layer: LayerState | None = None

    def prepare(self, frame: FrameState) -> None:
        prog = self.prog
        prog["u_use_mask"].value = frame.use_mask
        prog["u_viewport"].value = tuple(float(v) for v in frame.viewport)
        prog["u_tex"].value = 0
        prog["u_mask"].value = 1
        prog["u_body_margin"].value = frame.body_margin
        self._layer = None

    def draw_nodes(self, nodes: Sequence[Drawable], frame: FrameState, layer: LayerState) -> None:
        if self._layer is not layer:
            self.prog["u_mirror"].value = layer.flip
            self.prog["u_proj"].write(layer.proj_bytes)
            self._layer = layer
        i, n = 0, len(nodes)
        while i < n:  # equal keys are almost always one texture; split where not
            tex = nodes[i].texture  # type: ignore[attr-defined]
            j = i + 1
            while j < n and nodes[j].texture is tex:  # type: ignore[attr-defined]
                j += 1
            self._draw(nodes[i:j], frame, layer.name)  # type: ignore[arg-type]
            i = j

    def _draw(self, sprites: Sequence[Sprite], frame: FrameState, layer: str) -> None:
        k = len(sprites)
        data = np.empty((k, _SPRITE_FLOATS), np.float32)
        for r, s in enumerate(sprites):
            data[r, 0:16] = s.quad_matrix().T.reshape(-1)
            c = s.color
            data[r, 16:20] = (c[0], c[1], c[2], c[3] * s.world_opacity)
            data[r, 20] = frame.occlusion_code(s, layer)
            data[r, 21] = frame.body_depth(s)
        vao = self.instances.upload(data)
        self.gpu.texture(sprites[0].texture).use(location=0)
        vao.render(self.gpu.mgl.TRIANGLE_STRIP, vertices=4, instances=k)
        frame.stats["draw_calls"] += 1
        frame.stats["sprites"] += k

    def release(self) -> None:
        self.instances.release()
