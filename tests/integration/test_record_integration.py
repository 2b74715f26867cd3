"""Recordings with real processes and the real model: a recorder killed with SIGKILL, a
game played on a recorded video (the rest is in tests/unit/test_record.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from arpose.record import (
    Recorder,
    Recording,
    Replay,
    read_recording,
)

_KILL_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[2])
from record_helpers import make_frames
from arpose.record import Recorder
rec = Recorder(sys.argv[1], fps=50.0, fsync_s=0)
k = 0
while True:
    for pf, raw in make_frames(50, seed=k):
        rec.write(pf, raw)
        k += 1
        print(k, flush=True)
"""


def test_recording_survives_sigkill(tmp_path):
    """A recorder killed with SIGKILL mid-run: every frame it reported is readable."""
    import signal
    import subprocess
    import sys

    if not hasattr(signal, "SIGKILL"):
        pytest.skip("no SIGKILL on this platform")
    path = tmp_path / "killed.arpose"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT, str(path), str(Path(__file__).resolve().parents[1])],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        reported = 0
        for line in proc.stdout:
            reported = int(line)
            if reported >= 120:
                break
    finally:
        proc.kill()
        proc.wait(10)
        proc.stdout.close()
    assert reported >= 120
    rec = Recording(path)
    frames = rec.frames()
    assert len(frames) >= reported  # nothing that was written is lost
    assert len(rec.problems) <= 1  # at most the partial last record
    assert [f.index for f in frames[:50]] == list(range(50))


@pytest.mark.slow
def test_game_on_a_recording_gives_the_same_result_every_time(tmp_path, dance_video):
    """Record real tracking of the dance video once, then play a game on it repeatedly."""
    from arpose.play.runner import run_headless
    from arpose.tracking.pipeline import Pipeline, track

    path = tmp_path / "dance.arpose"
    with Recorder(path, fps=50.0) as rec, track(dance_video, keep_images=False) as pipeline:
        for pf in pipeline:
            rec.write(pf)
            if pf.index >= 79:
                break
    assert len(read_recording(path)) == 80
    runs: list[list] = [[], [], []]

    def trace(k: int):
        return lambda app, pf: runs[k].append((pf.t, [tuple(map(float, c)) for c in app.cursors()]))

    reports = [run_headless("slicer", Replay(path, fast=True), on_frame=trace(k)) for k in range(2)]
    with Pipeline(Replay(path, fast=True)) as pipeline:  # the way `--source` feeds games
        reports.append(run_headless("slicer", pipeline, on_frame=trace(2)))
    assert reports[0]["frames"] == 80
    assert reports[0] == reports[1] == reports[2]
    # The body cursors (driven by the replayed landmarks) move, and identically each run.
    assert len({c for _, cs in runs[0] for c in cs}) > 10
    assert runs[0] == runs[1] == runs[2]
