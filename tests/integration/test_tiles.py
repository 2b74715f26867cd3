"""The tiled people search on photos (arpose.tracking.tiles), and what it buys on the COCO photos:
more of the annotated people, no ghosts, and hands that the raw hand model misses."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from arpose.metrics import coco_scores, hand_scores
from arpose.pose import Pose
from arpose.tracking.tiles import MIN_TILE_SCORE, Tile, search_tiles, tile_score, tiles_for

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("ARPOSE_SHARED") or REPO.parent / "shared")  # as tests/conftest.py
COCO = SHARED / "media" / "coco"


def _pose(x0: float, y0: float, size: float = 100.0, vis: float = 0.9) -> Pose:
    rng = np.random.default_rng(int(x0 * 7 + y0))
    lm = np.zeros((33, 5), np.float32)
    lm[:, 0] = x0 + rng.uniform(0, size / 2, 33)
    lm[:, 1] = y0 + rng.uniform(0, size, 33)
    lm[:, 3:] = vis
    return Pose(lm, np.zeros((33, 3), np.float32))


def test_tiles_cover_the_photo_with_overlap():
    tiles = tiles_for(640, 400)
    assert Tile(0, 0, 400) in tiles and Tile(240, 0, 400) in tiles
    small = [t for t in tiles if t.side == 240]
    assert {t.x for t in small} >= {0, 400} and {t.y for t in small} >= {0, 160}
    for t in tiles:
        assert t.x + t.side <= 640 and t.y + t.side <= 400
    assert tiles_for(100, 100) == []  # the whole photo, and 60 px tiles: too small
    assert Tile(0, 0, 400) not in tiles_for(400, 400)


def test_a_pose_cut_by_an_inner_tile_edge_scores_lower():
    p = _pose(150, 100)  # x 150..200, y 100..200
    inside = Tile(100, 50, 200)
    cut = Tile(0, 0, 170)  # cuts through it (inner edges)
    assert tile_score(p, inside, 640, 400) == pytest.approx(0.9)
    assert tile_score(p, cut, 640, 400) < 0.5
    assert tile_score(p, Tile(0, 0, 400), 400, 400) == pytest.approx(0.9)  # photo's edges


def test_search_keeps_found_people_adds_new_ones_and_drops_copies_and_ghosts():
    image = np.zeros((400, 640, 3), np.uint8)
    found = [_pose(20, 20)]
    new = _pose(400, 150)
    calls = []

    def detect(patch, tile):
        calls.append(tile)
        copy = Pose(found[0].landmarks + np.float32([3, 2, 0, 0, 0]), found[0].world)
        ghost = _pose(300, 250, vis=MIN_TILE_SCORE / 2)
        out = [copy, new, ghost]
        return [
            p
            for p in out
            if tile.x <= np.median(p.landmarks[:, 0]) < tile.x + tile.side
            and tile.y <= np.median(p.landmarks[:, 1]) < tile.y + tile.side
        ]

    people = search_tiles(image, found, 8, detect)
    assert people[0] is found[0]
    assert len(people) == 2 and np.allclose(people[1].landmarks, new.landmarks)
    assert calls  # tiles were looked at
    calls.clear()
    assert search_tiles(image, found, 1, detect) == found  # already at the limit
    assert calls == []


def test_tiles_need_image_mode():
    from arpose.tracking.detector import DetectorOptions, PoseDetector

    with pytest.raises(ValueError, match="mode='image'"):
        PoseDetector(DetectorOptions(tiles=True))


def _people(photo: Path, tiles: bool) -> list[np.ndarray]:
    from arpose.joints import COCO17_INDEX
    from arpose.tracking.pipeline import track

    with track(photo, keep_images=False, tiles=tiles) as pipeline:
        pf = next(iter(pipeline))
    return [p.landmarks[list(COCO17_INDEX), :2] for p in pf.poses]


def test_group_photos_find_more_annotated_people_and_no_ghosts():
    if not (COCO / "test_coco.json").is_file():
        pytest.skip(f"{COCO} not available")
    coco = json.loads((COCO / "test_coco.json").read_text())
    files = {im["id"]: COCO / im["file_name"] for im in coco["images"]}
    whole = coco_scores({i: _people(f, False) for i, f in files.items()}, coco)
    tiled = coco_scores({i: _people(f, True) for i, f in files.items()}, coco)
    assert tiled["ghosts"] == 0
    assert tiled["recall@OKS0.5"] >= whole["recall@OKS0.5"] + 0.4  # measured 0.33 -> 0.92
    assert tiled["PCK@0.2"] > whole["PCK@0.2"]


def test_detect_finds_coco_hands_the_raw_hand_model_misses():
    """The issue's "done when": on the COCO-WholeBody photos arpose finds hands that the
    raw HandLandmarker (IMAGE mode, same models) misses, and every hand the raw model finds."""
    wb = COCO / "test_coco_wholebody.json"
    if not wb.is_file():
        pytest.skip(f"{wb} not available")
    from arpose.sources import read_image
    from arpose.tracking.hands import HandDetector, HandOptions
    from arpose.tracking.pipeline import track

    data = json.loads(wb.read_text())
    ours_found = raw_found = 0
    with HandDetector(HandOptions(fallback="always")) as raw:
        for im in data["images"]:
            gts = []
            for a in data["annotations"]:
                for side in ("lefthand", "righthand"):
                    if a["image_id"] == im["id"] and a.get(f"{side}_valid"):
                        k = np.asarray(a[f"{side}_kpts"], np.float64).reshape(21, 3)
                        gts.append((k[:, :2], k[:, 2] > 0))
            if not gts:
                continue
            with track(COCO / im["file_name"], hands=True, keep_images=False) as pipeline:
                pf = next(iter(pipeline))
            ours = hand_scores([h.landmarks[:, :2] for h in pf.hands], gts)
            theirs = hand_scores(
                [h.landmarks[:, :2] for h in raw._whole_image(read_image(COCO / im["file_name"]))], gts
            )
            for mine, its in zip(ours["pck_all"], theirs["pck_all"]):
                assert not (its >= 0.5 and mine < its), "a hand the raw model finds is lost"
            ours_found += ours["found"]
            raw_found += theirs["found"]
    assert ours_found > raw_found


def test_people_found_on_the_whole_photo_are_kept_as_they_were():
    photo = COCO / "000000000785.jpg"  # one skier
    if not photo.is_file():
        pytest.skip(f"{photo} not available")
    from arpose.tracking.pipeline import track

    frames = []
    for tiles in (False, True):
        with track(photo, keep_images=False, tiles=tiles) as pipeline:
            frames.append(next(iter(pipeline)))
    before, after = frames
    assert len(before.poses) == len(after.poses) == 1  # no ghost from the tiles
    assert np.array_equal(before.poses[0].landmarks, after.poses[0].landmarks)
    assert before.to_json().keys() == after.to_json().keys()


def test_a_close_up_gives_one_person_not_a_ghost_on_the_raised_hand():
    """Tiles of a close-up show the detector a raised hand and arm as a smaller "person"
    (its face on the hand): it lies inside the real one and is dropped."""
    video = SHARED / "media" / "exercise" / "finger_flexion.mp4"
    if not video.is_file():
        pytest.skip(f"{video} not available")
    import cv2

    from arpose.tracking.detector import DetectorOptions, PoseDetector

    cap = cv2.VideoCapture(str(video))
    frames = []
    for index in (0, 205, 226):  # each gave a ghost before the rule
        cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, bgr = cap.read()
        assert ok
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    with PoseDetector(DetectorOptions(mode="image", num_poses=8, tiles=True)) as tracker:
        assert [len(tracker.detect(f).poses) for f in frames] == [1, 1, 1]


def test_rendering_effects_on_a_group_photo_dresses_the_people_detect_finds():
    """render_image (a photo's effects) looks for people on tiles too, as detect does."""
    import cv2

    from arpose.apps.offline import _detect

    photo = COCO / "000000197388.jpg"
    if not photo.is_file():
        pytest.skip("COCO photos not in ../shared/media")
    rgb = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
    assert len(_detect(rgb, False, 4).poses) >= 2


# -- issue 22: no phantom people ------------------------------------------------------------
@pytest.mark.parametrize(
    ("clip", "frame", "what"),
    [
        ("squat_head_out_5.mp4", 83, "a fragment along his arm and side"),
        ("squat_head_out_5.mp4", 156, "a fragment on his bent body"),
        ("jumping_jacks_11.mp4", 152, "a second copy, arms up"),
        ("squat_barbell_5.mp4", 0, "the barbell plate above his head"),
        ("squat_barbell_5.mp4", 148, "a fragment on his legs that did not come back on crops"),
        ("squat_barbell_5.mp4", 312, "a small whole-photo 'person' on his legs"),
        ("squat_barbell_5.mp4", 386, "a small whole-photo 'person' on his legs"),
    ],
)
def test_one_person_stays_one_person_on_a_photo(media, clip, frame, what):
    """The kitchen-photo case (one man, his outstretched arm taken for a second person
    wearing a crown), composed from single frames of the shared one-person clips, each
    read as a photo: ``what`` was a second person before issue 22 (the last three until
    the top-down check: on 312 and 386 MediaPipe's own whole-photo result holds only the
    small "person" and the lifter is found on a tile)."""
    import cv2

    from arpose.tracking.stage import TrackingStage

    path = media / "exercise" / clip
    if not path.is_file():
        pytest.skip(f"{path} not found")
    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_POS_FRAMES, frame)
    ok, bgr = cap.read()
    cap.release()
    assert ok
    pf = TrackingStage.photo(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), max_people=8)
    assert len(pf.poses) == 1, what


def test_photo_precision_and_recall_against_raw_mediapipe(media):
    """Issue 22's target (arpose bench --section identity, photos): on the shared annotated
    photos (COCO and PoseTrack18) arpose's precision is at least 0.95 and its recall not
    below raw MediaPipe's; the top-down check of tile people (tiles.reappears) is what
    brings precision there (without it: one half-hidden skier's guessed legs, 15 of 16)."""
    from arpose.bench.identity import photos

    if not (media / "coco" / "test_coco.json").is_file():
        pytest.skip("annotated photos not available")
    result = photos(media)
    raw, unchecked, ours = result["raw"], result["unchecked"], result["arpose"]
    assert ours["annotated"] == raw["annotated"] > 0
    assert ours["precision"] >= 0.95  # measured 15 of 15
    assert ours["recall"] >= raw["recall"] + 0.3  # measured 0.23 -> 0.58 (26 people)
    assert ours["true"] >= unchecked["true"]  # the check drops no true person here
    assert ours["false"] < unchecked["false"] or unchecked["false"] == 0
    for name in ("coco", "posetrack18"):  # each source on its own, too
        if f"arpose_{name}" in result:
            assert result[f"arpose_{name}"]["precision"] >= 0.95, name
            assert result[f"arpose_{name}"]["recall"] >= result[f"raw_{name}"]["recall"], name
