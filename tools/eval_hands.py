"""Hand accuracy: arpose's hands (body crops + palm fallback) vs the raw HandLandmarker.

Both run in the same process on the same models (the HandLandmarker bundle shipped with
arpose, IMAGE mode). Sets:

- ``coco``: the COCO-WholeBody hand keypoints of the shared COCO photos (whole people);
- ``closeup``: frames of ``exercise/finger_flexion.mp4`` (a 1080p close-up) at full size;
- ``small xN``: the same frames shrunk N times (``--shrink``, default 4, 8, 12, 16) and
  centred on a canvas of the original size (the person far away; the table's ``hand px``
  column is the median hand-box side, to compare with the COCO photos' 10-30 px hands).

There is no hand ground truth for the video, so ``closeup`` and ``small`` are scored
against the raw model's own landmarks on the full-size frame (pseudo ground truth; it
favours the raw model on ``closeup``). A hand counts as found when a predicted hand has
PCK@0.2 >= 0.5 against it; PCK@0.2 = share of the 21 keypoints within 0.2 x the longer
side of the ground-truth hand box. Before scoring, the metric is checked on known
answers (itself: 1.0; shifted by 0.3 box: 0.0). ``extra`` counts predicted hands matched to
no ground-truth hand (on COCO a hand may be real but not annotated: look at it).

    python tools/eval_hands.py [--media ../shared/media] [--frames 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from arpose.metrics import hand_scores, pck

REPO = Path(__file__).resolve().parents[1]


def _box(gt: np.ndarray, valid: np.ndarray) -> float:
    """The longer side of a hand's box, pixels (the PCK reference length)."""
    pts = gt[valid]
    return float(max(np.ptp(pts[:, 0]), np.ptp(pts[:, 1]))) if len(pts) else 0.0


def _check_metric() -> None:
    rng = np.random.default_rng(0)
    gt = rng.uniform(0, 100, (21, 2))
    valid = np.ones(21, bool)
    assert pck(gt, gt, valid) == 1.0
    box = max(np.ptp(gt[:, 0]), np.ptp(gt[:, 1]))
    assert pck(gt + [0.3 * box, 0.0], gt, valid) == 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--media", default=str(REPO.parent / "shared" / "media"))
    ap.add_argument("--frames", type=int, default=20, help="video frames for the close-up sets")
    ap.add_argument(
        "--shrink", default="4,8,12,16", help="shrink factors of the close-up frames for the small sets"
    )
    ap.add_argument("--json", help="write the table as JSON here")
    ap.add_argument(
        "--no-tiles",
        action="store_true",
        help="arpose without its tiled people search (as before it existed)",
    )
    args = ap.parse_args(argv)
    _check_metric()
    media = Path(args.media)
    from arpose.tracking.detector import DetectorOptions, PoseDetector
    from arpose.tracking.hands import HandDetector, HandOptions
    from arpose.tracking.pipeline import PHOTO_MAX_PEOPLE

    shrinks = [int(v) for v in args.shrink.split(",") if v.strip()]
    totals: dict[str, dict[str, dict]] = {}
    hand_px: dict[str, list[float]] = {}

    def add(set_name: str, method: str, res: dict) -> None:
        t = totals.setdefault(set_name, {}).setdefault(
            method, {"hands": 0, "found": 0, "pck_all": [], "extra": 0}
        )
        t["hands"] += res["hands"]
        t["extra"] += res["extra"]
        t["found"] += res["found"]
        t["pck_all"] += res["pck_all"]

    # what `arpose detect --hands PHOTO` runs (arpose.tracking.pipeline.track on a single image)
    opts = DetectorOptions(
        mode="image", num_poses=PHOTO_MAX_PEOPLE, hands=True, hand_fallback="always", tiles=not args.no_tiles
    )
    with PoseDetector(opts) as tracker, HandDetector(HandOptions(fallback="always")) as raw:

        def run_both(rgb: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
            det = tracker.detect(rgb)
            ours = [h.landmarks[:, :2] for h in det.hands]
            theirs = [h.landmarks[:, :2] for h in raw._whole_image(rgb)]
            return ours, theirs

        coco = media / "coco" / "test_coco_wholebody.json"
        if coco.is_file():
            data = json.loads(coco.read_text())
            for im in data["images"]:
                rgb = cv2.cvtColor(cv2.imread(str(coco.parent / im["file_name"])), cv2.COLOR_BGR2RGB)
                gts: list[tuple[np.ndarray, np.ndarray]] = []
                for a in data["annotations"]:
                    if a["image_id"] != im["id"]:
                        continue
                    for side in ("lefthand", "righthand"):
                        if a.get(f"{side}_valid"):
                            k = np.asarray(a[f"{side}_kpts"], np.float64).reshape(21, 3)
                            gts.append((k[:, :2], k[:, 2] > 0))
                hand_px.setdefault("coco", []).extend(_box(g, v) for g, v in gts)
                ours, theirs = run_both(rgb)
                add("coco", "arpose", hand_scores(ours, gts))
                add("coco", "raw", hand_scores(theirs, gts))
        video = media / "exercise" / "finger_flexion.mp4"
        if video.is_file():
            cap = cv2.VideoCapture(str(video))
            n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
            for idx in np.linspace(0, n - 1, args.frames).astype(int):
                cap.set(cv2.CAP_PROP_POS_FRAMES, int(idx))
                ok, bgr = cap.read()
                if not ok:
                    continue
                rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                ours, theirs = run_both(rgb)
                gts = [(p, np.ones(21, bool)) for p in theirs]  # pseudo ground truth
                add("closeup", "arpose", hand_scores(ours, gts))
                add("closeup", "raw", hand_scores(theirs, gts))
                hand_px.setdefault("closeup", []).extend(_box(g, v) for g, v in gts)
                h, w = rgb.shape[:2]
                bg = np.median(rgb.reshape(-1, 3), axis=0).astype(np.uint8)
                for f in shrinks:
                    sw, sh = w // f, h // f
                    small = np.empty_like(rgb)
                    small[:] = bg
                    x0, y0 = (w - sw) // 2, (h - sh) // 2
                    small[y0 : y0 + sh, x0 : x0 + sw] = cv2.resize(
                        rgb, (sw, sh), interpolation=cv2.INTER_AREA
                    )
                    ours_s, theirs_s = run_both(small)
                    gts_s = [(p * [sw / w, sh / h] + [x0, y0], v) for p, v in gts]
                    name = f"small x{f}"
                    hand_px.setdefault(name, []).extend(_box(g, v) for g, v in gts_s)
                    add(name, "arpose", hand_scores(ours_s, gts_s))
                    add(name, "raw", hand_scores(theirs_s, gts_s))
            cap.release()
    rows = []
    for set_name, methods in totals.items():
        for method, t in methods.items():
            found = [p for p in t["pck_all"] if p > 0]
            px = hand_px.get(set_name) or [0.0]
            rows.append(
                {
                    "set": set_name,
                    "method": method,
                    "hands": t["hands"],
                    "hand_px": float(np.median(px)),
                    "found": t["found"],
                    "extra": t["extra"],
                    "recall": t["found"] / t["hands"] if t["hands"] else 0.0,
                    "pck_found": float(np.mean(found)) if found else 0.0,
                    "pck_all": float(np.mean(t["pck_all"])) if t["pck_all"] else 0.0,
                }
            )
    print(
        f"{'set':<10} {'hand px':>7} {'method':<7} {'hands':>5} {'found':>5} {'recall':>7} "
        f"{'PCK@0.2 found':>13} {'PCK@0.2 all':>11} {'extra':>5}"
    )
    for r in rows:
        print(
            f"{r['set']:<10} {r['hand_px']:>7.0f} {r['method']:<7} {r['hands']:>5} "
            f"{r['found']:>5} "
            f"{r['recall']:>7.2f} {r['pck_found']:>13.3f} {r['pck_all']:>11.3f} "
            f"{r['extra']:>5}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
