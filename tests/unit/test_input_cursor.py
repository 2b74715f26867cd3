"""Hand cursor (reach box, mirroring, smoothing, hiding) and dwell buttons."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from arpose.input.cursor import DwellButton, HandCursor, ReachBox, draw_dwell_ring
from arpose.testing.bodies import Body, make_pose

SCREEN = (1280, 720)


def cursor_at(body: Body, **kw) -> tuple[float, float] | None:
    """Cursor position after holding ``body`` still for half a second (filters settle)."""
    cur = HandCursor(SCREEN, **kw)
    pos = None
    for i in range(16):
        pos = cur.update(make_pose(body), i / 30)
    return pos


def test_right_hand_to_the_users_right_moves_the_cursor_right_on_a_mirror_screen():
    xs = [cursor_at(Body(right_hand=(out, 0.2, 0.5)))[0] for out in (-0.3, 0.2, 0.6, 1.0)]
    assert all(b > a + 50 for a, b in zip(xs, xs[1:])), xs
    # in the unmirrored image the same hand moves LEFT (x decreases)
    img_x = [make_pose(Body(right_hand=(o, 0.2, 0.5))).xy("right_wrist")[0] for o in (-0.3, 1.0)]
    assert img_x[1] < img_x[0]
    # an unmirrored screen flips it
    xs_plain = [cursor_at(Body(right_hand=(o, 0.2, 0.5)), flip=False)[0] for o in (-0.3, 1.0)]
    assert xs_plain[1] < xs_plain[0]


def test_left_hand_out_moves_the_cursor_left_and_raising_moves_it_up():
    a = cursor_at(Body(left_hand=(0.0, 0.2, 0.5)), hand="left")
    b = cursor_at(Body(left_hand=(1.0, 0.2, 0.5)), hand="left")
    assert b[0] < a[0] - 100
    low = cursor_at(Body(right_hand=(0.5, -0.3, 0.5)))
    high = cursor_at(Body(right_hand=(0.5, 0.9, 0.5)))
    assert high[1] < low[1] - 200


def test_reach_box_is_relative_to_the_body_not_the_image():
    """Same arm pose, a small far player at the left edge and a big near one in the
    middle: same cursor position."""
    hand = (0.7, 0.5, 0.4)
    far = cursor_at(Body(x=200, floor=500, scale=45, right_hand=hand))
    near = cursor_at(Body(x=700, floor=700, scale=140, right_hand=hand))
    assert np.allclose(far, near, atol=6), (far, near)


def test_reach_box_corners_reach_the_screen_corners():
    box = ReachBox()
    # right hand, user's frame: out = 0.3 +- 0.75, up = 0.25 +- 0.65: all within reach
    top_right = cursor_at(Body(right_hand=(box.out + box.width / 2, box.up + box.height / 2, 0.1)))
    bottom_left = cursor_at(Body(right_hand=(box.out - box.width / 2, box.up - box.height / 2, 0.6)))
    assert top_right[0] >= SCREEN[0] - 2 and top_right[1] <= 2
    assert bottom_left[0] <= 2 and bottom_left[1] >= SCREEN[1] - 2


def test_hanging_hands_hide_the_cursor():
    assert cursor_at(Body()) is None  # arms down
    assert cursor_at(Body(right_hand=(0.5, 0.0, 0.5))) is not None
    cur = HandCursor(SCREEN)
    assert cur.update(None, 0.0) is None and not cur.active


def test_auto_hand_picks_the_raised_hand_with_hysteresis():
    cur = HandCursor(SCREEN)
    cur.update(make_pose(Body(right_hand=(0.5, 0.3, 0.5))), 0.0)
    assert cur.hand == "right"
    # the left hand comes up to about the same height: no switch
    cur.update(make_pose(Body(right_hand=(0.5, 0.3, 0.5), left_hand=(0.5, 0.45, 0.5))), 0.1)
    assert cur.hand == "right"
    # clearly higher: switch
    cur.update(make_pose(Body(right_hand=(0.5, 0.3, 0.5), left_hand=(0.5, 1.0, 0.5))), 0.2)
    assert cur.hand == "left"


def test_index_finger_landmark_and_bad_options():
    assert cursor_at(Body(right_hand=(0.5, 0.3, 0.5)), landmark="index") is not None
    with pytest.raises(ValueError, match="hand must be one of"):
        HandCursor(SCREEN, hand="middle")
    with pytest.raises(ValueError, match="landmark must be one of"):
        HandCursor(SCREEN, landmark="elbow")
    with pytest.raises(ValueError, match="width and height"):
        ReachBox(width=0)


def test_still_noisy_hand_gives_a_steady_cursor():
    cur = HandCursor(SCREEN)
    rng = np.random.default_rng(1)
    body = Body(right_hand=(0.6, 0.4, 0.5))
    pos = []
    for i in range(240):  # raw hand jitter: ~12 px on screen
        p = cur.update(make_pose(body, noise=1.5, rng=rng), i / 30)
        if i >= 90:
            pos.append(p)
    jitter = np.asarray(pos).std(axis=0)
    assert np.all(jitter < 5.0), jitter  # pixels, on a 1280x720 screen


def test_cursor_follows_a_fast_move_quickly():
    cur = HandCursor(SCREEN)
    for i in range(10):
        cur.update(make_pose(Body(right_hand=(0.0, 0.4, 0.5))), i / 30)
    start = cur.pos
    target = cursor_at(Body(right_hand=(1.0, 0.4, 0.5)))
    for i in range(10, 13):  # 0.1 s after the hand moved
        cur.update(make_pose(Body(right_hand=(1.0, 0.4, 0.5))), i / 30)
    moved = (cur.pos[0] - start[0]) / (target[0] - start[0])
    assert moved > 0.85


# -- dwell buttons ---------------------------------------------------------------------


def test_dwell_button_presses_after_dwell_time_and_not_before():
    btn = DwellButton((100, 100, 200, 80), dwell=0.8)
    inside, outside = (150.0, 130.0), (10.0, 10.0)
    assert not btn.update(outside, 0.0)
    presses = []
    t = 1.0
    while t < 3.0:
        if btn.update(inside, t):
            presses.append(t)
        if t < 1.0 + 0.8 - 1e-9:
            assert btn.progress < 1.0
        t = round(t + 1 / 30, 6)
    assert len(presses) == 1  # holding on does not repeat within rearm
    assert 1.8 - 1e-6 <= presses[0] < 1.8 + 1 / 30 + 1e-6
    assert btn.pressed_by == 0


def test_dwell_progress_grows_with_time_and_resets_on_leaving():
    btn = DwellButton((0, 0, 100, 100), dwell=1.0, grace=0.1)
    btn.update((50, 50), 0.0)
    btn.update((50, 50), 0.5)
    assert btn.progress == pytest.approx(0.5)
    btn.update((500, 500), 0.55)  # a jitter outside for 50 ms: kept
    btn.update((50, 50), 0.6)
    assert btn.progress == pytest.approx(0.6)
    btn.update(None, 0.7)
    btn.update(None, 0.9)  # gone 300 ms: reset
    assert btn.progress == 0.0
    assert not btn.update((50, 50), 1.0)
    assert not btn.update((50, 50), 1.9)
    assert btn.update((50, 50), 2.0)


def test_dwell_rearm_after_leaving_and_any_player_can_press():
    btn = DwellButton((0, 0, 100, 100), dwell=0.5, rearm=10.0)
    assert btn.update([None, (10, 10)], 0.0) is False
    assert btn.update([None, (10, 10)], 0.5) is True
    assert btn.pressed_by == 1
    assert btn.update([None, (10, 10)], 1.5) is False  # still there: no repeat
    btn.update([None, None], 2.0)
    btn.update([(20, 20), None], 2.1)
    assert btn.update([(20, 20), None], 2.6) is True
    assert btn.pressed_by == 0


def test_dwell_pinch_presses_at_once_inside_only_and_disarm_waits_for_leaving():
    btn = DwellButton((0, 0, 100, 100), dwell=1.0, rearm=math.inf)
    assert not btn.update([(50, 50)], 0.0, pinches=[(150, 50)])  # pinch outside: nothing
    assert btn.update([(50, 50)], 0.1, pinches=[(60, 40)])  # inside: pressed now
    assert btn.pressed_by == 0 and btn.hover_pos == (50, 50)
    assert not any(btn.update([(50, 50)], 0.1 + 0.1 * i) for i in range(1, 30))  # no dwell re-press
    other = DwellButton((0, 0, 100, 100), dwell=0.5)
    other.disarm()  # a screen that opened under the hand
    assert not any(other.update([(50, 50)], 0.1 * i) for i in range(10))
    other.update([None], 1.0)
    other.update([None], 1.2)  # left for longer than the grace
    assert any(other.update([(50, 50)], 1.3 + 0.1 * i) for i in range(7))


def test_dwell_button_validation():
    with pytest.raises(ValueError, match="positive size"):
        DwellButton((0, 0, 0, 10))
    with pytest.raises(ValueError, match="dwell"):
        DwellButton((0, 0, 10, 10), dwell=0)


def test_draw_dwell_ring(tmp_path):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    import pygame

    surf = pygame.Surface((200, 200))
    surf.fill((0, 0, 0))
    draw_dwell_ring(surf, (100, 100), 60, 0.25, color=(255, 255, 0), track=None)
    pygame.image.save(surf, str(tmp_path / "ring.png"))
    px = pygame.surfarray.array3d(surf)
    yellow = (px[..., 0] > 200) & (px[..., 1] > 200) & (px[..., 2] < 50)
    xs, ys = np.nonzero(yellow)  # surfarray is (x, y)
    assert len(xs) > 50
    # a quarter ring clockwise from 12 o'clock: the top-right quadrant only
    assert xs.min() >= 96 and ys.max() <= 104
    surf.fill((0, 0, 0))
    draw_dwell_ring(surf, (100, 100), 60, 0.0, track=(90, 90, 90))
    assert pygame.surfarray.array3d(surf).max() == 90  # only the faint track
