"""A sign classifier as a data file: a small MLP with calibrated rejection, stored as npz.

The file is data, never code: numeric arrays plus one JSON string (``meta``) holding the
format version, the feature spec, the class list and how it was trained; it is read with
``allow_pickle=False``. A model for another feature spec (say a trajectory model given
handshapes), a newer format, or missing arrays is refused with one line naming the file.

Rejection: a prediction is "none" when the class probability is below ``min_confidence``
or when the features are farther from every training prototype of that class than the
class's calibrated radius (an unknown or relaxed hand, far from all letters).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SignError
from .features import STATIC_SIZE, STATIC_SPEC, TRAJECTORY_SIZE, TRAJECTORY_SPEC

FORMAT = "arpose-signs"
FORMAT_VERSION = 1
NONE = "none"
"""The answer for a hand that is no known sign."""
FEATURE_SIZES = {STATIC_SPEC: STATIC_SIZE, TRAJECTORY_SPEC: TRAJECTORY_SIZE}
BUILTIN: dict[str, str] = {"asl-letters": "asl_letters.npz", "fingertip-gestures": "fingertip_gestures.npz"}
"""Built-in models by name: files in ``arpose/signs/models/``."""


@dataclass(frozen=True)
class Prediction:
    """One answer: ``label`` (a class or :data:`NONE`), ``confidence`` in [0, 1] (the class
    probability, 0 when rejected by distance) and the best class even when rejected."""

    label: str
    confidence: float
    best: str
    distance: float


@dataclass(eq=False)
class SignModel:
    """An MLP over standardised features: ``weights[i] @ x + biases[i]`` with ReLU between.

    Attributes:
        spec: the feature spec (:data:`arpose.signs.features.STATIC_SPEC` or
            :data:`arpose.signs.features.TRAJECTORY_SPEC`).
        classes: class names, in output order.
        mean, scale: feature standardisation.
        prototypes: ``(P, F)`` standardised feature centres; ``proto_class`` their class.
        radius: per class, the distance beyond which a sample is rejected.
        min_confidence: the probability below which a sample is rejected.
        info: how the model was made (data, split, accuracy); free-form JSON.
    """

    spec: str
    classes: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    prototypes: np.ndarray
    proto_class: np.ndarray
    radius: np.ndarray
    min_confidence: float = 0.5
    info: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """``(N, C)`` class probabilities of ``(N, F)`` raw features."""
        h = (np.asarray(features, np.float32) - self.mean) / self.scale
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w + b
            if i < len(self.weights) - 1:
                np.maximum(h, 0.0, out=h)
        h = h - h.max(axis=1, keepdims=True)
        e = np.exp(h)
        return e / e.sum(axis=1, keepdims=True)

    def distances(self, features: np.ndarray, cls: np.ndarray) -> np.ndarray:
        """Distance of each standardised feature row to the nearest prototype of ``cls``,
        divided by that class's radius (> 1 means outside)."""
        z = (np.asarray(features, np.float32) - self.mean) / self.scale
        cls = np.asarray(cls)
        out = np.empty(len(z), np.float32)
        for c in np.unique(cls).tolist():  # only the prototypes of the classes asked about
            rows = cls == c
            diff = z[rows, None, :] - self.prototypes[self.proto_class == c][None]
            out[rows] = np.sqrt(np.einsum("npf,npf->np", diff, diff).min(axis=1)) / self.radius[c]
        return out

    def predict(self, features: np.ndarray, *, reject: bool = True) -> list[Prediction]:
        """One :class:`Prediction` per feature row; without ``reject`` the best class always."""
        x = np.atleast_2d(np.asarray(features, np.float32))
        if x.shape[1] != self.mean.shape[0]:
            raise SignError(f"features have {x.shape[1]} values, the model expects {self.mean.shape[0]}")
        bad = np.logical_not(np.isfinite(x).all(axis=1))  # NaN or infinite landmarks: no sign
        x = np.where(bad[:, None], 0.0, x).astype(np.float32)
        p = self.probabilities(x)
        best = p.argmax(axis=1)
        conf = np.where(bad, 0.0, p[np.arange(len(p)), best])
        dist = np.where(bad, np.inf, self.distances(x, best))
        out = []
        for b, c, d in zip(best.tolist(), conf.tolist(), dist.tolist()):
            name = self.classes[b]
            if (reject or not np.isfinite(d)) and (c < self.min_confidence or d > 1.0):
                out.append(Prediction(NONE, 0.0 if d > 1.0 else c, name, d))
            else:
                out.append(Prediction(name, c, name, d))
        return out

    # ---- files -------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "spec": self.spec,
            "classes": list(self.classes),
            "min_confidence": self.min_confidence,
            "info": self.info,
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as an npz of arrays and one JSON string; returns the path."""
        path = Path(path)
        arrays: dict[str, np.ndarray] = {
            "meta": np.array(json.dumps(self.meta(), sort_keys=True)),
            "mean": self.mean.astype(np.float32),
            "scale": self.scale.astype(np.float32),
            "prototypes": self.prototypes.astype(np.float32),
            "proto_class": self.proto_class.astype(np.int32),
            "radius": self.radius.astype(np.float32),
        }
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            arrays[f"w{i}"] = w.astype(np.float32)
            arrays[f"b{i}"] = b.astype(np.float32)
        buf = io.BytesIO()
        # a fixed date in every entry: the same model gives the same bytes (reproducible builds)
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, arr in arrays.items():
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                data = io.BytesIO()
                np.lib.format.write_array(data, np.array(arr, order="C"), allow_pickle=False)
                zf.writestr(info, data.getvalue())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(buf.getvalue())
        except OSError as exc:
            raise SignError(f"{path}: cannot write the model ({exc.strerror or exc})") from exc
        return path


def builtin_path(name: str) -> Path:
    """The file of a built-in model (``asl-letters``)."""
    ref = resources.files(__package__) / "models" / BUILTIN[name]
    return Path(str(ref))


def load_model(name_or_path: str | Path, *, spec: str | None = None) -> SignModel:
    """A built-in model by name (:data:`BUILTIN`) or a model file; with ``spec``, a model
    for other features is refused with the reason."""
    key = str(name_or_path)
    path = builtin_path(key) if key in BUILTIN else Path(key)
    if not path.is_file():
        names = ", ".join(BUILTIN)
        raise SignError(f"{key}: no such sign model file (built-in models: {names})")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise SignError(f"{path}: not a sign model (an .npz written by `arpose signs train`): {exc}") from exc
    if "meta" not in arrays:
        raise SignError(f"{path}: not a sign model: no 'meta' entry")
    try:
        raw_meta = arrays["meta"]
        if raw_meta.size != 1 or raw_meta.dtype.kind != "U":
            raise ValueError("not one string")
        meta = json.loads(str(raw_meta.reshape(-1)[0]))
    except ValueError as exc:
        raise SignError(f"{path}: the model's 'meta' is not JSON: {exc}") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SignError(f"{path}: not a sign model (format is not {FORMAT!r})")
    version = meta.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise SignError(
            f"{path}: sign model format version {version!r} is newer than this arpose reads "
            f"({FORMAT_VERSION}); upgrade arpose"
        )
    mspec = meta.get("spec")
    if mspec not in FEATURE_SIZES:
        raise SignError(f"{path}: unknown feature spec {mspec!r} (known: {', '.join(FEATURE_SIZES)})")
    if spec is not None and mspec != spec:
        raise SignError(f"{path}: the model reads {mspec!r} features, but this needs {spec!r}")
    classes = meta.get("classes")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        raise SignError(f"{path}: 'classes' must be a non-empty list of names")
    try:
        n_layers = len([k for k in arrays if k.startswith("w")])
        weights = [arrays[f"w{i}"].astype(np.float32) for i in range(n_layers)]
        biases = [arrays[f"b{i}"].astype(np.float32) for i in range(n_layers)]
        model = SignModel(
            spec=mspec,
            classes=tuple(classes),
            mean=arrays["mean"].astype(np.float32),
            scale=arrays["scale"].astype(np.float32),
            weights=weights,
            biases=biases,
            prototypes=arrays["prototypes"].astype(np.float32),
            proto_class=arrays["proto_class"].astype(np.int64),
            radius=arrays["radius"].astype(np.float32),
            min_confidence=float(meta.get("min_confidence", 0.5)),
            info=dict(meta.get("info") or {}),
        )
    except KeyError as exc:
        raise SignError(f"{path}: the model has no array {exc.args[0]!r}") from exc
    _check_shapes(path, model)
    return model


def _check_shapes(path: Path, m: SignModel) -> None:
    f = FEATURE_SIZES[m.spec]
    dims = [f] + [w.shape[1] for w in m.weights]
    ok = (
        m.mean.shape == (f,)
        and m.scale.shape == (f,)
        and bool(m.weights)
        and all(w.ndim == 2 and w.shape[0] == d for w, d in zip(m.weights, dims))
        and all(b.shape == (w.shape[1],) for w, b in zip(m.weights, m.biases))
        and dims[-1] == len(m.classes)
        and m.prototypes.ndim == 2
        and m.prototypes.shape[1] == f
        and m.proto_class.shape == (m.prototypes.shape[0],)
        and m.radius.shape == (len(m.classes),)
        and bool(np.all(np.isfinite(m.scale)))
        and bool(np.all(m.scale > 0))
        and (m.proto_class.size == 0 or (m.proto_class.min() >= 0 and m.proto_class.max() < len(m.classes)))
    )
    if not ok:
        raise SignError(
            f"{path}: the model's arrays do not fit together ({m.spec} has {f} features and "
            f"{len(m.classes)} classes)"
        )


__all__ = ["SignModel", "Prediction", "load_model", "builtin_path", "BUILTIN", "NONE", "FORMAT_VERSION"]
