"""Accuracy of `arpose detect` against raw MediaPipe IMAGE-mode calls on COCO photos.

    python tools/eval_coco.py [--media ../shared/media] [--max-people 4]

For every annotated person (with at least one labelled keypoint) the best-matching
prediction by OKS (COCO's object keypoint similarity) is found, for each method:
- recall: people matched with OKS >= 0.5;
- mean OKS over all annotated people (0 for a missed person);
- PCK@0.2: share of labelled keypoints of matched people within 0.2 x the bbox diagonal.
Both methods see the same images and the same model; arpose runs through its full
pipeline (`arpose detect --json`, VIDEO-mode tracker + smoother + JSON), raw MediaPipe
through `PoseLandmarker.detect` in IMAGE mode.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from arpose.joints import COCO17_INDEX
from arpose.metrics import coco_scores
from arpose.sources import read_image
from arpose.tracking.detector import DetectorOptions, PoseDetector


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--media", default=str(Path(__file__).resolve().parents[2] / "shared" / "media"))
    ap.add_argument("--max-people", type=int, default=8)
    args = ap.parse_args()
    folder = Path(args.media) / "coco"
    coco = json.loads((folder / "test_coco.json").read_text())

    raw: dict[int, list[np.ndarray]] = {}
    with PoseDetector(DetectorOptions(mode="image", num_poses=args.max_people)) as tracker:
        for img in coco["images"]:
            det = tracker.detect(read_image(folder / img["file_name"]))
            raw[img["id"]] = [p.landmarks[list(COCO17_INDEX), :2] for p in det.poses]

    def detect(*flags: str) -> dict[int, list[np.ndarray]]:
        out: dict[int, list[np.ndarray]] = {}
        for img in coco["images"]:
            res = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "arpose",
                    "detect",
                    "--json",
                    "--max-people",
                    str(args.max_people),
                    *flags,
                    str(folder / img["file_name"]),
                ],
                capture_output=True,
                text=True,
            )
            obj = json.loads(res.stdout)
            out[img["id"]] = [np.array(p["landmarks"])[list(COCO17_INDEX), :2] for p in obj["people"]]
        return out

    print(
        f"{'method':<34} {'people':>6} {'recall@OKS.5':>12} {'mean OKS':>9} {'PCK@0.2':>8} "
        f"{'found':>5} {'ghosts':>6}"
    )
    for name, preds in (
        ("raw MediaPipe (IMAGE mode)", raw),
        ("arpose detect --json --no-tiles", detect("--no-tiles")),
        ("arpose detect --json", detect()),
    ):
        r = coco_scores(preds, coco)
        print(
            f"{name:<34} {r['people']:>6} {r['recall@OKS0.5']:>12.3f} {r['mean_OKS']:>9.3f} "
            f"{r['PCK@0.2']:>8.3f} {r['found']:>5} {r['ghosts']:>6}"
        )


if __name__ == "__main__":
    main()
