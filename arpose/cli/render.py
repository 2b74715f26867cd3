"""`arpose render`: effects on a photo or video, offline and headless."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "render", help="render effects onto a photo or video (offline, headless)",
        description="Tracks the people in SOURCE and draws the effects on them, writing "
                    "exactly the frames the live mirror would show. A photo gives a .png or "
                    ".jpg; a video gives an .mp4 (a progress bar shows on stderr).")
    p.add_argument("--effect", "-e", action="append", required=True, metavar="NAME_OR_PATH",
                   help="a gallery name (top-hat, sunglasses, ...) or an effect .toml file; "
                        "repeat for several effects at once")
    p.add_argument("--source", "-s", required=True, metavar="IMAGE_OR_VIDEO",
                   help="a photo, a video file, a folder of images or a .arpose recording")
    p.add_argument("--output", "-o", required=True, metavar="OUT",
                   help="output file: .png or .jpg (photo), .mp4 (video)")
    p.add_argument("--mirror", action="store_true",
                   help="selfie view: flip the picture (content stays on the user's own "
                        "left/right)")
    p.add_argument("--max-people", type=int, default=2, metavar="N",
                   help="most people to track; each gets their own copy (default 2)")
    p.add_argument("--model", metavar="PATH", help="a pose_landmarker .task bundle")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--hands", action="store_true",
                   help="track hands (on by itself when an effect uses a finger joint)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..effects.compose import render_source

    stats = render_source(args.effect, args.source, args.output, mirror=args.mirror,
                          max_people=args.max_people, model=args.model,
                          progress=not args.no_progress and sys.stderr.isatty(),
                          hands=args.hands)
    if stats.people_frames == 0:
        print(f"arpose: warning: nobody found in {args.source}; wrote the picture "
              f"without effects", file=sys.stderr)
    if stats.frames == 1:
        print(f"wrote {stats.output}")
    else:
        print(f"wrote {stats.output}: {stats.frames} frames in {stats.seconds:.1f} s "
              f"({stats.fps:.1f} frames/s), people in {stats.people_frames}")
    return 0
