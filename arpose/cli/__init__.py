"""The `arpose` command line: parse, call the library, format errors.

Each subcommand lives in its own module here with two functions:
``add_parser(subparsers)`` and ``run(args) -> int``. Library errors
(:class:`arpose.errors.ArposeError`) become one line on stderr and exit code 1;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import warnings
from collections.abc import Sequence

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # before pygame is first imported

from ..errors import ArposeError
from ..threads import limit_thread_pools
from ..tracking.filters import DEFAULT_METHOD, METHODS, set_default_method
from . import signals

# Subcommand modules, in the order `arpose --help` lists them.
COMMANDS: tuple[str, ...] = (
    "demo",
    "detect",
    "bench",
    "joints",
    "record",
    "export",
    "serve",
    "play",
    "check",
    "render",
    "mirror",
    "coach",  # also adds `progress`
    "blender",  # the Blender add-on zip
    "signs",
)
# Commands that track people: they take --smoothing (added here, in one place).
TRACKING_COMMANDS: tuple[str, ...] = ("detect", "record", "export", "serve", "mirror", "play", "render")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arpose",
        description="Body-tracked AR and motion-controlled games from a webcam. "
        "Without a command: the live mirror when a camera and a display exist, "
        "otherwise a demo on a built-in sample photo written to a file.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"{__name__}.{name}")
        module.add_parser(sub)
    _add_smoothing_flag(sub)
    _add_debug_flag(sub)
    return parser


def _add_debug_flag(sub: argparse._SubParsersAction) -> None:
    """``--debug`` after the command name too (``arpose detect x.mp4 --debug``)."""
    seen: set[int] = set()
    stack = list(sub.choices.values())
    while stack:
        p = stack.pop()
        if id(p) in seen:
            continue
        seen.add(id(p))
        if "--debug" not in p._option_string_actions:
            p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())


def quiet_third_parties() -> None:
    """Keep the terminal to arpose's own lines (``--debug`` shows everything): Python
    warnings of other packages (pygame's vsync note, numpy's All-NaN), OpenCV's
    ``[ WARN:0@...]`` and FFmpeg's demuxer chatter ("moov atom not found") before
    arpose's own error. ALSA's lines are silenced where the mixer opens
    (:mod:`arpose.play.sound`)."""
    # all of them: pygame's C code warns from the arpose line that called it (the vsync
    # note comes "from" arpose/render/context.py), and arpose itself warns only library
    # users (deprecations); the command line reports through logging and errors
    warnings.simplefilter("ignore")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET; read at first open
    os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
    try:
        import cv2  # lazy: only to turn its logging off; arpose imports it anyway

        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    except (ImportError, AttributeError):  # pragma: no cover - a cv2 build without utils
        pass


def _add_smoothing_flag(sub: argparse._SubParsersAction) -> None:
    for name in TRACKING_COMMANDS:
        if name in sub.choices:
            sub.choices[name].add_argument(
                "--smoothing",
                choices=list(METHODS),
                default=None,
                metavar="METHOD",
                help=f"landmark filter: {', '.join(METHODS)} (default {DEFAULT_METHOD}, "
                "chosen by measurement; see the README's Smoothing section)",
            )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `arpose` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING, format="arpose: %(levelname)s: %(message)s"
    )
    if not args.debug:
        # MediaPipe/TFLite chatter (absl, glog) goes to stderr from C++; keep it quiet.
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        quiet_third_parties()
    if args.command is None:
        args = parser.parse_args([*(["--debug"] if args.debug else []), "demo"])
    if getattr(args, "smoothing", None):
        set_default_method(args.smoothing)
    # inference gets the cores: numpy's and OpenCV's spinning helper pools cost 7-16%
    limit_thread_pools()
    signals.install()  # SIGTERM = Ctrl+C (exit 143 instead of 130): see cli/signals.py
    try:
        return int(args.run(args) or 0)
    except ArposeError as exc:
        if args.debug:
            raise
        print(f"arpose: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        print(f"arpose: {signals.describe(exc)}", file=sys.stderr)
        return signals.exit_code(exc)
    except BrokenPipeError:  # `arpose detect video | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
