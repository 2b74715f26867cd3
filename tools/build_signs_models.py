"""Rebuild arpose's built-in sign models from ../shared/signs and measure them honestly.

    python tools/build_signs_models.py [--shared ../shared/signs] [--quick]
        [--letters-augment 2d|3d|3d-wide] [--reject-margin M]

Writes ``arpose/signs/models/asl_letters.npz`` (trained on the one-signer alphabet, all
frames, J and Z left out: they are movements, not handshapes) and
``arpose/signs/models/fingertip_gestures.npz`` (the point-history gestures), and
``docs/measurements/2026-12-07-signs.json`` with:

- the alphabet's accuracy by frame blocks (5 folds: each letter's frames cut into 5
  contiguous runs; train on 4, test on the 5th);
- the "other signer, other camera" proxy: the 5th block's 3D hands turned out of the
  image plane, tilted, with other proportions and aspect ratios (:data:`CONDITIONS`),
  read by the model of the 4 other blocks, plus the share of no-letter hands read "none";
- cross-source: the alphabet model on the Kazuhito keypoint CSV (Open/Close/Pointer scored
  against the letters of the same handshape), and a model trained on that CSV tested on
  the alphabet's letters of those handshapes;
- the gesture CSV and the point history by blocks.

Seeds are fixed and the model files carry no timestamps: a rebuild on the same machine
gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from arpose.signs.classifier import NONE
from arpose.signs.data import block_folds, load_alphabet, read_keypoint_csv, read_labels
from arpose.signs.evaluate import evaluate
from arpose.signs.features import augment_hands, augment_hands_3d, turn_hands_3d
from arpose.signs.train import featurise, fit, train
from arpose.testing.hands import shape_hand

ROOT = Path(__file__).resolve().parents[1]
DYNAMIC_LETTERS = ("J", "Z")
# A priori: the alphabet letters whose handshape is each Kazuhito class (fixed before measuring).
GROUPS = {"Open": ("B",), "Close": ("A", "E", "M", "N", "S", "T"), "Pointer": ("D", "X")}


# Letters told apart by orientation (H is a sideways U, P a downward K, Q a downward G):
# they keep the narrow in-plane rotation of the first version; the others turn wider.
ORIENTED = ("G", "H", "K", "P", "Q", "U")
FINGER_CHAINS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))
# The "other signer, other camera" proxy: the held-out block's 3D hands changed in ways the
# training data never shows as such (each fixed before measuring; seeds fixed).
CONDITIONS: dict[str, dict[str, float]] = {
    "block (as recorded)": {},
    "camera turned: yaw/pitch +-40 deg": {"yaw": 0.70, "pitch": 0.70},
    "hand tilted in plane +-45 deg": {"roll": 0.79},
    "other hand: bones, palm +-20 %": {"bones": 0.2, "palm": 0.2},
    "other aspect: 4:3 read as 16:9": {"aspect": 0.75},
    "all at once (yaw/pitch 35, tilt 30, hand 15 %, aspect)": {
        "yaw": 0.61,
        "pitch": 0.61,
        "roll": 0.52,
        "bones": 0.15,
        "palm": 0.15,
        "aspect": -1.0,
    },
}


def other_camera(
    points: np.ndarray,
    rng: np.random.Generator,
    *,
    yaw: float = 0.0,
    pitch: float = 0.0,
    roll: float = 0.0,
    bones: float = 0.0,
    palm: float = 0.0,
    aspect: float = 1.0,
) -> np.ndarray:
    """2D copies of ``(N, 21, 3)`` hands as another signer and camera might show them:
    each finger bone scaled by its own factor (+-``bones``), the palm wider or narrower and
    longer or shorter (+-``palm``), turned out of the image plane (+-``yaw``, +-``pitch``),
    tilted in it (+-``roll``, radians), and x scaled by ``aspect`` (a negative value: a
    random pick of 0.75, 1 and 1.33, a camera of another aspect ratio than assumed)."""
    p = np.asarray(points, np.float64) - np.asarray(points, np.float64)[:, :1]
    n = len(p)
    out = p.copy()
    if bones or palm:
        axis = p[:, 9] / np.linalg.norm(p[:, 9], axis=1, keepdims=True)
        width = 1.0 + rng.uniform(-palm, palm, n)[:, None]
        length = 1.0 + rng.uniform(-palm, palm, n)[:, None]
        for chain in FINGER_CHAINS:
            base = p[:, chain[0]]
            along = np.sum(base * axis, axis=1, keepdims=True) * axis
            new = along * length + (base - along) * width
            out[:, chain[0]] = new
            for a, b in zip(chain, chain[1:]):
                new = new + (p[:, b] - p[:, a]) * (1.0 + rng.uniform(-bones, bones, n))[:, None]
                out[:, b] = new
    xy = turn_hands_3d(out, rng, yaw=yaw, pitch=pitch) if (yaw or pitch) else out[..., :2]
    if roll:
        a = rng.uniform(-roll, roll, n)[:, None]
        xy = np.stack(
            [
                xy[..., 0] * np.cos(a) - xy[..., 1] * np.sin(a),
                xy[..., 0] * np.sin(a) + xy[..., 1] * np.cos(a),
            ],
            2,
        )
    k = rng.choice([0.75, 1.0, 4 / 3], n) if aspect < 0 else np.full(n, aspect)
    return xy * np.stack([k, np.ones(n)], 1)[:, None, :]


def letters_augment(variant: str, labels: np.ndarray):
    """The training augmentation of the letter model: ``2d`` (the first version's),
    ``3d`` (plus out-of-plane turns from the 3D landmarks) or ``3d-wide`` (plus wider
    in-plane rotation for letters not told apart by orientation, and other proportions)."""
    if variant == "2d":
        return lambda raw, rng: augment_hands(raw[..., :2], rng)
    if variant == "3d":
        return lambda raw, rng: augment_hands_3d(raw, rng, yaw=0.6, pitch=0.6)
    if variant == "3d-wide":
        rot = np.where(np.isin(labels, ORIENTED), 0.5, 1.0)
        return lambda raw, rng: augment_hands_3d(raw, rng, yaw=0.6, pitch=0.6, rotation=rot, fingers=0.18)
    raise ValueError(variant)


def no_letter_hands() -> np.ndarray:
    """Synthetic relaxed and open "5" hands (no letter) at 13 tilts from -0.6 to 0.6 rad and
    5 foreshortenings: every one should read "none"."""
    hands = []
    for name in ("relaxed", "open_palm"):
        for r in np.linspace(-0.6, 0.6, 13):
            lm = shape_hand(name, rotation=float(r)).landmarks[:, :2]
            for fx, fy in ((1, 1), (0.75, 1), (1, 0.75), (0.6, 1), (1, 0.6)):
                hands.append((lm - lm[:1]) * [fx, fy])
    return np.stack(hands)


def proxy_eval(model, test, seed: int = 1234) -> dict:
    """Accuracy, rejection and forced accuracy of ``model`` on the held-out ``test`` block
    (3D raw) under each of :data:`CONDITIONS`, and the share of no-letter hands read "none"."""
    out = {}
    for name, kw in CONDITIONS.items():
        xy = other_camera(test.raw, np.random.default_rng(seed), **kw)
        x = featurise(model.spec, xy)
        pred = np.array([p.label for p in model.predict(x)])
        forced = np.array([p.label for p in model.predict(x, reject=False)])
        ok = pred == test.labels
        worst = sorted(
            ((c, round(float(ok[test.labels == c].mean()), 3)) for c in model.classes), key=lambda kv: kv[1]
        )[:4]
        out[name] = {
            "accuracy": round(float(ok.mean()), 4),
            "rejected": round(float((pred == NONE).mean()), 4),
            "forced": round(float((forced == test.labels).mean()), 4),
            "accepted_right": round(float(ok.sum() / max((pred != NONE).sum(), 1)), 4),
            "worst": worst,
        }
    neg = model.predict(featurise(model.spec, no_letter_hands()))
    out["no-letter hands read none"] = round(float(np.mean([p.label == NONE for p in neg])), 4)
    out["n"] = int(len(test))
    return out


def train_letters(samples, *, epochs: int, seed: int, variant: str, margin: float, info=None):
    """The letter model from the alphabet's 3D samples with :func:`letters_augment`."""
    classes = samples.classes
    y = np.array([classes.index(c) for c in samples.labels.tolist()])
    return fit(
        samples.raw,
        y,
        classes,
        samples.spec,
        augment=letters_augment(variant, samples.labels),
        epochs=epochs,
        seed=seed,
        reject_margin=margin,
        info=info,
    )


def pool_proxies(proxies: list[dict]) -> dict:
    """The proxy over all folds: each rate weighted by its fold's size, and per fold."""
    n = sum(p["n"] for p in proxies)
    out: dict = {"n": n}
    for name in CONDITIONS:
        rows = [p[name] for p in proxies]
        out[name] = {
            key: round(sum(r[key] * p["n"] for r, p in zip(rows, proxies)) / n, 4)
            for key in ("accuracy", "rejected", "forced")
        }
        out[name]["per_fold"] = [r["accuracy"] for r in rows]
    out["no-letter hands read none"] = [p["no-letter hands read none"] for p in proxies]
    return out


def by_blocks(samples, epochs: int, folds: int = 5, trainer=None, proxy: bool = False) -> dict:
    fold = block_folds(samples, folds)
    rows = []
    extra: dict = {}
    proxies = []
    for k in range(folds):
        part = samples.subset(fold != k)
        model = trainer(part, seed=k) if trainer else train(part, epochs=epochs, seed=k)
        test = samples.subset(fold == k)
        rows.append(evaluate(model, test))
        if proxy:
            proxies.append(proxy_eval(model, test))
    if proxies:
        extra["other_camera_proxy"] = proxies[-1]  # block 5 of 5
        extra["other_camera_proxy_all_folds"] = pool_proxies(proxies)
    n = sum(r["n"] for r in rows)
    return {
        "folds": folds,
        "accuracy": round(sum(r["accuracy"] * r["n"] for r in rows) / n, 4),
        "accuracy_forced": round(sum(r["accuracy_forced"] * r["n"] for r in rows) / n, 4),
        "rejected": round(sum(r["rejected"] * r["n"] for r in rows) / n, 4),
        "per_fold": [r["accuracy"] for r in rows],
        "worst_classes": sorted(
            (
                (c, round(float(np.mean([r["per_class"][c]["accuracy"] for r in rows])), 4))
                for c in rows[0]["per_class"]
            ),
            key=lambda kv: kv[1],
        )[:5],
        "n": n,
        **extra,
    }


def grouped(model, samples, groups: dict[str, tuple[str, ...]]) -> dict:
    """Share of each class read as one of its group's classes (rejections count as wrong)."""
    out = {}
    x = featurise(model.spec, samples.raw)
    pred = np.array([p.label for p in model.predict(x)])
    forced = np.array([p.label for p in model.predict(x, reject=False)])
    for name, members in groups.items():
        sel = samples.labels == name
        if not sel.any():
            continue
        top = {k: int(v) for k, v in zip(*np.unique(pred[sel], return_counts=True))}
        out[name] = {
            "n": int(sel.sum()),
            "accuracy": round(float(np.isin(pred[sel], members).mean()), 4),
            "accuracy_forced": round(float(np.isin(forced[sel], members).mean()), 4),
            "rejected": round(float((pred[sel] == NONE).mean()), 4),
            "read_as": dict(sorted(top.items(), key=lambda kv: -kv[1])[:6]),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "signs"))
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="skip the 5-fold measurements")
    ap.add_argument(
        "--letters-augment",
        default="3d-wide",
        choices=("2d", "3d", "3d-wide"),
        help="the letter model's augmentation (2d: the first version's)",
    )
    ap.add_argument(
        "--reject-margin", type=float, default=0.85, help="rejection radius margin (first version: 1.3)"
    )
    args = ap.parse_args()
    shared = Path(args.shared)
    t0 = time.time()
    alpha = load_alphabet(shared / "asl_alphabet_one_signer.npz", depth=True)
    alpha = alpha.subset(~np.isin(alpha.labels, DYNAMIC_LETTERS))
    order = np.argsort(alpha.labels, kind="stable")
    alpha = alpha.subset(order)
    gdir = shared / "gestures"
    kp = read_keypoint_csv(gdir / "keypoint.csv", read_labels(gdir / "keypoint_classifier_label.csv"))
    ph = read_keypoint_csv(
        gdir / "point_history.csv", read_labels(gdir / "point_history_classifier_label.csv")
    )
    report: dict = {
        "epochs": args.epochs,
        "letters_augment": args.letters_augment,
        "reject_margin": args.reject_margin,
    }

    def letters_trainer(samples, seed, info=None):
        return train_letters(
            samples,
            epochs=args.epochs,
            seed=seed,
            variant=args.letters_augment,
            margin=args.reject_margin,
            info=info,
        )

    if not args.quick:
        report["alphabet_by_blocks"] = by_blocks(alpha, args.epochs, trainer=letters_trainer, proxy=True)
        print(
            "other-camera proxy", json.dumps(report["alphabet_by_blocks"]["other_camera_proxy"]), flush=True
        )
        print(
            "all folds", json.dumps(report["alphabet_by_blocks"]["other_camera_proxy_all_folds"]), flush=True
        )
        print("alphabet by blocks", report["alphabet_by_blocks"]["accuracy"], flush=True)
        report["keypoint_csv_by_blocks"] = by_blocks(kp, args.epochs)
        print("keypoint csv by blocks", report["keypoint_csv_by_blocks"]["accuracy"], flush=True)
        report["point_history_by_blocks"] = by_blocks(ph, args.epochs)
        print("point history by blocks", report["point_history_by_blocks"]["accuracy"], flush=True)
    letters = letters_trainer(
        alpha,
        seed=0,
        info={
            "name": "asl-letters",
            "data": "asl_alphabet_one_signer.npz (borisgraudt/asl-ai @ fa1dcdb, MIT): one signer, "
            "24 static letters (J and Z are movements), all frames; "
            "x (and z) scaled by 16/9 (estimated aspect); "
            f"augmentation {args.letters_augment} (out-of-plane turns from the 3D landmarks), "
            f"rejection margin {args.reject_margin}",
            "licence": "MIT (data: Copyright (c) borisgraudt, see LICENSE.asl-ai)",
            "card": "docs/guide/signs.md",
        },
    )
    kp_model = train(kp, epochs=args.epochs)
    report["cross_source"] = {
        "groups": {k: list(v) for k, v in GROUPS.items()},
        "alphabet_model_on_keypoint_csv": grouped(letters, kp, GROUPS),
    }
    inverse = {}
    for name, members in GROUPS.items():
        for m in members:
            inverse[m] = name
    sub = alpha.subset(np.isin(alpha.labels, list(inverse)))
    sub_named = type(sub)(
        sub.spec,
        sub.raw[..., :2],
        np.array([inverse[x] for x in sub.labels]),
        sub.order,
        sub.mirror,
        sub.source,
    )
    report["cross_source"]["keypoint_model_on_alphabet"] = evaluate(kp_model, sub_named)
    report["cross_source"]["keypoint_model_on_alphabet"].pop("confusion")
    print("cross-source", json.dumps(report["cross_source"], indent=1), flush=True)
    gestures = train(
        ph,
        epochs=args.epochs,
        info={
            "name": "fingertip-gestures",
            "data": "point_history.csv (Kazuhito00/hand-gesture-recognition-using-mediapipe @ 19311a6, "
            "Apache-2.0)",
            "licence": "Apache-2.0 (data, see LICENSE.gestures)",
            "card": "docs/guide/signs.md",
        },
    )
    if "alphabet_by_blocks" in report:
        letters.info["accuracy_by_blocks"] = report["alphabet_by_blocks"]["accuracy"]
        gestures.info["accuracy_by_blocks"] = report["point_history_by_blocks"]["accuracy"]
    out = ROOT / "arpose" / "signs" / "models"
    letters.save(out / "asl_letters.npz")
    gestures.save(out / "fingertip_gestures.npz")
    report["seconds"] = round(time.time() - t0, 1)
    if not args.quick:
        (ROOT / "docs" / "measurements" / "2026-12-07-signs.json").write_text(
            json.dumps(report, indent=1) + "\n"
        )
    print(json.dumps({k: v for k, v in report.items() if k != "cross_source"}, indent=1))


if __name__ == "__main__":
    main()
