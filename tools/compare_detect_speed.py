"""`arpose detect VIDEO --json` of this tree against another tree of arpose, in one run.

Usage::

    git worktree add --detach /tmp/arpose-main main
    python tools/compare_detect_speed.py /tmp/arpose-main ../shared/media/dance.avi --rounds 6

Runs both trees' ``arpose detect`` on the video in alternating rounds (baseline first in
odd rounds, this tree first in even ones), each in a fresh process with this
interpreter and ``PYTHONPATH`` pointing at the tree, and prints per-round wall and CPU
(user + sys) seconds and the ratios of the medians (this tree / baseline). On a shared
machine the wall time follows the other load; CPU time is the steadier measure of the
work done. Used for issue 22 (docs/measurements/2026-12-07-identity.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def run_once(tree: Path, video: str) -> tuple[float, float]:
    """Wall and CPU seconds of one ``arpose detect --json`` in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "arpose", "detect", video, "--json"],
        env=env,
        cwd="/",
        stdout=subprocess.DEVNULL,
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("baseline", type=Path, help="another arpose source tree (e.g. a worktree of main)")
    ap.add_argument("video")
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args()
    video = str(Path(args.video).resolve())
    runs: dict[str, list[tuple[float, float]]] = {"baseline": [], "this": []}
    for r in range(args.rounds):
        order = [("baseline", args.baseline), ("this", HERE)]
        if r % 2:
            order.reverse()
        for name, tree in order:
            wall, cpu = run_once(tree, video)
            runs[name].append((wall, cpu))
            print(f"round {r + 1} {name:8s} wall {wall:6.2f} s  cpu {cpu:6.2f} s", flush=True)
    med = {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()
    }
    for i, what in enumerate(("wall", "cpu")):
        ours, base = med["this"][i], med["baseline"][i]
        print(f"median {what}: {ours:.2f} s vs baseline {base:.2f} s, ratio {ours / base:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
