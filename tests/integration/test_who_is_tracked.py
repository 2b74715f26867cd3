"""Issue 22: `arpose detect`, `render` and `mirror` agree on how many people a photo holds
(one default per kind of source), checked on the pictures they write."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from arpose.apps.mirror import run_mirror
from arpose.apps.offline import render_source
from arpose.sources import read_image
from arpose.tracking.pipeline import PHOTO_MAX_PEOPLE, track


def _hats(out: np.ndarray, photo: np.ndarray) -> np.ndarray:
    """Where the effect changed the photo (both RGB, the photo's size): big changes only,
    thin video-compression edges eroded away."""
    diff = (np.abs(out.astype(np.int16) - photo.astype(np.int16)).max(axis=2) > 100).astype(np.uint8)
    diff[:30] = 0  # the mirror's help line
    return cv2.erode(diff, np.ones((3, 3), np.uint8)).astype(bool)


def _count(mask: np.ndarray) -> int:
    """Hats: blobs of at least 30 changed pixels."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8))
    return int(np.sum(stats[1:, cv2.CC_STAT_AREA] >= 30))


def test_detect_render_and_mirror_dress_the_same_people_on_a_photo(media, tmp_path, monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "offscreen")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    path = media / "coco" / "000000197388.jpg"  # five skiers
    if not path.is_file():
        pytest.skip(f"{path} not found")
    photo = read_image(path)
    with track(str(path), keep_images=False) as pipeline:
        assert pipeline.tracker is not None and pipeline.tracker.max_people == PHOTO_MAX_PEOPLE
        found = len(next(iter(pipeline)).poses)
    assert found >= 4

    render_source(["top-hat"], str(path), tmp_path / "render.png")
    rendered = _hats(cv2.cvtColor(cv2.imread(str(tmp_path / "render.png")), cv2.COLOR_BGR2RGB), photo)
    render_source(["top-hat"], str(path), tmp_path / "two.png", max_people=2)
    two = _hats(cv2.cvtColor(cv2.imread(str(tmp_path / "two.png")), cv2.COLOR_BGR2RGB), photo)
    # the default dresses more than the two people render dressed before issue 22
    assert _count(rendered) >= _count(two) + 2 >= 4, (_count(rendered), _count(two))

    size = (photo.shape[1], photo.shape[0])
    run_mirror(
        ["top-hat"],
        str(path),
        size=size,
        headless=True,
        video=tmp_path / "mirror.mp4",
        flip=False,
        max_frames=1,
    )
    cap = cv2.VideoCapture(str(tmp_path / "mirror.mp4"))
    ok, bgr = cap.read()
    cap.release()
    assert ok
    mirrored = cv2.resize(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), (photo.shape[1], photo.shape[0]))
    mirror_hats = _hats(mirrored, photo)
    iou = (rendered & mirror_hats).sum() / max((rendered | mirror_hats).sum(), 1)
    assert iou > 0.6, iou  # the same hats on the same people


@pytest.mark.parametrize(
    ("flags", "reading"),
    [
        ([], "read as separate photos (the names are not consecutive"),
        (["--sequence"], "read as one sequence (as asked: --sequence"),
    ],
)
def test_render_reads_a_folder_as_detect_does_and_says_which(media, tmp_path, capsys, flags, reading):
    """`arpose render` takes --sequence / --photos like `arpose detect` (one implementation,
    arpose.cli.detect.folder_source) and says on stderr which reading it used."""
    import shutil

    from arpose.cli import main

    photo = media / "coco" / "000000000785.jpg"
    if not photo.is_file():
        pytest.skip(f"{photo} not found")
    folder = tmp_path / "shots"
    folder.mkdir()
    for name in ("beach.jpg", "slope.jpg"):  # not frame numbers: photos, unless asked
        shutil.copy(photo, folder / name)
    out = tmp_path / "out.mp4"
    assert main(["render", "-e", "top-hat", "-s", str(folder), "-o", str(out), "--no-progress", *flags]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("arpose: note:")]
    assert len(notes) == 1 and reading in notes[0] and str(folder) in notes[0], notes
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 2
    cap.release()
    assert main(["detect", str(folder), "--json", *flags]) == 0
    detect_notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("arpose: note:")]
    assert detect_notes == notes  # the same reading, said the same way
