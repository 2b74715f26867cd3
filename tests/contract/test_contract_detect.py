"""`arpose detect --json` (the JSON contract) validated against pose-frame.schema.json."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from contract_schemas import errors

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _detect(*args: str) -> str:
    """Run the installed `arpose detect` as a user does; its stdout."""
    proc = subprocess.run(
        [sys.executable, "-m", "arpose", "detect", *args], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def astronaut_file(tmp_path_factory) -> Path:
    """skimage's astronaut photo (public domain; one person, upper body) as a PNG."""
    import cv2
    from skimage import data

    path = tmp_path_factory.mktemp("contract") / "astronaut.png"
    cv2.imwrite(str(path), cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    return path


@pytest.fixture(scope="module")
def photo_json(astronaut_file: Path) -> dict:
    """One object: a single image, hands on, so both the body and the hand shapes appear."""
    return json.loads(_detect(str(astronaut_file), "--json", "--hands"))


def test_detect_json_of_a_photo_matches_the_schema(photo_json):
    assert errors("pose-frame", photo_json) == []
    assert len(photo_json["people"]) >= 1, "the astronaut is found (else the test proves little)"
    assert "frame" not in photo_json and "t" not in photo_json  # a single image has no timeline
    assert "hands" in photo_json


def test_detect_json_lines_of_a_folder_match_the_schema(astronaut_file, tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    for name in ("a.png", "b.png"):
        shutil.copy(astronaut_file, folder / name)
    lines = _detect(str(folder), "--json", "--max-people", "1").splitlines()
    frames = [json.loads(line) for line in lines]
    assert [f["frame"] for f in frames] == [0, 1]
    for f in frames:
        assert errors("pose-frame", f) == []
        assert "hands" not in f  # absent without --hands: the body contract is unchanged


def test_the_schema_rejects_broken_detect_output(photo_json):
    """The schema is not vacuous: each change to real output that would break a reader fails."""
    broken = []
    a = copy.deepcopy(photo_json)
    a["people"][0]["landmarks"].pop()  # 32 landmarks
    broken.append(a)
    b = copy.deepcopy(photo_json)
    b["people"][0]["landmarks"][0][3] = 1.5  # visibility out of 0..1
    broken.append(b)
    c = copy.deepcopy(photo_json)
    c["people"][0]["pose"] = c["people"][0].pop("landmarks")  # a renamed key
    broken.append(c)
    d = copy.deepcopy(photo_json)
    d["width"] = str(d["width"])  # a number, not text
    broken.append(d)
    e = copy.deepcopy(photo_json)
    e["hands"] = [
        {
            "id": 0,
            "person": None,
            "side": "up",
            "score": 0.5,
            "landmarks": np.zeros((21, 4)).tolist(),
            "world": None,
        }
    ]
    broken.append(e)
    for obj in broken:
        assert errors("pose-frame", obj), obj.keys()
