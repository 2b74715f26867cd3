"""Invariant features of a hand's 21 landmarks (x, y only) and of a fingertip trajectory.

Why these features: the built-in alphabet was recorded by one signer with one camera, and
it must read another person through another camera, often from the 2D "keypoint CSV"
format (wrist-relative x, y scaled by their largest absolute value). So a static feature
uses x, y alone and does not depend on:

- where the hand is (wrist-relative) and its size or the camera distance (divided by the
  hand's RMS radius);
- left or right hand (a left hand is mirrored onto a right one when the side is known;
  otherwise training mirrors every sample, so both chiralities read the same);
- moderate in-plane rotation and the image's aspect ratio: distances and joint angles
  change little, and training augments rotation and anisotropic scaling (see
  :func:`augment_hands`). Full rotation invariance is not wanted: H is a sideways U, and P a
  downward K.

A feature vector is named by :data:`STATIC_SPEC` or :data:`TRAJECTORY_SPEC`; a model stores
the spec it was trained with and refuses data of another spec.
"""

from __future__ import annotations

import numpy as np

STATIC_SPEC = "hand-xy-v1"
"""Static handshape features from 21 (x, y) landmarks (see :func:`static_features`)."""
TRAJECTORY_SPEC = "trajectory16-v1"
"""Dynamic features from 16 fingertip points (see :func:`trajectory_features`)."""
TRAJECTORY_LEN = 16
"""Points in a trajectory, as in hand-gesture-recognition-using-mediapipe's point history."""

NUM_POINTS = 21
_TIPS = (4, 8, 12, 16, 20)
# joint triples (a, b, c): the bend at b; one per finger joint
_ANGLES = np.array(
    [(0, 1, 2), (1, 2, 3), (2, 3, 4)]
    + [(0, 5 + 4 * f, 6 + 4 * f) for f in range(4)]
    + [(5 + 4 * f, 6 + 4 * f, 7 + 4 * f) for f in range(4)]
    + [(6 + 4 * f, 7 + 4 * f, 8 + 4 * f) for f in range(4)]
)
_PAIRS = np.array([(i, j) for i in range(NUM_POINTS) for j in range(i + 1, NUM_POINTS)])
_PAIR_FLAT = _PAIRS[:, 0] * NUM_POINTS + _PAIRS[:, 1]


def normalise_hands(points: np.ndarray, mirror: np.ndarray | bool = False) -> np.ndarray:
    """``(N, 21, 2)`` wrist-relative x, y divided by the hand's RMS radius; rows with
    ``mirror`` true are flipped left-right (a left hand onto a right one)."""
    p = np.asarray(points, np.float64)[..., :2]
    p = p - p[:, :1]
    flip = np.broadcast_to(np.asarray(mirror, bool), (p.shape[0],))
    p[flip, :, 0] *= -1.0
    r = np.sqrt(np.mean(np.sum(p * p, axis=2), axis=1))
    return p / np.maximum(r, 1e-9)[:, None, None]


def static_features(points: np.ndarray, mirror: np.ndarray | bool = False) -> np.ndarray:
    """Features of ``(N, 21, >=2)`` hands: normalised coordinates (42), all pairwise
    distances (210), the cosine of every finger joint's bend (15) and the fingertips'
    distances to the wrist (5). Returns ``(N, 272)`` float32."""
    p = normalise_hands(points, mirror)
    diff = p[:, :, None, :] - p[:, None, :, :]
    d = np.sqrt(np.einsum("nijc,nijc->nij", diff, diff).reshape(len(p), -1)[:, _PAIR_FLAT])
    u = p[:, _ANGLES[:, 0]] - p[:, _ANGLES[:, 1]]
    v = p[:, _ANGLES[:, 2]] - p[:, _ANGLES[:, 1]]
    cos = np.sum(u * v, axis=2) / np.maximum(np.linalg.norm(u, axis=2) * np.linalg.norm(v, axis=2), 1e-9)
    tips = np.linalg.norm(p[:, _TIPS], axis=2)
    return np.concatenate([p.reshape(len(p), -1), d, cos, tips], axis=1).astype(np.float32)


STATIC_SIZE = NUM_POINTS * 2 + len(_PAIRS) + len(_ANGLES) + len(_TIPS)


def augment_hands(
    points: np.ndarray,
    rng: np.random.Generator,
    *,
    rotation: float | np.ndarray = 0.5,
    aspect: tuple[float, float] = (0.56, 1.78),
    tilt: float = 0.35,
    fingers: float = 0.12,
    noise: float = 0.03,
    mirror: bool = True,
) -> np.ndarray:
    """Random copies of ``(N, 21, 2)`` hands, as another person and camera would show them:

    - in-plane rotation (radians, uniform in +-``rotation``; an ``(N,)`` array gives each
      sample its own range, so letters told apart by orientation can keep a narrow one);
    - anisotropic x:y scaling (log-uniform in ``aspect``: an image of unknown aspect ratio);
    - foreshortening along a random direction by up to ``tilt`` (the palm turned a little
      out of the image plane);
    - each finger longer or shorter and turned at its base by up to ``fingers`` (other
      hands' proportions);
    - landmark noise (``noise`` RMS radii) and, if ``mirror``, a random left-right flip.

    Position and size need no augmentation: the features remove them."""
    p = np.asarray(points, np.float64)[..., :2]
    p = p - p[:, :1]
    n = len(p)
    out = p.copy()
    for base in (1, 5, 9, 13, 17):
        s = 1.0 + rng.uniform(-fingers, fingers, n)
        a = rng.uniform(-fingers, fingers, n)
        rel = p[:, base + 1 : base + 4] - p[:, base : base + 1]
        c, si = np.cos(a)[:, None], np.sin(a)[:, None]
        rx = (rel[..., 0] * c - rel[..., 1] * si) * s[:, None]
        ry = (rel[..., 0] * si + rel[..., 1] * c) * s[:, None]
        out[:, base + 1 : base + 4] = p[:, base : base + 1] + np.stack([rx, ry], axis=2)
    # a random 2x2 map: foreshorten along phi, stretch x:y, rotate
    phi = rng.uniform(0, np.pi, n)
    f = 1.0 - rng.uniform(0, tilt, n)
    u = np.stack([np.cos(phi), np.sin(phi)], axis=1)
    m = np.eye(2)[None] - (1.0 - f)[:, None, None] * (u[:, :, None] * u[:, None, :])
    k = np.exp(rng.uniform(np.log(aspect[0]), np.log(aspect[1]), n))
    stretch = np.zeros((n, 2, 2))
    stretch[:, 0, 0] = np.sqrt(k)
    stretch[:, 1, 1] = 1.0 / np.sqrt(k)
    m = np.einsum("nij,njk->nik", stretch, m)
    a = rng.uniform(-rotation, rotation, n)
    r = np.stack([np.stack([np.cos(a), -np.sin(a)], 1), np.stack([np.sin(a), np.cos(a)], 1)], 1)
    m = np.einsum("nij,njk->nik", r, m)
    out = np.einsum("nij,npj->npi", m, out)
    if mirror:
        out[..., 0] *= np.where(rng.random(n) < 0.5, -1.0, 1.0)[:, None]
    rad = np.sqrt(np.mean(np.sum(out * out, axis=2), axis=1))
    return out + rng.normal(0.0, 1.0, out.shape) * (noise * rad)[:, None, None]


def turn_hands_3d(
    points: np.ndarray, rng: np.random.Generator, *, yaw: float = 0.6, pitch: float = 0.6
) -> np.ndarray:
    """``(N, 21, 2)`` x, y of ``(N, 21, 3)`` hands turned out of the image plane about the
    wrist: a random yaw (about the vertical axis) and pitch (about the horizontal one),
    uniform in +-``yaw`` and +-``pitch`` radians, then projected onto the image
    (orthographic: a hand is small beside its distance to the camera).

    Why: another camera sees the same handshape from another direction. In 2D that is no
    affine map (fingers cross and shorten unevenly), so only 3D landmarks (MediaPipe's z,
    in the units of x) can show it. Hands given with 2 columns are returned as they are."""
    p = np.asarray(points, np.float64)
    if p.shape[-1] < 3:
        return p[..., :2] - p[:, :1, :2]
    p = p[..., :3] - p[:, :1, :3]
    n = len(p)
    a = rng.uniform(-yaw, yaw, n)
    b = rng.uniform(-pitch, pitch, n)
    ca, sa, cb, sb = np.cos(a), np.sin(a), np.cos(b), np.sin(b)
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    x, z = x * ca[:, None] + z * sa[:, None], -x * sa[:, None] + z * ca[:, None]
    y = y * cb[:, None] - z * sb[:, None]
    return np.stack([x, y], axis=2)


def augment_hands_3d(
    points: np.ndarray,
    rng: np.random.Generator,
    *,
    yaw: float = 0.6,
    pitch: float = 0.6,
    **kw: object,
) -> np.ndarray:
    """:func:`turn_hands_3d` then :func:`augment_hands` (``kw`` are its options): training
    copies of 3D hands as other cameras and other people would show them in 2D."""
    return augment_hands(turn_hands_3d(points, rng, yaw=yaw, pitch=pitch), rng, **kw)  # type: ignore[arg-type]


def trajectory_features(tracks: np.ndarray) -> np.ndarray:
    """Features of ``(N, 16, 2)`` fingertip tracks, each relative to its first point and
    divided by the image size (the point-history format).

    The raw track keeps how far the finger moved (a held finger that barely moves is a
    "stop"); the track divided by its own extent keeps the shape at any size; the summed
    turning angle and the signed area tell clockwise from counter-clockwise (so tracks
    are never mirrored). Returns ``(N, 69)`` float32."""
    t = np.asarray(tracks, np.float64).reshape(len(tracks), TRAJECTORY_LEN, 2)
    t = t - t[:, :1]
    extent = np.max(np.abs(t), axis=(1, 2))
    shape = t / np.maximum(extent, 1e-3)[:, None, None]
    step = np.diff(t, axis=1)
    length = np.sum(np.linalg.norm(step, axis=2), axis=1)
    heading = np.arctan2(step[..., 1], step[..., 0])
    turn = np.angle(np.exp(1j * np.diff(heading, axis=1)))
    moving = np.linalg.norm(step, axis=2) > 1e-3
    turn = np.where(moving[:, 1:] & moving[:, :-1], turn, 0.0)
    area = 0.5 * np.sum(shape[:, :-1, 0] * shape[:, 1:, 1] - shape[:, 1:, 0] * shape[:, :-1, 1], axis=1)
    scalars = np.stack(
        [
            np.log(extent + 1e-3),
            np.log(length + 1e-3),
            np.sum(turn, axis=1) / (2 * np.pi),
            area,
            np.linalg.norm(t[:, -1], axis=1) / np.maximum(length, 1e-3),
        ],
        axis=1,
    )
    return np.concatenate([t.reshape(len(t), -1) * 10.0, shape.reshape(len(t), -1), scalars], axis=1).astype(
        np.float32
    )


TRAJECTORY_SIZE = TRAJECTORY_LEN * 4 + 5


def augment_tracks(tracks: np.ndarray, rng: np.random.Generator, *, scale: float = 0.25) -> np.ndarray:
    """Random copies of ``(N, 16, 2)`` tracks: size (log-uniform +-``scale``), anisotropic
    x:y scaling within the same range, small rotation, and a little jitter."""
    t = np.asarray(tracks, np.float64).reshape(len(tracks), TRAJECTORY_LEN, 2)
    n = len(t)
    k = np.exp(rng.uniform(-scale, scale, (n, 1, 2)))
    a = rng.uniform(-0.2, 0.2, n)
    c, s = np.cos(a)[:, None], np.sin(a)[:, None]
    t = t * k
    x = t[..., 0] * c - t[..., 1] * s
    y = t[..., 0] * s + t[..., 1] * c
    out = np.stack([x, y], axis=2) + rng.normal(0.0, 0.001, t.shape)
    return out - out[:, :1]


__all__ = [
    "STATIC_SPEC",
    "TRAJECTORY_SPEC",
    "TRAJECTORY_LEN",
    "STATIC_SIZE",
    "TRAJECTORY_SIZE",
    "normalise_hands",
    "static_features",
    "augment_hands",
    "turn_hands_3d",
    "augment_hands_3d",
    "trajectory_features",
    "augment_tracks",
]
