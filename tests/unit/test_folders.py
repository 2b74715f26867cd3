"""A folder of images is a sequence or a set of photos, never guessed silently (issue 22)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from arpose.errors import SourceError
from arpose.sources import ImageFolder, frame_numbered, open_source


@pytest.mark.parametrize(
    ("names", "numbered"),
    [
        (["000000.jpg", "000001.jpg", "000002.jpg"], True),
        (["frame_0001.png", "frame_0002.png", "frame_0004.png"], True),  # a dropped frame
        (["000000000785.jpg", "000000040083.jpg", "000000196141.jpg"], False),  # COCO ids
        (["kitchen.jpg", "beach.jpg"], False),
        (["a_1.jpg", "b_2.jpg"], False),  # numbered, but not one name
        (["000001.jpg"], False),  # one image is a photo
    ],
)
def test_frame_numbered_names(names, numbered):
    assert frame_numbered([Path(n) for n in names]) is numbered


def _folder(tmp_path: Path, names: list[str]) -> Path:
    for n in names:
        cv2.imwrite(str(tmp_path / n), np.zeros((80, 80, 3), np.uint8))
    return tmp_path


def test_the_folder_says_how_it_is_read_and_a_flag_overrides(tmp_path):
    folder = _folder(tmp_path, ["000000000785.jpg", "000000040083.jpg"])
    auto = open_source(folder)
    assert isinstance(auto, ImageFolder) and auto.photos
    assert "separate photos" in auto.describe() and "--sequence" in auto.describe()
    forced = open_source(folder, folder="sequence")
    assert isinstance(forced, ImageFolder) and not forced.photos
    assert "one sequence" in forced.describe()
    with pytest.raises(SourceError, match="folder kind"):
        ImageFolder(folder, kind="movie")
