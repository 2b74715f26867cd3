"""What one rendered frame shows: the one explicit input of :meth:`Renderer.draw`.

A :class:`Composition` names everything a frame is made of, bottom to top: the camera
picture (``frame.image``, with ``frame.mask`` as the body occluder), the scene advanced
to ``frame``, skeleton overlays and an RGBA overlay (a UI layer). It is frozen and made
anew for every frame, so nothing from one frame leaks into the next: there is no
renderer state to set before drawing and to forget to clear after.

    renderer.draw(Composition(frame, scene, skeletons=(SkeletonOverlay(frame),),
                              overlay=hud_rgba, flip=True))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..pose import PoseFrame
from ..scene.node import Scene
from .skeleton import check_style


@dataclass(frozen=True)
class SkeletonOverlay:
    """The skeletons of ``frame.poses`` drawn over the scene, below its ``hud`` layer.

    Args:
        frame: the poses to draw (and the picture height, which sets the bone width:
            image height / 180, at least 2 pixels).
        style: ``"mediapipe"`` or ``"body25"``.
        color: RGB 0-255 for every bone (a player's colour), None for the style's.
    """

    frame: PoseFrame
    style: str = "mediapipe"
    color: tuple[int, int, int] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "style", check_style(self.style))


@dataclass(frozen=True)
class Composition:
    """One frame for :meth:`arpose.render.Renderer.draw`.

    Args:
        frame: the newest PoseFrame: its image is the background, its mask the body
            occluder, its poses what the scene's anchors follow. None: no picture
            (the background colour) and a scene without bodies.
        scene: the scene to advance to ``frame`` and draw; None draws no scene.
        skeletons: skeleton overlays, drawn above the ``front`` layer, below ``hud``.
        overlay: an RGBA uint8 image of the output's size (row 0 on top) drawn over
            everything, never mirrored, only where it is not transparent.
        overlay_bgra: the overlay's channels are B, G, R, A (a pygame SRCALPHA surface's
            memory): GL swizzles them, the CPU does not.
        now: timeline seconds of this frame (default ``frame.t``); a later ``now`` for
            the same frame draws the extrapolated in-between state.
        flip: selfie view; None uses the renderer's default.
        size: source size (w, h) when there is no frame.
    """

    frame: PoseFrame | None = None
    scene: Scene | None = None
    skeletons: tuple[SkeletonOverlay, ...] = ()
    overlay: np.ndarray | None = None
    overlay_bgra: bool = False
    now: float | None = None
    flip: bool | None = None
    size: tuple[int, int] | None = None

    @property
    def background(self) -> np.ndarray | None:
        """The camera picture under everything: ``frame.image``."""
        return self.frame.image if self.frame is not None else None
