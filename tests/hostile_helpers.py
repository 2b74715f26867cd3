"""Helpers of the hostile suites: inputs a clumsy or hostile user gives (names, learned
exercise files, histories, videos) and the checks every answer must pass."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
CTRL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F)]
"""Control characters that must never reach the terminal raw (tab and newline may)."""


def cli_env(**extra: str | None) -> dict[str, str]:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
    env.pop("DISPLAY", None)
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def run_batch(cases: list[dict[str, Any]], work: Path, timeout: float = 600) -> dict[str, dict[str, Any]]:
    """Run ``cases`` (``id``, ``argv``, optional ``cwd`` and ``env``) through
    ``tests/cli_batch.py`` in one Python process; returns ``{id: {rc, stdout, stderr}}``.
    A case missing from the answer (the batch hung or died) reads as ``rc`` None."""
    cases_file, results_file = work / "cases.json", work / "results.json"
    for c in cases:
        c.setdefault("cwd", str(work))
    cases_file.write_text(json.dumps(cases))
    results_file.unlink(missing_ok=True)
    try:
        subprocess.run(
            [sys.executable, str(TESTS / "cli_batch.py"), str(cases_file), str(results_file)],
            cwd=work,
            env=cli_env(),
            timeout=timeout,
            capture_output=True,
        )
    except subprocess.TimeoutExpired:
        pass
    done = json.loads(results_file.read_text()) if results_file.exists() else {}
    missing = {"rc": None, "stdout": "", "stderr": "the batch hung or died before this case"}
    return {c["id"]: done.get(c["id"], missing) for c in cases}


def clean(res: dict[str, Any]) -> None:
    """No traceback and no raw control character in what the user sees."""
    both = res["stdout"] + res["stderr"]
    assert "Traceback" not in both, both[-3000:]
    assert not any(c in both for c in CTRL), repr(both[-2000:])


def one_line(res: dict[str, Any], *needles: str, rc: int = 1) -> str:
    """Exit ``rc`` and one ``arpose: error:`` line holding every needle; nothing else on
    stderr but arpose's own lines."""
    clean(res)
    assert res["rc"] == rc, (res["rc"], res["stderr"][-2000:])
    errors = [ln for ln in res["stderr"].splitlines() if ln.startswith("arpose: error:")]
    assert len(errors) == 1, res["stderr"][-2000:]
    for n in needles:
        assert n in errors[0], (n, errors[0])
    return errors[0]


def only_arpose_lines(stderr: str) -> None:
    """Everything on stderr is arpose's own (no ALSA, OpenCV, FFmpeg, numpy, pygame)."""
    foreign = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("arpose")]
    assert not foreign, foreign[:10]


# -- inputs ----------------------------------------------------------------------------------
def squat_recording(path: Path, reps: int = 3, noise: float = 2.0) -> str:
    """A synthetic squat take (no model needed) as a ``?fast`` source spec."""
    from arpose.record import Recorder
    from arpose.testing.bodies import frames, squat_motion

    with Recorder(path) as r:
        for pf in frames(squat_motion(reps=reps, period=1.6), fps=30, noise=noise, seed=3):
            r.write(pf)
    return f"{path}?fast"


def learned_doc(name: str = "flaps", **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "arpose-exercise",
        "version": 1,
        "name": name,
        "features": ["left_shoulder", "right_shoulder"],
        "rest": [0.1, 0.1],
        "far": [0.6, 0.6],
        "enter": 0.5,
        "exit": 0.22,
        "good": 0.8,
        "min_rep_time": 0.3,
    }
    doc.update(changes)
    return doc


def make_history(path: Path, exercise: str = "squat", sessions: int = 1, reps: int = 4) -> Path:
    """A real history file (WAL, closed cleanly) with ``sessions`` finished sessions."""
    from coach_helpers import rep

    from arpose.coach.history import History

    with History(path) as h:
        for _ in range(sessions):
            s = h.start_session(exercise, source="take.arpose")
            for i in range(1, reps + 1):
                s.add_rep(rep(i))
            s.finish({"reps": reps})
    return path


def flip_first(path: Path, needle: bytes) -> Path:
    """Flip the first byte of ``needle`` in the file: the record stays well-formed for
    SQLite's quick check, but its text is no longer UTF-8."""
    data = bytearray(path.read_bytes())
    at = data.index(needle)
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def foreign_db(path: Path) -> Path:
    """A valid SQLite file of another program (its own table, rollback journal)."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.execute("INSERT INTO notes (body) VALUES ('keep me')")
    con.commit()
    con.close()
    return path


def still_video(path: Path, frames: int = 90) -> Path:
    """A real photo of a standing man (scikit-image's cameraman) as a still video with
    sensor-like noise: the tracker jitters, nobody moves."""
    import cv2
    import numpy as np
    import skimage.data

    img = cv2.cvtColor(skimage.data.camera(), cv2.COLOR_GRAY2BGR)
    h, w = img.shape[:2]
    wr = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (w, h))
    rng = np.random.default_rng(0)
    for _ in range(frames):
        wr.write(np.clip(img.astype(int) + rng.integers(-6, 7, img.shape), 0, 255).astype(np.uint8))
    wr.release()
    return path


def truncated_avi(path: Path, frames: int = 40) -> Path:
    """An MJPG AVI cut in half (a copy cut short): its header still announces every frame."""
    import cv2
    import numpy as np

    from arpose.sources import read_image, sample_image_path

    img = cv2.cvtColor(read_image(sample_image_path()), cv2.COLOR_RGB2BGR)
    img = cv2.resize(img, (256, 300))
    full = path.with_name("full-" + path.name)
    wr = cv2.VideoWriter(str(full), cv2.VideoWriter.fourcc(*"MJPG"), 25, (256, 300))
    for i in range(frames):
        wr.write(np.roll(img, i, axis=1))
    wr.release()
    data = full.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    full.unlink()
    return path
