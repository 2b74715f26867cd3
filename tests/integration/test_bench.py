"""The `arpose.bench` package: sections are registered by the library itself (usable from
Python without the CLI), the video is chosen explicitly, and bad names fail clearly."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from arpose import bench
from arpose.errors import ArposeError


def test_every_section_is_registered_without_the_cli():
    # a fresh interpreter that never imports arpose.cli
    code = (
        "import sys, arpose.bench as b; "
        "assert 'arpose.cli' not in sys.modules; print(' '.join(b.section_names()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [
        "tracking",
        "smoothing",
        "live",
        "render",
        "games",
        "effects",
        "hands",
        "avatar",
        "rig",
        "bvh",
        "identity",
        "signs",
    ]


def test_render_section_runs_from_python(tmp_path):
    video = bench.make_sample_video(tmp_path / "clip.avi", frames=4)
    code = (
        "import json, sys, arpose.bench as b; "
        f"r = b.run({str(video)!r}, sections=['render'], options={{'render_frames': 3}}); "
        "assert 'arpose.cli' not in sys.modules; print(json.dumps(r))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["source"] == str(video)
    assert result["render"]["frames"] == 3
    assert result["render"]["scene_ms_p50"] > 0


def test_unknown_section_names_the_choices(tmp_path):
    video = bench.make_sample_video(tmp_path / "clip.avi", frames=4)
    with pytest.raises(ArposeError, match="unknown bench section 'nope'; choose from tracking"):
        bench.run(video, sections=["nope"])


def test_default_video_is_explicit(tmp_path, monkeypatch):
    given = tmp_path / "given.avi"
    monkeypatch.setenv(bench.VIDEO_ENV, str(tmp_path / "from-env.avi"))
    assert bench.default_video(given) == given
    assert bench.default_video() == tmp_path / "from-env.avi"
    monkeypatch.delenv(bench.VIDEO_ENV)
    sample = bench.default_video()
    assert sample.name == "arpose-sample.avi" and sample.is_file()


def test_registered_section_runs(tmp_path):
    video = bench.make_sample_video(tmp_path / "clip.avi", frames=4)
    seen = []
    bench.register_section("_probe", lambda v, o: seen.append((v, o)) or {"ok": 1})
    try:
        assert bench.run(video, ["_probe"], {"x": 2}) == {"source": str(video), "_probe": {"ok": 1}}
        assert seen == [(video, {"x": 2})]
    finally:
        bench._SECTIONS.pop("_probe")


def test_extrapolation_check_reads_known_answers():
    """Constant speed, results 50 ms apart: extrapolating (cap 0.1 s) lands on the next
    result exactly, holding misses by speed * 50 ms."""
    from arpose.bench.live import extrapolation_error

    t = np.arange(20) * 0.05
    v = 200.0  # px/s, body size 100 px -> hold error 0.1 body sizes
    p = np.zeros((20, 33, 2))
    p[..., 0] = (v * t)[:, None]
    run = {"t": t, "smooth": p, "vis": np.ones((20, 33)), "size": np.full(20, 100.0)}
    err = extrapolation_error(run)
    assert err["extrapolation_error_body"] == pytest.approx(0.0, abs=1e-9)
    assert err["hold_error_body"] == pytest.approx(0.1)
    # the same 10 px steps 200 ms apart: the 0.1 s cap covers half of each step
    err = extrapolation_error(dict(run, t=t * 4))
    assert err["extrapolation_error_body"] == pytest.approx(0.05)
    assert err["hold_error_body"] == pytest.approx(0.1)
