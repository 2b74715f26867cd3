"""BodyInput end to end: fed PoseFrames -> players, cursors, gestures, reps, pygame events."""

from __future__ import annotations

import subprocess
import sys

import pygame
import pytest

import arpose
from arpose.input import BodyInput
from arpose.input.events import EVENT_NAMES, event_type
from arpose.scene.screen import ScreenMap
from arpose.testing.bodies import (
    Body,
    concat,
    frames,
    pose_hold_motion,
    squat_motion,
    still_motion,
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
    code = (
        "import sys, arpose; assert 'pygame' not in sys.modules; "
        "g = arpose.GESTURE; assert 'pygame' in sys.modules; "
        "import pygame; assert pygame.USEREVENT < g < pygame.NUMEVENTS; "
        "assert arpose.GESTURE == g and arpose.input.GESTURE == g; "
        "assert len({arpose.GESTURE, arpose.REP, arpose.PLAYER, arpose.BUTTON}) == 4"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYGAME_HIDE_SUPPORT_PROMPT": "1", "PATH": ""},
    )
    assert res.returncode == 0, res.stderr
    with pytest.raises(AttributeError):
        arpose.NOT_AN_EVENT  # noqa: B018
    with pytest.raises(KeyError, match="GESTURE, REP, PLAYER, BUTTON"):
        event_type("TOUCH")


def test_events_reach_the_pygame_queue_with_their_attributes(pg):
    body = BodyInput(players=2, screen_size=(1280, 720), exercise="squat")
    p1 = Body(x=800, id=4)  # image right = screen left: player 1
    p2 = Body(x=400, id=7)
    clip = frames(
        together(swipe_motion("right", body=p1), concat(squat_motion(2, body=p2))), fps=30, noise=1.0
    )
    returned = []
    for pf in clip:
        returned += body.feed(pf)
    queue = [e for e in pg.event.get() if e.type in {event_type(n) for n in EVENT_NAMES}]
    assert len(queue) == len(returned) and body.poster.posted == len(returned)
    players = [e for e in queue if e.type == arpose.PLAYER]
    assert {(e.player, e.change, e.person_id) for e in players} == {(0, "joined", 4), (1, "joined", 7)}
    swipes = [e for e in queue if e.type == arpose.GESTURE and e.gesture == "swipe"]
    assert len(swipes) == 1 and swipes[0].player == 0 and swipes[0].label == "right"
    # start/end are screen pixels of a mirror view: the swipe goes right on screen
    assert swipes[0].end[0] > swipes[0].start[0]
    reps = [e for e in queue if e.type == arpose.REP and e.kind == "rep"]
    assert [(e.player, e.count, e.exercise) for e in reps] == [(1, 1, "squat"), (1, 2, "squat")]
    assert body.players[1].reps.count == 2 and body.players[0].reps.count == 0


def test_without_pygame_display_events_are_still_returned(caplog):
    body = BodyInput(players=1)  # post_events=True but pygame not initialised
    pygame.display.quit()
    out = []
    for pf in frames(pose_hold_motion(left_arm=175), fps=30, noise=1.0):
        out += body.feed(pf)
    assert [(getattr(e, "name", None), getattr(e, "phase", None)) for e in out if hasattr(e, "name")] == [
        ("hand_up", "start"),
        ("hand_up", "end"),
    ]


def test_players_cursor_and_hands_on_screen():
    body = BodyInput(players=1, screen_size=(800, 600), post_events=False)
    clip = frames(still_motion(1.0, Body(x=640, right_hand=(0.9, 0.6, 0.3))), fps=30)
    for pf in clip:
        body.feed(pf)
    p = body.players[0]
    assert p.present and p.cursor is not None
    x, y = p.cursor
    assert 400 < x <= 800 and 0 <= y < 300  # right hand out and up: upper right
    # wrists in screen space go through the same ScreenMap as the camera picture
    smap = body.screen_map()
    assert isinstance(smap, ScreenMap) and smap.flip
    wrist = smap.to_screen(p.pose.xy("right_wrist"))
    assert p.hands["right"] == pytest.approx(tuple(wrist))
    assert p.hands["right"][0] > p.hands["left"][0]  # mirror view: user's right on the right


def test_leaving_pauses_with_a_prompt_and_returning_keeps_reps():
    body = BodyInput(players=1, post_events=False, exercise="squat")
    person = Body(id=3)
    first = frames(squat_motion(2, body=person), fps=30, noise=1.0)
    for pf in first:
        body.feed(pf)
    assert body.players[0].reps.count == 2 and not body.waiting and body.prompt == ""
    t = first[-1].t
    gone = [pf.__class__(t + 0.1 * i, 0, pf.size, ()) for i, pf in enumerate(first[:10], 1)]
    events = []
    for pf in gone:
        events += body.feed(pf)
    assert [e.change for e in events if hasattr(e, "change")] == ["left"]
    assert body.waiting and body.prompt == "player 1: step back into view"
    assert body.players[0].cursor is None
    back = frames(squat_motion(1, body=person), fps=30, noise=1.0, t0=t + 2.0)
    events = []
    for pf in back:
        events += body.feed(pf)
    assert [e.change for e in events if hasattr(e, "change")] == ["returned"]
    assert body.players[0].reps.count == 3


def test_nobody_in_view_prompt_and_bad_options():
    body = BodyInput(players=2, post_events=False)
    assert body.waiting and body.prompt == "step into view"
    body.feed(frames(still_motion(0.1), fps=30)[0].__class__(0.0, 0, (640, 480), ()))
    assert body.waiting
    with pytest.raises(ValueError, match="fit must be one of"):
        BodyInput(players=1, fit="zoom")
    with pytest.raises(arpose.ArposeError, match="unknown exercise"):
        BodyInput(players=1, exercise="burpee")


def test_update_without_pipeline_is_harmless():
    body = BodyInput(players=1, post_events=False)
    assert body.update() == [] and body.frame is None
    body.close()


def test_body_input_runs_the_real_pipeline_on_a_video(dance_video):
    """The threaded path: BodyInput(source=VIDEO) -> pipeline thread -> update()."""
    seen = posed = 0
    with BodyInput(
        source=str(dance_video), players=2, post_events=False, realtime=False, keep_images=False
    ) as body:
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
