"""Rebuild arpose's built-in sign models from ../shared/signs and measure them honestly.

    python tools/build_signs_models.py [--shared ../shared/signs] [--quick]

Writes ``arpose/signs/models/asl_letters.npz`` (trained on the one-signer alphabet, all
frames, J and Z left out: they are movements, not handshapes) and
``arpose/signs/models/fingertip_gestures.npz`` (the point-history gestures), and
``docs/measurements/signs.json`` with:

- the alphabet's accuracy by frame blocks (5 folds: each letter's frames cut into 5
  contiguous runs; train on 4, test on the 5th);
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
from arpose.signs.train import featurise, train

ROOT = Path(__file__).resolve().parents[1]
DYNAMIC_LETTERS = ("J", "Z")
# A priori: the alphabet letters whose handshape is each Kazuhito class (fixed before measuring).
GROUPS = {"Open": ("B",), "Close": ("A", "E", "M", "N", "S", "T"), "Pointer": ("D", "X")}


def by_blocks(samples, epochs: int, folds: int = 5) -> dict:
    fold = block_folds(samples, folds)
    rows = []
    for k in range(folds):
        model = train(samples.subset(fold != k), epochs=epochs, seed=k)
        rows.append(evaluate(model, samples.subset(fold == k)))
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
    args = ap.parse_args()
    shared = Path(args.shared)
    t0 = time.time()
    alpha = load_alphabet(shared / "asl_alphabet_one_signer.npz")
    alpha = alpha.subset(~np.isin(alpha.labels, DYNAMIC_LETTERS))
    order = np.argsort(alpha.labels, kind="stable")
    alpha = alpha.subset(order)
    gdir = shared / "gestures"
    kp = read_keypoint_csv(gdir / "keypoint.csv", read_labels(gdir / "keypoint_classifier_label.csv"))
    ph = read_keypoint_csv(
        gdir / "point_history.csv", read_labels(gdir / "point_history_classifier_label.csv")
    )
    report: dict = {"epochs": args.epochs}
    if not args.quick:
        report["alphabet_by_blocks"] = by_blocks(alpha, args.epochs)
        print("alphabet by blocks", report["alphabet_by_blocks"]["accuracy"], flush=True)
        report["keypoint_csv_by_blocks"] = by_blocks(kp, args.epochs)
        print("keypoint csv by blocks", report["keypoint_csv_by_blocks"]["accuracy"], flush=True)
        report["point_history_by_blocks"] = by_blocks(ph, args.epochs)
        print("point history by blocks", report["point_history_by_blocks"]["accuracy"], flush=True)
    letters = train(
        alpha,
        epochs=args.epochs,
        info={
            "name": "asl-letters",
            "data": "asl_alphabet_one_signer.npz (borisgraudt/asl-ai @ fa1dcdb, MIT): one signer, "
            "24 static letters (J and Z are movements), all frames; x scaled by 16/9 (estimated aspect)",
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
        sub.spec, sub.raw, np.array([inverse[x] for x in sub.labels]), sub.order, sub.mirror, sub.source
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
