"""`arpose bench --section effects`: render vs. detect on the same clip, real model and
real GL (a short clip of the built-in portrait; the numbers themselves are benchmarks,
never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from arpose.bench import make_sample_video


def test_bench_effects_section_reports_both_loops(tmp_path):
    video = make_sample_video(tmp_path / "clip.avi", frames=24)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "arpose",
            "bench",
            "--section",
            "effects",
            "--source",
            str(video),
            "--rounds",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)["effects"]
    assert result["effect"] == "top-hat" and result["rounds"] == 1
    assert result["frames"] == 24
    assert result["detect_fps_median"] > 0 and result["render_fps_median"] > 0
    ratio = result["render_fps_median"] / result["detect_fps_median"]
    assert abs(result["render_vs_detect"] - ratio) < 0.01
