"""arpose: body-tracked augmented reality and motion-controlled games from a webcam.

The small public API; everything else is reachable through submodules.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .apps.offline import render_image, render_source
from .coach import RepCounter, RepEvent
from .effects import Attachment, Effect, EffectRenderer
from .errors import (
    ArposeError,
    AssetError,
    EffectError,
    GameError,
    ModelError,
    PipelineError,
    RecordingError,
    RenderError,
    SourceError,
    UnknownJointError,
)
from .input import BodyInput, DwellButton, GestureDetector, GestureEvent, HandCursor, PlayerSlots
from .input import events as _events
from .joints import JOINT_NAMES, LANDMARK_NAMES, Landmark, resolve_joint
from .pose import FrameStats, Hand, Pose, PoseFrame
from .record import Recorder, Recording, Replay
from .record import register as _register_replay
from .render import Renderer, Skeleton, Window, render_frame
from .scene import BodyQuad, JointAnchor, Mesh, Node, PixelAnchor, Scene, Sprite
from .scene.screen import ScreenMap
from .sources import Camera, Frame, ImageFile, ImageFolder, VideoFile, open_source
from .threads import limit_thread_pools
from .tracking import DEPRECATED as _DEPRECATED
from .tracking import (
    DetectorOptions,
    PersonTracker,
    Pipeline,
    PoseDetector,
    TrackingStage,
    track,
)
from .tracking import deprecated as _deprecated

_register_replay()  # every --source accepts .arpose recordings

__all__ = [
    "ArposeError",
    "AssetError",
    "EffectError",
    "GameError",
    "ModelError",
    "PipelineError",
    "RecordingError",
    "RenderError",
    "SourceError",
    "UnknownJointError",
    "JOINT_NAMES",
    "LANDMARK_NAMES",
    "Landmark",
    "resolve_joint",
    "FrameStats",
    "Hand",
    "Pose",
    "PoseFrame",
    "Camera",
    "Frame",
    "ImageFile",
    "ImageFolder",
    "VideoFile",
    "open_source",
    "Recorder",
    "Recording",
    "Replay",
    "BodyQuad",
    "JointAnchor",
    "Mesh",
    "Node",
    "PixelAnchor",
    "Scene",
    "Sprite",
    "Renderer",
    "Skeleton",
    "Window",
    "render_frame",
    "Attachment",
    "Effect",
    "EffectRenderer",
    "render_image",
    "render_source",
    "BodyInput",
    "DwellButton",
    "GestureDetector",
    "GestureEvent",
    "HandCursor",
    "PlayerSlots",
    "RepCounter",
    "RepEvent",
    "ScreenMap",
    "GESTURE",
    "REP",
    "PLAYER",
    "BUTTON",
    "limit_thread_pools",
    "PoseDetector",
    "DetectorOptions",
    "PersonTracker",
    "TrackingStage",
    "Pipeline",
    "track",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """``arpose.GESTURE``/``REP``/``PLAYER``/``BUTTON``: pygame event types, registered on
    first use so that importing arpose does not import pygame; and the old names
    ``PoseTracker``, ``TrackerOptions``, ``PoseSmoother``, ``HandSmoother`` (deprecated, one
    release)."""
    if name in _events.EVENT_NAMES:
        return _events.event_type(name)
    if name in _DEPRECATED:
        return _deprecated(__name__, name)
    raise AttributeError(f"module 'arpose' has no attribute {name!r}")
