"""`arpose detect SOURCE`: landmarks of every person as JSON (the public contract)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import printable
from ..sources import ImageFile, ImageFolder
from ..tracking.pipeline import track
from .record import check_max_people


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "detect",
        help="track people in an image, video, folder, camera or recording",
        description="Prints landmarks in source-image pixels. An image gives one JSON "
        "object; a video, folder, camera or recording gives JSON Lines (one "
        "object per frame, with 'frame' and 't'). See README: JSON contract.",
    )
    p.add_argument("source", help="image, video, folder of images, camera index (0) or .arpose")
    p.add_argument(
        "--json",
        action="store_true",
        help="print the JSON contract (default: a short human-readable summary)",
    )
    p.add_argument(
        "--max-people",
        type=int,
        default=None,
        metavar="N",
        help="most people to track (default: 8 on a photo, 2 otherwise)",
    )
    p.add_argument(
        "--no-tiles",
        action="store_true",
        help="a single image: look for people on the whole image only (default: "
        "also on overlapping tiles, which finds the people of a group photo)",
    )
    add_folder_arguments(p)
    p.add_argument("--no-smooth", action="store_true", help="raw landmarks, no One-Euro filter")
    p.add_argument(
        "--model",
        metavar="PATH",
        help="a pose_landmarker_{lite,full,heavy}.task bundle (default: the one shipped with arpose)",
    )
    add_hand_arguments(p)
    p.set_defaults(run=run)


def add_folder_arguments(p: argparse.ArgumentParser) -> None:
    """``--sequence`` / ``--photos``: how a folder of images is read."""
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--sequence",
        dest="folder",
        action="store_const",
        const="sequence",
        default="auto",
        help="a folder: its images are the frames of one video (ids carried from image to image)",
    )
    g.add_argument(
        "--photos",
        dest="folder",
        action="store_const",
        const="photos",
        help="a folder: its images are unrelated photos, each tracked on its own (default for a "
        "folder unless its names are consecutive frame numbers, e.g. 000001.jpg, 000002.jpg)",
    )


def folder_source(spec: str, kind: str) -> str | ImageFolder:
    """``spec`` opened as a folder of images read as ``kind`` (``--sequence``/``--photos``,
    else the rule), saying on stderr which reading was used and why; anything that is not
    a folder is returned as it is, for :func:`arpose.tracking.pipeline.track` to open."""
    if not Path(spec).is_dir():
        return spec
    folder = ImageFolder(spec, kind=kind)
    print(f"arpose: note: {folder.describe()}", file=sys.stderr)
    return folder


def add_hand_arguments(p: argparse.ArgumentParser) -> None:
    """``--hands`` and ``--hand-model`` (shared by every command that tracks)."""
    p.add_argument(
        "--hands",
        action="store_true",
        help="also track 21 landmarks per hand (JSON: a top-level 'hands' list)",
    )
    p.add_argument(
        "--hand-model",
        metavar="PATH",
        help="a hand_landmarker .task bundle (default: the one shipped with arpose)",
    )


def _summary(pf) -> str:
    people = (
        ", ".join(
            f"#{p.id} nose ({p.xy('nose')[0]:.0f}, {p.xy('nose')[1]:.0f}) size {p.body_size:.0f}px"
            for p in pf.poses
        )
        or "nobody"
    )
    line = f"frame {pf.index:5d}  t={pf.t:7.3f}s  {len(pf.poses)} person(s): {people}"
    if pf.hands_tracked:
        hands = (
            ", ".join(
                f"#{h.id} {h.side} of {'#' + str(h.person) if h.person is not None else 'nobody'}"
                for h in pf.hands
            )
            or "none"
        )
        line += f"; hands: {hands}"
    return line


def run(args: argparse.Namespace) -> int:
    if args.max_people is not None:
        check_max_people(args.max_people)
    pipeline = track(
        folder_source(args.source, args.folder),
        max_people=args.max_people,
        smooth=not args.no_smooth,
        model=args.model,
        keep_images=False,
        hands=args.hands,
        hand_model=args.hand_model,
        tiles=not args.no_tiles,
    )
    single = isinstance(pipeline.source, ImageFile)
    found = hands_found = 0
    with pipeline:
        for pf in pipeline:
            found += len(pf.poses)
            hands_found += len(pf.hands)
            if args.json:
                print(
                    json.dumps(pf.to_json(include_time=not single), separators=(",", ":")), flush=not single
                )
            else:
                print(_summary(pf), flush=True)
    if single and found == 0 and not (args.hands and hands_found):
        print(f"arpose: error: no person found in {printable(args.source)}", file=sys.stderr)
        return 1
    return 0
