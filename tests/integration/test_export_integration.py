"""Exports that start worker processes or run the real model on the shared video (the
rest is in tests/unit/test_export.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from record_helpers import make_frames

from arpose.export import (
    OPENPOSE_VERSION,
    export,
    export_folder,
)
from arpose.record import Recorder

MEDIA = Path(__file__).resolve().parents[3] / "shared" / "media"


def test_folder_export_runs_in_processes_and_resumes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(3):
        with Recorder(folder / f"take{k}.arpose") as rec:
            for pf, raw in make_frames(4 + k, seed=k):
                rec.write(pf, raw)
    (folder / "broken.arpose").write_bytes(b"not a recording")
    (folder / "notes.txt").write_text("ignored")
    out = tmp_path / "out"
    results = export_folder(folder, "openpose", out, workers=2, progress=False)
    by_name = {r.input.name: r for r in results}
    assert set(by_name) == {"broken.arpose", "take0.arpose", "take1.arpose", "take2.arpose"}
    assert "not an arpose recording" in by_name["broken.arpose"].error
    for k in range(3):
        r = by_name[f"take{k}.arpose"]
        assert r.error is None and not r.skipped and r.frames == 4 + k
        assert len(list((out / f"take{k}").glob("*_keypoints.json"))) == 4 + k
    assert not list(out.glob(".*partial"))
    # Second run: everything complete is skipped; the broken one is tried again.
    again = {r.input.name: r for r in export_folder(folder, "openpose", out, progress=False)}
    assert all(again[f"take{k}.arpose"].skipped for k in range(3))
    assert again["broken.arpose"].error


@pytest.mark.slow
def test_openpose_export_of_dance_video_validates(tmp_path):
    video = MEDIA / "dance.avi"
    if not video.exists():
        pytest.skip(f"{video} not present (shared media beside the repo)")
    out = tmp_path / "dance"
    res = export(video, "openpose", out)
    files = sorted(out.glob("dance_*_keypoints.json"))
    assert res.frames == len(files) == 205
    assert files[0].name == "dance_000000000000_keypoints.json"
    assert files[-1].name == "dance_000000000204_keypoints.json"
    people_total = 0
    for f in files:
        obj = json.loads(f.read_text())
        assert set(obj) == {"version", "people"} and obj["version"] == OPENPOSE_VERSION
        for person in obj["people"]:
            kp = person["pose_keypoints_2d"]
            assert len(kp) == 75 and all(isinstance(v, (int, float)) for v in kp)
            a = np.asarray(kp).reshape(25, 3)
            assert np.all((a[:, 2] >= 0) & (a[:, 2] <= 1))
            assert a[:, 2].max() > 0.5  # a real detection, not zeros
            people_total += 1
    assert people_total >= 150  # a dancer is in (nearly) every frame


def test_cli_export_file_and_folder(take, tmp_path, capsys):
    from arpose.cli import main

    path, frames = take
    assert main(["export", str(path), "--format", "coco", "--output", str(tmp_path / "c.json")]) == 0
    assert len(json.loads((tmp_path / "c.json").read_text())) == sum(len(f.poses) for f in frames)
    assert (
        main(["export", str(tmp_path), "-f", "csv", "-o", str(tmp_path / "csvs"), "--workers", "1", "-q"])
        == 0
    )
    assert (tmp_path / "csvs" / "take.csv").exists()
    assert "exported 1 file(s)" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "nothing.arpose"), "-f", "csv"]) == 1
    assert "no such file" in capsys.readouterr().err
