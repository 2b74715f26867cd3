"""Effect rendering to a video vs. tracking alone, in one run (``arpose bench``).

The effects' speed target: ``arpose render`` of a video with an effect runs at >= 0.8x
the throughput of ``arpose detect`` on the same video, i.e. drawing, blending and
encoding overlap the inference threads instead of becoming the bottleneck. Both loops
run here alternately (detect, render, detect, render, ...), so load from other
processes hits both alike; medians over the rounds are compared. Model start-up is
outside both timings (``tools/bench_render_effect.py --mode cli`` times the commands).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..apps.offline import render_source
from ..model import ensure_model
from ..tracking.pipeline import track


def detect_loop(video: str | Path, max_people: int = 2) -> tuple[int, float]:
    """What ``arpose detect VIDEO --json`` does: track every frame, format the JSON.
    Returns (frames, seconds)."""
    start = time.perf_counter()
    frames = 0
    with track(str(video), max_people=max_people, keep_images=False) as pipeline:
        for pf in pipeline:
            json.dumps(pf.to_json(), separators=(",", ":"))
            frames += 1
    return frames, time.perf_counter() - start


def render_loop(video: str | Path, effect: str, out: Path, max_people: int = 2) -> tuple[int, float]:
    """What ``arpose render --effect E --source VIDEO --output OUT.mp4`` does.
    Returns (frames, seconds)."""
    start = time.perf_counter()
    stats = render_source([effect], str(video), out, max_people=max_people)
    return stats.frames, time.perf_counter() - start


def alternate(
    detect: Callable[[], tuple[int, float]],
    render: Callable[[], tuple[int, float]],
    rounds: int,
    report: Callable[[int, str, int, float], None] | None = None,
) -> tuple[int, list[float], list[float]]:
    """Run ``detect`` and ``render`` (each returning (frames, seconds)) alternately for
    ``rounds`` rounds, so load from other processes hits both alike. Returns (frames of
    the last render, detect frames/s per round, render frames/s per round); ``report(round,
    "detect" | "render", frames, seconds)`` is called after each run."""
    detect_fps: list[float] = []
    render_fps: list[float] = []
    n = 0
    for r in range(rounds):
        for kind, fn, out in (("detect", detect, detect_fps), ("render", render, render_fps)):
            n, s = fn()
            out.append(n / s)
            if report is not None:
                report(r, kind, n, s)
    return n, detect_fps, render_fps


def bench_effects(video: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Alternating rounds of :func:`detect_loop` and :func:`render_loop` (the
    ``effects`` section of ``arpose bench``; ``options``: ``rounds``, ``effect``)."""
    ensure_model()
    rounds = max(1, int(options.get("rounds") or 2))
    effect = str(options.get("effect", "top-hat"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.mp4"
        n, detect_fps, render_fps = alternate(
            lambda: detect_loop(video), lambda: render_loop(video, effect, out), rounds
        )
    med_d, med_r = statistics.median(detect_fps), statistics.median(render_fps)
    return {
        "effect": effect,
        "rounds": rounds,
        "frames": n,
        "detect_fps_median": round(med_d, 2),
        "render_fps_median": round(med_r, 2),
        "render_vs_detect": round(med_r / med_d, 3),
        "render_vs_detect_best": round(max(render_fps) / max(detect_fps), 3),
    }


__all__ = ["alternate", "bench_effects", "detect_loop", "render_loop"]
