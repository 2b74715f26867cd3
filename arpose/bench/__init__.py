"""Benchmarks behind `arpose bench`: every number is measured in one run and reported
next to a baseline from the same run (these machines are shared and noisy, so ratios
mean more than absolute milliseconds).

The package holds every section, each in its own module, registered here by name so that
``arpose.bench.run(sections=[...])`` works from Python exactly as from the command line:

- ``tracking`` (:mod:`.tracking`): inference ms, pipeline vs a naive loop, latency, filter cost;
- ``smoothing`` (:mod:`.filters`): jitter reduction and lag of the filtered landmarks;
- ``live`` (:mod:`.live`): the camera-to-screen latency budget in parts, 1 vs 2 threads;
- ``render`` (:mod:`.render`): offscreen renderer ms per frame vs upload + read-back;
- ``games`` (:mod:`.games`): frame cost of each game with the camera view on;
- ``effects`` (:mod:`.effects`): ``arpose render`` with an effect vs ``arpose detect``;
- ``hands`` (:mod:`.hands`): the pipeline with hand tracking on vs off;
- ``avatar`` (:mod:`.avatar`): a skinned avatar vs a hat, rendered and in the mirror;
- ``rig`` (:mod:`.rig`): solving joint rotations, per person per frame, vs tracking;
- ``bvh`` (:mod:`.bvh`): BVH export (rig solver + file) vs CSV export;
- ``identity`` (:mod:`.identity`): id switches (synthetic crowd, the video), people on photos.
- ``hands`` (:mod:`.hands`): the pipeline with hand tracking on vs off.
- ``signs`` (:mod:`.signs`): hand-sign recognition per hand vs tracking per frame.

Sections are imported only when they run (the render and games sections need GL and
pygame). Other code adds sections with :func:`register_section`.

The video is always given explicitly: the ``video`` argument, ``arpose bench --video``, or
the ``ARPOSE_BENCH_VIDEO`` environment variable; without one, a clip made from the built-in
sample photo.
"""

from __future__ import annotations

import importlib
import logging
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..errors import ArposeError
from ..sources import VideoFile, read_image, sample_image_path

log = logging.getLogger(__name__)

VIDEO_ENV = "ARPOSE_BENCH_VIDEO"

Section = Callable[[Path, dict[str, Any]], dict[str, Any]]
# name -> the section function, or "module:function" (imported when the section runs)
_SECTIONS: dict[str, Section | str] = {
    "tracking": "arpose.bench.tracking:bench_tracking",
    "smoothing": "arpose.bench.filters:bench_smoothing",
    "live": "arpose.bench.live:bench_live",
    "render": "arpose.bench.render:render_section",
    "games": "arpose.bench.games:bench_games",
    "effects": "arpose.bench.effects:bench_effects",
    "hands": "arpose.bench.hands:bench_hands",
    "avatar": "arpose.bench.avatar:bench_avatar",
    "rig": "arpose.bench.rig:bench_rig",
    "bvh": "arpose.bench.bvh:bench_bvh",
    "identity": "arpose.bench.identity:bench_identity",
    "signs": "arpose.bench.signs:bench_signs",
}


def register_section(name: str, fn: Section | str) -> None:
    """Add a section to `arpose bench`: ``fn(video, options) -> dict of results``, or a
    ``"module:function"`` string naming one (imported only when the section runs)."""
    _SECTIONS[name] = fn


def section_names() -> list[str]:
    """The registered sections, in the order ``run`` runs them by default."""
    return list(_SECTIONS)


def get_section(name: str) -> Section:
    """The section function registered as ``name`` (imported on first use)."""
    if name not in _SECTIONS:
        raise ArposeError(f"unknown bench section {name!r}; choose from {', '.join(_SECTIONS)}")
    fn = _SECTIONS[name]
    if isinstance(fn, str):
        module, _, attr = fn.partition(":")
        fn = getattr(importlib.import_module(module), attr)
        _SECTIONS[name] = fn
    return fn


def latest_frames(pipeline: Any, timeout: float = 0.5) -> Iterator[Any]:
    """The newest PoseFrames of a latest-wins (camera-paced) pipeline, until its source
    ends: what a live consumer sees, with the frames it was too slow for dropped."""
    while True:
        pf = pipeline.latest(timeout=timeout)
        if pf is None:
            if pipeline.finished:
                return
            continue
        yield pf


def percentile(values: list[float] | np.ndarray, q: float) -> float:
    arr = np.asarray(values, np.float64)
    return float(np.percentile(arr, q)) if arr.size else math.nan


def default_video(video: str | Path | None = None) -> Path:
    """The video to measure on: ``video`` when given, else ``$ARPOSE_BENCH_VIDEO``, else a
    clip made from the built-in sample photo."""
    chosen = video or os.environ.get(VIDEO_ENV)
    if chosen:
        return Path(chosen)
    return make_sample_video(Path(tempfile.gettempdir()) / "arpose-sample.avi")


def make_sample_video(path: Path, frames: int = 150, fps: float = 30.0) -> Path:
    """Write a clip of the built-in portrait slowly panning and zooming (a real person,
    real decoding; the motion is synthetic)."""
    if path.is_file():
        return path
    img = cv2.cvtColor(read_image(sample_image_path()), cv2.COLOR_RGB2BGR)
    h, w = img.shape[:2]
    out_w, out_h = 640, 480
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (out_w, out_h))
    for i in range(frames):
        phase = 2 * math.pi * i / frames
        zoom = 1.0 + 0.15 * math.sin(phase)
        dx, dy = 40 * math.sin(phase), 20 * math.cos(2 * phase)
        m = np.array(
            [[zoom, 0, out_w / 2 - zoom * w / 2 + dx], [0, zoom, out_h / 2 - zoom * h / 2 + dy]], np.float32
        )
        writer.write(cv2.warpAffine(img, m, (out_w, out_h), borderMode=cv2.BORDER_REFLECT))
    writer.release()
    return path


def run(
    video: str | Path | None = None, sections: list[str] | None = None, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run the named sections (all by default) on ``video`` (see :func:`default_video`)
    and return their results."""
    video = default_video(video)
    VideoFile(video).close()  # clear error for a bad path before any section starts
    options = options or {}
    names = sections or section_names()
    fns = [get_section(name) for name in names]  # unknown names fail before any work
    results: dict[str, Any] = {"source": str(video)}
    for name, fn in zip(names, fns):
        log.info("bench: %s", name)
        results[name] = fn(video, options)
    return results
