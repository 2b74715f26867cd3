"""`arpose mirror`: the live selfie mirror with effects (a pygame OpenGL window)."""

from __future__ import annotations

import argparse

from ..errors import ArposeError
from .play import no_display_problem


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "mirror",
        help="live selfie mirror with effects (webcam, pygame window)",
        description="Shows the camera mirrored with effects on every person. Left/Right "
        "arrows or raising one hand above your head change the effect; P: each "
        "person chooses their own; Space: skeleton; M: mirroring; Esc: quit. "
        "Effect files are hot-reloaded when saved.",
    )
    p.add_argument(
        "--effect",
        "-e",
        action="append",
        metavar="NAME_OR_PATH",
        help="effect(s) to start with (gallery name or .toml); repeat for several "
        "(default: the gallery's first)",
    )
    p.add_argument(
        "--source", "-s", default="0", help="camera index (default 0), or a video, photo or .arpose recording"
    )
    p.add_argument(
        "--max-people",
        type=int,
        default=None,
        metavar="N",
        help="most people to track (default: 8 on a photo, 2 otherwise); 1 or 2 get their own player slot",
    )
    p.add_argument("--per-player", action="store_true", help="each person chooses their own effect")
    p.add_argument("--no-mirror", action="store_true", help="camera view instead of selfie view")
    p.add_argument("--size", metavar="WxH", help="window size (default: the camera's)")
    p.add_argument("--model", metavar="PATH", help="a pose_landmarker .task bundle")
    p.add_argument(
        "--headless", action="store_true", help="no window: draw every frame of a file source offscreen"
    )
    p.add_argument(
        "--video", metavar="OUT.mp4", help="headless: write the frames the window would show to a video"
    )
    p.add_argument(
        "--hands", action="store_true", help="track hands (on by itself when an effect uses a finger joint)"
    )
    p.add_argument(
        "--signs",
        nargs="?",
        const="asl-letters",
        metavar="MODEL",
        help="read fingerspelling and write the text at the bottom (default model asl-letters)",
    )
    p.add_argument(
        "--record-signs",
        metavar="NAME",
        help="store every tracked hand as a sample of sign NAME (R pauses); see --signs-out",
    )
    p.add_argument(
        "--signs-out", default="signs.csv", metavar="FILE.csv", help="sample CSV for --record-signs"
    )
    p.add_argument("--seconds", type=float, metavar="S", help="quit after S seconds (demos, tests)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # lazy: the command's implementation loads pygame; only this command needs it, so
    # `arpose --help` and the other commands start without it
    from ..apps.mirror import run_mirror

    if not args.headless:
        problem = no_display_problem("mirror")
        if problem:
            raise ArposeError(problem)

    size = None
    if args.size:
        try:
            w, h = (int(v) for v in args.size.lower().split("x"))
            size = (w, h)
        except ValueError:
            raise ArposeError(f"--size must look like 1280x720, got {args.size!r}") from None
    stats = run_mirror(
        args.effect,
        args.source,
        size=size,
        max_people=args.max_people,
        flip=not args.no_mirror,
        per_player=args.per_player,
        model=args.model,
        max_seconds=args.seconds,
        headless=args.headless,
        video=args.video,
        hands=args.hands,
        signs=args.signs,
        record_signs=(args.record_signs, args.signs_out) if args.record_signs else None,
    )
    fps = stats.frames_drawn / stats.seconds if stats.seconds else 0.0
    print(
        f"mirror: {stats.frames_drawn} frames drawn in {stats.seconds:.1f} s ({fps:.1f}/s), "
        f"{stats.pose_frames} tracked"
    )
    if args.signs:
        print(f"text: {stats.text.strip()}")
    if args.record_signs:
        print(f"recorded {stats.samples} samples of {args.record_signs!r} -> {args.signs_out}")
    return 0
