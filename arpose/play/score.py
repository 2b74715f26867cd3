"""Score keeping and the timestamped event log that headless reports are made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class GameEvent:
    """Something that happened in a game, at game-source time ``t`` (PoseFrame.t)."""

    t: float
    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": round(float(self.t), 4), "kind": self.kind}
        for k, v in self.data.items():
            out[k] = round(v, 4) if isinstance(v, float) else v
        return out


class Score:
    """Points per player, a combo multiplier, and the event log.

    Args:
        players: number of player slots that score.
        max_events: cap on the log (a long live session must not grow without limit).
    """

    def __init__(self, players: int = 1, max_events: int = 10_000) -> None:
        self.points = [0] * max(players, 1)
        self.events: list[GameEvent] = []
        self.max_events = max_events
        self.combo = 0
        self.best_combo = 0

    @property
    def total(self) -> int:
        return int(sum(self.points))

    def add(self, points: int, t: float, kind: str = "score", player: int = 0, **data: Any) -> None:
        """Add points for ``player`` and log the reason."""
        self.points[player] += int(points)
        self.log(t, kind, points=int(points), player=player + 1, **data)

    def hit(self) -> int:
        """Count a streak hit; returns the multiplier for this hit (1, 2, 3 max)."""
        self.combo += 1
        self.best_combo = max(self.best_combo, self.combo)
        return min(1 + self.combo // 5, 3)

    def break_combo(self) -> None:
        self.combo = 0

    def log(self, t: float, kind: str, **data: Any) -> None:
        if len(self.events) < self.max_events:
            self.events.append(GameEvent(float(t), kind, dict(data)))

    def events_json(self) -> list[dict[str, Any]]:
        return [e.to_json() for e in self.events]


__all__ = ["GameEvent", "Score"]
