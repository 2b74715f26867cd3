"""Speed of `arpose coach analyze` against `arpose detect` on the same clips, in one run.

`arpose detect VIDEO` tracks one video (two inference threads); this runs it on each clip
in turn, then `arpose coach analyze` on all of them with 1 and with N worker processes, all
as fresh commands (start-up included), alternating the order over ``--rounds``. Reports
frames per second and the ratios (analyze / detect: the issue asks >= 0.9; N workers / 1:
scaling). Ratios, not absolute times: the machine is shared and noisy.

    python tools/bench_analyze.py --media ../shared/media/exercise [--rounds 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[1]
ARPOSE = [sys.executable, "-m", "arpose"]


def frames(clips: list[Path]) -> int:
    n = 0
    for c in clips:
        cap = cv2.VideoCapture(str(c))
        n += int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        cap.release()
    return n


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--media", type=Path, default=REPO.parent / "shared" / "media" / "exercise")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    clips = sorted(p for p in args.media.iterdir() if p.suffix.lower() in (".mp4", ".avi", ".mov"))
    n = frames(clips)
    times: dict[str, list[float]] = {"detect": [], "analyze_1": [], f"analyze_{args.workers}": []}
    with tempfile.TemporaryDirectory() as tmp:

        def detect() -> float:
            return sum(timed([*ARPOSE, "detect", str(c), "--json"]) for c in clips)

        def analyze(w: int) -> float:
            out = Path(tmp) / f"a{time.monotonic_ns()}"
            return timed(
                [*ARPOSE, "coach", "analyze", *map(str, clips), "-o", str(out), "-q", "--workers", str(w)]
            )

        for r in range(args.rounds):
            order = ["detect", "analyze_1", f"analyze_{args.workers}"]
            for name in order if r % 2 == 0 else order[::-1]:
                s = detect() if name == "detect" else analyze(int(name.split("_")[1]))
                times[name].append(s)
                print(f"round {r + 1}: {name:<11} {s:6.1f} s  {n / s:5.1f} frames/s", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    w = f"analyze_{args.workers}"
    result = {
        "frames": n,
        "clips": [c.name for c in clips],
        "seconds": med,
        "analyze_1_vs_detect": round(med["detect"] / med["analyze_1"], 2),
        f"{w}_vs_detect": round(med["detect"] / med[w], 2),
        f"scaling_{args.workers}_vs_1": round(med["analyze_1"] / med[w], 2),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
