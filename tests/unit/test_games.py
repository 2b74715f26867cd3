"""The five games, driven headless with synthetic landmark sequences (and a real clip)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from play_helpers import GAMES, SIZE, frame, new_app, play_frames, start_game

from arpose.play import PlayOptions, get_game, run_headless, write_report
from arpose.pose import Pose, PoseFrame
from arpose.testing.bodies import Body, frames, make_pose, squat_motion, still_motion, swipe_motion

# -- slicer --------------------------------------------------------------------------------


def _wrist_on_screen(app, body: Body) -> np.ndarray:
    pf = frame(0.0, body)
    app.feed(pf)
    xy, _ = app.screen_joints(pf.poses[0], ("right_wrist",))
    return xy[0]


def test_slicer_swipe_through_a_fruit_slices_it():
    app = new_app()
    game = start_game(app, "slicer", spawn=False)
    motion = swipe_motion("right", start=(0.2, -0.3, 0.3), end=(1.4, 0.2, 0.3), duration=0.25)
    clip = frames(motion, fps=30, noise=1.0)
    a = _wrist_on_screen(app, Body(right_hand=(0.2, -0.3, 0.3)))
    b = _wrist_on_screen(app, Body(right_hand=(1.4, 0.2, 0.3)))
    mid = (a + b) / 2
    fruit = game.spawn("apple", pos=tuple(mid), vel=(0.0, 0.0), gravity=0.0)
    decoy = game.spawn("lime", pos=(100.0, 100.0), vel=(0.0, 0.0), gravity=0.0)
    play_frames(app, clip)
    assert not fruit.alive and decoy.alive
    slices = [e for e in game.score.events if e.kind == "slice"]
    assert len(slices) == 1 and slices[0].data["fruit"] == "apple"
    assert game.score.total == 10


def test_slicer_still_person_triggers_nothing():
    app = new_app()
    game = start_game(app, "slicer", spawn=False)
    things = [
        game.spawn("orange", pos=(x, y), vel=(0.0, 0.0), gravity=0.0)
        for x in range(100, 1280, 160)
        for y in range(100, 720, 140)
    ]
    play_frames(app, frames(still_motion(6.0), fps=30, noise=2.0, seed=4))
    assert all(t.alive for t in things)
    assert game.swipes == 0 and game.score.total == 0


def test_slicer_landmark_jump_is_not_a_swipe():
    """A wrist that teleports across the screen for one frame (a tracking glitch)."""
    app = new_app()
    game = start_game(app, "slicer", spawn=False)
    rest, jump = Body(right_hand=(0.3, -0.6, 0.3)), Body(right_hand=(1.3, 1.2, 0.3))
    a, b = _wrist_on_screen(app, rest), _wrist_on_screen(app, jump)
    fruit = game.spawn("plum", pos=tuple((a + b) / 2), vel=(0.0, 0.0), gravity=0.0)
    seq = [rest] * 20 + [jump] + [rest] * 20
    pfs = []
    for i, body in enumerate(seq):
        pose = make_pose(body)
        if body is jump:  # only the wrist glitches, the rest of the body stays put
            lm = make_pose(rest).landmarks.copy()
            lm[16] = pose.landmarks[16]
            pose = Pose(lm, pose.world, 0)
        pfs.append(PoseFrame(i / 30, i, SIZE, (pose,)))
    play_frames(app, pfs)
    assert fruit.alive and game.score.total == 0


def test_slicer_smoothed_landmark_jump_is_not_a_swipe():
    """The same one-frame teleport through the real PersonTracker (what ``arpose play``
    feeds): the smoother turns it into a glide there and back, which must neither count
    as a swipe nor slice fruit lying anywhere on the jump path."""
    from arpose.tracking.identity import PersonTracker

    app = new_app()
    game = start_game(app, "slicer", spawn=False)
    rest, jump = Body(right_hand=(0.3, -0.6, 0.3)), Body(right_hand=(1.3, 1.2, 0.3))
    a, b = _wrist_on_screen(app, rest), _wrist_on_screen(app, jump)
    fruits = [
        game.spawn("plum", pos=tuple(a + (b - a) * u), vel=(0.0, 0.0), gravity=0.0)
        for u in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)
    ]
    smoother = PersonTracker()
    seq = [rest] * 20 + [jump] + [rest] * 20
    pfs = []
    for i, body in enumerate(seq):
        pose = make_pose(body)
        if body is jump:
            lm = make_pose(rest).landmarks.copy()
            lm[16] = pose.landmarks[16]
            pose = Pose(lm, pose.world, 0)
        t = i / 30
        pfs.append(PoseFrame(t, i, SIZE, smoother([pose], t)))
    at_rest = pfs[19].poses[0].landmarks[16, :2]
    moved = max(float(np.linalg.norm(pf.poses[0].landmarks[16, :2] - at_rest)) for pf in pfs[20:24])
    assert moved > 30  # the smoother really lets part of the jump through (a glide)
    play_frames(app, pfs)
    assert game.swipes == 0
    assert all(f.alive for f in fruits) and game.score.total == 0


def test_slicer_bomb_costs_a_life_and_the_round_ends_on_lives():
    app = new_app()
    game = start_game(app, "slicer", spawn=False, lives=1)
    a = _wrist_on_screen(app, Body(right_hand=(0.2, -0.3, 0.3)))
    b = _wrist_on_screen(app, Body(right_hand=(1.4, 0.2, 0.3)))
    game.spawn("bomb", pos=tuple((a + b) / 2), vel=(0.0, 0.0), gravity=0.0)
    play_frames(app, frames(swipe_motion("right", duration=0.25), fps=30, noise=1.0))
    assert game.over and app.report["finished"] and app.report["bombs"] == 1
    assert type(app.views.top).__name__ == "ResultsView"


# -- workout -------------------------------------------------------------------------------


@pytest.mark.parametrize("reps", [3, 7])
def test_workout_squat_sequence_of_n_reps_reports_n(reps, tmp_path):
    clip = frames(squat_motion(reps=reps, period=1.8), fps=30, noise=1.5, seed=reps, time_jitter=0.2)
    report = run_headless("workout", clip, PlayOptions(exercise="squat", sound=False))
    path = write_report(report, tmp_path / "out.json")
    data = json.loads(path.read_text())
    assert data["game"] == "workout" and data["exercise"] == "squat"
    assert data["reps"] == reps
    assert [e["kind"] for e in data["events"]].count("rep") == reps
    assert data["score"] >= 10 * reps


def test_workout_upper_body_only_says_it_needs_legs_and_counts_nothing():
    clip = frames(squat_motion(reps=3, body=Body(visible="upper")), fps=30, noise=1.0)
    report = run_headless("workout", clip, PlayOptions(exercise="squat", sound=False))
    assert report["reps"] == 0
    assert report["elapsed"] < 1.0  # the timer did not run
    waits = [e for e in report["events"] if e["kind"] == "wait"]
    assert waits and "legs" in waits[0]["reason"]


def test_workout_arm_raise_does_not_need_legs():
    from arpose.testing.bodies import arm_raise_motion

    clip = frames(arm_raise_motion(reps=4, body=Body(visible="upper")), fps=30, noise=1.0)
    report = run_headless("workout", clip, PlayOptions(exercise="arm-raise", sound=False))
    assert report["reps"] == 4


# -- pose-wall -----------------------------------------------------------------------------


def _wall_score(body: Body) -> tuple[int, list[float]]:
    clip = frames(still_motion(12.0, body), fps=30, noise=1.0)
    report = run_headless("pose-wall", clip, PlayOptions(sound=False, extra={"sequence": ["t-pose"]}))
    return report["score"], report["similarities"]


def test_pose_wall_scores_a_matching_pose_higher_than_a_non_matching_one():
    match_score, match_sims = _wall_score(Body(left_arm=90, right_arm=90))
    other_score, other_sims = _wall_score(Body(left_arm=170, right_arm=10))
    assert match_sims and other_sims
    assert min(match_sims) > 0.85 > 0.5 > max(other_sims)
    assert match_score > other_score


def test_pose_wall_ignores_a_glitched_giant_body():
    """A pose a million pixels wide (a tracking glitch) must not size the wall's hole:
    drawing a circle that big froze the game for seconds per frame."""
    app = new_app()
    game = start_game(app, "pose-wall", sequence=["t-pose"])
    play_frames(app, [frame(i / 30, Body(), index=i) for i in range(40)])
    assert game.target is not None
    pts, su = game._silhouette(SIZE)
    assert su < SIZE[1]  # anchored on the player: a normal body
    giant = frame(2.0, Body())
    lm = giant.poses[0].landmarks.copy()
    lm[:, :3] *= 1e6
    app.feed(PoseFrame(2.0, 99, SIZE, (Pose(lm, giant.poses[0].world, 0),)))
    app.tick(1 / 30)
    pts, su = game._silhouette(SIZE)
    assert su == SIZE[1] / 7 and np.all(np.abs(pts) < 2 * SIZE[0])


# -- pong ----------------------------------------------------------------------------------


def test_pong_paddle_follows_the_hand():
    app = new_app()
    game = start_game(app, "pong")
    ys = {}
    for name, up in (("high", 1.2), ("low", -1.2)):
        body = Body(right_hand=(0.6, up, 0.3))
        start = app.time
        play_frames(app, [frame(start + (i + 1) / 30, body, index=i) for i in range(20)])
        ys[name] = game.pad[0]
    assert ys["high"] < ys["low"] - SIZE[1] * 0.3


def test_pong_two_players_and_an_extra_person_is_ignored():
    app = new_app(players=2)
    game = get_game("pong")(PlayOptions(players=2, sound=False, extra={"countdown": 0.0}))
    app.show(game)
    p1, p2 = Body(x=900, id=0), Body(x=380, id=1)
    extra = Body(x=640, id=7, right_arm=170)
    play_frames(app, [frame(i / 30, p1, p2, index=i) for i in range(10)])
    assert not game.ai
    ids = [app.player(0).id, app.player(1).id]
    play_frames(app, [frame((10 + i) / 30, extra, p1, p2, index=10 + i) for i in range(30)])
    assert [app.player(0).id, app.player(1).id] == ids  # never swapped mid-round


def test_pong_single_player_plays_the_ai_to_the_end():
    def wave(t):
        return [Body(right_hand=(0.6, -1.2 + 2.4 * (0.5 + 0.5 * math.sin(t * 2)), 0.3))]

    report = run_headless("pong", frames((wave, 80.0), fps=20, noise=1.0), PlayOptions(sound=False))
    assert report["mode"] == "vs-ai" and report["finished"]
    assert max(report["points"]) == 7


# -- all games -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", GAMES)
def test_nobody_in_view_pauses_the_timer(name):
    clip = [PoseFrame(i / 30, i, SIZE, ()) for i in range(150)]
    report = run_headless(name, clip, PlayOptions(sound=False))
    assert report["elapsed"] == 0.0 and report["score"] == 0
    assert [e["kind"] for e in report["events"]][:2] == ["start", "wait"]


def test_headless_runs_are_deterministic():
    clip = frames(still_motion(10.0), fps=30, noise=2.0)
    a = run_headless("slicer", clip, PlayOptions(sound=False, seed=3))
    b = run_headless("slicer", clip, PlayOptions(sound=False, seed=3))
    assert a == b and a["missed"] > 0
