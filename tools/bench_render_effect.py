"""Throughput of rendering an effect onto a video vs. only detecting poses in it.

Done-when criterion of the effects work: ``arpose render`` of a 200-frame video with an
effect runs at >= 0.8x the throughput of ``arpose detect`` on the same video, i.e.
rendering (GL draw, read-back, encoding in the main thread) overlaps the inference
worker and does not become the bottleneck.

Both are measured in the same run, alternating (detect, render, detect, render, ...) so
load from other processes on a shared machine hits both alike; the best round of each
is compared (the least disturbed one), and every round is printed.

    python tools/bench_render_effect.py [--video ../shared/media/dance.avi]
        [--effect top-hat] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VIDEO = REPO.parent / "shared" / "media" / "dance.avi"


def run_detect(video: Path, max_people: int) -> tuple[int, float]:
    """What ``arpose detect VIDEO --json`` does: track every frame, format the JSON."""
    from arpose.pipeline import track

    start = time.perf_counter()
    frames = 0
    with track(str(video), max_people=max_people, keep_images=False) as pipeline:
        for pf in pipeline:
            json.dumps(pf.to_json(), separators=(",", ":"))
            frames += 1
    return frames, time.perf_counter() - start


def run_render(video: Path, effect: str, max_people: int, out: Path) -> tuple[int, float]:
    """What ``arpose render --effect E --source VIDEO --output out.mp4`` does."""
    from arpose.effects.compose import render_source

    start = time.perf_counter()
    stats = render_source([effect], str(video), out, max_people=max_people)
    return stats.frames, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--effect", default="top-hat")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-people", type=int, default=2)
    args = parser.parse_args(argv)
    if not args.video.is_file():
        print(f"video not found: {args.video}", file=sys.stderr)
        return 1
    from arpose.model import ensure_model

    ensure_model()  # build the model bundle once, outside the timings
    detect_fps, render_fps = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.mp4"
        for r in range(args.rounds):
            n, s = run_detect(args.video, args.max_people)
            detect_fps.append(n / s)
            print(f"round {r + 1}: detect  {n} frames in {s:6.2f} s = {n / s:6.2f} frames/s",
                  flush=True)
            n, s = run_render(args.video, args.effect, args.max_people, out)
            render_fps.append(n / s)
            print(f"round {r + 1}: render  {n} frames in {s:6.2f} s = {n / s:6.2f} frames/s "
                  f"(effect {args.effect}, {out.stat().st_size / 1e6:.1f} MB mp4)", flush=True)
    best_d, best_r = max(detect_fps), max(render_fps)
    ratio = best_r / best_d
    print(f"detect throughput: {best_d:.2f} frames/s")
    print(f"render throughput: {best_r:.2f} frames/s")
    print(f"ratio render/detect: {ratio:.2f} (target >= 0.80: {'PASS' if ratio >= 0.8 else 'FAIL'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
