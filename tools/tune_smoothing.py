"""Choose One-Euro defaults by measurement: track a video once, then re-smooth the raw
landmarks with a grid of (min_cutoff, beta) and print jitter reduction and lag.

    python tools/tune_smoothing.py [VIDEO]        # default: $ARPOSE_BENCH_VIDEO, else the sample clip

Jitter = mean |second difference| of pixel positions (landmarks visible throughout);
lag = cross-correlation peak between raw and smoothed velocities, in frames.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from arpose.bench import default_video
from arpose.bench import smoothing as bench
from arpose.smoothing import PoseSmoother


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("video", nargs="?", default=None)
    ap.add_argument("--min-cutoff", type=float, nargs="+", default=[0.1, 0.3, 0.5, 1.0, 2.0])
    ap.add_argument("--beta", type=float, nargs="+", default=[0.5, 1.0, 3.0, 10.0, 40.0])
    args = ap.parse_args()
    video = Path(args.video) if args.video else default_video()
    frames = bench.collect_frames(video, smoother=PoseSmoother(smooth=False))
    pid = bench._main_track(frames)
    print(f"{video}: {len(frames)} frames, main person id {pid}")
    print(f"{'min_cutoff':>10} {'beta':>6} {'jitter cut':>10} {'lag (frames)':>12}")
    for mc, beta in itertools.product(args.min_cutoff, args.beta):
        smoothed = bench.resmooth(frames, PoseSmoother(min_cutoff=mc, beta=beta))
        raw, sm, vis = bench._trajectories(smoothed, pid)
        r = bench.jitter_and_lag(raw, sm, vis)
        print(f"{mc:>10g} {beta:>6g} {r['jitter_reduction']:>10.1%} {r['lag_frames']:>12.2f}")


if __name__ == "__main__":
    main()
