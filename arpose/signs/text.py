"""Letters to text: a letter counts once when held steadily; a pause ends the word; a swipe
deletes.

Why a hold and a steadiness check: between two letters the hand passes through shapes that
look like other letters for a frame or two, and the classifier reads every frame. A letter
is typed when it is the clear majority of the readings of the last ``hold`` seconds while
the palm stays within ``steady`` hand sizes; it types again only after something else was
read (or after ``repeat`` seconds of holding, for double letters).

Gestures (no extra handshape to learn):

- **space**: no letter (the hand lowered, relaxed or out of view) for ``space_after``
  seconds after a letter ends the word;
- **delete**: a quick sideways swipe of the hand (``swipe`` hand sizes within
  ``swipe_time`` seconds) removes the last character.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from .classifier import NONE


@dataclass(frozen=True)
class SpellingConfig:
    """Timings in seconds, distances in hand sizes (wrist to middle-finger base)."""

    hold: float = 0.45
    majority: float = 0.75
    min_confidence: float = 0.5
    steady: float = 0.6
    repeat: float = 1.6
    space_after: float = 1.0
    swipe: float = 2.5
    swipe_time: float = 0.5


@dataclass(frozen=True)
class TextEvent:
    """``kind`` is "letter", "space", "delete" or "word" (a finished word, after its space);
    ``value`` the letter or word; ``text`` all the text after the event."""

    kind: str
    value: str
    text: str
    t: float


class SpellingBuffer:
    """Turns per-frame readings into text. Feed :meth:`update` once per frame."""

    def __init__(self, config: SpellingConfig | None = None) -> None:
        self.config = config or SpellingConfig()
        self.text = ""
        self._reads: deque[tuple[float, str, float, float, float]] = deque()
        self._typed: str | None = None
        self._typed_t = 0.0
        self._last_letter_t: float | None = None
        self._swipe_until = -1.0

    @property
    def word(self) -> str:
        """The word being spelled (after the last space)."""
        return self.text.rsplit(" ", 1)[-1]

    def reset(self) -> None:
        self.text = ""
        self._reads.clear()
        self._typed = None
        self._last_letter_t = None

    def update(
        self,
        t: float,
        label: str | None,
        confidence: float = 1.0,
        palm: tuple[float, float] | None = None,
        size: float = 1.0,
    ) -> list[TextEvent]:
        """One frame's reading: ``label`` (a letter, :data:`arpose.signs.classifier.NONE`,
        or None for no hand), its confidence, the palm centre and hand size in pixels."""
        c = self.config
        ok = label is not None and label != NONE and confidence >= c.min_confidence
        name = label if ok and label is not None else NONE
        px, py = palm if palm is not None else (np.nan, np.nan)
        self._reads.append((t, name, px, py, max(size, 1e-6)))
        keep = max(c.hold, c.swipe_time)
        while self._reads and self._reads[0][0] < t - keep:
            self._reads.popleft()
        events: list[TextEvent] = []
        if self._swiped(t):
            self._swipe_until = t + c.swipe_time
            self._reads.clear()
            if self.text:
                gone = self.text[-1]
                self.text = self.text[:-1]
                events.append(TextEvent("delete", gone, self.text, t))
            self._typed = None
            return events
        if ok:
            self._last_letter_t = t
        elif (
            self._last_letter_t is not None
            and t - self._last_letter_t >= c.space_after
            and self.text
            and not self.text.endswith(" ")
        ):
            word = self.word
            self.text += " "
            events.append(TextEvent("space", " ", self.text, t))
            events.append(TextEvent("word", word, self.text, t))
            self._last_letter_t = None
        winner = self._held(t)
        if winner is None:
            if self._majority(t) != self._typed:
                self._typed = None
            return events
        if winner != self._typed or t - self._typed_t >= c.repeat:
            self.text += winner
            self._typed, self._typed_t = winner, t
            events.append(TextEvent("letter", winner, self.text, t))
        return events

    def finish(self, t: float) -> list[TextEvent]:
        """End of input: the word being spelled is finished."""
        if self.text and not self.text.endswith(" "):
            word = self.word
            self.text += " "
            return [TextEvent("space", " ", self.text, t), TextEvent("word", word, self.text, t)]
        return []

    def _window(self, t: float) -> list[tuple[float, str, float, float, float]]:
        return [r for r in self._reads if r[0] >= t - self.config.hold]

    def _majority(self, t: float) -> str | None:
        w = self._window(t)
        if not w:
            return None
        names = [r[1] for r in w]
        best = max(set(names), key=names.count)
        return best if names.count(best) >= self.config.majority * len(names) else None

    def _held(self, t: float) -> str | None:
        c = self.config
        w = self._window(t)
        if t < self._swipe_until or not w or t - w[0][0] < c.hold * 0.9 or len(w) < 3:
            return None
        best = self._majority(t)
        if best is None or best == NONE:
            return None
        pts = np.array([(r[2], r[3]) for r in w if r[1] == best])
        size = float(np.median([r[4] for r in w]))
        if np.isnan(pts).any():
            return best
        spread = np.linalg.norm(pts.max(axis=0) - pts.min(axis=0)) / size
        return best if spread <= c.steady else None

    def _swiped(self, t: float) -> bool:
        c = self.config
        if t < self._swipe_until:
            return False
        w = [r for r in self._reads if r[0] >= t - c.swipe_time and not np.isnan(r[2])]
        if len(w) < 3:
            return False
        x = np.array([r[2] for r in w])
        y = np.array([r[3] for r in w])
        size = float(np.median([r[4] for r in w]))
        dx = abs(x[-1] - x[0])
        return bool(dx >= c.swipe * size and dx >= 2.0 * abs(y[-1] - y[0]))


__all__ = ["SpellingBuffer", "SpellingConfig", "TextEvent"]
