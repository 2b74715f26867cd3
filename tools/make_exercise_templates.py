"""Print the movement vector of every built-in exercise, measured on synthetic people
(arpose.testing.bodies), for :data:`arpose.coach.recognise.TEMPLATES`.

    python tools/make_exercise_templates.py          # prints the dict to paste
    python tools/make_exercise_templates.py --check  # exit 1 when the module's copy differs
"""

from __future__ import annotations

import sys

from arpose.coach.exercises import BUILTIN, Joints
from arpose.coach.recognise import FEATURE_NAMES, TEMPLATES, read_as
from arpose.testing import bodies as B

MOTIONS = {
    "squat": (B.squat_motion(reps=4), B.side_squat_motion(reps=4)),
    "jumping_jack": (B.jumping_jack_motion(reps=4),),
    "arm_raise": (B.arm_raise_motion(reps=4),),
    "lateral_raise": (B.lateral_raise_motion(reps=4),),
    "shoulder_press": (B.shoulder_press_motion(reps=4),),
    "push_up": (B.pushup_motion(reps=4),),
    "sit_up": (B.situp_motion(reps=4),),
    "lunge": (B.lunge_motion(reps=4),),
    "high_knees": (B.high_knees_motion(reps=8),),
}
"""The motions (one per view) each exercise's templates are measured on (noise-free)."""


def templates() -> dict[str, tuple[tuple[float, ...], ...]]:
    out = {}
    for name, motions in MOTIONS.items():
        views = []
        for motion in motions:
            fr = B.frames(motion, fps=30, noise=0.0)
            joints = [Joints(pf.poses[0]) if pf.poses else None for pf in fr]
            c = read_as(BUILTIN[name], joints, [pf.t for pf in fr])
            assert len(c.vector) == len(FEATURE_NAMES), name
            views.append(tuple(round(0.0 if abs(v) < 0.02 else v, 4) for v in c.vector))
        out[name] = tuple(views)
    return dict(sorted(out.items()))


def main() -> int:
    t = templates()
    if "--check" in sys.argv:
        same = t == TEMPLATES
        print("TEMPLATES are up to date" if same else "TEMPLATES differ: rerun and paste")
        return 0 if same else 1
    for k, v in t.items():
        print(f"    {k!r}: {v},".replace("'", '"'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
