"""Does the mirror window starve tracking? Window vs headless live tracking, one run.

Each round plays the clip looped at its real pace through the same pipeline as
``arpose mirror`` (``track(video + "?loop", realtime=True, segmentation=True,
max_people=2)``) and, after a warm-up (opening the window, compiling shaders, loading the
effect), counts for a fixed time:

- ``headless``: nobody draws; the results the pipeline delivers;
- ``window``: the mirror (``-e EFFECT``) in a real window (needs ``$DISPLAY``, e.g.
  ``Xvfb :99 &`` and ``DISPLAY=:99``): the results it feeds and the frames it draws;
- ``baseline`` (with ``--baseline SRC``): the same window round with an older arpose.

Rounds alternate in fresh processes because the machine may be shared; the ratio of the
medians is the figure (issue 11: window/headless >= 0.8, drawn >= tracked).

    DISPLAY=:99 python tools/bench_window.py --video ../shared/media/dance.avi --rounds 3
    # before/after: git archive OLD | tar -x -C /tmp/old; add --baseline /tmp/old
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


def headless_round(video: Path, warmup: float, seconds: float) -> dict[str, Any]:
    """Results/s delivered by live tracking of ``video`` (looped) with nothing drawn."""
    from arpose.tracking.pipeline import track

    with track(f"{video}?loop", **PIPELINE) as pipeline:
        assert pipeline.latest(timeout=30.0) is not None, f"{video}: no frame"
        start = time.monotonic()
        while time.monotonic() - start < warmup:
            pipeline.latest(timeout=0.1)
        n, t0 = 0, time.monotonic()
        while time.monotonic() - t0 < seconds:
            if pipeline.latest(timeout=0.1) is not None:
                n += 1
        elapsed = time.monotonic() - t0
    return {"mode": "headless", "tracked": n, "seconds": elapsed, "tracked_per_s": n / elapsed}


def window_round(video: Path, effect: str, warmup: float, seconds: float) -> dict[str, Any]:
    """Results fed and frames drawn by the mirror in a window while ``video`` (looped)
    plays (the window loop of ``arpose mirror``: :func:`arpose.apps.mirror.run_mirror`),
    counted after ``warmup`` seconds (opening the window, compiling shaders, loading the
    effect) for ``seconds``."""
    try:
        from arpose.apps import mirror
    except ImportError:  # an arpose before 0.2.0, measured as a baseline
        from arpose.effects import mirror  # type: ignore[no-redef]
    from arpose.play import PlayOptions
    from arpose.play.runner import run_window
    from arpose.tracking.pipeline import track

    view = mirror.Mirror([effect], max_people=2)
    options = PlayOptions(players=2, sound=False, skeleton=False, dim=1.0)
    marks: dict[str, Any] = {}

    with track(f"{video}?loop", **PIPELINE) as pipeline:
        first = pipeline.latest(timeout=30.0)
        assert first is not None, f"{video}: no frame"
        start = time.monotonic()

        def count(app: Any) -> None:
            now = time.monotonic()
            if "t0" not in marks and now - start >= warmup:
                marks.update(t0=now, frames0=app.stats["frames"], draws0=app.stats["draws"])
            elif "t0" in marks and now - marks["t0"] >= seconds:
                marks.update(t1=now, frames1=app.stats["frames"], draws1=app.stats["draws"])
                app.quit()

        # the mirror's idle rate (an older arpose, measured as a baseline, has none)
        idle = {"idle_fps": mirror.MIRROR_IDLE_FPS} if hasattr(mirror, "MIRROR_IDLE_FPS") else {}
        run_window(
            pipeline,
            None,
            options,
            size=(int(first.size[0]), int(first.size[1])),
            fps=60.0,
            view=view,
            loop=count,
            first=first,
            title="bench_window",
            max_seconds=warmup + seconds + 60.0,
            **idle,
        )
    elapsed = marks["t1"] - marks["t0"]
    tracked = marks["frames1"] - marks["frames0"]
    drawn = marks["draws1"] - marks["draws0"]
    return {
        "mode": "window",
        "tracked": tracked,
        "drawn": drawn,
        "seconds": elapsed,
        "tracked_per_s": tracked / elapsed,
        "drawn_per_s": drawn / elapsed,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", type=Path, required=True)
    ap.add_argument("--effect", default="crown")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds before counting")
    ap.add_argument("--seconds", type=float, default=8.0, help="seconds counted")
    ap.add_argument(
        "--window-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="environment of the window rounds only (e.g. LP_NUM_THREADS=1)",
    )
    ap.add_argument(
        "--baseline",
        type=Path,
        metavar="SRC",
        help="also run window rounds with the arpose package found in SRC (e.g. "
        "an unpacked `git archive` of an older commit): before/after",
    )
    ap.add_argument("--round", choices=("headless", "window"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.round == "headless":
        print(json.dumps(headless_round(args.video, args.warmup, args.seconds)))
        return 0
    if args.round == "window":
        print(json.dumps(window_round(args.video, args.effect, args.warmup, args.seconds)))
        return 0
    if not os.environ.get("DISPLAY"):
        print("bench_window: needs $DISPLAY (Xvfb :99 & DISPLAY=:99)", file=sys.stderr)
        return 2
    rows: list[dict[str, Any]] = []
    modes = ["headless", "window"] + (["baseline"] if args.baseline else [])
    for i in range(args.rounds):
        for mode in modes if i % 2 == 0 else modes[::-1]:
            env = dict(os.environ)
            if mode != "headless":
                env.update(kv.split("=", 1) for kv in args.window_env)
            if mode == "baseline":
                env["PYTHONPATH"] = str(args.baseline.resolve())
            kind = "headless" if mode == "headless" else "window"
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--video",
                    str(args.video),
                    "--effect",
                    args.effect,
                    "--warmup",
                    str(args.warmup),
                    "--seconds",
                    str(args.seconds),
                    "--round",
                    kind,
                ],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["mode"] = mode
            rows.append(row)
            print(json.dumps(row), flush=True)

    def med(mode: str, key: str) -> float:
        vals = sorted(r[key] for r in rows if r["mode"] == mode)
        return vals[len(vals) // 2]

    summary = {
        "headless_tracked_per_s": med("headless", "tracked_per_s"),
        "window_tracked_per_s": med("window", "tracked_per_s"),
        "window_drawn_per_s": med("window", "drawn_per_s"),
    }
    summary["window_vs_headless"] = summary["window_tracked_per_s"] / max(
        summary["headless_tracked_per_s"], 1e-9
    )
    summary["drawn_vs_tracked"] = summary["window_drawn_per_s"] / max(summary["window_tracked_per_s"], 1e-9)
    if args.baseline:
        summary["baseline_tracked_per_s"] = med("baseline", "tracked_per_s")
        summary["baseline_drawn_per_s"] = med("baseline", "drawn_per_s")
        summary["baseline_vs_headless"] = summary["baseline_tracked_per_s"] / max(
            summary["headless_tracked_per_s"], 1e-9
        )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
