"""Movement signs from a fingertip's last 16 positions (the point-history format of
hand-gesture-recognition-using-mediapipe: each point relative to the first, divided by the
image width and height).

A :class:`TrajectoryBuffer` keeps one track per hand side; a trajectory model
(:data:`arpose.signs.features.TRAJECTORY_SPEC`) names the movement (stop, clockwise,
counter-clockwise, move ...) once 16 points exist.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .classifier import Prediction, SignModel
from .features import TRAJECTORY_LEN, trajectory_features


def point_history(points: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``(16, 2)`` pixel positions as a point-history row: relative to the first point,
    divided by the image ``size`` (width, height)."""
    p = np.asarray(points, np.float64)[:, :2]
    return (p - p[0]) / np.asarray(size, np.float64)


class TrajectoryBuffer:
    """The last :data:`arpose.signs.features.TRAJECTORY_LEN` positions of a fingertip per
    hand side; a side not seen for a frame starts over (a track must be continuous)."""

    def __init__(self, landmark: int = 8) -> None:
        self.landmark = landmark
        self._tracks: dict[str, deque[np.ndarray]] = {}

    def add(self, side: str, landmarks: np.ndarray) -> None:
        track = self._tracks.setdefault(side, deque(maxlen=TRAJECTORY_LEN))
        track.append(np.array(landmarks[self.landmark, :2], np.float64))  # a copy, not a view

    def drop_missing(self, seen: set[str]) -> None:
        for side in list(self._tracks):
            if side not in seen:
                del self._tracks[side]

    def history(self, side: str, size: tuple[int, int]) -> np.ndarray | None:
        """``(16, 2)`` point history of ``side``, or None until 16 points exist."""
        track = self._tracks.get(side)
        if track is None or len(track) < TRAJECTORY_LEN:
            return None
        return point_history(np.array(track), size)

    def classify(self, model: SignModel, side: str, size: tuple[int, int]) -> Prediction | None:
        h = self.history(side, size)
        if h is None:
            return None
        return model.predict(trajectory_features(h[None]))[0]


__all__ = ["TrajectoryBuffer", "point_history"]
