"""`arpose detect`, `arpose joints` and the default command, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import pytest

from arpose.cli import main


def arpose(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
    env.pop("DISPLAY", None)
    # From another folder, so the installed package is what runs (not the checkout).
    return subprocess.run(
        [sys.executable, "-m", "arpose", *args],
        capture_output=True,
        text=True,
        cwd=cwd or tempfile.gettempdir(),
        env=env,
        timeout=300,
    )


def test_detect_image_prints_the_json_contract(astronaut_png):
    res = arpose("detect", "--json", str(astronaut_png))
    assert res.returncode == 0, res.stderr
    obj = json.loads(res.stdout)
    assert (obj["width"], obj["height"]) == (512, 512)
    assert set(obj) == {"width", "height", "people"}
    person = obj["people"][0]
    assert set(person) == {"id", "landmarks", "world"}
    assert len(person["landmarks"]) == 33 and len(person["world"]) == 33
    x, y, z, vis = person["landmarks"][0]  # nose, in pixels of the source image
    assert 195 < x < 250 and 100 < y < 160 and vis > 0.9
    assert res.stderr == ""  # MediaPipe's native start-up chatter is hidden


def test_detect_video_prints_json_lines(tmp_path, astronaut):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (512, 512))
    for _ in range(5):
        writer.write(cv2.cvtColor(astronaut, cv2.COLOR_RGB2BGR))
    writer.release()
    res = arpose("detect", "--json", "--max-people", "1", str(path))
    assert res.returncode == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["frame"] for o in lines] == list(range(5))
    assert lines[1]["t"] == pytest.approx(0.1)
    assert all(len(o["people"]) == 1 for o in lines)


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("missing.jpg", None, "missing.jpg: no such file"),
        ("empty.jpg", b"", "empty.jpg: file is empty"),
        ("bad.png", b"\x89PNG garbage", "bad.png: cannot decode"),
        ("bad.avi", b"RIFF nonsense" * 10, "bad.avi: cannot open video"),
        ("", None, "folder holds no images"),
    ],
)
def test_bad_input_gives_one_line_errors(tmp_path, capsys, name, content, expected):
    target = tmp_path / name
    if content is not None:
        target.write_bytes(content)
    code = main(["detect", str(target)])
    err = capsys.readouterr().err
    assert code == 1
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err


def test_tiny_and_huge_images(tmp_path, capsys):
    tiny = tmp_path / "tiny.png"
    cv2.imwrite(str(tiny), np.zeros((1, 1, 3), np.uint8))
    assert main(["detect", str(tiny)]) == 1
    assert "1x1 pixels, too small" in capsys.readouterr().err
    huge = tmp_path / "huge.png"
    cv2.imwrite(str(huge), np.zeros((10001, 10001), np.uint8))
    assert main(["detect", str(huge)]) == 1
    assert "10001x10001" in capsys.readouterr().err


def test_no_person_is_reported(tmp_path, capsys):
    blank = tmp_path / "blank.jpg"
    cv2.imwrite(str(blank), np.full((240, 320, 3), 90, np.uint8))
    assert main(["detect", "--json", str(blank)]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["people"] == []
    assert "no person found in" in err and "blank.jpg" in err


def test_corrupt_model_is_a_one_line_error(tmp_path, capsys, astronaut_png):
    bad = tmp_path / "pose_landmarker_full.task"
    bad.write_bytes(b"PK\x03\x04 broken")
    assert main(["detect", "--model", str(bad), str(astronaut_png)]) == 1
    err = capsys.readouterr().err
    assert "pose_landmarker_full.task" in err and err.count("\n") == 1


def test_debug_shows_the_traceback(tmp_path):
    res = arpose("--debug", "detect", str(tmp_path / "nope.png"))
    assert res.returncode != 0 and "Traceback" in res.stderr and "SourceError" in res.stderr


def test_joints_lists_vocabulary(capsys):
    assert main(["joints"]) == 0
    out = capsys.readouterr().out
    assert "left_wrist" in out and "head_top" in out and "LBigToe" in out
    assert main(["joints", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["landmarks"]) == 33 and len(data["body25"]) == 25


def test_default_command_falls_back_to_the_sample_photo(tmp_path):
    res = arpose(cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "no camera or no display" in res.stdout
    out = tmp_path / "arpose-demo.png"
    image = cv2.imread(str(out))
    assert image is not None and image.shape[:2] == (600, 512)


@pytest.mark.parametrize(
    "command", [["detect"], ["render", "--effect", "top-hat", "--output", "out.png", "--source"]]
)
def test_max_people_must_be_positive(capsys, astronaut_png, command):
    args = [command[0], "--max-people", "0", *command[1:], str(astronaut_png)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err == "arpose: error: --max-people 0: must be at least 1\n"
