"""Small quaternion maths, vectorised over leading axes.

Quaternions are ``(..., 4)`` arrays in ``(x, y, z, w)`` order (glTF's and pyrr's), rotation
matrices ``(..., 3, 3)`` act on column vectors. Everything here is plain numpy so the solver
can work on all bones of a frame at once (a per-bone Python loop would cost more than the
whole solve's budget).
"""

from __future__ import annotations

import numpy as np

IDENTITY = np.array([0.0, 0.0, 0.0, 1.0])
_EPS = 1e-9


def norm(v: np.ndarray) -> np.ndarray:
    """Length along the last axis (cheaper than ``np.linalg.norm`` on small arrays)."""
    return np.asarray(np.sqrt((v * v).sum(axis=-1)))


def normalize(q: np.ndarray) -> np.ndarray:
    """Unit length along the last axis (a zero vector stays zero)."""
    return np.asarray(q / np.maximum(norm(q), _EPS)[..., None])


_C1, _C2 = np.array([1, 2, 0]), np.array([2, 0, 1])


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product over the last axis (``np.cross`` costs several times more on the
    small arrays a frame's bones make)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    # ``take`` with an index array: a fifth of the cost of indexing with a list
    return np.asarray(
        a.take(_C1, axis=-1) * b.take(_C2, axis=-1) - a.take(_C2, axis=-1) * b.take(_C1, axis=-1)
    )


def mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product ``a * b`` (apply ``b`` first, then ``a``)."""
    ax, ay, az, aw = np.moveaxis(np.asarray(a, np.float64), -1, 0)
    bx, by, bz, bw = np.moveaxis(np.asarray(b, np.float64), -1, 0)
    return np.stack(
        [
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ],
        axis=-1,
    )


def conj(q: np.ndarray) -> np.ndarray:
    """The inverse of a unit quaternion."""
    return np.asarray(q) * np.array([-1.0, -1.0, -1.0, 1.0])


def rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v (..., 3)`` by unit quaternions ``q (..., 4)``."""
    q = np.asarray(q, np.float64)
    u, w = q[..., :3], q[..., 3:4]
    t = 2.0 * cross(u, v)
    return np.asarray(v + w * t + cross(u, t))


def from_axis_angle(axis: np.ndarray, angle: np.ndarray | float) -> np.ndarray:
    """Rotation by ``angle`` radians about ``axis`` (need not be unit length)."""
    axis = normalize(np.asarray(axis, np.float64))
    half = 0.5 * np.asarray(angle, np.float64)[..., None]
    return np.concatenate([axis * np.sin(half), np.cos(half)], axis=-1)


def to_matrix(q: np.ndarray) -> np.ndarray:
    """``(..., 3, 3)`` rotation matrices of unit quaternions."""
    x, y, z, w = np.moveaxis(np.asarray(q, np.float64), -1, 0)
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
            np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
            np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
        ],
        axis=-2,
    )


def from_matrix(m: np.ndarray) -> np.ndarray:
    """Unit quaternions of ``(..., 3, 3)`` rotation matrices (Shepperd's method: every
    branch computed, the best conditioned one picked per matrix)."""
    m = np.asarray(m, np.float64)
    m00, m11, m22 = m[..., 0, 0], m[..., 1, 1], m[..., 2, 2]
    tr = m00 + m11 + m22
    cands = np.stack(
        [
            np.stack(
                [
                    m[..., 2, 1] - m[..., 1, 2],
                    m[..., 0, 2] - m[..., 2, 0],
                    m[..., 1, 0] - m[..., 0, 1],
                    1 + tr,
                ],
                -1,
            ),
            np.stack(
                [
                    1 + m00 - m11 - m22,
                    m[..., 0, 1] + m[..., 1, 0],
                    m[..., 0, 2] + m[..., 2, 0],
                    m[..., 2, 1] - m[..., 1, 2],
                ],
                -1,
            ),
            np.stack(
                [
                    m[..., 0, 1] + m[..., 1, 0],
                    1 + m11 - m00 - m22,
                    m[..., 1, 2] + m[..., 2, 1],
                    m[..., 0, 2] - m[..., 2, 0],
                ],
                -1,
            ),
            np.stack(
                [
                    m[..., 0, 2] + m[..., 2, 0],
                    m[..., 1, 2] + m[..., 2, 1],
                    1 + m22 - m00 - m11,
                    m[..., 1, 0] - m[..., 0, 1],
                ],
                -1,
            ),
        ],
        axis=-2,
    )
    pick = np.argmax(np.stack([tr, m00, m11, m22], -1), axis=-1)
    q = np.take_along_axis(cands, pick[..., None, None], axis=-2)[..., 0, :]
    return normalize(q)


def between(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The smallest rotation taking direction ``u`` to direction ``v`` (both ``(..., 3)``).
    Opposite directions turn half a turn about an axis perpendicular to ``u``."""
    u, v = normalize(np.asarray(u, np.float64)), normalize(np.asarray(v, np.float64))
    d = np.sum(u * v, axis=-1, keepdims=True)
    c = cross(u, v)
    q = np.concatenate([c, 1.0 + d], axis=-1)
    opposite = (1.0 + d[..., 0]) < 1e-8
    if np.any(opposite):
        uo = u[opposite] if u.ndim > 1 else u[None]
        alt = np.cross(uo, [1.0, 0.0, 0.0])
        weak = np.linalg.norm(alt, axis=-1) < 1e-6
        alt[weak] = np.cross(uo[weak], [0.0, 1.0, 0.0])
        fill = np.concatenate([normalize(alt), np.zeros((len(alt), 1))], axis=-1)
        if q.ndim > 1:
            q[opposite] = fill
        else:
            q = fill[0]
    return normalize(q)


def align(q: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """``q`` or ``-q`` (the same rotation), whichever is nearer ``ref``: keeps a sequence of
    quaternions continuous for filters and interpolation."""
    s = np.sign(np.sum(q * ref, axis=-1, keepdims=True))
    return np.asarray(q * np.where(s == 0, 1.0, s))


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    """Spherical interpolation from ``a`` (t=0) to ``b`` (t=1), the short way round."""
    a = np.asarray(a, np.float64)
    b = align(np.asarray(b, np.float64), a)
    t = np.asarray(t, np.float64)[..., None] if np.ndim(t) else np.asarray(t, np.float64)
    d = np.clip(np.sum(a * b, axis=-1, keepdims=True), -1.0, 1.0)
    theta = np.arccos(d)
    s = np.sin(theta)
    small = s < 1e-6
    wa = np.where(small, 1.0 - t, np.sin((1.0 - t) * theta) / np.where(small, 1.0, s))
    wb = np.where(small, t, np.sin(t * theta) / np.where(small, 1.0, s))
    return normalize(wa * a + wb * b)


def angle(q: np.ndarray) -> np.ndarray:
    """Rotation angle in radians, in ``[0, pi]``."""
    q = np.asarray(q, np.float64)
    return np.asarray(2.0 * np.arctan2(np.linalg.norm(q[..., :3], axis=-1), np.abs(q[..., 3])))


def swing_twist(q: np.ndarray, axis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split ``q = swing * twist``: twist about the unit ``axis`` and a swing that moves it."""
    q = np.asarray(q, np.float64)
    axis = np.asarray(axis, np.float64)
    p = np.sum(q[..., :3] * axis, axis=-1, keepdims=True) * axis
    twist = np.concatenate([p, q[..., 3:4]], axis=-1)
    n = np.linalg.norm(twist, axis=-1, keepdims=True)
    twist = np.where(n < 1e-9, IDENTITY, twist / np.maximum(n, 1e-12))
    swing = mul(q, conj(twist))
    return swing, twist


def scale_angle(q: np.ndarray, factor: np.ndarray | float) -> np.ndarray:
    """The rotation about the same axis by ``factor`` times the angle (``factor`` in [0, 1])."""
    return slerp(np.broadcast_to(IDENTITY, np.shape(q)), q, factor)
