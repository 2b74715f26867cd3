"""A synthetic crowd with known identities: players, passers-by and people crossing.

The identity measure (:func:`arpose.metrics.identity_scores`) needs the truth: who is who
in every frame. Here each person is a :class:`~arpose.testing.bodies.Body` moving on a
known path, so every frame carries the true ids. :func:`detector_view` plays the part
of MediaPipe in VIDEO mode with several inference workers: each worker follows up to
``num_poses`` people, keeps them while they are in view and picks newcomers in its own
order, so two workers may follow different people (what made ids flip on dance.avi).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..pose import Pose
from .bodies import Body, make_pose

SIZE = (1280, 720)


@dataclass(frozen=True)
class Walker:
    """One person of the crowd: a true id and a straight walk from ``x0`` to ``x1``
    between ``t0`` and ``t1`` (standing still before and after), in view between
    ``enter`` and ``leave`` seconds."""

    id: int
    x0: float
    x1: float
    t0: float = 0.0
    t1: float = 0.0
    enter: float = 0.0
    leave: float = float("inf")
    scale: float = 100.0
    floor: float = 680.0

    def x(self, t: float) -> float:
        if self.t1 <= self.t0:
            return self.x0
        u = min(max((t - self.t0) / (self.t1 - self.t0), 0.0), 1.0)
        return self.x0 + u * (self.x1 - self.x0)

    def visible(self, t: float) -> bool:
        return self.enter <= t < self.leave and -self.scale < self.x(t) < SIZE[0] + self.scale


def players_and_passer_by(duration: float = 6.0) -> list[Walker]:
    """Two players standing left and right, and a third person (a little smaller: further
    back) in view from the start, walking through the gap between them to the right
    edge and back; then a fourth walking in from the right."""
    return [
        Walker(0, 330, 330),
        Walker(1, 950, 950),
        Walker(2, 80, 1340, t0=0.0, t1=duration / 2, scale=80, floor=640),
        Walker(3, 1340, -60, t0=duration / 2, t1=duration - 0.2, enter=duration / 2, scale=80, floor=640),
    ]


def crossing(duration: float = 4.0) -> list[Walker]:
    """Two people walking through each other (they change sides) and one standing."""
    return [
        Walker(0, 300, 900, t0=0.5, t1=duration - 0.5),
        Walker(1, 900, 300, t0=0.5, t1=duration - 0.5, floor=660),
        Walker(2, 1150, 1150, scale=90),
    ]


def crowd_frames(
    walkers: Sequence[Walker], duration: float, fps: float = 30.0, noise: float = 1.5, seed: int = 0
) -> list[tuple[float, list[tuple[int, Pose]]]]:
    """``(t, [(true id, pose), ...])`` per frame, with tracker-like jitter."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(int(duration * fps)):
        t = i / fps
        people = [
            (w.id, make_pose(Body(x=w.x(t), floor=w.floor, scale=w.scale, id=-1), noise=noise, rng=rng))
            for w in walkers
            if w.visible(t)
        ]
        out.append((t, people))
    return out


def detector_view(
    frames: Sequence[tuple[float, list[tuple[int, Pose]]]], num_poses: int, workers: int
) -> list[list[tuple[int, Pose]]]:
    """What ``workers`` VIDEO-mode detectors (frames dealt round robin) report: each
    worker keeps the people it follows while they are in view and fills free places
    with newcomers: the first worker the largest first, the others the smallest first
    (the worst case: on dance.avi each worker's MediaPipe locked onto another dancer)."""
    follows: list[list[int]] = [[] for _ in range(workers)]
    out = []
    for i, (_, people) in enumerate(frames):
        w = i % workers
        here = {pid for pid, _ in people}
        size = {pid: pose.body_size for pid, pose in people}
        follows[w] = [pid for pid in follows[w] if pid in here]
        sign = -1.0 if w == 0 else 1.0
        for pid in sorted(here - set(follows[w]), key=lambda p: (sign * size[p], p)):
            if len(follows[w]) < num_poses:
                follows[w].append(pid)
        out.append([(pid, pose) for pid, pose in people if pid in follows[w]])
    return out


__all__ = ["Walker", "players_and_passer_by", "crossing", "crowd_frames", "detector_view"]
