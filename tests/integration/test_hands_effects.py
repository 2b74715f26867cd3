"""Finger effects: golden renders of the gallery's finger effects on synthetic hands, and
hand tracking switching on by itself for them."""

from __future__ import annotations

import math
import os

import cv2
import numpy as np
import pytest
from gl_fixtures import GOLDEN_DIR, assert_images_close

from arpose.effects import load_effects
from arpose.effects.nodes import needs_hands
from arpose.pose import PoseFrame
from arpose.testing.bodies import Body, make_pose
from arpose.testing.hands import shape_hand

SIZE = (640, 480)


def _frame(rotation: float = 0.0) -> PoseFrame:
    pose = make_pose(Body(), image_size=SIZE).with_id(0)
    hands = (
        shape_hand("open_palm", side="left", person=0, center=(470.0, 330.0), size=70.0, rotation=rotation),
        shape_hand("victory", side="right", person=0, center=(170.0, 330.0), size=70.0),
    )
    image = np.full((SIZE[1], SIZE[0], 3), (205, 190, 175), np.uint8)
    from arpose.joints import HAND_CONNECTIONS

    for hand in hands:  # the hands themselves, so the picture shows where the fingers are
        for a, b in HAND_CONNECTIONS:
            cv2.line(
                image,
                tuple(int(v) for v in hand.landmarks[a, :2]),
                tuple(int(v) for v in hand.landmarks[b, :2]),
                (150, 100, 80),
                9,
                cv2.LINE_AA,
            )
    return PoseFrame(0.0, 0, SIZE, (pose.with_hands(hands),), image=image, hands=hands, hands_tracked=True)


def test_finger_effects_need_hands_and_body_effects_do_not():
    assert needs_hands(load_effects(["finger-ring"]))
    assert needs_hands(load_effects(["painted-nails"]))
    assert not needs_hands(load_effects(["top-hat", "wings", "glow-hands"]))


def test_golden_finger_effects(tmp_path):
    from arpose.apps.offline import render_image

    frame = _frame()
    out = render_image(["finger-ring", "painted-nails"], frame.image, frame)
    path = GOLDEN_DIR / "hands_fingers.png"
    if os.environ.get("ARPOSE_UPDATE_GOLDEN") == "1":
        cv2.imwrite(str(path), cv2.cvtColor(out, cv2.COLOR_RGB2BGR))
        pytest.skip(f"wrote {path}")
    expected = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    cv2.imwrite(str(tmp_path / "hands_fingers.png"), cv2.cvtColor(out, cv2.COLOR_RGB2BGR))
    assert_images_close(out, expected)
    # Red nails sit on the fingertips of both hands.
    red = (out[..., 0] > 170) & (out[..., 1] < 80) & (out[..., 2] < 90)
    for hand in frame.hands:
        for tip in (4, 8, 12):
            if hand.side == "right" and tip == 12:
                continue
            x, y = hand.landmarks[tip, :2].astype(int)
            assert red[y - 8 : y + 9, x - 8 : x + 9].any(), (hand.side, tip)


def test_ring_follows_and_rolls_with_the_finger():
    from arpose.apps.offline import render_image

    def ring_axis(rotation: float) -> tuple[np.ndarray, float]:
        frame = _frame(rotation)
        out = render_image(["finger-ring"], frame.image, frame).astype(int)
        diff = np.abs(out - frame.image.astype(int)).sum(2) > 60
        ys, xs = np.nonzero(diff)
        pts = np.stack([xs, ys], 1).astype(float)
        c = pts.mean(0)
        # the band's long axis: the main direction of the changed pixels
        w, v = np.linalg.eigh(np.cov((pts - c).T))
        axis = v[:, -1]
        return c, math.degrees(math.atan2(axis[1], axis[0])) % 180

    c0, a0 = ring_axis(0.0)
    c1, a1 = ring_axis(math.radians(40))
    frame = _frame(0.0)
    mcp, pip = frame.hands[0].landmarks[13, :2], frame.hands[0].landmarks[14, :2]
    assert np.linalg.norm(c0 - (mcp + pip) / 2) < 25  # on the ring finger
    turned = (a1 - a0) % 180
    assert 25 < turned < 55 or 125 < turned < 155  # rolled with the hand (40 deg)
    assert np.linalg.norm(c1 - c0) > 20  # and moved with it


def test_the_one_skeleton_drawer_draws_the_tracked_hands():
    from arpose.joints import HAND_CONNECTIONS
    from arpose.render.skeleton import skeleton_geometry

    pose = make_pose(Body(), image_size=(1280, 720)).with_id(0)
    wrist = pose.xy("right_wrist")
    hand = shape_hand("open_palm", side="right", person=0, center=(float(wrist[0]), float(wrist[1])))
    body_only = skeleton_geometry([pose])
    with_hand = skeleton_geometry([pose.with_hands((hand,))])
    assert len(with_hand) == len(body_only) + len(HAND_CONNECTIONS) + 21
    tips = hand.landmarks[[4, 8, 12, 16, 20], :2]
    starts = with_hand[:, 0:2]
    assert all(np.any(np.all(np.isclose(starts, tip, atol=1e-3), axis=1)) for tip in tips)
    hidden = hand.replace(
        landmarks=np.concatenate([hand.landmarks[:, :3], np.zeros((21, 1), np.float32)], axis=1)
    )
    assert len(skeleton_geometry([pose.with_hands((hidden,))])) == len(body_only)
