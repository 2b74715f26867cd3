"""Hand tracking: 21 landmarks per hand for every tracked person.

Hands are part of the tracker's output, not a second pipeline (see docs/developer/architecture.md):
:mod:`.regions` cuts each hand's region from the body pose, :mod:`.detector` runs the hand
landmark model there (palm detection over the whole image as the fallback for hands with
no body), and :mod:`.tracker` keeps their ids and smooths them per person and side
(:mod:`arpose.input.handshapes` reads hand shapes from them as input events).
Off unless asked for: ``track(..., hands=True)``, ``--hands``, or an effect naming a finger
joint.
"""

from __future__ import annotations

from .detector import HAND_MODEL_NAME, HandDetector, HandOptions, resolve_hand_model
from .regions import HandRegion, region_from_points, regions_from_pose
from .tracker import HandTracker

__all__ = [
    "HandDetector",
    "HandOptions",
    "HandRegion",
    "HandTracker",
    "HAND_MODEL_NAME",
    "region_from_points",
    "regions_from_pose",
    "resolve_hand_model",
]
