"""Render passes: the steps a :class:`~arpose.render.Renderer` draws a frame with.

The protocol is :class:`RenderPass` (see :mod:`arpose.render.passes.base`); the built-in
passes, in drawing order: :class:`BackgroundPass` (the camera picture), the scene's
content by node type (:class:`SpritePass`, :class:`MeshPass`, :class:`BodyQuadPass`,
:class:`SkinnedPass` for glTF avatars, :class:`LinePass` for skeleton nodes and the
composition's skeletons) and
:class:`OverlayPass` (the UI layer).
"""

from __future__ import annotations

from .background import BackgroundPass
from .base import STAGES, FrameState, LayerState, RenderPass
from .lines import LinePass
from .meshes import BodyQuadPass, MeshPass
from .overlay import OverlayPass
from .skinned import SkinnedPass
from .sprites import SpritePass


def default_passes() -> list[RenderPass]:
    """A new set of the built-in passes, in the order a renderer adds them."""
    return [
        BackgroundPass(),
        SpritePass(),
        MeshPass(),
        BodyQuadPass(),
        SkinnedPass(),
        LinePass(),
        OverlayPass(),
    ]


__all__ = [
    "RenderPass",
    "FrameState",
    "LayerState",
    "STAGES",
    "BackgroundPass",
    "SpritePass",
    "MeshPass",
    "BodyQuadPass",
    "SkinnedPass",
    "LinePass",
    "OverlayPass",
    "default_passes",
]
