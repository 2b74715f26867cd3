"""A person fingerspelling, composed from real hand samples: for tests, demos and pictures.

Each letter's hand is a real landmark sample of that letter (from the shared alphabet or
any keypoint data), held for a while with a little tremble and tracking noise, then moved
to the next letter the way a person's hand travels: the shape blends into the next one
while the hand shifts a little. Between words the hand drops out of view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..pose import Hand, PoseFrame
from .bodies import Body, make_pose


def fingerspell_frames(
    text: str,
    letters: Mapping[str, Sequence[np.ndarray]],
    *,
    fps: float = 30.0,
    hold: float = 0.8,
    move: float = 0.3,
    pause: float = 1.4,
    noise: float = 1.5,
    size: tuple[int, int] = (1280, 720),
    hand_size: float = 110.0,
    side: str = "right",
    seed: int = 0,
) -> list[PoseFrame]:
    """Frames of a person spelling ``text`` (letters and spaces) with their right hand.

    Args:
        letters: for each letter, hand samples ``(21, >=2)`` in any units (they are
            recentred and scaled to ``hand_size`` pixels of RMS radius); a sample is
            picked at random per letter.
        hold, move, pause: seconds a letter is held, the hand travels between letters,
            and the hand is away between words.
        noise: tracking noise, pixels per landmark per frame.
    """
    rng = np.random.default_rng(seed)
    w, h = size
    # an upper body close to the camera, right hand raised in front of the shoulder; the
    # signing hand's wrist sits on the body's wrist
    shape_body = Body(
        x=w * 0.42, floor=0.0, scale=3.4 * hand_size, right_hand=(0.3, 0.45, 0.5), visible="upper"
    )
    lift = h * 0.62 - float(make_pose(shape_body).xy("right_shoulder")[1])
    body = make_pose(shape_body.but(floor=lift), image_size=size)
    home = body.xy("right_wrist").astype(np.float64)
    dt = 1.0 / fps

    def shape(letter: str) -> np.ndarray:
        samples = letters[letter]
        p = np.asarray(samples[int(rng.integers(len(samples)))], np.float64)[:, :2]
        p = p - p[0]
        r = np.sqrt(np.mean(np.sum(p * p, axis=1)))
        return p / max(r, 1e-9) * hand_size

    # key poses: (hand points or None for "away", seconds held)
    keys: list[tuple[np.ndarray | None, float]] = []
    for ch in text.upper():
        if ch == " ":
            keys.append((None, pause))
        else:
            offset = rng.normal(0.0, 0.15 * hand_size, 2)
            keys.append((shape(ch) + home + offset, hold))
    keys.append((None, pause))
    frames: list[PoseFrame] = []
    t = 0.0
    prev: np.ndarray | None = None

    def emit(points: np.ndarray | None) -> None:
        nonlocal t
        hands: tuple[Hand, ...] = ()
        if points is not None:
            lm = np.zeros((21, 4), np.float32)
            lm[:, :2] = points + rng.normal(0.0, noise, (21, 2))
            lm[:, 3] = 1.0
            hands = (Hand(lm, None, side, 0.95, 0, 1),)
        pose = body.with_hands(hands)
        frames.append(
            PoseFrame(t=t, index=len(frames), size=size, poses=(pose,), hands=hands, hands_tracked=True)
        )
        t += dt

    for points, seconds in keys:
        if points is not None and prev is not None:
            for k in range(1, max(int(move * fps), 1)):
                a = k / max(int(move * fps), 1)
                a = a * a * (3 - 2 * a)
                emit(prev * (1 - a) + points * a)
        tremble = np.zeros(2)
        for _ in range(max(int(seconds * fps), 1)):
            if points is None:
                emit(None)
            else:
                tremble = 0.8 * tremble + rng.normal(0.0, 0.6, 2)
                emit(points + tremble)
        prev = points
    return frames


__all__ = ["fingerspell_frames"]
