"""`arpose record --source 0 --output take.arpose`: capture a performance once, use it often."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import ArposeError, printable
from ..record import SUFFIX, Recorder, Recording, is_recording, open_replay
from ..tracking.pipeline import track
from . import signals


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "record",
        help="record the smoothed and raw landmarks of every person to a .arpose file",
        description="Records until the source ends, --duration passes, or Ctrl+C. The file is "
        "valid at every moment: a killed recording loses at most the last frame. "
        "Replay it with any command's --source (e.g. --source take.arpose).",
    )
    p.add_argument(
        "--source", default="0", help="camera index (default 0), video, folder of images, or a recording"
    )
    p.add_argument("--output", "-o", required=True, help=f"the recording to write ({SUFFIX})")
    p.add_argument(
        "--video", action="store_true", help="also write the images next to it (same name, .avi, MJPG)"
    )
    p.add_argument(
        "--duration",
        type=float,
        default=None,
        metavar="S",
        help="stop after S seconds of the source's timeline",
    )
    p.add_argument("--max-people", type=int, default=2, metavar="N", help="most people to track (default 2)")
    p.add_argument(
        "--append", action="store_true", help="add to an existing recording instead of replacing it"
    )
    p.add_argument(
        "--fast",
        action="store_true",
        help="read a video or recording source as fast as possible (default: a "
        "recording plays at its original timing, a video is read in full)",
    )
    p.add_argument("--model", metavar="PATH", help="a pose_landmarker .task bundle")
    p.add_argument("--hands", action="store_true", help="also track 21 landmarks per hand")
    p.set_defaults(run=run)


def check_max_people(n: int) -> None:
    """The CLI's wording of the library's max_people check (it names the flag)."""
    if n < 1:
        raise ArposeError(f"--max-people {n}: must be at least 1")


def open_pipeline(
    source: str,
    *,
    fast: bool,
    realtime: bool,
    max_people: int = 2,
    keep_images: bool = True,
    model: str | None = None,
    hands: bool = False,
) -> Any:
    """A pipeline for a CLI ``--source``; ``--fast`` also speeds up recordings (and keeps
    the recording's own options: ``?loop``, ``?raw``, ``?novideo``)."""
    base, _, query = source.partition("?")
    if fast and Path(base).is_file() and is_recording(base):
        opts = [o for o in query.split("&") if o.strip()]
        spec = base + "?" + "&".join([*opts, "fast"])
        return track(open_replay(spec), keep_images=keep_images)
    return track(
        source,
        max_people=max_people,
        realtime=realtime and not fast,
        keep_images=keep_images,
        model=model,
        hands=hands,
    )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _refuse_own_source(source: str, out: Path, video: bool) -> None:
    """Writing the recording (or its video) over the source being read destroyed it
    (the reader's memory map was cut under it: SIGBUS, and 795 KB became 31 KB). Same
    file means same inode, so links and other spellings of the name count too."""
    base = Path(source.partition("?")[0])
    if not base.is_file():
        return
    outputs = [out] + ([out.with_suffix(".avi")] if video else [])
    if is_recording(base):
        try:
            recorded_video = Recording(base).video_path
        except ArposeError:
            recorded_video = None
        sources = [base] + ([recorded_video] if recorded_video is not None else [])
    else:
        sources = [base]
    for o in outputs:
        for src in sources:
            if _same_file(o, src):
                raise ArposeError(
                    f"{printable(o)}: is the source being read ({printable(source)}); write to another file"
                )


def run(args: argparse.Namespace) -> int:
    out = Path(args.output)
    if out.suffix.lower() != SUFFIX:
        raise ArposeError(
            f"{out}: a recording's name must end in {SUFFIX} (so --source "
            f"recognises it), e.g. {out.with_suffix(SUFFIX)}"
        )
    check_max_people(args.max_people)
    _refuse_own_source(args.source, out, args.video)
    pipeline = open_pipeline(
        args.source,
        fast=args.fast,
        realtime=False,
        max_people=args.max_people,
        keep_images=args.video,
        model=args.model,
        hands=args.hands,
    )
    fps = getattr(pipeline.source, "fps", None)
    frames = people = 0
    t0: float | None = None
    t_last = 0.0
    interrupted: KeyboardInterrupt | None = None
    with Recorder(out, video=args.video, fps=fps, source=str(args.source), append=args.append) as recorder:
        print(
            f"arpose: recording {printable(args.source)} to {printable(out)} (Ctrl+C to stop)",
            file=sys.stderr,
        )
        try:
            with pipeline:
                for pf in pipeline:
                    if t0 is None:
                        t0 = pf.t
                    if args.duration is not None and pf.t - t0 >= args.duration:
                        break
                    with signals.deferred():  # written and counted, or neither
                        if not recorder.write(pf):
                            break
                        frames += 1
                        people += len(pf.poses)
                        t_last = pf.t
        except KeyboardInterrupt as exc:  # Ctrl+C or SIGTERM: stop, keep every frame
            interrupted = exc
    span = t_last - t0 if t0 is not None else 0.0
    print(
        f"arpose: recorded {frames} frames ({span:.1f} s, {people} person-frames) to "
        f"{printable(out)}"
        + (f" and {printable(recorder.video_path)}" if recorder.video_path and frames else "")
        + (f" ({signals.describe(interrupted)})" if interrupted else ""),
        file=sys.stderr,
    )
    if recorder.error:
        print(
            f"arpose: error: {printable(out)}: recording stopped early: {recorder.error}; "
            f"the {frames} frames before it are kept",
            file=sys.stderr,
        )
        return 1
    return signals.exit_code(interrupted) if interrupted else 0
