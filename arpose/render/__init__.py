"""Rendering with moderngl: the same renderer for a pygame window and EGL offscreen.

- :class:`Renderer` (``Renderer.offscreen(size)`` / ``Renderer.for_window(window)``):
  draws a :class:`~arpose.scene.Scene` over the camera image; ``render(scene, frame,
  mirror=...)`` returns RGB pixels offscreen.
- :func:`render_frame`: one call, one RGB frame (offline rendering, tests).
- :class:`Window`: a pygame window with an OpenGL context.
- :class:`Skeleton` / :func:`skeleton_geometry`: MediaPipe and BODY_25 skeleton overlays.
- :mod:`arpose.bench.render`: ``bench_render()`` for ``arpose bench``.
"""

from __future__ import annotations

from .context import Window, create_offscreen
from .renderer import Renderer, render_frame
from .skeleton import STYLES, Skeleton, skeleton_geometry

__all__ = ["Renderer", "render_frame", "Window", "create_offscreen", "Skeleton",
           "skeleton_geometry", "STYLES"]
