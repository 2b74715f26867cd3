"""The game framework in a real window and through the real renderer (the rest is in
tests/unit/test_play.py)."""

from __future__ import annotations

import sys
import time

import pygame
from play_helpers import frame, new_app

from arpose.play import (
    View,
)
from arpose.testing.bodies import Body

_WINDOW_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import pygame
from play_helpers import frame, new_app
from arpose.testing.bodies import Body
from arpose.play import run_window


class Frames:  # stands in for a live pipeline: hands out the newest frame
    def __init__(self):
        self.i = 0

    def latest(self, timeout=0):
        self.i += 1
        if self.i == 40:
            pygame.event.post(pygame.event.Event(pygame.QUIT))
        return frame(self.i / 30, Body(), index=self.i)


src = Frames()
report = run_window(src, "slicer", new_app().options, size=(640, 360), fps=0,
                    title_screen=False, max_seconds=30)
assert report is None, report     # quit before the round ended: nothing to report
assert 40 <= src.i < 45, src.i
assert not pygame.display.get_init()
print("ok")
"""


def test_window_closed_mid_game_exits_cleanly():
    """The real window loop (SDL offscreen driver, real GL) with a QUIT event mid-game.
    In a fresh process: SDL cannot open a second GL window after one was closed."""
    import os
    import subprocess
    from pathlib import Path

    script = _WINDOW_SCRIPT.format(tests=str(Path(__file__).resolve().parents[1]))
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=180
    )
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), proc.stderr[-2000:]


class _Painter(View):
    """A view that paints a red square and asks for an effect on everyone."""

    def __init__(self, effects=()):
        super().__init__()
        self.fx = tuple(effects)

    def on_draw(self, surface, alpha):
        pygame.draw.rect(surface, (255, 0, 0), (100, 100, 50, 40))

    def scene_effects(self):
        return {None: self.fx}


def test_shell_composites_the_views_layer_over_the_camera_through_one_renderer():
    import numpy as np

    app = new_app()
    app.show(_Painter())
    img = np.zeros((720, 1280, 3), np.uint8)
    img[:, :, 1] = 200  # a green camera picture
    from arpose.pose import PoseFrame

    app.feed(PoseFrame(0.0, 0, (1280, 720), (), image=img))
    rgb = app.draw(read=True)
    assert rgb.shape == (720, 1280, 3)
    assert tuple(rgb[120, 120]) == (255, 0, 0), "the layer, colours right (BGRA swizzle)"
    g = rgb[400, 600]
    assert g[0] == 0 and 110 <= g[1] <= 130 and g[2] == 0, "the camera, dimmed to 0.6"
    assert app.renderer.fit == "cover" and app.smap.fit == "cover"
    app.close()


class _Results:
    """A live pipeline's ``latest()``: the scheduled results, each handed out once."""

    def __init__(self, bursts):
        self.bursts = list(bursts)  # per call: how many new results arrive (newest wins)
        self.n = 0
        self.finished = False

    def latest(self, timeout=0.0):
        k = self.bursts.pop(0) if self.bursts else 0
        if not k:
            time.sleep(timeout)  # as a pipeline's: waits up to ``timeout`` for a result
            return None
        self.n += k
        return frame(self.n / 30, Body(), index=self.n)


def test_window_loop_draws_each_result_once_and_never_the_same_pose_again():
    """No idle redraws (idle_fps=0): the loop draws exactly once per new result, also
    when a result arrives before the frame-rate cap allows drawing it at once."""
    from arpose.play import TitleView
    from arpose.play.runner import WindowLoop

    was_init = pygame.display.get_init()
    pygame.display.init()  # the loop reads window events (SDL's offscreen driver here)
    app = new_app()
    app.show(TitleView())
    # calls 2-7 wait 10 ms each (WindowLoop.WAIT): the 8th's result is drawn at once; the
    # 9th's arrives right after that draw, before the 20/s cap allows the next, so it is
    # held and drawn when the cap passes (within the ten empty calls); the 20th's at once
    results = _Results([1] + [0] * 6 + [1, 1] + [0] * 10 + [1] + [0] * 30)
    loop = WindowLoop(app, results, None, fps=20.0, idle_fps=0)
    for _ in range(50):
        loop.step()
    assert app.stats["frames"] == 4
    assert app.stats["draws"] == 4, "one draw per result: none repeated, none skipped"
    app.close()
    if not was_init:
        pygame.display.quit()
