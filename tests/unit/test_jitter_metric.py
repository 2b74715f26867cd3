"""The real-clip jitter metric against known answers: valid samples (visible, inside the
picture, not across a reset), rest (slow over a window, not a swing's turning point),
jitter at rest reading the noise's own size, and the noise transfer."""

from __future__ import annotations

import math

import numpy as np

from arpose.bench.filters import RawTrack, noise_transfer, score_track
from arpose.metrics import jitter_and_lag, masked_jitter, rest_samples, valid_samples
from arpose.tracking.identity import PersonTracker

FPS = 30.0
SIZE = 200.0  # body size, px
E_ABS_D2 = math.sqrt(6.0) * math.sqrt(2.0 / math.pi)  # mean |2nd difference| / sigma, white


def _body(n: int, sigma: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n, 33, 2) px: a body at rest for the first half, then every landmark swinging
    (1.5 Hz, 0.5 body sizes), plus white noise of ``sigma`` px; and the noise alone."""
    t = np.arange(n) / FPS
    base = np.stack([np.linspace(300, 300 + SIZE, 33), np.linspace(100, 100 + SIZE, 33)], 1)
    swing = np.where(t >= n / 2 / FPS, 0.5 * SIZE * np.sin(2 * np.pi * 1.5 * (t - n / 2 / FPS)), 0.0)
    clean = base[None] + swing[:, None, None] * np.array([1.0, 0.0])
    noise = np.random.default_rng(seed).normal(0, sigma, clean.shape)
    return clean + noise, noise


def test_jitter_at_rest_reads_the_noise_and_the_whole_clip_does_not():
    x, _ = _body(600, sigma=1.0)
    rest = rest_samples(x, SIZE, FPS)
    assert rest[20:290].all() and not rest[320:].any()  # resting half, swinging half
    at_rest = masked_jitter(x, rest)
    assert abs(at_rest - E_ABS_D2) < 0.05 * E_ABS_D2  # the noise's own size, known
    everything = masked_jitter(x, np.ones(x.shape[:2], bool))
    assert everything > 1.4 * at_rest  # the swing's real acceleration counted as "jitter"


def test_a_turning_point_is_not_rest():
    t = np.arange(120) / FPS
    x = np.zeros((120, 33, 2))
    x[..., 0] = (0.5 * SIZE * np.sin(2 * np.pi * 1.0 * t))[:, None]  # speed 0 at each peak
    assert not rest_samples(x, SIZE, FPS)[10:110].any()


def test_valid_samples_drop_guesses_and_breaks():
    x = np.full((10, 33, 2), 50.0)
    vis = np.full((10, 33), 0.9)
    x[3, 0, 1] = -5.0  # above the top edge
    vis[4, 1] = 0.3
    ok = valid_samples(x, vis, (100, 100), breaks=[7])
    assert not ok[3, 0] and not ok[4, 1] and ok[3, 1] and ok[4, 0]
    assert not ok[6].any() and ok[7].all()  # the second difference at 6 spans the break
    # the second difference of a landmark that leaves the picture is not used
    x = np.full((5, 33, 2), 50.0)
    x[2, 0, 0] = 1e4
    assert masked_jitter(x, valid_samples(x, np.ones((5, 33)), (100, 100))) == 0.0


def _track(x: np.ndarray) -> RawTrack:
    n = len(x)
    lm = np.zeros((n, 33, 5), np.float32)
    lm[..., :2], lm[..., 3:] = x, 0.99
    return RawTrack(
        np.arange(n) / FPS,
        np.ones(n, bool),
        lm,
        np.zeros((n, 33, 3), np.float32),
        FPS,
        "synthetic",
        (1000, 1000),
    )


def test_scores_of_an_identity_and_of_a_filter():
    x, _ = _body(400, sigma=1.0)
    tr = _track(x)
    noise = {"sigma": np.full(33, 0.01), "r1": 0.5}
    raw = score_track(tr, PersonTracker(smooth=False), noise, lambda: PersonTracker(smooth=False))
    assert raw["jitter_ratio"] == 1.0 and abs(raw["noise_ratio_in_motion"] - 1.0) < 1e-5  # float32
    sm = score_track(tr, PersonTracker(), noise, PersonTracker)
    assert sm["jitter_ratio"] < 0.5 and sm["noise_ratio_in_motion"] < 0.8
    assert not math.isnan(sm["jitter_ratio_moving"]) and sm["rest_fraction"] > 0.3
    # a clip with no rest has no jitter at rest, never a number
    moving = _body(400, sigma=1.0)[0][200:]
    assert math.isnan(score_track(_track(moving), PersonTracker())["jitter_ratio"])


def test_noise_transfer_sees_a_filter_that_passes_noise():
    x, _ = _body(300, sigma=0.0)
    noise = {"sigma": np.full(33, 0.01), "r1": 0.0}
    strong = noise_transfer(_track(x), lambda: PersonTracker(method="one-euro", params={"beta": 0.0}), noise)
    weak = noise_transfer(
        _track(x), lambda: PersonTracker(method="one-euro", params={"min_cutoff": 30.0}), noise
    )
    assert strong < 0.3 < 0.8 < weak <= 1.0


def test_jitter_and_lag_without_body_size_uses_valid_samples():
    x, _ = _body(300, sigma=1.0)
    r = jitter_and_lag(x, x, np.ones(x.shape[:2]))
    assert r["jitter_ratio"] == r["jitter_ratio_valid"] == 1.0
