"""`arpose signs record|train|eval|live`: teach hand signs, measure a sign model, and turn
fingerspelling into text (and speech)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import SignError
from ..signs.classifier import BUILTIN, load_model
from ..signs.data import Samples, block_folds, load_data, write_samples
from ..signs.evaluate import evaluate
from ..signs.features import STATIC_SPEC
from ..signs.reader import SignReader
from ..signs.text import TextEvent
from ..signs.train import train
from ..stream import DEFAULT_OSC_PORT, DEFAULT_WS_PORT, Streamer, parse_endpoint
from ..tracking.pipeline import track


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "signs",
        help="hand signs: record samples, train and evaluate models, fingerspell text live",
        description="A trainable hand-sign recogniser. Built-in models: "
        f"{', '.join(BUILTIN)}. DATA is an arpose sample CSV (from `signs record`), a keypoint "
        "CSV of the hand-gesture-recognition-using-mediapipe family (with --labels), or the "
        "alphabet .npz.",
    )
    ssub = p.add_subparsers(dest="signs_command", metavar="ACTION", required=True)

    rp = ssub.add_parser("record", help="store labelled hand samples from a camera, video or recording")
    rp.add_argument("name", help="the sign's name (the label of every sample)")
    rp.add_argument("--source", "-s", default="0", help="camera index, video or .arpose recording")
    rp.add_argument("--out", "-o", default="signs.csv", metavar="FILE.csv", help="sample CSV to append to")
    rp.add_argument("--seconds", type=float, metavar="S", help="stop after S seconds (camera: 10)")
    rp.add_argument("--every", type=int, default=1, metavar="N", help="keep every Nth frame (default 1)")
    rp.add_argument("--hand", choices=("any", "left", "right"), default="any", help="which hands to keep")
    rp.set_defaults(run=run_record)

    tp = ssub.add_parser("train", help="train a sign model (numpy only) from samples")
    tp.add_argument("data", nargs="+", help="sample CSVs, keypoint CSVs or the alphabet .npz")
    _data_options(tp)
    tp.add_argument("--output", "-o", required=True, metavar="MODEL.npz", help="where to write the model")
    tp.add_argument("--epochs", type=int, default=30, help="training passes (default 30)")
    tp.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    tp.set_defaults(run=run_train)

    ep = ssub.add_parser("eval", help="accuracy of a model on labelled data")
    ep.add_argument("model", help=f"a model file or a built-in name ({', '.join(BUILTIN)})")
    ep.add_argument("data", nargs="+", help="sample CSVs, keypoint CSVs or the alphabet .npz")
    _data_options(ep)
    ep.add_argument("--json", action="store_true", help="print {accuracy, n, per_class, confusion, ...}")
    ep.set_defaults(run=run_eval)

    lp = ssub.add_parser("live", help="print the text fingerspelled in front of a camera or in a video")
    lp.add_argument("--source", "-s", default="0", help="camera index, video or .arpose recording")
    lp.add_argument("--model", default="asl-letters", help="static sign model (default asl-letters)")
    lp.add_argument(
        "--movement",
        metavar="MODEL",
        help="also name fingertip movements with this model (e.g. fingertip-gestures)",
    )
    lp.add_argument("--hand", choices=("any", "left", "right"), default="any", help="the signing hand")
    lp.add_argument("--speak", action="store_true", help="say each finished word with espeak-ng")
    lp.add_argument("--voice", default="en", help="espeak-ng voice (default en)")
    lp.add_argument("--rate", type=int, default=160, help="words per minute (default 160)")
    lp.add_argument(
        "--osc",
        nargs="?",
        const=f"127.0.0.1:{DEFAULT_OSC_PORT}",
        metavar="HOST:PORT",
        help=f"send each text event as OSC /arpose/sign (default 127.0.0.1:{DEFAULT_OSC_PORT})",
    )
    lp.add_argument(
        "--ws",
        nargs="?",
        const=f"127.0.0.1:{DEFAULT_WS_PORT}",
        metavar="HOST:PORT",
        help=f"serve the text events as JSON to WebSocket clients (default 127.0.0.1:{DEFAULT_WS_PORT})",
    )
    lp.add_argument("--json", action="store_true", help="one JSON object per text event")
    lp.add_argument("--seconds", type=float, metavar="S", help="stop after S seconds")
    lp.set_defaults(run=run_live)


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--labels", metavar="LABELS.csv", help="class names of a keypoint CSV, one per line")
    p.add_argument(
        "--hold-out",
        type=int,
        metavar="K",
        help="blocks: train leaves out block K (1-based) of each class's rows; eval uses only block K",
    )
    p.add_argument("--blocks", type=int, default=5, metavar="N", help="blocks per class for --hold-out (5)")


def _select(samples: Samples, args: argparse.Namespace, keep_block: bool) -> Samples:
    if args.hold_out is None:
        return samples
    if not 1 <= args.hold_out <= args.blocks:
        raise SignError(f"--hold-out {args.hold_out}: must be between 1 and --blocks ({args.blocks})")
    fold = block_folds(samples, args.blocks)
    return samples.subset((fold == args.hold_out - 1) == keep_block)


def run_record(args: argparse.Namespace) -> int:
    seconds = args.seconds if args.seconds is not None else (10.0 if str(args.source).isdigit() else None)
    n = frames = 0
    with track(args.source, max_people=1, hands=True, keep_images=False) as pipeline:
        t0 = None
        for pf in pipeline:
            t0 = pf.t if t0 is None else t0
            if seconds is not None and pf.t - t0 > seconds:
                break
            frames += 1
            if (frames - 1) % max(args.every, 1):
                continue
            hands = [(h.side, h.landmarks) for h in pf.hands if args.hand in ("any", h.side)]
            n += write_samples(args.out, args.name, hands)
    if n == 0:
        raise SignError(f"{args.source}: no hand was seen in {frames} frames: nothing recorded")
    print(f"recorded {n} samples of {args.name!r} from {frames} frames -> {args.out}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    samples = _select(load_data(args.data, args.labels), args, keep_block=False)
    info = {"data": [Path(d).name for d in args.data], "samples": len(samples), "epochs": args.epochs}
    if args.hold_out is not None:
        info["held_out_block"] = f"{args.hold_out}/{args.blocks}"
    model = train(samples, epochs=args.epochs, seed=args.seed, info=info)
    path = model.save(args.output)
    print(
        f"trained {len(model.classes)} classes ({', '.join(model.classes[:12])}) "
        f"on {len(samples)} samples -> {path}"
    )
    return 0


def run_eval(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    samples = _select(load_data(args.data, args.labels), args, keep_block=True)
    report = evaluate(model, samples)
    if report["skipped"]:
        skipped = ", ".join(f"{k} ({v})" for k, v in report["skipped"].items())
        print(f"arpose: note: skipped samples of classes the model does not know: {skipped}", file=sys.stderr)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(
            f"accuracy {report['accuracy']:.3f} on {report['n']} samples "
            f"(rejected {report['rejected']:.3f}; without rejection {report['accuracy_forced']:.3f})"
        )
        worst = sorted(report["per_class"].items(), key=lambda kv: kv[1]["accuracy"])[:5]
        print("weakest: " + ", ".join(f"{k} {v['accuracy']:.2f}" for k, v in worst))
    return 0


def event_json(e: TextEvent) -> dict[str, Any]:
    """The documented sign-text message (WebSocket and ``--json``)."""
    return {"type": "sign_text", "t": round(e.t, 3), "kind": e.kind, "value": e.value, "text": e.text}


def run_live(args: argparse.Namespace) -> int:
    reader = SignReader(args.model, movement=args.movement, hand=args.hand)
    if reader.model.spec != STATIC_SPEC:
        raise SignError(f"{args.model}: not a handshape model")
    speaker = None
    if args.speak:
        # lazy: speech starts a process per word; only --speak needs the module's check
        from ..signs.speech import Speaker

        speaker = Speaker(args.voice, args.rate)
    streamer = None
    if args.osc or args.ws:
        streamer = Streamer(
            parse_endpoint(args.osc) if args.osc else None, parse_endpoint(args.ws) if args.ws else None
        )
    last_move = None
    t = 0.0
    try:
        with track(args.source, max_people=1, hands=True, keep_images=False) as pipeline:
            t0 = None
            for pf in pipeline:
                t0 = pf.t if t0 is None else t0
                if args.seconds is not None and pf.t - t0 > args.seconds:
                    break
                t = pf.t
                events = reader.update(pf)
                move = reader.last.movement
                if move is not None and move.label != last_move and args.movement:
                    last_move = move.label
                    print(
                        json.dumps({"type": "sign_movement", "t": round(t, 3), "movement": move.label})
                        if args.json
                        else f"[{t:7.2f}s] movement: {move.label}"
                    )
                _emit(events, args, speaker, streamer)
            _emit(reader.finish(t), args, speaker, streamer)
    finally:
        if speaker is not None:
            speaker.close()
        if streamer is not None:
            streamer.close()
    if not args.json:
        print(f"text: {reader.text.strip()}")
    return 0


def _emit(events: list[TextEvent], args: argparse.Namespace, speaker: Any, streamer: Streamer | None) -> None:
    for e in events:
        if args.json:
            print(json.dumps(event_json(e)), flush=True)
        elif e.kind != "word":
            shown = {"space": "<space>", "delete": "<delete>"}.get(e.kind, e.value)
            print(f"[{e.t:7.2f}s] {shown:<8} {e.text}", flush=True)
        if streamer is not None:
            if streamer.osc is not None:
                streamer.osc.send_message("sign", float(e.t), e.kind, e.value, e.text)
            if streamer.websocket is not None:
                streamer.websocket.send(event_json(e))
        if speaker is not None and e.kind == "word":
            speaker.say(e.value)


__all__ = ["add_parser", "event_json"]
