"""The live mirror's loop on the real pygame window path (SDL offscreen driver, real GL):
keys and a raised hand cycle the gallery, per-player choice, hot-reload errors on screen."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

pygame = pytest.importorskip("pygame")

from arpose.apps.mirror import Mirror, render_hud  # noqa: E402
from arpose.play import PlayApp, PlayOptions  # noqa: E402
from arpose.play.runner import WindowLoop  # noqa: E402
from arpose.render import Renderer, Window  # noqa: E402
from arpose.testing.bodies import Body, frames, pose_hold_motion  # noqa: E402
from arpose.tracking.pipeline import Pipeline  # noqa: E402

CYCLE = ["top-hat", "sunglasses", "crown"]


class PoseFrames:
    """A source that yields prepared PoseFrames (as a recording replay does)."""

    yields_poses = True
    live = False
    fps = 30.0
    name = "synthetic"

    def __init__(self, items):
        self._items = list(items)

    def read(self):
        return self._items.pop(0) if self._items else None

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def window():
    """One window for the module: SDL cannot re-create a GL window in the same process
    after closing one (the render tests use a subprocess for the same reason)."""
    with Window((640, 360), title="test mirror") as w:
        renderer = Renderer.for_window(w, flip=True, fit="cover")
        yield w, renderer
        renderer.release()


def shell(win, renderer, view: Mirror) -> PlayApp:
    """The mirror view in the play shell, drawing into the test window."""
    renderer.flip = True
    app = PlayApp(
        renderer.size, PlayOptions(players=2, sound=False, skeleton=False, dim=1.0), renderer=renderer
    )
    app.show(view)
    return app


def drain(app: PlayApp, pipeline, win, limit: int = 2000) -> WindowLoop:
    loop = WindowLoop(app, pipeline, win, fps=0, idle_fps=1000)
    for _ in range(limit):
        loop.step()
        if pipeline.finished:
            loop.step()
            return loop
    raise AssertionError("pipeline did not finish")


def test_keys_cycle_the_gallery(window):
    win, renderer = window
    clip = frames(pose_hold_motion(hold=0.1, rest=0.2), fps=30, size=(640, 360))
    with Pipeline(PoseFrames(clip)) as pipeline:
        app = Mirror(["top-hat"], cycle=CYCLE)
        sh = shell(win, renderer, app)
        for key in (pygame.K_RIGHT, pygame.K_RIGHT, pygame.K_LEFT, pygame.K_SPACE):
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key))
        drain(sh, pipeline, win)
    assert app.stats.switches == ["sunglasses", "crown", "sunglasses"]
    assert app.skeleton and app.stats.frames_drawn > 0
    assert [e.name for e in sh.effects.effects] == ["Sunglasses"]
    assert sh.worn_effects(None) == ("Sunglasses",)


def test_raising_a_hand_cycles_for_that_person(window):
    win, renderer = window
    body = Body(x=320, floor=350, scale=50)  # small enough that the raised hand is in view
    clip = frames(pose_hold_motion(hold=1.0, rest=0.8, body=body, right_arm=175), fps=30, size=(640, 360))
    with Pipeline(PoseFrames(clip)) as pipeline:
        app = Mirror(["top-hat"], cycle=CYCLE)
        drain(shell(win, renderer, app), pipeline, win)
    assert app.stats.switches == ["sunglasses"], "the right hand raised once: next effect"


def test_per_player_mode_gives_each_person_their_own(window):
    win, renderer = window
    clip = frames(pose_hold_motion(hold=0.1, rest=0.1), fps=30, size=(640, 360))
    with Pipeline(PoseFrames(clip)) as pipeline:
        app = Mirror(["top-hat"], cycle=CYCLE, per_player=True)
        app.next_effect(+1, player=2)
        sh = shell(win, renderer, app)
        assert app.hud_lines()[0].startswith("-   "), "nothing drawn yet: no effect names"
        drain(sh, pipeline, win)
    assert [e.name for e in sh.effects.effects_for(1)] == ["Top hat"]
    assert sh.worn_effects(2) == ("Sunglasses",)
    assert "P1: Top hat | P2: Sunglasses" in app.hud_lines()[0]
    app.toggle_per_player()
    sh.draw()
    assert sh.effects.effects_for(2) == [] and sh.worn_effects(None)


def test_broken_edit_shows_the_error_on_screen_and_keeps_the_effect(window, tmp_path):
    win, renderer = window
    img = np.zeros((24, 24, 4), np.uint8)
    img[...] = (0, 255, 0, 255)
    cv2.imwrite(str(tmp_path / "dot.png"), img)
    fx = tmp_path / "dot.toml"
    fx.write_text('[[attach]]\njoint = "nose"\nasset = "dot.png"\nscale = 0.6\nlayer = "front"\n')
    body = Body(x=320, floor=350, scale=70)
    clip = frames(pose_hold_motion(hold=0.1, rest=0.2, body=body), fps=30, size=(640, 360))
    with Pipeline(PoseFrames(clip)) as pipeline:
        app = Mirror([str(fx)], cycle=CYCLE)
        sh = shell(win, renderer, app)
        loop = drain(sh, pipeline, win)
        before = renderer.read()
        fx.write_text(fx.read_text().replace("0.6", "-3"))
        st = fx.stat()
        os.utime(fx, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
        sh.reloader.poll(force=True)
        loop.step()
        sh.draw()
        after = renderer.read()
    assert app.hud_lines()[1] == sh.reload_message
    assert sh.reload_message.startswith("invalid 'scale' in attachment 1 of dot.toml")
    red = (after[..., 0] > 140) & (after[..., 1] < 60) & (after[..., 2] < 60)
    assert red[-10:].mean() > 0.5, "a red error bar at the bottom"
    green = lambda im: ((im[..., 1] > 200) & (im[..., 0] < 80)).sum()  # noqa: E731
    assert green(before) > 50 and abs(green(after) - green(before)) < 0.2 * green(before)


def test_hud_wraps_long_errors():
    rgba = render_hud((400, 300), "Top hat", "x " * 200)
    assert rgba.shape == (300, 400, 4)
    red_rows = (rgba[:, 5, 0] > 150) & (rgba[:, 5, 3] > 200)
    assert red_rows.sum() > 40, "several lines of error text"
    assert rgba[150, 200, 3] == 0, "the middle stays transparent"


def test_arpose_mirror_command_on_a_photo(astronaut_png):
    """The whole command (window, tracker, effects) in a fresh process."""
    import subprocess
    import sys

    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "arpose",
            "mirror",
            "--source",
            str(astronaut_png),
            "-e",
            "sunglasses",
            "--seconds",
            "2",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "frames drawn" in proc.stdout
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "arpose",
            "mirror",
            "--source",
            str(astronaut_png),
            "-e",
            "no-such-effect",
            "--seconds",
            "2",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1 and "unknown effect 'no-such-effect'" in proc.stderr


def test_per_player_effects_stay_on_their_player_when_the_frame_order_flips():
    """Per player, the effects follow the player slots (whose gestures pick them), not the
    order the tracker lists people in."""
    from arpose.pose import PoseFrame
    from arpose.testing.bodies import make_pose

    view = Mirror(["top-hat"], cycle=CYCLE, per_player=True)
    app = PlayApp((1280, 720), PlayOptions(players=2, sound=False, skeleton=False, dim=1.0))
    try:
        app.show(view)
        left = make_pose(Body(x=400), image_size=(1280, 720)).with_id(0)
        right = make_pose(Body(x=880), image_size=(1280, 720)).with_id(1)
        first: list[float] = []
        for i in range(60):
            people = (left, right) if i < 30 else (right, left)  # the tracker re-lists them
            app.feed(PoseFrame(i / 30, i, (1280, 720), people))
            drawn = app._draw_frame(True, view.dress == "people")
            first.append(float(drawn.poses[0].landmarks[0, 0]))  # effect player 1's nose x
        assert abs(first[29] - first[59]) < 5, (first[29], first[59])
        view.toggle_per_player()  # shared effect: everyone
        assert view.dress == "people"
    finally:
        app.close()
