"""Measure the VMC stream: does every frame of a 60 FPS, two-person source arrive, and how late?

As ``tools/bench_stream.py`` measures OSC and WebSocket: a synthetic recording of two people
doing jumping jacks (realistic world landmarks from ``arpose.testing``) is replayed at its
original 60 FPS timing through the real pipeline, like a camera; every PoseFrame goes to a
:class:`arpose.vmc.VmcSender` (the rig solved per person, then sent) whose two receivers
(person 0 on PORT, person 1 on PORT+1) run in *other processes* on 127.0.0.1 and decode the
bundles with python-osc. Clocks are ``time.monotonic()`` (system-wide), so arrival and send
times compare.

Printed: a baseline from the same run (the replay with nothing sent: what the machine
drops anyway), frames received of frames sent per receiver (a frame counts once its
``/VMC/Ext/T`` arrived), the stream's rate against the source's, ``VmcSender.send()`` cost
(solving both people + encoding + sending) against the frame period, and the added latency
(send() called to arrival) median / p95 / max.

Run:  python tools/bench_vmc.py [--seconds 10] [--fps 60] [--people 2]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import socket
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _free_ports(n: int) -> int:
    """A port P with P..P+n-1 free for UDP."""
    for _ in range(100):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        base = s.getsockname()[1]
        s.close()
        try:
            socks = []
            for k in range(n):
                t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(t)
                t.bind(("127.0.0.1", base + k))
            for t in socks:
                t.close()
            return base
        except OSError:
            for t in socks:
                t.close()
    raise RuntimeError("no free ports")


def vmc_receiver(port: int, ready, out, stop) -> None:
    from pythonosc.osc_bundle import OscBundle

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind(("127.0.0.1", port))
    sock.settimeout(0.05)
    arrivals: dict[float, float] = {}
    bones = 0
    ready.set()
    while not stop.is_set():
        try:
            data = sock.recv(65536)
        except TimeoutError:
            continue
        now = time.monotonic()
        for m in OscBundle(data):
            if m.address == "/VMC/Ext/T":
                arrivals[round(float(m.params[0]), 4)] = now
            elif m.address == "/VMC/Ext/Bone/Pos":
                bones += 1
    sock.close()
    out.put((port, arrivals, bones))


def make_recording(path: Path, seconds: float, fps: float, people: int) -> int:
    from arpose.pose import PoseFrame
    from arpose.record import Recorder
    from arpose.testing.bodies import Body, frames, jumping_jack_motion, together

    motions = [jumping_jack_motion(reps=20, body=Body(id=k, x=320 + 640 * k)) for k in range(people)]
    motion = together(*motions) if people > 1 else motions[0]
    fn, duration = motion
    clip = frames((fn, max(duration, seconds)), fps=fps, noise=1.0)[: int(seconds * fps)]
    with Recorder(path, fps=fps) as rec:
        for i, pf in enumerate(clip):
            rec.write(PoseFrame(t=i / fps, index=i, size=pf.size, poses=pf.poses))
    return len(clip)


def stats(ms: list[float]) -> str:
    if not ms:
        return "no data"
    a = np.asarray(ms)
    return f"median {np.median(a):.2f} ms, p95 {np.percentile(a, 95):.2f} ms, max {a.max():.2f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--fps", type=float, default=60.0)
    ap.add_argument("--people", type=int, default=2)
    args = ap.parse_args()

    from arpose.record import Replay
    from arpose.tracking.pipeline import Pipeline
    from arpose.vmc import VmcSender

    tmp = Path(tempfile.mkdtemp(prefix="arpose-bench-vmc-"))
    rec_path = tmp / "bench.arpose"
    n = make_recording(rec_path, args.seconds, args.fps, args.people)
    port = _free_ports(args.people)
    ctx = mp.get_context("spawn")
    out, stop = ctx.Queue(), ctx.Event()
    readies = [ctx.Event() for _ in range(args.people)]
    procs = [
        ctx.Process(target=vmc_receiver, args=(port + k, readies[k], out, stop)) for k in range(args.people)
    ]
    for p in procs:
        p.start()
    if not all(r.wait(30) for r in readies):
        print("receivers did not start", file=sys.stderr)
        return 1
    # baseline in the same run: the same replay with nothing sent (what the machine drops anyway)
    base_frames = 0
    base_start = time.monotonic()
    with Pipeline(Replay(rec_path)) as pipeline:
        for _ in pipeline:
            base_frames += 1
        base_dropped = pipeline.dropped
    base_elapsed = time.monotonic() - base_start
    sender = VmcSender("127.0.0.1", port, people=args.people)
    sent_at: dict[float, float] = {}
    people_seen: list[int] = []
    cost: list[float] = []
    started = time.monotonic()
    with Pipeline(Replay(rec_path)) as pipeline:  # original timing, like a camera
        for pf in pipeline:
            t0 = time.monotonic()
            sent_at[round(float(pf.t), 4)] = t0
            people_seen.append(len(pf.poses))
            sender.send(pf)
            cost.append((time.monotonic() - t0) * 1000)
        dropped = pipeline.dropped
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    stop.set()
    results = {}
    for _ in procs:
        p_, arrivals, bones = out.get(timeout=30)
        results[p_] = (arrivals, bones)
    for p in procs:
        p.join(10)
    sender.close()
    period = 1000.0 / args.fps
    print(
        f"baseline (no output): {base_frames} frames in {base_elapsed:.2f} s "
        f"({base_frames / base_elapsed:.1f} FPS), pipeline dropped {base_dropped}"
    )
    print(
        f"source: {n} frames at {args.fps:g} FPS, {np.mean(people_seen):.1f} people per frame; "
        f"{len(sent_at)} frames streamed in {elapsed:.2f} s ({len(sent_at) / elapsed:.1f} FPS, "
        f"{len(sent_at) / elapsed / args.fps:.3f}x the source), pipeline dropped {dropped}"
    )
    print(
        f"VmcSender.send() (solve {args.people} people + encode + send): {stats(cost)}; "
        f"median = {np.median(cost) / period:.3f} of the {period:.1f} ms frame period"
    )
    for k in range(args.people):
        arrivals, bones = results[port + k]
        added = [(arrivals[t] - sent_at[t]) * 1000 for t in arrivals if t in sent_at]
        print(
            f"person slot {k} (port {port + k}): received {len(arrivals)}/{len(sent_at)} frames, "
            f"{bones} bone messages ({bones / max(len(arrivals), 1):.1f} per frame)"
        )
        print(f"  added latency (send() called -> arrival): {stats(added)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
