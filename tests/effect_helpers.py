"""Helpers for the effect reload tests: a one-attachment effect file and its sprite."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

EFFECT = """\
[[attach]]
joint = "nose"
asset = "dot.png"
scale = {scale}
layer = "front"
"""


def write_png(path: Path, bgr: tuple[int, int, int]) -> None:
    img = np.zeros((20, 20, 4), np.uint8)
    img[...] = (*bgr, 255)
    cv2.imwrite(str(path), img)


def save(path: Path, text: str) -> None:
    """Write and move the mtime forward (file systems with coarse mtimes)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    st = path.stat()
    if st.st_mtime_ns <= before:
        os.utime(path, ns=(st.st_atime_ns, before + 1_000_000))


def write_effect(folder: Path) -> Path:
    """A red-dot effect on the nose, half a head wide: ``folder/fx.toml``."""
    write_png(folder / "dot.png", (0, 0, 255))  # red
    path = folder / "fx.toml"
    save(path, EFFECT.format(scale=0.5))
    return path
