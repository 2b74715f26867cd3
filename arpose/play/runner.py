"""Running the play app: in a window on a live pipeline, or headless on PoseFrames.

Both runners drive the same :class:`~arpose.play.app.PlayApp` (one Renderer, one
ScreenMap); only the clock and the output (a window, an offscreen framebuffer, a
video file) differ. Headless runs take game time from ``PoseFrame.t`` and randomness
from the seeded ``app.rng``, so the same recording always gives the same report.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import cv2
import pygame

from ..errors import GameError, RenderError
from ..pose import PoseFrame
from ..render import Renderer, Window
from ..writers import open_video
from .app import PlayApp, PlayOptions
from .registry import get_game
from .screens import TitleView
from .view import View

log = logging.getLogger(__name__)


def start_game(app: PlayApp, game: str) -> None:
    """Put a game straight on the view stack (no title screen)."""
    app.show(get_game(game)(app.options))


def run_headless(
    game: str,
    frames: Iterable[PoseFrame],
    options: PlayOptions | None = None,
    size: tuple[int, int] = (1280, 720),
    render: bool = False,
    on_frame: Callable[[PlayApp, PoseFrame], None] | None = None,
    max_frames: int | None = None,
    countdown: float = 0.0,
    video: str | os.PathLike | None = None,
    fps: float = 30.0,
    hold_end: float = 0.0,
) -> dict[str, Any]:
    """Play ``game`` on a sequence of PoseFrames without a window; returns the report.

    Args:
        game: user-facing game name.
        frames: PoseFrames in time order (a pipeline, a replay, a synthetic list).
        render: also draw every frame offscreen (screenshots, benchmarks).
        on_frame: called after each frame is processed (and drawn, with ``render``).
        max_frames: stop after this many frames.
        countdown: seconds of countdown before play (0: start on the first frame).
        video: write every drawn frame (camera, effects, game, HUD: what the window
            shows) to this ``.mp4``/``.avi``; implies ``render``.
        fps: the video's frame rate (the source's).
        hold_end: seconds of the last picture (with the results screen) to append to
            the video after the game ends or the source runs out.

    Returns:
        The game's report (``game``, ``score``, ``events``, ...); ``finished`` is False
        when the frames ran out before the game ended. Drawing never changes it.
    """
    options = options or PlayOptions()
    options.extra.setdefault("countdown", countdown)
    with _headless_app(PlayApp(size, options), video, fps) as (app, writer):
        render = render or writer is not None
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
                _draw_out(app, writer)
            if on_frame is not None:
                on_frame(app, pf)
            n += 1
            if game_view.over or (max_frames is not None and n >= max_frames):
                break
        report = app.report if app.report is not None else game_view.report()
        report["frames"] = n
        if writer is not None:
            if not game_view.over:
                app.note = "source ended"
            # the results screen (or the last frame): what the window would show next
            for _ in range(int(round(hold_end * fps))):
                if game_view.over:
                    app.tick(1.0 / fps)  # the results screen animates; a cut-off game stays
                _draw_out(app, writer)
        return report


def run_view_headless(
    view: View,
    frames: Iterable[PoseFrame],
    options: PlayOptions | None = None,
    size: tuple[int, int] = (1280, 720),
    video: str | os.PathLike | None = None,
    fps: float = 30.0,
    flip: bool = True,
    max_frames: int | None = None,
) -> PlayApp:
    """Run any view (the mirror) on PoseFrames without a window, drawing each frame
    offscreen and into ``video`` when given; returns the (closed) app for its stats."""
    with _headless_app(PlayApp(size, options or PlayOptions(sound=False), flip=flip), video, fps) as (
        app,
        writer,
    ):
        app.show(view)
        last_t: float | None = None
        for pf in frames:
            app.feed(pf)
            app.tick(0.0 if last_t is None else float(pf.t) - last_t)
            last_t = float(pf.t)
            _draw_out(app, writer)
            if not app.running or (max_frames is not None and app.stats["draws"] >= max_frames):
                break
        return app


@contextlib.contextmanager
def _headless_app(app: PlayApp, video: str | os.PathLike | None, fps: float) -> Iterator[tuple[PlayApp, Any]]:
    """``app`` with the video writer for ``video`` (None without one); on the way out the
    writer is closed, then the app, even when the run or the writer's close fails."""
    try:
        writer = None
        if video is not None:
            writer = open_video(video, fps, app.size)
        yield app, writer
    finally:
        try:
            if writer is not None:
                writer.close()
        finally:
            app.close()


def _draw_out(app: PlayApp, writer: Any) -> None:
    rgb = app.draw(read=writer is not None)
    if writer is not None and rgb is not None:
        writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


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


class WindowLoop:
    """One iteration of the window loop at a time (:func:`run_window` and tests).

    A frame is drawn when there is something new to show: every new PoseFrame (at most
    ``fps`` per second; one that arrives sooner is drawn as soon as the cap allows, so
    every tracking result is shown), or, while nothing new arrives, every ``1 / idle_fps``
    s for animations (``idle_fps=0``: never). Between draws the loop waits on the
    pipeline for the next result instead of spinning or redrawing the same picture at full
    cost, so drawing never starves the tracking threads on a CPU-bound machine.
    """

    WAIT = 0.01
    """Longest wait for a new result in one iteration (keeps window events responsive)."""

    def __init__(
        self,
        app: PlayApp,
        pipeline: Any,
        window: Any = None,
        *,
        fps: float = 60.0,
        idle_fps: float = 20.0,
        extra: Any = None,
    ) -> None:
        self.app, self.pipeline, self.window = app, pipeline, window
        self.min_dt = 1.0 / fps if fps > 0 else 0.0
        self.idle_dt = 1.0 / idle_fps if idle_fps > 0 else float("inf")
        self.extra = extra
        self.last = time.monotonic()
        self.last_draw = -1e9
        self.pending = app.frame is not None
        """A fed PoseFrame has not been drawn yet."""

    def step(self) -> bool:
        """Events, newest PoseFrame, clock, draw. Returns False once the app quits."""
        app = self.app
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                app.quit()
            elif event.type == pygame.KEYDOWN:
                if event.key == pygame.K_F3:
                    app.debug = not app.debug
                else:
                    app.dispatch("on_key", event.key)
        pf = self.pipeline.latest(timeout=self._wait())
        if pf is not None:
            app.feed(pf)
            self.pending = True
        elif getattr(self.pipeline, "finished", False) and app.frame is not None:
            app.note = "source ended"
        now = time.monotonic()
        app.tick(now - self.last)
        self.last = now
        if self.extra is not None:
            self.extra(app)
        since = now - self.last_draw
        if (self.pending and since >= self.min_dt) or since >= self.idle_dt:
            app.draw()
            if self.window is not None:
                self.window.flip()
            self.last_draw = now
            self.pending = False
        return app.running

    def _wait(self) -> float:
        """How long to wait for a result now: until the next draw is due, at most WAIT
        (0 while a fed result waits only for the frame-rate cap to pass)."""
        if self.app.frame is None:
            return 0.05
        due = self.last_draw + (self.min_dt if self.pending else self.idle_dt)
        if self.pending:
            if due > time.monotonic():
                time.sleep(min(due - time.monotonic(), self.WAIT))
            return 0.0
        if getattr(self.pipeline, "finished", False):
            time.sleep(min(max(due - time.monotonic(), 0.0), self.WAIT))
            return 0.0
        return min(max(due - time.monotonic(), 0.0), self.WAIT)


WINDOW_RASTER_THREADS = 1
"""Rasteriser threads of software GL (Mesa llvmpipe's ``LP_NUM_THREADS``) for a window
process, unless the environment sets it: llvmpipe otherwise starts one per core, and on
a CPU-bound machine they take the cores the tracking threads need (issue 11). Hardware
GL ignores it."""


def _share_cores_with_tracking() -> None:
    """Ask software GL for :data:`WINDOW_RASTER_THREADS` threads before the window's GL
    context loads the driver (read once per process, at its first context)."""
    os.environ.setdefault("LP_NUM_THREADS", str(WINDOW_RASTER_THREADS))


def run_window(
    pipeline: Any,
    game: str | None = None,
    options: PlayOptions | None = None,
    size: tuple[int, int] = (1280, 720),
    fps: float = 60.0,
    idle_fps: float = 20.0,
    fullscreen: bool = False,
    max_seconds: float | None = None,
    title_screen: bool = True,
    debug: bool = False,
    view: View | None = None,
    loop: Any = None,
    flip: bool = True,
    first: PoseFrame | None = None,
    title: str | None = None,
) -> dict[str, Any] | None:
    """Play in a window (one GL context, one Renderer) fed by a live pipeline.

    Each iteration takes the newest PoseFrame (``pipeline.latest()``), runs the clock and
    draws. A frame is drawn when there is something new to show: a new PoseFrame, or
    animation time (at most ``fps``; while no new pose arrives the loop sleeps a little
    instead of redrawing the same picture at full cost, so drawing never starves the
    tracking threads). When a file source ends, the last picture stays with a "source
    ended" note. F3 toggles the debug overlay; closing the window, or Esc on the results
    screen, ends cleanly; the pipeline is left to its owner.

    Args:
        fps: most frames drawn per second.
        idle_fps: redraws per second while no new PoseFrame arrives (animations; the
            mirror uses a low rate: its pictures only change with tracking results).
        view: show this view first instead of the title screen or ``game`` (the mirror).
        loop: called once per iteration with the app (extra per-frame work).
        flip: selfie view.
        first: a PoseFrame already taken from the pipeline (shown first).

    Returns:
        The report of the last finished game, or None.
    """
    options = options or PlayOptions()
    _share_cores_with_tracking()
    try:
        window = Window(
            size, title=title or ("arpose play" + (f": {game}" if game else "")), fullscreen=fullscreen
        )
    except RenderError as exc:
        raise GameError(
            f"cannot open a {size[0]}x{size[1]} window ({exc}); on a machine without a display, play headless"
        ) from exc
    renderer = Renderer.for_window(window, flip=flip, fit="cover")
    app = PlayApp(window.size, options, renderer=renderer, post_events=True, flip=flip)
    app.debug = debug
    app.live = True
    if first is not None:
        app.feed(first)
    if view is not None:
        app.show(view)
    elif title_screen:
        app.show(TitleView(game))
    elif game:
        start_game(app, game)
    loop_ = WindowLoop(app, pipeline, window, fps=fps, idle_fps=idle_fps, extra=loop)
    started = time.monotonic()
    try:
        while loop_.step():
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                break
    finally:
        app.close()
        renderer.release()
        window.close()
    return app.report


__all__ = ["run_headless", "run_window", "run_view_headless", "write_report", "start_game"]
