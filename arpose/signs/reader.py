"""Reading signs from tracked frames: the hand's letter every frame, the fingertip's
movement, and the text they spell (:class:`SignReader`, used by ``arpose signs live``, the
mirror and the spelling game)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..pose import Hand, PoseFrame
from .classifier import NONE, Prediction, SignModel, load_model
from .dynamic import TrajectoryBuffer
from .features import STATIC_SPEC, TRAJECTORY_SPEC, static_features
from .text import SpellingBuffer, SpellingConfig, TextEvent


@dataclass(frozen=True)
class Reading:
    """The signing hand's answer in one frame (``side`` None: no hand)."""

    t: float
    side: str | None
    sign: Prediction | None
    movement: Prediction | None = None


def read_hands(model: SignModel, hands: list[Hand] | tuple[Hand, ...]) -> list[Prediction]:
    """One static prediction per hand; left hands are mirrored onto right ones."""
    if not hands:
        return []
    pts = np.stack([h.landmarks[:, :2] for h in hands])
    mirror = np.array([h.side == "left" for h in hands])
    return model.predict(static_features(pts, mirror))


class SignReader:
    """Letters, movements and text from :class:`arpose.pose.PoseFrame` s.

    Args:
        model: a static model (built-in name, path or :class:`SignModel`).
        movement: an optional trajectory model for the index fingertip.
        hand: "any" (the hand with the most confident sign), "left" or "right".
        config: the spelling timings.
    """

    def __init__(
        self,
        model: str | SignModel = "asl-letters",
        *,
        movement: str | SignModel | None = None,
        hand: str = "any",
        config: SpellingConfig | None = None,
    ) -> None:
        self.model = model if isinstance(model, SignModel) else load_model(model, spec=STATIC_SPEC)
        self.movement = (
            movement
            if isinstance(movement, SignModel) or movement is None
            else load_model(movement, spec=TRAJECTORY_SPEC)
        )
        self.hand = hand
        self.spelling = SpellingBuffer(config)
        self.tracks = TrajectoryBuffer()
        self.last = Reading(0.0, None, None)
        self._side: str | None = None

    @property
    def text(self) -> str:
        return self.spelling.text

    def update(self, frame: PoseFrame) -> list[TextEvent]:
        """Read one frame; returns the text events it caused (letters, spaces, deletes,
        words)."""
        hands = [h for h in frame.hands if self.hand == "any" or h.side == self.hand]
        seen = {h.side for h in hands}
        for h in hands:
            self.tracks.add(h.side, h.landmarks)
        self.tracks.drop_missing(seen)
        if not hands:
            self.last = Reading(frame.t, None, None)
            return self.spelling.update(frame.t, None)
        preds = read_hands(self.model, hands)
        i = self._pick(hands, preds)
        hand, pred = hands[i], preds[i]
        self._side = hand.side
        move = self.tracks.classify(self.movement, hand.side, frame.size) if self.movement else None
        self.last = Reading(frame.t, hand.side, pred, move)
        palm = hand.palm
        return self.spelling.update(
            frame.t, pred.label, pred.confidence, (float(palm[0]), float(palm[1])), hand.size
        )

    def finish(self, t: float) -> list[TextEvent]:
        return self.spelling.finish(t)

    def _pick(self, hands: list[Hand], preds: list[Prediction]) -> int:
        """The signing hand: the most confident sign; with none, the hand signed last."""
        scored = [(p.confidence if p.label != NONE else -1.0, i) for i, p in enumerate(preds)]
        best = max(scored)
        if best[0] < 0 and self._side is not None:
            for i, h in enumerate(hands):
                if h.side == self._side:
                    return i
        return best[1]


__all__ = ["SignReader", "Reading", "read_hands"]
