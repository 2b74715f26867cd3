"""BVH export of a folder (worker processes, resume) and from the command line."""

from __future__ import annotations

import subprocess
import sys

from arpose.bvh import read_bvh
from arpose.export import export_folder
from arpose.pose import PoseFrame
from arpose.record import Recorder
from arpose.testing.bodies import Body, frames, jumping_jack_motion, squat_motion, together


def _take(path, motion, n=40):
    with Recorder(path, fps=30.0, source="synthetic") as rec:
        for pf in frames(motion, fps=30)[:n]:
            assert rec.write(PoseFrame(pf.t, pf.index, pf.size, pf.poses), pf.poses)
    return path


def test_folder_export_writes_one_file_per_person_and_resumes(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    _take(src / "squat.arpose", squat_motion())
    two = together(jumping_jack_motion(body=Body(id=0, x=400)), squat_motion(body=Body(id=3, x=900)))
    _take(src / "two.arpose", two)
    out = tmp_path / "out"
    results = export_folder(src, "bvh", out, workers=1, progress=False)
    assert all(r.error is None and not r.skipped for r in results), [r.error for r in results]
    assert sorted(p.name for p in out.glob("*.bvh")) == [
        "squat_person0.bvh",
        "two_person0.bvh",
        "two_person3.bvh",
    ]
    assert all(read_bvh(p).motion.shape[0] == 40 for p in out.glob("*.bvh"))
    again = export_folder(src, "bvh", out, workers=1, progress=False)
    assert all(r.skipped for r in again)
    (out / "two_person3.bvh").unlink()  # an output gone: that input is exported again
    third = {r.input.name: r for r in export_folder(src, "bvh", out, workers=1, progress=False)}
    assert third["squat.arpose"].skipped and not third["two.arpose"].skipped
    assert (out / "two_person3.bvh").exists()


def test_cli_bvh_export_names_its_files(tmp_path):
    take = _take(tmp_path / "take.arpose", squat_motion())
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "arpose",
            "export",
            str(take),
            "--format",
            "bvh",
            "--person",
            "0",
            "-o",
            str(tmp_path / "me.bvh"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "me.bvh" in res.stderr and (tmp_path / "me.bvh").exists()
