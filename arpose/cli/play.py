"""`arpose play [GAME]`: body-controlled games in a window, or headless on a recording."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from ..coach import resolve_exercise
from ..coach.history import History, default_history_path
from ..coach.learned import all_exercises
from ..effects import load_effects
from ..effects.nodes import needs_hands
from ..errors import GameError, HistoryError, printable
from ..tracking.pipeline import track
from .coach import exercise_list


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
        if w < 320 or h < 240:
            raise ValueError
        return w, h
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--size must look like 1280x720 (at least 320x240), got {text!r}"
        ) from None


def _seed(text: str) -> int:
    try:
        v = int(text)
        if not 0 <= v < 2**32:
            raise ValueError
        return v
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--seed must be a whole number 0..{2**32 - 1}, got {text!r}"
        ) from None


def no_display_problem(command: str) -> str | None:
    """Why a window cannot open here, or None: no X11/Wayland display and no SDL video
    driver chosen (pygame would draw into nothing, for ever, on a server or over SSH)."""
    if os.name != "posix" or sys.platform == "darwin" or os.environ.get("SDL_VIDEODRIVER"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        f"no display here (DISPLAY is not set), so `arpose {command}` cannot open its window; "
        f"use --headless with a video file, or run it where a display is (or set DISPLAY)"
    )


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "play",
        help="play a body-controlled game (slicer, pose-wall, workout, pong, hand-signs, spelling)",
        description="Without GAME: a menu you drive with your hands (hold a hand over a "
        "button). With --headless the game runs on a video or recording without "
        "a window and --report writes the result as JSON.",
    )
    p.add_argument("game", nargs="?", help="game name (see --list); omit for the menu")
    p.add_argument("--source", default="0", help="camera index, video file or .arpose recording (default 0)")
    p.add_argument("--players", type=int, choices=(1, 2), default=1, help="player slots")
    p.add_argument(
        "--exercise", default="squat", help="workout exercise (see --list-exercises; default squat)"
    )
    p.add_argument(
        "--list-exercises",
        action="store_true",
        help="list the workout's exercises and the body parts each needs, and exit",
    )
    p.add_argument(
        "--history", metavar="PATH", help="workout history file (default: $XDG_DATA_HOME/arpose/history.db)"
    )
    p.add_argument("--no-history", action="store_true", help="do not save the workout")
    p.add_argument("--duration", type=float, metavar="S", help="round length in seconds")
    p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    p.add_argument(
        "--headless",
        action="store_true",
        help="no window: play GAME on --source (a file) as fast as it decodes",
    )
    p.add_argument("--report", metavar="OUT.json", help="write the game's result as JSON")
    p.add_argument(
        "--size", type=_size, default=(1280, 720), metavar="WxH", help="window size (default 1280x720)"
    )
    p.add_argument("--fullscreen", action="store_true")
    p.add_argument("--no-sound", action="store_true", help="no sound effects")
    p.add_argument("--no-camera", action="store_true", help="do not draw the camera image behind the game")
    p.add_argument(
        "--effect",
        "-e",
        action="append",
        metavar="NAME_OR_PATH",
        default=[],
        help="an effect every player wears (gallery name or .toml; repeatable; "
        "hot-reloaded when its file changes)",
    )
    p.add_argument(
        "--no-game-effects",
        action="store_true",
        help="only the --effect ones: the games do not dress the players",
    )
    p.add_argument(
        "--video",
        metavar="OUT.mp4",
        help="with --headless: write what the window would show (camera, effects, game, HUD) to a video",
    )
    p.add_argument(
        "--debug-overlay",
        action="store_true",
        help="start with the debug overlay on (F3 toggles it): drawn FPS, "
        "tracking rate, latency, dropped frames",
    )
    p.add_argument("--model", metavar="PATH", help="pose model .task bundle")
    p.add_argument(
        "--hands", action="store_true", help="track hands: pinch a button to press it, hand gestures in games"
    )
    p.add_argument("--list", action="store_true", help="list the games and exit")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # lazy: the command's implementation loads pygame; only this command needs it, so
    # `arpose --help` and the other commands start without it
    from ..play import PlayOptions, available_games, get_game, run_headless, run_window
    from ..play.runner import write_report

    if args.list_exercises:
        print(exercise_list(all_exercises()))
        return 0
    if args.list:
        for info in available_games().values():
            print(
                f"{info.name:<12} {info.description}"
                + ("" if info.origin == "builtin" else f"  [{info.origin}]")
            )
        return 0
    hands = args.hands
    if args.game:  # unknown names fail before the camera or model starts
        hands = hands or bool(getattr(get_game(args.game), "needs_hands", False))
    resolve_exercise(args.exercise)
    if args.duration is not None and not args.duration > 0:
        raise GameError(f"--duration must be > 0 seconds, got {args.duration}")
    if args.video and not args.headless:
        raise GameError("--video needs --headless (a window shows the game instead)")
    if args.effect:
        # a bad effect fails before the camera or model starts (with hands tracked too);
        # a finger effect needs hands
        hands = needs_hands(load_effects(args.effect)) or hands
    if not args.headless:
        problem = no_display_problem("play")
        if problem:
            raise GameError(problem)
    options = PlayOptions(
        players=args.players,
        exercise=args.exercise,
        seed=args.seed,
        duration=args.duration,
        sound=not args.no_sound and not args.headless,
        camera_view=not args.no_camera,
        effects=tuple(args.effect),
        game_effects=not args.no_game_effects,
    )
    # live workouts are saved by default, headless ones only with --history
    history_path: str | None = None
    if args.game == "workout" and not args.no_history and (args.history or not args.headless):
        history_path = str(args.history or default_history_path())
        # a bad, foreign, damaged or unwritable history fails here, before the camera starts
        History(history_path).close()
        options.extra["history"] = history_path
    max_people = max(2, args.players)
    report: dict[str, Any] | None
    if args.headless:
        if not args.game:
            raise GameError("--headless needs a GAME name (the menu is played with the body)")
        pipeline = track(
            args.source, max_people=max_people, model=args.model, keep_images=bool(args.video), hands=hands
        )
        fps = float(getattr(pipeline.source, "fps", 0) or 30.0) if args.video else 30.0
        with pipeline:
            report = run_headless(
                args.game, pipeline, options, size=args.size, video=args.video, fps=fps, hold_end=3.0
            )
    else:
        pipeline = track(args.source, max_people=max_people, model=args.model, realtime=True, hands=hands)
        with pipeline:
            report = run_window(
                pipeline,
                args.game,
                options,
                size=args.size,
                fullscreen=args.fullscreen,
                debug=args.debug_overlay,
            )
    if report is not None:
        if args.report:
            write_report(report, args.report)
        line = f"{report['game']}: score {report['score']}"
        if "reps" in report:
            line += f", {report['reps']} reps"
        line += f", {len(report['events'])} events"
        if not report.get("finished", False):
            line += " (source ended before the game did)"
        print(printable(line))
        if report.get("history_error"):
            _keep_unsaved_session(report, history_path)
        if args.game == "workout" and history_path is None and not args.no_history:
            print(
                "arpose: this headless workout was not saved to the history (pass --history PATH to save it)",
                file=sys.stderr,
            )
    elif args.report:
        print("arpose: no game was finished; no report written", file=sys.stderr)
    return 0


def _keep_unsaved_session(report: dict[str, Any], history_path: str | None) -> None:
    """The history could not take the session: keep it as JSON and say so (exit 1)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{Path(history_path or 'history.db').name}.unsaved-{stamp}.json"
    kept = None
    for folder in (Path(history_path).parent if history_path else None, Path.cwd()):
        if folder is None:
            continue
        try:
            path = folder / name
            path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
            kept = path
            break
        except OSError:
            continue
    where = f"the session is kept in {kept}" if kept else "the session could not be kept anywhere"
    raise HistoryError(f"workout not saved to the history: {report['history_error']}; {where}")
