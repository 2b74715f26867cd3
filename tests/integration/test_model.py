"""The shipped models: present, verified against the manifest, clear errors when damaged,
a cache that never stops arpose, and many processes starting at once."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from arpose import model
from arpose.errors import ModelError

REPO = Path(__file__).resolve().parents[2]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def models_copy(tmp_path, monkeypatch):
    """A private copy of arpose/models that the test may damage."""
    folder = tmp_path / "models"
    shutil.copytree(model.MODELS_DIR, folder)
    monkeypatch.setattr(model, "MODELS_DIR", folder)
    monkeypatch.setattr(model, "MANIFEST", folder / "manifest.json")
    monkeypatch.setattr(model, "_verified", {})
    return folder


def test_shipped_bundles_match_the_manifest():
    manifest = json.loads(model.MANIFEST.read_text())
    assert manifest["source"] == {
        "package": "mediapipe",
        "version": "0.10.21",
        "url": "https://pypi.org/project/mediapipe/0.10.21/",
    }
    for name in (model.POSE_BUNDLE, model.HAND_BUNDLE, "LICENSE", "NOTICE"):
        entry = manifest["files"][name]
        assert _sha(model.MODELS_DIR / name) == entry["sha256"]
        assert (model.MODELS_DIR / name).stat().st_size == entry["size"]
    assert "Apache License" in (model.MODELS_DIR / "LICENSE").read_text()


def test_ensure_model_returns_the_shipped_pose_bundle():
    path = model.ensure_model()
    assert path == model.MODELS_DIR / "pose_landmarker_full.task"
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == sorted(model.BUNDLE_MEMBERS)
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
        assert z.testzip() is None


def test_ensure_hand_model_returns_the_shipped_hand_bundle():
    path = model.ensure_hand_model()
    assert path == model.MODELS_DIR / "hand_landmarker_full.task"
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == sorted(model.HAND_BUNDLE_MEMBERS)
    manifest = json.loads(model.MANIFEST.read_text())["files"][model.HAND_BUNDLE]["members"]
    assert manifest["hand_detector.tflite"]["source"].endswith("palm_detection_full.tflite")
    assert manifest["hand_landmarks_detector.tflite"]["source"].endswith("hand_landmark_full.tflite")
    # both hand models take [0, 1] input (with [-1, 1] the palm detector finds nothing)
    assert {(m["norm_mean"], m["norm_std"]) for m in manifest.values()} == {(0.0, 255.0)}


@pytest.mark.parametrize(
    "ensure, name", [(model.ensure_model, model.POSE_BUNDLE), (model.ensure_hand_model, model.HAND_BUNDLE)]
)
def test_missing_or_damaged_shipped_bundle_is_one_clear_line(models_copy, ensure, name):
    target = models_copy / name
    good = target.read_bytes()
    assert ensure() == target
    target.write_bytes(good[: len(good) // 2])  # truncated
    with pytest.raises(ModelError, match="reinstall arpose") as err:
        ensure()
    assert name in str(err.value) and "damaged" in str(err.value) and "\n" not in str(err.value)
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF  # same size, altered bytes
    target.write_bytes(bytes(flipped))
    with pytest.raises(ModelError, match="SHA-256 mismatch"):
        ensure()
    target.unlink()
    with pytest.raises(ModelError, match=f"{name}: model file missing.*reinstall arpose"):
        ensure()
    target.write_bytes(good)
    assert ensure() == target


def test_missing_manifest_is_one_clear_line(models_copy):
    (models_copy / "manifest.json").unlink()
    with pytest.raises(ModelError, match=r"manifest.json: missing; reinstall arpose"):
        model.ensure_model()
    (models_copy / "manifest.json").write_text("{not json")
    with pytest.raises(ModelError, match=r"manifest.json: unreadable or damaged"):
        model.ensure_model()


def test_given_model_must_be_a_bundle_of_the_right_kind(tmp_path):
    bogus = tmp_path / "bogus.task"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match=r"bogus\.task"):
        model.ensure_model(bogus)
    with pytest.raises(ModelError, match="no such model file"):
        model.ensure_model(tmp_path / "missing.task")
    with pytest.raises(ModelError, match=r"missing pose_detector\.tflite"):
        model.ensure_model(model.ensure_hand_model())
    with pytest.raises(ModelError, match="not a hand landmarker bundle"):
        model.ensure_hand_model(model.ensure_model())


def test_a_given_bundle_path_is_used_as_is(tmp_path):
    mine = tmp_path / "pose_landmarker_full.task"
    shutil.copyfile(model.ensure_model(), mine)
    assert model.ensure_model(mine) == mine
    hand = tmp_path / "hand_landmarker.task"
    shutil.copyfile(model.ensure_hand_model(), hand)
    assert model.ensure_hand_model(str(hand)) == hand


def test_build_tool_reproduces_the_shipped_files_when_the_wheel_is_here(tmp_path):
    """tools/build_models.py --check against a local 0.10.21 wheel (skips when there is none)."""
    wheels = sorted(
        Path(os.environ.get("ARPOSE_MEDIAPIPE_WHEEL_DIR", "/nonexistent")).glob("mediapipe-0.10.21-*.whl")
    )
    if not wheels:
        pytest.skip("set ARPOSE_MEDIAPIPE_WHEEL_DIR to a folder holding the mediapipe 0.10.21 wheel")
    res = subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_models.py"), "--source", str(wheels[0]), "--check"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    assert "byte-identical" in res.stdout


# -- cache -------------------------------------------------------------------------------


def test_cache_dir_is_the_configured_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ARPOSE_CACHE_DIR", str(tmp_path / "c"))
    assert model.cache_dir() == tmp_path / "c"
    assert (tmp_path / "c").is_dir()


@pytest.mark.parametrize("kind", ["file", "readonly"])
def test_unwritable_cache_falls_back_with_a_warning(tmp_path, monkeypatch, caplog, kind):
    if kind == "file":
        bad = tmp_path / "a-file"
        bad.write_text("a file where the cache folder should be")
    else:
        bad = Path("/proc/arpose-cache")  # a read-only filesystem, even for root
    monkeypatch.setenv("ARPOSE_CACHE_DIR", str(bad))
    monkeypatch.setattr(model, "_fallback", None)
    with caplog.at_level(logging.WARNING, logger="arpose.model"):
        got = model.cache_dir()
        again = model.cache_dir()
    assert got == again and got != bad and got.is_dir()
    probe = got / "probe"
    probe.write_text("ok")
    assert probe.read_text() == "ok"
    warnings = [r for r in caplog.records if "not writable" in r.getMessage()]
    assert len(warnings) == 1 and str(bad) in warnings[0].getMessage()
    shutil.rmtree(got)


# -- whole processes ---------------------------------------------------------------------


def _grace_hopper() -> str:
    import matplotlib.cbook

    return str(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy", **extra)
    return env


def test_damaged_installation_gives_one_line_and_exit_1(tmp_path):
    """A copy of the installed package with a truncated model, run as a user would."""
    site = tmp_path / "site"
    shutil.copytree(model.MODELS_DIR.parent, site / "arpose", ignore=shutil.ignore_patterns("__pycache__"))
    bundle = site / "arpose" / "models" / "pose_landmarker_full.task"
    bundle.write_bytes(bundle.read_bytes()[:1000])
    res = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from arpose.cli import main; sys.exit(main(sys.argv[1:]))",
            "detect",
            _grace_hopper(),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(PYTHONPATH=str(site)),
        timeout=120,
    )
    assert res.returncode == 1, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert str(bundle) in lines[0] and "reinstall arpose" in lines[0]
    assert "Traceback" not in res.stderr


def test_several_processes_starting_at_once_all_succeed(tmp_path):
    """Four real `arpose detect` processes on an empty cache: all succeed, same answer."""
    cache = tmp_path / "empty-cache"
    cmd = [
        sys.executable,
        "-c",
        "import sys; from arpose.cli import main; sys.exit(main(sys.argv[1:]))",
        "detect",
        "--json",
        _grace_hopper(),
    ]
    procs = [
        subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env=_env(ARPOSE_CACHE_DIR=str(cache)),
        )
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs):
        assert p.returncode == 0, err
    results = [json.loads(out) for out, _ in outs]
    assert all(r == results[0] for r in results)
    assert len(results[0]["people"]) == 1
