"""arpose must work installed as a normal wheel: every package folder and every gallery
file travels with it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]


def _declared() -> tuple[list[str], dict[str, str]]:
    cfg = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    return cfg["packages"], cfg["package-dir"]


def test_every_package_folder_is_declared():
    packages, dirs = _declared()
    found = {
        "arpose." + ".".join(p.parent.relative_to(REPO / "arpose").parts)
        for p in (REPO / "arpose").rglob("__init__.py")
    }
    found = {f.rstrip(".") for f in found} | {"arpose.games", "arpose.assets"}
    assert found <= set(packages), f"add to pyproject packages: {sorted(found - set(packages))}"
    assert dirs["arpose.games"] == "games" and dirs["arpose.assets"] == "assets"


@pytest.mark.slow
def test_wheel_carries_games_assets_and_shaders(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    wheel = next(tmp_path.glob("arpose-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    repo_files = [p for p in (REPO / "assets").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    missing = [
        str(p.relative_to(REPO))
        for p in repo_files
        if "arpose/assets/" + str(p.relative_to(REPO / "assets")) not in names
    ]
    assert not missing, f"gallery files missing from the wheel: {missing}"
    games = [p.name for p in (REPO / "games").glob("*.py")]
    assert all(f"arpose/games/{g}" in names for g in games)
    shaders = [p.name for p in (REPO / "arpose" / "render" / "shaders").glob("*.glsl")]
    assert all(f"arpose/render/shaders/{s}" in names for s in shaders)
    assert "arpose/py.typed" in names
    models = [p.name for p in (REPO / "arpose" / "models").iterdir() if p.is_file()]
    assert {
        "pose_landmarker_full.task",
        "hand_landmarker_full.task",
        "manifest.json",
        "LICENSE",
        "NOTICE",
    } <= set(models)
    assert all(f"arpose/models/{m}" in names for m in models), "model files missing from the wheel"
    signs = [p.name for p in (REPO / "arpose" / "signs" / "models").iterdir() if p.is_file()]
    assert {"asl_letters.npz", "fingertip_gestures.npz", "LICENSE.asl-ai", "LICENSE.gestures"} <= set(signs)
    assert all(f"arpose/signs/models/{m}" in names for m in signs), "sign models missing from the wheel"
