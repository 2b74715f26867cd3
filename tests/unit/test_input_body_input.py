"""BodyInput end to end: fed PoseFrames -> players, cursors, gestures, reps, pygame events."""

from __future__ import annotations

import pygame
import pytest

import arpose
from arpose.input import BodyInput, ScreenMap
from arpose.input.synthetic import (
    Body,
    frames,
    pose_hold_motion,
    squat_motion,
    still_motion,
)


def test_without_pygame_display_events_are_still_returned(caplog):
    body = BodyInput(players=1)                # post_events=True but pygame not initialised
    pygame.display.quit()
    out = []
    for pf in frames(pose_hold_motion(left_arm=175), fps=30, noise=1.0):
        out += body.feed(pf)
    assert [(getattr(e, "name", None), getattr(e, "phase", None)) for e in out
            if hasattr(e, "name")] == [("hand_up", "start"), ("hand_up", "end")]


def test_players_cursor_and_hands_on_screen():
    body = BodyInput(players=1, screen_size=(800, 600), post_events=False)
    clip = frames(still_motion(1.0, Body(x=640, right_hand=(0.9, 0.6, 0.3))), fps=30)
    for pf in clip:
        body.feed(pf)
    p = body.players[0]
    assert p.present and p.cursor is not None
    x, y = p.cursor
    assert 400 < x <= 800 and 0 <= y < 300          # right hand out and up: upper right
    # wrists in screen space go through the same ScreenMap as the camera picture
    smap = body.screen_map()
    assert isinstance(smap, ScreenMap) and smap.mirror
    wrist = smap.to_screen(p.pose.xy("right_wrist"))
    assert p.hands["right"] == pytest.approx(tuple(wrist))
    assert p.hands["right"][0] > p.hands["left"][0]   # mirror view: user's right on the right


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
