"""The ``rig`` section of ``arpose bench`` on a real (short) tracked clip."""

from __future__ import annotations

import math

from arpose import bench


def test_rig_section_reports_solving_beside_tracking(tmp_path):
    video = bench.make_sample_video(tmp_path / "clip.avi", frames=6)
    r = bench.run(video, sections=["rig"], options={"rounds": 1})["rig"]
    assert r["frames"] == 6 and r["people_frames"] >= 6  # the sample photo's person, every frame
    assert 0 < r["solve_ms_per_person_p50"] < r["tracking_ms_per_frame_mean"]
    assert math.isclose(
        r["solve_vs_tracking"], r["solve_ms_per_person_p50"] / r["tracking_ms_per_frame_mean"]
    )
    assert r["within_target"] == (r["solve_ms_per_person_p50"] <= r["target_ms"] == 1.0)
