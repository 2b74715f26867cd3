"""`arpose blender`: write the Blender add-on's installable zip."""

from __future__ import annotations

import argparse
import sys

from ..blender import ADDON_NAME, build_addon_zip
from ..errors import printable


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "blender",
        help="write the Blender add-on (live VMC driving, arpose BVH import) as an installable zip",
        description="Install it in Blender: Edit > Preferences > Add-ons > Install..., pick the zip, "
        "enable 'arpose'. Then the 3D viewport's sidebar has an arpose tab.",
    )
    p.add_argument(
        "--output", "-o", default=f"{ADDON_NAME}.zip", help=f"the zip to write (default {ADDON_NAME}.zip)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = build_addon_zip(args.output)
    print(f"arpose: wrote the Blender add-on to {printable(out)}", file=sys.stderr)
    return 0
