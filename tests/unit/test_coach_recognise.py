"""Exercise recognition (``--exercise auto``), per-video analysis, tempo, the batch runner's
files (tests/integration/test_coach_analyze.py runs the real model and Ray)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from arpose import batch
from arpose.coach import RepCounter, learn
from arpose.coach import learned as L
from arpose.coach.analyze import analyze_samples, write_tables
from arpose.coach.exercises import BUILTIN
from arpose.coach.recognise import recognise
from arpose.errors import BatchError
from arpose.testing import bodies as B

REPO = Path(__file__).resolve().parents[2]
EXERCISES = list(BUILTIN.values())


def samples(motion, *, fps=30.0, noise=1.5, seed=3, jitter=0.2):
    fr = B.frames(motion, fps=fps, noise=noise, seed=seed, time_jitter=jitter)
    return [(L.main_person(pf.poses), pf.t) for pf in fr]


SMALL = B.Body(x=420, floor=640, scale=80)
SIDE = B.SideBody(x=500.0, floor=600.0, scale=80.0)
# other bodies, speeds and seeds than the templates were measured on (noise-free, default body)
CASES = {
    "squat": B.squat_motion(reps=5, period=2.6, body=SMALL),
    "jumping_jack": B.jumping_jack_motion(reps=6, period=0.9, body=SMALL),
    "arm_raise": B.arm_raise_motion(reps=5, period=1.6, body=SMALL),
    "lateral_raise": B.lateral_raise_motion(reps=5, period=1.5, body=SMALL),
    "shoulder_press": B.shoulder_press_motion(reps=5, period=1.5, body=SMALL),
    "push_up": B.pushup_motion(reps=6, period=1.2, body=SIDE.but(pose="plank")),
    "sit_up": B.situp_motion(reps=5, period=2.5, body=SIDE),
    "lunge": B.lunge_motion(reps=6, period=2.4, body=SIDE),
    "high_knees": B.high_knees_motion(reps=12, period=0.6, body=SMALL),
}


def test_every_builtin_exercise_has_a_case():
    assert set(CASES) == set(BUILTIN)


@pytest.mark.parametrize("name", sorted(CASES))
def test_auto_recognises_each_builtin_exercise(name):
    rec = recognise(samples(CASES[name]), EXERCISES)
    assert rec.exercise == name, [c.as_dict() for c in rec.candidates]
    assert 0.5 <= rec.confidence <= 1.0


def test_side_view_squats_are_squats():
    rec = recognise(samples(B.side_squat_motion(reps=5)), EXERCISES)
    assert rec.exercise == "squat" and rec.confidence > 0.8


@pytest.mark.parametrize(
    "motion",
    [
        B.still_motion(8.0),
        B.swipe_motion(),
        B.clap_motion(),
        B.lean_motion(),
        B.jump_motion(jumps=3),
        B.concat(B.squat_motion(reps=1), B.still_motion(4.0)),  # one squat is not a set
    ],
    ids=["still", "swipe", "clap", "lean", "jumps", "one-squat"],
)
def test_something_else_reads_unknown(motion):
    rec = recognise(samples(motion), EXERCISES)
    assert rec.exercise == "unknown" and rec.confidence == 0.0


def test_nobody_reads_unknown():
    rec = recognise([(None, i / 30) for i in range(120)], EXERCISES)
    assert rec.exercise == "unknown"


def test_a_learned_exercise_is_recognised_among_the_builtins():
    """Side bends (lean left and back, repeated) are no built-in: taught, auto finds them."""
    bend = B.concat(*(B.lean_motion("left", angle=30, hold=0.4, rest=0.6) for _ in range(5)))
    doc = learn(samples(bend, seed=1), "side_bend")
    ex = L.parse(doc, "<learned>")
    other = B.concat(*(B.lean_motion("left", angle=28, hold=0.5, rest=0.7) for _ in range(4)))
    rec = recognise(samples(other, seed=8), [*EXERCISES, ex])
    assert rec.exercise == "side_bend", [c.as_dict() for c in rec.candidates]
    assert recognise(samples(other, seed=8), EXERCISES).exercise == "unknown"


def test_templates_are_up_to_date():
    spec = importlib.util.spec_from_file_location("mk", REPO / "tools" / "make_exercise_templates.py")
    assert spec is not None and spec.loader is not None
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    from arpose.coach.recognise import TEMPLATES

    assert mk.templates() == TEMPLATES


def test_tempo_follows_the_movement():
    """Synthetic squats of a known shape: 2.4 s per rep, deepest at mid-rep. The squat's
    progress is 1 from ~95 degrees of knee bend on, so timing from it read about a third of
    the real descent; the unclipped movement times it right."""
    period = 2.4
    reps = analyze_samples(samples(B.squat_motion(reps=4, period=period), noise=0.5), "squat", EXERCISES)
    assert reps["reps"] == 4
    for r in reps["rep_list"]:
        # down: from progress 0.1 (a few percent into the cosine) to the middle of the rep
        assert period * 0.3 < r["down"] < period * 0.5, r
        assert period * 0.2 < r["up"] < period * 0.5, r  # to ``exit``: before standing tall
        assert period * 0.4 < r["t"] - r["start"] < period, r


def test_fast_jumping_jacks_count():
    """0.75 s per rep: min_rep_time 0.5 refused them all (time above ``exit`` is ~0.4 s)."""
    c = RepCounter("jumping_jack")
    for pose, t in samples(B.jumping_jack_motion(reps=12, period=0.75), fps=30):
        c.update(pose, t)
    assert c.count == 12


def _shifted(pose, dy: float):
    lm = pose.landmarks.copy()
    lm[:, 1] += dy
    return type(pose)(lm, pose.world, pose.id)


def test_standing_up_out_of_the_top_of_the_picture_is_rest():
    """What MediaPipe does when a low camera loses the head and shoulders: the pose is lost
    (or flips upside down) each time the person rises. The counter takes a body lost while
    rising at the top edge as standing; with the rest seen, squats count."""
    body = B.SideBody(x=640.0, floor=640.0, scale=130.0)
    clip = B.frames(B.side_squat_motion(reps=4, period=2.2, body=body), fps=30, noise=1.0, seed=2)

    def run(dy: float) -> int:
        c = RepCounter("squat")
        lost = 0
        for pf in clip:
            p = _shifted(pf.poses[0], dy)
            shoulders = float(min(pf.poses[0].landmarks[11, 1], pf.poses[0].landmarks[12, 1])) - 150
            gone = shoulders < 30  # the same gaps in both runs: where the top edge is at dy=-150
            lost += gone
            c.update(None if gone else p, pf.t)
        assert lost > 40
        return c.count

    assert run(-150) == 4  # the body leaves over the top edge: each rise is a rest
    assert run(0) < 4  # the same gaps with the shoulders low in the picture are no rest


def test_upside_down_poses_are_no_reading():
    pose = B.make_pose(B.Body())
    flipped = type(pose)(pose.landmarks.copy(), pose.world, pose.id)
    flipped.landmarks[:, 1] = 720 - flipped.landmarks[:, 1]
    c = RepCounter("squat")
    c.update(flipped, 0.0)
    assert c.status == "missing"


# -- files -----------------------------------------------------------------------------


def test_tables_and_picture(tmp_path):
    rows = []
    for k, motion in enumerate([CASES["squat"], CASES["sit_up"]]):
        row = {"version": 1, "video": f"v{k}.mp4", "path": f"/x/v{k}.mp4", "frames": 10, "seconds": 1.0}
        row.update(analyze_samples(samples(motion), "auto", EXERCISES))
        row["error"] = None
        rows.append(row)
    rows.append({"video": "bad.mp4", "path": "bad.mp4", "exercise": None, "reps": 0, "good_reps": 0,
                 "rep_list": [], "error": "bad.mp4: cannot open"})  # fmt: skip
    write_tables(rows, tmp_path)
    lines = (tmp_path / "analysis.jsonl").read_text().splitlines()
    assert [json.loads(x)["exercise"] for x in lines] == ["squat", "sit_up", None]
    csv_lines = (tmp_path / "analysis.csv").read_text().splitlines()
    assert csv_lines[0].startswith("video,path,exercise,confidence,reps,good_reps")
    assert csv_lines[1].split(",")[2:5] == ["squat", "1.0", "5"]
    reps = (tmp_path / "reps.csv").read_text().splitlines()
    assert len(reps) == 1 + 5 + 5
    png = (tmp_path / "summary.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    write_tables(rows, tmp_path)  # deterministic: the same bytes again
    assert (tmp_path / "summary.png").read_bytes() == png


def test_manifest_round_trip_and_bad_files(tmp_path):
    m: batch.Manifest = batch.Manifest(tmp_path, ".m.json")
    m.set("a", {"k": 1})
    assert batch.Manifest(tmp_path, ".m.json").get("a") == {"k": 1}
    m.forget(["a"])
    assert batch.Manifest(tmp_path, ".m.json").get("a") is None
    (tmp_path / ".m.json").write_text("{not json")
    assert batch.Manifest(tmp_path, ".m.json").entries == {}
    assert not list(tmp_path.glob(".*.partial"))


def test_batch_refuses_duplicate_outputs_and_zero_workers():
    jobs = [batch.Job("a", 1), batch.Job("a", 2)]
    with pytest.raises(BatchError, match="same output 'a'"):
        list(batch.run(print, jobs))
    with pytest.raises(BatchError, match="workers=0"):
        list(batch.run(print, [batch.Job("a", 1)], workers=0))
    assert list(batch.run(print, [])) == []


def test_one_exclusive_batch_per_folder(tmp_path):
    with batch.exclusive(tmp_path, ".lock", "coach analyze"):
        with pytest.raises(BatchError, match="another arpose coach analyze"):
            with batch.exclusive(tmp_path, ".lock", "coach analyze"):
                pass
