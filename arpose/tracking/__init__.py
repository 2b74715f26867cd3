"""Tracking: image -> :class:`~arpose.pose.PoseFrame`.

* :mod:`.tasks`     - the one owner of MediaPipe landmarkers (creation, stderr, closing)
* :mod:`.detector`  - :class:`PoseDetector`: finds poses in one image (hands too, on request)
* :mod:`.tiles`     - the tiled second look for people in group photos
* :mod:`.filters`   - per-array landmark filters (One-Euro, lag-compensated, Kalman)
* :mod:`.identity`  - :class:`PersonTracker`: who is who over time, filters injected
* :mod:`.hands`     - hand regions, the hand detector and :class:`HandTracker`
* :mod:`.stage`     - :class:`TrackingStage`: detection -> ids, filters, hands -> PoseFrame
* :mod:`.pipeline`  - :class:`Pipeline` and :func:`track`: threads around the stage
"""

from __future__ import annotations

import warnings
from typing import Any

from .detector import Detection, DetectorOptions, PoseDetector
from .filters import KalmanFilter, LagCompensatedOneEuro, LandmarkFilter, OneEuroFilter, make_filter
from .hands.tracker import HandTracker
from .identity import PersonTracker
from .pipeline import Pipeline, default_workers, track
from .stage import TrackingStage

DEPRECATED: dict[str, tuple[str, Any]] = {
    "PoseTracker": ("arpose.tracking.PoseDetector", PoseDetector),
    "TrackerOptions": ("arpose.tracking.DetectorOptions", DetectorOptions),
    "PoseSmoother": ("arpose.tracking.PersonTracker", PersonTracker),
    "HandSmoother": ("arpose.tracking.HandTracker", HandTracker),
}
"""Old names kept for one release: name -> (the new name, the object)."""


def deprecated(module: str, name: str) -> Any:
    """The object behind an old name, with a DeprecationWarning naming the new one."""
    new, obj = DEPRECATED[name]
    warnings.warn(f"{module}.{name} is deprecated; use {new}", DeprecationWarning, stacklevel=3)
    return obj


def __getattr__(name: str) -> Any:
    if name in DEPRECATED:
        return deprecated(__name__, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Detection",
    "DetectorOptions",
    "PoseDetector",
    "KalmanFilter",
    "LagCompensatedOneEuro",
    "LandmarkFilter",
    "OneEuroFilter",
    "make_filter",
    "HandTracker",
    "PersonTracker",
    "Pipeline",
    "default_workers",
    "track",
    "TrackingStage",
]
