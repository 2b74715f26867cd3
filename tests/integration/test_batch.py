"""The batch runner's local back end with real processes: a dead worker's job runs again,
a job that kills every worker is given up, models load once per worker, and a reused
detector gives the same landmarks as a fresh one (Ray: tests/integration/test_coach_analyze.py)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from arpose import batch
from arpose.errors import BatchError
from arpose.tracking import reuse


def test_a_dead_workers_job_runs_again_and_nothing_is_lost_or_doubled(tmp_path):
    import batch_helpers

    jobs = [batch.Job(f"j{n}", (str(tmp_path), n)) for n in range(4)]
    got = list(batch.run(batch_helpers.die_once, jobs, workers=2))
    assert (tmp_path / "died-1").exists()  # the worker did die in job 1
    assert sorted(j.key for j, _ in got) == [f"j{n}" for n in range(4)]
    assert sorted(r for _, r in got) == [(n, n * n) for n in range(4)]


def test_a_job_that_kills_every_worker_is_given_up_by_name():
    import batch_helpers

    with pytest.raises(BatchError, match=r"poison: its worker died 3 time"):
        list(batch.run(batch_helpers.always_die, [batch.Job("poison", None)], workers=1))


def test_models_load_once_per_worker():
    import batch_helpers

    got = [
        r
        for _, r in batch.run(
            batch_helpers.detectors_here, [batch.Job(str(k), k) for k in range(6)], workers=2
        )
    ]
    by_pid: dict[int, set[int]] = {}
    for pid, ident, held in got:
        by_pid.setdefault(pid, set()).add(ident)
        assert held == reuse.VIDEO_THREADS  # never a second set in one process
    assert 1 <= len(by_pid) <= 2
    assert all(len(ids) == 1 for ids in by_pid.values())


def _short_clip(src, dst, frames: int = 45):
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    out = None
    for _ in range(frames):
        ok, f = cap.read()
        if not ok:
            break
        if out is None:
            out = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (f.shape[1], f.shape[0]))
        out.write(f)
    cap.release()
    assert out is not None
    out.release()
    return dst


def _landmarks(path):
    return [
        np.concatenate([p.landmarks for p in pf.poses]) if pf.poses else None for pf in reuse.frames_of(path)
    ]


def test_a_reused_detector_tracks_like_a_fresh_one(media, tmp_path):
    """A VIDEO-mode landmarker carries the last video's pose into the next; reset() clears
    it, so a file's landmarks do not depend on which file its worker tracked before."""
    a = _short_clip(media / "exercise" / "jumping_jacks_11.mp4", tmp_path / "a.mp4")
    b = _short_clip(media / "exercise" / "squat_barbell_5.mp4", tmp_path / "b.mp4")
    reuse._pool.clear()
    fresh = _landmarks(b)
    reuse._pool.clear()
    _landmarks(a)
    _landmarks(b)  # b's own last pose is the worst lead-in: the same person, nearly in place
    held = reuse.detectors(2)
    again = _landmarks(b)
    assert reuse.detectors(2) is held  # the same detectors were used
    assert len(fresh) == len(again) and sum(x is not None for x in fresh) > 30
    for x, y in zip(fresh, again):
        assert (x is None) == (y is None)
        if x is not None:
            assert np.array_equal(x, y)


def test_render_a_folder_of_videos_on_the_runner(dance_video, tmp_path):
    """`arpose render --source FOLDER_OF_VIDEOS -o DIR`: one video each, resumable."""
    import subprocess
    import sys

    src = tmp_path / "in"
    src.mkdir()
    cap = cv2.VideoCapture(str(dance_video))
    frames = [cv2.resize(cap.read()[1], (320, 180)) for _ in range(8)]
    cap.release()
    for name in ("a.mp4", "b.mp4"):
        w = cv2.VideoWriter(str(src / name), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, (320, 180))
        for f in frames:
            w.write(f)
        w.release()
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "arpose", "render", "-e", "top-hat", "-s", str(src), "-o", str(out),
           "--no-progress", "--workers", "2"]  # fmt: skip
    env = {**__import__("os").environ, "SDL_VIDEODRIVER": "offscreen", "SDL_AUDIODRIVER": "dummy"}
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "rendered 2 video(s)" in res.stderr
    for name in ("a.mp4", "b.mp4"):
        cap = cv2.VideoCapture(str(out / name))
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 8
        cap.release()
    assert not list(out.glob(".*partial*"))
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert "rendered 0 video(s)" in again.stderr and "2 already done" in again.stderr, again.stderr[-2000:]
