"""Training with numpy alone: a small MLP (softmax over ReLU layers) fitted with Adam on
freshly augmented copies of the samples every epoch, then rejection calibrated on them.

No TensorFlow or torch: the base install trains, and the result is a plain data file
(:mod:`arpose.signs.classifier`). A few thousand samples train in seconds to a minute on a CPU.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import SignError
from .classifier import SignModel
from .data import Samples
from .features import (
    STATIC_SPEC,
    TRAJECTORY_SPEC,
    augment_hands,
    augment_tracks,
    static_features,
    trajectory_features,
)

Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def featurise(spec: str, raw: np.ndarray) -> np.ndarray:
    """Features of raw samples for ``spec``: ``(N, 21, 2)`` hands or ``(N, 16, 2)`` tracks."""
    if spec == STATIC_SPEC:
        return static_features(raw)
    if spec == TRAJECTORY_SPEC:
        return trajectory_features(raw)
    raise SignError(f"unknown feature spec {spec!r}")


def default_augment(spec: str, *, mirror: bool = True) -> Augment:
    if spec == STATIC_SPEC:
        return lambda raw, rng: augment_hands(raw, rng, mirror=mirror)
    return lambda raw, rng: augment_tracks(raw, rng)


def fit(
    raw: np.ndarray,
    labels: np.ndarray,
    classes: Sequence[str],
    spec: str,
    *,
    augment: Augment | None = None,
    hidden: Sequence[int] = (128, 64),
    epochs: int = 30,
    batch: int = 128,
    lr: float = 2e-3,
    weight_decay: float = 1e-4,
    seed: int = 0,
    min_confidence: float = 0.65,
    reject_quantile: float = 0.995,
    reject_margin: float = 1.3,
    info: dict[str, Any] | None = None,
) -> SignModel:
    """Train a :class:`arpose.signs.classifier.SignModel` on ``raw`` samples with integer
    ``labels`` indexing ``classes``.

    Every class must have samples; the classes are balanced by weighting. Rejection radii
    are the ``reject_quantile`` of augmented training distances times ``reject_margin``.
    """
    y = np.asarray(labels, np.int64)
    n_cls = len(classes)
    counts = np.bincount(y, minlength=n_cls)
    if len(y) == 0 or np.any(counts == 0):
        empty = [c for c, n in zip(classes, counts) if n == 0]
        raise SignError(f"no samples of class(es) {', '.join(empty) or '(any)'}: every class needs examples")
    rng = np.random.default_rng(seed)
    aug = augment or default_augment(spec)
    x0 = featurise(spec, aug(raw, rng))
    mean = x0.mean(axis=0)
    scale = x0.std(axis=0) + 1e-3
    sizes = [x0.shape[1], *hidden, n_cls]
    weights = [rng.normal(0, np.sqrt(2.0 / a), (a, b)).astype(np.float32) for a, b in zip(sizes, sizes[1:])]
    biases = [np.zeros(b, np.float32) for b in sizes[1:]]
    params = [*weights, *biases]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    cls_w = (len(y) / (n_cls * counts)).astype(np.float32)
    step = 0
    for epoch in range(epochs):
        x = x0 if epoch == 0 else featurise(spec, aug(raw, rng))
        z = ((x - mean) / scale).astype(np.float32)
        order = rng.permutation(len(z))
        rate = lr * (0.5 * (1 + np.cos(np.pi * epoch / epochs)) * 0.95 + 0.05)
        for s in range(0, len(order), batch):
            idx = order[s : s + batch]
            grads = _gradients(weights, biases, z[idx], y[idx], cls_w)
            step += 1
            for i, (p, g) in enumerate(zip(params, grads)):
                if i < len(weights):
                    g = g + weight_decay * p
                m1[i] = 0.9 * m1[i] + 0.1 * g
                m2[i] = 0.999 * m2[i] + 0.001 * g * g
                p -= rate * (m1[i] / (1 - 0.9**step)) / (np.sqrt(m2[i] / (1 - 0.999**step)) + 1e-8)
    model = SignModel(
        spec=spec,
        classes=tuple(classes),
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        weights=weights,
        biases=biases,
        prototypes=np.zeros((0, x0.shape[1]), np.float32),
        proto_class=np.zeros(0, np.int64),
        radius=np.ones(n_cls, np.float32),
        min_confidence=min_confidence,
        info=dict(info or {}),
    )
    _calibrate(model, raw, y, aug, rng, reject_quantile, reject_margin)
    return model


def _gradients(
    weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray, y: np.ndarray, cls_w: np.ndarray
) -> list[np.ndarray]:
    acts = [x]
    h = x
    for i, (w, b) in enumerate(zip(weights, biases)):
        h = h @ w + b
        if i < len(weights) - 1:
            h = np.maximum(h, 0.0)
        acts.append(h)
    logits = acts[-1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    sw = cls_w[y]
    d = p
    d[np.arange(len(y)), y] -= 1.0
    d *= (sw / sw.sum())[:, None]
    gw: list[np.ndarray] = []
    gb: list[np.ndarray] = []
    for i in range(len(weights) - 1, -1, -1):
        gw.insert(0, acts[i].T @ d)
        gb.insert(0, d.sum(axis=0))
        if i > 0:
            d = (d @ weights[i].T) * (acts[i] > 0)
    return [*gw, *gb]


def _kmeans(z: np.ndarray, k: int, rng: np.random.Generator, iters: int = 12) -> np.ndarray:
    k = min(k, len(z))
    c = z[rng.choice(len(z), k, replace=False)]
    for _ in range(iters):
        d2 = (z * z).sum(1)[:, None] - 2 * z @ c.T + (c * c).sum(1)[None, :]
        a = d2.argmin(axis=1)
        for j in range(k):
            if np.any(a == j):
                c[j] = z[a == j].mean(axis=0)
    return c


def _calibrate(
    model: SignModel,
    raw: np.ndarray,
    y: np.ndarray,
    aug: Augment,
    rng: np.random.Generator,
    quantile: float,
    margin: float,
    copies: int = 2,
    per_class: int = 12,
) -> None:
    """Prototypes by k-means per class on augmented samples; radius = a high quantile of
    the distances of other augmented samples of the class, times a margin."""
    fit_x = featurise(model.spec, aug(raw, rng))
    z = (fit_x - model.mean) / model.scale
    protos, owner = [], []
    for c in range(len(model.classes)):
        pc = _kmeans(z[y == c].astype(np.float64), per_class, rng)
        protos.append(pc)
        owner.extend([c] * len(pc))
    model.prototypes = np.concatenate(protos).astype(np.float32)
    model.proto_class = np.asarray(owner, np.int64)
    model.radius = np.ones(len(model.classes), np.float32)
    check_x = np.concatenate([featurise(model.spec, aug(raw, rng)) for _ in range(copies)])
    check_y = np.tile(y, copies)
    d = model.distances(check_x, check_y)
    model.radius = np.array(
        [np.quantile(d[check_y == c], quantile) * margin for c in range(len(model.classes))], np.float32
    )


def train(
    samples: Samples, *, epochs: int = 30, seed: int = 0, info: dict[str, Any] | None = None
) -> SignModel:
    """A model for ``samples`` (left hands mirrored onto right ones); its classes are the
    samples' labels in order of first appearance."""
    classes = samples.classes
    if len(classes) < 2:
        raise SignError(
            f"{samples.source}: only one class ({', '.join(classes)}): a classifier needs two or more"
        )
    raw = samples.raw.copy()
    if samples.mirror.any():
        raw[samples.mirror, :, 0] *= -1.0
    y = np.asarray([classes.index(c) for c in samples.labels.tolist()])
    return fit(raw, y, classes, samples.spec, epochs=epochs, seed=seed, info=info)


__all__ = ["fit", "train", "featurise", "default_augment"]
