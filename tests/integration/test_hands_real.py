"""Hands with the real models: photos and video frames of people with visible hands."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from arpose.errors import ModelError

MEDIA = Path(__file__).resolve().parents[2].parent / "shared" / "media"
FLEX = MEDIA / "exercise" / "finger_flexion.mp4"
JACKS = MEDIA / "exercise" / "jumping_jacks_11.mp4"


def _frame(video: Path, index: int) -> np.ndarray:
    if not video.is_file():
        pytest.skip(f"{video} not available")
    cap = cv2.VideoCapture(str(video))
    cap.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, bgr = cap.read()
    cap.release()
    assert ok
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def tracker():
    from arpose.tracking.detector import DetectorOptions, PoseDetector

    with PoseDetector(DetectorOptions(mode="image", hands=True, hand_fallback="never")) as t:
        yield t


def test_raised_hand_found_from_the_body_with_its_side(tracker):
    rgb = _frame(FLEX, 0)  # the person's left hand raised, fingers open
    det = tracker.detect(rgb)
    assert len(det.poses) == 1
    assert [(h.side, h.person) for h in det.hands] == [("left", 0)]
    hand = det.hands[0]
    wrist = det.poses[0].xy("left_wrist")
    assert np.linalg.norm(hand.landmarks[0, :2] - wrist) < 0.6 * hand.size
    assert hand.world is not None and hand.world.shape == (21, 3)
    from arpose.input.handshapes import hand_shape

    assert all(hand_shape(hand).extended[f] for f in ("index", "middle", "ring", "pinky"))


def test_both_hands_of_a_whole_person(tracker):
    rgb = _frame(JACKS, 30)  # arms up in a jumping jack, 640x360: small hands
    det = tracker.detect(rgb)
    sides = sorted(h.side for h in det.hands)
    assert sides == ["left", "right"]
    for h in det.hands:  # each hand at its own body wrist: no swap
        wrist = det.poses[0].xy(f"{h.side}_wrist")
        assert np.linalg.norm(h.landmarks[0, :2] - wrist) < 0.8 * h.size


def test_hand_without_a_body_uses_the_palm_detector():
    from arpose.tracking.detector import DetectorOptions, PoseDetector

    rgb = _frame(FLEX, 0)
    close = np.ascontiguousarray(rgb[250:950, 1150:1750])  # just the hand: no body
    with PoseDetector(DetectorOptions(mode="image", hands=True)) as t:
        det = t.detect(close)
    bodiless = [h for h in det.hands if h.person is None]
    assert det.poses == () or all(h.person is None for h in det.hands)
    assert len(bodiless) == 1
    # The same hand that the body calls its left (see the test above).
    assert bodiless[0].side == "left"


def test_hand_half_out_of_the_frame(tracker):
    rgb = _frame(JACKS, 30)
    det = tracker.detect(rgb)
    top = min(h.box[1] for h in det.hands)
    cut = int(top + (max(h.box[3] for h in det.hands) - top) * 0.5)
    shifted = np.ascontiguousarray(rgb[cut:])  # the fingers above the picture's edge
    det2 = tracker.detect(shifted)  # must not crash; what is found is plausible
    for h in det2.hands:
        assert np.isfinite(h.landmarks).all()


def test_detect_json_hands_contract(tmp_path, capsys):
    from arpose.cli import main

    rgb = _frame(FLEX, 0)
    path = tmp_path / "flex.png"
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert main(["detect", str(path), "--json", "--hands"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert len(obj["hands"]) == 1
    h = obj["hands"][0]
    assert h["person"] == obj["people"][0]["id"] and h["side"] == "left"
    assert len(h["landmarks"]) == 21 and len(h["world"]) == 21
    assert main(["detect", str(path), "--json"]) == 0
    assert "hands" not in json.loads(capsys.readouterr().out)


def test_missing_hand_model_is_a_clear_error(tmp_path):
    from arpose.tracking.hands import HandDetector, HandOptions

    with pytest.raises(ModelError, match=r"no-such\.task"):
        HandDetector(HandOptions(model=tmp_path / "no-such.task"))


def test_finger_effect_switches_hands_on_for_a_video(tmp_path):
    from arpose.apps.offline import render_source

    if not JACKS.is_file():
        pytest.skip("media not available")
    # a 3-frame clip of the jumping jacks
    clip = tmp_path / "clip.avi"
    w = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 24, (640, 360))
    for i in (30, 31, 32):
        w.write(cv2.cvtColor(_frame(JACKS, i), cv2.COLOR_RGB2BGR))
    w.release()

    def red_pixels(path: Path) -> int:
        cap = cv2.VideoCapture(str(path))
        total = 0
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).astype(int)
            total += int(((rgb[..., 0] > 150) & (rgb[..., 1] < 110) & (rgb[..., 2] < 110)).sum())
        cap.release()
        return total

    nails, plain = tmp_path / "nails.mp4", tmp_path / "plain.mp4"
    render_source(["painted-nails"], str(clip), nails)
    render_source(["glow-hands"], str(clip), plain)  # a body effect: no hands, no nails
    # nails drawn: the hands were tracked without being asked
    assert red_pixels(nails) > red_pixels(plain) + 30


def _arms_up_clip(path: Path, frames: int) -> Path:
    """jumping_jacks_11 from frame 28 on, arms up: both hands in view."""
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 24, (640, 360))
    for i in range(28, 28 + frames):
        w.write(cv2.cvtColor(_frame(JACKS, i), cv2.COLOR_RGB2BGR))
    w.release()
    return path


def test_openpose_export_with_hands_fills_both_arrays(tmp_path):
    from arpose.export import export, read_openpose_hands

    clip = _arms_up_clip(tmp_path / "jacks.avi", 6)
    out = tmp_path / "op"
    res = export(clip, "openpose", out, hands=True)
    assert res.frames == 6
    files = sorted(out.glob("*.json"))
    both = [
        f
        for f in files
        if any(p["left"] is not None and p["right"] is not None for p in read_openpose_hands(f))
    ]
    assert len(both) >= 3
    person = json.loads(files[0].read_text())["people"][0]
    assert len(person["hand_left_keypoints_2d"]) == 63


@pytest.fixture(scope="module")
def closeup_crop():
    """An upright crop of the close-up's hand, framed from the raw HandLandmarker's own
    landmarks (the reference the crop model is compared against)."""
    from arpose.tracking.hands.detector import CROP_PX, HandDetector, HandOptions
    from arpose.tracking.hands.regions import region_from_points

    rgb = _frame(FLEX, 40)
    with HandDetector(HandOptions(fallback="always")) as d:
        raw = d._whole_image(rgb)
    assert len(raw) == 1
    lm = raw[0].landmarks
    region = region_from_points(lm[0, :2], lm[5, :2], lm[17, :2], "left", None)
    patch, m = region.crop(rgb, CROP_PX)
    return patch, cv2.invertAffineTransform(m), lm


@pytest.mark.parametrize("backend", ["litert", "opencv"])
def test_landmark_model_on_a_crop_without_palm_detection(closeup_crop, backend):
    from arpose.model import ensure_hand_model
    from arpose.tracking.hands.detector import HandLandmarkModel

    patch, inv, ref = closeup_crop
    model = HandLandmarkModel(ensure_hand_model(), backend)
    assert model.backend == backend
    xyz, world, presence, handedness = model(patch)
    assert presence > 0.8
    xy = xyz[:, :2] @ inv[:, :2].T + inv[:, 2]
    box = max(np.ptp(ref[:, 0]), np.ptp(ref[:, 1]))
    # the same landmarks as the Tasks HandLandmarker (palm detection + landmark model)
    assert np.linalg.norm(xy - ref[:, :2], axis=1).mean() < 0.05 * box
    assert (world is not None) == (backend == "litert")
    # handedness is the model's: a mirrored crop flips it; an empty crop has no hand
    assert (handedness - 0.5) * (model(np.ascontiguousarray(patch[:, ::-1]))[3] - 0.5) < 0
    assert model(np.full_like(patch, 128))[2] < 0.1


def test_bundle_without_the_landmark_model_is_a_clear_error(tmp_path):
    import zipfile

    from arpose.tracking.hands.detector import LANDMARK_MEMBER, HandLandmarkModel

    bad = tmp_path / "pose_only.task"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("hand_detector.tflite", b"x")
    with pytest.raises(ModelError, match=LANDMARK_MEMBER):
        HandLandmarkModel(bad)


def test_crop_world_landmarks_are_in_the_image_axes(tracker):
    """The crop is turned upright; its world landmarks are turned back, so they agree with
    the raw HandLandmarker's (which works on the image as it is)."""
    from arpose.tracking.hands import HandDetector, HandOptions

    rgb = cv2.rotate(_frame(FLEX, 40), cv2.ROTATE_90_CLOCKWISE)  # the hand lies on its side
    ours = tracker.detect(rgb).hands
    with HandDetector(HandOptions(fallback="always")) as raw:
        theirs = raw._whole_image(rgb)
    assert len(ours) == 1 and len(theirs) == 1
    assert ours[0].world is not None and theirs[0].world is not None
    assert np.linalg.norm(ours[0].world - theirs[0].world, axis=1).mean() < 0.03


def test_unsure_small_hands_get_a_second_look(tracker):
    """Whole person, 20 px hands: where the landmark model alone is unsure of a crop, the
    second look (palm detection in the same crop) finds more of the body's hands."""
    from arpose.tracking.hands.regions import regions_from_pose

    hd = tracker._hands
    direct = both = 0
    for index in (10, 43, 206, 238):
        rgb = _frame(JACKS, index)
        det = tracker.detect(rgb)
        both += len(det.hands)
        for r in regions_from_pose(det.poses[0], 0, image_size=rgb.shape[1::-1]):
            direct += hd._landmarks_in(rgb, r)[0] is not None
    assert both > direct


def test_video_tracks_hands_from_the_previous_frame():
    """VIDEO mode: after the first frame the hand is cropped from its own landmarks (one
    landmark run, no second look) and stays at its body's wrist, as in image mode."""
    from arpose.tracking.detector import DetectorOptions, PoseDetector

    frames = [_frame(FLEX, i) for i in range(0, 10, 2)]
    with PoseDetector(DetectorOptions(mode="video", hands=True, hand_fallback="never")) as t:
        calls: list[str] = []
        hd = t._hands
        orig = hd._tracked

        def spy(image, region):
            hand = orig(image, region)
            calls.append("tracked" if hand is not None else "lost")
            return hand

        hd._tracked = spy
        found = [t.detect(rgb, k / 15.0) for k, rgb in enumerate(frames)]
    assert all([h.side for h in d.hands] == ["left"] for d in found)
    assert calls.count("tracked") >= len(frames) - 2
    for d in found:
        wrist = d.poses[0].xy("left_wrist")
        assert np.linalg.norm(d.hands[0].landmarks[0, :2] - wrist) < 0.6 * d.hands[0].size


def test_video_looks_at_an_empty_hand_region_every_other_frame(tracker):
    """A body region with clearly no hand in it is skipped for EMPTY_COOLDOWN - 1 frames
    in video (tracking) mode, and tried every frame for photos."""
    from arpose.tracking.hands import HandDetector, HandOptions
    from arpose.tracking.hands.detector import EMPTY_COOLDOWN

    poses = tracker.detect(_frame(FLEX, 0)).poses
    grey = np.full_like(_frame(FLEX, 0), 128)  # the body's hand regions hold nothing
    runs = []
    with HandDetector(HandOptions(fallback="never", track=True)) as hd:
        for _ in range(2 * EMPTY_COOLDOWN):
            assert hd.detect(grey, poses) == ()
            runs.append(hd.last_crops)
    assert runs[0] >= 1
    assert runs[1:EMPTY_COOLDOWN] == [0] * (EMPTY_COOLDOWN - 1)
    assert runs[EMPTY_COOLDOWN] == runs[0]
    with HandDetector(HandOptions(fallback="never", track=False)) as hd:
        assert [hd.detect(grey, poses) or hd.last_crops for _ in range(3)] == [runs[0]] * 3


def test_csv_and_folder_export_with_hands(tmp_path):
    """A folder export with --hands: CSV rows carry both hands' 21 landmarks; the manifest
    knows the output has hands, so a rerun without hands exports again."""
    import csv

    from arpose.export import CSV_COLUMNS, CSV_HAND_COLUMNS, export_folder

    folder = tmp_path / "clips"
    folder.mkdir()
    _arms_up_clip(folder / "jacks.avi", 4)
    out = tmp_path / "csv"
    [res] = export_folder(folder, "csv", out, workers=1, progress=False, hands=True)
    assert res.error is None and res.frames == 4
    rows = list(csv.reader(open(res.output)))
    assert tuple(rows[0]) == CSV_COLUMNS + CSV_HAND_COLUMNS
    assert len(CSV_HAND_COLUMNS) == 2 * 21 * 4 and CSV_HAND_COLUMNS[0] == "left_hand_wrist_x"
    col = {n: k for k, n in enumerate(rows[0])}
    both = [r for r in rows[1:] if r[col["left_hand_wrist_x"]] and r[col["right_pinky_tip_y"]]]
    assert len(both) >= 2
    for r in both:  # each hand's wrist at its body's wrist
        for side in ("left", "right"):
            hand = np.array([float(r[col[f"{side}_hand_wrist_{c}"]]) for c in "xy"])
            body = np.array([float(r[col[f"{side}_wrist_{c}"]]) for c in "xy"])
            assert np.linalg.norm(hand - body) < 40
    [again] = export_folder(folder, "csv", out, workers=1, progress=False, hands=True)
    assert again.skipped
    [plain] = export_folder(folder, "csv", out, workers=1, progress=False)
    assert not plain.skipped
    assert tuple(next(csv.reader(open(plain.output)))) == CSV_COLUMNS


def test_a_game_that_needs_fingers_gets_hands_without_the_flag(media, tmp_path):
    """``Game.needs_hands``: ``arpose play GAME`` tracks hands for it, like a finger effect."""
    import os
    import subprocess
    import sys
    import textwrap

    clip = media / "exercise" / "finger_flexion.mp4"
    if not clip.exists():
        pytest.skip("finger_flexion.mp4 not in ../shared/media")
    cap = cv2.VideoCapture(str(clip))
    small = tmp_path / "hand.avi"
    out = cv2.VideoWriter(str(small), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 360))
    for _ in range(12):
        ok, img = cap.read()
        assert ok
        out.write(cv2.resize(img, (640, 360)))
    out.release()
    cap.release()
    for needs in (True, False):
        pkg = tmp_path / f"pkg{needs}"
        pkg.mkdir()
        (pkg / "finger_game.py").write_text(
            textwrap.dedent(f"""
            from arpose.play import Game

            class FingerGame(Game):
                name = "finger-game"
                title = "Finger game"
                description = "counts the hands it is given"
                needs_hands = {needs}
                duration = 60.0
                tracked = hands = 0

                def on_update(self, dt):
                    super().on_update(dt)
                    frame = self.app.frame
                    if frame is not None:
                        self.tracked += int(frame.hands_tracked)
                        self.hands += len(frame.hands)

                def extra_report(self):
                    return {{"hands_tracked": self.tracked, "hands": self.hands}}
        """)
        )
        dist = pkg / "finger_game-0.1.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: finger-game\nVersion: 0.1\n")
        (dist / "entry_points.txt").write_text("[arpose.games]\nfinger-game = finger_game:FingerGame\n")
        report = tmp_path / f"report{needs}.json"
        env = dict(os.environ, PYTHONPATH=str(pkg))
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "arpose",
                "play",
                "finger-game",
                "--headless",
                "--source",
                str(small),
                "--report",
                str(report),
                "--players",
                "1",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr
        data = json.loads(report.read_text())
        if needs:
            assert data["hands_tracked"] > 0 and data["hands"] > 0, data
        else:
            assert data["hands_tracked"] == 0 and data["hands"] == 0, data


def test_hand_signs_reads_a_real_hand_opening_and_closing(media):
    """The hand-signs game on the real close-up: the hand opens and closes, so every
    open-palm and fist card is made, by the person's left hand (the raised one)."""
    import itertools

    from arpose.play import PlayOptions, run_headless
    from arpose.tracking.pipeline import track

    clip = media / "exercise" / "finger_flexion.mp4"
    if not clip.exists():
        pytest.skip("finger_flexion.mp4 not in ../shared/media")
    with track(clip, hands=True) as frames:
        first = list(itertools.islice(iter(frames), 150))  # 5 s
    report = run_headless(
        "hand-signs", first, PlayOptions(sound=False, players=1, extra={"sequence": ["open_palm", "fist"]})
    )
    made = [e for e in report["events"] if e["kind"] == "sign"]
    assert report["signs"] >= 3 and report["missed"] == 0, report
    assert {e["sign"] for e in made} == {"open_palm", "fist"}
    assert {e["side"] for e in made} == {"left"}
