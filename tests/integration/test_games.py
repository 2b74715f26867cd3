"""The five games, driven headless with synthetic landmark sequences (and a real clip)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from play_helpers import SIZE, frame, new_app

from arpose.input.synthetic import (
    Body,
    frames,
    make_pose,
    squat_motion,
    still_motion,
    swipe_motion,
)
from arpose.play import PlayOptions, get_game, run_headless, write_report
from arpose.pose import Pose, PoseFrame

GAMES = ("slicer", "pose-wall", "workout", "pong", "hand-signs")


def _game(app, name, **extra):
    game = get_game(name)(PlayOptions(sound=False, extra={"countdown": 0.0, **extra}))
    app.options = game.options
    app.show(game)
    return game


def _play(app, frames_):
    last = None
    for pf in frames_:
        app.feed(pf)
        app.tick(0.0 if last is None else pf.t - last)
        last = pf.t


# -- slicer --------------------------------------------------------------------------------

def _wrist_on_screen(app, body: Body) -> np.ndarray:
    pf = frame(0.0, body)
    app.feed(pf)
    xy, _ = app.screen_joints(pf.poses[0], ("right_wrist",))
    return xy[0]


def test_slicer_swipe_through_a_fruit_slices_it():
    app = new_app()
    game = _game(app, "slicer", spawn=False)
    motion = swipe_motion("right", start=(0.2, -0.3, 0.3), end=(1.4, 0.2, 0.3), duration=0.25)
    clip = frames(motion, fps=30, noise=1.0)
    a = _wrist_on_screen(app, Body(right_hand=(0.2, -0.3, 0.3)))
    b = _wrist_on_screen(app, Body(right_hand=(1.4, 0.2, 0.3)))
    mid = (a + b) / 2
    fruit = game.spawn("apple", pos=tuple(mid), vel=(0.0, 0.0), gravity=0.0)
    decoy = game.spawn("lime", pos=(100.0, 100.0), vel=(0.0, 0.0), gravity=0.0)
    _play(app, clip)
    assert not fruit.alive and decoy.alive
    slices = [e for e in game.score.events if e.kind == "slice"]
    assert len(slices) == 1 and slices[0].data["fruit"] == "apple"
    assert game.score.total == 10


def test_slicer_still_person_triggers_nothing():
    app = new_app()
    game = _game(app, "slicer", spawn=False)
    things = [game.spawn("orange", pos=(x, y), vel=(0.0, 0.0), gravity=0.0)
              for x in range(100, 1280, 160) for y in range(100, 720, 140)]
    _play(app, frames(still_motion(6.0), fps=30, noise=2.0, seed=4))
    assert all(t.alive for t in things)
    assert game.swipes == 0 and game.score.total == 0


def test_slicer_landmark_jump_is_not_a_swipe():
    """A wrist that teleports across the screen for one frame (a tracking glitch)."""
    app = new_app()
    game = _game(app, "slicer", spawn=False)
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
    _play(app, pfs)
    assert fruit.alive and game.score.total == 0


def test_slicer_smoothed_landmark_jump_is_not_a_swipe():
    """The same one-frame teleport through the real PoseSmoother (what ``arpose play``
    feeds): the smoother turns it into a glide there and back, which must neither count
    as a swipe nor slice fruit lying anywhere on the jump path."""
    from arpose.smoothing import PoseSmoother

    app = new_app()
    game = _game(app, "slicer", spawn=False)
    rest, jump = Body(right_hand=(0.3, -0.6, 0.3)), Body(right_hand=(1.3, 1.2, 0.3))
    a, b = _wrist_on_screen(app, rest), _wrist_on_screen(app, jump)
    fruits = [game.spawn("plum", pos=tuple(a + (b - a) * u), vel=(0.0, 0.0), gravity=0.0)
              for u in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)]
    smoother = PoseSmoother()
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
    moved = max(float(np.linalg.norm(pf.poses[0].landmarks[16, :2] - at_rest))
                for pf in pfs[20:24])
    assert moved > 30  # the smoother really lets part of the jump through (a glide)
    _play(app, pfs)
    assert game.swipes == 0
    assert all(f.alive for f in fruits) and game.score.total == 0


def test_slicer_bomb_costs_a_life_and_the_round_ends_on_lives():
    app = new_app()
    game = _game(app, "slicer", spawn=False, lives=1)
    a = _wrist_on_screen(app, Body(right_hand=(0.2, -0.3, 0.3)))
    b = _wrist_on_screen(app, Body(right_hand=(1.4, 0.2, 0.3)))
    game.spawn("bomb", pos=tuple((a + b) / 2), vel=(0.0, 0.0), gravity=0.0)
    _play(app, frames(swipe_motion("right", duration=0.25), fps=30, noise=1.0))
    assert game.over and app.report["finished"] and app.report["bombs"] == 1
    assert type(app.views.top).__name__ == "ResultsView"


# -- workout -------------------------------------------------------------------------------

@pytest.mark.parametrize("reps", [3, 7])
def test_workout_squat_sequence_of_n_reps_reports_n(reps, tmp_path):
    clip = frames(squat_motion(reps=reps, period=1.8), fps=30, noise=1.5, seed=reps,
                  time_jitter=0.2)
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
    assert report["elapsed"] < 1.0          # the timer did not run
    waits = [e for e in report["events"] if e["kind"] == "wait"]
    assert waits and "legs" in waits[0]["reason"]


def test_workout_arm_raise_does_not_need_legs():
    from arpose.input.synthetic import arm_raise_motion
    clip = frames(arm_raise_motion(reps=4, body=Body(visible="upper")), fps=30, noise=1.0)
    report = run_headless("workout", clip, PlayOptions(exercise="arm-raise", sound=False))
    assert report["reps"] == 4


# -- pose-wall -----------------------------------------------------------------------------

def _wall_score(body: Body) -> tuple[int, list[float]]:
    clip = frames(still_motion(12.0, body), fps=30, noise=1.0)
    report = run_headless("pose-wall", clip, PlayOptions(sound=False,
                                                         extra={"sequence": ["t-pose"]}))
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
    game = _game(app, "pose-wall", sequence=["t-pose"])
    _play(app, [frame(i / 30, Body(), index=i) for i in range(40)])
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
    game = _game(app, "pong")
    ys = {}
    for name, up in (("high", 1.2), ("low", -1.2)):
        body = Body(right_hand=(0.6, up, 0.3))
        start = app.time
        _play(app, [frame(start + (i + 1) / 30, body, index=i) for i in range(20)])
        ys[name] = game.pad[0]
    assert ys["high"] < ys["low"] - SIZE[1] * 0.3


def test_pong_two_players_and_an_extra_person_is_ignored():
    app = new_app(players=2)
    game = get_game("pong")(PlayOptions(players=2, sound=False, extra={"countdown": 0.0}))
    app.show(game)
    p1, p2 = Body(x=900, id=0), Body(x=380, id=1)
    extra = Body(x=640, id=7, right_arm=170)
    _play(app, [frame(i / 30, p1, p2, index=i) for i in range(10)])
    assert not game.ai
    ids = [app.player(0).id, app.player(1).id]
    _play(app, [frame((10 + i) / 30, extra, p1, p2, index=10 + i) for i in range(30)])
    assert [app.player(0).id, app.player(1).id] == ids   # never swapped mid-round


def test_pong_single_player_plays_the_ai_to_the_end():
    def wave(t):
        return [Body(right_hand=(0.6, -1.2 + 2.4 * (0.5 + 0.5 * math.sin(t * 2)), 0.3))]
    report = run_headless("pong", frames((wave, 80.0), fps=20, noise=1.0),
                          PlayOptions(sound=False))
    assert report["mode"] == "vs-ai" and report["finished"]
    assert max(report["points"]) == 7


# -- all games -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", GAMES)
def test_game_runs_start_to_finish_headless(name):
    """A few hundred frames each, drawn, with the round shortened so it ends."""
    clip = frames(squat_motion(reps=4, period=1.5), fps=30, noise=1.0)   # 8 s, 241 frames
    report = run_headless(name, clip, PlayOptions(sound=False, duration=6.0), render=True)
    assert report["game"] == name and report["finished"] is True
    assert report["events"][0]["kind"] == "start" and report["events"][-1]["kind"] == "end"
    assert all(a["t"] <= b["t"] for a, b in zip(report["events"], report["events"][1:]))


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


def _odd_frames(seed: int, n: int, people: int, kind: str) -> list[PoseFrame]:
    rng = np.random.default_rng(seed)
    out, t = [], 0.0
    for i in range(n):
        t += float(rng.choice([0.0, 1 / 30, 1 / 15, 0.5, 1e-4]))
        poses = []
        for k in range(int(rng.integers(0, people + 1))):
            lm = make_pose(Body(x=float(rng.uniform(-200, 1500)), id=k)).landmarks.copy()
            if kind == "random":
                lm = rng.uniform(-5000, 5000, lm.shape).astype(np.float32)
            elif kind == "nan":
                lm[rng.random(33) < 0.3] = np.nan
            elif kind == "zero":
                lm[:] = 0
            elif kind == "invisible":
                lm[:, 3:] = 0
            elif kind == "huge":
                lm[:, :3] *= 1e6
            poses.append(Pose(lm, np.zeros((33, 3), np.float32), int(rng.integers(-1, 3))))
        out.append(PoseFrame(t, i, SIZE, tuple(poses)))
    return out


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), people=st.integers(0, 3),
       kind=st.sampled_from(["ok", "random", "nan", "zero", "invisible", "huge"]),
       players=st.sampled_from([1, 2]))
def test_no_game_crashes_on_empty_or_odd_landmarks(seed, people, kind, players):
    clip = _odd_frames(seed, 200, people, kind)
    for name in GAMES:
        report = run_headless(name, clip, PlayOptions(sound=False, players=players, seed=seed),
                              render=True, size=(640, 360))
        json.dumps(report)
        assert report["game"] == name


# -- real clip -----------------------------------------------------------------------------

def test_cli_play_slicer_headless_on_the_real_clip(dance_video, tmp_path):
    out = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-m", "arpose", "play", "slicer", "--source",
                           str(dance_video), "--headless", "--report", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["game"] == "slicer" and isinstance(data["score"], int)
    assert data["frames"] == 205
    assert data["events"][0] == {"t": 0.0, "kind": "start", "game": "slicer"}
    assert "slicer: score" in proc.stdout


def test_cli_play_errors_are_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "arpose", "play", "slicr", "--headless",
                           "--source", "x.avi"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "arpose: error: unknown game 'slicr'; did you mean 'slicer'? "
        "(games: slicer, pose-wall, workout, pong, hand-signs)"]
    proc = subprocess.run([sys.executable, "-m", "arpose", "play", "--list"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.split()[0] == "slicer"


@pytest.mark.parametrize("name", GAMES)
def test_effects_never_change_a_games_result(name, tmp_path):
    """Same input -> identical report, with effects drawn (and a video written) or not."""
    import cv2

    clip = frames(squat_motion(reps=2, period=1.5), fps=30, noise=1.0)[:90]
    plain = run_headless(name, clip, PlayOptions(sound=False, duration=2.0, game_effects=False))
    video = tmp_path / f"{name}.mp4"
    dressed = run_headless(name, clip, PlayOptions(sound=False, duration=2.0,
                                                   effects=("crown",)),
                           video=video, fps=30.0, hold_end=0.5)
    assert dressed == plain and plain["finished"]
    cap = cv2.VideoCapture(str(video))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    assert n == plain["frames"] + 15                     # every drawn frame, then the hold
    assert (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))) \
        == SIZE


def test_pongs_winner_wears_a_crown_on_the_results_screen():
    app = new_app()
    game = _game(app, "pong")
    _play(app, [frame(i / 30, Body(), index=i) for i in range(5)])
    game.score.add(3, app.time, "point", player=0)
    game.end("win")
    results = app.views.top
    assert type(results).__name__ == "ResultsView"
    assert results.scene_effects() == {1: ("crown",)}
    assert app.wanted_effects()[1] == ("crown",)
    rgb = app.draw(read=True)                      # the crown drawn through the shell
    assert [e.name for e in app.effects.effects_for(1)] == ["Crown"]
    assert rgb.shape == (720, 1280, 3)
    app.close()
