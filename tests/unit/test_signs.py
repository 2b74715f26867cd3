"""arpose.signs without the shared data: invariant features, the model file (and what it
refuses), the keypoint-CSV reader's errors, block splits, training, and the spelling
buffer's timing rules."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from arpose.errors import SignError
from arpose.signs.classifier import NONE, load_model
from arpose.signs.data import (
    block_folds,
    load_data,
    read_keypoint_csv,
    read_labels,
    read_samples,
    write_samples,
)
from arpose.signs.dynamic import TrajectoryBuffer, point_history
from arpose.signs.features import (
    STATIC_SPEC,
    TRAJECTORY_SPEC,
    augment_hands,
    augment_hands_3d,
    static_features,
    trajectory_features,
)
from arpose.signs.text import SpellingBuffer, SpellingConfig
from arpose.signs.train import fit, train
from arpose.testing.hands import shape_hand

SHAPE_NAMES = ("fist", "point", "victory", "open_palm")


def _hand(name: str, **kw) -> np.ndarray:
    return shape_hand(name, **kw).landmarks[:, :2].astype(np.float64)


def _shape_data(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    raw, y = [], []
    for k, name in enumerate(SHAPE_NAMES):
        for _ in range(n):
            raw.append(_hand(name, rotation=rng.uniform(-0.2, 0.2), size=rng.uniform(40, 120)))
            y.append(k)
    return np.array(raw), np.array(y)


@pytest.fixture(scope="module")
def shape_model():
    raw, y = _shape_data()
    return fit(raw, y, SHAPE_NAMES, STATIC_SPEC, epochs=15, seed=1)


# ---- features ---------------------------------------------------------------------------
def test_static_features_ignore_position_size_and_mirrored_left_hands():
    right = _hand("victory", center=(100.0, 200.0), size=50.0)
    moved = _hand("victory", center=(900.0, 40.0), size=170.0)
    left = _hand("victory", side="left", center=(300.0, 300.0))
    f = static_features(np.stack([right, moved, left]), np.array([False, False, True]))
    np.testing.assert_allclose(f[0], f[1], atol=1e-4)
    np.testing.assert_allclose(f[0], f[2], atol=1e-4)
    unflipped = static_features(left[None])[0]
    assert np.abs(unflipped - f[0]).max() > 0.1  # the flip is what made them equal


def test_static_features_tell_shapes_apart_more_than_a_small_rotation():
    base = static_features(_hand("point")[None])[0]
    turned = static_features(_hand("point", rotation=0.15)[None])[0]
    other = static_features(_hand("victory")[None])[0]
    assert np.linalg.norm(base - turned) < 0.5 * np.linalg.norm(base - other)


def test_augmentation_changes_aspect_and_keeps_the_wrist_at_the_origin():
    rng = np.random.default_rng(0)
    p = np.repeat(_hand("open_palm")[None], 200, axis=0)
    a = augment_hands(p, rng, noise=0.0, mirror=False, rotation=0.0, tilt=0.0, fingers=0.0)
    spans = np.ptp(a[..., 0], axis=1) / np.ptp(a[..., 1], axis=1)
    ratio = np.ptp(p[0, :, 0]) / np.ptp(p[0, :, 1])
    assert spans.min() < 0.7 * ratio and spans.max() > 1.4 * ratio
    np.testing.assert_allclose(a[:, 0], 0.0, atol=1e-9)


def test_per_sample_rotation_ranges_leave_zero_range_samples_upright():
    p = np.repeat(_hand("point")[None], 40, axis=0)
    rot = np.where(np.arange(40) < 20, 0.0, 1.0)  # e.g. H/U keep their orientation, others turn
    a = augment_hands(
        p, np.random.default_rng(1), rotation=rot, aspect=(1, 1), tilt=0, fingers=0, noise=0, mirror=False
    )
    np.testing.assert_allclose(a[:20], p[:20] - p[:20, :1], atol=1e-9)
    assert np.abs(a[20:] - (p[20:] - p[20:, :1])).max(axis=(1, 2)).min() > 1e-3


def test_turning_3d_hands_out_of_plane_foreshortens_within_the_range():
    hand = np.zeros((300, 21, 3))
    hand[:, 1:, 0] = 1.0  # every point one unit to the side of the wrist, in the image plane
    hand[:, 1:, 2] = 0.0
    xy = augment_hands_3d(
        hand,
        np.random.default_rng(0),
        yaw=0.6,
        pitch=0.0,
        rotation=0.0,
        aspect=(1, 1),
        tilt=0,
        fingers=0,
        noise=0,
        mirror=False,
    )
    x = xy[:, 1, 0]
    assert x.min() >= np.cos(0.6) - 1e-9 and x.max() <= 1.0 + 1e-9  # turned about y: x shrinks
    assert x.min() < np.cos(0.5)  # and the range is used
    np.testing.assert_allclose(xy[:, 1, 1], 0.0, atol=1e-9)
    flat = augment_hands_3d(
        hand[..., :2],
        np.random.default_rng(0),
        rotation=0.0,
        aspect=(1, 1),
        tilt=0,
        fingers=0,
        noise=0,
        mirror=False,
    )
    np.testing.assert_allclose(flat, hand[..., :2])  # 2D hands cannot turn: passed through


def test_trajectory_features_tell_clockwise_from_counter_clockwise():
    a = np.linspace(0, 2 * np.pi, 16)
    cw = np.stack([np.cos(a), np.sin(a)], 1) * 0.05  # y down: increasing angle turns clockwise
    ccw = cw * np.array([1.0, -1.0])
    f = trajectory_features(np.stack([cw, ccw]))
    turn = f[:, 16 * 4 + 2]
    assert turn[0] > 0.8 and turn[1] < -0.8


def test_trajectory_buffer_gives_point_history_after_16_points_and_restarts_on_a_gap():
    buf = TrajectoryBuffer()
    lm = np.zeros((21, 4))
    for i in range(15):
        lm[8, :2] = (100 + 4 * i, 50)
        buf.add("right", lm)
    assert buf.history("right", (640, 480)) is None
    buf.add("right", lm)
    h = buf.history("right", (640, 480))
    assert h is not None and h.shape == (16, 2)
    np.testing.assert_allclose(h[-1], (56 / 640, 0.0))
    np.testing.assert_allclose(point_history(np.array([[5, 5], [7, 9]]), (2, 4)), [[0, 0], [1, 1]])
    buf.drop_missing(set())
    assert buf.history("right", (640, 480)) is None


# ---- model -----------------------------------------------------------------------------
def test_a_trained_model_reads_held_out_shapes_and_survives_a_round_trip(shape_model, tmp_path):
    raw, y = _shape_data(10, seed=7)
    preds = shape_model.predict(static_features(raw))
    acc = np.mean([p.label == SHAPE_NAMES[k] for p, k in zip(preds, y)])
    assert acc >= 0.95
    path = shape_model.save(tmp_path / "m.npz")
    again = load_model(path, spec=STATIC_SPEC)
    assert again.classes == tuple(SHAPE_NAMES)
    np.testing.assert_allclose(
        again.probabilities(static_features(raw)), shape_model.probabilities(static_features(raw)), atol=1e-6
    )
    assert path.read_bytes() == shape_model.save(tmp_path / "m2.npz").read_bytes()  # reproducible bytes


def test_a_hand_far_from_every_class_reads_none(shape_model):
    junk = np.random.default_rng(3).uniform(-1, 1, (20, 21, 2))
    preds = shape_model.predict(static_features(junk))
    assert sum(p.label == NONE for p in preds) >= 18
    forced = shape_model.predict(static_features(junk), reject=False)
    assert all(p.label in SHAPE_NAMES for p in forced)


def test_hands_with_nan_or_huge_landmarks_read_none(shape_model):
    nan = _hand("fist")
    nan[3] = np.nan
    huge = _hand("fist") * 1e30
    flat = np.zeros((21, 2))
    preds = shape_model.predict(static_features(np.stack([nan, huge, flat])))
    assert [p.label for p in preds][:1] == [NONE] and all(p.label == NONE or p.confidence > 0 for p in preds)
    assert shape_model.predict(static_features(nan[None]), reject=False)[0].label == NONE


def _rewrite(src, dst, change):
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    change(arrays)
    np.savez(dst, **arrays)
    return dst


def test_model_files_that_do_not_fit_are_refused_with_a_reason(shape_model, tmp_path):
    good = shape_model.save(tmp_path / "good.npz")
    with pytest.raises(SignError, match="reads 'hand-xy-v1' features, but this needs 'trajectory16-v1'"):
        load_model(good, spec=TRAJECTORY_SPEC)

    def newer(a):
        meta = json.loads(str(a["meta"]))
        meta["version"] = 99
        a["meta"] = np.array(json.dumps(meta))

    with pytest.raises(SignError, match="version 99 is newer"):
        load_model(_rewrite(good, tmp_path / "newer.npz", newer))
    with pytest.raises(SignError, match="no array 'radius'"):
        load_model(_rewrite(good, tmp_path / "nor.npz", lambda a: a.pop("radius")))

    def more_classes(a):
        meta = json.loads(str(a["meta"]))
        meta["classes"].append("extra")
        a["meta"] = np.array(json.dumps(meta))

    with pytest.raises(SignError, match="do not fit together"):
        load_model(_rewrite(good, tmp_path / "cls.npz", more_classes))
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(SignError, match=r"text\.npz: not a sign model"):
        load_model(tmp_path / "text.npz")
    np.savez(tmp_path / "obj.npz", meta=np.array([{"a": 1}], dtype=object))
    with pytest.raises(SignError, match=r"obj\.npz: not a sign model"):
        load_model(tmp_path / "obj.npz")  # object arrays would need pickle: refused
    with pytest.raises(SignError, match=r"nope: no such sign model file \(built-in models: asl-letters"):
        load_model("nope")
    assert zipfile.is_zipfile(good)


# ---- data -------------------------------------------------------------------------------
def test_labels_may_start_with_a_bom_and_keypoint_rows_name_their_classes(tmp_path):
    (tmp_path / "labels.csv").write_bytes("\ufeffOpen\r\nClose\r\n\r\n".encode())
    assert read_labels(tmp_path / "labels.csv") == ["Open", "Close"]
    rows = ["1," + ",".join(["0.5"] * 42), "0," + ",".join(["-0.25"] * 42)]
    (tmp_path / "kp.csv").write_text("\n".join(rows) + "\n")
    s = read_keypoint_csv(tmp_path / "kp.csv", ["Open", "Close"])
    assert s.spec == STATIC_SPEC and s.raw.shape == (2, 21, 2) and s.labels.tolist() == ["Close", "Open"]
    both = load_data([tmp_path / "kp.csv"], tmp_path / "labels.csv")
    assert both.labels.tolist() == ["Close", "Open"]


@pytest.mark.parametrize(
    "rows, match",
    [
        (
            ["0," + ",".join(["1"] * 42), "0,1,2,x" + ",1" * 39],
            r"kp.csv: row 2: expected a class index and numbers",
        ),
        (
            ["0," + ",".join(["1"] * 42), "0," + ",".join(["1"] * 40)],
            r"kp.csv: row 2: 40 numbers, the rows above",
        ),
        (["0," + ",".join(["1"] * 10)], r"kp.csv: row 1: 10 numbers; a keypoint CSV row has 42"),
        (
            ["5," + ",".join(["1"] * 42)],
            r"kp.csv: row 1: class index 5 is not in the label file \(2 classes\)",
        ),
        (["0," + ",".join(["nan"] * 42)], r"kp.csv: row 1: a value is not a finite number"),
        ([], r"kp.csv: no rows"),
    ],
)
def test_malformed_keypoint_rows_name_the_file_and_row(tmp_path, rows, match):
    (tmp_path / "kp.csv").write_text("\n".join(rows))
    with pytest.raises(SignError, match=match):
        read_keypoint_csv(tmp_path / "kp.csv", ["a", "b"])


def test_bad_label_files_are_one_line(tmp_path):
    (tmp_path / "l.csv").write_text("A\n\nB\n")
    with pytest.raises(SignError, match=r"l.csv: row 2: empty class name"):
        read_labels(tmp_path / "l.csv")
    (tmp_path / "d.csv").write_text("A\nA\n")
    with pytest.raises(SignError, match="appears twice"):
        read_labels(tmp_path / "d.csv")
    with pytest.raises(SignError, match=r"missing\.csv: cannot read the label file"):
        read_labels(tmp_path / "missing.csv")


def test_own_samples_round_trip_and_left_hands_are_marked(tmp_path):
    path = tmp_path / "s.csv"
    write_samples(path, "peace", [("left", _hand("victory", side="left")), ("right", _hand("victory"))])
    write_samples(path, "fist", [("right", _hand("fist"))])
    s = read_samples(path)
    assert s.labels.tolist() == ["peace", "peace", "fist"] and s.mirror.tolist() == [True, False, False]
    np.testing.assert_allclose(s.raw[1], _hand("victory"), atol=0.01)
    path.write_text(path.read_text().replace("right", "middle", 1))
    with pytest.raises(SignError, match=r"s.csv: row 3: side must be left, right or empty"):
        read_samples(path)


def test_block_folds_cut_each_class_into_contiguous_runs(tmp_path):
    rows = [f"{k}," + ",".join(["0.1"] * 42) for k in [0] * 10 + [1] * 5]
    (tmp_path / "kp.csv").write_text("\n".join(rows))
    s = read_keypoint_csv(tmp_path / "kp.csv", ["a", "b"])
    fold = block_folds(s, 5)
    assert fold[:10].tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4] and fold[10:].tolist() == [0, 1, 2, 3, 4]


def test_training_needs_two_classes(tmp_path):
    path = tmp_path / "s.csv"
    write_samples(path, "only", [("right", _hand("fist"))] * 3)
    with pytest.raises(SignError, match="only one class"):
        train(read_samples(path), epochs=1)


# ---- spelling ---------------------------------------------------------------------------
def _feed(buf: SpellingBuffer, seq, fps: float = 30.0, t0: float = 0.0, palm=(100.0, 100.0)):
    events, t = [], t0
    for label, seconds in seq:
        for _ in range(int(round(seconds * fps))):
            events += buf.update(t, label, 0.9, palm if label is not None else None, 50.0)
            t += 1 / fps
    return events, t


def test_a_held_letter_counts_once_and_a_flicker_does_not_count():
    buf = SpellingBuffer()
    events, _ = _feed(buf, [("A", 1.2), ("B", 0.1), ("C", 0.8), (NONE, 0.3)])
    assert [e.value for e in events if e.kind == "letter"] == ["A", "C"]
    assert buf.text == "AC"


def test_a_pause_ends_the_word_and_a_long_hold_repeats_a_letter():
    buf = SpellingBuffer(SpellingConfig(repeat=1.0))
    events, t = _feed(buf, [("L", 0.6), (None, 1.2)])
    assert buf.text == "L " and [e.value for e in events if e.kind == "word"] == ["L"]
    _feed(buf, [("O", 1.6)], t0=t)
    assert buf.text == "L OO"


def test_a_moving_hand_types_nothing_and_a_swipe_deletes():
    buf = SpellingBuffer()
    t = 0.0
    for i in range(30):  # letter shapes read while the hand travels fast
        buf.update(t, "K", 0.9, (100.0 + 8 * i, 100.0), 50.0)
        t += 1 / 30
    assert buf.text == ""
    _, t = _feed(buf, [("H", 0.7), ("I", 0.7)], t0=t)
    assert buf.text == "HI"
    events = []
    for i in range(12):  # 3 hand sizes sideways in 0.4 s
        events += buf.update(t, NONE, 0.9, (100.0 + 13 * i, 100.0), 50.0)
        t += 1 / 30
    assert [e.kind for e in events] == ["delete"] and buf.text == "H"


def test_low_confidence_letters_do_not_type():
    buf = SpellingBuffer()
    for i in range(40):
        buf.update(i / 30, "A", 0.3, (0.0, 0.0), 50.0)
    assert buf.text == ""


# ---- built-in models ----------------------------------------------------------------------
def test_the_built_in_models_load_and_a_relaxed_or_open_hand_reads_none():
    letters = load_model("asl-letters", spec=STATIC_SPEC)
    assert letters.classes == tuple("ABCDEFGHIKLMNOPQRSTUVWXY")  # J and Z move: not handshapes
    assert "MIT" in letters.info["licence"]
    hands = [shape_hand("relaxed", rotation=r) for r in (-0.2, 0.0, 0.2)]
    hands += [shape_hand("open_palm", rotation=r) for r in (-0.2, 0.0, 0.2)]  # "5" is no letter
    preds = letters.predict(static_features(np.stack([h.landmarks[:, :2] for h in hands])))
    assert [p.label for p in preds] == [NONE] * 6, preds
    gestures = load_model("fingertip-gestures", spec=TRAJECTORY_SPEC)
    assert gestures.classes == ("Stop", "Clockwise", "Counter Clockwise", "Move")
    a = np.linspace(0, 1.8 * np.pi, 16)
    circle = np.stack([np.cos(a) - 1, np.sin(a)], 1) * 0.04
    still = np.random.default_rng(0).normal(0, 0.0005, (16, 2))
    read = [
        p.label for p in gestures.predict(trajectory_features(np.stack([circle, circle * [1, -1], still])))
    ]
    assert read == ["Clockwise", "Counter Clockwise", "Stop"]


def test_speech_without_espeak_is_one_clear_line():
    from arpose.signs.speech import Speaker

    with pytest.raises(SignError, match=r"speech: espeak-ng-missing is not installed; install it with"):
        Speaker(program="espeak-ng-missing")
