"""`arpose coach learn NAME --source VIDEO_OR_CAMERA`: teach an exercise by demonstration;
`arpose progress`: the workout history as a table with trends, JSON or a plot."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..coach import learned, plots
from ..coach.exercises import BUILTIN, canonical, check_name, unknown_exercise
from ..coach.history import History
from ..errors import ExerciseError, printable
from ..tracking.pipeline import track
from .coach_analyze import add_analyze_parser


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "coach",
        help="the exercise coach: teach an exercise by demonstration, list exercises",
        description="`learn` watches 2-3 reps of any movement and saves a counter for it as a "
        "small JSON data file; then `arpose play workout --exercise NAME` counts it.",
    )
    csub = p.add_subparsers(dest="coach_command", metavar="ACTION", required=True)
    lp = csub.add_parser("learn", help="learn an exercise from a video or the camera")
    lp.add_argument("name", help="name of the new exercise")
    lp.add_argument("--source", default="0", help="video file, recording or camera index")
    lp.add_argument(
        "--seconds",
        type=float,
        metavar="S",
        help="use only the first S seconds (default: the whole source; 20 s from a camera)",
    )
    lp.add_argument(
        "--out", metavar="FILE.json", help="where to save (default: the user's arpose data folder)"
    )
    lp.add_argument("--model", metavar="PATH", help="pose model .task bundle")
    lp.add_argument("--force", action="store_true", help="replace an existing learned exercise")
    lp.set_defaults(run=run_learn)
    ls = csub.add_parser("list", help="list the exercises and the body parts each needs")
    ls.set_defaults(run=run_list)
    add_analyze_parser(csub)
    _add_progress_parser(sub)


def _add_progress_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "progress",
        help="your workouts over time: table, trends, plot, JSON",
        description="Reads the workout history (SQLite) that `arpose play workout` writes.",
    )
    p.add_argument(
        "--history", metavar="PATH", help="history file (default: $XDG_DATA_HOME/arpose/history.db)"
    )
    p.add_argument("--exercise", metavar="NAME", help="only this exercise")
    p.add_argument("--json", action="store_true", help="print the sessions as JSON")
    p.add_argument(
        "--plot", metavar="OUT.png", help="write a plot of reps and range over time (.png, .pdf or .svg)"
    )
    p.set_defaults(run=run_progress)


def run_learn(args: argparse.Namespace) -> int:
    key = check_name(args.name)  # it becomes a file name: validated before anything else
    if key in BUILTIN:
        raise ExerciseError(f"{args.name!r} is a built-in exercise; pick another name")
    out = Path(args.out) if args.out else learned.exercises_dir() / f"{key}.json"
    if out.exists() and not args.force:
        raise ExerciseError(f"{out}: already exists (pass --force to replace it)")
    seconds = args.seconds if args.seconds is not None else (20.0 if str(args.source).isdigit() else None)
    samples = []
    with track(args.source, max_people=2, model=args.model, keep_images=False) as pipeline:
        t0 = None
        for pf in pipeline:
            t0 = pf.t if t0 is None else t0
            if seconds is not None and pf.t - t0 > seconds:
                break
            samples.append((learned.main_person(pf.poses), pf.t))
    doc = learned.learn(samples, key, source=str(args.source))
    learned.save(doc, out)
    info = doc["learned_from"]
    print(
        printable(
            f"learned {key!r} from {info['frames']} frames ({info['reps_seen']} reps seen, "
            f"angles: {', '.join(doc['features'])}) -> {out}"
        )
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    print(exercise_list(learned.all_exercises()))
    return 0


def exercise_list(exercises: list) -> str:
    """One line per exercise: name, what it needs, where it comes from."""
    lines = []
    for ex in exercises:
        origin = "" if ex.origin == "builtin" else f"  [learned: {ex.origin}]"
        lines.append(printable(f"{ex.name.replace('_', '-'):<16} needs {ex.parts}{origin}"))
    return "\n".join(lines)


def run_progress(args: argparse.Namespace) -> int:
    exercise = canonical(args.exercise) if args.exercise else None
    if args.plot:
        plots.plot_format(args.plot)  # a bad suffix fails before the history is read
    with History(args.history, readonly=True) as h:
        sessions = h.sessions()
    if exercise is not None:
        known = sorted({s.exercise for s in sessions} | set(BUILTIN) | set(learned.learned_names()))
        if exercise not in known:
            raise unknown_exercise(args.exercise, known)
        sessions = [s for s in sessions if s.exercise == exercise]
    data = plots.rows(sessions)
    if args.plot:
        path = plots.plot(data, args.plot)
        if not args.json:
            print(printable(f"plot written to {path}"))
    if args.json:
        print(json.dumps(data, indent=1))
    elif not args.plot or data:
        print(plots.table(data))
    return 0
