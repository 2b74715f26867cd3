"""Accuracy of a sign model on labelled samples, counted honestly: rejections ("none")
count as wrong, classes the model does not know are skipped and reported, and the
confusion matrix shows where the errors go."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import SignError
from .classifier import NONE, SignModel
from .data import Samples
from .train import featurise

NONE_LABELS = frozenset({"none", "nothing", "no sign", "unknown"})
"""Sample labels that mean "no sign": the right answer for them is a rejection."""


def match_labels(model: SignModel, labels: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
    """Each sample label as the model's class name (case-insensitive; "none"/"nothing" ->
    :data:`arpose.signs.classifier.NONE`), or "" when the model has no such class;
    plus the count of each skipped label."""
    by_key = {c.strip().casefold(): c for c in model.classes}
    out: list[str] = []
    skipped: dict[str, int] = {}
    for lab in labels.tolist():
        key = str(lab).strip().casefold()
        if key in by_key:
            out.append(by_key[key])
        elif key in NONE_LABELS:
            out.append(NONE)
        else:
            out.append("")
            skipped[str(lab)] = skipped.get(str(lab), 0) + 1
    return np.asarray(out), skipped


def evaluate(model: SignModel, samples: Samples) -> dict[str, Any]:
    """``{"accuracy", "n", "per_class", "confusion", ...}`` of ``model`` on ``samples``.

    ``accuracy`` counts a rejection as wrong; ``accuracy_forced`` is the same without
    rejection; ``rejected`` the share read as "none"; ``skipped`` the samples whose label
    the model does not know. Raises :class:`arpose.errors.SignError` when the features
    differ or no label matches a class.
    """
    if samples.spec != model.spec:
        raise SignError(
            f"{samples.source}: the data holds {samples.spec!r} samples, the model reads {model.spec!r}"
        )
    truth, skipped = match_labels(model, samples.labels)
    keep = truth != ""
    if not keep.any():
        raise SignError(
            f"{samples.source}: none of the data's classes ({', '.join(samples.classes[:8])}) is one of "
            f"the model's ({', '.join(model.classes[:30])})"
        )
    raw = samples.raw[keep]
    mirror = samples.mirror[keep]
    if mirror.any():
        raw = raw.copy()
        raw[mirror, :, 0] *= -1.0
    x = featurise(model.spec, raw)
    truth = truth[keep]
    pred = np.asarray([p.label for p in model.predict(x)])
    forced = np.asarray([p.label for p in model.predict(x, reject=False)])
    names = [c for c in model.classes if c in set(truth.tolist())]
    if NONE in set(truth.tolist()):
        names.append(NONE)
    cols = [*names, *[c for c in model.classes if c not in names], NONE]
    cols = list(dict.fromkeys(cols))
    confusion = {
        t: {p: int(np.sum((truth == t) & (pred == p))) for p in cols if np.any((truth == t) & (pred == p))}
        for t in names
    }
    per_class = {
        t: {"n": int(np.sum(truth == t)), "accuracy": round(float(np.mean(pred[truth == t] == t)), 4)}
        for t in names
    }
    return {
        "accuracy": round(float(np.mean(pred == truth)), 4),
        "accuracy_forced": round(float(np.mean(forced == truth)), 4),
        "rejected": round(float(np.mean(pred == NONE)), 4),
        "n": int(len(truth)),
        "per_class": per_class,
        "confusion": confusion,
        "skipped": skipped,
    }


__all__ = ["evaluate", "match_labels", "NONE_LABELS"]
