"""Rendering with moderngl: the same renderer for a pygame window and EGL offscreen.

- :class:`Renderer` (``Renderer.offscreen(size)`` / ``Renderer.for_window(window)``):
  draws a :class:`~arpose.scene.Scene` over the camera image; ``render(scene, frame,
  flip=...)`` returns RGB pixels offscreen.
  ``draw(Composition(...))`` draws one explicit frame (background, scene, skeletons,
  overlay); :meth:`Renderer.add_pass` adds a :class:`RenderPass`.
- :func:`render_frame`: one call, one RGB frame (offline rendering, tests).
- :class:`Window`: a pygame window with an OpenGL context.
- :class:`Skeleton` / :func:`skeleton_geometry`: MediaPipe and BODY_25 skeleton overlays.
- :mod:`arpose.bench.render`: ``bench_render()`` for ``arpose bench``.
"""

from __future__ import annotations

from .composition import Composition, SkeletonOverlay
from .context import Window, create_offscreen
from .passes import FrameState, LayerState, RenderPass
from .renderer import Renderer, render_frame
from .skeleton import STYLES, Skeleton, skeleton_geometry

__all__ = [
    "Renderer",
    "render_frame",
    "Composition",
    "SkeletonOverlay",
    "RenderPass",
    "FrameState",
    "LayerState",
    "Window",
    "create_offscreen",
    "Skeleton",
    "skeleton_geometry",
    "STYLES",
]
