"""Workout history written by other processes: a writer killed mid-session, two writers
at once (the rest is in tests/unit/test_coach_history.py)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from coach_helpers import rep

from arpose.coach.history import History

REPO = Path(__file__).resolve().parents[2]


WRITER = """
import sys, time
from arpose.coach.history import History
from arpose.coach import RepEvent
h = History(sys.argv[1], timeout=10)
s = h.start_session(sys.argv[2])
n = int(sys.argv[3])
for i in range(n):
    s.add_rep(RepEvent(sys.argv[2], "rep", i + 1, float(i), good=i % 2 == 0, range=0.5 + i / (2 * n),
                       down=0.8, up=0.6, flags=() if i % 2 == 0 else ("go deeper",)))
    print(i + 1, flush=True)
    time.sleep(float(sys.argv[4]))
s.finish({"reps": n})
"""


def writer(path: Path, exercise: str, n: int, pause: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), exercise, str(n), str(pause)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def test_sigkill_mid_session_loses_at_most_the_rep_in_flight(tmp_path):
    path = tmp_path / "h.db"
    proc = writer(path, "squat", 1000, 0.02)
    seen = 0
    assert proc.stdout is not None
    while seen < 15:
        seen = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with History(path, readonly=True) as h:
        (s,) = h.sessions()
    assert s.ended is None  # never finished...
    assert seen <= s.reps <= seen + 1  # ...but every printed (committed) rep is there
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # and the file keeps working for the next workout
    with History(path) as h:
        h.start_session("squat").add_rep(rep(1))
        assert len(h.sessions()) == 2


def test_two_writers_at_once_both_succeed(tmp_path):
    path = tmp_path / "h.db"
    procs = [writer(path, ex, 40, 0.0) for ex in ("squat", "lunge")]
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0, out
    with History(path, readonly=True) as h:
        got = {s.exercise: s.reps for s in h.sessions()}
    assert got == {"squat": 40, "lunge": 40}
