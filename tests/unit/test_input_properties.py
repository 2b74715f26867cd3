"""Property-based: nothing in arpose.input crashes on empty or odd landmark sets
(NaN, inf, zero-size bodies, huge values, missing people, odd timestamps)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from arpose.coach import RepCounter
from arpose.input import BodyInput, DwellButton, GestureDetector, HandCursor
from arpose.input.body_view import body_view
from arpose.joints import NUM_LANDMARKS
from arpose.pose import Pose, PoseFrame
from arpose.testing.bodies import Body, make_pose

odd_floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-30, 1e30, -1e30, 1e300, float("nan")]),
)


@st.composite
def odd_pose(draw) -> Pose:
    kind = draw(st.sampled_from(["random", "zero", "point", "nan_parts", "real_noisy"]))
    pid = draw(st.integers(-1, 5))
    if kind == "random":
        with np.errstate(over="ignore"):  # 1e300 -> inf in float32: fine
            lm = draw(arrays(np.float64, (NUM_LANDMARKS, 5), elements=odd_floats)).astype(np.float32)
    elif kind == "zero":
        lm = np.zeros((NUM_LANDMARKS, 5), np.float32)
        lm[:, 3:] = draw(st.sampled_from([0.0, 1.0]))
    elif kind == "point":  # every landmark at one spot: zero-size body
        lm = np.zeros((NUM_LANDMARKS, 5), np.float32)
        lm[:, :2] = draw(st.floats(-1e4, 1e4))
        lm[:, 3:] = 1.0
    else:
        body = Body(
            scale=draw(st.floats(0.5, 300)),
            squat=draw(st.floats(0, 1.5)),
            left_arm=draw(st.floats(0, 180)),
            jump=draw(st.floats(0, 2)),
            visible=draw(st.sampled_from(["full", "upper"])),
        )
        lm = make_pose(body).landmarks.copy()
        if kind == "nan_parts":
            idx = draw(st.lists(st.integers(0, NUM_LANDMARKS - 1), max_size=10))
            lm[idx, draw(st.integers(0, 4))] = np.nan
    world = np.zeros((NUM_LANDMARKS, 3), np.float32)
    return Pose(lm, world, pid)


times = st.one_of(st.floats(-1e6, 1e6), st.sampled_from([0.0, float("nan"), float("inf")]))


@st.composite
def odd_frames(draw) -> list[PoseFrame]:
    n = draw(st.integers(1, 12))
    out = []
    t = 0.0
    for i in range(n):
        t = draw(st.one_of(st.just(t + 1 / 30), st.just(t), times))
        poses = tuple(draw(st.lists(odd_pose(), max_size=4)))
        size = draw(st.sampled_from([(640, 480), (1, 1), (0, 0), (1920, 1080)]))
        out.append(PoseFrame(t, i, size, poses))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(odd_frames())
def test_body_input_never_crashes(clip):
    body = BodyInput(players=2, post_events=False, exercise="squat")
    for pf in clip:
        events = body.feed(pf)
        assert isinstance(events, list)
        for p in body.players:
            c = p.cursor
            assert c is None or (np.isfinite(c[0]) and np.isfinite(c[1]))
            for h in p.hands.values():
                assert h is None or all(np.isfinite(h))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.one_of(st.none(), odd_pose()), times), max_size=10),
    st.sampled_from(["squat", "jumping-jack", "arm-raise"]),
)
def test_detectors_never_crash(samples, exercise):
    det, reps, cur = GestureDetector(), RepCounter(exercise), HandCursor((640, 480))
    btn = DwellButton((0, 0, 100, 100))
    for pose, t in samples:
        for ev in det.update(pose, t):
            assert np.isfinite(ev.t)
        reps.update(pose, t)
        pos = cur.update(pose, t)
        assert pos is None or all(np.isfinite(pos))
        btn.update(pos, t if np.isfinite(t) else 0.0)
        assert 0.0 <= btn.progress <= 1.0
        view = body_view(pose)
        if view is not None:
            assert np.all(np.isfinite(view.p)) and view.scale > 0
    assert reps.count >= 0
