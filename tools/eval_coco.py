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
            "mean_OKS": float(np.mean(oks_all)), "PCK@0.2": pck_hits / pck_total,
            "found": sum(len(v) for v in people_by_image.values()),
            "ghosts": ghosts(people_by_image, coco)}


def ghosts(people_by_image: dict[int, list[np.ndarray]], coco: dict) -> int:
    """Predictions that are nobody: OKS below 0.1 with every annotated person, and the
    middle of their keypoints outside every annotated box (COCO also boxes people with
    no labelled keypoint; a prediction there is a real person, not a ghost)."""
    n = 0
    for image_id, preds in people_by_image.items():
        anns = [a for a in coco["annotations"] if a["image_id"] == image_id]
        for p in preds:
            best = max((oks(p, np.array(a["keypoints"], np.float64).reshape(17, 3), a["area"])
                        for a in anns if a["num_keypoints"]), default=0.0)
            cx, cy = np.median(p[:, :2], axis=0)
            inside = any(a["bbox"][0] <= cx <= a["bbox"][0] + a["bbox"][2]
                         and a["bbox"][1] <= cy <= a["bbox"][1] + a["bbox"][3] for a in anns)
            n += best < 0.1 and not inside
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--media", default=str(Path(__file__).resolve().parents[2] / "shared" / "media"))
    ap.add_argument("--max-people", type=int, default=8)
    args = ap.parse_args()
    folder = Path(args.media) / "coco"
    coco = json.loads((folder / "test_coco.json").read_text())

    raw: dict[int, list[np.ndarray]] = {}
    with PoseTracker(TrackerOptions(mode="image", num_poses=args.max_people)) as tracker:
        for img in coco["images"]:
            det = tracker.detect(read_image(folder / img["file_name"]))
            raw[img["id"]] = [p.landmarks[list(COCO17_INDEX), :2] for p in det.poses]

    def detect(*flags: str) -> dict[int, list[np.ndarray]]:
        out: dict[int, list[np.ndarray]] = {}
        for img in coco["images"]:
            res = subprocess.run([sys.executable, "-m", "arpose", "detect", "--json",
                                  "--max-people", str(args.max_people), *flags,
                                  str(folder / img["file_name"])],
                                 capture_output=True, text=True)
            obj = json.loads(res.stdout)
            out[img["id"]] = [np.array(p["landmarks"])[list(COCO17_INDEX), :2]
                              for p in obj["people"]]
        return out

    print(f"{'method':<34} {'people':>6} {'recall@OKS.5':>12} {'mean OKS':>9} {'PCK@0.2':>8} "
          f"{'found':>5} {'ghosts':>6}")
    for name, preds in (("raw MediaPipe (IMAGE mode)", raw),
                        ("arpose detect --json --no-tiles", detect("--no-tiles")),
                        ("arpose detect --json", detect())):
        r = evaluate(preds, coco)
        print(f"{name:<34} {r['people']:>6} {r['recall@OKS0.5']:>12.3f} {r['mean_OKS']:>9.3f} "
              f"{r['PCK@0.2']:>8.3f} {r['found']:>5} {r['ghosts']:>6}")


if __name__ == "__main__":
    main()
