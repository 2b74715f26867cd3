"""arpose.tracking: the one step from a detection to a PoseFrame (TrackingStage), the
person tracker's injected filters, the deprecated names, and arpose.metrics' known answers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import arpose
import arpose.tracking
from arpose.metrics import hand_scores, oks, pck, zero_phase_lag
from arpose.sources import Frame, ImageFile, read_image, sample_image_path
from arpose.testing.bodies import Body, make_pose
from arpose.testing.hands import synthetic_hand
from arpose.tracking import (
    Detection,
    DetectorOptions,
    OneEuroFilter,
    PersonTracker,
    PoseDetector,
    TrackingStage,
    track,
)


@pytest.mark.parametrize(
    ("module", "old", "new"),
    [
        (arpose, "PoseTracker", PoseDetector),
        (arpose, "TrackerOptions", DetectorOptions),
        (arpose, "PoseSmoother", PersonTracker),
        (arpose.tracking, "PoseTracker", PoseDetector),
        (arpose.tracking, "PoseSmoother", PersonTracker),
    ],
)
def test_old_names_still_work_for_a_release_with_a_warning(module, old, new):
    with pytest.warns(DeprecationWarning, match=f"{old} is deprecated; use arpose.tracking.{new.__name__}"):
        assert getattr(module, old) is new
    with pytest.raises(AttributeError):
        module.NoSuchName  # noqa: B018


def test_new_names_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert arpose.PoseDetector is PoseDetector
        assert arpose.tracking.PersonTracker is PersonTracker


class _Recording:
    """A filter that records its calls and halves the distance to each new sample."""

    made = 0

    def __init__(self) -> None:
        type(self).made += 1
        self.calls = 0
        self.x: np.ndarray | None = None

    def __call__(self, x, t, scale=1.0, weight=None):
        self.calls += 1
        x = np.asarray(x, np.float64)
        self.x = x.copy() if self.x is None else self.x + 0.5 * (x - self.x)
        return self.x.copy()

    def reset(self) -> None:
        self.x = None

    @property
    def velocity(self):
        return None


def test_person_tracker_smooths_with_the_injected_filters():
    _Recording.made = 0
    tracker = PersonTracker(filter_factory=_Recording)
    a, b = make_pose(Body(x=300)), make_pose(Body(x=304))
    tracker([a], 0.0)
    (out,) = tracker([b], 1 / 30)
    assert _Recording.made == 2  # landmarks and world landmarks of one person
    expected = a.landmarks[:, :2] + 0.5 * (b.landmarks[:, :2] - a.landmarks[:, :2])
    np.testing.assert_allclose(out.landmarks[:, :2], expected, atol=1e-3)
    assert out.id == 0


def test_person_tracker_default_filters_are_the_methods_own():
    tracker = PersonTracker(method="one-euro", min_cutoff=0.5)
    f = tracker.filter_factory()
    assert isinstance(f, OneEuroFilter) and f.min_cutoff == 0.5


def _detection(poses, hands=(), tracked=False) -> Detection:
    return Detection(tuple(poses), None, 12.5, tuple(hands), tracked, 2.0, len(hands))


def test_stage_gives_ids_filters_and_hands_their_person():
    stage = TrackingStage(PersonTracker(smooth=False), keep_images=False)
    image = np.zeros((480, 640, 3), np.uint8)
    left, right = make_pose(Body(x=160)), make_pose(Body(x=480))
    first = stage.publish(Frame(image, 0.0, 0, 0.0), _detection([left]))
    assert [p.id for p in first.poses] == [0] and not first.hands_tracked
    # next frame: the newcomer is found first; the hand belongs to detection index 0
    hand = synthetic_hand(center=(480.0, 200.0), person=0)
    pf = stage.publish(Frame(image, 1 / 30, 1, 0.0), _detection([right, left], [hand], True), dropped=3)
    assert [p.id for p in pf.poses] == [0, 1] and pf.image is None
    assert pf.person(1).center[0] > 320  # the newcomer got the next id
    assert pf.hands_tracked and len(pf.hands) == 1
    assert pf.hands[0].person == 1 and pf.hands[0].id == 0  # the newcomer's hand
    assert pf.person(1).hands == pf.hands and pf.person(0).hands == ()
    assert [h.person for h in pf.raw[1].hands] == [1]
    assert pf.stats.inference_ms == 12.5 and pf.stats.dropped == 3 and pf.stats.hand_crops == 1


def test_a_photo_comes_out_of_the_stage_as_out_of_the_pipeline():
    """The photo path (render_image) and the pipeline (`arpose detect PHOTO`) are one step."""
    path = sample_image_path()
    photo = TrackingStage.photo(read_image(path), max_people=8, hands=True)
    with track(ImageFile(path), hands=True) as pipeline:
        piped = next(iter(pipeline))
    assert len(photo.poses) == len(piped.poses) >= 1
    for a, b in zip(photo.poses, piped.poses):
        assert a.id == b.id
        np.testing.assert_array_equal(a.landmarks, b.landmarks)
    assert [h.landmarks.tobytes() for h in photo.hands] == [h.landmarks.tobytes() for h in piped.hands]
    assert photo.hands_tracked and piped.hands_tracked


def test_metrics_read_known_answers():
    rng = np.random.default_rng(0)
    gt = rng.uniform(0, 100, (21, 2))
    valid = np.ones(21, bool)
    box = max(np.ptp(gt[:, 0]), np.ptp(gt[:, 1]))
    assert pck(gt, gt, valid) == 1.0
    assert pck(gt + [0.3 * box, 0.0], gt, valid) == 0.0
    scores = hand_scores([gt + [0.3 * box, 0.0], gt], [(gt, valid)])
    assert scores["found"] == 1 and scores["extra"] == 1 and scores["pck_all"] == [1.0]
    person = np.c_[rng.uniform(0, 100, (17, 2)), np.full(17, 2.0)]
    assert oks(person[:, :2], person, 1000.0) == pytest.approx(1.0)
    assert oks(person[:, :2] + 30, person, 1000.0) < 0.5
    t = np.linspace(0, 6 * np.pi, 300)
    x = np.sin(t) + 0.3 * np.sin(2.7 * t)
    assert zero_phase_lag(x[3:], x[:-3]) == pytest.approx(3.0, abs=0.1)  # a 3-frame delay
