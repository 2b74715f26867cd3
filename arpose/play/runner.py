"""Running the play app: in a pygame window on a live pipeline, or headless on PoseFrames.

Both runners drive the same :class:`~arpose.play.app.PlayApp`; only the clock and
the output differ. Headless runs take game time from ``PoseFrame.t`` and randomness
from the seeded ``app.rng``, so the same recording always gives the same report.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pygame

from ..errors import GameError
from ..pose import PoseFrame
from .app import PlayApp, PlayOptions
from .registry import get_game
from .scenes import TitleView

log = logging.getLogger(__name__)


def start_game(app: PlayApp, game: str) -> None:
    """Put a game straight on the view stack (no title screen)."""
    app.show(get_game(game)(app.options))


def run_headless(game: str, frames: Iterable[PoseFrame], options: PlayOptions | None = None,
                 size: tuple[int, int] = (1280, 720), render: bool = False,
                 on_frame: Callable[[PlayApp, PoseFrame], None] | None = None,
                 max_frames: int | None = None, countdown: float = 0.0) -> dict[str, Any]:
    """Play ``game`` on a sequence of PoseFrames without a window; returns the report.

    Args:
        game: user-facing game name.
        frames: PoseFrames in time order (a pipeline, a replay, a synthetic list).
        render: also draw every frame (for screenshots and render benchmarks).
        on_frame: called after each frame is processed (and drawn, with ``render``).
        max_frames: stop after this many frames.
        countdown: seconds of countdown before play (0: start on the first frame).

    Returns:
        The game's report (``game``, ``score``, ``events``, ...); ``finished`` is False
        when the frames ran out before the game ended.
    """
    options = options or PlayOptions()
    options.extra.setdefault("countdown", countdown)
    app = PlayApp(size, options)
    game_view = get_game(game)(options)
    app.show(game_view)
    last_t: float | None = None
    n = 0
    for pf in frames:
        dt = 0.0 if last_t is None else float(pf.t) - last_t
        last_t = float(pf.t)
        app.feed(pf)
        app.tick(dt)
        if render:
            app.draw()
        if on_frame is not None:
            on_frame(app, pf)
        n += 1
        if game_view.over or (max_frames is not None and n >= max_frames):
            break
    report = app.report if app.report is not None else game_view.report()
    report["frames"] = n
    return report


def write_report(report: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write a report as JSON (the ``--report`` file)."""
    p = Path(path)
    try:
        if p.parent and not p.parent.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(report, indent=2) + "\n")
    except OSError as exc:
        raise GameError(f"{p}: cannot write report ({exc.strerror or exc})") from exc
    return p


def run_window(pipeline: Any, game: str | None = None, options: PlayOptions | None = None,
               size: tuple[int, int] = (1280, 720), fps: float = 60.0,
               fullscreen: bool = False, max_seconds: float | None = None,
               title_screen: bool = True) -> dict[str, Any] | None:
    """Play in a pygame window fed by a live pipeline (``pipeline.latest()``).

    Closing the window, or Esc on the results screen, ends cleanly; the pipeline is
    left to its owner (use it as a context manager around this call).

    Returns:
        The report of the last finished game, or None.
    """
    options = options or PlayOptions()
    pygame.display.init()
    flags = pygame.FULLSCREEN if fullscreen else 0
    try:
        screen = pygame.display.set_mode(size, flags)
    except pygame.error as exc:
        raise GameError(f"cannot open a {size[0]}x{size[1]} window ({exc}); use --headless "
                        f"on machines without a display") from exc
    pygame.display.set_caption("arpose play" + (f": {game}" if game else ""))
    app = PlayApp(screen.get_size(), options, surface=screen, post_events=True)
    if title_screen:
        app.show(TitleView(game))
    elif game:
        start_game(app, game)
    clock = pygame.time.Clock()
    last = time.monotonic()
    started = last
    try:
        while app.running:
            for event in pygame.event.get():
                if event.type == pygame.QUIT:
                    app.quit()
                elif event.type == pygame.KEYDOWN:
                    app.dispatch("on_key", event.key)
            pf = pipeline.latest(timeout=0)
            if pf is not None:
                app.feed(pf)
            now = time.monotonic()
            app.tick(now - last)
            last = now
            app.draw()
            pygame.display.flip()
            clock.tick(fps)
            if max_seconds is not None and now - started > max_seconds:
                break
    finally:
        app.views.clear()
        pygame.display.quit()
    return app.report


__all__ = ["run_headless", "run_window", "write_report", "start_game"]
