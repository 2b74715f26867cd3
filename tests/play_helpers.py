"""Helpers for the play/game tests: synthetic players and a body-driven app."""

from __future__ import annotations

import numpy as np

from arpose.play import PlayApp, PlayOptions, get_game
from arpose.pose import PoseFrame
from arpose.testing.bodies import Body, make_pose

SIZE = (1280, 720)


def frame(t: float, *bodies: Body, index: int = 0, noise: float = 0.0, seed: int = 0) -> PoseFrame:
    rng = np.random.default_rng(seed + index)
    poses = tuple(make_pose(b, noise=noise, rng=rng, image_size=SIZE) for b in bodies)
    return PoseFrame(t=t, index=index, size=SIZE, poses=poses)


def hand_pointing_at(app: PlayApp, target: tuple[float, float], body: Body | None = None) -> Body:
    """A Body whose right hand puts player 1's cursor nearest to ``target`` (window px).

    Searches the arm's reach: the cursor mapping is the library's, not re-derived here.
    """
    from arpose.play.player_input import PlayerInput

    body = Body() if body is None else body
    best, best_d = body, float("inf")
    for out in np.linspace(-0.6, 1.4, 21):
        for up in np.linspace(-1.4, 1.4, 29):
            b = body.but(right_hand=(float(out), float(up), 0.3))
            probe = PlayerInput(app.size, 1)
            pf = frame(0.0, b)
            app_smap = app.smap
            probe.feed(pf, app_smap or app.screen_map(pf.size))
            c = probe.cursor(0)
            if c is None:
                continue
            d = float(np.hypot(c[0] - target[0], c[1] - target[1]))
            if d < best_d:
                best, best_d = b, d
    return best


def drive(app: PlayApp, body_fn, t0: float, seconds: float, fps: float = 30.0, draw: bool = False) -> float:
    """Feed frames from ``body_fn(t) -> list[Body]`` for ``seconds``; returns the end time."""
    n = int(seconds * fps)
    t = t0
    for i in range(n):
        t = t0 + (i + 1) / fps
        app.feed(frame(t, *body_fn(t), index=int(t * fps)))
        app.tick(1.0 / fps)
        if draw:
            app.draw()
    return t


def new_app(**options) -> PlayApp:
    return PlayApp(SIZE, PlayOptions(sound=False, **options))


GAMES = ("slicer", "pose-wall", "workout", "pong", "hand-signs", "spelling")


def start_game(app: PlayApp, name: str, **extra: object):
    """Show game ``name`` on ``app`` with no countdown and no sound."""
    game = get_game(name)(PlayOptions(sound=False, extra={"countdown": 0.0, **extra}))
    app.options = game.options
    app.show(game)
    return game


def play_frames(app: PlayApp, frames_) -> None:
    """Feed ``frames_`` to ``app``, ticking by their timestamps."""
    last = None
    for pf in frames_:
        app.feed(pf)
        app.tick(0.0 if last is None else pf.t - last)
        last = pf.t
