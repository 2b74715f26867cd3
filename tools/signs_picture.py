"""Render the docs picture of the mirror writing fingerspelled text.

    python tools/signs_picture.py [--shared ../shared/signs] [--out docs/images/signs-mirror.png]

A person spelling "HI BOB" is composed from real hand samples of the shared alphabet
(:func:`arpose.testing.signing.fingerspell_frames`), read by the mirror's own code path
(:class:`arpose.apps.mirror.Mirror` with a :class:`arpose.signs.reader.SignReader`) in a
headless run with skeletons on, and the frame in the middle of the last letter is saved.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from arpose.apps.mirror import Mirror
from arpose.play.options import PlayOptions
from arpose.play.runner import run_view_headless
from arpose.signs.data import block_folds, load_alphabet
from arpose.signs.reader import SignReader
from arpose.testing.signing import fingerspell_frames

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "signs"))
    ap.add_argument("--out", default=str(ROOT / "docs" / "images" / "signs-mirror.png"))
    ap.add_argument("--text", default="HI BOB")
    args = ap.parse_args()
    alpha = load_alphabet(Path(args.shared) / "asl_alphabet_one_signer.npz")
    fold = block_folds(alpha, 5)
    letters = {c: alpha.raw[(alpha.labels == c) & (fold == 2)] for c in alpha.classes}
    frames = fingerspell_frames(args.text, letters, seed=3, noise=2.0, size=(960, 540), hand_size=70.0)
    # stop in the middle of the last letter's hold (before the hand drops away)
    stop = len(frames) - int(1.4 * 30) - 12
    view = Mirror(["painted-nails"], signs=SignReader("asl-letters"))
    video = Path(args.out).with_suffix(".avi")
    run_view_headless(
        view, frames[:stop], PlayOptions(sound=False, skeleton=True), size=(960, 540), video=video, fps=30.0
    )
    cap = cv2.VideoCapture(str(video))
    last = None
    while True:
        ok, img = cap.read()
        if not ok:
            break
        last = img
    cap.release()
    video.unlink()
    assert last is not None and np.ptp(last) > 0
    cv2.imwrite(args.out, last)
    print(f"text {view.signs.text if view.signs else ''!r} -> {args.out}")


if __name__ == "__main__":
    main()
