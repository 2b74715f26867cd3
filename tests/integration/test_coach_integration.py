"""Repetition counting on a real clip through the real model (the rest is in tests/unit/test_coach.py)."""

from __future__ import annotations

import pytest

from arpose.coach import RepCounter, learn
from arpose.coach import learned as L

# -- a real dev clip (the regression figures for all clips are in tools/eval_reps.py) -------


@pytest.mark.slow
def test_real_barbell_squats_and_a_counter_learned_from_them(media):
    """squat_barbell_5.mp4: 202x360, the plate hides the head; labelled 5 reps by eye."""
    clip = media / "exercise" / "squat_barbell_5.mp4"
    if not clip.is_file():
        pytest.skip(f"{clip} not found")
    from arpose.tracking.pipeline import track

    with track(str(clip), max_people=1, keep_images=False) as pipeline:
        samples = [(L.main_person(pf.poses), pf.t) for pf in pipeline]
    counter = RepCounter("squat")
    for pose, t in samples:
        counter.update(pose, t)
    assert abs(counter.count - 5) <= 1
    # taught by demonstration from the first two reps, then counting the whole clip
    doc = learn([s for s in samples if s[1] <= samples[0][1] + 6.0], "barbell")
    ex = L.parse(doc, "<learned>")
    learned = RepCounter(ex)
    for pose, t in samples:
        learned.update(pose, t)
    assert abs(learned.count - 5) <= 1
