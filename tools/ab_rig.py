"""The rig solver's CPU time against another checkout's, interleaved in one process.

The machine is shared and noisy, so two runs minutes apart differ by more than a small
change of the code. This loads a second copy of arpose (``--base``, e.g. a worktree of
main) under another package name beside this one and times both on the same person-frames,
alternating the order each round: ``solve_pose`` (with a fixed skeleton) and
``RigSolver.update`` (with the image size: root motion), CPU milliseconds per person per
frame, and the per-round ratio this / base.

    python tools/ab_rig.py --base ../main recording.arpose
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np

import arpose.rig as this_rig
from arpose.record import Recording


def _load_base(checkout: Path) -> ModuleType:
    tmp = Path(tempfile.mkdtemp(prefix="arpose-base-"))
    shutil.copytree(checkout / "arpose", tmp / "arpose_base")
    sys.path.insert(0, str(tmp))
    return importlib.import_module("arpose_base.rig")


def _time(rig: ModuleType, poses: list, what: str) -> float:
    if what == "solve_pose":
        skeleton = rig.Skeleton.measure(poses[0][1].world)
        c = time.process_time()
        for _, p in poses:
            rig.solve_pose(p.world, p.landmarks[:, 3], skeleton=skeleton)
    else:
        solvers: dict = {}
        c = time.process_time()
        for pf, p in poses:
            solvers.setdefault(p.id, rig.RigSolver()).update(p, pf.t, image_size=pf.size)
    return (time.process_time() - c) / len(poses) * 1000.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("recording")
    ap.add_argument("--base", type=Path, required=True, help="another arpose checkout (its arpose/ folder)")
    ap.add_argument("--rounds", type=int, default=12)
    args = ap.parse_args()
    base = _load_base(args.base)
    poses = [(pf, p) for r in Recording(args.recording) for pf in [r.to_pose_frame()] for p in pf.poses]
    runs: dict[tuple[str, str], list[float]] = {}
    for k in range(args.rounds):
        order = [("this", this_rig), ("base", base)]
        for name, rig in order if k % 2 else order[::-1]:
            for what in ("solve_pose", "update"):
                runs.setdefault((name, what), []).append(_time(rig, poses, what))
    print(f"{len(poses)} person-frames, {args.rounds} rounds, CPU ms per person per frame (median / min)")
    for what in ("solve_pose", "update"):
        a, b = np.array(runs[("this", what)]), np.array(runs[("base", what)])
        print(
            f"  {what:<11} this {np.median(a):.3f} / {a.min():.3f}   base {np.median(b):.3f} / {b.min():.3f}"
            f"   this/base per round: median {np.median(a / b):.3f}"
        )


if __name__ == "__main__":
    main()
