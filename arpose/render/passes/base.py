"""The render pass protocol: what a step of drawing a frame is given and must do.

A frame is drawn as a list of :class:`RenderPass` objects. The renderer calls, per frame:

1. :meth:`RenderPass.prepare` on every pass, before anything is drawn: uploads go here
   (on software GL a texture write flushes, i.e. rasterises, the draws queued so far);
2. then, layer by layer (:data:`arpose.scene.node.LAYERS`), :meth:`RenderPass.draw` of the
   passes whose :attr:`~RenderPass.stage` is that layer, followed by the layer's scene
   content: each run of nodes with equal :attr:`~arpose.scene.node.Drawable.batch_key`
   goes to :meth:`RenderPass.draw_nodes` of the pass that lists the node's type in
   :attr:`~RenderPass.node_types`; last, the passes of the ``"overlay"`` stage.

So a new kind of content (a skinned mesh) is a node type plus a pass with that type in
``node_types``, added with :meth:`arpose.render.Renderer.add_pass`; a new full-frame step
(a vignette, a debug view) is a pass with a ``stage`` and a ``draw``. The Renderer
itself is not edited.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...pose import PoseFrame
from ...scene.node import Drawable
from ...scene.projection import Projection
from ..composition import Composition
from ..resources import Gpu, mat_bytes

STAGES = ("background", "behind_body", "body", "front", "hud", "overlay")
"""Where a pass's :meth:`RenderPass.draw` runs: just before the scene content of that
layer, or after all layers (``"overlay"``)."""
LAYER_DEPTH = {"background": False, "behind_body": True, "body": True, "front": True, "hud": False}
"""Layers drawn with the depth test."""
_LAYER_OCCLUSION = {"background": 2, "behind_body": 2, "body": 1, "front": 0, "hud": 0}
_OCCLUSION_CODE = {"none": 0, "depth": 1, "always": 2}


class FrameState:
    """Everything the passes of one frame share (made by the renderer per frame).

    The body mask (or a 1x1 zero mask) is bound at texture location 1 while the scene
    layers are drawn; content shaders read it there.
    """

    def __init__(
        self,
        *,
        gpu: Gpu,
        fbo: Any,
        color_tex: Any,
        composition: Composition,
        camera: Projection,
        flip: bool,
        viewport: tuple[int, int, int, int],
        stats: dict[str, Any],
        clear_color: tuple[float, ...],
        mask_tex: Any,
        use_mask: bool,
        default_body_depth: float,
    ) -> None:
        self.gpu = gpu
        self.ctx = gpu.ctx
        self.fbo = fbo
        self.color_tex = color_tex
        """The framebuffer's colour texture (None: a renderbuffer or multisampled)."""
        self.composition = composition
        self.frame: PoseFrame | None = composition.frame
        self.camera = camera
        self.flip = flip
        """The frame's selfie view (the ``hud`` layer and the overlay never mirror)."""
        self.size: tuple[int, int] = (int(fbo.size[0]), int(fbo.size[1]))
        self.viewport = viewport
        """The source's rectangle in the output (the ScreenMap's), GL convention."""
        self.stats = stats
        self.clear_color = clear_color
        self.mask_tex = mask_tex
        """The body mask texture, or a 1x1 zero mask when there is none (``use_mask``)."""
        self.use_mask = use_mask
        self.default_body_depth = default_body_depth
        self.body_margin = camera.focal * 0.03
        self.image: np.ndarray | None = composition.background
        """The picture the background pass draws (None: none, or the caller's box)."""
        self.onto: tuple[np.ndarray, bool] | None = None
        """(picture, is-BGR) of :meth:`Renderer.draw_onto`: its ``box`` is the background."""
        self.box: tuple[int, int, int, int] | None = None
        """Output pixel box (x0, y0, x1, y1), row 0 on top, of a ``draw_onto`` frame."""
        self.depth_box: tuple[int, int, int, int] | None = None
        """Where depth-tested content may draw: the only depth to clear (None: none)."""

    def can_write_direct(self, image: np.ndarray) -> bool:
        """``image`` can be written into the colour attachment as it is (it fills the
        output): a memcpy instead of a shaded quad."""
        W, H = self.size
        return (
            self.color_tex is not None
            and self.viewport == (0, 0, W, H)
            and image.shape == (H, W, 3)
            and image.dtype == np.uint8
        )

    def occlusion_code(self, node: Drawable, layer: str) -> int:
        """The body-mask rule for ``node`` in ``layer``: 0 none, 1 depth, 2 always."""
        if node.occlusion is not None:
            return _OCCLUSION_CODE[node.occlusion]
        return _LAYER_OCCLUSION[layer]

    def body_depth(self, node: Drawable) -> float:
        """Depth of the body plane that hides ``node`` (its anchor's person, else the
        frame's)."""
        d = node.world_body_depth
        return self.default_body_depth if d is None else float(d)


class LayerState:
    """One scene layer being drawn: its name, mirroring and projection."""

    __slots__ = ("name", "flip", "proj", "proj_bytes")

    def __init__(self, name: str, flip: bool, proj: np.ndarray) -> None:
        self.name = name
        self.flip = flip
        self.proj = proj
        self.proj_bytes = mat_bytes(proj)


class RenderPass:
    """One step of drawing a frame; subclass it and override what the step needs.

    Attributes:
        name: for lookups (:meth:`Renderer.find_pass`) and messages.
        stage: where :meth:`draw` runs, one of :data:`STAGES`.
        node_types: scene node types this pass draws (subclasses included, unless a
            pass lists the subclass itself) through :meth:`draw_nodes`.
    """

    name = "pass"
    stage = "overlay"
    node_types: tuple[type[Drawable], ...] = ()

    def setup(self, gpu: Gpu) -> None:
        """Create GL objects once (programs, buffers); called by ``add_pass``."""

    def prepare(self, frame: FrameState) -> None:
        """Per frame, before anything is drawn: upload what :meth:`draw` will use."""

    def covers_frame(self, frame: FrameState) -> bool:
        """Whether :meth:`draw` may touch any output pixel this frame (then
        :meth:`Renderer.draw_onto` works on the whole frame, not the content's box).
        By default: whenever the pass has its own ``draw``."""
        return type(self).draw is not RenderPass.draw

    def draw(self, frame: FrameState) -> None:
        """Draw at :attr:`stage`."""

    def draw_nodes(self, nodes: Sequence[Drawable], frame: FrameState, layer: LayerState) -> None:
        """Draw consecutive scene nodes of one layer with equal batch keys, in order."""
        raise NotImplementedError(f"{self.name} lists node types but draws none")

    def release(self) -> None:
        """Free this pass's own GL objects (the shared :class:`Gpu` frees the rest)."""
