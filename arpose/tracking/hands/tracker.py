"""HandTracker: stable hand ids per person and side, with One-Euro smoothing of each hand.

A body's hand is keyed by (person id, side): its id stays as long as the person's does
(a hand lost for up to ``keep_lost_s`` keeps it too). A hand without a body is matched to
the nearest bodiless track by wrist distance in hand sizes. Positions are filtered with
the project's :class:`~arpose.tracking.filters.OneEuroFilter`, with speed measured in hand sizes
per second (so a near and a far hand are smoothed alike).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...pose import Hand
from ..filters import DEFAULT_BETA, DEFAULT_D_CUTOFF, DEFAULT_MIN_CUTOFF, OneEuroFilter


@dataclass
class _HandTrack:
    id: int
    person: int | None
    side: str
    xyz: OneEuroFilter
    last_t: float
    wrist: np.ndarray
    size: float


class HandTracker:
    """Called as ``tracker(hands, t)`` with hands whose ``person`` is already a person id.

    Args:
        min_cutoff, beta, d_cutoff: One-Euro parameters (speed in hand sizes per second).
        smooth: False only assigns ids.
        keep_lost_s: a hand missing for up to this long keeps its id.
        reset_gap_s: after a longer gap the filter starts afresh.
        match_distance: bodiless hands: largest wrist jump, in hand sizes, between frames.
    """

    def __init__(
        self,
        min_cutoff: float = DEFAULT_MIN_CUTOFF,
        beta: float = DEFAULT_BETA,
        d_cutoff: float = DEFAULT_D_CUTOFF,
        *,
        smooth: bool = True,
        keep_lost_s: float = 1.0,
        reset_gap_s: float = 0.3,
        match_distance: float = 2.0,
    ):
        OneEuroFilter(min_cutoff, beta, d_cutoff)  # validates the parameters
        self.params = (min_cutoff, beta, d_cutoff)
        self.smooth = smooth
        self.keep_lost_s = keep_lost_s
        self.reset_gap_s = reset_gap_s
        self.match_distance = match_distance
        self._tracks: list[_HandTrack] = []
        self._next_id = 0

    def reset(self) -> None:
        self._tracks.clear()
        self._next_id = 0

    def __call__(self, hands: Sequence[Hand], t: float) -> tuple[Hand, ...]:
        self._tracks = [tr for tr in self._tracks if t - tr.last_t <= self.keep_lost_s]
        used: set[int] = set()
        out = []
        for hand in hands:
            track = self._match(hand, used)
            if track is None:
                track = _HandTrack(
                    self._next_id,
                    hand.person,
                    hand.side,
                    OneEuroFilter(*self.params),
                    t,
                    hand.landmarks[0, :2],
                    hand.size,
                )
                self._next_id += 1
                self._tracks.append(track)
            elif t - track.last_t > self.reset_gap_s:
                track.xyz.reset()
            used.add(track.id)
            track.last_t, track.wrist, track.size = t, hand.landmarks[0, :2], hand.size
            lm = hand.landmarks
            if self.smooth:
                lm = lm.copy()
                lm[:, :3] = track.xyz(hand.landmarks[:, :3].astype(np.float64), t, scale=hand.size)
            out.append(
                Hand(
                    lm.astype(np.float32, copy=False),
                    hand.world,
                    hand.side,
                    hand.score,
                    hand.person,
                    track.id,
                )
            )
        out.sort(key=lambda h: h.id)
        return tuple(out)

    def _match(self, hand: Hand, used: set[int]) -> _HandTrack | None:
        if hand.person is not None:
            for tr in self._tracks:
                if tr.person == hand.person and tr.side == hand.side and tr.id not in used:
                    return tr
            return None
        best, best_d = None, self.match_distance
        for tr in self._tracks:
            if tr.person is not None or tr.id in used:
                continue
            d = float(np.linalg.norm(hand.landmarks[0, :2] - tr.wrist)) / max(hand.size, 1.0)
            if d <= best_d:
                best, best_d = tr, d
        return best


__all__ = ["HandTracker"]
