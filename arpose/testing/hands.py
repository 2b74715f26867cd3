"""Synthetic hands: 21 landmarks from finger curls, for gesture tests and demos.

Each finger is a chain of bones that flexes towards the camera (the plane of the finger
and the image's z axis), so a curled finger projects onto the palm the way a real one
does. Units: one hand size (wrist to middle-finger base) = ``size`` pixels.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ..pose import Hand

FINGERS = ("thumb", "index", "middle", "ring", "pinky")
# Base (mcp) positions in hand units, fingers up (-y), for the person's right hand seen
# palm-on (thumb on the image's left); bone lengths proximal, middle, distal.
_BASE = {"index": (-0.32, -0.95), "middle": (0.0, -1.0), "ring": (0.27, -0.93), "pinky": (0.5, -0.8)}
_BONES = {
    "index": (0.45, 0.27, 0.2),
    "middle": (0.5, 0.3, 0.22),
    "ring": (0.46, 0.28, 0.2),
    "pinky": (0.36, 0.21, 0.18),
}
_SPREAD = {"index": -0.12, "middle": 0.0, "ring": 0.1, "pinky": 0.22}
_FLEX = (1.4, 1.75, 1.2)  # radians at curl 1 for mcp, pip, dip


def _finger(base: tuple[float, float], bones: tuple[float, ...], spread: float, curl: float) -> np.ndarray:
    """4 points (mcp, pip, dip, tip) as x, y, z in hand units."""
    pts = [np.array([base[0], base[1], 0.0])]
    d_img = np.array([math.sin(spread), -math.cos(spread)])  # the finger's image direction
    theta = 0.0
    for length, flex in zip(bones, _FLEX):
        theta += flex * curl
        step = length * math.cos(theta)
        p = pts[-1] + np.array([d_img[0] * step, d_img[1] * step, -length * math.sin(theta)])
        pts.append(p)
    return np.array(pts)


def synthetic_hand(
    curls: Mapping[str, float] | None = None,
    *,
    thumb: str = "out",
    center: tuple[float, float] = (320.0, 240.0),
    size: float = 60.0,
    rotation: float = 0.0,
    side: str = "right",
    person: int | None = 0,
    pinch_gap: float = 0.05,
) -> Hand:
    """A hand with each finger curled by ``curls[finger]`` in [0, 1] (0 straight).

    Args:
        thumb: "out" (extended away from the palm), "folded" (across the palm),
            "relaxed" (half out), or "pinch" (its tip ``pinch_gap`` hand units from the
            index tip).
        center: pixel position of the wrist.
        rotation: radians, counter-clockwise on screen; 0 = fingers up.
        side: "left" mirrors the hand horizontally.
    """
    c = {"index": 0.0, "middle": 0.0, "ring": 0.0, "pinky": 0.0}
    c.update({k: float(v) for k, v in (curls or {}).items() if k != "thumb"})
    pts = np.zeros((21, 3))
    for k, name in enumerate(FINGERS[1:]):
        pts[5 + 4 * k : 9 + 4 * k] = _finger(_BASE[name], _BONES[name], _SPREAD[name], c[name])
    cmc = np.array([-0.2, -0.2, 0.0])
    if thumb == "pinch":
        tip = pts[8] + np.array([-pinch_gap, 0.0, 0.0])
        chain = [
            cmc + (tip - cmc) * f + np.array([-0.12, 0.0, 0.0]) * math.sin(math.pi * f)
            for f in (0.35, 0.7, 1.0)
        ]
    else:
        angle = {"out": -1.1, "relaxed": -0.6, "folded": 0.5}[thumb]
        bend = {"out": 0.0, "relaxed": 0.25, "folded": 0.5}[thumb]
        chain, p, a = [], cmc, angle
        for length in (0.45, 0.33, 0.28):
            d = np.array([math.sin(a), -math.cos(a), 0.0])
            p = p + d * length
            chain.append(p)
            a += bend
    pts[1] = cmc
    pts[2:5] = chain
    if side == "left":
        pts[:, 0] = -pts[:, 0]
    ca, sa = math.cos(rotation), math.sin(rotation)
    x = pts[:, 0] * ca + pts[:, 1] * sa
    y = -pts[:, 0] * sa + pts[:, 1] * ca
    lm = np.empty((21, 4), np.float32)
    lm[:, 0] = center[0] + x * size
    lm[:, 1] = center[1] + y * size
    lm[:, 2] = pts[:, 2] * size
    lm[:, 3] = 1.0
    return Hand(lm, None, side, 1.0, person)


SHAPES: dict[str, tuple[dict[str, float], str]] = {
    "open_palm": ({}, "out"),
    "fist": ({"index": 1, "middle": 1, "ring": 1, "pinky": 1}, "folded"),
    "point": ({"middle": 1, "ring": 1, "pinky": 1}, "folded"),
    "victory": ({"ring": 1, "pinky": 1}, "folded"),
    "thumbs_up": ({"index": 1, "middle": 1, "ring": 1, "pinky": 1}, "out"),
    "ok": ({"index": 0.45}, "pinch"),
    "pinch": ({"index": 0.35, "middle": 0.45, "ring": 0.5, "pinky": 0.55}, "pinch"),
    "relaxed": ({"index": 0.3, "middle": 0.38, "ring": 0.42, "pinky": 0.45}, "relaxed"),
}
"""Curls and thumb of each named shape (a thumbs-up is a fist with the thumb out; turn it
with ``rotation`` so the thumb points up)."""


def shape_hand(name: str, **kw: object) -> Hand:
    """A synthetic hand in one of :data:`SHAPES`."""
    curls, thumb = SHAPES[name]
    return synthetic_hand(curls, thumb=thumb, **kw)  # type: ignore[arg-type]


__all__ = ["synthetic_hand", "shape_hand", "SHAPES", "FINGERS"]
