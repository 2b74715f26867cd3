"""`arpose bench --section bvh`: BVH export against CSV export in one run, on the sample clip."""

from __future__ import annotations

from arpose import bench


def test_bvh_section_reports_the_ratios(tmp_path):
    video = bench.make_sample_video(tmp_path / "sample.mp4", frames=24)
    r = bench.run(video, sections=["bvh"], options={"rounds": 1, "end_to_end_rounds": 0})["bvh"]
    assert r["frames"] == 24 and r["person_frames"] >= 20
    # the BVH writer solves the rig, so it costs more than the CSV writer; tracking dominates
    assert r["bvh_writer_ms_per_frame"] > r["csv_writer_ms_per_frame"] > 0
    assert 1.0 < r["video_ratio"] < r["recording_ratio"]
    assert r["target_video_ratio"] == 1.10
