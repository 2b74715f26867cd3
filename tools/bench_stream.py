"""Measure the live stream: does every frame of a 50 FPS source arrive, and how late?

A synthetic two-person recording is replayed at its original 50 FPS timing through the
real pipeline; every PoseFrame goes to OSC and WebSocket receivers running in *other
processes* on 127.0.0.1 (so they do not share this process's GIL). Clocks: all
timestamps are ``time.monotonic()``, which is system-wide on Linux/macOS/Windows, so
arrival times in the receivers and send times here are comparable.

Printed per output: frames received of frames sent, and the added latency (send() call
to arrival in the receiver) median / p95 / max in ms, plus source-to-arrival latency
(the frame leaving the replay source to arrival), which includes the pipeline hand-off.

Run:  python tools/bench_stream.py [--seconds 10] [--fps 50] [--people 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import socket
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _free_port(kind: int) -> int:
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def osc_receiver(port: int, ready, out, stop) -> None:
    from pythonosc.dispatcher import Dispatcher
    from pythonosc.osc_server import BlockingOSCUDPServer

    arrivals: dict[int, float] = {}
    pose_msgs = [0]

    def on_pose(_addr, index, *_args):
        arrivals[index] = time.monotonic()  # the frame's last person message wins
        pose_msgs[0] += 1

    disp = Dispatcher()
    disp.map("/arpose/pose", on_pose)
    disp.set_default_handler(lambda *a: None)
    server = BlockingOSCUDPServer(("127.0.0.1", port), disp)
    server.timeout = 0.05
    ready.set()
    while not stop.is_set():
        server.handle_request()
    server.server_close()
    out.put(("osc", arrivals, pose_msgs[0]))


def ws_receiver(port: int, ready, out, stop) -> None:
    from websockets.sync.client import connect

    arrivals: dict[int, float] = {}
    deadline = time.monotonic() + 20
    while True:
        try:
            ws = connect(f"ws://127.0.0.1:{port}", proxy=None, compression=None)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    ready.set()
    with ws:
        while not stop.is_set():
            try:
                msg = ws.recv(timeout=0.1)
            except TimeoutError:
                continue
            except Exception:
                break
            arrivals[json.loads(msg)["frame"]] = time.monotonic()
    out.put(("ws", arrivals, len(arrivals)))


def make_recording(path: Path, seconds: float, fps: float, people: int) -> int:
    from arpose.pose import Pose, PoseFrame
    from arpose.record import Recorder

    rng = np.random.default_rng(0)
    n = int(seconds * fps)
    base = [rng.uniform(100, 600, (33, 5)).astype(np.float32) for _ in range(people)]
    with Recorder(path, fps=fps) as rec:
        for i in range(n):
            poses = []
            for pid, b in enumerate(base):
                lm = b.copy()
                lm[:, 3:] = 0.9
                lm[:, :2] += 20 * np.sin(i / 10 + pid)
                poses.append(Pose(lm, np.zeros((33, 3), np.float32), pid))
            rec.write(PoseFrame(t=i / fps, index=i, size=(1280, 720), poses=tuple(poses)))
    return n


def stats(lat_ms: list[float]) -> str:
    if not lat_ms:
        return "no data"
    a = np.asarray(lat_ms)
    return f"median {np.median(a):.2f} ms, p95 {np.percentile(a, 95):.2f} ms, max {a.max():.2f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--fps", type=float, default=50.0)
    ap.add_argument("--people", type=int, default=2)
    args = ap.parse_args()

    from arpose.record import Replay
    from arpose.stream import Streamer
    from arpose.tracking.pipeline import Pipeline

    tmp = Path(tempfile.mkdtemp(prefix="arpose-bench-stream-"))
    rec_path = tmp / "bench.arpose"
    n = make_recording(rec_path, args.seconds, args.fps, args.people)

    osc_port, ws_port = _free_port(socket.SOCK_DGRAM), _free_port(socket.SOCK_STREAM)
    ctx = mp.get_context("spawn")
    out, stop = ctx.Queue(), ctx.Event()
    osc_ready, ws_ready = ctx.Event(), ctx.Event()
    procs = [
        ctx.Process(target=osc_receiver, args=(osc_port, osc_ready, out, stop)),
        ctx.Process(target=ws_receiver, args=(ws_port, ws_ready, out, stop)),
    ]
    streamer = Streamer(osc=("127.0.0.1", osc_port), websocket=("127.0.0.1", ws_port))
    for p in procs:
        p.start()
    if not (osc_ready.wait(30) and ws_ready.wait(30)):
        print("receivers did not start", file=sys.stderr)
        return 1
    deadline = time.monotonic() + 10
    while streamer.websocket.clients < 1 and time.monotonic() < deadline:
        time.sleep(0.01)

    sent_at: dict[int, float] = {}
    left_source: dict[int, float] = {}
    send_cost: list[float] = []
    started = time.monotonic()
    with Pipeline(Replay(rec_path)) as pipeline:  # original 50 FPS timing, like a camera
        for pf in pipeline:
            t0 = time.monotonic()
            sent_at[pf.index] = t0
            left_source[pf.index] = pf.stats.captured_at
            streamer.send(pf)
            send_cost.append((time.monotonic() - t0) * 1000)
        dropped = pipeline.dropped
    elapsed = time.monotonic() - started
    time.sleep(0.5)  # let the last messages land
    stop.set()
    results = {}
    for _ in procs:
        kind, arrivals, count = out.get(timeout=30)
        results[kind] = (arrivals, count)
    for p in procs:
        p.join(10)
    streamer.close()

    print(
        f"source: {n} frames at {args.fps:g} FPS, {args.people} people each; "
        f"{len(sent_at)} frames streamed in {elapsed:.2f} s "
        f"({len(sent_at) / elapsed:.1f} FPS), pipeline dropped {dropped}"
    )
    print(f"Streamer.send() call (OSC + WebSocket hand-off): {stats(send_cost)}")
    for kind, label in (("osc", "OSC (UDP)"), ("ws", "WebSocket")):
        arrivals, count = results[kind]
        added = [(arrivals[i] - sent_at[i]) * 1000 for i in arrivals if i in sent_at]
        total = [(arrivals[i] - left_source[i]) * 1000 for i in arrivals if i in left_source]
        extra = f", {count} person messages" if kind == "osc" else ""
        print(f"{label}: received {len(arrivals)}/{len(sent_at)} frames{extra}")
        print(f"  added latency (send -> arrival): {stats(added)}")
        print(f"  source -> arrival (incl. pipeline hand-off): {stats(total)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
