"""Pose and PoseFrame: numpy arrays inside, named access outside.

Everything downstream of the smoother (scene, input, games, recorder, exporter,
stream) sees only these records, so a camera, a video and a recording are
interchangeable.

Units: ``landmarks[:, 0:2]`` are pixels of the source image (unmirrored),
``landmarks[:, 2]`` is MediaPipe's relative depth scaled by the image width, so
it is in the same pixel units as x (smaller = closer to the camera, 0 at the hip
midpoint); ``world`` is metres with the origin between the hips.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .joints import (
    HAND_FALLBACK,
    HAND_LANDMARK_NAMES,
    HAND_SIDES,
    JOINT_NAMES,
    NUM_HAND_LANDMARKS,
    NUM_LANDMARKS,
    PALM_WEIGHTS,
    VIRTUAL_WEIGHTS,
    joint_index,
)

_ABS = np.abs(VIRTUAL_WEIGHTS)
VIRTUAL_VIS_WEIGHTS = _ABS / _ABS.sum(axis=1, keepdims=True)

# Columns of Pose.landmarks
X, Y, Z, VIS, PRESENCE = range(5)

MEASURES = (
    "shoulder_width",
    "hip_width",
    "head_width",
    "eye_distance",
    "torso_height",
    "body_size",
    "hand_size",
)
"""Names of the body measures that :meth:`Pose.measure` understands."""
_MEASURE_PAIRS = (
    ("left_ear", "right_ear"),
    ("mid_eye", "mouth"),
    ("left_eye", "right_eye"),
    ("left_shoulder", "right_shoulder"),
    ("mid_shoulder", "mid_hip"),
    ("left_hip", "right_hip"),
)
_MEASURE_A = np.array([joint_index(a) for a, _ in _MEASURE_PAIRS])
_MEASURE_B = np.array([joint_index(b) for _, b in _MEASURE_PAIRS])


# Hand joints in Pose.all_joints: rows after the body's landmarks and virtual joints.
_HAND_START = NUM_LANDMARKS + len(VIRTUAL_WEIGHTS)
_HAND_FALLBACK_IDX = np.array([[joint_index(f"{side}_{n}") for n in HAND_FALLBACK] for side in HAND_SIDES])
_PALM = np.zeros(NUM_HAND_LANDMARKS, np.float32)
for _name, _w in PALM_WEIGHTS.items():
    _PALM[HAND_LANDMARK_NAMES.index(_name)] = _w
_WRIST, _MIDDLE_MCP = HAND_LANDMARK_NAMES.index("wrist"), HAND_LANDMARK_NAMES.index("middle_finger_mcp")
HAND_SIZE_PER_SHOULDER = 0.25
"""Hand size (wrist to middle-finger base) per shoulder width on adults, for a body whose
hands are not tracked (measured on this project's photos: 0.22-0.27)."""


@dataclass(frozen=True, eq=False)
class Hand:
    """One hand in one frame.

    Attributes:
        landmarks: ``(21, 4)`` float32 in hand-model order: x_px, y_px of the source
            image, z (relative depth, wrist at 0, same pixel units as x), visibility.
        world: ``(21, 3)`` float32 metres around the hand's centre, or None.
        side: ``"left"`` or ``"right"``: the person's own side (from the body's wrist when
            the hand belongs to a body; from the model's handedness otherwise).
        score: the hand model's confidence in [0, 1].
        person: id of the person the hand belongs to, or None (a hand with no body).
        id: stable hand id assigned by the hand smoother (-1 before tracking).
    """

    landmarks: np.ndarray
    world: np.ndarray | None
    side: str
    score: float = 1.0
    person: int | None = None
    id: int = -1

    def __post_init__(self) -> None:
        if self.landmarks.shape != (NUM_HAND_LANDMARKS, 4):
            raise ValueError(f"hand landmarks must be (21, 4), got {self.landmarks.shape}")
        if self.world is not None and self.world.shape != (NUM_HAND_LANDMARKS, 3):
            raise ValueError(f"hand world must be (21, 3), got {self.world.shape}")
        if self.side not in HAND_SIDES:
            raise ValueError(f"hand side must be 'left' or 'right', not {self.side!r}")

    def xy(self, landmark: str | int) -> np.ndarray:
        """Pixel position of a hand landmark by name (``"index_finger_tip"``) or index."""
        i = landmark if isinstance(landmark, int) else HAND_LANDMARK_NAMES.index(landmark)
        return self.landmarks[i, :2]

    @property
    def palm(self) -> np.ndarray:
        """Pixel x, y of the palm centre."""
        return _PALM @ self.landmarks[:, :2]

    @cached_property
    def size(self) -> float:
        """Wrist to middle-finger base in pixels: the hand's unit (it does not change when
        the fingers bend). Gesture thresholds are in these units."""
        lm = self.landmarks
        return max(float(np.linalg.norm(lm[_MIDDLE_MCP, :2] - lm[_WRIST, :2])), 1.0)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """x0, y0, x1, y1 of the landmarks in pixels."""
        lo, hi = self.landmarks[:, :2].min(axis=0), self.landmarks[:, :2].max(axis=0)
        return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])

    def replace(self, **kw: Any) -> Hand:
        return dataclasses.replace(self, **kw)

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape of one hand (see README, "JSON contract")."""
        return {
            "id": int(self.id),
            "person": None if self.person is None else int(self.person),
            "side": self.side,
            "score": round(float(self.score), 4),
            "landmarks": [
                [round(float(x), 2), round(float(y), 2), round(float(z), 2), round(float(v), 4)]
                for x, y, z, v in self.landmarks
            ],
            "world": None
            if self.world is None
            else [[round(float(a), 4) for a in row] for row in self.world],
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Hand:
        lm = np.asarray(obj["landmarks"], np.float32).reshape(NUM_HAND_LANDMARKS, 4)
        world = obj.get("world")
        person = obj.get("person")
        return cls(
            lm,
            None if world is None else np.asarray(world, np.float32).reshape(NUM_HAND_LANDMARKS, 3),
            str(obj["side"]),
            float(obj.get("score", 1.0)),
            None if person is None else int(person),
            int(obj.get("id", -1)),
        )


@dataclass(frozen=True, eq=False)
class Pose:
    """One person in one frame.

    Attributes:
        landmarks: ``(33, 5)`` float32: x_px, y_px, z (px units), visibility, presence.
        world: ``(33, 3)`` float32 metres (MediaPipe world landmarks), hips at the origin.
        id: stable person id assigned by the smoother (-1 before tracking).
    """

    landmarks: np.ndarray
    world: np.ndarray
    id: int = -1
    hands: tuple[Hand, ...] = ()
    """This person's tracked hands (at most one per side); empty with hand tracking off."""

    def __post_init__(self) -> None:
        if self.landmarks.shape != (NUM_LANDMARKS, 5):
            raise ValueError(f"landmarks must be (33, 5), got {self.landmarks.shape}")
        if self.world.shape != (NUM_LANDMARKS, 3):
            raise ValueError(f"world must be (33, 3), got {self.world.shape}")

    @cached_property
    def all_joints(self) -> np.ndarray:
        """``(len(JOINT_NAMES), 4)`` x, y, z, visibility for landmarks then virtual joints."""
        lm = self.landmarks
        virt = np.empty((len(VIRTUAL_WEIGHTS), 4), np.float32)
        virt[:, :3] = VIRTUAL_WEIGHTS @ lm[:, :3]
        # Visibility: the parts' visibilities weighted by how much each part contributes,
        # so `chest` stays visible with the hips out of frame (shoulders carry 70% of it).
        virt[:, 3] = VIRTUAL_VIS_WEIGHTS @ lm[:, VIS]
        hands = np.empty((2, NUM_HAND_LANDMARKS, 4), np.float32)
        hands[:] = lm[_HAND_FALLBACK_IDX][..., :4]
        hands[..., 3] = 0.0
        for hand in self.hands:
            hands[HAND_SIDES.index(hand.side)] = hand.landmarks
        palms = np.einsum("j,sjc->sc", _PALM, hands)
        return np.concatenate([lm[:, :4], virt, hands.reshape(-1, 4), palms], axis=0)

    @cached_property
    def all_world(self) -> np.ndarray:
        """``(len(JOINT_NAMES), 3)`` world coordinates for landmarks, virtual joints, then
        hand joints (the body's world wrist plus the hand model's offsets from its wrist)."""
        hands = np.empty((2, NUM_HAND_LANDMARKS, 3), np.float32)
        hands[:] = self.world[_HAND_FALLBACK_IDX]
        for hand in self.hands:
            if hand.world is not None:
                s = HAND_SIDES.index(hand.side)
                hands[s] = self.world[joint_index(f"{hand.side}_wrist")] + (hand.world - hand.world[0])
        palms = np.einsum("j,sjc->sc", _PALM, hands)
        return np.concatenate([self.world, VIRTUAL_WEIGHTS @ self.world, hands.reshape(-1, 3), palms], axis=0)

    def hand(self, side: str) -> Hand | None:
        """This person's ``"left"`` or ``"right"`` hand, or None when it is not tracked."""
        for h in self.hands:
            if h.side == side:
                return h
        return None

    def joint(self, name: str) -> np.ndarray:
        """x, y, z, visibility of a joint by name (aliases and virtual joints allowed)."""
        return self.all_joints[joint_index(name)]

    def xy(self, name: str) -> np.ndarray:
        """Pixel position of a joint."""
        return self.all_joints[joint_index(name), :2]

    def visibility(self, name: str) -> float:
        return float(self.all_joints[joint_index(name), 3])

    def distance(self, a: str, b: str) -> float:
        """Image-plane distance between two joints in pixels.

        2D on purpose: MediaPipe's z is far noisier than x and y for people seen whole
        (on dance.avi the 3D ear-to-ear distance was a median 3.9x the 2D one)."""
        j = self.all_joints
        return float(np.linalg.norm(j[joint_index(a), :2] - j[joint_index(b), :2]))

    def measure(self, name: str) -> float:
        """A body measure in pixels: one of :data:`MEASURES` (see :attr:`measures`)."""
        try:
            return self.measures[name]
        except KeyError:
            raise KeyError(f"unknown body measure {name!r}; expected one of {', '.join(MEASURES)}") from None

    @cached_property
    def measures(self) -> dict[str, float]:
        """Every body measure in pixels, by name (:data:`MEASURES`), computed once.

        Widths shrink when a person turns sideways, so each width is bounded below by a
        measure that does not turn with it, scaled by the ratio the two have facing the
        camera (measured on frontal photos): head width >= 1.85 x eye-to-mouth and >=
        0.36 x shoulder width (frontal photos give 0.40-0.44; seen from behind or the
        side, MediaPipe folds the ears and the face together and gave 0.17-0.34), eye
        distance >= 1.0 x eye-to-mouth, shoulder width >= 0.75 x torso height, hip width
        >= 0.5 x torso height. So a hat keeps its size when the head turns or the person
        turns away. Distances are 2D, like :meth:`distance`. One vectorised pass: anchors
        read these every frame.
        """
        j = self.all_joints
        ears, eye_mouth, eyes, shoulders, torso, hips = (
            float(d) for d in np.linalg.norm(j[_MEASURE_A, :2] - j[_MEASURE_B, :2], axis=1)
        )
        shoulder_width = max(shoulders, 0.75 * torso)
        hand_sizes = [h.size for h in self.hands]
        return {
            "shoulder_width": shoulder_width,
            "hip_width": max(hips, 0.5 * torso),
            "head_width": max(ears, 1.85 * eye_mouth, 0.36 * shoulder_width),
            "eye_distance": max(eyes, eye_mouth),
            "torso_height": torso,
            "body_size": self.body_size,
            "hand_size": max(hand_sizes) if hand_sizes else HAND_SIZE_PER_SHOULDER * shoulder_width,
        }

    @cached_property
    def body_size(self) -> float:
        """Longer side of the bounding box of the visible landmarks, in pixels
        (the scale MediaPipe itself normalises its smoothing by)."""
        lm = self.landmarks
        pts = lm[lm[:, VIS] > 0.3, :2]
        if len(pts) < 2:
            pts = lm[:, :2]
        span = pts.max(axis=0) - pts.min(axis=0)
        return float(max(span.max(), 1.0))

    @property
    def center(self) -> np.ndarray:
        """Pixel centre used for person association: the torso's centre."""
        return self.all_joints[joint_index("spine"), :2]

    def with_id(self, pid: int) -> Pose:
        return Pose(self.landmarks, self.world, pid, self.hands)

    def with_hands(self, hands: tuple[Hand, ...]) -> Pose:
        """The same person carrying ``hands``."""
        return Pose(self.landmarks, self.world, self.id, tuple(hands))

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape of one person (see README, "JSON contract")."""
        lm = self.landmarks
        return {
            "id": int(self.id),
            "landmarks": [
                [round(float(x), 2), round(float(y), 2), round(float(z), 2), round(float(v), 4)]
                for x, y, z, v in lm[:, :4]
            ],
            "world": [[round(float(a), 4) for a in row] for row in self.world],
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Pose:
        """Inverse of :meth:`to_json` (presence is not in the contract: set to visibility)."""
        lm4 = np.asarray(obj["landmarks"], np.float32).reshape(NUM_LANDMARKS, 4)
        lm = np.concatenate([lm4, lm4[:, 3:4]], axis=1)
        world = np.asarray(obj.get("world") or np.zeros((NUM_LANDMARKS, 3)), np.float32)
        return cls(lm, world.reshape(NUM_LANDMARKS, 3), int(obj.get("id", -1)))


@dataclass(frozen=True)
class FrameStats:
    """Timing of one frame through the pipeline (milliseconds unless noted)."""

    captured_at: float = 0.0
    """``time.monotonic()`` when the frame left the source."""
    inference_ms: float = 0.0
    filter_ms: float = 0.0
    latency_ms: float = 0.0
    """Capture to landmarks available."""
    dropped: int = 0
    """Frames dropped so far by latest-wins hand-offs."""
    hand_ms: float = 0.0
    """Of ``inference_ms``: the hand model's share (0 with hand tracking off)."""
    hand_crops: int = 0
    """Hand regions the hand model ran on (body crops, plus 1 for a whole-image pass)."""


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """Everything known about one frame: what the consumers (scene, games, recorder) get.

    Attributes:
        t: timeline seconds (video position, or monotonic seconds since a live source
            started); filters, gestures and games use this, never frame counts.
        index: frame number from the source.
        size: (width, height) of the source image in pixels.
        poses: people in the frame, ordered by id.
        image: the RGB frame (H, W, 3) uint8, or None (replays without video).
        mask: segmentation mask (H, W) float32 in [0, 1] of all people, or None.
    """

    t: float
    index: int
    size: tuple[int, int]
    poses: tuple[Pose, ...] = ()
    image: np.ndarray | None = None
    mask: np.ndarray | None = None
    stats: FrameStats = field(default_factory=FrameStats)
    raw: tuple[Pose, ...] = ()
    """The same people before smoothing (same ids), for recorders; empty when unknown."""
    hands: tuple[Hand, ...] = ()
    """Every tracked hand, ordered by id: the people's hands (also on each ``Pose``) and
    hands seen without a body (``person`` None)."""
    hands_tracked: bool = False
    """True when hand tracking ran on this frame (so an empty ``hands`` means none found)."""

    def __iter__(self) -> Iterator[Pose]:
        return iter(self.poses)

    def __len__(self) -> int:
        return len(self.poses)

    def person(self, pid: int) -> Pose | None:
        """The pose with id ``pid``, or None when that person is not in this frame."""
        for p in self.poses:
            if p.id == pid:
                return p
        return None

    def to_json(self, include_time: bool = True) -> dict[str, Any]:
        """The public JSON object for this frame (see README, "JSON contract")."""
        obj: dict[str, Any] = {}
        if include_time:
            obj["frame"] = int(self.index)
            obj["t"] = round(float(self.t), 4)
        obj["width"], obj["height"] = int(self.size[0]), int(self.size[1])
        obj["people"] = [p.to_json() for p in self.poses]
        if self.hands_tracked or self.hands:
            obj["hands"] = [h.to_json() for h in self.hands]
        return obj

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> PoseFrame:
        poses = tuple(Pose.from_json(p) for p in obj.get("people", []))
        hands = tuple(Hand.from_json(h) for h in obj.get("hands") or ())
        return cls(
            t=float(obj.get("t", 0.0)),
            index=int(obj.get("frame", 0)),
            size=(int(obj["width"]), int(obj["height"])),
            poses=attach_hands(poses, hands),
            hands=hands,
            hands_tracked="hands" in obj,
        )

    def hand(self, person: int | None, side: str) -> Hand | None:
        """The ``side`` hand of person ``person`` (None: a hand without a body)."""
        for h in self.hands:
            if h.person == person and h.side == side:
                return h
        return None


def attach_hands(poses: tuple[Pose, ...], hands: tuple[Hand, ...]) -> tuple[Pose, ...]:
    """``poses`` with each person carrying their hands (by ``Hand.person``)."""
    if not hands:
        return poses
    return tuple(p.with_hands(tuple(h for h in hands if h.person == p.id)) for p in poses)


__all__ = [
    "Hand",
    "attach_hands",
    "Pose",
    "PoseFrame",
    "FrameStats",
    "MEASURES",
    "JOINT_NAMES",
    "X",
    "Y",
    "Z",
    "VIS",
    "PRESENCE",
]
