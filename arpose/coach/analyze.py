"""Exercise analysis over a library of videos: ``arpose coach analyze PATH... --output DIR``.

Per video: the exercise (given, or recognised with ``"auto"``: :mod:`.recognise`), its reps
and good reps, and per rep its time, range, tempo (down, up) and form flags. Each video is
one job on the batch runner (:mod:`arpose.batch`: local processes or a Ray cluster); the
job tracks the video with its worker's reused detectors (:mod:`arpose.tracking.reuse`),
counts the biggest person, and sends its result back as data. The driver writes:

* ``videos/NAME.json`` - one video's result, written atomically as it arrives;
* ``.arpose-analyze.json`` - the resume manifest: a rerun skips a video whose input and
  options match and whose result file is unchanged;
* ``analysis.jsonl`` (one video per line, reps inside), ``analysis.csv`` (one row per
  video), ``reps.csv`` (one row per rep) and ``summary.png`` (reps and form per video),
  remade from every video's result at the end of each run, in input order.

Nothing in the outputs depends on the back end, the worker or the order jobs finish in, so
a local run and a Ray run give byte-identical files. ``history`` imports each analysed
video into the SQLite workout history (:mod:`.history`) once: a video already imported
(game ``"analyze"``, same source) is not imported again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .. import batch
from ..errors import ArposeError
from ..pose import Pose
from ..sources import VIDEO_SUFFIXES
from ..tracking.reuse import track_video
from .counter import RepCounter
from .exercises import BUILTIN, Exercise
from .history import History
from .learned import all_exercises, main_person, parse, resolve_exercise
from .recognise import recognise

log = logging.getLogger(__name__)

MANIFEST = ".arpose-analyze.json"
_LOCK = ".arpose-analyze.lock"
VIDEOS = "videos"
VERSION = 1
"""Version of the per-video result (``"version"`` in each)."""
REP_COLUMNS = ("video", "exercise", "n", "start", "t", "range", "down", "up", "good", "flags", "side")
VIDEO_COLUMNS = (
    "video",
    "path",
    "exercise",
    "confidence",
    "reps",
    "good_reps",
    "mean_range",
    "tempo_down",
    "tempo_up",
    "flags",
    "frames",
    "seconds",
    "error",
)


# ----------------------------------------------------------------------------- one video


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


def rep_rows(counter: RepCounter) -> list[dict[str, Any]]:
    """Each counted rep of ``counter`` as a plain dict (times in seconds of the video)."""
    return [
        {
            "n": ev.count,
            "start": _r(ev.t - ev.duration),
            "t": _r(ev.t),
            "range": _r(ev.range),
            "down": _r(ev.down, 2),
            "up": _r(ev.up, 2),
            "good": bool(ev.good),
            "flags": list(ev.flags),
            "side": ev.side,
        }
        for ev in counter.reps
    ]


def analyze_samples(
    samples: Sequence[tuple[Pose | None, float]], exercise: str | Exercise, exercises: Sequence[Exercise]
) -> dict[str, Any]:
    """The analysis of one person's ``(pose, t)`` samples: ``exercise`` is an exercise, a
    name, or ``"auto"`` (recognised among ``exercises``)."""
    out: dict[str, Any] = {}
    if exercise == "auto":
        rec = recognise(samples, exercises)
        best = rec.best
        counter = best.counter if best is not None else None
        out["exercise"] = rec.exercise
        out["confidence"] = rec.confidence
        out["candidates"] = [c.as_dict() for c in sorted(rec.candidates, key=lambda c: -c.match)[:3]]
    else:
        ex = exercise if isinstance(exercise, Exercise) else resolve_exercise(exercise)
        counter = RepCounter(ex)
        for pose, t in samples:
            counter.update(pose, t)
        out["exercise"] = ex.name
        out["confidence"] = None
    reps = rep_rows(counter) if counter is not None else []
    out["reps"] = len(reps)
    out["good_reps"] = sum(r["good"] for r in reps)
    out["rep_list"] = reps
    return out


@dataclass(frozen=True)
class JobArgs:
    """What one analysis job needs (sent to a worker, maybe on another machine)."""

    path: str
    exercise: str
    learned: tuple[tuple[str, str], ...] = ()
    """Learned exercises as (origin, JSON text): a worker elsewhere has not got the files."""
    max_people: int = 2
    model: str | None = None


def _exercises(args: JobArgs) -> list[Exercise]:
    out = list(BUILTIN.values())
    for origin, text in args.learned:
        out.append(parse(json.loads(text), origin))
    return out


def analyze_video(args: JobArgs) -> dict[str, Any]:
    """One video's analysis (the batch job; errors come back as ``"error"``)."""
    src = Path(args.path)
    row: dict[str, Any] = {"version": VERSION, "video": src.name, "path": args.path}
    try:
        exercises = _exercises(args)
        named = {e.name: e for e in exercises}
        samples: list[tuple[Pose | None, float]] = []
        with track_video(src, max_people=args.max_people, model=args.model) as pipeline:
            for pf in pipeline:
                samples.append((main_person(pf.poses), pf.t))
        ex: str | Exercise = args.exercise if args.exercise == "auto" else named[args.exercise]
        row.update(analyze_samples(samples, ex, exercises))
        row["frames"] = len(samples)
        row["seconds"] = _r(samples[-1][1] - samples[0][1], 2) if samples else 0.0
        row["error"] = None
    except ArposeError as exc:
        row.update({"exercise": None, "reps": 0, "good_reps": 0, "rep_list": [], "error": str(exc)})
    return row


# ----------------------------------------------------------------------------- a library


@dataclass
class AnalyzeResult:
    """What a run did: every video's result (input order), and how many were skipped."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0
    imported: int = 0
    output: Path = Path()

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r.get("error")]


def find_videos(paths: Sequence[str | os.PathLike]) -> list[Path]:
    """Videos named or inside the named folders (not recursive), in the given order, each
    folder's in name order.

    Raises:
        ArposeError: a path that does not exist, or no video at all.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in VIDEO_SUFFIXES)
        elif p.is_file():
            out.append(p)
        else:
            raise ArposeError(f"{p}: no such file or folder")
    if not out:
        raise ArposeError(
            f"{', '.join(str(p) for p in paths)}: no videos ({', '.join(sorted(VIDEO_SUFFIXES))})"
        )
    seen: dict[str, Path] = {}
    for v in out:
        if v.name in seen and seen[v.name] != v:
            raise ArposeError(f"{v} and {seen[v.name]}: two videos with one name; analyse them apart")
        seen[v.name] = v
    return list(dict.fromkeys(out))


def _learned_docs(exercise: str) -> tuple[tuple[str, str], ...]:
    """The learned exercises a job needs, as text (auto: all of them; else the one named)."""
    if exercise == "auto":
        exs = [e for e in all_exercises() if e.origin != "builtin"]
    else:
        e = resolve_exercise(exercise)
        exs = [] if e.origin == "builtin" else [e]
    return tuple((e.origin, Path(e.origin).read_text(encoding="utf-8")) for e in exs)


def _key(src: Path, args: JobArgs) -> dict[str, Any]:
    st = src.stat()
    learned = hashlib.sha256(json.dumps(args.learned).encode()).hexdigest()[:16]
    return {
        "input": str(src),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "exercise": args.exercise,
        "learned": learned,
        "max_people": args.max_people,
        "model": args.model,
        "version": VERSION,
    }


def _result_path(out: Path, src: Path) -> Path:
    return out / VIDEOS / f"{src.name}.json"


def _fingerprint(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def analyze(
    paths: Sequence[str | os.PathLike],
    output: str | os.PathLike,
    *,
    exercise: str = "auto",
    history: str | os.PathLike | None = None,
    workers: int | None = None,
    ray: str | None = None,
    max_people: int = 2,
    model: str | os.PathLike | None = None,
    progress: bool = False,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    plot: bool = True,
) -> AnalyzeResult:
    """Analyse every video in ``paths`` into ``output`` (see the module doc).

    Raises:
        ArposeError: no videos, an unknown exercise, an unwritable output folder, another
            analysis writing there, Ray missing or out of reach.
    """
    videos = find_videos(paths)
    ex_name = "auto" if exercise == "auto" else resolve_exercise(exercise).name
    learned = _learned_docs(exercise)
    out = Path(output)
    if out.exists() and not out.is_dir():
        raise ArposeError(f"{out}: exists and is not a folder")
    try:
        (out / VIDEOS).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArposeError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from None
    model_s = None if model is None else str(model)
    result = AnalyzeResult(output=out)
    with batch.exclusive(out, _LOCK, "coach analyze"):
        manifest: batch.Manifest[Any] = batch.Manifest(out, MANIFEST)
        rows: dict[Path, dict[str, Any]] = {}
        jobs: list[batch.Job] = []
        for src in videos:
            args = JobArgs(str(src), ex_name, learned, max_people, model_s)
            dst = _result_path(out, src)
            entry = manifest.get(dst.name)
            if (
                entry is not None
                and entry.get("key") == _key(src, args)
                and entry.get("sha") == _fingerprint(dst)
            ):
                try:
                    rows[src] = json.loads(dst.read_text(encoding="utf-8"))
                    result.skipped += 1
                    continue
                except (OSError, ValueError):
                    pass
            jobs.append(batch.Job(dst.name, args))
        manifest.forget([j.key for j in jobs])
        from tqdm import tqdm  # lazy: only a run shows a progress bar

        bar = tqdm(
            total=len(videos), initial=result.skipped, unit="video", disable=not progress, desc="analyze"
        )
        try:
            for job, row in batch.run(analyze_video, jobs, workers=workers, ray=ray):
                src = Path(job.args.path)
                rows[src] = row
                dst = _result_path(out, src)
                batch.atomic_write(dst, json.dumps(row, indent=1, sort_keys=True) + "\n")
                if not row.get("error"):
                    manifest.set(dst.name, {"key": _key(src, job.args), "sha": _fingerprint(dst)})
                if on_result is not None:
                    on_result(row)
                bar.update(1)
        finally:
            bar.close()
        result.rows = [rows[v] for v in videos if v in rows]
        write_tables(result.rows, out, plot=plot)
    if history is not None:
        result.imported = import_history(result.rows, history)
    return result


# ----------------------------------------------------------------------------- outputs


def video_summary(row: dict[str, Any]) -> dict[str, Any]:
    """The flat per-video row of ``analysis.csv``."""
    reps = row.get("rep_list") or []
    flags: dict[str, int] = {}
    for r in reps:
        for f in r["flags"]:
            flags[f] = flags.get(f, 0) + 1

    def mean(key: str) -> float | None:
        return round(sum(r[key] for r in reps) / len(reps), 2) if reps else None

    return {
        "video": row.get("video"),
        "path": row.get("path"),
        "exercise": row.get("exercise"),
        "confidence": row.get("confidence"),
        "reps": row.get("reps", 0),
        "good_reps": row.get("good_reps", 0),
        "mean_range": mean("range"),
        "tempo_down": mean("down"),
        "tempo_up": mean("up"),
        "flags": "; ".join(f"{k} x{v}" for k, v in sorted(flags.items())),
        "frames": row.get("frames"),
        "seconds": row.get("seconds"),
        "error": row.get("error") or "",
    }


def _csv(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: "" if r.get(k) is None else r.get(k) for k in columns})
    return buf.getvalue()


def write_tables(rows: list[dict[str, Any]], out: Path, *, plot: bool = True) -> None:
    """``analysis.jsonl``, ``analysis.csv``, ``reps.csv`` and ``summary.png`` in ``out``."""
    batch.atomic_write(out / "analysis.jsonl", "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    batch.atomic_write(out / "analysis.csv", _csv([video_summary(r) for r in rows], VIDEO_COLUMNS))
    reps = [
        {**rep, "video": r["video"], "exercise": r["exercise"], "flags": "; ".join(rep["flags"])}
        for r in rows
        for rep in r.get("rep_list") or []
    ]
    batch.atomic_write(out / "reps.csv", _csv(reps, REP_COLUMNS))
    if plot and rows:
        summary_plot(rows, out / "summary.png")


def summary_plot(rows: list[dict[str, Any]], path: Path, *, dpi: int = 110) -> Path:
    """Reps and form per video: a bar per video (good reps, reps with a form flag), its
    exercise and confidence beside it; and each rep's range as a dot (hollow: flagged)."""
    import matplotlib  # lazy: heavy, only for the picture

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure  # lazy: as above

    n = len(rows)
    fig = Figure(figsize=(10, 1.2 + 0.45 * n), dpi=dpi)
    ax1, ax2 = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    ys = list(range(n))[::-1]
    good = [r.get("good_reps", 0) for r in rows]
    flagged = [r.get("reps", 0) - g for r, g in zip(rows, good)]
    ax1.barh(ys, good, color="#2a9d8f", label="good reps")
    ax1.barh(ys, flagged, left=good, color="#e9c46a", label="reps with a form flag")
    top = max([r.get("reps", 0) for r in rows] + [1])
    for y, r in zip(ys, rows):
        if r.get("error"):
            text = "error: " + str(r["error"])[:40]
        else:
            conf = r.get("confidence")
            known = conf is not None and r.get("exercise") != "unknown"
            text = str(r.get("exercise")).replace("_", "-") + (f" ({conf:.0%})" if known else "")
        ax1.text(r.get("reps", 0) + top * 0.02, y, text, va="center", fontsize=8)
    ax1.set_yticks(ys)
    ax1.set_yticklabels([str(r.get("video")) for r in rows], fontsize=8)
    ax1.set_xlim(0, top * 1.6)
    ax1.set_xlabel("reps")
    ax1.legend(fontsize=8, loc="lower right")
    ax1.grid(axis="x", alpha=0.3)
    for y, r in zip(ys, rows):
        reps = r.get("rep_list") or []
        ok = [p["range"] for p in reps if p["good"]]
        bad = [p["range"] for p in reps if not p["good"]]
        ax2.scatter(ok, [y] * len(ok), color="#2a9d8f", s=22)
        ax2.scatter(bad, [y] * len(bad), facecolors="none", edgecolors="#e76f51", s=22)
    ax2.set_xlim(0, 1.05)
    ax2.set_xlabel("range of each rep (1 = full; hollow = form flag)")
    ax2.grid(axis="x", alpha=0.3)
    fig.suptitle(f"arpose coach analyze: {n} video(s)")
    fig.tight_layout()
    tmp = batch.partial_name(path)
    fig.savefig(tmp, format="png", metadata={"Software": None})
    os.replace(tmp, path)
    return path


def import_history(rows: list[dict[str, Any]], path: str | os.PathLike) -> int:
    """Add each analysed video to the workout history once; returns how many were added."""
    added = 0
    with History(path) as h:
        done = {s.source for s in h.sessions() if s.game == "analyze"}
        for r in rows:
            if r.get("error") or r.get("exercise") in (None, "unknown"):
                continue
            source = str(Path(r["path"]).resolve())
            if source in done:
                continue
            s = h.start_session(r["exercise"], game="analyze", source=source)
            for rep in r.get("rep_list") or []:
                s.add_rep(SimpleNamespace(**{**rep, "flags": tuple(rep["flags"])}))
            s.finish({"reps": r["reps"], "good_reps": r["good_reps"], "confidence": r.get("confidence")})
            done.add(source)
            added += 1
    return added


__all__ = [
    "analyze",
    "analyze_video",
    "analyze_samples",
    "find_videos",
    "write_tables",
    "summary_plot",
    "import_history",
    "video_summary",
    "JobArgs",
    "AnalyzeResult",
    "MANIFEST",
]
