"""`arpose export`: OpenPose JSON, COCO keypoint results, CSV or BVH from recordings and videos."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2

from ..errors import ArposeError, printable
from ..export import FORMATS, ExportResult, default_output, export, export_folder
from ..record import is_recording
from . import signals
from .record import check_max_people


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write OpenPose JSON, COCO keypoints, CSV or BVH motion capture from a recording or video",
        description="A video is tracked first. A folder exports every video and recording in "
        "it, one process per file, and resumes: outputs that exist are skipped.",
    )
    p.add_argument("input", help="a .arpose recording, a video, or a folder of them")
    p.add_argument(
        "--format",
        "-f",
        required=True,
        choices=FORMATS,
        help="openpose: one BODY_25 JSON per frame in a folder; coco: keypoint "
        "results JSON; csv: one row per person per frame; bvh: motion capture (joint "
        "rotations, root motion) for Blender, Maya, MotionBuilder, Unity, Unreal, one "
        "STEM_personID.bvh per tracked person",
    )
    p.add_argument(
        "--output",
        "-o",
        default=None,
        help="folder (openpose, or any format for a folder input) or file (coco, "
        "csv); default: next to the input",
    )
    p.add_argument(
        "--raw",
        action="store_true",
        help="raw landmarks (a recording's unsmoothed ones; no filter for a video)",
    )
    p.add_argument("--max-people", type=int, default=2, metavar="N")
    p.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes for a folder (default: all cores)"
    )
    add_ray_argument(p)
    p.add_argument("--model", metavar="PATH", help="a pose_landmarker .task bundle")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument(
        "--hands",
        action="store_true",
        help="track hands too (a video): OpenPose hand_left/right_keypoints_2d, "
        "COCO-WholeBody lefthand/righthand_kpts, CSV hand columns; "
        "a folder too; BVH finger joints",
    )
    p.add_argument(
        "--person",
        type=int,
        default=None,
        metavar="ID",
        help="bvh: only this tracked person, written to the output file itself "
        "(default: every person, one file each)",
    )
    p.set_defaults(run=run)


def add_ray_argument(p: argparse.ArgumentParser) -> None:
    """``--ray ADDRESS``: run a batch on a Ray cluster (shared by export, coach analyze, render)."""
    p.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run on a Ray cluster instead of local processes: 'auto' (a cluster already "
        'running on this machine) or HOST:PORT; needs pip install "arpose[ray]" and the '
        "files at the same paths on every node (docs/guide/video-libraries.md)",
    )


def _frame_count(path: Path) -> int | None:
    if is_recording(path):
        return None
    cap = cv2.VideoCapture(str(path))
    try:
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    finally:
        cap.release()
    return n or None


def _files(res: ExportResult) -> str:
    if not res.files:
        return "no BVH file (nobody tracked long enough)"
    return ", ".join(printable(f) for f in res.files)


def run(args: argparse.Namespace) -> int:
    if args.person is not None and args.format != "bvh":
        raise ArposeError(f"--person {args.person}: only with --format bvh")
    src = Path(args.input)
    if not src.exists():
        raise ArposeError(f"{src}: no such file or folder")  # str() escapes it
    check_max_people(args.max_people)
    show = not args.quiet and sys.stderr.isatty()
    if args.ray and not src.is_dir():
        raise ArposeError(f"--ray needs a folder of videos; {src} is one file")
    if src.is_dir():
        out = Path(args.output) if args.output else src.with_name(f"{src.name}_{args.format}")
        finished: list[ExportResult] = []
        try:
            results = export_folder(
                src,
                args.format,
                out,
                raw=args.raw,
                max_people=args.max_people,
                model=args.model,
                workers=args.workers,
                progress=show,
                on_result=finished.append,
                hands=args.hands,
                person=args.person,
                ray=args.ray,
            )
        except KeyboardInterrupt as exc:  # Ctrl+C or SIGTERM: workers stopped, partials gone
            done = [r for r in finished if not r.error]
            print(
                f"arpose: export {signals.describe(exc)}: {len(done)} file(s) finished in "
                f"{printable(out)} (a rerun resumes after them); partial outputs removed",
                file=sys.stderr,
            )
            raise
        failed = [r for r in results if r.error]
        done = [r for r in results if not r.error and not r.skipped]
        skipped = [r for r in results if r.skipped]
        for r in failed:
            print(f"arpose: error: {printable(r.error)}", file=sys.stderr)
        print(
            f"arpose: exported {len(done)} file(s) ({sum(r.frames for r in done)} frames) "
            f"to {printable(out)}; {len(skipped)} already done; {len(failed)} failed",
            file=sys.stderr,
        )
        return 1 if failed else 0
    out = Path(args.output) if args.output else default_output(src, args.format)
    bar = None
    if show:
        from tqdm import tqdm  # lazy: only with a progress bar

        bar = tqdm(total=_frame_count(src), unit="frame", desc=f"export {args.format}")
    try:
        res = export(
            src,
            args.format,
            out,
            raw=args.raw,
            max_people=args.max_people,
            model=args.model,
            progress=bar.update if bar is not None else None,
            hands=args.hands,
            person=args.person,
        )
    except KeyboardInterrupt as exc:
        print(f"arpose: export {signals.describe(exc)}: nothing written to {printable(out)}", file=sys.stderr)
        raise
    finally:
        if bar is not None:
            bar.close()
    print(
        f"arpose: exported {res.frames} frames ({res.people} person-frames) to "
        f"{printable(res.output) if args.format != 'bvh' else _files(res)}"
        + (
            f"; the recording is damaged: {len(res.problems)} problem(s) reported above"
            if res.problems
            else ""
        ),
        file=sys.stderr,
    )
    return 0
