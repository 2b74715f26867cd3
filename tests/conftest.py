"""Shared test set-up: headless pygame/SDL, the shared media folder, real photos."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from gl_fixtures import offscreen, renderer  # noqa: F401  (fixtures shared by the GL tests)
from record_helpers import make_frames

from arpose.effects import gallery
from arpose.record import Recorder

# Real pygame and real OpenGL, without a display or a sound card.
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ARPOSE_SHARED") or REPO.parent / "shared")
"""../shared beside the repo (ARPOSE_SHARED overrides it, e.g. from a git worktree)."""
MEDIA = SHARED / "media"


@pytest.fixture(scope="session")
def media() -> Path:
    """../shared/media beside the repo; tests using it skip cleanly when it is absent."""
    if not MEDIA.is_dir():
        pytest.skip(f"shared media not found at {MEDIA} (only present on project machines)")
    return MEDIA


@pytest.fixture(scope="session")
def mannequin_gltf() -> Path:
    """The CC0 mannequin (../shared/avatars): 53 joints, 46 clips; skips when absent."""
    path = SHARED / "avatars" / "mannequin" / "AnimationLibrary_Godot_Standard.gltf"
    if not path.is_file():
        pytest.skip(f"{path} not found (only on project machines)")
    return path


@pytest.fixture(scope="session")
def dance_video(media: Path) -> Path:
    path = media / "dance.avi"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """skimage's astronaut photo (512x512 RGB, upper body facing the camera)."""
    from skimage import data

    return np.ascontiguousarray(data.astronaut())


@pytest.fixture(scope="session")
def cameraman() -> np.ndarray:
    """skimage's cameraman (512x512 grayscale, a standing man) as RGB."""
    from skimage import data

    gray = data.camera()
    return np.ascontiguousarray(np.stack([gray] * 3, axis=-1))


@pytest.fixture(scope="session")
def astronaut_png(tmp_path_factory, astronaut) -> Path:
    import cv2

    path = tmp_path_factory.mktemp("photos") / "astronaut.png"
    cv2.imwrite(str(path), cv2.cvtColor(astronaut, cv2.COLOR_RGB2BGR))
    return path


@pytest.fixture(autouse=True)
def _run_from_another_folder(tmp_path, monkeypatch):
    """Every test (and every `python -m arpose` it starts) runs in its own temporary
    folder: the installed arpose is what gets imported, never the checkout's source tree
    (whose games/ and assets/ only become arpose.games/arpose.assets when installed), and
    nothing is written into the repo."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def take(tmp_path) -> tuple[Path, list]:
    """A 9-frame recording (people per frame: 0, 1, 2, 0, 1, 2, ...) and its PoseFrames."""
    frames = make_frames(9, seed=11)
    path = tmp_path / "take.arpose"
    with Recorder(path, fps=50.0) as rec:
        for pf, raw in frames:
            rec.write(pf, raw)
    return path, [pf for pf, _ in frames]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty mesh cache folder of this test's own (ARPOSE_CACHE_DIR)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ARPOSE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def hat() -> Path:
    """The gallery's top-hat mesh file."""
    return gallery.assets_root() / "effects" / "meshes" / "top_hat.glb"
