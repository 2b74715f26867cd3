"""`arpose joints`: print the joint vocabulary."""

from __future__ import annotations

import argparse
import json

from .. import joints


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("joints", help="list joint names, virtual joints, aliases, COCO/BODY_25 maps")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.json:
        print(
            json.dumps(
                {
                    "landmarks": list(joints.LANDMARK_NAMES),
                    "virtual": joints.VIRTUAL_JOINTS,
                    "aliases": joints.ALIASES,
                    "coco17": [c for c, _ in joints.COCO17],
                    "body25": [{"name": n, "joint": j} for n, j in joints.BODY25],
                    "hand_landmarks": list(joints.HAND_LANDMARK_NAMES),
                    "hand_joints": list(joints.HAND_JOINT_NAMES + joints.HAND_VIRTUAL_NAMES),
                    "openpose_hand": [j for _, j in joints.OPENPOSE_HAND],
                },
                indent=2,
            )
        )
    else:
        print(joints.describe())
    return 0
