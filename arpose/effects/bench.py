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
from pathlib import Path
from typing import Any


def detect_loop(video: str | Path, max_people: int = 2) -> tuple[int, float]:
    """What ``arpose detect VIDEO --json`` does: track every frame, format the JSON.
    Returns (frames, seconds)."""
    from ..pipeline import track

    start = time.perf_counter()
    frames = 0
    with track(str(video), max_people=max_people, keep_images=False) as pipeline:
        for pf in pipeline:
            json.dumps(pf.to_json(), separators=(",", ":"))
            frames += 1
    return frames, time.perf_counter() - start


def render_loop(video: str | Path, effect: str, out: Path,
                max_people: int = 2) -> tuple[int, float]:
    """What ``arpose render --effect E --source VIDEO --output OUT.mp4`` does.
    Returns (frames, seconds)."""
    from .compose import render_source

    start = time.perf_counter()
    stats = render_source([effect], str(video), out, max_people=max_people)
    return stats.frames, time.perf_counter() - start


def bench_effects(video: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Alternating rounds of :func:`detect_loop` and :func:`render_loop` (the
    ``effects`` section of ``arpose bench``; ``options``: ``rounds``, ``effect``)."""
    from ..model import ensure_model

    ensure_model()
    rounds = max(1, int(options.get("rounds") or 2))
    effect = str(options.get("effect", "top-hat"))
    detect_fps, render_fps = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.mp4"
        for _ in range(rounds):
            n, s = detect_loop(video)
            detect_fps.append(n / s)
            n, s = render_loop(video, effect, out)
            render_fps.append(n / s)
    med_d, med_r = statistics.median(detect_fps), statistics.median(render_fps)
    return {
        "effect": effect, "rounds": rounds, "frames": n,
        "detect_fps_median": round(med_d, 2), "render_fps_median": round(med_r, 2),
        "render_vs_detect": round(med_r / med_d, 3),
        "render_vs_detect_best": round(max(render_fps) / max(detect_fps), 3),
    }


__all__ = ["bench_effects", "detect_loop", "render_loop"]
