"""`arpose` with no command (or `arpose demo`): the main job, wherever it is started.

With a camera and a display it opens the live mirror with effects; without either (CI,
servers, these build machines) it tracks the built-in sample photo, draws an effect and
the skeleton on it, and writes the picture to a file it names, instead of failing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2

from ..apps.offline import render_image
from ..effects import load_effects
from ..effects.nodes import needs_mask
from ..render.annotate import draw_skeleton, write_image
from ..sources import sample_image_path
from ..tracking.pipeline import track

DEFAULT_EFFECTS = ("top-hat",)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="the default: live mirror with a camera and a display, "
        "else the sample photo with an effect, written to a file",
    )
    p.add_argument(
        "--source",
        default=None,
        help="camera index or file (default: camera 0 when present, else the built-in sample photo)",
    )
    p.add_argument(
        "--effect",
        "-e",
        action="append",
        metavar="NAME_OR_PATH",
        help=f"effect(s) to wear (default: {', '.join(DEFAULT_EFFECTS)})",
    )
    p.add_argument(
        "--output",
        default="arpose-demo.png",
        help="where the headless demo writes its image (default ./arpose-demo.png)",
    )
    p.set_defaults(run=run)


def has_camera(index: int = 0) -> bool:
    """True when camera ``index`` opens and delivers a frame."""
    if sys.platform.startswith("linux") and not Path(f"/dev/video{index}").exists():
        return False
    cap = cv2.VideoCapture(index)
    try:
        return bool(cap.isOpened() and cap.read()[0])
    finally:
        cap.release()


def run_headless(source: str, effects: list[str], output: str) -> int:
    loaded = load_effects(effects)  # a bad effect name fails before any tracking
    with track(source, max_people=2, segmentation=needs_mask(loaded)) as pipeline:
        pose_frame = pipeline.read()
    if pose_frame is None or pose_frame.image is None:
        print(f"arpose: error: {source}: no frame", file=sys.stderr)
        return 1
    image = render_image(loaded, pose_frame.image, pose_frame)
    draw_skeleton(image, pose_frame, thickness=1)
    write_image(output, image)
    people = len(pose_frame.poses)
    print(
        f"arpose: no camera or no display here, so the demo tracked {source} "
        f"({people} person{'s' if people != 1 else ''}), drew {', '.join(effects)} and the "
        f"skeleton, and wrote {Path(output).resolve()}"
    )
    return 0 if people else 1


def run(args: argparse.Namespace) -> int:
    # lazy: the command's implementation loads pygame; only this command needs it, so
    # `arpose --help` and the other commands start without it
    from ..apps.mirror import can_run_live, run_mirror

    effects = list(args.effect or DEFAULT_EFFECTS)
    live_source = args.source if args.source is not None else "0"
    if can_run_live() and live_source.isdigit() and has_camera(int(live_source)):
        run_mirror(effects, int(live_source))  # the live selfie mirror
        return 0
    source = (
        args.source if args.source is not None and not args.source.isdigit() else str(sample_image_path())
    )
    return run_headless(source, effects, args.output)
