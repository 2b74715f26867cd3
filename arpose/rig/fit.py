"""fit_clip: a whole clip's solved rotations refitted onto one rigid skeleton (offline).

:class:`~arpose.rig.RigSolver` solves each frame on that frame's own bone lengths (the live
avatar path). A file with **one skeleton for the whole clip** (BVH) then lays those
rotations on fixed lengths, and the error accumulates down each chain: a shoulder placed
2 cm off by the fixed shoulder width carries its 2 cm to the elbow and the wrist. A writer
that sees the whole clip can do better, on the same rotations:

- **aim on the fixed skeleton** (what ``arpose.bvh.BvhWriter`` does): the spine is
  turned (by at most ``spine_degrees``) so that the chest's tail lands between the shoulder
  landmarks; each limb's two bones (upper arm and forearm, thigh and shin) are turned, from
  where the fixed skeleton puts the limb's root joint, to minimise the squared distance of
  its middle and end joints to their landmarks (a few alternating steps of the exact
  two-bone least squares). Each bone turns by the smallest rotation, so the solver's
  twists (the limb's bend plane, the forearm's roll) are kept; bones the solver did not see
  (held, then relaxed to a neutral pose) are aimed at the tracker's guesses too, unless
  ``unseen=False``; the local rotations are then held to :data:`~arpose.rig.LIMITS` as
  the solver's are;
- **lengths fitted to the clip** (``lengths=True``, off by default): with the directions
  known, the joints relative to the hips are linear in the bone lengths (hip half-width,
  torso, shoulder, upper arm, forearm, thigh, shin: left and right shared), so least
  squares over the landmarks seen gives the lengths that best carry the clip. Measured: no
  gain over the median lengths on frames the lengths were not fitted on
  (``docs/measurements/2026-12-07-engines.md``).

Nothing here runs per live frame: the solver's cost does not change.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import quat
from .rigpose import RigPose, global_rotations
from .skeleton import (
    BONE_INDEX,
    FINGER_SEGMENTS,
    FINGERS,
    LM,
    PARENT_INDEX,
    REST_DIRECTIONS,
    TORSO_SHARE,
    Skeleton,
    to_rig,
    unit,
)
from .solve import apply_limits

_I = BONE_INDEX
_NUM_BODY = 19  # the bones before the fingers: the only ones refitted
# (upper bone, lower bone, landmark of the middle joint, of the end joint) per limb
_LIMBS = [
    (_I[f"{s}{upper}"], _I[f"{s}{lower}"], LM[f"{s}_{mid}"], LM[f"{s}_{end}"])
    for upper, lower, mid, end in (
        ("UpperArm", "LowerArm", "elbow", "wrist"),
        ("UpperLeg", "LowerLeg", "knee", "ankle"),
    )
    for s in ("left", "right")
]
_SHO = np.array([LM["left_shoulder"], LM["right_shoulder"]])
_HIP = np.array([LM["left_hip"], LM["right_hip"]])
_FINGER_BASE_ROWS = np.array([_I[f"left{f}{FINGER_SEGMENTS[f][0]}"] for f in FINGERS])
# the bones whose local rotation can change (their own global or their parent's did)
_CHANGED = np.array(
    [_I[b] for b in ("spine", "chest")]
    + [
        _I[s + p]
        for s in ("left", "right")
        for p in ("UpperArm", "LowerArm", "Hand", "UpperLeg", "LowerLeg", "Foot")
    ]
)
# the lengths fitted: name -> the bones that share it
_PARAMS = ("hip_half", "torso", "Shoulder", "UpperArm", "LowerArm", "UpperLeg", "LowerLeg")
# the twelve joints compared: (landmark, bone whose head sits on it)
JOINTS = (
    ("left_shoulder", "leftUpperArm"),
    ("left_elbow", "leftLowerArm"),
    ("left_wrist", "leftHand"),
    ("right_shoulder", "rightUpperArm"),
    ("right_elbow", "rightLowerArm"),
    ("right_wrist", "rightHand"),
    ("left_hip", "leftUpperLeg"),
    ("left_knee", "leftLowerLeg"),
    ("left_ankle", "leftFoot"),
    ("right_hip", "rightUpperLeg"),
    ("right_knee", "rightLowerLeg"),
    ("right_ankle", "rightFoot"),
)
"""The limb joints a fit is judged on: (BlazePose landmark, bone whose head sits on it)."""
_J_LM = np.array([LM[lm] for lm, _ in JOINTS])


def _dirs(g: np.ndarray, rows: np.ndarray | int) -> np.ndarray:
    """The posed rest directions of bones ``rows``: ``(F, ..., 3)``."""
    return np.asarray(np.einsum("f...ij,...j->f...i", g[:, rows], REST_DIRECTIONS[rows]))


def _turn(g: np.ndarray, row: int, new_dir: np.ndarray, ok: np.ndarray, most: float = np.pi) -> None:
    """Turn bone ``row``'s global rotation (in place) by the smallest rotation taking its
    direction onto ``new_dir`` (by at most ``most`` radians), in the frames where ``ok``."""
    q = quat.between(_dirs(g, row), new_dir)
    if most < np.pi:
        q = quat.scale_angle(q, np.minimum(1.0, most / np.maximum(quat.angle(q), 1e-9)))
    r = quat.to_matrix(q)
    g[:, row] = np.where(ok[:, None, None], r @ g[:, row], g[:, row])


def _top(g: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The chest's tail (where the shoulders start) from the hips' head: ``(F, 3)``."""
    return np.asarray(sum(lengths[_I[b]] * _dirs(g, _I[b]) for b in ("hips", "spine", "chest")))


def _aim(
    g: np.ndarray,
    skel: Skeleton,
    target: np.ndarray,
    seen: np.ndarray,
    iterations: int,
    spine_most: float,
) -> None:
    """Turn the spine and the limbs of globals ``g`` (``(F, 19, 3, 3)``, in place) towards the
    hip-centred rig-space landmarks ``target`` on skeleton ``skel``."""
    lengths, off = skel.lengths, skel.offsets
    # the spine: the chest's tail between the shoulder landmarks (hips and chest kept)
    want = target[:, _SHO].mean(axis=1)
    rest = lengths[_I["hips"]] * _dirs(g, _I["hips"]) + lengths[_I["chest"]] * _dirs(g, _I["chest"])
    if spine_most > 0:
        _turn(g, _I["spine"], unit(want - rest), seen[:, _I["spine"]], spine_most)
    top = _top(g, lengths)
    for upper, lower, mid, end in _LIMBS:
        parent = PARENT_INDEX[upper]
        base = top if parent != _I["hips"] else np.zeros_like(top)
        s = base + np.einsum("fij,j->fi", g[:, parent], off[upper])
        l1, l2 = lengths[upper], lengths[lower]
        u0, v0 = _dirs(g, upper), _dirs(g, lower)
        see1, see2 = seen[:, upper], seen[:, lower]
        e, w = target[:, mid] - s, target[:, end] - s
        u, v = u0, v0
        for _ in range(iterations):  # the two-bone least squares, alternating
            v = np.where(see2[:, None], unit(w - l1 * u), v0)
            u = np.where(see1[:, None], unit(e + see2[:, None] * (w - l2 * v)), u0)
        v = np.where(see2[:, None], unit(w - l1 * u), v0)
        _turn(g, upper, u, see1)
        # the lower bone's global is set from its new direction: turn from where it was
        _turn(g, lower, v, see2)


def _params(skel: Skeleton) -> np.ndarray:
    ln = skel.lengths
    return np.array(
        [
            skel.offsets[_I["leftUpperLeg"], 0],
            ln[_I["chest"]] / TORSO_SHARE[2],
            ln[_I["leftShoulder"]],
            ln[_I["leftUpperArm"]],
            ln[_I["leftLowerArm"]],
            ln[_I["leftUpperLeg"]],
            ln[_I["leftLowerLeg"]],
        ]
    )


def _design(g: np.ndarray, skel: Skeleton) -> np.ndarray:
    """``(F, 7 params, 12 joints, 3)``: each joint is the sum over the :data:`_PARAMS` of the
    parameter times this vector (left and right bones of a pair are taken as equally long;
    a skeleton whose sides differ is read through its left side)."""
    n = g.shape[0]
    a = np.zeros((n, len(_PARAMS), len(JOINTS), 3))
    torso = sum(share * _dirs(g, _I[b]) for share, b in zip(TORSO_SHARE, ("hips", "spine", "chest")))
    for k, side in enumerate(("left", "right")):
        j0 = 3 * k
        sho = _dirs(g, _I[f"{side}Shoulder"])
        ua, la = _dirs(g, _I[f"{side}UpperArm"]), _dirs(g, _I[f"{side}LowerArm"])
        for j in range(3):
            a[:, 1, j0 + j] = torso
            a[:, 2, j0 + j] = sho
        a[:, 3, j0 + 1 : j0 + 3] = ua[:, None]
        a[:, 4, j0 + 2] = la
        j0 = 6 + 3 * k
        across = g[:, _I["hips"], :, 0] * (1.0 if side == "left" else -1.0)
        ul, ll = _dirs(g, _I[f"{side}UpperLeg"]), _dirs(g, _I[f"{side}LowerLeg"])
        a[:, 0, j0 : j0 + 3] = across[:, None]
        a[:, 5, j0 + 1 : j0 + 3] = ul[:, None]
        a[:, 6, j0 + 2] = ll
    return a


def _with_params(skel: Skeleton, p: np.ndarray) -> Skeleton:
    lengths = skel.lengths.copy()
    for share, b in zip(TORSO_SHARE, ("hips", "spine", "chest")):
        lengths[_I[b]] = share * p[1]
    for k, part in enumerate(_PARAMS[2:], start=2):
        lengths[[_I["left" + part], _I["right" + part]]] = p[k]
    return Skeleton.from_lengths(lengths, float(p[0]), skel.offsets[_FINGER_BASE_ROWS])


def _fit_lengths(g: np.ndarray, skel: Skeleton, target: np.ndarray, weight: np.ndarray) -> Skeleton:
    """Least-squares lengths for directions ``g``, each parameter kept within half and
    twice the skeleton's own (a clip too short or too unseen to show one keeps it)."""
    a = _design(g, skel)  # (F, P, J, 3)
    w = weight[:, None, :, None]
    ata = np.einsum("fpjd,fqjd->pq", a * w, a)
    atb = np.einsum("fpjd,fjd->p", a * w, target[:, _J_LM])
    p0 = _params(skel)
    if np.linalg.matrix_rank(ata) < len(_PARAMS):
        return skel
    p = np.clip(np.linalg.solve(ata, atb), 0.5 * p0, 2.0 * p0)
    return _with_params(skel, p)


def fit_clip(
    poses: Sequence[RigPose],
    world: np.ndarray,
    visibility: np.ndarray,
    skeleton: Skeleton,
    *,
    aim: bool = True,
    lengths: bool = False,
    rounds: int = 1,
    iterations: int = 4,
    min_visibility: float = 0.5,
    spine_degrees: float = 30.0,
    limits: bool = True,
    unseen: bool = True,
) -> tuple[list[RigPose], Skeleton]:
    """One person's solved poses refitted onto one skeleton for the whole clip.

    Args:
        poses: the :class:`~arpose.rig.RigSolver`'s poses, one per frame the person is seen.
        world: ``(F, 33, 3)`` the same frames' MediaPipe world landmarks (metres).
        visibility: ``(F, 33)`` their visibility.
        skeleton: the starting skeleton (:meth:`~arpose.rig.RigSolver.median_skeleton`).
        aim: turn the spine and limbs towards the landmarks on the fixed skeleton.
        lengths: fit the body's bone lengths to the clip (least squares), alternating with
            the aim for ``rounds``.
        iterations: alternating steps of each limb's two-bone least squares.
        min_visibility: landmarks below this do not count in the lengths' fit.
        spine_degrees: the spine turns at most this far from the solver's (a close-up's
            guessed shoulders would otherwise fold it over).
        limits: hold the local rotations to :data:`~arpose.rig.LIMITS`.
        unseen: aim the bones the solver did not see too (confidence 0: landmarks below
            its ``min_visibility``), at the tracker's guessed landmarks, rather than keep
            the solver's held or relaxed rotation (made for a live avatar, where a guess
            jitters; a file then disagrees with the landmarks exported beside it, by
            30 cm at an occluded arm in a side view).

    Returns the poses (roots and confidences unchanged, every pose on the returned
    skeleton) and that skeleton. Fingers, hands, feet, neck and head keep their global
    rotations.
    """
    world = np.asarray(world, np.float64)
    n = len(poses)
    if world.shape != (n, 33, 3) or np.shape(visibility) != (n, 33):
        raise ValueError(f"world must be ({n}, 33, 3) and visibility ({n}, 33) for {n} poses")
    if n == 0 or not (aim or lengths):
        return [RigPose(p.rotations, p.root, p.confidence, skeleton) for p in poses], skeleton
    local = np.stack([p.rotations for p in poses]).astype(np.float64)
    p = to_rig(world)
    seen = np.stack([q.confidence for q in poses]) > 0
    if unseen:
        seen = np.ones_like(seen)
    seen &= np.isfinite(p).all(axis=(1, 2))[:, None]
    target = p - p[:, _HIP].mean(axis=1, keepdims=True)
    weight = (np.asarray(visibility)[:, _J_LM] >= min_visibility).astype(np.float64)
    g0 = quat.to_matrix(global_rotations(local)[:, :_NUM_BODY])
    spine_most = float(np.radians(spine_degrees))
    skel = skeleton
    for _ in range(rounds if lengths else 0):
        g = g0.copy()
        if aim:
            _aim(g, skel, target, seen, iterations, spine_most)
        skel = _fit_lengths(g, skel, target, weight)
    g = g0.copy()
    if aim:
        _aim(g, skel, target, seen, iterations, spine_most)
    parent = g[:, np.maximum(PARENT_INDEX[_CHANGED], 0)]
    new = quat.from_matrix(np.swapaxes(parent, -1, -2) @ g[:, _CHANGED])
    out = local.copy()
    out[:, _CHANGED] = new
    if limits:
        out = apply_limits(out)
    for f in range(1, n):  # one hemisphere from frame to frame
        out[f] = quat.align(out[f], out[f - 1])
    out32 = out.astype(np.float32)
    return [RigPose(out32[f], q.root, q.confidence, skel) for f, q in enumerate(poses)], skel


__all__ = ["JOINTS", "fit_clip"]
