"""Hostile and clumsy input, round three (issue 26): the coach's files, names and
databases, hands, games and exports, and what a new user trips over.

One test per numbered row of the issue (in brackets); each failed on the code before its
fix. The command lines run as a user runs them, batched into one Python process per
group (``tests/cli_batch.py``: a real ``arpose.cli.main`` call each, with fd 1 and 2
caught) because starting Python and arpose costs 1-2 s a time. Cases that used to hang
(a FIFO, ``/dev/zero``, a window with no display) run in a batch of their own with a
timeout; the read-only folder runs in its own process (``unshare -U`` under root, whom
permission bits do not stop). The plain-install run (row 14) is in
``test_plain_install.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_helpers import (
    TESTS,
    clean,
    cli_env,
    flip_first,
    foreign_db,
    learned_doc,
    make_history,
    one_line,
    only_arpose_lines,
    run_batch,
    squat_recording,
    still_video,
    truncated_avi,
)

BROKEN_EFFECT = '[[attach]]\njoint = "left_elbw"\nasset = "missing.png"\nscael = 2\n'


@pytest.fixture(scope="module")
def w(tmp_path_factory) -> Path:
    """Every input of the batch, made once."""
    w = tmp_path_factory.mktemp("hostile26")
    squat_recording(w / "squat.arpose")
    still_video(w / "still.avi")
    truncated_avi(w / "trunc.avi")
    (w / "broken.toml").write_text(BROKEN_EFFECT)
    (w / "regular").write_text("a file, not a folder\n")
    make_history(w / "good.db", sessions=2)
    shutil.copy(w / "good.db", w / "flipped.db")
    flip_first(w / "flipped.db", b"squat")
    foreign_db(w / "other.db")
    # a history that refuses every rep, as a full disk does, after the checks passed
    (w / "full").mkdir()
    make_history(w / "full" / "h.db")
    con = sqlite3.connect(w / "full" / "h.db")
    con.execute(
        "CREATE TRIGGER full BEFORE INSERT ON reps BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    con.commit()
    con.close()
    # a history whose exercise name clears the screen and rings the bell
    make_history(w / "escapes.db", exercise="sq\x1b[2J\x07uat")
    # learned files: one good, several hostile
    ex = w / "ex"
    ex.mkdir()
    (ex / "flaps.json").write_text(json.dumps(learned_doc("flaps")))
    (ex / "deep.json").write_text("[" * 30_000 + "]" * 30_000)  # under the size limit
    (ex / "types.json").write_text(json.dumps(learned_doc("types", features=[["left_knee"]])))
    (ex / "slow.json").write_text(json.dumps(learned_doc("slow", min_rep_time="fast")))
    (ex / "nan.json").write_text(json.dumps(learned_doc("nan")).replace("0.6,", "NaN,", 1))
    (ex / "ansi.json").write_text(json.dumps(learned_doc("sq\x1b[2J\x07uat")))
    (w / "ex-escape").mkdir()
    (w / "ex-escape" / "ev\x1b[31mil.json").write_text(json.dumps(learned_doc("evil")))
    return w


def _cases(w: Path) -> list[dict]:
    sq = f"{w / 'squat.arpose'}?fast"
    hist_env = {"XDG_DATA_HOME": str(w / "xdg"), "ARPOSE_EXERCISES": str(w / "learned")}
    ex_env = {"ARPOSE_EXERCISES": str(w / "ex")}
    golden = str(TESTS / "golden" / "recording_v1_hands.arpose")
    pose_model = str(Path(__import__("arpose").__file__).parent / "models" / "pose_landmarker_full.task")
    workout = ["play", "workout", "--headless", "--source", sq]
    c = [
        # [1] names used as paths
        (
            "1-dotdot",
            ["coach", "learn", "../../escaped", "--source", sq],
            {"ARPOSE_EXERCISES": str(w / "a/b/ex")},
        ),
        ("1-absolute", ["coach", "learn", str(w / "x" / "evil"), "--source", sq], hist_env),
        # [2] escapes
        ("2-learn", ["coach", "learn", "ev\x1b[31mil", "--source", sq], hist_env),
        ("2-progress", ["progress", "--history", str(w / "escapes.db")], {}),
        ("2-list", ["play", "workout", "--list-exercises"], ex_env),
        ("2-list-file", ["coach", "list"], {"ARPOSE_EXERCISES": str(w / "ex-escape")}),
        # [3] someone else's SQLite file
        ("3-foreign", [*workout, "--history", str(w / "other.db")], {}),
        # [4] damage SQLite's quick check does not see
        ("4-workout", [*workout, "--history", str(w / "flipped.db"), "--report", str(w / "r4.json")], {}),
        ("4-progress", ["progress", "--history", str(w / "flipped.db")], {}),
        ("4-midway", [*workout, "--history", str(w / "full" / "h.db")], {}),
        # [6] malformed learned files
        ("6-list", ["coach", "list"], ex_env),
        ("6-deep", ["play", "workout", "--exercise", "deep", "--headless", "--source", sq], ex_env),
        ("6-nan", ["play", "workout", "--exercise", "nan", "--headless", "--source", sq], ex_env),
        ("6-types", ["play", "workout", "--exercise", "types", "--headless", "--source", sq], ex_env),
        # [7] a demo in which nothing moves (a real still video: the tracker jitters)
        ("7-still", ["coach", "learn", "stillness", "--source", str(w / "still.avi")], hist_env),
        # [9] a broken effect with hands tracked
        ("9-signs", ["play", "hand-signs", "--headless", "--source", sq, "-e", str(w / "broken.toml")], {}),
        ("9-slicer", ["play", "slicer", "--hands", "--headless", "--source", sq, "-e", "broken.toml"], {}),
        # [10] tracebacks
        ("10-history", [*workout, "--history", str(w / "regular" / "h.db")], {}),
        ("10-long", ["coach", "learn", "x" * 300, "--source", sq], hist_env),
        ("10-handmodel", ["detect", str(w / "trunc.avi"), "--hands", "--hand-model", pose_model], {}),
        ("10-seed", ["play", "slicer", "--seed", "-1", "--headless", "--source", sq], {}),
        # [11] hands in exports only with --hands
        ("11-coco", ["export", golden, "-f", "coco", "-o", str(w / "c.json")], {}),
        ("11-coco-hands", ["export", golden, "-f", "coco", "--hands", "-o", str(w / "ch.json")], {}),
        ("11-openpose", ["export", golden, "-f", "openpose", "-o", str(w / "op")], {}),
        # [12] smaller wrong results
        ("12-pdf", ["progress", "--history", str(w / "good.db"), "--plot", str(w / "p.pdf")], {}),
        ("12-svg", ["progress", "--history", str(w / "good.db"), "--plot", str(w / "p.svg")], {}),
        ("12-gif", ["progress", "--history", str(w / "good.db"), "--plot", str(w / "p.gif")], {}),
        ("12-typo", ["progress", "--history", str(w / "good.db"), "--exercise", "sqaut"], {}),
        ("12-known", ["progress", "--history", str(w / "good.db"), "--exercise", "push-up"], {}),
        # [15] an image output for a video
        ("15-render", ["render", "-e", "top-hat", "-s", str(w / "trunc.avi"), "-o", str(w / "o.png")], {}),
        # [16] headless workouts and the history's message agree
        ("16-workout", workout, hist_env),
        ("16-progress", ["progress"], hist_env),
        # [17] every problem of an effect file
        ("17-check", ["check", str(w / "broken.toml")], {}),
        # [18] noise: FFmpeg/OpenCV before arpose's error; numpy from `coach learn` (7-still)
        ("18-moov", ["detect", str(w / "half.mp4")], {}),
        ("18-hello", ["play", "--list"], {}),
        # [19] --debug after the command; a truncated AVI
        ("19-debug", ["check", "nope.toml", "--debug"], {}),
        ("19-debug-sub", ["coach", "list", "--debug"], ex_env),
        ("19-trunc", ["detect", str(w / "trunc.avi")], {}),
    ]
    return [{"id": i, "argv": a, "env": e} for i, a, e in c]


@pytest.fixture(scope="module")
def r(w) -> dict:
    half = w / "half.mp4"  # an mp4 cut before its index ("moov atom not found")
    import cv2
    import numpy as np

    wr = cv2.VideoWriter(str(w / "whole.mp4"), cv2.VideoWriter.fourcc(*"mp4v"), 25, (64, 64))
    for i in range(30):
        wr.write(np.full((64, 64, 3), i * 8, np.uint8))
    wr.release()
    data = (w / "whole.mp4").read_bytes()
    half.write_bytes(data[: len(data) // 2])
    return run_batch(_cases(w), w, timeout=900)


# ------------------------------------------------------------------ [1] names as paths


def test_exercise_names_never_become_paths_outside_the_folder(w, r):
    """[1] `coach learn ../../escaped` wrote two folders up; `coach learn /tmp/x/evil` wrote
    there, making folders on the way."""
    one_line(r["1-dotdot"], "invalid exercise name", "'../../escaped'")
    assert not list(w.rglob("escaped.json"))
    one_line(r["1-absolute"], "invalid exercise name")
    assert not (w / "x").exists() and not list(w.rglob("evil.json"))
    one_line(r["10-long"], "invalid exercise name", "1-40")  # [10] was OSError: name too long


# ------------------------------------------------------------------ [2] escapes


def test_names_from_the_command_history_and_files_are_escaped(r):
    """[2] ESC and BEL in an exercise name reached the terminal raw (learn, progress,
    --list-exercises, coach list)."""
    one_line(r["2-learn"], "ev\\x1b[31mil")
    res = r["2-progress"]
    clean(res)
    assert res["rc"] == 0 and "sq\\x1b[2J\\x07uat" in res["stdout"]
    for key in ("2-list", "2-list-file"):
        res = r[key]
        clean(res)
        assert res["rc"] == 0 and "squat" in res["stdout"]
    assert "\\x1b[2J" in r["2-list"]["stderr"]  # the file with that name is skipped, escaped
    assert "ev\\x1b[31mil.json" in r["2-list-file"]["stderr"]


# ------------------------------------------------------------------ [3] [4] [8] history


def test_a_foreign_sqlite_file_is_left_byte_for_byte(w, r):
    """[3] --history other.db exited 1 but had switched the file to WAL for good."""
    one_line(r["3-foreign"], "other.db", "another program", "untouched")
    con = sqlite3.connect(f"file:{w / 'other.db'}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert con.execute("SELECT body FROM notes").fetchall() == [("keep me",)]
    finally:
        con.close()
    assert not (w / "other.db-wal").exists()


def test_damage_the_quick_check_misses_stops_the_workout_before_it_starts(w, r):
    """[4] A workout played to the end on a damaged history, exited 0 and saved nothing."""
    one_line(r["4-workout"], "flipped.db", "damaged")
    assert "score" not in r["4-workout"]["stdout"]  # refused before playing
    one_line(r["4-progress"], "flipped.db", "damaged")


def test_a_session_the_history_refuses_midway_is_kept_and_reported(w, r):
    """[4] never lose a session silently: a history that fails once the workout runs (here
    every rep is refused, as by a full disk) used to end in exit 0 (or a traceback) with
    nothing saved; now the session is kept as JSON beside it and the exit is 1."""
    line = one_line(r["4-midway"], "workout not saved to the history", "disk is full", "kept in")
    kept = list((w / "full").glob("h.db.unsaved-*.json"))
    assert len(kept) == 1 and str(kept[0]) in line
    assert json.loads(kept[0].read_text())["reps"] == 3
    assert "3 reps" in r["4-midway"]["stdout"]


def test_a_session_the_history_cannot_take_is_kept_and_reported(tmp_path):
    """[4] the same, for the function alone: kept beside the history, named in the error."""
    from arpose.cli import play as cli_play

    report = {"game": "workout", "reps": 3, "history_error": "h.db: attempt to write a readonly database"}
    from arpose.errors import HistoryError

    with pytest.raises(HistoryError, match=r"workout not saved to the history.*kept in") as info:
        cli_play._keep_unsaved_session(report, str(tmp_path / "h.db"))
    kept = list(tmp_path.glob("h.db.unsaved-*.json"))
    assert len(kept) == 1 and json.loads(kept[0].read_text())["reps"] == 3
    assert str(kept[0]) in str(info.value)


def _unshare() -> list[str] | None:
    """A way to run a child without root's power over permission bits."""
    if os.geteuid() != 0:
        return []
    exe = shutil.which("unshare")
    if exe and subprocess.run([exe, "-U", "true"], capture_output=True).returncode == 0:
        return [exe, "-U"]
    return None


def test_a_history_in_a_read_only_folder_reads_and_says_why_it_cannot_save(tmp_path):
    """[8] `progress` and `workout` both called a history in a read-only folder
    "damaged". Reading works; writing names the read-only folder."""
    prefix = _unshare()
    if prefix is None:
        pytest.skip("running as root without user namespaces: cannot make a folder read-only")
    ro = tmp_path / "ro"
    ro.mkdir()
    make_history(ro / "h.db", sessions=2)
    take = squat_recording(tmp_path / "squat.arpose")
    ro.chmod(0o555)
    script = (
        "import sys; from arpose.cli import main\n"
        "rc1 = main(['progress', '--history', sys.argv[1]])\n"
        "print('RC', rc1, flush=True)\n"
        "argv = ['play', 'workout', '--headless', '--source', sys.argv[2], '--history', sys.argv[1]]\n"
        "sys.exit(main(argv))\n"
    )
    try:
        res = subprocess.run(
            [*prefix, sys.executable, "-c", script, str(ro / "h.db"), take],
            capture_output=True,
            text=True,
            env=cli_env(),
            timeout=300,
        )
    finally:
        ro.chmod(0o755)
    assert "RC 0" in res.stdout and "squat" in res.stdout, res.stdout + res.stderr
    one_line({"rc": res.returncode, "stdout": res.stdout, "stderr": res.stderr}, "read-only", "--history")
    assert "damaged" not in res.stderr


# ------------------------------------------------------------------ [5] [13] used to hang


def test_fifo_and_dev_zero_in_the_exercises_folder_and_no_display_do_not_hang(tmp_path):
    """[5] a learned file that is a FIFO or a symlink to /dev/zero made `coach list`
    block or read for ever; [13] `play`/`mirror` with no display ran invisibly for ever."""
    ex = tmp_path / "ex"
    ex.mkdir()
    os.mkfifo(ex / "fifo.json")
    (ex / "zero.json").symlink_to("/dev/zero")
    (ex / "flaps.json").write_text(json.dumps(learned_doc("flaps")))
    (ex / "big.json").write_text(" " * 200_000 + json.dumps(learned_doc("big")))
    nodisp = {"DISPLAY": None, "WAYLAND_DISPLAY": None, "SDL_VIDEODRIVER": None, "ARPOSE_EXERCISES": str(ex)}
    cases = [
        {"id": "list", "argv": ["coach", "list"], "env": {"ARPOSE_EXERCISES": str(ex)}},
        {"id": "play", "argv": ["play", "slicer", "--source", "nothing.mp4"], "env": nodisp},
        {"id": "mirror", "argv": ["mirror", "--source", "nothing.mp4"], "env": nodisp},
    ]
    r = run_batch(cases, tmp_path, timeout=120)
    res = r["list"]
    clean(res)
    assert res["rc"] == 0 and "flaps" in res["stdout"] and "squat" in res["stdout"]
    for name in ("fifo.json", "zero.json"):
        assert any(name in ln and "not a regular file" in ln for ln in res["stderr"].splitlines())
    assert any("big.json" in ln and "limit" in ln for ln in res["stderr"].splitlines())
    for key in ("play", "mirror"):
        one_line(r[key], "no display", "--headless", "DISPLAY")


# ------------------------------------------------------------------ [6] [7] learned files


def test_malformed_learned_files_are_one_line_each_and_do_not_empty_the_list(r):
    """[6] 100,000-deep JSON raised RecursionError and emptied `coach list`; wrong types
    raised TypeError/ValueError; NaN was accepted."""
    res = r["6-list"]
    clean(res)
    assert res["rc"] == 0 and "flaps" in res["stdout"] and "squat" in res["stdout"]
    warn = res["stderr"].splitlines()
    for name, what in (("deep", "nested"), ("types", "features"), ("slow", "min_rep_time"), ("nan", "NaN")):
        assert sum(f"{name}.json" in ln for ln in warn) == 1, warn
        assert any(f"{name}.json" in ln and what in ln for ln in warn), (name, warn)
    one_line(r["6-deep"], "deep.json", "nested")
    one_line(r["6-nan"], "nan.json", "NaN")
    one_line(r["6-types"], "types.json", "features")


def test_a_demo_in_which_nothing_moves_is_refused(w, r):
    """[7] A still video was saved as a counter learned from tracker noise (3 "reps");
    [18] numpy's All-NaN warning was printed too."""
    one_line(r["7-still"], "nothing moved")
    assert not list(w.rglob("stillness.json"))
    only_arpose_lines(r["7-still"]["stderr"])


# ------------------------------------------------------------------ [9] [10] games, hands


def test_a_broken_effect_fails_with_hands_tracked_too(r):
    """[9] hand-signs and slicer --hands played normally with a broken effect."""
    one_line(r["9-signs"], "broken.toml")
    one_line(r["9-slicer"], "broken.toml")


def test_tracebacks_become_one_line(r):
    """[10] --history under a regular file; --hand-model given the pose model; --seed -1."""
    one_line(r["10-history"], "regular", "--history")
    one_line(r["10-handmodel"], "pose_landmarker_full.task", "not a hand landmarker bundle")
    res = r["10-seed"]
    clean(res)
    assert res["rc"] == 2 and "--seed" in res["stderr"] and "-1" in res["stderr"]


# ------------------------------------------------------------------ [11] exports


def test_exports_leave_hand_arrays_empty_without_hands(w, r):
    """[11] OpenPose and COCO exports filled the hand arrays without --hands."""
    for key in ("11-coco", "11-coco-hands", "11-openpose"):
        assert r[key]["rc"] == 0, r[key]["stderr"]
        clean(r[key])
    plain = json.loads((w / "c.json").read_text())
    assert plain and all("lefthand_kpts" not in e for e in plain)
    assert all(len(e["lefthand_kpts"]) == 63 for e in json.loads((w / "ch.json").read_text()))
    for f in (w / "op").glob("*.json"):
        for person in json.loads(f.read_text())["people"]:
            assert person["hand_left_keypoints_2d"] == [] == person["hand_right_keypoints_2d"]
    assert list((w / "op").glob("*.json"))


# ------------------------------------------------------------------ [12] [15] [16] [17]


def test_plot_format_follows_the_suffix_and_progress_suggests_names(w, r):
    """[12] --plot out.pdf held PNG bytes; `--exercise sqaut` said "no sessions yet", exit 0."""
    assert r["12-pdf"]["rc"] == 0 and (w / "p.pdf").read_bytes()[:4] == b"%PDF"
    assert r["12-svg"]["rc"] == 0 and b"<svg" in (w / "p.svg").read_bytes()[:1000]
    one_line(r["12-gif"], "p.gif", ".png, .pdf, .svg")
    assert not (w / "p.gif").exists()
    one_line(r["12-typo"], "sqaut", "did you mean 'squat'")
    assert r["12-known"]["rc"] == 0 and "no sessions" in r["12-known"]["stdout"]


def test_an_image_output_for_a_video_is_refused(w, r):
    """[15] `render -s VIDEO -o out.png` kept only the last frame, silently."""
    one_line(r["15-render"], "o.png", "video", ".mp4")
    assert not (w / "o.png").exists()


def test_headless_workouts_and_the_history_message_agree(r):
    """[16] a headless workout was not saved, then `progress` said to play a workout first."""
    res = r["16-workout"]
    clean(res)
    assert res["rc"] == 0 and "reps" in res["stdout"]
    assert "not saved" in res["stderr"] and "--history" in res["stderr"]
    one_line(r["16-progress"], "no workout history yet", "--headless", "--history")


def test_check_reports_every_problem_of_a_file(r):
    """[17] only the first problem of a file was reported (here: three in one attachment)."""
    res = r["17-check"]
    clean(res)
    lines = [ln for ln in res["stderr"].splitlines() if ln.startswith("arpose: error:")]
    assert res["rc"] == 1 and len(lines) == 3, res["stderr"]
    for needle in ("'scael'", "'left_elbw'", "'missing.png'"):
        assert sum(needle in ln for ln in lines) == 1, (needle, lines)


# ------------------------------------------------------------------ [18] [19]


def test_only_arposes_own_lines_reach_the_user(r):
    """[18] FFmpeg's "moov atom not found" and OpenCV's [ WARN] came before arpose's own
    error; pygame's greeting on stdout."""
    one_line(r["18-moov"], "half.mp4")
    only_arpose_lines(r["18-moov"]["stderr"])
    assert r["18-hello"]["rc"] == 0 and "Hello from the pygame" not in r["18-hello"]["stdout"]


def test_alsa_lines_are_hidden_when_the_mixer_opens_without_a_sound_card():
    """[18] eight `ALSA lib` lines when a game played a sound on a machine without a sound
    card (SDL's ALSA driver; a machine with a card prints nothing either way)."""
    code = (
        "import logging, os; os.environ.pop('SDL_AUDIODRIVER', None)\n"
        "os.environ['SDL_AUDIODRIVER'] = 'alsa'\n"
        "from arpose.play.sound import Sounds\n"
        "s = Sounds(True); print('enabled', s.enabled)\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), timeout=60
    )
    assert res.returncode == 0, res.stderr
    assert "ALSA lib" not in res.stderr, res.stderr


def test_debug_after_the_command_and_a_truncated_avi_warns(r):
    """[19] `--debug` worked only before the command; a truncated AVI ran to its end
    with exit 0 and no warning."""
    res = r["19-debug"]
    assert res["rc"] == 1 and "arpose: DEBUG" in res["stderr"] and "unrecognized" not in res["stderr"]
    assert r["19-debug-sub"]["rc"] == 0 and "unrecognized" not in r["19-debug-sub"]["stderr"]
    res = r["19-trunc"]
    clean(res)
    assert res["rc"] == 0
    warn = [ln for ln in res["stderr"].splitlines() if "truncated" in ln]
    assert len(warn) == 1 and "trunc.avi" in warn[0] and "of the 40 frames" in warn[0], res["stderr"]


def test_bench_lag_metric_reads_known_delays_and_hands_need_enough_hands():
    """[19] bench showed "0 hands per frame" beside "361 ms per found hand", and a
    negative lag with no word on what it means. A pure k-frame delay must read k."""
    import numpy as np

    from arpose.bench.hands import MIN_FOUND_HANDS
    from arpose.metrics import zero_phase_lag

    t = np.arange(300) / 30.0
    rng = np.random.default_rng(1)
    track = np.stack([np.sin(2 * np.pi * 0.4 * t), np.cos(2 * np.pi * 0.3 * t)], 1) * 100
    track = track + rng.normal(0, 1.0, track.shape)
    for k in (1, 2, 3, 4):
        assert abs(zero_phase_lag(track[k:], track[:-k]) - k) < 0.1
    assert MIN_FOUND_HANDS >= 10
    from arpose.cli.bench import QUICK_SECTIONS

    assert "hands" not in QUICK_SECTIONS and "effects" not in QUICK_SECTIONS


def test_no_vsync_warning_when_a_real_window_opens(tmp_path):
    """[18] a vsync warning with a source line whenever a window opened (pygame warns from
    C, "from" arpose's line that called set_mode). Needs an X server: Xvfb."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("no Xvfb here to open a real window in")
    server = subprocess.Popen(
        [xvfb, "-displayfd", "1", "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        display = server.stdout.readline().strip()  # type: ignore[union-attr]
        assert display.isdigit(), display
        from arpose.sources import sample_image_path

        env = cli_env(DISPLAY=f":{display}", SDL_VIDEODRIVER=None)
        res = subprocess.run(
            [
                sys.executable,
                "-m",
                "arpose",
                "mirror",
                "--source",
                str(sample_image_path()),
                "--seconds",
                "1",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert res.returncode == 0 and "frames drawn" in res.stdout, res.stderr[-2000:]
    only_arpose_lines(res.stderr)
