"""Gestures on synthetic trajectories: each fires on its motion, nothing fires on a still
person, tracking glitches produce no phantom swipes."""

from __future__ import annotations

import numpy as np
import pytest

from arpose.input.gestures import GestureConfig, GestureDetector, GestureEvent
from arpose.pose import PoseFrame
from arpose.testing.bodies import (
    Body,
    clap_motion,
    frames,
    jump_motion,
    lean_motion,
    make_pose,
    pose_hold_motion,
    squat_motion,
    still_motion,
    swipe_motion,
)
from arpose.tracking.identity import PersonTracker


def detect(clip: list[PoseFrame], config: GestureConfig | None = None) -> list[GestureEvent]:
    det = GestureDetector(config)
    out: list[GestureEvent] = []
    for pf in clip:
        out += det.update(pf.poses[0] if pf.poses else None, pf.t)
    return out


def starts(events: list[GestureEvent], name: str, side: str | None = None) -> list[GestureEvent]:
    return [e for e in events if e.name == name and e.phase == "start" and (side is None or e.side == side)]


CASES = {
    "hand_up left": (pose_hold_motion(left_arm=175), "hand_up", "left"),
    "hand_up right": (pose_hold_motion(right_arm=160), "hand_up", "right"),
    "both_hands_up": (pose_hold_motion(left_arm=170, right_arm=170), "both_hands_up", None),
    "t_pose": (pose_hold_motion(left_arm=90, right_arm=92), "t_pose", None),
    "lean left": (lean_motion("left", angle=18), "lean", "left"),
    "lean right": (lean_motion("right", angle=18), "lean", "right"),
    "squat_down": (squat_motion(1), "squat_down", None),
    "squat_up": (squat_motion(1), "squat_up", None),
    "jump": (jump_motion(1, height=0.7), "jump", None),
    "swipe right hand": (swipe_motion("right"), "swipe", "right"),
    "swipe left hand": (swipe_motion("left"), "swipe", "left"),
    "punch": (
        swipe_motion("right", start=(0.1, -0.3, 0.2), end=(0.1, -0.1, 1.45), duration=0.2),
        "punch",
        "right",
    ),
    "clap": (clap_motion(1), "clap", None),
}


@pytest.mark.parametrize("fps", [12, 30, 60])
@pytest.mark.parametrize("case", list(CASES))
def test_each_gesture_fires_once_on_its_trajectory(case, fps):
    motion, name, side = CASES[case]
    clip = frames(motion, fps=fps, noise=1.2, seed=fps, time_jitter=0.2)
    events = detect(clip)
    hits = starts(events, name, side)
    assert len(hits) == 1, [(e.name, e.side, round(e.t, 2)) for e in events]
    # a gesture is recognised after its motion starts (t=1.0 in every synthetic motion)
    assert hits[0].t >= 1.0


@pytest.mark.parametrize("scale,noise", [(40, 1.5), (110, 2.0), (220, 3.0)])
def test_still_noisy_person_triggers_nothing(scale, noise):
    body = Body(scale=scale, x=700, floor=60 + 4.8 * scale)
    clip = frames(still_motion(10.0, body), fps=30, noise=noise, seed=scale, size=(1920, 1200))
    assert detect(clip) == []


def test_still_person_with_arm_angles_triggers_nothing():
    """Someone standing with hands on hips or arms half out is not gesturing."""
    body = Body(left_hand=(0.3, -1.2, 0.1), right_hand=(0.25, -1.0, 0.2))
    assert detect(frames(still_motion(6.0, body), fps=30, noise=2.0, seed=2)) == []
    body = Body(left_arm=45, right_arm=50)
    assert detect(frames(still_motion(6.0, body), fps=30, noise=2.0, seed=3)) == []


def test_held_pose_has_start_and_end_and_is_debounced():
    clip = frames(pose_hold_motion(1.5, left_arm=90, right_arm=90), fps=30, noise=1.0)
    events = [e for e in detect(clip) if e.name == "t_pose"]
    assert [e.phase for e in events] == ["start", "end"]
    assert 1.0 + 0.15 <= events[0].t <= 1.0 + 0.3  # fires after `hold`, not at once
    assert 2.5 + 0.15 <= events[1].t <= 2.5 + 0.3


def test_one_frame_hand_up_blip_does_not_fire():
    clip = frames(still_motion(3.0), fps=30, noise=1.0)
    up = make_pose(Body(left_arm=175))
    clip[45] = PoseFrame(clip[45].t, 45, clip[45].size, (up,))
    assert starts(detect(clip), "hand_up") == []


def test_swipe_direction_speed_and_position_are_from_the_users_view():
    # the user's right hand moving out to the user's right: the image x DEcreases
    # (unmirrored camera), the reported direction points right (mirror view = screen)
    clip = frames(
        swipe_motion("right", start=(0.0, -0.2, 0.3), end=(1.4, -0.2, 0.3), duration=0.3), fps=60, noise=0.5
    )
    (ev,) = starts(detect(clip), "swipe")
    assert ev.label == "right" and ev.direction[0] > 0.9
    assert ev.end[0] < ev.start[0]  # image pixels, unmirrored
    assert 2.0 < ev.speed < 12.0  # ~1.4 su over <0.3 s
    # upward swipe of the left hand
    clip = frames(
        swipe_motion("left", start=(0.6, -1.0, 0.3), end=(0.7, 0.6, 0.3), duration=0.25), fps=30, noise=0.5
    )
    (ev,) = starts(detect(clip), "swipe")
    assert ev.label == "up" and ev.side == "left"


def test_slow_hand_movement_is_not_a_swipe():
    clip = frames(swipe_motion("right", duration=1.5), fps=30, noise=1.0)
    assert starts(detect(clip), "swipe") == []


def _teleport(
    clip: list[PoseFrame], i: int, side: str = "right", delta=(-300.0, 40.0), frames_: int = 1
) -> list[PoseFrame]:
    out = list(clip)
    idx = 16 if side == "right" else 15
    for k in range(i, min(i + frames_, len(out))):
        pose = out[k].poses[0]
        lm = pose.landmarks.copy()
        lm[[idx, idx + 2, idx + 4, idx + 6], 0] += delta[0]
        lm[[idx, idx + 2, idx + 4, idx + 6], 1] += delta[1]
        out[k] = PoseFrame(out[k].t, out[k].index, out[k].size, (type(pose)(lm, pose.world, pose.id),))
    return out


@pytest.mark.parametrize("fps", [15, 30, 60])
def test_single_frame_wrist_jump_is_no_swipe(fps):
    clip = frames(still_motion(3.0), fps=fps, noise=1.0, seed=fps)
    for delta in [(-300.0, 40.0), (150.0, -150.0), (-90.0, 0.0)]:
        for i in (10, int(1.5 * fps)):
            glitched = _teleport(clip, i, delta=delta)
            assert starts(detect(glitched), "swipe") == [], (delta, i)


def test_wrist_jump_that_stays_is_no_swipe():
    """A left/right wrist swap: the wrist teleports and stays there."""
    clip = frames(still_motion(3.0), fps=30, noise=1.0)
    glitched = _teleport(clip, 40, delta=(-220.0, 0.0), frames_=len(clip) - 40)
    assert starts(detect(glitched), "swipe") == []


def test_wrist_jump_smoothed_by_the_real_pose_smoother_is_no_swipe():
    """The One-Euro smoother turns a teleport into an exponential glide over several
    frames; its first step carries most of the distance, which a real swipe never does."""
    clip = frames(still_motion(3.0), fps=30, noise=1.0)
    for delta, n in [
        ((-260.0, 30.0), 1),
        ((-260.0, 30.0), 3),
        ((200.0, -120.0), 60),
        ((-150.0, 0.0), 1),
        ((-150.0, 0.0), 60),
        ((120.0, 60.0), 2),
    ]:
        glitched = _teleport(clip, 40, delta=delta, frames_=n)
        smoother = PersonTracker()
        smoothed = [PoseFrame(pf.t, pf.index, pf.size, smoother(pf.poses, pf.t)) for pf in glitched]
        assert starts(detect(smoothed), "swipe") == [], (delta, n)


def test_real_swipe_survives_the_real_pose_smoother():
    clip = frames(swipe_motion("right", duration=0.25), fps=30, noise=1.0)
    smoother = PersonTracker()
    smoothed = [PoseFrame(pf.t, pf.index, pf.size, smoother(pf.poses, pf.t)) for pf in clip]
    assert len(starts(detect(smoothed), "swipe", "right")) == 1


def test_squat_and_jump_need_legs():
    upper = Body(visible="upper")
    for motion in (squat_motion(2, body=upper), jump_motion(2, body=upper)):
        events = detect(frames(motion, fps=30, noise=1.0))
        assert not [e for e in events if e.name in ("squat_down", "squat_up", "jump")]


def test_squat_is_not_a_jump_and_jump_is_not_a_squat():
    assert starts(detect(frames(squat_motion(3), fps=30, noise=1.0)), "jump") == []
    events = detect(frames(jump_motion(3), fps=30, noise=1.0))
    assert len(starts(events, "jump")) == 3
    assert starts(events, "squat_down") == []


def test_slow_rise_of_the_whole_picture_is_not_a_jump():
    """A camera tilting (everything drifts up by one shoulder width in 1 s) is no jump."""

    def drift(t):
        return [Body(floor=690 - 110 * min(max(t - 1.0, 0.0), 1.0))]

    assert starts(detect(frames((drift, 3.0), fps=30, noise=1.0)), "jump") == []


def test_two_claps():
    events = detect(frames(clap_motion(2), fps=30, noise=1.0))
    assert len(starts(events, "clap")) == 2


def test_person_leaving_ends_held_gestures():
    clip = frames(pose_hold_motion(3.0, left_arm=175), fps=30, noise=1.0)[:60]
    det = GestureDetector()
    for pf in clip:
        det.update(pf.poses[0], pf.t)
    assert det.is_active("hand_up", "left") and "hand_up:left" in det.active
    ends = det.update(None, clip[-1].t + 0.1)
    assert [(e.name, e.phase, e.side) for e in ends] == [("hand_up", "end", "left")]
    assert det.active == set()


def test_config_is_validated():
    with pytest.raises(ValueError, match="hand_up_release"):
        GestureConfig(hand_up=0.5, hand_up_release=0.9)
    with pytest.raises(ValueError, match="swipe_speed"):
        GestureConfig(swipe_speed=float("nan"))
    assert GestureConfig(swipe_distance=1.5).swipe_distance == 1.5


def test_thresholds_scale_with_the_body():
    """The same swipe by a small far person and a big near one: both detected with
    the same speed in shoulder widths per second."""
    speeds = []
    for scale in (45, 180):
        body = Body(scale=scale, x=900, floor=40 + 4.8 * scale)
        clip = frames(swipe_motion("left", body=body), fps=30, noise=0.01 * scale, size=(1920, 1080))
        (ev,) = starts(detect(clip), "swipe")
        speeds.append(ev.speed)
    assert np.isclose(speeds[0], speeds[1], rtol=0.15)
