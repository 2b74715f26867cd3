"""The workout history in real SQLite files: crash safety, concurrent writers, migrations,
bad files; `arpose progress` and headless workouts that write to it."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from coach_helpers import rep

from arpose.cli import main as cli_main
from arpose.coach import plots as P
from arpose.coach.history import SCHEMA_V1, SCHEMA_VERSION, History
from arpose.errors import HistoryError


def test_sessions_sets_and_reps_round_trip(tmp_path):
    with History(tmp_path / "h.db") as h:
        s = h.start_session("squat")
        for i in range(1, 6):
            s.add_rep(rep(i, good=i != 3, rng=0.5 + i / 10))
        s.end_set(goal=5, seconds=12.0)
        s.add_rep(rep(6))
        s.finish({"reps": 6})
    with History(tmp_path / "h.db", readonly=True) as h:
        (got,) = h.sessions()
    assert got.reps == 6 and got.good_reps == 5 and got.sets == [5, 1] and got.best_set == 5
    assert got.flags == {"go deeper": 1} and got.ended is not None
    assert got.mean_range == pytest.approx(sum([0.6, 0.7, 0.8, 0.9, 1.0, 0.9]) / 6, abs=1e-3)
    mode = sqlite3.connect(tmp_path / "h.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_locked_database_is_retried_then_a_clear_error(tmp_path):
    path = tmp_path / "h.db"
    History(path).close()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        t0 = time.monotonic()
        with pytest.raises(HistoryError, match="still locked") as err:
            History(path, timeout=0.1, retries=1).start_session("squat")
        assert time.monotonic() - t0 >= 0.15  # it waited (timeout + a retry)
        assert "\n" not in str(err.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with History(path) as h:  # the lock is gone: works again
        h.start_session("squat")


def test_migration_from_the_first_schema_keeps_the_data(tmp_path):
    path = tmp_path / "v1.db"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA_V1)
    db.execute(
        "INSERT INTO sessions (started, ended, exercise) VALUES "
        "('2026-11-01T10:00:00+00:00', '2026-11-01T10:05:00+00:00', 'squat')"
    )
    db.executemany(
        "INSERT INTO reps (session_id, n, t, range, good) VALUES (1, ?, ?, ?, ?)",
        [(1, 1.0, 0.9, 1), (2, 2.0, 0.6, 0), (3, 3.0, 0.95, 1)],
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with pytest.raises(HistoryError, match="needs an upgrade"):
        History(path, readonly=True)
    with History(path) as h:
        (old,) = h.sessions()
        assert (old.reps, old.good_reps, old.sets) == (3, 2, [3])
        h.start_session("squat").add_rep(rep(1))
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.parametrize(
    "content,match",
    [
        (b"hello, I am a text file\n" * 10, "not an SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 2000, "damaged"),
    ],
)
def test_bad_files_are_errors_and_left_untouched(tmp_path, content, match):
    path = tmp_path / "history.db"
    path.write_bytes(content)
    with pytest.raises(HistoryError, match=match) as err:
        History(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    assert path.read_bytes() == content
    h = History(path, move_aside=True)  # explicit: move aside, start afresh
    h.start_session("squat")
    h.close()
    assert h.moved_to is not None and h.moved_to.read_bytes() == content
    assert h.moved_to.name.startswith("history.db.bad-")


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "h.db"
    History(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="newer than this arpose"):
        History(path)
    assert path.read_bytes() == before


def test_another_programs_database_is_not_touched(tmp_path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(HistoryError, match="another program"):
        History(path)


def test_default_path_follows_xdg(tmp_path, monkeypatch):
    from arpose.coach.history import default_history_path

    monkeypatch.delenv("ARPOSE_HISTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert default_history_path() == tmp_path / "arpose" / "history.db"


def _fill(path: Path) -> None:
    with History(path) as h:
        for day, (n, good, rng) in enumerate([(5, 3, 0.7), (7, 6, 0.8), (9, 9, 0.95)]):
            s = h.start_session("squat", started=f"2026-11-0{day + 1}T09:00:00+00:00")
            for i in range(n):
                s.add_rep(rep(i + 1, good=i < good, rng=rng))
            s.finish()
        h.start_session("push_up", started="2026-11-02T10:00:00+00:00").add_rep(rep(1))


def test_progress_table_trends_and_json(tmp_path, capsys):
    path = tmp_path / "h.db"
    _fill(path)
    with History(path, readonly=True) as h:
        data = P.rows(h.sessions("squat"))
    assert [d["reps"] for d in data] == [5, 7, 9]
    assert data[2]["trend"]["reps"] == pytest.approx(3.0)  # 9 vs mean(5, 7)
    assert data[0]["trend"] == {}
    assert cli_main(["progress", "--history", str(path)]) == 0
    out = capsys.readouterr().out
    assert "squat" in out and "push-up" in out and "9 (+3)" in out and "* session" in out
    assert cli_main(["progress", "--history", str(path), "--exercise", "squats", "--json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert [s["reps"] for s in js] == [5, 7, 9] and js[0]["good_reps"] == 3


def test_progress_plot_writes_a_png(tmp_path, capsys):
    path = tmp_path / "h.db"
    _fill(path)
    out = tmp_path / "progress.png"
    assert cli_main(["progress", "--history", str(path), "--plot", str(out)]) == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_progress_on_a_missing_or_bad_file_is_one_line(tmp_path, capsys):
    assert cli_main(["progress", "--history", str(tmp_path / "none.db")]) == 1
    err = capsys.readouterr().err
    assert "no workout history yet" in err and err.count("\n") == 1
    bad = tmp_path / "bad.db"
    bad.write_text("not a db")
    assert cli_main(["progress", "--history", str(bad)]) == 1
    assert "not an SQLite database" in capsys.readouterr().err


def _recording(path: Path, motion, fps: float = 30.0) -> str:
    """A synthetic take as a ``--source`` spec (``?fast``: replayed without real-time drops)."""
    from arpose.record import Recorder
    from arpose.testing.bodies import frames

    with Recorder(path) as r:
        for pf in frames(motion, fps=fps, noise=1.0, seed=3):
            r.write(pf)
    return f"{path}?fast"


def test_two_headless_workouts_show_up_in_progress(tmp_path, capsys):
    from arpose.testing.bodies import squat_motion

    hist = tmp_path / "h.db"
    reports = []
    for i, reps in enumerate((4, 6)):
        rec = _recording(tmp_path / f"w{i}.arpose", squat_motion(reps=reps, period=1.6))
        rep_path = tmp_path / f"r{i}.json"
        assert (
            cli_main(
                [
                    "play",
                    "workout",
                    "--headless",
                    "--source",
                    str(rec),
                    "--history",
                    str(hist),
                    "--report",
                    str(rep_path),
                    "--duration",
                    "60",
                ]
            )
            == 0
        )
        reports.append(json.loads(rep_path.read_text()))
    capsys.readouterr()
    assert [r["reps"] for r in reports] == [4, 6]
    assert reports[1]["last_session"]["reps"] == 4  # compared with the last session
    assert cli_main(["progress", "--history", str(hist), "--json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert [s["reps"] for s in js] == [r["reps"] for r in reports]
    assert [s["good_reps"] for s in js] == [r["good_reps"] for r in reports]


def test_headless_workout_without_history_writes_nothing(tmp_path, monkeypatch, capsys):
    from arpose.testing.bodies import squat_motion

    monkeypatch.setenv("ARPOSE_HISTORY", str(tmp_path / "default.db"))
    rec = _recording(tmp_path / "w.arpose", squat_motion(reps=2))
    assert cli_main(["play", "workout", "--headless", "--source", str(rec)]) == 0
    assert not (tmp_path / "default.db").exists()


def test_list_exercises_and_did_you_mean_on_the_cli(capsys):
    assert cli_main(["play", "workout", "--list-exercises"]) == 0
    out = capsys.readouterr().out
    for name in (
        "squat",
        "push-up",
        "lunge",
        "lateral-raise",
        "shoulder-press",
        "sit-up",
        "high-knees",
        "jumping-jack",
        "arm-raise",
    ):
        assert name in out
    assert "legs (hips, knees, ankles)" in out
    assert cli_main(["play", "workout", "--headless", "--source", "x.mp4", "--exercise", "pushupp"]) == 1
    assert "did you mean 'push-up'" in capsys.readouterr().err


def test_coach_learn_from_a_recording(tmp_path, monkeypatch, capsys):
    from arpose.testing.bodies import lateral_raise_motion

    monkeypatch.setenv("ARPOSE_EXERCISES", str(tmp_path / "ex"))
    rec = _recording(tmp_path / "demo.arpose", lateral_raise_motion(reps=3))
    assert cli_main(["coach", "learn", "wings", "--source", str(rec)]) == 0
    assert (tmp_path / "ex" / "wings.json").is_file()
    assert "3 reps seen" in capsys.readouterr().out
    assert cli_main(["coach", "learn", "wings", "--source", str(rec)]) == 1  # no silent overwrite
    assert "already exists" in capsys.readouterr().err
    rec2 = _recording(tmp_path / "w.arpose", lateral_raise_motion(reps=5))
    out = tmp_path / "r.json"
    assert (
        cli_main(
            [
                "play",
                "workout",
                "--headless",
                "--source",
                str(rec2),
                "--exercise",
                "wings",
                "--report",
                str(out),
            ]
        )
        == 0
    )
    assert json.loads(out.read_text())["reps"] == 5


def test_a_full_disk_keeps_the_session_up_to_the_last_rep(tmp_path, caplog):
    path = tmp_path / "h.db"
    h = History(path)
    s = h.start_session("squat")
    pages = h.db.execute("PRAGMA page_count").fetchone()[0]
    h.db.execute(f"PRAGMA max_page_count = {pages + 1}")  # SQLite reports SQLITE_FULL past it
    saved = 0
    for i in range(1, 400):
        if not s.add_rep(rep(i)):
            break
        saved += 1
    assert s.failed is not None and "full" in s.failed
    assert not s.add_rep(rep(999))  # later reps are skipped, no raise
    h.close()
    with History(path, readonly=True) as h2:
        (got,) = h2.sessions()
    assert got.reps == saved > 0
