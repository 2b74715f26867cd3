"""Finding every person on a photo: the pose landmarker again on overlapping square tiles.

MediaPipe's pose detector sees the whole image shrunk to 224 x 224 and, on group photos,
finds one or two people where there are five (measured on the shared COCO photos: 4 of 12
annotated people found on the whole image, with ``num_poses=6`` and any threshold down
to 0.1). A tile holds fewer, larger people, so the detector finds them there. The landmark
model then reads each person from the tile's own pixels, at the photo's resolution.

Tiles are squares of ``fraction`` x the photo's shorter side, overlapping by half, so
every person smaller than a tile lies wholly inside one of them. A person found on a tile
is kept unless it is someone already found (:func:`same_person`), lies inside a larger
one found (:func:`inside_larger`: on close-ups a raised arm looks like a person), lies on
the skeleton of someone found (:func:`on_skeleton`: a fragment or a second copy), or is no
plausible whole person of its own (:func:`plausible`: a barbell plate became a "person"
whose torso pointed at the camera), or does not come back when the landmarker looks again
at crops centred on it (:func:`reappears`: the top-down check); among a person's
copies from several tiles, the one with the best :func:`tile_score` wins: its mean
landmark visibility, times the share of its landmarks not cut off by a tile edge inside
the photo (a person cut by a tile edge gets guessed limbs there). People found on the
whole photo are kept as they are (so a single-person photo gives what it gave before),
unless they lie inside or on a larger person found on a tile who passed the top-down
check (:func:`part_of`: MediaPipe's whole-photo detector at times reports a small
"person" on a lifter's legs and misses the lifter). Photos only (IMAGE mode): in video
the tracker follows people from frame to frame, and nobody pays for tiles there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..pose import VIS, Pose

TILE_FRACTIONS = (1.0, 0.6)
"""Tile sides as fractions of the photo's shorter side (1.0: the photo's squares)."""
MIN_TILE_SCORE = 0.5
"""A person found only on a tile must score at least this (:func:`tile_score`)."""
SAME_PERSON = 0.2
"""Two poses are one person when the median distance of the landmarks both see is at most
this share of the larger one's body size. Measured on the COCO photos' whole-image and
tile poses matched to annotated people: copies of one person 0.005-0.12 apart (median
0.016), different people 0.28 and more (median 1.0)."""
INSIDE = 0.85
LARGER = 1.2
"""A person found on a tile that lies :data:`INSIDE` (share of its box) someone already
found who is :data:`LARGER` times its size is taken for part of that person
(:func:`inside_larger`). Measured: on 20 frames of the ``finger_flexion.mp4`` close-up,
tiles gave a second "person" (its face on the raised hand) in 11 frames (5 of them
looked at: 0.89-1.0 inside the real one at 1.2-4.7x its size), now in none; on the
COCO photos the most-overlapped real pair is 0.75 inside at 1.46x. The thresholds sit
between the two, on these few images. The cost: a child held in front of an adult,
mostly inside their box, is dropped too."""
MAX_TORSO_LEAN = 50.0
"""A person found only on a tile is kept if it is a plausible whole person of its own
(:func:`plausible`): its torso (hips to shoulders) points at or away from the camera by at
most this many degrees, in the landmark model's own 3D estimate (world landmarks). The
model bends a skeleton it fits onto an object or a limb: the "person" tiles made of a
barbell plate above a lifter's head (``exercise/squat_barbell_5.mp4``, frame 0; its
shoulders 1.3 times wider than its torso is long on the picture) leans 59 degrees. Every
tile or whole-photo pose on the COCO and PoseTrack18 photos matched to an annotated person
(OKS >= 0.5) leans at most 35 degrees; every tile pose scoring :data:`MIN_TILE_SCORE` at
most 43. The threshold sits between, on these few images. The cost: someone lying or
leaning far toward the camera is found only if the whole-photo detector finds them
(those are kept as they are). Proportions in 3D (torso 0.48 m, shoulders 0.69 torso
lengths for the plate) and the scale of its bones are those of a person: the model
reports a consistent body; only its lean gives it away."""
ON_SKELETON = 0.65
"""A person found on a tile whose seen landmarks lie, for at least this share, on the
skeleton of someone already found (within 0.15 of its own body size of one of their
bones: :func:`on_skeleton`) is a fragment or a copy of them. Measured: between real
people on the COCO and PoseTrack18 photos at most 0.58 (two overlapping skiers); the
fragments tiles made of one person in the exercise clips (30 frames of each) 0.70, 0.87,
0.91 (dropped) and 0.54 (one left: squat_barbell_5 frame 148)."""
VERIFY_CROPS = (1.25, 1.5, 1.75, 2.0)
"""Sides of the person-centred crops of the top-down check (:func:`reappears`), as
multiples of the person's size (the larger of their seen box's sides and their body
size): from a tight box (1.25, as top-down pose estimators crop) to twice as much context."""
VERIFY_NEED = 2
"""A person found on a tile is kept when the landmarker finds them again, at the same place
(:func:`same_person`), on at least this many (half) of the :data:`VERIFY_CROPS`. Chosen on
the COCO photos: each tile person matched to an annotated person (OKS >= 0.5) came back on
3 or 4 of the 4 crops, the false one (a skier half hidden behind another: his head right,
his legs guessed) on 1, so 2 or 3 would do; 2, because on the one-person exercise frames a
lifter half hidden by his barbell plate comes back on 2 (1.75 and 2 x). Confirmed on the
PoseTrack18 photos: every true tile person comes back on 4 of 4. A single crop is a coin
toss for the borderline (on crops 1.25-2 x in steps of about 0.1 the hidden skier comes
back at 1.6 and 2 x only), hence the vote over several."""
MIN_TILE_SIDE = 96
"""Smaller tiles are not looked at (too few pixels for the pose detector)."""
_CUT_MARGIN = 0.02  # a landmark this close (share of the tile side) to a cut edge counts as cut


@dataclass(frozen=True)
class Tile:
    """A square of the photo: left, top, side in pixels."""

    x: int
    y: int
    side: int


def tiles_for(width: int, height: int, fractions: Sequence[float] = TILE_FRACTIONS) -> list[Tile]:
    """Overlapping square tiles (stride half a side) covering a ``width`` x ``height`` photo."""
    out: list[Tile] = []
    short = min(width, height)
    for f in fractions:
        s = int(round(short * f))
        if s < MIN_TILE_SIDE:
            continue
        nx = max(1, int(np.ceil((width - s) / (s / 2))) + 1)
        ny = max(1, int(np.ceil((height - s) / (s / 2))) + 1)
        if s >= width and s >= height:
            continue  # the whole photo: already looked at
        for y in np.linspace(0, height - s, ny).astype(int):
            for x in np.linspace(0, width - s, nx).astype(int):
                tile = Tile(int(x), int(y), s)
                if tile not in out:
                    out.append(tile)
    return out


def tile_score(pose: Pose, tile: Tile | None, width: int, height: int) -> float:
    """Mean landmark visibility times the share of landmarks not cut by a tile edge that
    lies inside the photo (the photo's own edges cut every copy alike). ``tile`` None:
    the whole photo."""
    lm = pose.landmarks
    vis = float(np.mean(lm[:, VIS]))
    if tile is None:
        return vis
    m = _CUT_MARGIN * tile.side
    x, y = lm[:, 0], lm[:, 1]
    cut = np.zeros(len(lm), bool)
    if tile.x > 0:
        cut |= x < tile.x + m
    if tile.y > 0:
        cut |= y < tile.y + m
    if tile.x + tile.side < width:
        cut |= x > tile.x + tile.side - m
    if tile.y + tile.side < height:
        cut |= y > tile.y + tile.side - m
    return vis * (1.0 - float(np.mean(cut)))


def same_person(a: Pose, b: Pose, share: float = SAME_PERSON) -> bool:
    """Whether two poses are one person: the median distance of the landmarks both see
    (visibility >= 0.5; all 33 when fewer than 4) is at most ``share`` of the larger
    body size. Only the seen ones: a person cut by the photo's edge gets guessed legs
    beyond it, different in every copy (a close-up gave the same person twice when all
    33 counted)."""
    seen = (a.landmarks[:, VIS] >= 0.5) & (b.landmarks[:, VIS] >= 0.5)
    if int(np.count_nonzero(seen)) < 4:
        seen[:] = True
    d = np.linalg.norm(a.landmarks[seen, :2] - b.landmarks[seen, :2], axis=1)
    return float(np.median(d)) <= share * max(a.body_size, b.body_size)


def _seen_box(pose: Pose) -> tuple[float, float, float, float]:
    lm = pose.landmarks
    pts = lm[lm[:, VIS] >= 0.5, :2]
    if len(pts) < 2:
        pts = lm[:, :2]
    return (
        float(np.min(pts[:, 0])),
        float(np.min(pts[:, 1])),
        float(np.max(pts[:, 0])),
        float(np.max(pts[:, 1])),
    )


def inside_larger(small: Pose, big: Pose) -> bool:
    """Whether ``small`` lies mostly (:data:`INSIDE`) within the box of what ``big`` shows
    and ``big`` is at least :data:`LARGER` times its size: on a close-up, a tile shows the
    detector a raised hand and arm as a smaller "person" inside the real one."""
    if big.body_size < LARGER * small.body_size:
        return False
    a, b = _seen_box(small), _seen_box(big)
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = max((a[2] - a[0]) * (a[3] - a[1]), 1.0)
    return ix * iy / area >= INSIDE


def torso_lean(pose: Pose) -> float:
    """Degrees between the torso (hip midpoint to shoulder midpoint, world landmarks) and
    the image plane: 0 upright or lying sideways, 90 pointing at the camera (0 without
    world landmarks: nothing to judge by)."""
    w = pose.world.astype(np.float64)
    v = (w[11] + w[12]) / 2 - (w[23] + w[24]) / 2
    n = float(np.linalg.norm(v))
    return float(np.degrees(np.arcsin(min(abs(v[2]) / n, 1.0)))) if n > 0 else 0.0


def plausible(pose: Pose) -> bool:
    """Whether a person found on a tile looks like a whole person of its own: its torso
    leans at most :data:`MAX_TORSO_LEAN` toward or away from the camera."""
    return torso_lean(pose) <= MAX_TORSO_LEAN


_SKELETON = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24), (23, 25),
    (25, 27), (24, 26), (26, 28), (0, 11), (0, 12), (15, 19), (16, 20), (27, 31), (28, 32),
)  # fmt: skip


def on_skeleton(small: Pose, big: Pose, reach: float = 0.15) -> float:
    """Share of ``small``'s seen landmarks (visibility >= 0.5; all when fewer than 4) lying
    within ``reach`` x its body size of one of ``big``'s seen bones: near 1 for a limb or
    a second copy of ``big`` read as a person, low for someone beside or behind them."""
    ls, lb = small.landmarks, big.landmarks
    seen = ls[:, VIS] >= 0.5
    pts = (ls[seen] if int(np.count_nonzero(seen)) >= 4 else ls)[:, :2].astype(np.float64)
    bones = [(a, b) for a, b in _SKELETON if min(lb[a, VIS], lb[b, VIS]) >= 0.5] or list(_SKELETON)
    a = lb[[i for i, _ in bones], :2].astype(np.float64)  # (B, 2)
    ab = lb[[j for _, j in bones], :2].astype(np.float64) - a
    t = np.clip(
        np.einsum("pbk,bk->pb", pts[:, None, :] - a[None], ab) / np.maximum((ab * ab).sum(1), 1e-9), 0, 1
    )
    d = np.linalg.norm(pts[:, None, :] - (a[None] + t[..., None] * ab[None]), axis=2).min(axis=1)
    return float(np.mean(d <= reach * small.body_size))


def search_tiles(
    image: np.ndarray,
    found: Sequence[Pose],
    limit: int,
    detect: Callable[[np.ndarray, Tile], Sequence[Pose]],
    fractions: Sequence[float] = TILE_FRACTIONS,
    verify: bool = True,
) -> list[Pose]:
    """``found`` (the whole photo's people, kept as they are but for second copies of one
    person) plus the people ``detect`` finds on tiles of ``image`` and nobody found
    before, best first, at most ``limit``; with ``verify``, only those who come back on
    person-centred crops (:func:`reappears`).

    ``detect(patch, tile)`` returns poses in photo pixels (also for the crops).
    """
    kept: list[Pose] = []
    for pose in found:  # MediaPipe's whole-photo result, too, holds one person twice at times
        if not any(copy_of(pose, k) for k in kept):
            kept.append(pose)
    if len(kept) >= limit:
        return kept[:limit]
    n_found = len(kept)
    h, w = image.shape[:2]
    candidates: list[tuple[float, Pose]] = []
    for tile in tiles_for(w, h, fractions):
        patch = image[tile.y : tile.y + tile.side, tile.x : tile.x + tile.side]
        for pose in detect(patch, tile):
            s = tile_score(pose, tile, w, h)
            if s >= MIN_TILE_SCORE and plausible(pose):
                candidates.append((s, pose))
    rejected: list[Pose] = []
    for _, pose in sorted(candidates, key=lambda c: -c[0]):
        if len(kept) >= limit:
            break
        if any(copy_of(pose, k) or inside_larger(pose, k) for k in kept):
            continue
        if any(same_person(pose, r) for r in rejected):
            continue  # another copy of someone who did not come back: no second chance
        if verify and not reappears(pose, image, detect):
            rejected.append(pose)
            continue
        kept.append(pose)
    if verify:  # a whole-photo "person" inside or on a larger one who came back: part of them
        added = kept[n_found:]
        kept = [p for p in kept[:n_found] if not any(part_of(p, a) for a in added)] + added
    return kept


def part_of(pose: Pose, other: Pose) -> bool:
    """Whether ``pose`` lies inside ``other``, a larger person (:func:`inside_larger`), or on
    the skeleton of a larger ``other`` (:func:`on_skeleton`)."""
    if inside_larger(pose, other):
        return True
    return other.body_size > pose.body_size and on_skeleton(pose, other) >= ON_SKELETON


def person_crop(pose: Pose, width: int, height: int, expand: float) -> Tile:
    """A square centred on what ``pose`` shows, ``expand`` x its size (the larger of its
    seen box's sides and its body size), moved inside the photo and no larger than it."""
    x0, y0, x1, y1 = _seen_box(pose)
    side = int(round(expand * max(x1 - x0, y1 - y0, pose.body_size)))
    side = max(1, min(side, width, height))
    x = int(round((x0 + x1 - side) / 2))
    y = int(round((y0 + y1 - side) / 2))
    return Tile(min(max(x, 0), width - side), min(max(y, 0), height - side), side)


def reappears(
    pose: Pose,
    image: np.ndarray,
    detect: Callable[[np.ndarray, Tile], Sequence[Pose]],
    crops: Sequence[float] = VERIFY_CROPS,
    need: int = VERIFY_NEED,
) -> bool:
    """The top-down check: whether the landmarker, run again on square crops centred on
    ``pose`` (:func:`person_crop`, one per ``crops`` size), finds the same person
    (:func:`same_person`) on at least ``need`` of them. A real person comes back on
    nearly every crop; a fragment, or a hidden body's guessed limbs, on few. Stops as
    soon as the answer is known."""
    h, w = image.shape[:2]
    yes = no = 0
    for expand in crops:
        crop = person_crop(pose, w, h, expand)
        patch = image[crop.y : crop.y + crop.side, crop.x : crop.x + crop.side]
        if any(same_person(q, pose) for q in detect(patch, crop)):
            yes += 1
        else:
            no += 1
        if yes >= need or no > len(crops) - need:
            break
    return yes >= need


def copy_of(pose: Pose, other: Pose) -> bool:
    """Whether ``pose`` is ``other`` again (:func:`same_person`) or a fragment of them
    lying on their skeleton (:func:`on_skeleton`)."""
    return same_person(pose, other) or on_skeleton(pose, other) >= ON_SKELETON
