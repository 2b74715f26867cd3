"""Hands: vocabulary, data model, regions from the pose, gestures, pinch-to-click."""

from __future__ import annotations

import math

import numpy as np
import pytest

from arpose.input.handshapes import HAND_GESTURES, HandGestureDetector, hand_shape
from arpose.joints import (
    HAND_JOINT_NAMES,
    HAND_LANDMARK_NAMES,
    JOINT_NAMES,
    OPENPOSE_HAND,
    is_hand_joint,
    resolve_joint,
)
from arpose.pose import Hand, Pose, PoseFrame
from arpose.testing.hands import SHAPES, shape_hand, synthetic_hand
from arpose.tracking.hands.regions import region_from_hand, region_from_points


# -- vocabulary ----------------------------------------------------------------------------
def test_hand_joint_names_and_aliases():
    assert len(HAND_LANDMARK_NAMES) == 21 and len(HAND_JOINT_NAMES) == 42
    assert HAND_JOINT_NAMES[0] == "left_hand_wrist" and HAND_JOINT_NAMES[21] == "right_hand_wrist"
    assert "left_ring_finger_pip" in JOINT_NAMES and "right_pinky_tip" in JOINT_NAMES
    assert resolve_joint("left_ring_tip") == "left_ring_finger_tip"
    assert resolve_joint("Right-Little-Tip") == "right_pinky_tip"
    assert resolve_joint("left_palm") == "left_palm"
    assert is_hand_joint("left_index_tip") and is_hand_joint("right_palm")
    assert not is_hand_joint("left_wrist") and not is_hand_joint("left_index")
    # OpenPose's hand order is the hand model's order.
    assert [j for _, j in OPENPOSE_HAND] == list(HAND_LANDMARK_NAMES)


def test_joints_command_lists_hands(capsys):
    from arpose.cli import main

    assert main(["joints"]) == 0
    out = capsys.readouterr().out
    assert "left_ring_finger_pip" in out and "right_palm" in out and "OpenPose hand" in out


# -- data model ----------------------------------------------------------------------------
def _body() -> Pose:
    from arpose.testing.bodies import Body, make_pose

    return make_pose(Body(), image_size=(1280, 720))


def test_pose_finger_joints_come_from_its_hand():
    body = _body().with_id(3)
    wrist = body.xy("left_wrist")
    hand = synthetic_hand(center=(float(wrist[0]), float(wrist[1])), side="left", person=3)
    pose = body.with_hands((hand,))
    np.testing.assert_allclose(pose.xy("left_index_tip"), hand.landmarks[8, :2])
    assert pose.visibility("left_index_tip") == 1.0
    # The other hand is not tracked: visibility 0, parked on the body's hand landmark.
    assert pose.visibility("right_index_tip") == 0.0
    np.testing.assert_allclose(pose.xy("right_index_tip"), body.xy("right_index"))
    palm = pose.xy("left_palm")
    np.testing.assert_allclose(palm, hand.palm, atol=1e-4)
    assert pose.measure("hand_size") == pytest.approx(hand.size)
    assert body.measure("hand_size") == pytest.approx(0.25 * body.measure("shoulder_width"))
    assert pose.all_world.shape == (len(JOINT_NAMES), 3)


def test_frame_json_round_trip_with_hands():
    body = _body().with_id(0)
    hand = synthetic_hand(side="right", person=0).replace(id=7)
    lone = synthetic_hand(side="left", person=None, center=(100, 100)).replace(id=8)
    pf = PoseFrame(1.5, 45, (1280, 720), (body.with_hands((hand,)),), hands=(hand, lone), hands_tracked=True)
    obj = pf.to_json()
    assert [h["id"] for h in obj["hands"]] == [7, 8]
    h0 = obj["hands"][0]
    assert set(h0) == {"id", "person", "side", "score", "landmarks", "world"}
    assert h0["person"] == 0 and h0["side"] == "right" and h0["world"] is None
    assert len(h0["landmarks"]) == 21 and len(h0["landmarks"][0]) == 4
    assert obj["hands"][1]["person"] is None
    back = PoseFrame.from_json(obj)
    assert len(back.hands) == 2 and back.poses[0].hand("right") is not None
    np.testing.assert_allclose(back.hands[0].landmarks, hand.landmarks, atol=0.01)
    # Hand tracking on, nothing found: an empty list. Off: no key (the body contract).
    assert PoseFrame(0, 0, (10, 10), hands_tracked=True).to_json()["hands"] == []
    assert "hands" not in PoseFrame(0, 0, (10, 10)).to_json()


def test_hand_rejects_bad_shapes():
    with pytest.raises(ValueError, match="21, 4"):
        Hand(np.zeros((20, 4), np.float32), None, "left")
    with pytest.raises(ValueError, match="side"):
        Hand(np.zeros((21, 4), np.float32), None, "middle")


# -- regions -------------------------------------------------------------------------------
def test_region_from_pose_points_upright_and_sideways():
    # Fingers straight up: no rotation; the box centre lies beyond the knuckles.
    r = region_from_points(
        np.array([100.0, 200.0]), np.array([90.0, 160.0]), np.array([120.0, 160.0]), "left"
    )
    assert r.rotation == pytest.approx(0.0, abs=1e-9)
    middle = (2 * np.array([90.0, 160.0]) + np.array([120.0, 160.0])) / 3
    assert r.size == pytest.approx(2.7 * 2 * np.linalg.norm(middle - [100, 200]))
    assert r.center[1] < middle[1]
    # Fingers pointing right (image +x): a quarter turn, and the crop shows them up.
    r = region_from_points(
        np.array([100.0, 200.0]), np.array([140.0, 195.0]), np.array([140.0, 210.0]), "right"
    )
    assert abs(r.rotation) == pytest.approx(math.pi / 2, abs=0.2)
    m = r.to_crop(256)
    tip = m[:, :2] @ np.array([160.0, 200.0]) + m[:, 2]
    wrist = m[:, :2] @ np.array([100.0, 200.0]) + m[:, 2]
    assert tip[1] < wrist[1] - 50 and abs(tip[0] - wrist[0]) < 40


@pytest.mark.parametrize("rotation", [0.0, 0.7, -1.6, 3.0])
def test_region_from_a_tracked_hand_holds_it_upright(rotation):
    """The next frame's crop from this frame's landmarks: every landmark inside, the
    fingertips above the wrist, the hand about half the crop (MediaPipe's 2.0 scale)."""
    hand = synthetic_hand(center=(300.0, 250.0), size=80.0, rotation=rotation)
    r = region_from_hand(hand.landmarks, "right", 0)
    m = r.to_crop(224)
    pts = hand.landmarks[:, :2] @ m[:, :2].T + m[:, 2]
    assert np.all((pts > 0) & (pts < 224))
    assert pts[12, 1] < pts[0, 1] - 60 and abs(pts[9, 0] - pts[0, 0]) < 30
    span = max(np.ptp(pts[:, 0]), np.ptp(pts[:, 1]))
    assert 0.4 * 224 < span < 0.9 * 224


# -- gestures ------------------------------------------------------------------------------
def _rot(name: str) -> float:
    return -math.pi / 2 if name == "thumbs_up" else 0.0


@pytest.mark.parametrize("name", [n for n in SHAPES if n != "relaxed"])
def test_each_shape_fires_its_gesture(name):
    det = HandGestureDetector()
    events = []
    for i in range(12):
        hand = shape_hand(name, rotation=_rot(name) + 0.2, size=55.0)
        events += det.update({"right": hand}, i / 30)
    started = {e.name for e in events if e.phase == "start"}
    want = {"ok": {"ok", "pinch"}}.get(name, {name})
    assert started == want
    assert all(e.side == "right" for e in events)


@pytest.mark.parametrize("seed", range(5))
def test_relaxed_hand_fires_nothing(seed):
    rng = np.random.default_rng(seed)
    det = HandGestureDetector()
    events = []
    for i in range(60):
        hand = synthetic_hand(
            {
                "index": 0.3 + rng.uniform(-0.05, 0.05),
                "middle": 0.38 + rng.uniform(-0.05, 0.05),
                "ring": 0.42 + rng.uniform(-0.05, 0.05),
                "pinky": 0.45 + rng.uniform(-0.05, 0.05),
            },
            thumb="relaxed",
            rotation=rng.uniform(-1.0, 1.0),
            size=rng.uniform(30, 120),
            side=["left", "right"][seed % 2],
        )
        lm = hand.landmarks.copy()
        lm[:, :2] += rng.normal(0, 0.01 * hand.size, (21, 2))
        events += det.update([hand.replace(landmarks=lm)], i / 30)
    assert events == []


def test_pinch_hysteresis_and_debounce():
    cfg_det = HandGestureDetector()
    seq = [0.6, 0.25, 0.4, 0.38, 0.5, 0.28, 0.6]
    names = []
    for i, gap in enumerate(seq):
        hand = synthetic_hand(
            {"index": 0.35, "middle": 0.45, "ring": 0.5, "pinky": 0.55}, thumb="pinch", pinch_gap=gap
        )
        d = hand_shape(hand).pinch
        names += [(e.phase, round(d, 2)) for e in cfg_det.update([hand], i / 30)]
    # in at 0.25, stays in at 0.40/0.38 (below 0.45), out at 0.5, in again, out again.
    assert [p for p, _ in names] == ["start", "end", "start", "end"]
    # A one-frame fist flicker never starts a fist (hold 0.12 s).
    det = HandGestureDetector()
    ev = det.update([shape_hand("fist")], 0.0) + det.update([shape_hand("open_palm")], 1 / 30)
    assert not [e for e in ev if e.name == "fist"]
    assert set(HAND_GESTURES) >= {"pinch", "fist", "open_palm", "point", "thumbs_up", "victory", "ok"}


# -- pinch-to-click --------------------------------------------------------------------------
def test_pinch_presses_a_menu_button_before_the_dwell_would():
    pytest.importorskip("pygame")
    from play_helpers import frame, hand_pointing_at, new_app

    from arpose.play import MenuView, TitleView

    app = new_app()
    app.show(TitleView())
    app.feed(frame(0.0, _body_from_helpers()))
    start = app.views.top.buttons[0]
    body = hand_pointing_at(app, start.rect.center)
    dwell = start.dwell

    def fed(t: float, pinch: bool) -> PoseFrame:
        pf = frame(t, body, index=int(t * 30))
        pose = pf.poses[0]
        wrist = pose.xy("right_wrist")
        hand = shape_hand(
            "pinch" if pinch else "open_palm",
            side="right",
            person=pose.id,
            center=(float(wrist[0]), float(wrist[1])),
        )
        return PoseFrame(
            pf.t, pf.index, pf.size, (pose.with_hands((hand,)),), hands=(hand,), hands_tracked=True
        )

    t = 0.0
    for i in range(6):  # hover with an open hand: 0.2 s, far from the dwell time
        t = (i + 1) / 30
        app.feed(fed(t, False))
        app.tick(1 / 30)
    assert type(app.views.top).__name__ == "TitleView"
    app.feed(fed(t + 1 / 30, True))  # pinch
    app.tick(1 / 30)
    assert isinstance(app.views.top, MenuView)
    assert t + 1 / 30 < dwell


def _body_from_helpers():
    from arpose.testing.bodies import Body

    return Body()


def test_dwell_button_pinch_needs_the_cursor_inside():
    pygame = pytest.importorskip("pygame")
    from arpose.play import MenuButton

    b = MenuButton("go", "Go", pygame.Rect(100, 100, 200, 100), dwell=1.0)
    assert not b.update([(150, 150)], 0.1, pinches=[(10, 10)])
    assert b.update([(150, 150)], 0.1, pinches=[(150, 150)])
    assert not b.update([(150, 150)], 0.1)  # no dwell double-press after the pinch


# -- recordings ------------------------------------------------------------------------------
def test_openpose_round_trip_with_hands(tmp_path):
    from arpose.export import openpose_json, read_openpose, read_openpose_hands

    body = _body().with_id(0)
    left = synthetic_hand(side="left", person=0)
    pf = PoseFrame(0.0, 0, (1280, 720), (body.with_hands((left,)),), hands=(left,), hands_tracked=True)
    obj = openpose_json(pf)
    person = obj["people"][0]
    assert len(person["hand_left_keypoints_2d"]) == 63
    assert len(person["hand_right_keypoints_2d"]) == 63  # not found: zeros, as OpenPose
    path = tmp_path / "f_000000000000_keypoints.json"
    import json

    path.write_text(json.dumps(obj))
    hands = read_openpose_hands(path)
    np.testing.assert_allclose(hands[0]["left"][:, :2], left.landmarks[:, :2], atol=1e-3)
    assert hands[0]["right"] is None
    assert read_openpose(path)[0].shape == (25, 3)
    # Hand tracking off: OpenPose's empty arrays.
    off = openpose_json(PoseFrame(0.0, 0, (1280, 720), (body,)))
    assert off["people"][0]["hand_left_keypoints_2d"] == []


def test_osc_hand_messages_and_websocket_json():
    from pythonosc.osc_message import OscMessage

    from arpose.stream import OscSender

    body = _body().with_id(4)
    hand = synthetic_hand(side="right", person=4, center=(640, 360)).replace(id=9)
    pf = PoseFrame(0.5, 15, (1280, 720), (body.with_hands((hand,)),), hands=(hand,), hands_tracked=True)
    sender = OscSender("127.0.0.1", 9)
    try:
        msgs = [OscMessage(d) for d in sender.messages(pf)]
    finally:
        sender.close()
    hand_msgs = [m for m in msgs if m.address == "/arpose/hand"]
    assert len(hand_msgs) == 1
    args = hand_msgs[0].params
    assert args[:5] == [15, 0.5, 9, 4, "right"] and len(args) == 5 + 84
    assert args[5] == pytest.approx(hand.landmarks[0, 0] / 1280, abs=1e-6)
    assert args[6] == pytest.approx(hand.landmarks[0, 1] / 720, abs=1e-6)
    # The WebSocket sends PoseFrame.to_json: the hands are in it.
    assert pf.to_json()["hands"][0]["id"] == 9


def test_crossed_hands_stay_with_their_own_body():
    """Two people's hands side by side: both bodies' crops may see both hands; each hand
    stays with the body whose wrist it starts at."""
    from arpose.tracking.hands.detector import _dedupe_crossed
    from arpose.tracking.hands.regions import HandRegion

    a = synthetic_hand(side="right", person=0, center=(300.0, 300.0), size=50)
    b = synthetic_hand(side="left", person=1, center=(330.0, 300.0), size=50)
    ra = HandRegion((300, 250), 270, 0.0, "right", 0, (300.0, 300.0))
    rb = HandRegion((330, 250), 270, 0.0, "left", 1, (330.0, 300.0))
    # person 0's crop also returned person 1's hand (as its own): a duplicate, worse fit
    dup = b.replace(person=0, side="right")
    kept = _dedupe_crossed([dup, a, b], [ra, rb])
    assert sorted((h.person, h.side, float(h.landmarks[0, 0])) for h in kept) == [
        (0, "right", 300.0),
        (1, "left", 330.0),
    ]
