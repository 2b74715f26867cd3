"""``arpose render`` over a folder of videos: one job per video on the batch runner
(:mod:`arpose.batch`: local processes or a Ray cluster), each written by
:func:`~arpose.apps.offline.render_source` under a temporary name and renamed when whole.

Resumes like the other batches: ``.arpose-render.json`` in the output folder records each
finished video (its input's size and time, the effects and options, the output's size); a
rerun skips those and renders the rest. Each worker keeps its GL context and effect assets
only for one video (a GL context is not shared between videos), but its Python, OpenCV and
MediaPipe are loaded once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import batch
from ..errors import ArposeError, RenderError
from ..sources import VIDEO_SUFFIXES
from .offline import render_source

MANIFEST = ".arpose-render.json"
_LOCK = ".arpose-render.lock"


@dataclass(frozen=True)
class RenderJob:
    source: str
    output: str
    effects: tuple[str, ...]
    flip: bool = False
    max_people: int = 2
    model: str | None = None


def videos_in(folder: str | os.PathLike) -> list[Path]:
    """The videos in ``folder`` (not recursive), in name order."""
    d = Path(folder)
    return sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)


def render_one(job: RenderJob) -> dict[str, Any]:
    """One video (the batch job); errors come back as ``"error"``."""
    out = Path(job.output)
    tmp = out.with_name(f".{out.stem}.partial{out.suffix}")
    row: dict[str, Any] = {"input": job.source, "output": job.output, "error": None}
    try:
        stats = render_source(
            list(job.effects), job.source, tmp, flip=job.flip, max_people=job.max_people, model=job.model
        )
        os.replace(tmp, out)
        row.update(frames=stats.frames, people_frames=stats.people_frames)
    except ArposeError as exc:
        tmp.unlink(missing_ok=True)
        row["error"] = str(exc)
    return row


def _key(src: Path, job: RenderJob) -> dict[str, Any]:
    st = src.stat()
    return {
        "input": str(src),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "effects": list(job.effects),
        "flip": job.flip,
        "max_people": job.max_people,
        "model": job.model,
    }


def render_folder(
    effects: Sequence[str],
    folder: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    flip: bool = False,
    max_people: int = 2,
    model: str | None = None,
    workers: int | None = None,
    ray: str | None = None,
    progress: bool = False,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Render ``effects`` onto every video in ``folder``, one ``NAME.mp4`` each in ``out_dir``.

    Returns one dict per video (input order): ``input``, ``output``, ``frames``,
    ``people_frames``, ``skipped``, ``error``.

    Raises:
        RenderError: no videos, an output folder that cannot be made or is in use.
    """
    inputs = videos_in(folder)
    if not inputs:
        raise RenderError(f"{folder}: holds no videos ({', '.join(sorted(VIDEO_SUFFIXES))})")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise RenderError(f"{out}: exists and is not a folder (a folder of videos renders into a folder)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from None
    rows: dict[str, dict[str, Any]] = {}
    with batch.exclusive(out, _LOCK, "render"):
        manifest: batch.Manifest[Any] = batch.Manifest(out, MANIFEST)
        jobs = []
        for src in inputs:
            dst = out / f"{src.stem}.mp4"
            spec = RenderJob(str(src), str(dst), tuple(effects), flip, max_people, model)
            entry = manifest.get(dst.name)
            if entry and entry.get("key") == _key(src, spec) and dst.is_file():
                if entry.get("bytes") == dst.stat().st_size:
                    rows[str(src)] = {"input": str(src), "output": str(dst), "skipped": True, "error": None}
                    continue
            jobs.append(batch.Job(dst.name, spec))
        manifest.forget([j.key for j in jobs])
        from tqdm import tqdm  # lazy: only a run shows a progress bar

        bar = tqdm(total=len(inputs), initial=len(rows), unit="video", disable=not progress, desc="render")
        try:
            for job, row in batch.run(render_one, jobs, workers=workers, ray=ray):
                row["skipped"] = False
                rows[row["input"]] = row
                if row["error"] is None:
                    dst = Path(row["output"])
                    manifest.set(
                        dst.name, {"key": _key(Path(row["input"]), job.args), "bytes": dst.stat().st_size}
                    )
                if on_result is not None:
                    on_result(row)
                bar.update(1)
        finally:
            bar.close()
    return [rows[str(s)] for s in inputs if str(s) in rows]


__all__ = ["render_folder", "render_one", "videos_in", "RenderJob", "MANIFEST"]
