"""Exercises taught by demonstration, saved as small JSON data files (never code).

:func:`learn` watches a few reps of any movement and finds its two extreme poses in a space
of normalised joint angles (knees, hips, elbows, shoulders, leg spread, each / 180 degrees):

1. per frame, the angles of the joints in view;
2. the angles that really move (range >= a third of the largest range, and >= 12 degrees);
3. the first principal component of those angles: the movement's axis;
4. the rest pose and the far pose: the mean angles of the frames at each end of the axis
   (the end nearer the demo's first and last frames is the rest).

At run time a pose's progress is its projection onto rest -> far, using only the moving
angles in view (at least half of their weight must be seen), so the head or the legs may
leave the picture when the movement does not need them. The counter is then the same
hysteresis state machine as the built-ins (:mod:`arpose.coach.counter`).

File format (``version`` 1)::

    {"format": "arpose-exercise", "version": 1, "name": "my_squat",
     "features": ["left_knee", ...], "rest": [0.97, ...], "far": [0.52, ...],
     "enter": 0.5, "exit": 0.22, "good": 0.8, "min_rep_time": 0.3,
     "learned_from": {"source": "demo.mp4", "frames": 210, "reps_seen": 3}}
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ExerciseError, printable
from ..files import read_small_file
from ..pose import Pose
from .exercises import BUILTIN, Exercise, Joints, Reading, canonical, check_name, unknown_exercise

log = logging.getLogger(__name__)

FORMAT = "arpose-exercise"
VERSION = 1
"""Newest learned-exercise file version this arpose reads and writes."""

MAX_EXERCISE_BYTES = 64 * 1024
"""Largest learned-exercise file read (a real one is under 1 kB); checked by ``stat``."""

MAX_JSON_DEPTH = 8
"""Deepest nesting of ``[`` / ``{`` accepted (a real file nests 2 deep)."""

FEATURES: dict[str, tuple[str, str, str]] = {
    "left_knee": ("left_hip", "left_knee", "left_ankle"),
    "right_knee": ("right_hip", "right_knee", "right_ankle"),
    "left_hip": ("left_shoulder", "left_hip", "left_knee"),
    "right_hip": ("right_shoulder", "right_hip", "right_knee"),
    "left_elbow": ("left_shoulder", "left_elbow", "left_wrist"),
    "right_elbow": ("right_shoulder", "right_elbow", "right_wrist"),
    "left_shoulder": ("left_hip", "left_shoulder", "left_elbow"),
    "right_shoulder": ("right_hip", "right_shoulder", "right_elbow"),
    "leg_spread": ("left_ankle", "mid_hip", "right_ankle"),
}
"""Joint angles a learned exercise may use: name -> (a, vertex, c)."""


def data_dir() -> Path:
    """The user's arpose data folder: ``$XDG_DATA_HOME/arpose`` (default
    ``~/.local/share/arpose``), ``~/Library/Application Support/arpose`` on macOS,
    ``%APPDATA%\\arpose`` on Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME")
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / "arpose"


def exercises_dir() -> Path:
    """Where ``arpose coach learn`` saves learned exercises (``ARPOSE_EXERCISES`` overrides)."""
    env = os.environ.get("ARPOSE_EXERCISES")
    return Path(env) if env else data_dir() / "exercises"


def angles(pose: Pose | Joints, names: Iterable[str] = FEATURES) -> np.ndarray:
    """Normalised joint angles (degrees / 180) of ``pose``; NaN where a joint is unseen."""
    j = pose if isinstance(pose, Joints) else Joints(pose)
    out = []
    for n in names:
        a, b, c = FEATURES[n]
        if b == "mid_hip":
            if not j.sees(a, c, "left_hip", "right_hip"):
                out.append(math.nan)
                continue
            mid = (j["left_hip"] + j["right_hip"]) / 2
            u, v = j[a] - mid, j[c] - mid
            nu, nv = float(np.hypot(*u)), float(np.hypot(*v))
            if nu < 1e-6 or nv < 1e-6:
                out.append(math.nan)
                continue
            cos = float(np.dot(u, v)) / (nu * nv)
            out.append(math.degrees(math.acos(min(max(cos, -1.0), 1.0))) / 180.0)
        elif j.sees(a, b, c):
            out.append(j.angle(a, b, c) / 180.0)
        else:
            out.append(math.nan)
    return np.asarray(out, np.float64)


class LearnedProgress:
    """Progress of a pose along a learned rest -> far axis."""

    def __init__(self, features: list[str], rest: np.ndarray, far: np.ndarray) -> None:
        self.features = features
        self.rest = rest
        self.d = far - rest
        self.w = self.d**2

    def __call__(self, j: Joints) -> Reading:
        f = angles(j, self.features)
        seen = np.isfinite(f)
        if self.w[seen].sum() < 0.5 * self.w.sum():
            return float("nan"), {}
        d = self.d[seen]
        p = float(np.dot(f[seen] - self.rest[seen], d) / max(float(np.dot(d, d)), 1e-12))
        return min(max(p, 0.0), 1.0), {"raw": p, "seen": float(seen.mean())}


def _exercise(name: str, data: dict[str, Any], origin: str) -> Exercise:
    features = list(data["features"])
    lp = LearnedProgress(features, np.asarray(data["rest"], np.float64), np.asarray(data["far"], np.float64))
    joints = sorted({n for f in features for n in FEATURES[f] if n != "mid_hip"})

    return Exercise(
        name=name,
        title=name.replace("_", " ").title(),
        how=f"Move as in the demonstration ({', '.join(f.replace('_', ' ') for f in features)})",
        needs=(),
        progress=lp,
        enter=float(data["enter"]),
        exit=float(data["exit"]),
        good=float(data["good"]),
        low_range_flag="full range",
        good_feedback="full rep",
        min_rep_time=float(data.get("min_rep_time", 0.3)),
        origin=origin,
        params={"uses": tuple(joints), "features": tuple(features)},
    )


def _bad(path: Path | str, what: str) -> ExerciseError:
    return ExerciseError(f"{path}: {what}")


def parse(data: Any, path: Path | str) -> Exercise:
    """Validate a learned-exercise document and build its :class:`Exercise`.

    Raises:
        ExerciseError: naming the file and the bad key (one line).
    """
    if not isinstance(data, dict):
        raise _bad(path, "a learned exercise must be a JSON object")
    if data.get("format") != FORMAT:
        raise _bad(path, f"not an arpose exercise file (format {data.get('format')!r}, expected {FORMAT!r})")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _bad(path, f"key 'version' must be a positive integer, got {version!r}")
    if version > VERSION:
        raise _bad(
            path,
            f"version {version} is newer than this arpose reads ({VERSION}); "
            f"upgrade arpose or learn the exercise again",
        )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _bad(path, "key 'name' must be a non-empty string")
    try:
        ex_name = check_name(name, "key 'name'")
    except ExerciseError as exc:
        raise _bad(path, str(exc)) from None
    feats = data.get("features")
    if (
        not isinstance(feats, list)
        or not feats
        or not all(isinstance(f, str) and f in FEATURES for f in feats)
        or len(set(feats)) != len(feats)
    ):
        shown = repr(feats) if len(repr(feats)) < 200 else repr(feats)[:197] + "..."
        raise _bad(
            path, f"key 'features' must be a non-empty list of distinct {', '.join(FEATURES)}; got {shown}"
        )
    for key in ("rest", "far"):
        v = data.get(key)
        if (
            not isinstance(v, list)
            or len(v) != len(feats)
            or not all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v
            )
        ):
            raise _bad(path, f"key {key!r} must be a list of {len(feats)} finite numbers")
    if float(np.sum((np.asarray(data["far"]) - np.asarray(data["rest"])) ** 2)) < 1e-6:
        raise _bad(path, "keys 'rest' and 'far' are the same pose: nothing to count")
    for key in ("enter", "exit", "good"):
        v = data.get(key)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 1:
            raise _bad(path, f"key {key!r} must be a number in 0..1, got {v!r}")
    if not data["exit"] < data["enter"]:
        raise _bad(path, f"key 'exit' ({data['exit']}) must be below 'enter' ({data['enter']})")
    v = data.get("min_rep_time", 0.3)
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 60:
        raise _bad(path, f"key 'min_rep_time' must be a number of seconds in 0..60, got {v!r}")
    return _exercise(ex_name, data, str(path))


def _too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``text`` nests brackets deeper than ``limit`` (strings skipped): checked
    before ``json.loads``, whose recursion a hostile file could exhaust."""
    depth, in_str, esc = 0, False, False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def load(path: str | os.PathLike) -> Exercise:
    """Read a learned exercise file.

    Raises:
        ExerciseError: missing, unreadable, not JSON, malformed or from a newer version.
    """
    p = Path(path)
    raw = read_small_file(p, MAX_EXERCISE_BYTES, "exercise", ExerciseError)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExerciseError(f"{p}: not valid UTF-8 (byte {exc.start})") from None
    if _too_deep(text):
        raise ExerciseError(f"{p}: JSON nested deeper than {MAX_JSON_DEPTH} levels; not an exercise file")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ExerciseError(f"{p}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise ExerciseError(f"{p}: not valid JSON ({exc})") from None
    return parse(data, p)


def save(doc: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write a learned-exercise document (validated first) atomically."""
    p = Path(path)
    parse(doc, p)
    tmp = p.with_suffix(p.suffix + ".tmp")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
        os.replace(tmp, p)
    except OSError as exc:
        raise ExerciseError(f"{p}: cannot save the exercise ({exc.strerror or exc})") from None
    return p


def learned_names(folder: Path | None = None) -> list[str]:
    """Names of the learned exercises saved in ``folder`` (default :func:`exercises_dir`)."""
    d = folder or exercises_dir()
    try:
        if not d.is_dir():
            return []
        files = list(d.glob("*.json"))
    except OSError:
        return []
    out = []
    for p in files:
        try:
            out.append(check_name(p.stem))
        except ExerciseError:
            log.warning("skipping %s: not a valid exercise name", printable(p))
    return sorted(set(out))


def resolve_exercise(name: str | os.PathLike) -> Exercise:
    """A built-in exercise, a learned one by name, or a learned file by path.

    Raises:
        ExerciseError: unknown name (with a did-you-mean), or a bad learned file.
    """
    text = os.fspath(name)
    if text.endswith(".json") or os.sep in text or (os.altsep and os.altsep in text):
        return load(text)
    if canonical(text) in BUILTIN:
        return BUILTIN[canonical(text)]
    key = check_name(text)
    if key in BUILTIN:
        return BUILTIN[key]
    path = exercises_dir() / f"{key}.json"
    if path.is_file():
        return load(path)
    raise unknown_exercise(text, sorted(set(BUILTIN) | set(learned_names())))


def all_exercises() -> list[Exercise]:
    """Built-ins then learned ones (bad learned files are skipped with a warning)."""
    out = list(BUILTIN.values())
    for n in learned_names():
        try:
            out.append(load(exercises_dir() / f"{n}.json"))
        except ExerciseError as exc:
            log.warning("skipping learned exercise: %s", exc)
    return out


# -- learning ------------------------------------------------------------------------------


def _median_filter(x: np.ndarray, k: int = 5) -> np.ndarray:
    out = x.copy()
    h = k // 2
    for i in range(len(x)):
        out[i] = np.nanmedian(x[max(0, i - h) : i + h + 1], axis=0)
    return out


def learn(
    poses: Iterable[tuple[Pose | None, float]],
    name: str,
    *,
    source: str = "",
    enter: float = 0.5,
    exit: float = 0.22,
    good: float = 0.8,
) -> dict[str, Any]:
    """Learn an exercise from a demonstration: ``(pose, t)`` of one person doing 2-3 reps.

    Returns the document to :func:`save` (see the module doc).

    Raises:
        ExerciseError: too few usable frames, or no joint moves enough.
    """
    names = list(FEATURES)
    rows, times = [], []
    for pose, t in poses:
        if pose is not None:
            rows.append(angles(pose, names))
            times.append(float(t))
    if len(rows) < 10:
        raise ExerciseError(
            f"learning {name!r}: only {len(rows)} frames with a person "
            f"(need at least 10: record 2-3 full reps)"
        )
    with warnings.catch_warnings():
        # a joint never seen in a window is NaN on purpose ("All-NaN slice", "Mean of empty")
        warnings.simplefilter("ignore", RuntimeWarning)
        return _learn(rows, times, name, source, enter, exit, good)


MAX_NOISE_RATIO = 0.4
"""Above this, the demo's movement along its axis is tracker noise, not a movement: the
variance of its frame-to-frame change over its variance (white noise reads about 2; a
person standing still in a real video read 0.73; real squats and jumping jacks at 24-30
frames/s read 0.03-0.08, a movement changing slowly from frame to frame)."""


def _learn(
    rows: list[np.ndarray],
    times: list[float],
    name: str,
    source: str,
    enter: float,
    exit: float,
    good: float,
) -> dict[str, Any]:
    names = list(FEATURES)
    F = np.asarray(rows)
    seen = np.isfinite(F).mean(axis=0)
    cols = [i for i in range(len(names)) if seen[i] >= 0.6]
    if not cols:
        raise ExerciseError(f"learning {name!r}: no joint angle was in view long enough")
    raw = F[:, cols]
    F = _median_filter(raw)
    lo, hi = np.nanpercentile(F, 5, axis=0), np.nanpercentile(F, 95, axis=0)
    rng = hi - lo
    moving = [k for k in range(len(cols)) if rng[k] >= max(rng.max() / 3, 12 / 180)]
    if not moving:
        raise ExerciseError(
            f"learning {name!r}: nothing moved (no joint more than 12 degrees); record 2-3 full reps"
        )
    G = F[:, moving]
    ok = np.isfinite(G).all(axis=1)
    if ok.sum() < 10:
        raise ExerciseError(f"learning {name!r}: too few frames with all moving joints in view")
    X = G[ok]
    mu = X.mean(axis=0)
    _, _, vt = np.linalg.svd(X - mu, full_matrices=False)
    axis = vt[0]
    s = (X - mu) @ axis
    R = raw[:, moving][np.isfinite(raw[:, moving]).all(axis=1)]
    r = (R - mu) @ axis  # the unfiltered movement along the axis
    noise = float(np.var(np.diff(r)) / max(float(np.var(r)), 1e-12)) if len(r) >= 10 else 0.0
    if noise > MAX_NOISE_RATIO:
        raise ExerciseError(
            f"learning {name!r}: nothing moved (the joint angles only jitter from frame to frame, "
            f"as tracking does on someone standing still); record 2-3 full reps"
        )
    q_lo, q_hi = np.percentile(s, 10), np.percentile(s, 90)
    end_a, end_b = X[s <= q_lo].mean(axis=0), X[s >= q_hi].mean(axis=0)
    n = len(X)
    k = max(3, n // 10)
    edges = np.concatenate([s[:k], s[-k:]])
    rest_is_a = np.mean(np.abs(edges - q_lo)) <= np.mean(np.abs(edges - q_hi))
    rest, far = (end_a, end_b) if rest_is_a else (end_b, end_a)
    # how many reps the demo showed (for the record and a sanity check)
    p = (X - rest) @ (far - rest) / float(np.dot(far - rest, far - rest))
    state, reps = 0, 0
    for v in p:
        if state == 0 and v >= enter:
            state = 1
        elif state == 1 and v <= exit:
            state, reps = 0, reps + 1
    if reps < 1:
        raise ExerciseError(f"learning {name!r}: no complete rep found in the demonstration")
    feats = [names[cols[k]] for k in moving]
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "name": canonical(name),
        "features": feats,
        "rest": [round(float(v), 5) for v in rest],
        "far": [round(float(v), 5) for v in far],
        "enter": enter,
        "exit": exit,
        "good": good,
        "min_rep_time": 0.3,
        "learned_from": {
            "source": source,
            "frames": len(rows),
            "reps_seen": reps,
            "seconds": round(times[-1] - times[0], 2),
        },
    }
    parse(doc, f"<learned {name}>")
    return doc


def main_person(poses: tuple[Pose, ...] | list[Pose]) -> Pose | None:
    """The biggest person in a frame (the one demonstrating)."""
    return max(poses, key=lambda p: float(np.nan_to_num(p.body_size)), default=None)


__all__ = [
    "FEATURES",
    "FORMAT",
    "VERSION",
    "angles",
    "learn",
    "load",
    "save",
    "parse",
    "resolve_exercise",
    "learned_names",
    "all_exercises",
    "exercises_dir",
    "data_dir",
    "main_person",
]
