"""The offline bundle: built from the wheel, cached, verified, rebuilt when corrupt."""

from __future__ import annotations

import zipfile

import pytest

from arpose import model
from arpose.errors import ModelError


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ARPOSE_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_builds_a_valid_bundle_without_network(cache):
    path = model.ensure_model()
    assert path.parent == cache
    with zipfile.ZipFile(path) as z:
        assert set(z.namelist()) == set(model.BUNDLE_MEMBERS)
    assert path.with_suffix(".sha256").read_text().strip() == model._sha256(path)
    assert not list(cache.glob("*.tmp"))  # nothing half-written left behind


def test_cached_bundle_is_reused(cache):
    first = model.ensure_model()
    mtime = first.stat().st_mtime_ns
    assert model.ensure_model() == first
    assert first.stat().st_mtime_ns == mtime


def test_corrupt_bundle_is_rebuilt(cache):
    path = model.ensure_model()
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])  # a half-written file
    again = model.ensure_model()
    assert again.read_bytes() == good


def test_given_model_must_be_a_pose_bundle(tmp_path):
    bogus = tmp_path / "bogus.task"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="bogus.task"):
        model.ensure_model(bogus)
    with pytest.raises(ModelError, match="no such model file"):
        model.ensure_model(tmp_path / "missing.task")
    other = tmp_path / "other.task"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("hand_detector.tflite", b"x")
    with pytest.raises(ModelError, match="missing pose_detector.tflite"):
        model.ensure_model(other)


def test_official_style_bundle_path_is_accepted(cache):
    built = model.ensure_model()
    assert model.ensure_model(built) == built
