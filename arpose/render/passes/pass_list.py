"""A renderer's passes: which pass draws which node type, and the frame's stage loop."""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import RenderError
from ...scene.node import LAYERS, Drawable
from ..resources import Gpu
from .base import LAYER_DEPTH, STAGES, FrameState, LayerState, RenderPass


class PassList:
    """The passes of one renderer, in the order they were added, and the node-type
    registry built from their :attr:`~RenderPass.node_types`: a node is drawn by the
    pass of its type or of its nearest base class (the last added pass wins a type)."""

    def __init__(self, gpu: Gpu) -> None:
        self.gpu = gpu
        self._passes: list[RenderPass] = []
        self._by_type: dict[type, RenderPass] = {}
        self._cache: dict[type, RenderPass] = {}

    def __iter__(self) -> Iterator[RenderPass]:
        return iter(self._passes)

    def add(self, render_pass: RenderPass) -> RenderPass:
        """Set ``render_pass`` up (the GL context must be current) and append it."""
        if render_pass.stage not in STAGES:
            raise RenderError(
                f"render pass {render_pass.name}: stage must be one of "
                f"{', '.join(STAGES)}, got {render_pass.stage!r}"
            )
        render_pass.setup(self.gpu)
        self._passes.append(render_pass)
        for t in render_pass.node_types:
            self._by_type[t] = render_pass
        self._cache.clear()
        return render_pass

    def find(self, name: str) -> RenderPass | None:
        return next((p for p in reversed(self._passes) if p.name == name), None)

    def for_node(self, node_type: type) -> RenderPass:
        """The pass drawing ``node_type``.

        Raises:
            RenderError: no pass draws it (names the kinds that have one).
        """
        p = self._cache.get(node_type)
        if p is None:
            p = next((self._by_type[b] for b in node_type.__mro__ if b in self._by_type), None)
            if p is None:
                kinds = ", ".join(sorted(t.__name__ for t in self._by_type))
                raise RenderError(
                    f"no render pass draws node type {node_type.__name__}; add "
                    f"one with Renderer.add_pass (drawable kinds: {kinds})"
                )
            self._cache[node_type] = p
        return p

    def draw_frame(self, state: FrameState, draw: list[Drawable]) -> None:
        """Prepare every pass, then draw the stages: each stage's passes, then that
        layer's scene content in runs of equal batch keys, each run to its node's pass."""
        for p in self._passes:
            p.prepare(state)
        ctx, mgl = state.ctx, self.gpu.mgl
        by_layer: dict[str, list[tuple[int, int, int, Drawable]]] = {n: [] for n in LAYERS}
        for seq, node in enumerate(draw):
            by_layer[node.world_layer].append((node.order, node.batch_key, seq, node))
        for stage in STAGES:
            if stage == "overlay":
                ctx.disable(mgl.DEPTH_TEST)
            for p in self._passes:
                if p.stage == stage:
                    p.draw(state)
            if stage == "background":
                state.mask_tex.use(location=1)  # the body mask for the content shaders
            items = by_layer.get(stage)
            if not items:
                continue
            # pyglet-style groups: within one layer and one ``order`` value, opaque meshes
            # first, then content grouped by texture (one instanced draw per texture);
            # use different ``order`` values to force stacking between sprites
            items.sort(key=lambda it: it[:3])
            if LAYER_DEPTH[stage]:
                ctx.enable(mgl.DEPTH_TEST)
            else:
                ctx.disable(mgl.DEPTH_TEST)
            layer_flip = state.flip and stage != "hud"
            layer = LayerState(stage, layer_flip, state.camera.projection(layer_flip))
            i, n = 0, len(items)
            while i < n:
                key, p = items[i][1], self.for_node(type(items[i][3]))
                j = i + 1
                while j < n and items[j][1] == key and self.for_node(type(items[j][3])) is p:
                    j += 1
                p.draw_nodes([it[3] for it in items[i:j]], state, layer)
                i = j

    def release(self) -> None:
        for p in self._passes:
            p.release()
