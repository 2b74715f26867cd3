"""TrackingStage: the one step from a detection to a :class:`~arpose.pose.PoseFrame`.

Detection (:class:`~arpose.tracking.detector.PoseDetector`, hands included when asked
for), then who is who (:class:`~arpose.tracking.identity.PersonTracker`, which also filters
each person), then the hands' ids and filters (:class:`HandTracker`), then the PoseFrame.
The pipeline's worker threads detect in parallel and call :meth:`TrackingStage.publish`
in frame order; a single photo goes through :meth:`TrackingStage.photo`. Both paths are
this code, so a photo and a video frame come out the same way.
"""

from __future__ import annotations

import time

import numpy as np

from ..pose import FrameStats, Hand, Pose, PoseFrame, attach_hands
from ..sources import Frame
from .detector import Detection, DetectorOptions, PoseDetector
from .hands.tracker import HandTracker
from .identity import PersonTracker


class TrackingStage:
    """Ids, filters and hands for detections in time order; one per stream of frames.

    Args:
        tracker: the :class:`PersonTracker` (ids and filters); None keeps the detector's
            poses as they are (no ids, no smoothing).
        keep_images: attach the RGB frame to each PoseFrame (renderers need it).
    """

    def __init__(self, tracker: PersonTracker | None = None, *, keep_images: bool = True):
        self.tracker = tracker
        self.keep_images = keep_images
        self.hand_tracker: HandTracker | None = None  # made on the first frame with hands
        self.separate = False
        """Each frame is a photo on its own (a folder of photos): ids start afresh."""

    def publish(self, frame: Frame, detection: Detection, dropped: int = 0) -> PoseFrame:
        """The PoseFrame of ``frame`` from its ``detection``; call in frame order (the
        filters need time to move forward). ``dropped`` goes into the frame's stats."""
        t0 = time.perf_counter()
        h, w = frame.image.shape[:2]
        if self.separate:
            if self.tracker is not None:
                self.tracker.reset()
            self.hand_tracker = None
        if self.tracker is not None:
            poses, raw = self.tracker.update(detection.poses, frame.t, width=w)
        else:
            poses = raw = detection.poses
        hands: tuple[Hand, ...] = ()
        if detection.hands_tracked:
            if self.hand_tracker is None:
                self.hand_tracker = HandTracker(smooth=getattr(self.tracker, "smooth", False))
            poses, raw, hands = track_detection_hands(self.hand_tracker, detection, poses, raw, frame.t)
        filter_ms = (time.perf_counter() - t0) * 1000.0
        stats = FrameStats(
            captured_at=frame.captured_at,
            inference_ms=detection.inference_ms,
            filter_ms=filter_ms,
            latency_ms=(time.monotonic() - frame.captured_at) * 1000.0,
            dropped=dropped,
            hand_ms=float(detection.hand_ms),
            hand_crops=int(detection.hand_crops),
        )
        return PoseFrame(
            t=frame.t,
            index=frame.index,
            size=(w, h),
            poses=poses,
            image=frame.image if self.keep_images else None,
            mask=detection.mask,
            stats=stats,
            raw=raw,
            hands=hands,
            hands_tracked=detection.hands_tracked,
        )

    @classmethod
    def photo(
        cls, image: np.ndarray, *, max_people: int, segmentation: bool = False, hands: bool = False
    ) -> PoseFrame:
        """One photo -> PoseFrame, as ``arpose detect`` and :func:`track` see a photo: the
        tiled second look for people, palm detection over the whole photo when hands are
        asked for, person ids without smoothing."""
        options = DetectorOptions(
            num_poses=max_people,
            segmentation=segmentation,
            mode="image",
            hands=hands,
            tiles=True,
            hand_fallback="always",
        )
        with PoseDetector(options) as detector:
            detection = detector.detect(image, 0.0)
        frame = Frame(image, 0.0, 0, time.monotonic())
        return cls(PersonTracker(smooth=False, max_people=max_people)).publish(frame, detection)


def track_detection_hands(
    tracker: HandTracker, detection: Detection, poses: tuple[Pose, ...], raw: tuple[Pose, ...], t: float
) -> tuple[tuple[Pose, ...], tuple[Pose, ...], tuple[Hand, ...]]:
    """Give the detection's hands their person ids (the detector knows only the index of
    the body in ``detection.poses``), track and smooth them, and attach them to the
    smoothed and raw poses. Returns (poses, raw, hands)."""
    # The person tracker hands back the detected arrays with ids: match them by identity.
    # A body the tracker did not select (more people in view than max_people) is not in
    # ``raw``: its hands go too.
    ids = {id(p.landmarks): p.id for p in raw}
    found = []
    for hand in detection.hands:
        person = None
        if hand.person is not None and 0 <= hand.person < len(detection.poses):
            key = id(detection.poses[hand.person].landmarks)
            if key not in ids:
                continue
            pid = ids[key]
            person = pid if pid >= 0 else hand.person
        found.append(Hand(hand.landmarks, hand.world, hand.side, hand.score, person))
    raw_hands = tuple(found)
    hands = tracker(raw_hands, t)
    by_key = {(h.person, h.side): h.id for h in hands}
    raw_hands = tuple(h.replace(id=by_key.get((h.person, h.side), -1)) for h in raw_hands)
    return attach_hands(poses, hands), attach_hands(raw, raw_hands), hands


__all__ = ["TrackingStage", "track_detection_hands"]
