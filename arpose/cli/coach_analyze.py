"""`arpose coach analyze PATH... --exercise NAME|auto --output DIR`: a table of every video's
exercise, reps, good reps and per-rep range, tempo and form, on local processes or Ray."""

from __future__ import annotations

import argparse
import sys

from ..batch import describe_backend
from ..coach.analyze import analyze, video_summary
from ..errors import printable
from .export import add_ray_argument


def add_analyze_parser(csub: argparse._SubParsersAction) -> None:
    p = csub.add_parser(
        "analyze",
        help="analyse a library of videos: exercise, reps, good reps, per-rep range, tempo, form",
        description="Writes analysis.jsonl, analysis.csv (one row per video), reps.csv (one row "
        "per rep), summary.png and videos/NAME.json into --output. Resumes: videos already "
        "analysed with the same options are skipped.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="videos, or folders of videos")
    p.add_argument(
        "--exercise",
        default="auto",
        metavar="NAME|auto",
        help="the exercise in every video (a built-in or learned name, or a learned .json), or "
        "'auto' (default): recognised per video among the built-in and learned exercises; "
        "a clip of something else reads 'unknown'",
    )
    p.add_argument("--output", "-o", required=True, metavar="DIR", help="output folder")
    p.add_argument(
        "--history",
        metavar="DB",
        help="also import each video as a session into this workout history (SQLite); once per video",
    )
    p.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes (or Ray workers); default all cores"
    )
    add_ray_argument(p)
    p.add_argument("--max-people", type=int, default=2, metavar="N", help="people tracked per frame")
    p.add_argument("--model", metavar="PATH", help="pose model .task bundle")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--no-plot", action="store_true", help="skip summary.png")
    p.set_defaults(run=run_analyze)


def run_analyze(args: argparse.Namespace) -> int:
    show = not args.quiet and sys.stderr.isatty()
    res = analyze(
        args.paths,
        args.output,
        exercise=args.exercise,
        history=args.history,
        workers=args.workers,
        ray=args.ray,
        max_people=args.max_people,
        model=args.model,
        progress=show,
        plot=not args.no_plot,
    )
    print(f"{'video':<28} {'exercise':<15} {'conf':>5} {'reps':>5} {'good':>5} {'tempo down/up':>14}")
    for row in res.rows:
        s = video_summary(row)
        if s["error"]:
            print(f"{printable(s['video'])[:28]:<28} error: {printable(s['error'])}")
            continue
        conf = "-" if s["confidence"] is None else f"{s['confidence']:.2f}"
        tempo = "-" if s["tempo_down"] is None else f"{s['tempo_down']:.1f}/{s['tempo_up']:.1f} s"
        print(
            f"{printable(s['video'])[:28]:<28} {str(s['exercise']).replace('_', '-'):<15} {conf:>5} "
            f"{s['reps']:>5} {s['good_reps']:>5} {tempo:>14}"
        )
    backend = describe_backend(args.workers, args.ray)
    print(
        f"arpose: analysed {len(res.rows) - res.skipped} video(s) with {backend}"
        f" ({res.skipped} already done, {len(res.failed)} failed)"
        + (f"; {res.imported} imported into {printable(args.history)}" if args.history else "")
        + f"; tables and summary.png in {printable(res.output)}",
        file=sys.stderr,
    )
    return 1 if res.failed else 0
