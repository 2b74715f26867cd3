"""Rep counts on the real dev clips against the counts made by eye (regression figures).

For every clip in ``labels.json`` with an exercise it prints the label, the built-in
counter's count (fed the biggest person of each frame), the count of a headless
``workout`` game on the same frames (player slots, presence and waits included: what a user
gets), and optionally a counter learned by demonstration (``--learn CLIP:SECONDS`` learns
the clip's exercise from its first SECONDS and counts every clip of that exercise).

    python tools/eval_reps.py                       # tracks the clips (slow: minutes)
    python tools/eval_reps.py --cache /tmp/reps     # keeps .arpose recordings there
    python tools/eval_reps.py --cache /tmp/reps --learn squat_barbell_5:7 --json out.json

Exit code 1 when a count is more than one rep away from its label.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MEDIA = REPO.parent / "shared" / "media" / "exercise"


def frames_of(clip: Path, cache: Path | None) -> list:
    """PoseFrames of a clip (tracked once, then read from the cached recording)."""
    from arpose.record import Recorder
    from arpose.tracking.pipeline import track

    rec = cache / f"{clip.stem}.arpose" if cache else None
    if rec is None or not rec.exists():
        with track(str(clip), max_people=2, keep_images=False) as pipeline:
            out = list(pipeline)
        if rec is not None:
            cache.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
            with Recorder(rec) as r:
                for pf in out:
                    r.write(pf)
        return out
    # "?fast": replay without real-time pacing (a real-time replay drops frames when the
    # machine is busy, and the figures would vary from run to run)
    with track(f"{rec}?fast", max_people=2, keep_images=False) as pipeline:
        return list(pipeline)


def count(frames: list, exercise) -> tuple[int, int, list]:
    from arpose.coach import RepCounter
    from arpose.coach.learned import main_person

    c = RepCounter(exercise)
    for pf in frames:
        c.update(main_person(pf.poses), pf.t)
    return c.count, c.good_count, c.reps


def game_count(frames: list, exercise: str) -> tuple[int, int]:
    from arpose.play import PlayOptions, run_headless

    opts = PlayOptions(exercise=exercise, sound=False, duration=10_000.0)
    report = run_headless("workout", frames, opts, size=(640, 360))
    waits = sum(1 for e in report["events"] if e.get("kind") == "wait")
    return int(report["reps"]), waits


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--media", type=Path, default=MEDIA, help="folder with labels.json")
    ap.add_argument("--cache", type=Path, help="keep/read tracked recordings here")
    ap.add_argument(
        "--learn",
        metavar="CLIP:SECONDS",
        help="also learn the clip's exercise from its first SECONDS and count with it",
    )
    ap.add_argument("--no-game", action="store_true", help="skip the headless workout game")
    ap.add_argument("--json", type=Path, help="write the figures as JSON")
    args = ap.parse_args(argv)
    labels = json.loads((args.media / "labels.json").read_text())
    clips = [d for d in labels if d.get("exercise")]
    data = {d["file"]: frames_of(args.media / d["file"], args.cache) for d in clips}
    learned = None
    if args.learn:
        from arpose.coach import learned as L

        name, _, secs = args.learn.partition(":")
        demo = next(d for d in clips if Path(d["file"]).stem == name)
        fr = data[demo["file"]]
        t_end = fr[0].t + float(secs or 8)
        doc = L.learn(
            [(L.main_person(pf.poses), pf.t) for pf in fr if pf.t <= t_end],
            f"learned_{name}",
            source=demo["file"],
        )
        learned = (demo["exercise"], L.parse(doc, "<learned>"), doc)
        print(
            f"learned from {demo['file']} first {secs} s: features {doc['features']}, "
            f"{doc['learned_from']['reps_seen']} reps seen"
        )
    rows, ok = [], True
    print(f"{'clip':<24}{'label':>6}{'counter':>9}{'good':>6}{'game':>6}{'waits':>6}{'learned':>9}  ranges")
    for d in clips:
        t0 = time.perf_counter()
        fr = data[d["file"]]
        n, good, reps = count(fr, d["exercise"])
        g, waits = (None, None) if args.no_game else game_count(fr, d["exercise"])
        ln = None
        if learned is not None and learned[0] == d["exercise"]:
            ln = count(fr, learned[1])[0]
        figures = [v for v in (n, g, ln) if v is not None]
        within = all(abs(v - d["reps"]) <= 1 for v in figures)
        ok &= within
        row = {
            "clip": d["file"],
            "label": d["reps"],
            "counter": n,
            "good": good,
            "game": g,
            "waits": waits,
            "learned": ln,
            "within_one": within,
            "ranges": [round(r.range, 2) for r in reps],
            "seconds": round(time.perf_counter() - t0, 2),
        }
        rows.append(row)
        print(
            f"{d['file']:<24}{d['reps']:>6}{n:>9}{good:>6}{'-' if g is None else g:>6}"
            f"{'-' if waits is None else waits:>6}{'-' if ln is None else ln:>9}  "
            f"{row['ranges']}"
        )
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "learned": learned[2] if learned else None}, indent=1))
    print("all within one rep of the label" if ok else "SOME COUNTS ARE OFF BY MORE THAN ONE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
