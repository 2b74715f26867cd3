"""How well ``--exercise auto`` recognises exercises: synthetic people doing every built-in
exercise (other bodies, speeds, noise and seeds than the templates were made with), movements
that are no exercise (must read "unknown"), and the shared real clips.

    python tools/eval_recognition.py                  # synthetic only (seconds)
    python tools/eval_recognition.py --clips /tmp/reps  # plus the shared clips (tracked once,
                                                        # cached as .arpose there)

Prints one line per sequence and a confusion summary; exit 1 on any wrong answer.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from arpose.coach.exercises import BUILTIN
from arpose.coach.learned import main_person
from arpose.coach.recognise import recognise
from arpose.testing import bodies as B

REPO = Path(__file__).resolve().parents[1]
MEDIA = REPO.parent / "shared" / "media" / "exercise"


def synthetic() -> list[tuple[str, str, list]]:
    """(label, expected, samples): every exercise at two speeds and noise levels, plus
    non-exercises."""
    small = B.Body(x=420, floor=640, scale=80)
    side = B.SideBody(x=500.0, floor=600.0, scale=80.0)
    cases = {
        "squat": [
            B.squat_motion(reps=5, period=2.6, body=small),
            B.squat_motion(reps=6, period=1.4, depth=0.9),
        ],
        "jumping_jack": [
            B.jumping_jack_motion(reps=6, period=0.9, body=small),
            B.jumping_jack_motion(reps=5),
        ],
        "arm_raise": [
            B.arm_raise_motion(reps=5, period=1.6, body=small),
            B.arm_raise_motion(reps=4, top=165),
        ],
        "lateral_raise": [
            B.lateral_raise_motion(reps=5, period=1.5, body=small),
            B.lateral_raise_motion(top=95),
        ],
        "shoulder_press": [
            B.shoulder_press_motion(reps=5, period=1.5, body=small),
            B.shoulder_press_motion(),
        ],
        "push_up": [
            B.pushup_motion(reps=6, period=1.2, body=side.but(pose="plank")),
            B.pushup_motion(bottom=95),
        ],
        "sit_up": [B.situp_motion(reps=5, period=2.5, body=side), B.situp_motion(top=65)],
        "lunge": [B.lunge_motion(reps=6, period=2.4, body=side), B.lunge_motion(depth=0.9)],
        "high_knees": [B.high_knees_motion(reps=12, period=0.6, body=small), B.high_knees_motion(lift=80)],
        "unknown": [
            B.still_motion(8.0),
            B.swipe_motion() if hasattr(B, "swipe_motion") else B.still_motion(3.0),
            B.clap_motion() if hasattr(B, "clap_motion") else B.still_motion(3.0),
            B.lean_motion() if hasattr(B, "lean_motion") else B.still_motion(3.0),
            B.jump_motion() if hasattr(B, "jump_motion") else B.still_motion(3.0),
            B.side_squat_motion(reps=0),
        ],
    }
    out = []
    for k, (expected, motions) in enumerate(cases.items()):
        for i, m in enumerate(motions):
            fr = B.frames(
                m, fps=(30, 24)[i % 2], noise=(1.0, 2.5)[i % 2], seed=10 + k * 7 + i, time_jitter=0.2
            )
            out.append((f"synthetic {expected} #{i}", expected, [(main_person(pf.poses), pf.t) for pf in fr]))
    # side-view squats (a view the squat template was not made from)
    fr = B.frames(B.side_squat_motion(reps=5), fps=30, noise=1.5, seed=99)
    out.append(("synthetic squat (side view)", "squat", [(main_person(pf.poses), pf.t) for pf in fr]))
    return out


def clips(cache: Path, media: Path = MEDIA) -> list[tuple[str, str, list]]:
    sys.path.insert(0, str(REPO / "tools"))
    from eval_reps import frames_of  # noqa: PLC0415 - the same cached tracking as eval_reps

    labels = json.loads((media / "labels.json").read_text())
    out = []
    for d in labels:
        fr = frames_of(media / d["file"], cache)
        expected = BUILTIN[d["exercise"].replace("-", "_")].name if d.get("exercise") else "unknown"
        out.append((d["file"], expected, [(main_person(pf.poses), pf.t) for pf in fr]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=Path, metavar="CACHE", help="also the shared clips (cache folder)")
    ap.add_argument("--media", type=Path, default=MEDIA, help="folder with labels.json")
    args = ap.parse_args(argv)
    seqs = synthetic() + (clips(args.clips, args.media) if args.clips else [])
    exercises = list(BUILTIN.values())
    wrong = 0
    for label, expected, samples in seqs:
        r = recognise(samples, exercises)
        ok = r.exercise == expected
        wrong += not ok
        top = sorted(r.candidates, key=lambda c: -c.match)[:3]
        print(
            f"{'ok ' if ok else 'BAD'} {label:<34} -> {r.exercise:<15} conf {r.confidence:.2f}   "
            + "  ".join(f"{c.name}:{c.match:.2f}/{c.reps}" for c in top)
        )
    print(f"{len(seqs) - wrong} of {len(seqs)} right")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
