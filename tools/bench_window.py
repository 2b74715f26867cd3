"""Does the mirror window starve tracking? Window vs headless live tracking, one run.

Each round plays the same clip at its real pace through the same pipeline as
``arpose mirror`` (``track(video, realtime=True, segmentation=True, max_people=2)``):

- ``headless``: nobody draws; the results the pipeline delivers are counted;
- ``window``: the mirror (``-e EFFECT``) in a real window (needs ``$DISPLAY``, e.g.
  ``Xvfb :99 &`` and ``DISPLAY=:99``); the results it feeds and the frames it draws are
  counted.

Counting stops when the source ends, so both count the results over the same clip played
at its real pace: results/s is that count over the clip's length (frames / fps; as in
issue 11's first figures), so the ratio is the ratio of the counts. Rounds alternate
(headless, window, headless, ...) in fresh processes because the machine may be shared;
the ratio of the medians is the figure (issue 11: window/headless >= 0.8, drawn >= tracked).

    DISPLAY=:99 python tools/bench_window.py --video ../shared/media/dance.avi --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PIPELINE = {"realtime": True, "segmentation": True, "max_people": 2}


def clip_seconds(video: Path) -> float:
    """Length of ``video`` at its real pace (frames / fps)."""
    import cv2

    cap = cv2.VideoCapture(str(video))
    try:
        n, fps = cap.get(cv2.CAP_PROP_FRAME_COUNT), cap.get(cv2.CAP_PROP_FPS)
    finally:
        cap.release()
    if not n or not fps:
        raise SystemExit(f"{video}: cannot read its frame count and rate")
    return float(n) / float(fps)


def headless_round(video: Path) -> dict[str, Any]:
    """Results/s delivered by live tracking of ``video`` with nothing drawn."""
    from arpose.pipeline import track

    n = 0
    with track(str(video), **PIPELINE) as pipeline:
        first = pipeline.latest(timeout=30.0)
        t0 = time.monotonic()
        n = 1 if first is not None else 0
        while not pipeline.finished:
            if pipeline.latest(timeout=0.1) is not None:
                n += 1
        seconds = time.monotonic() - t0
    clip = clip_seconds(video)
    return {"mode": "headless", "tracked": n, "seconds": seconds, "tracked_per_s": n / clip}


def window_round(video: Path, effect: str) -> dict[str, Any]:
    """Results fed and frames drawn by the mirror in a window while ``video`` plays
    (the window loop of ``arpose mirror``: :func:`arpose.effects.mirror.run_mirror`)."""
    from arpose.effects.mirror import MIRROR_IDLE_FPS, Mirror
    from arpose.pipeline import track
    from arpose.play import PlayOptions
    from arpose.play.runner import run_window

    view = Mirror([effect], max_people=2)
    options = PlayOptions(players=2, sound=False, skeleton=False, dim=1.0)
    marks: dict[str, Any] = {}

    with track(str(video), **PIPELINE) as pipeline:
        first = pipeline.latest(timeout=30.0)
        assert first is not None, f"{video}: no frame"

        def until_end(app: Any) -> None:
            if "t0" not in marks:
                marks.update(t0=time.monotonic(), frames0=app.stats["frames"],
                             draws0=app.stats["draws"])
            if pipeline.finished:
                marks.update(t1=time.monotonic(), frames1=app.stats["frames"],
                             draws1=app.stats["draws"])
                app.quit()

        run_window(pipeline, None, options, size=(int(first.size[0]), int(first.size[1])),
                   fps=60.0, idle_fps=MIRROR_IDLE_FPS, view=view, loop=until_end,
                   first=first, title="bench_window", max_seconds=120.0)
    seconds = marks["t1"] - marks["t0"]
    tracked = marks["frames1"] - marks["frames0"] + 1  # + the first result, fed before
    drawn = marks["draws1"] - marks["draws0"]
    clip = clip_seconds(video)
    return {"mode": "window", "tracked": tracked, "drawn": drawn, "seconds": seconds,
            "tracked_per_s": tracked / clip, "drawn_per_s": drawn / clip}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", type=Path, required=True)
    ap.add_argument("--effect", default="crown")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--round", choices=("headless", "window"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.round == "headless":
        print(json.dumps(headless_round(args.video)))
        return 0
    if args.round == "window":
        print(json.dumps(window_round(args.video, args.effect)))
        return 0
    if not os.environ.get("DISPLAY"):
        print("bench_window: needs $DISPLAY (Xvfb :99 & DISPLAY=:99)", file=sys.stderr)
        return 2
    rows: list[dict[str, Any]] = []
    for i in range(args.rounds):
        for mode in ("headless", "window") if i % 2 == 0 else ("window", "headless"):
            out = subprocess.run([sys.executable, __file__, "--video", str(args.video),
                                  "--effect", args.effect, "--round", mode],
                                 capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(json.dumps(row), flush=True)

    def med(mode: str, key: str) -> float:
        vals = sorted(r[key] for r in rows if r["mode"] == mode)
        return vals[len(vals) // 2]

    summary = {"headless_tracked_per_s": med("headless", "tracked_per_s"),
               "window_tracked_per_s": med("window", "tracked_per_s"),
               "window_drawn_per_s": med("window", "drawn_per_s")}
    summary["window_vs_headless"] = summary["window_tracked_per_s"] / \
        max(summary["headless_tracked_per_s"], 1e-9)
    summary["drawn_vs_tracked"] = summary["window_drawn_per_s"] / \
        max(summary["window_tracked_per_s"], 1e-9)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
