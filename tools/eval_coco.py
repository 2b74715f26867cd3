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
from arpose.sources import read_image
from arpose.tracker import PoseTracker, TrackerOptions

SIGMAS = np.array([.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87,
                   .89, .89]) / 10.0


def oks(pred: np.ndarray, gt: np.ndarray, area: float) -> float:
    vis = gt[:, 2] > 0
    if not vis.any():
        return 0.0
    d2 = ((pred[:, :2] - gt[:, :2]) ** 2).sum(1)
    e = d2 / (2 * (2 * SIGMAS) ** 2 * (area + np.spacing(1)))
    return float(np.exp(-e)[vis].mean())


def evaluate(people_by_image: dict[int, list[np.ndarray]], coco: dict) -> dict[str, float]:
    oks_all, matched, pck_hits, pck_total = [], 0, 0, 0
    for ann in coco["annotations"]:
        if ann.get("iscrowd") or ann["num_keypoints"] == 0:
            continue
        gt = np.array(ann["keypoints"], np.float64).reshape(17, 3)
        preds = people_by_image.get(ann["image_id"], [])
        scores = [oks(p, gt, ann["area"]) for p in preds]
        best = max(scores, default=0.0)
        oks_all.append(best)
        if best >= 0.5:
            matched += 1
        if preds:
            p = preds[int(np.argmax(scores))]
            x, y, w, h = ann["bbox"]
            thr = 0.2 * float(np.hypot(w, h))
            vis = gt[:, 2] > 0
            dist = np.linalg.norm(p[:, :2] - gt[:, :2], axis=1)
            pck_hits += int((dist[vis] <= thr).sum())
        pck_total += int((gt[:, 2] > 0).sum())
    return {"people": len(oks_all), "recall@OKS0.5": matched / len(oks_all),
            "mean_OKS": float(np.mean(oks_all)), "PCK@0.2": pck_hits / pck_total}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--media", default=str(Path(__file__).resolve().parents[2] / "shared" / "media"))
    ap.add_argument("--max-people", type=int, default=4)
    args = ap.parse_args()
    folder = Path(args.media) / "coco"
    coco = json.loads((folder / "test_coco.json").read_text())

    raw: dict[int, list[np.ndarray]] = {}
    with PoseTracker(TrackerOptions(mode="image", num_poses=args.max_people)) as tracker:
        for img in coco["images"]:
            det = tracker.detect(read_image(folder / img["file_name"]))
            raw[img["id"]] = [p.landmarks[list(COCO17_INDEX), :2] for p in det.poses]

    ours: dict[int, list[np.ndarray]] = {}
    for img in coco["images"]:
        res = subprocess.run([sys.executable, "-m", "arpose", "detect", "--json", "--max-people",
                              str(args.max_people), str(folder / img["file_name"])],
                             capture_output=True, text=True)
        obj = json.loads(res.stdout)
        ours[img["id"]] = [np.array(p["landmarks"])[list(COCO17_INDEX), :2]
                           for p in obj["people"]]

    print(f"{'method':<34} {'people':>6} {'recall@OKS.5':>12} {'mean OKS':>9} {'PCK@0.2':>8}")
    for name, preds in (("raw MediaPipe (IMAGE mode)", raw), ("arpose detect --json", ours)):
        r = evaluate(preds, coco)
        print(f"{name:<34} {r['people']:>6} {r['recall@OKS0.5']:>12.3f} {r['mean_OKS']:>9.3f} "
              f"{r['PCK@0.2']:>8.3f}")


if __name__ == "__main__":
    main()
