"""`arpose progress`: the workout history as a table with trends, JSON or a plot."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "progress", help="your workouts over time: table, trends, plot, JSON",
        description="Reads the workout history (SQLite) that `arpose play workout` writes.")
    p.add_argument("--history", metavar="PATH",
                   help="history file (default: $XDG_DATA_HOME/arpose/history.db)")
    p.add_argument("--exercise", metavar="NAME", help="only this exercise")
    p.add_argument("--json", action="store_true", help="print the sessions as JSON")
    p.add_argument("--plot", metavar="OUT.png", help="write a plot of reps and range over time")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..coach import progress
    from ..coach.exercises import canonical
    from ..coach.history import History

    exercise = canonical(args.exercise) if args.exercise else None
    with History(args.history, readonly=True) as h:
        sessions = h.sessions(exercise)
    data = progress.rows(sessions)
    if args.plot:
        path = progress.plot(data, args.plot)
        if not args.json:
            print(f"plot written to {path}")
    if args.json:
        print(json.dumps(data, indent=1))
    elif not args.plot or data:
        print(progress.table(data))
    return 0
