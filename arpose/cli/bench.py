"""`arpose bench`: measure tracking, smoothing (and rendering, games, ...) in one run."""

from __future__ import annotations

import argparse
import json
import math

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
        "--section",
        action="append",
        metavar="NAME",
        help="run only this section (repeatable): " + ", ".join(bench.section_names()),
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="interleaved rounds of naive vs pipelined runs (best of each) and "
        "of detect vs render (effects: medians)",
    )
    p.add_argument(
        "--live-fps",
        type=float,
        default=30.0,
        help="camera rate for the latency run (default 30, a typical webcam)",
    )
    p.add_argument("--max-frames", type=int, default=None, help="stop each run after N frames")
    p.set_defaults(run=run)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def run(args: argparse.Namespace) -> int:
    results = bench.run(
        args.video,
        args.section,
        {"rounds": args.rounds, "live_fps": args.live_fps, "max_frames": args.max_frames},
    )
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"source: {results.pop('source')}")
    for section, values in results.items():
        print(f"\n[{section}]")
        for key, value in values.items():
            print(f"  {key:<32} {_fmt(value)}")
    return 0
