"""Throughput of rendering an effect onto a video vs. only detecting poses in it.

Done-when criterion of the effects work: ``arpose render`` of a 200-frame video with an
effect runs at >= 0.8x the throughput of ``arpose detect`` on the same video, i.e.
rendering (GL draw, read-back, blending, encoding) overlaps the inference threads and
does not become the bottleneck.

Two ways, both measured in the same run, alternating (detect, render, detect, render,
...) so load from other processes on a shared machine hits both alike:

- ``loop`` (default): the two loops in this process, model start-up excluded; the
  strict comparison (start-up would pad both sides equally and flatter the ratio).
- ``cli``: the real commands, ``arpose detect VIDEO --json > FILE`` and
  ``arpose render --effect E --source VIDEO --output OUT.mp4``, timed end to end.

The ratio reported is the median render throughput over the median detect throughput;
every round and the best-of ratio are printed too.

    python tools/bench_render_effect.py [--video ../shared/media/dance.avi]  # or $ARPOSE_BENCH_VIDEO
        [--effect top-hat] [--rounds 5] [--mode loop|cli|both]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from arpose.bench import default_video
from arpose.bench.effects import alternate, detect_loop, render_loop


def loop_detect(video: Path, max_people: int) -> tuple[int, float]:
    return detect_loop(video, max_people)


def loop_render(video: Path, effect: str, max_people: int, out: Path) -> tuple[int, float]:
    return render_loop(video, effect, out, max_people)


def _frame_count(video: Path) -> int:
    import cv2

    cap = cv2.VideoCapture(str(video))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    return n


def cli_detect(video: Path, max_people: int) -> tuple[int, float]:
    start = time.perf_counter()
    with open(Path(tempfile.gettempdir()) / "arpose-bench-detect.jsonl", "w") as sink:
        subprocess.run(
            [sys.executable, "-m", "arpose", "detect", str(video), "--json", "--max-people", str(max_people)],
            stdout=sink,
            check=True,
        )
    return _frame_count(video), time.perf_counter() - start


def cli_render(video: Path, effect: str, max_people: int, out: Path) -> tuple[int, float]:
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "arpose",
            "render",
            "--effect",
            effect,
            "--source",
            str(video),
            "--output",
            str(out),
            "--no-progress",
            "--max-people",
            str(max_people),
        ],
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return _frame_count(video), time.perf_counter() - start


def measure(mode: str, video: Path, effect: str, rounds: int, max_people: int, out: Path) -> float:
    detect, render = (loop_detect, loop_render) if mode == "loop" else (cli_detect, cli_render)

    def report(r: int, kind: str, n: int, s: float) -> None:
        extra = f" (effect {effect}, {out.stat().st_size / 1e6:.1f} MB mp4)" if kind == "render" else ""
        print(
            f"{mode} round {r + 1}: {kind} {n} frames in {s:6.2f} s = {n / s:6.2f} frames/s{extra}",
            flush=True,
        )

    _, detect_fps, render_fps = alternate(
        lambda: detect(video, max_people), lambda: render(video, effect, max_people, out), rounds, report
    )
    med_d, med_r = statistics.median(detect_fps), statistics.median(render_fps)
    ratio = med_r / med_d
    print(f"{mode}: detect median {med_d:.2f} frames/s, render median {med_r:.2f} frames/s")
    print(
        f"{mode}: ratio render/detect {ratio:.2f} (median; best-of "
        f"{max(render_fps) / max(detect_fps):.2f}); target >= 0.80: "
        f"{'PASS' if ratio >= 0.8 else 'FAIL'}"
    )
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--video", type=Path, default=None, help="default: $ARPOSE_BENCH_VIDEO, else the built-in sample clip"
    )
    parser.add_argument("--effect", default="top-hat")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--max-people", type=int, default=2)
    parser.add_argument("--mode", choices=("loop", "cli", "both"), default="loop")
    args = parser.parse_args(argv)
    args.video = default_video(args.video)
    if not args.video.is_file():
        print(f"video not found: {args.video}", file=sys.stderr)
        return 1
    from arpose import limit_thread_pools
    from arpose.model import ensure_model

    limit_thread_pools()  # what the arpose command does at start (loop mode: both alike)
    ensure_model()  # build the model bundle once, outside the timings
    modes = ("loop", "cli") if args.mode == "both" else (args.mode,)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.mp4"
        for mode in modes:
            measure(mode, args.video, args.effect, args.rounds, args.max_people, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
