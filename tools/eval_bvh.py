"""Where a BVH's joints miss a recording's world landmarks, and how steady its root is.

For each person of an ``arpose record`` file: the rig solver over their frames (as
``arpose export --format bvh`` runs it), the solved rotations re-posed on the file's one
skeleton (``RigSolver.median_skeleton``; Blender's joints equal these to under 1 mm, see
``tests/integration/test_blender.py``), and the 12 limb joints (shoulders, elbows, wrists,
hips, knees, ankles) compared with the world landmarks, both from the hip midpoint:

- mean error after **one scale per clip** and after **one scale per frame**;
- per joint, and split into frames where the whole body is seen (visibility >= 0.9 on every
  limb landmark) and the others (close-ups);
- two references: the same rotations on **each frame's own** bone lengths (what a rigid
  skeleton costs), and the landmarks' own directions on the median lengths (the floor of
  any one rigid skeleton, whatever the rotations);
- the root: depth travel, sideways travel, hip height, and the lower ankle's height.

    python -m arpose record --source ../shared/media/exercise/jumping_jacks_11.mp4 -o jj.arpose --fast
    python tools/eval_bvh.py jj.arpose
"""

from __future__ import annotations

import argparse

import numpy as np

from arpose.record import Recording
from arpose.rig import BONE_INDEX, RigPose, RigSolver, Skeleton
from arpose.rig.skeleton import measure_lengths, to_rig

# (bone whose head is the joint, BlazePose landmark)
JOINTS = [
    ("leftUpperArm", 11),
    ("leftLowerArm", 13),
    ("leftHand", 15),
    ("rightUpperArm", 12),
    ("rightLowerArm", 14),
    ("rightHand", 16),
    ("leftUpperLeg", 23),
    ("leftLowerLeg", 25),
    ("leftFoot", 27),
    ("rightUpperLeg", 24),
    ("rightLowerLeg", 26),
    ("rightFoot", 28),
]
BONE_ROWS = [BONE_INDEX[b] for b, _ in JOINTS]
LMS = [lm for _, lm in JOINTS]
NAMES = ["sh", "el", "wr", "sh", "el", "wr", "hip", "kn", "an", "hip", "kn", "an"]


def hip_centred(x: np.ndarray) -> np.ndarray:
    return x - 0.5 * (x[:, 6] + x[:, 9])[:, None]


def errors(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(F, J)`` distances after one scale per clip, and after one scale per frame."""
    s = (a * b).sum() / (a * a).sum()
    sf = (a * b).sum(axis=(1, 2)) / (a * a).sum(axis=(1, 2))
    return np.linalg.norm(s * a - b, axis=-1), np.linalg.norm(sf[:, None, None] * a - b, axis=-1)


def rigid_floor(w: np.ndarray) -> np.ndarray:
    """The landmarks' own directions on median lengths: what one rigid skeleton at best gives."""

    def unit(v: np.ndarray) -> np.ndarray:
        return np.asarray(v / np.linalg.norm(v, axis=-1, keepdims=True))

    def med(a: int, b: int) -> float:
        return float(np.median(np.linalg.norm(w[:, a] - w[:, b], axis=-1)))

    out = np.zeros_like(w)
    hip_mid, sho_mid = 0.5 * (w[:, 23] + w[:, 24]), 0.5 * (w[:, 11] + w[:, 12])
    torso = float(np.median(np.linalg.norm(sho_mid - hip_mid, axis=-1)))
    across_h, across_s = unit(w[:, 23] - w[:, 24]), unit(w[:, 11] - w[:, 12])
    out[:, 23], out[:, 24] = hip_mid + across_h * med(23, 24) / 2, hip_mid - across_h * med(23, 24) / 2
    top = hip_mid + unit(sho_mid - hip_mid) * torso
    out[:, 11], out[:, 12] = top + across_s * med(11, 12) / 2, top - across_s * med(11, 12) / 2
    for chain in ((23, 25, 27), (24, 26, 28), (11, 13, 15), (12, 14, 16)):
        for a, b in zip(chain[:-1], chain[1:]):
            out[:, b] = out[:, a] + unit(w[:, b] - w[:, a]) * med(a, b)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("recording")
    args = ap.parse_args()
    people: dict[int, list] = {}
    for r in Recording(args.recording):
        pf = r.to_pose_frame()
        for p in pf.poses:
            people.setdefault(int(p.id), []).append((pf, p))
    for pid, frames in sorted(people.items(), key=lambda kv: -len(kv[1])):
        solver = RigSolver()
        rigs = [solver.update(p, pf.t, image_size=pf.size) for pf, p in frames]
        skel = solver.median_skeleton()
        world = np.array([to_rig(p.world) for _, p in frames])
        vis = np.array([p.landmarks[:, 3] for _, p in frames])
        b = hip_centred(world[:, LMS])
        a = hip_centred(
            np.array(
                [RigPose(r.rotations, r.root, r.confidence, skel).joint_positions()[BONE_ROWS] for r in rigs]
            )
        )
        own = []
        for (_, p), r in zip(frames, rigs):
            lengths, hip, _ = measure_lengths(p.world)
            own.append(
                RigPose(
                    r.rotations, r.root, r.confidence, Skeleton.from_lengths(lengths, hip)
                ).joint_positions()[BONE_ROWS]
            )
        e_clip, e_frame = errors(a, b)
        full = vis[:, 11:29].min(axis=1) >= 0.9
        print(f"person {pid}: {len(frames)} frames ({int(full.sum())} with the whole body seen)")
        print(
            f"  BVH joints vs landmarks: {e_clip.mean() * 100:.2f} cm (one scale per clip), "
            f"{e_frame.mean() * 100:.2f} cm (one scale per frame)"
        )
        if full.any() and (~full).any():
            print(
                f"  whole body seen: {e_clip[full].mean() * 100:.2f} cm; "
                f"the other frames: {e_clip[~full].mean() * 100:.2f} cm"
            )
        print(
            "  per joint (cm, per clip): "
            + " ".join(f"{n} {e * 100:.1f}" for n, e in zip(NAMES, e_clip.mean(0)))
        )
        e_own, _ = errors(hip_centred(np.array(own)), b)
        floor_clip, floor_frame = errors(hip_centred(rigid_floor(world)[:, LMS]), b)
        print(
            f"  the same rotations on each frame's own lengths: {e_own.mean() * 100:.2f} cm; "
            f"landmark directions on median lengths (any rigid skeleton's floor): "
            f"{floor_clip.mean() * 100:.2f} / {floor_frame.mean() * 100:.2f} cm"
        )
        sw = np.linalg.norm(world[:, 11] - world[:, 12], axis=-1) * 100
        pct = " / ".join(f"{x:.1f}" for x in np.percentile(sw, [10, 50, 90]))
        print(f"  shoulder width p10/p50/p90: {pct} cm")
        root = np.array([r.root for r in rigs])
        pos = [RigPose(r.rotations, r.root, r.confidence, skel).joint_positions() for r in rigs]
        ankle = (
            np.array([min(j[BONE_INDEX["leftFoot"], 1], j[BONE_INDEX["rightFoot"], 1]) for j in pos]) * 100
        )
        print(
            f"  root: depth travel {np.ptp(root[:, 2]) * 100:.0f} cm (sd {root[:, 2].std() * 100:.1f}), "
            f"sideways {np.ptp(root[:, 0]) * 100:.0f} cm, hip height p5-p95 "
            f"{np.percentile(root[:, 1], 5) * 100:.0f}-{np.percentile(root[:, 1], 95) * 100:.0f} cm, "
            f"lower ankle median {np.median(ankle):.0f} cm (p10 {np.percentile(ankle, 10):.0f})"
        )


if __name__ == "__main__":
    main()
