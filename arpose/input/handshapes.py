"""Hand gestures: shapes of one hand read from its 21 landmarks, as debounced events.

Every threshold is in hand units (one hand size = wrist to middle-finger base, which does
not change when the fingers bend), so a near and a far hand behave alike. Time comes
from the frames' timestamps, never frame counts.

==============  ==========================================================================
``pinch``       thumb tip to index tip below ``pinch_on`` (0.3 hand sizes); released
                above ``pinch_off`` (0.45): hysteresis, so a pinch held at the threshold
                does not chatter. Fires at once (``pinch_hold`` 0 s): it is a click.
``fist``        all four fingers curled.
``open_palm``   all five fingers extended.
``point``       index extended, middle, ring and pinky curled.
``victory``     index and middle extended, ring and pinky curled.
``thumbs_up``   four fingers curled, thumb extended and pointing up in the image.
``ok``          thumb and index tips touching (as a pinch), middle, ring, pinky extended.
==============  ==========================================================================

A finger is *extended* when its bones are nearly in line (``straightness`` = tip to base
over the sum of its bone lengths >= ``extended``, 0.9) and its tip is farther from the
wrist than its middle joint; *curled* when straightness <= ``curled`` (0.55) or its tip is
within ``curled_reach`` (1.1 hand sizes) of the wrist. A relaxed hand has fingers in
between, so it is none of the shapes. Shapes start after ``hold`` (0.12 s) and end after
``release`` (0.12 s) of absence, like the body gestures; events are
:class:`~arpose.input.gestures.GestureEvent` records (``side`` = the hand, ``end`` = the
pinch point or the index tip, ``value`` = the pinch distance in hand sizes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..joints import HAND_SIDES
from ..pose import Hand
from .gestures import GestureEvent

HAND_GESTURES: tuple[str, ...] = ("pinch", "fist", "open_palm", "point", "thumbs_up", "victory", "ok")
"""Every hand gesture name (all are held: "start" and "end" phases)."""

_FINGER_IDX = {
    "thumb": (1, 2, 3, 4),
    "index": (5, 6, 7, 8),
    "middle": (9, 10, 11, 12),
    "ring": (13, 14, 15, 16),
    "pinky": (17, 18, 19, 20),
}


@dataclass(frozen=True)
class HandGestureConfig:
    """Thresholds of the hand gestures (distances in hand sizes, times in seconds)."""

    pinch_on: float = 0.3
    pinch_off: float = 0.45
    pinch_hold: float = 0.0
    extended: float = 0.9
    curled: float = 0.55
    curled_reach: float = 1.1
    thumb_extended: float = 0.7
    """Thumb tip at least this far from the index base, and straight, to count as out."""
    thumb_up: float = 0.5
    """Thumbs-up: the thumb tip at least this far above its base (image up)."""
    hold: float = 0.12
    release: float = 0.12


@dataclass(frozen=True)
class HandShape:
    """What one hand's landmarks say (pure function of one frame: :func:`hand_shape`)."""

    extended: dict[str, bool]
    curled: dict[str, bool]
    pinch: float
    """Thumb tip to index tip, in hand sizes."""
    thumb_up: bool


def hand_shape(hand: Hand, config: HandGestureConfig | None = None) -> HandShape:
    """Per-finger extended/curled flags, pinch distance and thumb direction (2D)."""
    cfg = config or HandGestureConfig()
    lm = hand.landmarks[:, :2].astype(np.float64)
    size = hand.size
    wrist = lm[0]
    ext: dict[str, bool] = {}
    cur: dict[str, bool] = {}
    for name, (a, b, c, d) in _FINGER_IDX.items():
        bones = float(
            np.linalg.norm(lm[b] - lm[a]) + np.linalg.norm(lm[c] - lm[b]) + np.linalg.norm(lm[d] - lm[c])
        )
        straight = float(np.linalg.norm(lm[d] - lm[a]) / max(bones, 1e-6))
        reach = float(np.linalg.norm(lm[d] - wrist)) / size
        if name == "thumb":
            away = float(np.linalg.norm(lm[d] - lm[5])) / size
            ext[name] = straight >= cfg.extended and away >= cfg.thumb_extended
            cur[name] = not ext[name]
            continue
        ext[name] = straight >= cfg.extended and np.linalg.norm(lm[d] - wrist) > np.linalg.norm(lm[b] - wrist)
        cur[name] = straight <= cfg.curled or reach <= cfg.curled_reach
    pinch = float(np.linalg.norm(lm[4] - lm[8])) / size
    thumb_up = ext["thumb"] and (lm[2, 1] - lm[4, 1]) / size >= cfg.thumb_up
    return HandShape(ext, cur, pinch, bool(thumb_up))


def _shapes(s: HandShape, pinching: bool) -> set[str]:
    """The held shapes of one frame (``pinching`` carries the pinch hysteresis)."""
    e, c = s.extended, s.curled
    four = ("index", "middle", "ring", "pinky")
    out = set()
    if pinching:
        out.add("pinch")
        if all(e[f] for f in ("middle", "ring", "pinky")):
            out.add("ok")
    if all(c[f] for f in four):
        out.add("thumbs_up" if s.thumb_up else "fist")
    elif all(e[f] for f in four) and e["thumb"]:
        out.add("open_palm")
    elif e["index"] and all(c[f] for f in ("middle", "ring", "pinky")):
        out.add("point")
    elif e["index"] and e["middle"] and c["ring"] and c["pinky"]:
        out.add("victory")
    return out


@dataclass
class _HandState:
    pinching: bool = False
    active: set[str] = field(default_factory=set)
    since: dict[str, float] = field(default_factory=dict)
    """Gesture -> when its current raw state (present or absent) began."""
    raw: set[str] = field(default_factory=set)


class HandGestureDetector:
    """Hand gestures of ONE person (both hands): ``update({"left": hand, ...}, t)``.

    Returns the :class:`GestureEvent` s of that frame; :attr:`active` holds the shapes
    held right now per side; :meth:`pinch_point` the pixel position of a held pinch.
    """

    def __init__(self, config: HandGestureConfig | None = None):
        self.config = config or HandGestureConfig()
        self._state = {side: _HandState() for side in HAND_SIDES}
        self._last: dict[str, Hand | None] = {side: None for side in HAND_SIDES}

    def reset(self) -> None:
        self._state = {side: _HandState() for side in HAND_SIDES}
        self._last = {side: None for side in HAND_SIDES}

    @property
    def active(self) -> dict[str, frozenset[str]]:
        return {side: frozenset(st.active) for side, st in self._state.items()}

    def pinch_point(self, side: str) -> tuple[float, float] | None:
        """Midpoint of thumb and index tips (image px) while ``side`` pinches, else None."""
        hand = self._last.get(side)
        if hand is None or "pinch" not in self._state[side].active:
            return None
        p = (hand.landmarks[4, :2] + hand.landmarks[8, :2]) / 2.0
        return float(p[0]), float(p[1])

    def update(self, hands: Mapping[str, Hand | None] | Iterable[Hand], t: float) -> list[GestureEvent]:
        if not isinstance(hands, Mapping):
            hands = {h.side: h for h in hands}
        cfg = self.config
        events: list[GestureEvent] = []
        for side in HAND_SIDES:
            hand = hands.get(side)
            st = self._state[side]
            self._last[side] = hand
            if hand is None:
                st.pinching = False
                raw: set[str] = set()
                shape = None
            else:
                shape = hand_shape(hand, cfg)
                st.pinching = shape.pinch <= (cfg.pinch_off if st.pinching else cfg.pinch_on)
                raw = _shapes(shape, st.pinching)
            for name in HAND_GESTURES:
                now = name in raw
                if now != (name in st.raw):
                    st.since[name] = t
                hold = cfg.pinch_hold if name == "pinch" else cfg.hold
                held_for = t - st.since.get(name, t)
                if now and name not in st.active and held_for >= hold:
                    st.active.add(name)
                    events.append(self._event(name, "start", side, hand, shape, t))
                elif (
                    not now
                    and name in st.active
                    and (held_for >= cfg.release or hand is None or name == "pinch")
                ):
                    st.active.discard(name)
                    events.append(self._event(name, "end", side, hand, shape, t))
            st.raw = raw
        return events

    @staticmethod
    def _event(
        name: str, phase: str, side: str, hand: Hand | None, shape: HandShape | None, t: float
    ) -> GestureEvent:
        end = None
        if hand is not None:
            p = (
                (hand.landmarks[4, :2] + hand.landmarks[8, :2]) / 2.0
                if name in ("pinch", "ok")
                else hand.landmarks[8, :2]
            )
            end = (float(p[0]), float(p[1]))
        return GestureEvent(name, t, phase, side, value=shape.pinch if shape else 0.0, end=end)


__all__ = ["HAND_GESTURES", "HandGestureConfig", "HandGestureDetector", "HandShape", "hand_shape"]
