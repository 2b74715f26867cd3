"""`arpose bench`: measure tracking, smoothing (and rendering, games, ...) in one run."""

from __future__ import annotations

import argparse
import json
import math
import time

from .. import bench


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        help="measure speed: inference, pipeline vs naive loop, "
        "latency budget (live), smoothing, rendering, effects vs detect",
    )
    p.add_argument(
        "--video",
        "--source",
        dest="video",
        metavar="VIDEO",
        help=f"video to measure on (default: ${bench.VIDEO_ENV} when set, else a "
        "clip made from the built-in sample photo)",
    )
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.add_argument(
        "--full",
        action="store_true",
        help="every section on the whole clip (about 3 minutes here); without it a quick run "
        f"(under a minute): {', '.join(QUICK_SECTIONS)} on {QUICK_FRAMES} frames",
    )
    p.add_argument(
        "--section",
        action="append",
        metavar="NAME",
        help="run only this section (repeatable): " + ", ".join(bench.section_names()),
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="interleaved rounds of naive vs pipelined runs (best of each) and "
        "of detect vs render (effects: medians); default 2 (1 in the quick run)",
    )
    p.add_argument(
        "--live-fps",
        type=float,
        default=30.0,
        help="camera rate for the latency run (default 30, a typical webcam)",
    )
    p.add_argument("--max-frames", type=int, default=None, help="stop each run after N frames")
    p.set_defaults(run=run)


QUICK_SECTIONS = ("tracking", "smoothing", "render", "games")
"""What ``arpose bench`` runs without ``--full`` or ``--section``."""
QUICK_FRAMES = 45


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def run(args: argparse.Namespace) -> int:
    quick = not args.full and not args.section
    options = {
        "rounds": args.rounds if args.rounds is not None else 1 if quick else 2,
        "live_fps": args.live_fps,
        "max_frames": args.max_frames if args.max_frames is not None or not quick else QUICK_FRAMES,
    }
    if quick:
        options["game_rounds"] = 1
    start = time.perf_counter()
    results = bench.run(args.video, list(QUICK_SECTIONS) if quick else args.section, options)
    took = time.perf_counter() - start
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"source: {results.pop('source')}")
    for section, values in results.items():
        print(f"\n[{section}]")
        for key, value in values.items():
            print(f"  {key:<32} {_fmt(value)}")
    if quick:
        print(f"\nquick run in {took:.0f} s; `arpose bench --full` runs every section on the whole clip")
    return 0
