"""Regenerate tests/golden/astronaut_pose.json and astronaut_mask.png from the real model.

The render golden tests use these stored results (so a tracker change does not move the
golden images); tests/integration/test_render.py also checks that the real model still agrees.
Run: python tools/make_render_fixtures.py
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from skimage import data

from arpose.tracking.detector import DetectorOptions, PoseDetector

OUT = Path(__file__).resolve().parents[1] / "tests" / "golden"


def main() -> None:
    image = np.ascontiguousarray(data.astronaut())
    with PoseDetector(DetectorOptions(num_poses=1, segmentation=True, mode="image")) as tracker:
        det = tracker.detect(image)
    if not det.poses or det.mask is None:
        raise SystemExit("no pose or mask found on the astronaut photo")
    OUT.mkdir(parents=True, exist_ok=True)
    pose = det.poses[0].with_id(0)
    (OUT / "astronaut_pose.json").write_text(json.dumps(pose.to_json()) + "\n")
    cv2.imwrite(str(OUT / "astronaut_mask.png"), np.round(det.mask * 255).astype(np.uint8))
    print("nose", pose.xy("nose"), "head_width", pose.measure("head_width"))


if __name__ == "__main__":
    main()
