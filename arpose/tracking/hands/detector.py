"""HandDetector: the hand landmark model run on hand regions cut from the body pose, with
MediaPipe's palm detection over the whole image as the fallback for hands seen without a
body (close-ups).

On a crop the landmark model runs directly, as in Holistic (no palm detection: the body
already said where the hand is; the model's own hand-presence score rejects empty
crops). It is ``hand_landmarks_detector.tflite`` read from the same HandLandmarker bundle
and run by Google's LiteRT interpreter (``ai-edge-litert``), so it works the same on every
mediapipe series (1.x has no graph runner, and its Tasks ``HandLandmarker`` would run palm
detection again on the crop). Where LiteRT has no wheel, OpenCV's TFLite importer runs the
same model (slower). The fallback over the whole image is the Tasks ``HandLandmarker`` in
IMAGE mode: the raw model. Every hand found in a crop must have
its wrist near the body's wrist, which is what keeps a hand with its own person when two
people's hands cross. The side of a body's hand is the body's side; the side of a hand
without a body comes from the model's handedness label (it agreed with the body model's
side on the close-up frames measured, but it is a guess that flips with mirrored
pictures).
"""

from __future__ import annotations

import logging
import math
import os
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ...errors import ModelError
from ...model import ensure_hand_model
from ...pose import Hand, Pose
from ..tasks import close_landmarker, create_hand_landmarker, mp_image, native_stderr_silenced
from .regions import MIN_ROI_PX, HandRegion, region_from_hand, regions_from_pose

log = logging.getLogger(__name__)

HAND_MODEL_NAME = "hand_landmarker_full.task"
CROP_PX = 224  # the hand landmark model's input size

LANDMARK_MEMBER = "hand_landmarks_detector.tflite"
"""The hand landmark model inside a HandLandmarker ``.task`` bundle (a stored zip)."""

# The landmark model's outputs, by tensor name, as read from the model itself
# (``ai_edge_litert`` ``get_output_details()``, in this order): 21 x (x, y, z) in input
# pixels, hand presence (a probability), handedness (a probability), 21 x (x, y, z) metres.
_OUTPUTS = {
    "landmarks": "Identity",
    "presence": "Identity_1",
    "handedness": "Identity_2",
    "world": "Identity_3",
}
_UNSURE_PRESENCE = 0.1  # below this a crop is empty, with no second look
SECOND_LOOK_COOLDOWN = 8
"""Video: after a second look found nothing, that place is not looked at again for this
many frames (the Tasks HandLandmarker costs about 3 landmark runs; measured on dance.avi,
54 second looks in 100 frames took 30% of the hand time, nearly all of them empty)."""
EMPTY_COOLDOWN = 2
"""Video: a body region the landmark model found clearly empty (presence below 0.1) is
looked at again only every this many frames (most body regions of passers-by hold no
findable hand: on dance.avi 45 hands came from 316 regions in 100 frames). A hand that
appears there is found at most one frame late."""
RECROPS = 1
"""An unsure body crop is looked at again this many times, each on the crop its own
landmarks give (see :meth:`HandDetector._recropped`)."""
_NORMALIZE_Z = 0.4  # MediaPipe's TensorsToLandmarks option for this model (hand_landmark_cpu)


class HandLandmarkModel:
    """The hand landmark model on an upright square crop, without palm detection.

    Input: ``CROP_PX`` x ``CROP_PX`` RGB, scaled to [0, 1] (the model's metadata: mean 0,
    std 255). Call it with a uint8 RGB patch of that size.
    """

    def __init__(self, bundle: str | Path, backend: str = "auto"):
        self.bundle = Path(bundle)
        if backend not in ("auto", "litert", "opencv"):
            raise ValueError(f"hand model backend must be auto, litert or opencv, not {backend!r}")
        try:
            with zipfile.ZipFile(self.bundle) as z:
                blob = z.read(LANDMARK_MEMBER)
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise ModelError(
                f"{self.bundle}: not a HandLandmarker bundle with {LANDMARK_MEMBER} ({exc})"
            ) from None
        self.backend = backend
        self._it: Any = None
        self._net: Any = None
        if backend in ("auto", "litert"):
            try:
                from ai_edge_litert.interpreter import Interpreter  # lazy: optional backend
            except ImportError:
                if backend == "litert":
                    raise ModelError(
                        "the hand landmark model needs ai-edge-litert (pip install ai-edge-litert)"
                    ) from None
                log.info("ai-edge-litert is not installed: OpenCV runs the hand landmark model")
            else:
                self.backend = "litert"
                self._it = Interpreter(model_content=blob, num_threads=1)
                self._it.allocate_tensors()
                inp = self._it.get_input_details()[0]
                self._in = inp["index"]
                shape = tuple(int(v) for v in inp["shape"])
                names = {d["name"]: d["index"] for d in self._it.get_output_details()}
                if shape != (1, CROP_PX, CROP_PX, 3) or not set(_OUTPUTS.values()) <= set(names):
                    raise ModelError(
                        f"{self.bundle}: {LANDMARK_MEMBER} is not the hand landmark "
                        f"model (input {shape}, outputs {sorted(names)})"
                    )
                self._out = {k: names[v] for k, v in _OUTPUTS.items()}
        if self.backend != "litert":
            self.backend = "opencv"
            self._net = cv2.dnn.readNetFromTFLite(np.frombuffer(blob, np.uint8))
            self._names = list(self._net.getUnconnectedOutLayersNames())
            if not set(_OUTPUTS.values()) <= set(self._names):
                raise ModelError(
                    f"{self.bundle}: {LANDMARK_MEMBER} is not the hand landmark model (outputs {self._names})"
                )

    def __call__(self, patch: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, float, float]:
        """``(21x3 xyz in crop pixels (z scaled like x), 21x3 world metres or None,
        presence, handedness)`` for one patch. Presence and handedness are probabilities
        (handedness: of a right hand as the model sees it). OpenCV gives no world
        landmarks: its world output differed from LiteRT's by up to 0.27 m (measured)."""
        x = (patch.astype(np.float32) * (1.0 / 255.0))[None]
        if self.backend == "litert":
            self._it.set_tensor(self._in, np.ascontiguousarray(x))
            self._it.invoke()
            out = {k: np.array(self._it.get_tensor(i)) for k, i in self._out.items()}
        else:
            self._net.setInput(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
            res = self._net.forward(self._names)
            out = {k: np.asarray(res[self._names.index(v)]) for k, v in _OUTPUTS.items()}
        xyz = out["landmarks"].reshape(21, 3).astype(np.float64)
        xyz[:, 2] /= _NORMALIZE_Z
        world = out["world"].reshape(21, 3).astype(np.float32) if self.backend == "litert" else None
        return xyz, world, float(out["presence"].ravel()[0]), float(out["handedness"].ravel()[0])

    def close(self) -> None:
        self._it = None
        self._net = None


def resolve_hand_model(path: str | Path | None = None) -> Path:
    """The HandLandmarker bundle: ``path``, else ``$ARPOSE_HAND_MODEL``, else the one
    shipped with arpose.

    Raises:
        ModelError: naming the missing file and what to do.
    """
    if path is None and os.environ.get("ARPOSE_HAND_MODEL"):
        path = os.environ["ARPOSE_HAND_MODEL"]
    if path is not None:
        p = Path(path).expanduser()
        if not p.is_file():
            raise ModelError(
                f"{p}: no such hand model file (a HandLandmarker .task bundle, like {HAND_MODEL_NAME})"
            )
        return Path(ensure_hand_model(p))  # a pose bundle given here fails in one line
    try:
        return Path(ensure_hand_model())
    except ModelError:
        raise
    except Exception as exc:  # pragma: no cover - defensive: a broken install
        raise ModelError(f"the hand model {HAND_MODEL_NAME} cannot be loaded: {exc}") from exc


@dataclass(frozen=True)
class HandOptions:
    """Options of :class:`HandDetector`."""

    model: str | Path | None = None
    """A HandLandmarker ``.task`` bundle; None uses the one shipped with arpose."""
    fallback: str = "auto"
    """Whole-image palm detection: "auto" (when no body was found), "always" (single
    photos: where both find a hand, the palm detector's landmarks are kept, so arpose
    finds every hand the raw model finds), or "never"."""
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    max_wrist_distance: float = 0.6
    """A hand found in a body's crop must have its wrist within this many hand-region
    sizes... of the body's wrist, as a fraction of the region size (else it is someone
    else's hand, or a wrong detection)."""
    quiet: bool = True
    track: bool = False
    """Video: crop each hand from its landmarks of the previous frame (tighter than the
    body's finger points, as MediaPipe tracks hands) and rate-limit second looks; the body
    region is used when there was no hand there last frame or the tracked one is lost."""
    backend: str = "auto"
    """What runs the hand landmark model on body crops: "litert" (ai-edge-litert),
    "opencv" (OpenCV's TFLite importer, slower), or "auto" (LiteRT when installed)."""


class HandDetector:
    """Finds hands in an RGB image given the bodies found in it; a context manager."""

    def __init__(self, options: HandOptions | None = None):
        self.options = opts = options or HandOptions()
        if opts.fallback not in ("auto", "always", "never"):
            raise ValueError(f"hand fallback must be auto, always or never, not {opts.fallback!r}")
        self.model_path = resolve_hand_model(opts.model)
        self._landmarker = create_hand_landmarker(
            self.model_path,
            min_detection_confidence=opts.min_detection_confidence,
            min_presence_confidence=opts.min_presence_confidence,
            quiet=opts.quiet,
        )
        with native_stderr_silenced(opts.quiet):  # LiteRT's delegate banner
            self._crop: HandLandmarkModel | None = HandLandmarkModel(self.model_path, opts.backend)
        self.last_ms = 0.0
        self.last_crops = 0
        self._warm = False
        self._runs = 0
        self._frame = 0
        self._unsure: np.ndarray | None = None  # the last unsure crop's landmarks (pixels)
        self._prev: list[tuple[Hand, np.ndarray]] = []  # last frame's hands, body wrists
        # Places not to look at again until a frame: (x, y, size, side, frame).
        self._empty: list[tuple[float, float, float, str, int]] = []  # failed second looks
        self._blank: list[tuple[float, float, float, str, int]] = []  # clearly empty crops

    def _run(self, image: np.ndarray):
        return self._landmarker.detect(mp_image(image))

    def detect(
        self, image: np.ndarray, poses: Sequence[Pose] = (), *, single_image: bool = False
    ) -> tuple[Hand, ...]:
        """Hands in ``image``: those of ``poses`` (``person`` = index into ``poses``) and,
        by the fallback rule, hands without a body (``person`` None)."""
        with native_stderr_silenced(self.options.quiet and not self._warm):  # first frame only
            found = self._detect(image, poses, single_image)
        self._warm = True
        return found

    def _detect(self, image: np.ndarray, poses: Sequence[Pose], single_image: bool) -> tuple[Hand, ...]:
        start = time.perf_counter()
        h, w = image.shape[:2]
        hands: list[Hand] = []
        regions = [r for i, p in enumerate(poses) for r in regions_from_pose(p, i, image_size=(w, h))]
        self._runs = 0
        self._frame += 1
        track = self.options.track and not single_image
        for region in regions:
            hand = self._tracked(image, region) if track else None
            if hand is None and track and _near(self._blank, region, self._frame):
                continue
            if hand is None:
                hand = self._from_region(image, region, track)
            if hand is not None:
                hands.append(hand)
        hands = _dedupe_crossed(hands, regions)
        self._prev = [
            (h, np.asarray(r.wrist))
            for h in hands
            for r in regions
            if track and r.person == h.person and r.side == h.side and r.wrist is not None
        ]
        fb = self.options.fallback
        whole = fb == "always" or (fb == "auto" and (not poses or single_image))
        if whole:
            for hand in self._whole_image(image):
                same = [k for k, o in enumerate(hands) if _iou(hand.box, o.box) >= 0.3]
                if not same:
                    hands.append(hand)
                    continue
                # Found both ways: the palm detector framed the whole hand itself, so keep
                # its landmarks, with the body's person and side.
                k = same[0]
                hands[k] = Hand(hand.landmarks, hand.world, hands[k].side, hand.score, hands[k].person)
        self.last_crops = self._runs + int(whole)
        self.last_ms = (time.perf_counter() - start) * 1000.0
        return tuple(hands)

    def _tracked(self, image: np.ndarray, region: HandRegion) -> Hand | None:
        """The hand of ``region`` cropped from where it was last frame (same side, its wrist
        near this body's wrist), or None when there was none or it is lost."""
        if region.wrist is None:
            return None
        wrist = np.asarray(region.wrist)
        near = [(float(np.linalg.norm(w - wrist)), h, w) for h, w in self._prev if h.side == region.side]
        near = [n for n in near if n[0] / region.size <= self.options.max_wrist_distance]
        if not near:
            return None
        _, prev, was = min(near, key=lambda n: n[0])
        # The hand moves with its body's wrist (fast arm swings outrun last frame's box).
        moved = prev.landmarks[:, :2] + (wrist - was)
        roi = region_from_hand(moved, region.side, region.person, region.wrist)
        # Distances to the body's wrist stay in body-region sizes (the tracked box is tighter).
        hand, _ = self._landmarks_in(image, roi, scale=region.size)
        return hand

    def _from_region(self, image: np.ndarray, region: HandRegion, track: bool = False) -> Hand | None:
        hand, unsure = self._landmarks_in(image, region)
        if hand is None and unsure:
            hand, unsure = self._recropped(image, region)
        if hand is None and not unsure and track:
            self._blank.append((*region.center, region.size, region.side, self._frame + EMPTY_COOLDOWN))
        if hand is None and unsure and (not track or not _near(self._empty, region, self._frame)):
            # The body's finger points frame small hands loosely (whole people, 10-30 px
            # hands): when the model is unsure, the Tasks HandLandmarker looks at the same
            # crop, its palm detector framing the hand tighter (measured: 48 vs 39 of 60 body
            # hands on jumping_jacks_11.mp4, 30 frames). The hand must still start
            # at the body's wrist.
            hand = self._tasks_in(image, region)
            if hand is None and track:
                self._empty.append(
                    (*region.center, region.size, region.side, self._frame + SECOND_LOOK_COOLDOWN)
                )
        return hand

    def _recropped(self, image: np.ndarray, region: HandRegion) -> tuple[Hand | None, bool]:
        """When the model is unsure of a body region's hand, look again at the crop its own
        landmarks give (MediaPipe's tracking step, here within the frame): tighter and
        upright, so the hand is larger (measured on the COCO photos: presence 0.39 on the
        body's crop, 0.76 on the re-crop, the same landmarks within PCK@0.2)."""
        unsure = True
        for _ in range(RECROPS):
            if self._unsure is None:
                break
            roi = region_from_hand(self._unsure, region.side, region.person, region.wrist)
            if roi.size < MIN_ROI_PX / 2.0:
                break
            hand, unsure = self._landmarks_in(image, roi, scale=region.size)
            if hand is not None:
                return hand, False
        return None, unsure

    def _tasks_in(self, image: np.ndarray, region: HandRegion) -> Hand | None:
        patch, m = region.crop(image, CROP_PX)
        result = self._run(patch)
        inv = cv2.invertAffineTransform(m)
        wrist = np.asarray(region.wrist if region.wrist is not None else region.center)
        best: tuple[float, Hand] | None = None
        for k, lms in enumerate(result.hand_landmarks):
            pts = np.array([(p.x, p.y, p.z) for p in lms], np.float64) * CROP_PX
            xy = pts[:, :2] @ inv[:, :2].T + inv[:, 2]
            d = float(np.linalg.norm(xy[0] - wrist)) / region.size
            if d <= self.options.max_wrist_distance and (best is None or d < best[0]):
                full = np.empty((21, 4), np.float32)
                full[:, :2] = xy
                full[:, 2] = pts[:, 2] * (region.size / CROP_PX)
                full[:, 3] = 1.0
                best = (d, Hand(full, _world(result, k), region.side, _score(result, k), region.person))
        return None if best is None else best[1]

    def _landmarks_in(
        self, image: np.ndarray, region: HandRegion, scale: float | None = None
    ) -> tuple[Hand | None, bool]:
        """The hand in ``region`` if the landmark model is sure of it, else None and
        whether it is unsure (some presence, landmarks starting at the body's wrist within
        ``max_wrist_distance`` x ``scale``, by default the region's size)."""
        assert self._crop is not None, "HandDetector is closed"
        patch, m = region.crop(image, CROP_PX)
        xyz, world, presence, _ = self._crop(patch)
        self._runs += 1
        inv = cv2.invertAffineTransform(m)
        xy = xyz[:, :2] @ inv[:, :2].T + inv[:, 2]
        wrist = np.asarray(region.wrist if region.wrist is not None else region.center)
        self._unsure = None
        if float(np.linalg.norm(xy[0] - wrist)) / (scale or region.size) > self.options.max_wrist_distance:
            return None, False
        if presence < self.options.min_presence_confidence:
            unsure = presence >= _UNSURE_PRESENCE
            self._unsure = xy if unsure else None
            return None, unsure
        full = np.empty((21, 4), np.float32)
        full[:, :2] = xy
        full[:, 2] = xyz[:, 2] * (region.size / CROP_PX)
        full[:, 3] = 1.0
        # World landmarks come in the upright crop's axes: turn them back to the image's.
        rot = inv[:, :2] / math.sqrt(abs(float(np.linalg.det(inv[:, :2]))))
        if world is not None:
            world = world.copy()
            world[:, :2] = world[:, :2] @ rot.T.astype(np.float32)
        return Hand(full, world, region.side, presence, region.person), False

    def _whole_image(self, image: np.ndarray) -> list[Hand]:
        h, w = image.shape[:2]
        result = self._run(image)
        out = []
        for k, lms in enumerate(result.hand_landmarks):
            lm = np.array([(p.x * w, p.y * h, p.z * w, 1.0) for p in lms], np.float32)
            label = result.handedness[k][0].category_name.lower() if result.handedness else ""
            # Measured on finger_flexion.mp4: the model's label equals the body model's side
            # there. It is a guess that flips with mirroring, which is why a body's hands
            # take the body's side instead.
            side = "left" if label == "left" else "right"
            out.append(Hand(lm, _world(result, k), side, _score(result, k), None))
        return out

    def close(self) -> None:
        with native_stderr_silenced(self.options.quiet):  # mediapipe 1.x's teardown log
            if self._crop is not None:
                self._crop.close()
                self._crop = None
            if self._landmarker is not None:
                landmarker, self._landmarker = self._landmarker, None
                close_landmarker(landmarker, self.options.quiet)

    def __enter__(self) -> HandDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _near(places: list[tuple[float, float, float, str, int]], region: HandRegion, frame: int) -> bool:
    """Whether ``region`` is at one of ``places`` (same side, centre within half its size)
    still held at ``frame``; drops the expired ones."""
    places[:] = [e for e in places if e[4] > frame]
    cx, cy = region.center
    return any(
        side == region.side and math.hypot(cx - x, cy - y) <= size / 2.0 for x, y, size, side, _ in places
    )


def _score(result, k: int) -> float:
    try:
        return float(result.handedness[k][0].score)
    except (IndexError, AttributeError):
        return 1.0


def _world(result, k: int) -> np.ndarray | None:
    try:
        return np.array([(p.x, p.y, p.z) for p in result.hand_world_landmarks[k]], np.float32)
    except (IndexError, AttributeError):
        return None


def _iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _dedupe_crossed(hands: list[Hand], regions: Sequence[HandRegion]) -> list[Hand]:
    """When two regions found the same hand (crossed or touching hands), it stays with the
    body whose wrist is nearest its wrist, in region sizes."""

    def fit(h: Hand) -> float:
        for r in regions:
            if r.person == h.person and r.side == h.side and r.wrist is not None:
                return float(np.linalg.norm(h.landmarks[0, :2] - np.asarray(r.wrist))) / r.size
        return 1e9

    keep: list[Hand] = []
    for hand in sorted(hands, key=fit):
        if all(_iou(hand.box, k.box) < 0.5 for k in keep):
            keep.append(hand)
    return keep


__all__ = ["HandDetector", "HandOptions", "resolve_hand_model", "HAND_MODEL_NAME"]
