"""Where a BVH's joints miss a recording's world landmarks, and how steady its root is.

For each person of an ``arpose record`` file: the recording's frames through
:class:`arpose.bvh.BvhWriter` (as ``arpose export --format bvh`` runs it), each file read
back (:func:`arpose.bvh.read_bvh`, its own forward kinematics: Blender's joints equal
these to under 1 mm, see ``tests/integration/test_blender.py``), and the 12 limb joints
(shoulders, elbows, wrists, hips, knees, ankles) compared with the world landmarks, both
from the hip midpoint:

- mean error after **one scale per clip** and after **one scale per frame**, for the file
  as written (the rotations refitted onto the file's skeleton, :func:`arpose.rig.fit.fit_clip`)
  and as before that fit (``BvhWriter(fit=False)``: the solver's rotations laid on the
  median skeleton);
- per joint, and split into frames where the whole body is seen (visibility >= 0.9 on every
  limb landmark) and the others (close-ups);
- references: the solver's rotations on **each frame's own** bone lengths (not one rigid
  skeleton), and the landmarks' own directions laid on the median lengths (what copying
  directions gives: not a floor, the fit beats it); with ``--variants``, the fit's other
  settings (lengths fitted, fitted on one half and applied to the other, no spine aim, no
  limits, unseen bones aimed too);
- the root: depth travel, sideways travel, hip height, and the lower ankle's height.

    python -m arpose record --source ../shared/media/exercise/jumping_jacks_11.mp4 -o jj.arpose --fast
    python tools/eval_bvh.py jj.arpose [--variants]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from arpose.bvh import BVH_NAMES, UNITS_PER_METRE, BvhWriter, read_bvh
from arpose.pose import PoseFrame
from arpose.record import Recording
from arpose.rig import BONE_INDEX, BONES, RigPose, RigSolver, Skeleton
from arpose.rig.fit import fit_clip
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
    """The landmarks' own directions laid on median lengths (what copying directions onto
    one rigid skeleton gives; aiming from the skeleton's own joints does better)."""

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


def _written(
    frames: list[PoseFrame], fit: bool, tmp: Path
) -> tuple[dict[int, tuple[int, np.ndarray]], float]:
    """person -> (first export frame, ``(F, 12, 3)`` the file's joints in metres, rig space),
    and the writer's time (solver, fit and file) in seconds."""
    start = time.perf_counter()
    writer = BvhWriter(tmp / f"fit{int(fit)}.bvh", fit=fit)
    for pf in frames:
        writer.write(pf)
    writer.commit()
    took = time.perf_counter() - start
    out = {}
    for pid in {int(p.id) for pf in frames for p in pf.poses}:
        path = writer.output_for(pid)
        if path in writer.files:  # a file spans the person's first to last appearance
            first = next(k for k, pf in enumerate(frames) if any(int(p.id) == pid for p in pf.poses))
            bvh = read_bvh(path)
            cols = [bvh.names.index(BVH_NAMES[BONES[b]]) for b in BONE_ROWS]
            out[pid] = (first, bvh.positions()[:, cols] / UNITS_PER_METRE)
    return out, took


def _line(e: np.ndarray) -> str:
    return " ".join(f"{n} {x * 100:.1f}" for n, x in zip(NAMES, e.mean(0)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("recording")
    ap.add_argument("--variants", action="store_true", help="also the fit's other settings")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)  # not the writer's "seen in 6 frames only" each round
    people: dict[int, list] = {}
    for k, r in enumerate(Recording(args.recording)):
        pf = r.to_pose_frame()
        for p in pf.poses:
            people.setdefault(int(p.id), []).append((k, pf, p))
    pfs = [r.to_pose_frame() for r in Recording(args.recording)]
    files, took = {}, {True: np.inf, False: np.inf}
    with tempfile.TemporaryDirectory(prefix="eval-bvh-") as tmp:
        for _ in range(3):  # interleaved, best of three: the fit's cost against the writer without it
            for fit in (False, True):
                files[fit], s = _written(pfs, fit, Path(tmp))
                took[fit] = min(took[fit], s)
    print(
        f"BVH writer over {len(pfs)} frames: {took[True] * 1000:.0f} ms with the fit, "
        f"{took[False] * 1000:.0f} ms without ({took[True] / took[False]:.3f}x; best of 3)"
    )
    total: dict[str, list[np.ndarray]] = {"after": [], "before": []}
    for pid, frames in sorted(people.items(), key=lambda kv: -len(kv[1])):
        if pid not in files[True]:
            print(f"person {pid}: {len(frames)} frames, no BVH written")
            continue
        world = np.array([to_rig(p.world) for _, _, p in frames])
        vis = np.array([p.landmarks[:, 3] for _, _, p in frames])
        b = hip_centred(world[:, LMS])
        full = vis[:, 11:29].min(axis=1) >= 0.9
        print(f"person {pid}: {len(frames)} frames ({int(full.sum())} with the whole body seen)")
        flagger, held = RigSolver(), np.zeros(len(frames), bool)
        for i, (_, pf, p) in enumerate(frames):  # frames the solver did not believe (turn-overs)
            flagger.update(p, pf.t, image_size=pf.size)
            held[i] = flagger.held_turn_over
        for label, fit in (("after", True), ("before", False)):
            first, joints = files[fit][pid]
            a = hip_centred(joints[[k - first for k, _, _ in frames]])
            e_clip, e_frame = errors(a, b)
            total[label].append(e_clip.mean(1))
            split = ""
            if full.any() and (~full).any():
                seen_e, other_e = e_clip[full].mean() * 100, e_clip[~full].mean() * 100
                split = f"; whole body seen {seen_e:.2f}, others {other_e:.2f}"
            print(
                f"  BVH {label} the fit: {e_clip.mean() * 100:.2f} cm (one scale per clip), "
                f"{e_frame.mean() * 100:.2f} cm (one scale per frame){split}"
            )
            print(f"    per joint (cm, per clip): {_line(e_clip)}")
            if held.any():
                e_kept, _ = errors(a[~held], b[~held])
                print(
                    f"    without the {int(held.sum())} frames the solver held as a turn-over: "
                    f"{e_kept.mean() * 100:.2f} cm (one scale per clip)"
                )
        solver = RigSolver()
        rigs = [solver.update(p, pf.t, image_size=pf.size) for _, pf, p in frames]
        skel = solver.median_skeleton()
        own = []
        for (_, _, p), r in zip(frames, rigs):
            lengths, hip, _ = measure_lengths(p.world)
            own.append(
                RigPose(
                    r.rotations, r.root, r.confidence, Skeleton.from_lengths(lengths, hip)
                ).joint_positions()[BONE_ROWS]
            )
        e_own, _ = errors(hip_centred(np.array(own)), b)
        copy_clip, copy_frame = errors(hip_centred(rigid_floor(world)[:, LMS]), b)
        print(
            f"  the solver's rotations on each frame's own lengths: {e_own.mean() * 100:.2f} cm; "
            f"landmark directions on median lengths: {copy_clip.mean() * 100:.2f} / "
            f"{copy_frame.mean() * 100:.2f} cm (per clip / per frame)"
        )
        if args.variants:
            raw_world = np.array([p.world for _, _, p in frames])

            def fitted(rs: list, w: np.ndarray, v: np.ndarray, sk: Skeleton, **kw: Any) -> list:
                return fit_clip(rs, w, v, sk, **kw)[0]

            def err(poses: list, sl: slice = slice(None), want: np.ndarray = b) -> float:
                a = hip_centred(np.array([q.joint_positions()[BONE_ROWS] for q in poses]))
                return float(errors(a, want[sl])[0].mean() * 100)

            for name, kw in (
                ("unseen bones kept as the solver held or relaxed them", {"unseen": False}),
                ("lengths fitted too", {"lengths": True}),
                ("no spine aim", {"spine_degrees": 0.0}),
                ("spine aim unbounded, no limits", {"spine_degrees": 180.0, "limits": False}),
                ("one step per limb", {"iterations": 1}),
            ):
                print(f"    variant {name}: {err(fitted(rigs, raw_world, vis, skel, **kw)):.2f} cm")
            h = len(rigs) // 2
            for fit_on, test_on in ((slice(0, h), slice(h, None)), (slice(h, None), slice(0, h))):
                _, sk = fit_clip(rigs[fit_on], raw_world[fit_on], vis[fit_on], skel, lengths=True)
                on = [
                    err(fitted(rigs[test_on], raw_world[test_on], vis[test_on], s), test_on)
                    for s in (sk, skel)
                ]
                print(
                    f"    lengths fitted on frames {fit_on.start or 0}-{(fit_on.stop or len(rigs)) - 1}, "
                    f"applied to the others: {on[0]:.2f} cm (median lengths: {on[1]:.2f} cm)"
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
    for label in ("after", "before"):
        e = np.concatenate(total[label])
        print(
            f"all person-frames with a file, {label} the fit: {e.mean() * 100:.2f} cm over {e.size} "
            "(one scale per person's clip)"
        )


if __name__ == "__main__":
    main()
