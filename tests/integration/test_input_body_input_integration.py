"""BodyInput with a pygame display, in a fresh interpreter and on the real model (the
rest is in tests/unit/test_input_body_input.py)."""

from __future__ import annotations

import subprocess
import sys

import pygame
import pytest

import arpose
from arpose.input import BodyInput
from arpose.input.events import EVENT_NAMES, event_type
from arpose.input.synthetic import (
    Body,
    concat,
    frames,
    squat_motion,
    swipe_motion,
    together,
)


@pytest.fixture
def pg():
    pygame.display.init()
    pygame.display.set_mode((320, 180))
    pygame.event.clear()
    yield pygame
    pygame.event.clear()
    pygame.display.quit()


def test_importing_arpose_does_not_import_pygame_and_types_are_registered_lazily():
    code = ("import sys, arpose; assert 'pygame' not in sys.modules; "
            "g = arpose.GESTURE; assert 'pygame' in sys.modules; "
            "import pygame; assert pygame.USEREVENT < g < pygame.NUMEVENTS; "
            "assert arpose.GESTURE == g and arpose.input.GESTURE == g; "
            "assert len({arpose.GESTURE, arpose.REP, arpose.PLAYER, arpose.BUTTON}) == 4")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYGAME_HIDE_SUPPORT_PROMPT": "1", "PATH": ""})
    assert res.returncode == 0, res.stderr
    with pytest.raises(AttributeError):
        arpose.NOT_AN_EVENT  # noqa: B018
    with pytest.raises(KeyError, match="GESTURE, REP, PLAYER, BUTTON"):
        event_type("TOUCH")


def test_events_reach_the_pygame_queue_with_their_attributes(pg):
    body = BodyInput(players=2, screen_size=(1280, 720), exercise="squat")
    p1 = Body(x=800, id=4)                     # image right = screen left: player 1
    p2 = Body(x=400, id=7)
    clip = frames(together(swipe_motion("right", body=p1),
                           concat(squat_motion(2, body=p2))), fps=30, noise=1.0)
    returned = []
    for pf in clip:
        returned += body.feed(pf)
    queue = [e for e in pg.event.get() if e.type in {event_type(n) for n in EVENT_NAMES}]
    assert len(queue) == len(returned) and body.poster.posted == len(returned)
    players = [e for e in queue if e.type == arpose.PLAYER]
    assert {(e.player, e.change, e.person_id) for e in players} == {(0, "joined", 4),
                                                                      (1, "joined", 7)}
    swipes = [e for e in queue if e.type == arpose.GESTURE and e.gesture == "swipe"]
    assert len(swipes) == 1 and swipes[0].player == 0 and swipes[0].label == "right"
    # start/end are screen pixels of a mirror view: the swipe goes right on screen
    assert swipes[0].end[0] > swipes[0].start[0]
    reps = [e for e in queue if e.type == arpose.REP and e.kind == "rep"]
    assert [(e.player, e.count, e.exercise) for e in reps] == [(1, 1, "squat"), (1, 2, "squat")]
    assert body.players[1].reps.count == 2 and body.players[0].reps.count == 0


def test_body_input_runs_the_real_pipeline_on_a_video(dance_video):
    """The threaded path: BodyInput(source=VIDEO) -> pipeline thread -> update()."""
    seen = posed = 0
    with BodyInput(source=str(dance_video), players=2, post_events=False,
                   realtime=False, keep_images=False) as body:
        for _ in range(400):
            body.update(timeout=5.0)
            if body.frame is not None:
                seen += 1
                posed += body.players[0].pose is not None
            if body.finished or seen >= 25:
                break
        assert seen >= 25
        # MediaPipe misses the dancer in a few single frames (0 people: frames 6, 11, 13 of
        # dance.avi), so player 0 has a pose in nearly every frame, not necessarily the last
        assert body.players[0].present and posed >= 20, (posed, seen)
    assert body.pipeline is None
