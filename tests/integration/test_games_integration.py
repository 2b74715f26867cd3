"""Games through the real renderer, the real model and the arpose command (the rest is in
tests/unit/test_games.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from play_helpers import GAMES, SIZE, frame, new_app, play_frames, start_game

from arpose.play import PlayOptions, run_headless
from arpose.pose import Pose, PoseFrame
from arpose.testing.bodies import (
    Body,
    frames,
    make_pose,
    squat_motion,
)


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


@pytest.mark.parametrize("name", GAMES)
def test_game_runs_start_to_finish_headless(name):
    """A few hundred frames each, drawn, with the round shortened so it ends."""
    clip = frames(squat_motion(reps=4, period=1.5), fps=30, noise=1.0)  # 8 s, 241 frames
    report = run_headless(name, clip, PlayOptions(sound=False, duration=6.0), render=True)
    assert report["game"] == name and report["finished"] is True
    assert report["events"][0]["kind"] == "start" and report["events"][-1]["kind"] == "end"
    assert all(a["t"] <= b["t"] for a, b in zip(report["events"], report["events"][1:]))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    people=st.integers(0, 3),
    kind=st.sampled_from(["ok", "random", "nan", "zero", "invisible", "huge"]),
    players=st.sampled_from([1, 2]),
)
def test_no_game_crashes_on_empty_or_odd_landmarks(seed, people, kind, players):
    clip = _odd_frames(seed, 200, people, kind)
    for name in GAMES:
        report = run_headless(
            name, clip, PlayOptions(sound=False, players=players, seed=seed), render=True, size=(640, 360)
        )
        json.dumps(report)
        assert report["game"] == name


def test_cli_play_slicer_headless_on_the_real_clip(dance_video, tmp_path):
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "arpose",
            "play",
            "slicer",
            "--source",
            str(dance_video),
            "--headless",
            "--report",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["game"] == "slicer" and isinstance(data["score"], int)
    assert data["frames"] == 205
    assert data["events"][0] == {"t": 0.0, "kind": "start", "game": "slicer"}
    assert "slicer: score" in proc.stdout


def test_cli_play_errors_are_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "arpose", "play", "slicr", "--headless", "--source", "x.avi"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "arpose: error: unknown game 'slicr'; did you mean 'slicer'? "
        "(games: slicer, pose-wall, workout, pong, hand-signs, spelling)"
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "arpose", "play", "--list"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and proc.stdout.split()[0] == "slicer"


@pytest.mark.parametrize("name", GAMES)
def test_effects_never_change_a_games_result(name, tmp_path):
    """Same input -> identical report, with effects drawn (and a video written) or not."""
    import cv2

    clip = frames(squat_motion(reps=2, period=1.5), fps=30, noise=1.0)[:90]
    plain = run_headless(name, clip, PlayOptions(sound=False, duration=2.0, game_effects=False))
    video = tmp_path / f"{name}.mp4"
    dressed = run_headless(
        name,
        clip,
        PlayOptions(sound=False, duration=2.0, effects=("crown",)),
        video=video,
        fps=30.0,
        hold_end=0.5,
    )
    assert dressed == plain and plain["finished"]
    cap = cv2.VideoCapture(str(video))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    assert n == plain["frames"] + 15  # every drawn frame, then the hold
    assert (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))) == SIZE


def test_pongs_winner_wears_a_crown_on_the_results_screen():
    app = new_app()
    game = start_game(app, "pong")
    play_frames(app, [frame(i / 30, Body(), index=i) for i in range(5)])
    game.score.add(3, app.time, "point", player=0)
    game.end("win")
    results = app.views.top
    assert type(results).__name__ == "ResultsView"
    assert results.scene_effects() == {1: ("crown",)}
    assert app.wanted_effects()[1] == ("crown",)
    rgb = app.draw(read=True)  # the crown drawn through the shell
    assert [e.name for e in app.effects.effects_for(1)] == ["Crown"]
    assert rgb.shape == (720, 1280, 3)
    app.close()
