"""`arpose` with no command (or `arpose demo`): the main job, wherever it is started.

With a camera and a display it opens the live mirror; without either (CI, servers,
these build machines) it tracks the built-in sample photo and writes an annotated
image, saying where, instead of failing.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..annotate import draw_skeleton, write_image
from ..pipeline import track
from ..sources import sample_image_path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="the default: live mirror with a camera and a display, "
                                    "else an annotated sample image written to a file")
    p.add_argument("--source", default=None,
                   help="camera index or file (default: camera 0 when present, else the "
                        "built-in sample photo)")
    p.add_argument("--output", default="arpose-demo.png",
                   help="where the headless demo writes its image (default ./arpose-demo.png)")
    p.set_defaults(run=run)


def has_display() -> bool:
    """True when a window can be opened (any desktop OS, or X11/Wayland on Linux)."""
    if os.environ.get("SDL_VIDEODRIVER") in ("dummy", "offscreen"):
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def has_camera(index: int = 0) -> bool:
    """True when camera ``index`` opens and delivers a frame."""
    if sys.platform.startswith("linux") and not Path(f"/dev/video{index}").exists():
        return False
    import cv2
    cap = cv2.VideoCapture(index)
    try:
        return bool(cap.isOpened() and cap.read()[0])
    finally:
        cap.release()


def run_headless(source: str, output: str) -> int:
    with track(source, max_people=2) as pipeline:
        pose_frame = pipeline.read()
    if pose_frame is None or pose_frame.image is None:
        print(f"arpose: error: {source}: no frame", file=sys.stderr)
        return 1
    image = draw_skeleton(pose_frame.image.copy(), pose_frame)
    write_image(output, image)
    people = len(pose_frame.poses)
    print(f"arpose: no camera or no display here, so the demo tracked {source} "
          f"({people} person{'s' if people != 1 else ''}) and wrote {Path(output).resolve()}")
    return 0 if people else 1


def run(args: argparse.Namespace) -> int:
    live_source = args.source if args.source is not None else "0"
    if has_display() and live_source.isdigit() and has_camera(int(live_source)):
        from .mirror import run as run_mirror  # the live selfie mirror
        return run_mirror(argparse.Namespace(source=live_source, effect=[], debug=args.debug))
    return run_headless(args.source if args.source is not None and not args.source.isdigit()
                        else str(sample_image_path()), args.output)
