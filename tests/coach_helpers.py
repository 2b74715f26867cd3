"""Helpers for the coach tests."""

from __future__ import annotations

from arpose.coach import RepEvent


def rep(i: int, good: bool = True, rng: float = 0.9) -> RepEvent:
    """A squat rep event: number ``i`` at ``i`` seconds, good or flagged 'go deeper'."""
    return RepEvent(
        "squat",
        "rep",
        i,
        float(i),
        good=good,
        range=rng,
        down=1.0,
        up=0.8,
        flags=() if good else ("go deeper",),
    )
