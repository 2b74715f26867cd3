"""The rig solver's known-answer round trip on a glTF character's own animation clips.

For every clip (or the ones named), every 1/--fps seconds: pose the character by the clip,
build BlazePose world landmarks and hand landmarks from its joints, solve them with
``arpose.rig.solve_pose``, drive the character with ``arpose.rig.retarget.Retarget`` and
compare its joints with the clip's: mean joint position error (cm, from the hips) and bone
direction error (degrees), per clip and over all frames.

    python tools/eval_rig.py                                   # the shared mannequin, 46 clips
    python tools/eval_rig.py --fps 10 Walk_Loop Dance_Loop     # some clips, denser
    python tools/eval_rig.py --model my.glb --markdown         # another character, a table
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from arpose.rig.gltf import load_gltf
from arpose.rig.retarget import detect_bone_map
from arpose.testing.rig import round_trip

SHARED = Path(os.environ.get("ARPOSE_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
MANNEQUIN = SHARED / "avatars" / "mannequin" / "AnimationLibrary_Godot_Standard.gltf"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", help="clip names (default: all)")
    ap.add_argument("--model", type=Path, default=MANNEQUIN, help="a skinned glTF with clips")
    ap.add_argument("--fps", type=float, default=5.0, help="samples per second of each clip")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    model = load_gltf(args.model)
    bone_map = detect_bone_map(model.names)
    results = [round_trip(model, c, bone_map, fps=args.fps) for c in (args.clips or sorted(model.animations))]
    if args.markdown:
        print("| clip | frames | position (cm) | p95 | direction (deg) | p95 | worst bone |")
        print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        if args.markdown:
            print(
                f"| {r.clip} | {r.frames} | {r.position_cm:.2f} | {r.position_p95_cm:.2f} | "
                f"{r.direction_deg:.2f} | {r.direction_p95_deg:.2f} | {r.worst_bone} |"
            )
        else:
            print(
                f"{r.clip:24s} {r.frames:4d} frames  position {r.position_cm:5.2f} cm "
                f"(p95 {r.position_p95_cm:5.2f})  direction {r.direction_deg:5.2f} deg "
                f"(p95 {r.direction_p95_deg:5.2f})  worst {r.worst_bone}"
            )
    w = np.array([r.frames for r in results])
    pos = np.average([r.position_cm for r in results], weights=w)
    ang = np.average([r.direction_deg for r in results], weights=w)
    under = sum(r.position_cm < 2.0 for r in results), sum(r.direction_deg < 5.0 for r in results)
    print(
        f"\nall {w.sum()} frames of {len(results)} clips: position {pos:.2f} cm, direction {ang:.2f} deg; "
        f"clips under 2 cm: {under[0]}, under 5 deg: {under[1]}"
    )


if __name__ == "__main__":
    main()
