"""`arpose render`: effects on a photo or video, offline and headless; a folder of videos
renders each into an --output folder on the batch runner (local processes or Ray)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..apps.offline import render_source
from ..apps.render_batch import render_folder, videos_in
from ..errors import RenderError, printable
from ..record import Recording, Replay, is_recording
from ..tracking.pipeline import PLAYERS_MAX_PEOPLE
from . import signals
from .detect import add_folder_arguments, folder_source
from .export import add_ray_argument
from .record import check_max_people


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "render",
        help="render effects onto a photo or video (offline, headless)",
        description="Tracks the people in SOURCE and draws the effects on them, writing "
        "exactly the frames the live mirror would show. A photo gives a .png or "
        ".jpg; a video gives an .mp4 (a progress bar shows on stderr).",
    )
    p.add_argument(
        "--effect",
        "-e",
        action="append",
        required=True,
        metavar="NAME_OR_PATH",
        help="a gallery name (top-hat, sunglasses, ...) or an effect .toml file; "
        "repeat for several effects at once",
    )
    p.add_argument(
        "--source",
        "-s",
        required=True,
        metavar="IMAGE_OR_VIDEO",
        help="a photo, a video file, a folder of images, a folder of videos or a .arpose recording",
    )
    p.add_argument(
        "--output",
        "-o",
        required=True,
        metavar="OUT",
        help="output file: .png or .jpg (photo), .mp4 (video); a folder for a folder of videos",
    )
    p.add_argument(
        "--mirror",
        action="store_true",
        help="selfie view: flip the picture (content stays on the user's own left/right)",
    )
    p.add_argument(
        "--max-people",
        type=int,
        default=None,
        metavar="N",
        help="most people to track; each gets their own copy (default: 8 on a photo, 2 otherwise)",
    )
    p.add_argument("--model", metavar="PATH", help="a pose_landmarker .task bundle")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--hands", action="store_true", help="track hands (on by itself when an effect uses a finger joint)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="a folder of videos: processes (or Ray workers); default all cores",
    )
    add_folder_arguments(p)
    add_ray_argument(p)
    p.set_defaults(run=run)


def _source(spec: str) -> object:
    """A recording without its video renders over black at the recorded size (with a
    note) instead of failing on the missing pictures; anything else is opened as is."""
    base, _, query = spec.partition("?")
    if not (Path(base).is_file() and is_recording(base)):
        return spec
    rec = Recording(base)
    opts = {o.strip().lower() for o in query.split("&") if o.strip()}
    if rec.video_path is not None and "novideo" not in opts:
        return spec
    why = (
        "its video " + printable(rec.meta.get("video")) + " is missing"
        if rec.video_missing
        else "it has no video"
        if "novideo" not in opts
        else "?novideo"
    )
    print(f"arpose: note: {printable(base)}: {why}; rendering over a black background", file=sys.stderr)
    return Replay(base, fast=True, raw="raw" in opts, video=False, blank=True)


def run_folder(args: argparse.Namespace) -> int:
    """A folder of videos: one NAME.mp4 each in the --output folder, on the batch runner."""
    rows = render_folder(
        args.effect,
        args.source,
        args.output,
        flip=args.mirror,
        # videos: the players' default, as for one video (tracking.pipeline.default_max_people)
        max_people=PLAYERS_MAX_PEOPLE if args.max_people is None else args.max_people,
        model=args.model,
        workers=args.workers,
        ray=args.ray,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    failed = [r for r in rows if r["error"]]
    for r in failed:
        print(f"arpose: error: {printable(r['error'])}", file=sys.stderr)
    done = [r for r in rows if not r["error"] and not r["skipped"]]
    print(
        f"arpose: rendered {len(done)} video(s) into {printable(args.output)}; "
        f"{len(rows) - len(done) - len(failed)} already done; {len(failed)} failed",
        file=sys.stderr,
    )
    return 1 if failed else 0


def run(args: argparse.Namespace) -> int:
    if args.max_people is not None:
        check_max_people(args.max_people)
    if Path(args.source).is_dir() and videos_in(args.source):
        return run_folder(args)
    if args.ray:
        raise RenderError("--ray needs a folder of videos as --source")
    out = Path(args.output)
    if out.parent.is_dir() and not os.access(out.parent, os.W_OK | os.X_OK):
        raise RenderError(f"{out}: folder {out.parent} is not writable (permission denied)")
    try:
        source = (
            folder_source(args.source, args.folder) if Path(args.source).is_dir() else _source(args.source)
        )
        stats = render_source(
            args.effect,
            source,
            args.output,
            flip=args.mirror,
            max_people=args.max_people,
            model=args.model,
            progress=not args.no_progress and sys.stderr.isatty(),
            hands=args.hands,
        )
    except KeyboardInterrupt as exc:  # Ctrl+C or SIGTERM: the video so far is finished
        if out.suffix.lower() not in (".png", ".jpg", ".jpeg") and out.exists():
            print(
                f"arpose: render {signals.describe(exc)}: {printable(out)} holds the frames "
                f"rendered so far (a playable video)",
                file=sys.stderr,
            )
        raise
    if stats.people_frames == 0:
        print(
            f"arpose: warning: nobody found in {printable(args.source)}; wrote the picture without effects",
            file=sys.stderr,
        )
    if stats.frames == 1:
        print(f"wrote {printable(stats.output)}")
    else:
        print(
            f"wrote {printable(stats.output)}: {stats.frames} frames in {stats.seconds:.1f} s "
            f"({stats.fps:.1f} frames/s), people in {stats.people_frames}"
        )
    return 0
