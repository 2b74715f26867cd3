"""PoseDetector: MediaPipe's PoseLandmarker (Tasks API) behind a small, typed interface.

VIDEO mode by default (the model tracks its region of interest from frame to frame, which
is both faster and steadier than re-detecting), ``num_poses`` people (2 so that two
players work), optional segmentation masks (for occlusion). Output is unsmoothed
:class:`~arpose.pose.Pose` records in source-image pixels with ``id == -1``; the
:class:`~arpose.tracking.identity.PersonTracker` assigns ids.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..errors import SourceError
from ..model import ensure_model
from ..pose import Hand, Pose
from ..sources import MIN_IMAGE_SIDE
from .hands.detector import HandDetector, HandOptions
from .tasks import close_landmarker, create_pose_landmarker, mp_image, native_stderr_silenced
from .tiles import Tile, search_tiles

log = logging.getLogger(__name__)

FRESH_LOOK_GAP = 0.25
"""Seconds between two fresh looks of :meth:`PoseDetector.detect` at a frame where someone
reads upside down (:func:`upside_down`): a person who really is (a handstand, a toe touch)
costs at most four more inferences a second, not one a frame. On jumping_jacks_11.mp4 with
one person (a single detector): 58 person-frames upside down with one look, 12 with a look
every second at most, 4 with one every 0.25 s (2 looks in all)."""
_EMPTY = np.zeros((256, 256, 3), np.uint8)


def upside_down(landmarks: Any) -> bool:
    """Whether MediaPipe's normalised landmarks of one person stand on their head in the
    image: the torso (hips to shoulders) pointing within 60 degrees of straight down, and
    the nose below the shoulders. MediaPipe's VIDEO mode carries each person's region and
    its rotation on from frame to frame; after one frame read upside down (a close-up of
    the legs) it can keep reading a standing person that way for seconds (measured on
    jumping_jacks_11.mp4 with one person: 87 of 316 frames), so :meth:`PoseDetector.detect`
    then looks again afresh."""
    sy = (landmarks[11].y + landmarks[12].y) / 2
    sx = (landmarks[11].x + landmarks[12].x) / 2
    hy = (landmarks[23].y + landmarks[24].y) / 2
    hx = (landmarks[23].x + landmarks[24].x) / 2
    down, length = sy - hy, math.hypot(sx - hx, sy - hy)
    return length > 0 and down > 0.5 * length and landmarks[0].y > sy


@dataclass(frozen=True)
class DetectorOptions:
    """Options of :class:`PoseDetector` (defaults are MediaPipe's)."""

    model: str | Path | None = None
    """A ``.task`` bundle; None uses the one shipped with arpose (:func:`arpose.model.ensure_model`)."""
    num_poses: int = 2
    segmentation: bool = False
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    mode: str = "video"
    """"video" (tracking between frames, timestamps must increase) or "image"."""
    max_input_side: int = 1920
    """Larger frames are downscaled before inference (landmarks are mapped back)."""
    hands: bool = False
    """Also track both hands of every person (21 landmarks each; see arpose.tracking.hands)."""
    hand_model: str | Path | None = None
    """A HandLandmarker ``.task`` bundle; None uses the one shipped with arpose."""
    hand_fallback: str = "auto"
    """Palm detection over the whole image: "auto" (frames without a body, and IMAGE
    mode), "always" (single photos: finds close-up hands next to bodies too), "never"."""
    tiles: bool = False
    """IMAGE mode: also look for people on overlapping square tiles of the image
    (:mod:`arpose.tracking.tiles`), for group photos where the whole-image detector finds one or
    two. About 10 more landmarker runs per photo; only when fewer than ``num_poses``
    people were found on the whole image. The segmentation mask stays the whole
    image's (people found only on a tile are not in it)."""
    tile_check: bool = True
    """With ``tiles``: keep a person found only on a tile when the landmarker finds them
    again on crops centred on them (:func:`arpose.tracking.tiles.reappears`; 2-3 more
    landmarker runs per person found on a tile)."""
    quiet: bool = True
    """Hide MediaPipe's native start-up chatter (printed to stderr by C++ while the model
    loads and runs its first frame); errors still arrive as Python exceptions."""


@dataclass(frozen=True, eq=False)
class Detection:
    """What one call of :meth:`PoseDetector.detect` found."""

    poses: tuple[Pose, ...]
    mask: np.ndarray | None
    inference_ms: float
    hands: tuple[Hand, ...] = ()
    """Hands found (``person`` = index into ``poses``, or None), when hand tracking is on."""
    hands_tracked: bool = False
    hand_ms: float = 0.0
    hand_crops: int = 0


class PoseDetector:
    """MediaPipe PoseLandmarker in VIDEO (or IMAGE) mode; a context manager.

    Example:
        >>> with PoseDetector(DetectorOptions(num_poses=1)) as detector:
        ...     detection = detector.detect(rgb_image, t=0.0)
    """

    def __init__(self, options: DetectorOptions | None = None):
        self.options = opts = options or DetectorOptions()
        if opts.num_poses < 1:
            raise ValueError("num_poses must be at least 1")
        if opts.mode not in ("video", "image"):
            raise ValueError(f"mode must be 'video' or 'image', not {opts.mode!r}")
        if opts.tiles and opts.mode != "image":
            raise ValueError("tiles work on photos only: they need mode='image'")
        self.model_path = ensure_model(opts.model)
        self._landmarker = create_pose_landmarker(
            self.model_path,
            video=opts.mode == "video",
            num_poses=opts.num_poses,
            min_detection_confidence=opts.min_detection_confidence,
            min_presence_confidence=opts.min_presence_confidence,
            min_tracking_confidence=opts.min_tracking_confidence,
            segmentation=opts.segmentation,
            quiet=opts.quiet,
        )
        self._last_ms = -1
        self._fresh_t = -math.inf  # when the tracker last looked again (see upside_down)
        self.fresh_looks = 0
        """Frames looked at again afresh because someone read upside down (:func:`upside_down`)."""
        self._warm = not opts.quiet
        self._hands: HandDetector | None = None
        if opts.hands:
            try:
                self._hands = HandDetector(
                    HandOptions(
                        model=opts.hand_model,
                        fallback=opts.hand_fallback,
                        track=opts.mode == "video",
                        quiet=opts.quiet,
                    )
                )
            except BaseException:
                self.close()
                raise

    def detect(self, image: np.ndarray, t: float = 0.0) -> Detection:
        """Find up to ``num_poses`` people in an RGB uint8 image.

        Args:
            image: (H, W, 3) RGB uint8.
            t: timeline seconds; in VIDEO mode it must not go backwards (equal or
               decreasing values are nudged forward by a millisecond).
        """
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise SourceError(f"expected an RGB uint8 image, got shape {image.shape} {image.dtype}")
        h, w = image.shape[:2]
        if min(h, w) < MIN_IMAGE_SIDE:
            raise SourceError(
                f"image is {w}x{h} pixels, too small to find a person (at least {MIN_IMAGE_SIDE} px per side)"
            )
        full = image
        scale = 1.0
        side = max(h, w)
        if side > self.options.max_input_side:
            scale = self.options.max_input_side / side
            image = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        mp_frame = mp_image(image)
        start = time.perf_counter()
        with native_stderr_silenced(not self._warm):  # first frame only: see DetectorOptions.quiet
            if self.options.mode == "video":
                ts = max(int(round(t * 1000.0)), self._last_ms + 1)
                self._last_ms = ts
                result = self._landmarker.detect_for_video(mp_frame, ts)
                if t - self._fresh_t >= FRESH_LOOK_GAP and any(
                    upside_down(lms) for lms in result.pose_landmarks
                ):
                    result = self._look_again(mp_frame)
                    self._fresh_t = t
                    self.fresh_looks += 1
            else:
                result = self._landmarker.detect(mp_frame)
        self._warm = True
        inference_ms = (time.perf_counter() - start) * 1000.0
        poses = tuple(
            _to_pose(lms, world, w, h)
            for lms, world in zip(result.pose_landmarks, result.pose_world_landmarks)
        )
        if self.options.tiles:
            poses = tuple(
                search_tiles(
                    full, poses, self.options.num_poses, self._on_tile, verify=self.options.tile_check
                )
            )
            inference_ms = (time.perf_counter() - start) * 1000.0
        mask = None
        if self.options.segmentation and result.segmentation_masks:
            masks = [m.numpy_view() for m in result.segmentation_masks]
            mask = np.max(np.stack(masks), axis=0).astype(np.float32, copy=False)
            if mask.ndim == 3:
                mask = mask[..., 0]
            if scale != 1.0:
                mask = np.asarray(cv2.resize(mask, (w, h), interpolation=cv2.INTER_LINEAR), np.float32)
        if self._hands is None:
            return Detection(poses, mask, inference_ms)
        hands = self._hands.detect(full, poses, single_image=self.options.mode == "image")
        return Detection(
            poses,
            mask,
            inference_ms + self._hands.last_ms,
            hands,
            True,
            self._hands.last_ms,
            self._hands.last_crops,
        )

    def forget(self, frames: int = 1) -> None:
        """VIDEO mode: make the tracker forget its people (``frames`` empty frames, a
        millisecond apart after the last one), so that the next frame's people are found
        afresh by MediaPipe's person detector."""
        for _ in range(frames):
            self._last_ms += 1
            self._landmarker.detect_for_video(mp_image(_EMPTY), self._last_ms)

    def _look_again(self, mp_frame: Any) -> Any:
        """The same frame again after :meth:`forget`: its people found afresh instead of
        carried on from the last frame's region and its rotation."""
        self.forget()
        self._last_ms += 1
        return self._landmarker.detect_for_video(mp_frame, self._last_ms)

    def _on_tile(self, patch: np.ndarray, tile: Tile) -> list[Pose]:
        """The landmarker (IMAGE mode) on one tile, poses in image pixels."""
        result = self._landmarker.detect(mp_image(patch))
        return [
            _to_pose(lms, world, tile.side, tile.side, tile.x, tile.y)
            for lms, world in zip(result.pose_landmarks, result.pose_world_landmarks)
        ]

    def close(self) -> None:
        hands = getattr(self, "_hands", None)
        if hands is not None:
            hands.close()
            self._hands = None
        if self._landmarker is not None:
            landmarker, self._landmarker = self._landmarker, None
            close_landmarker(landmarker, self.options.quiet)

    def __enter__(self) -> PoseDetector:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _to_pose(landmarks, world, w: int, h: int, x0: int = 0, y0: int = 0) -> Pose:
    """A Pose in pixels of an image whose ``w`` x ``h`` part at ``(x0, y0)`` was seen."""
    lm = np.array(
        [(p.x * w + x0, p.y * h + y0, p.z * w, p.visibility or 0.0, p.presence or 0.0) for p in landmarks],
        np.float32,
    )
    wd = np.array([(p.x, p.y, p.z) for p in world], np.float32)
    return Pose(lm, wd)
