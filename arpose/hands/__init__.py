"""Hand tracking: 21 landmarks per hand for every tracked person.

Hands are part of the tracker's output, not a second pipeline (see docs/developer/architecture.md):
:mod:`.regions` cuts each hand's region from the body pose, :mod:`.detector` runs the hand
landmark model there (palm detection over the whole image as the fallback for hands with
no body), :mod:`.smoothing` smooths them per person and side, and :mod:`.gestures` reads
hand shapes (pinch, fist, open palm, point, thumbs-up, victory, OK) as input events.
Off unless asked for: ``track(..., hands=True)``, ``--hands``, or an effect naming a finger
joint.
"""

from __future__ import annotations

from .detector import HAND_MODEL_NAME, HandDetector, HandOptions, resolve_hand_model
from .regions import HandRegion, region_from_points, regions_from_pose
from .smoothing import HandSmoother

__all__ = ["HandDetector", "HandOptions", "HandRegion", "HandSmoother", "HAND_MODEL_NAME",
           "region_from_points", "regions_from_pose", "resolve_hand_model"]
