"""`arpose bench --section identity`: who is who, and who is there.

- **synthetic**: a crowd with known identities (:mod:`arpose.testing.crowd`: two players
  and a passer-by walking between them; two people crossing), seen through a simulated
  detector with one or two inference workers, tracked by :class:`PersonTracker` as
  arpose runs it (``max_people`` 2, sticky selection, hold) beside the tracker without
  selection or hold (arpose before issue 22). Id switches per person-minute, swap frames
  and id-set changes (:func:`arpose.metrics.identity_scores`).
- **video**: ``arpose detect``'s pipeline on the bench video with one and two inference
  workers: id-set changes between consecutive frames, and id switches of the two-worker
  run measured against the one-worker run's people (no true ids exist for this clip; the
  one-worker run is the reference), and the same before the fix.
- **photos**: precision, recall and false people per photo on the annotated photos in
  ``../shared/media`` (COCO, PoseTrack18), raw MediaPipe (whole photo) beside arpose
  (whole photo plus the tile search, with and without its top-down check), when the
  folder is there, and the seconds per photo of each; false people on frames of
  one-person clips, each read as a photo.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..joints import COCO17_INDEX
from ..metrics import identity_scores, match_people, photo_precision
from ..pose import Pose
from ..sources import read_image
from ..testing.crowd import crossing, crowd_frames, detector_view, players_and_passer_by
from ..tracking.detector import DetectorOptions, PoseDetector
from ..tracking.identity import PersonTracker
from ..tracking.pipeline import track

log = logging.getLogger(__name__)

MEDIA_ENV = "ARPOSE_MEDIA"
"""Folder with ``coco/`` and ``posetrack18/`` (default: ``../shared/media`` beside the repo)."""


def tracker_now(max_people: int = 2) -> PersonTracker:
    """The tracker as arpose runs it."""
    return PersonTracker(smooth=False, max_people=max_people)


def tracker_before() -> PersonTracker:
    """The tracker before issue 22: everyone the detector reports, no hold."""
    return PersonTracker(smooth=False, hold_s=0.0)


def score_tracker(
    frames: Sequence[tuple[float, list[tuple[int, Pose]]]],
    views: Sequence[list[tuple[int, Pose]]],
    tracker: PersonTracker,
    fps: float,
    truth_ids: set[int] | None = None,
) -> dict[str, float]:
    """Identity scores of ``tracker`` fed the detector ``views`` of a synthetic crowd.

    ``truth_ids``: the people who should be tracked (e.g. the two players); None: all."""
    matches, present, reported = [], [], []
    for (t, people), seen in zip(frames, views):
        out = tracker([pose for _, pose in seen], t)
        truth = [(pid, pose.center) for pid, pose in people if truth_ids is None or pid in truth_ids]
        radius = 0.5 * max((pose.body_size for _, pose in people), default=100.0)
        matches.append(match_people(truth, [(p.id, p.center) for p in out], radius))
        present.append([pid for pid, _ in truth])
        reported.append([p.id for p in out])
    return identity_scores(matches, present, reported, fps)


def synthetic(fps: float = 30.0) -> dict[str, Any]:
    """Both scenarios, one and two workers, now and before."""
    out: dict[str, Any] = {}
    for name, walkers, duration, players in (
        ("passer_by", players_and_passer_by(6.0), 6.0, {0, 1}),
        ("crossing", crossing(4.0), 4.0, {0, 1}),
    ):
        frames = crowd_frames(walkers, duration, fps)
        for workers in (1, 2):
            views = detector_view(frames, 2, workers)
            for label, tracker in (("now", tracker_now()), ("before", tracker_before())):
                out[f"{name}_{workers}w_{label}"] = score_tracker(frames, views, tracker, fps, players)
    return out


def _ids(video: Path, workers: int, tracker: PersonTracker) -> tuple[list[dict[int, np.ndarray]], float]:
    """The people of every frame (id: centre), and the video's frame rate."""
    frames = []
    with track(str(video), workers=workers, tracker=tracker, keep_images=False) as pipeline:
        fps = float(getattr(pipeline.source, "fps", 0.0) or 30.0)
        for pf in pipeline:
            frames.append({p.id: p.center for p in pf.poses})
    return frames, fps


def video(path: Path) -> dict[str, Any]:
    """Id-set changes with one and two workers (now and before), and the two-worker run's
    id switches against the one-worker run's people."""
    runs = {
        (w, label): _ids(path, w, make())
        for w in (1, 2)
        for label, make in (("now", lambda: PersonTracker(max_people=2)), ("before", tracker_before))
    }
    out: dict[str, Any] = {}
    for (w, label), (frames, fps) in runs.items():
        ref = runs[(1, label)][0]
        matches, present, reported = [], [], []
        for truth, found in zip(ref, frames):
            sizes = 150.0
            matches.append(match_people(list(truth.items()), list(found.items()), sizes))
            present.append(list(truth))
            reported.append(list(found))
        out[f"{w}w_{label}"] = identity_scores(matches, present, reported, fps)
    return out


def media_folder() -> Path:
    """``$ARPOSE_MEDIA``, else ``$ARPOSE_SHARED/media`` (as the tests), else ``../shared/media``."""
    env = os.environ.get(MEDIA_ENV)
    if env:
        return Path(env)
    shared = os.environ.get("ARPOSE_SHARED")
    return (Path(shared) if shared else Path(__file__).resolve().parents[3] / "shared") / "media"


Photo = tuple[Path, int, np.ndarray | None]
"""An annotated photo: its path, image id, and PoseTrack's ignore polygons (or None)."""


def annotated_photos(media: Path) -> dict[str, tuple[dict[str, Any], list[Photo]]]:
    """The shared COCO and PoseTrack18 photos by set: ``{name: (annotations, photos)}``
    (PoseTrack's head_bottom/head_top are not COCO's eyes: left out)."""
    out: dict[str, tuple[dict[str, Any], list[Photo]]] = {}
    coco_json = media / "coco" / "test_coco.json"
    if coco_json.is_file():
        coco = json.loads(coco_json.read_text())
        out["coco"] = (coco, [(media / "coco" / im["file_name"], im["id"], None) for im in coco["images"]])
    pt_json = media / "posetrack18" / "annotations" / "test_posetrack18_val.json"
    if pt_json.is_file():
        pt = json.loads(pt_json.read_text())
        for a in pt["annotations"]:
            k = np.array(a["keypoints"], np.float64).reshape(17, 3)
            k[1:3, 2] = 0
            a["keypoints"] = k.ravel().tolist()
        photos_: list[Photo] = []
        for im in pt["images"]:
            regions = [
                np.array(list(zip(xs, ys)), np.float64)
                for xs, ys in zip(im.get("ignore_regions_x", []), im.get("ignore_regions_y", []))
            ]
            photos_.append(
                (media / "posetrack18" / im["file_name"], im["id"], np.array(regions, dtype=object))
            )
        out["posetrack18"] = (pt, photos_)
    return out


def _coco17(poses: Sequence[Pose]) -> list[np.ndarray]:
    return [p.landmarks[list(COCO17_INDEX), :2] for p in poses]


PHOTO_MODES = {"raw": (False, False), "unchecked": (True, False), "arpose": (True, True)}
"""Detector settings per row: (tiles, the top-down check of tile people). ``unchecked`` is
the tile search without :func:`arpose.tracking.tiles.reappears` (arpose before it)."""


def photos(media: Path, max_people: int = 8) -> dict[str, Any]:
    """Precision and recall on the annotated photos: raw MediaPipe (the whole photo), the
    tile search without and with its top-down check, and arpose (the whole photo plus the
    checked tile search), each set and all together; and the seconds each spent per photo,
    measured photo by photo in turn (``cost``: ratios against ``unchecked``)."""
    sets = annotated_photos(media)
    if not sets:
        return {"skipped": f"no annotated photos in {media}"}
    out: dict[str, Any] = {}
    detectors = {
        mode: PoseDetector(DetectorOptions(num_poses=max_people, mode="image", tiles=t, tile_check=c))
        for mode, (t, c) in PHOTO_MODES.items()
    }
    seconds = dict.fromkeys(PHOTO_MODES, 0.0)
    try:
        totals: dict[str, dict[str, float]] = {mode: {} for mode in PHOTO_MODES}
        for name, (ann, items) in sets.items():
            people: dict[str, dict[int, list[np.ndarray]]] = {mode: {} for mode in PHOTO_MODES}
            for path, i, _ in items:
                rgb = read_image(path)
                for mode, detector in detectors.items():  # in turn, photo by photo: fair timing
                    start = time.perf_counter()
                    people[mode][i] = _coco17(detector.detect(rgb, 0.0).poses)
                    seconds[mode] += time.perf_counter() - start
            ignore = {i: list(r) for _, i, r in items if r is not None}
            for mode in PHOTO_MODES:
                part = photo_precision(people[mode], ann, ignore)
                out[f"{mode}_{name}"] = part
                for key in ("photos", "annotated", "true", "false", "ignored"):
                    totals[mode][key] = totals[mode].get(key, 0) + part[key]
    finally:
        for detector in detectors.values():
            detector.close()
    for mode, total in totals.items():
        tp, fp = total["true"], total["false"]
        total["precision"] = tp / (tp + fp) if tp + fp else 1.0
        total["recall"] = tp / total["annotated"] if total["annotated"] else 0.0
        total["false_per_photo"] = fp / total["photos"] if total["photos"] else 0.0
        out[mode] = total
    n = out["arpose"]["photos"]
    out["cost"] = {
        **{f"{mode}_s_per_photo": seconds[mode] / n for mode in PHOTO_MODES},
        **{f"{mode}_ratio": seconds[mode] / seconds["unchecked"] for mode in PHOTO_MODES},
    }
    return out


SINGLE_PERSON_CLIPS = (
    "jumping_jacks_11.mp4",
    "squat_barbell_5.mp4",
    "squat_head_out_5.mp4",
    "finger_flexion.mp4",
)
"""Clips in ``../shared/media/exercise`` that show one person: any second one is false."""


def single_person_frames(media: Path, per_clip: int = 30, max_people: int = 8) -> dict[str, Any]:
    """False people on frames that hold one person (evenly spaced frames of
    :data:`SINGLE_PERSON_CLIPS`, each taken as a photo): raw MediaPipe and arpose."""

    frames = []
    for name in SINGLE_PERSON_CLIPS:
        cap = cv2.VideoCapture(str(media / "exercise" / name))
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        for k in np.linspace(0, max(n - 1, 0), per_clip).astype(int) if n > 0 else []:
            cap.set(cv2.CAP_PROP_POS_FRAMES, int(k))
            ok, bgr = cap.read()
            if ok:
                frames.append((f"{name}:{k}", cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
        cap.release()
    if not frames:
        return {"skipped": f"no single-person clips in {media / 'exercise'}"}
    out: dict[str, Any] = {}
    for mode, (tiles, check) in PHOTO_MODES.items():
        options = DetectorOptions(num_poses=max_people, mode="image", tiles=tiles, tile_check=check)
        with PoseDetector(options) as detector:
            counts = {key: len(detector.detect(rgb, 0.0).poses) for key, rgb in frames}
        out[mode] = {
            "frames": len(counts),
            "found_nobody": sum(c == 0 for c in counts.values()),
            "false_people": sum(max(c - 1, 0) for c in counts.values()),
            "frames_with_false": sorted(k for k, c in counts.items() if c > 1),
        }
    return out


def bench_identity(video_path: Path, options: dict[str, Any]) -> dict[str, Any]:
    """The section: synthetic crowd, the bench video, the annotated photos."""
    result: dict[str, Any] = {"synthetic": synthetic()}
    result["video"] = {"path": str(video_path), **video(video_path)}
    media = Path(options.get("media") or media_folder())
    result["photos"] = photos(media)
    result["single_person_frames"] = single_person_frames(media)
    return result
