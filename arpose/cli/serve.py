"""`arpose serve`: stream filtered landmarks live over OSC and/or WebSocket."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time

from ..errors import StreamError, printable
from ..stream import DEFAULT_HOST, DEFAULT_OSC_PORT, DEFAULT_WS_PORT, Streamer, parse_endpoint
from ..vmc import DEFAULT_VMC_PORT, VmcSender
from . import signals
from .record import check_max_people, open_pipeline


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="stream landmarks live to Godot, Unity, TouchDesigner, a web page (OSC, WebSocket)",
        description="Without --osc or --websocket both are on: OSC to "
        f"{DEFAULT_HOST}:{DEFAULT_OSC_PORT} and a WebSocket server on "
        f"ws://{DEFAULT_HOST}:{DEFAULT_WS_PORT}. See README for the OSC address "
        "scheme and the JSON message.",
    )
    p.add_argument(
        "--source", default="0", help="camera index (default 0), video (played at its own rate), or recording"
    )
    p.add_argument("--osc", metavar="HOST:PORT", help="send OSC (UDP) to this receiver")
    p.add_argument("--websocket", metavar="[HOST:]PORT", help="serve WebSocket clients on this port")
    p.add_argument(
        "--vmc",
        metavar="HOST:PORT",
        help="send joint rotations over the VMC protocol (OSC, UDP) to a receiver such as "
        f"VSeeFace, Warudo, EVMC4U or the Blender add-on (usually {DEFAULT_HOST}:{DEFAULT_VMC_PORT}); "
        "person k goes to PORT+k",
    )
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address the WebSocket server binds (default {DEFAULT_HOST}: this "
        f"machine only; 0.0.0.0 for the whole network)",
    )
    p.add_argument("--world", action="store_true", help="also send /arpose/world over OSC")
    p.add_argument("--max-people", type=int, default=2, metavar="N")
    p.add_argument(
        "--fast",
        action="store_true",
        help="a video or recording as fast as possible instead of at its own rate",
    )
    p.add_argument("--loop", action="store_true", help="replay a recording again and again")
    p.add_argument("--model", metavar="PATH", help="a pose_landmarker .task bundle")
    p.add_argument("--hands", action="store_true", help="also track 21 landmarks per hand")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_max_people(args.max_people)
    osc = ws = vmc = None
    if args.osc is None and args.websocket is None and args.vmc is None:
        osc, ws = (DEFAULT_HOST, DEFAULT_OSC_PORT), (args.host, DEFAULT_WS_PORT)
    try:
        if args.osc is not None:
            osc = parse_endpoint(args.osc)
        if args.websocket is not None:
            ws = parse_endpoint(args.websocket, default_host=args.host)
        if args.vmc is not None:
            vmc = parse_endpoint(args.vmc)
    except StreamError as exc:
        flag = "--websocket"
        for name, value in (("--osc", args.osc), ("--vmc", args.vmc)):
            if value is not None and str(value) in str(exc):
                flag = name
        raise StreamError(f"{flag} {exc}") from None
    source = args.source
    if args.loop:
        source += ("&" if "?" in source else "?") + "loop"
    pipeline = open_pipeline(
        source,
        fast=args.fast,
        realtime=True,
        max_people=args.max_people,
        keep_images=False,
        model=args.model,
        hands=args.hands,
    )
    frames = 0
    started = time.monotonic()
    interrupted: KeyboardInterrupt | None = None
    vmc_sender = None
    try:
        if vmc is not None:
            vmc_sender = VmcSender(*vmc, people=args.max_people)
        streamer = Streamer(osc=osc, websocket=ws, world=args.world) if osc or ws else None
    except StreamError as exc:
        # an unresolvable --osc or --vmc host stops here (exit 1) rather than streaming nowhere
        pipeline.stop()
        if vmc_sender is not None:
            vmc_sender.close()
        flag = {"OSC": "--osc", "VMC": "--vmc"}.get(str(exc)[:3], "--websocket")
        raise StreamError(f"{flag}: {exc}") from None
    with contextlib.ExitStack() as outputs:
        senders: list[Streamer | VmcSender] = []
        if streamer is not None:
            senders.append(outputs.enter_context(streamer))
        if vmc_sender is not None:
            senders.append(outputs.enter_context(vmc_sender))
        where = []
        if vmc_sender is not None:
            last = vmc_sender.port + args.max_people - 1
            ports = f"{vmc_sender.port}" + (f"..{last}" if last > vmc_sender.port else "")
            where.append(f"VMC to {vmc_sender.host}:{ports}")
        if streamer is not None and streamer.osc is not None:
            where.append(f"OSC to {streamer.osc.host}:{streamer.osc.port}")
        if streamer is not None and streamer.websocket is not None:
            where.append(f"WebSocket on ws://{streamer.websocket.host}:{streamer.websocket.port}")
        print(
            f"arpose: streaming {printable(args.source)}: {', '.join(where)} (Ctrl+C to stop)",
            file=sys.stderr,
        )
        try:
            with pipeline:
                for pf in pipeline:
                    for out in senders:
                        out.send(pf)
                    frames += 1
        except KeyboardInterrupt as exc:  # Ctrl+C or SIGTERM: the normal way to stop
            interrupted = exc
    elapsed = max(time.monotonic() - started, 1e-9)
    dropped = streamer.websocket.dropped if streamer is not None and streamer.websocket is not None else 0
    print(
        f"arpose: streamed {frames} frames in {elapsed:.1f} s ({frames / elapsed:.1f} FPS)"
        + (f"; slow WebSocket clients skipped {dropped} frames" if dropped else "")
        + (f" ({signals.describe(interrupted)})" if interrupted else ""),
        file=sys.stderr,
    )
    return signals.exit_code(interrupted) if interrupted else 0
