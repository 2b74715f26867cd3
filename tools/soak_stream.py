"""Soak the WebSocket stream: memory of `arpose serve` with slow clients, for minutes.

Starts the installed ``arpose serve`` on a looping two-person recording read as fast as
possible (``?fast&loop``: far more frames per second than any client takes), plus an
OSC output to a port where nobody listens (the case that used to flood the log), and
``--clients`` client processes that each read one message, then sleep ``--client-sleep``
seconds. The server's resident memory (VmRSS from /proc) is sampled every few seconds.

Pass: the RSS at the end is within ``--tolerance`` (10 %) of the RSS after the first
minute. Too slow for pytest (the issue asks for ten minutes); run it by hand or in CI:

    python tools/soak_stream.py --minutes 10 --clients 4
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_stream import _free_port  # tools/ is on sys.path when run as a script


def make_recording(path: Path, frames: int = 500, fps: float = 50.0) -> Path:
    """A synthetic two-person take (poses drift smoothly; good enough for a stream)."""
    from arpose.pose import Pose, PoseFrame
    from arpose.record import Recorder

    rng = np.random.default_rng(5)
    base = [
        np.concatenate(
            [rng.uniform(100, 500, (33, 2)), rng.normal(0, 10, (33, 1)), np.ones((33, 2))], axis=1
        ).astype(np.float32)
        for _ in range(2)
    ]
    with Recorder(path, fps=fps, source="soak") as rec:
        for i in range(frames):
            poses = tuple(
                Pose(b + np.float32(5 * np.sin(i / 20 + k)), np.zeros((33, 3), np.float32), k)
                for k, b in enumerate(base)
            )
            rec.write(PoseFrame(t=i / fps, index=i, size=(640, 480), poses=poses), poses)
    return path


def slow_client(port: int, sleep_s: float, stop, counts, k: int) -> None:
    from websockets.sync.client import connect

    got = 0
    try:
        # A client that reads this slowly lags by what its own kernel receive buffer holds:
        # Linux grows it (tcp_rmem, up to 32 MB here), measured 600 kB = 17 s behind
        # after 20 s and growing, and then the server's keepalive (20 s) closes it. The
        # server cannot shrink the client's buffer; a slow client sets SO_RCVBUF itself
        # (fixing it also stops the autotuning), as a careful client would.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
        sock.connect(("127.0.0.1", port))
        with connect(f"ws://127.0.0.1:{port}", sock=sock, open_timeout=20, max_size=None, max_queue=2) as ws:
            while not stop.is_set():
                ws.recv(timeout=30)
                got += 1
                counts[k] = got
                time.sleep(sleep_s)
    except Exception as exc:  # reported, not hidden: a client that dies fails the soak
        print(f"client {k}: {type(exc).__name__}: {exc}", file=sys.stderr)
        counts[k] = -got - 1


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument(
        "--client-sleep",
        type=float,
        default=0.2,
        help="seconds each client sleeps after every message (slow client)",
    )
    ap.add_argument("--sample-s", type=float, default=5.0)
    ap.add_argument("--tolerance", type=float, default=0.10)
    ap.add_argument("--arpose", default=shutil.which("arpose") or "arpose")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))  # still stop the server (finally)

    tmp = Path(tempfile.mkdtemp(prefix="arpose-soak-"))
    rec = make_recording(tmp / "take.arpose")
    ws_port, osc_port = _free_port(socket.SOCK_STREAM), _free_port(socket.SOCK_DGRAM)
    server = subprocess.Popen(
        # ?fast&loop rather than --fast --loop: the same stream on versions where --fast
        # dropped ?loop (issue 15, row 7), so a before/after comparison is possible
        [
            args.arpose,
            "serve",
            "--source",
            f"{rec}?fast&loop",
            "--websocket",
            f"127.0.0.1:{ws_port}",
            "--osc",
            f"127.0.0.1:{osc_port}",
        ],
        stderr=open(tmp / "serve.log", "w"),
        cwd=tmp,
    )
    stop = mp.Event()
    counts = mp.Array("l", args.clients)
    clients = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", ws_port)) == 0:
                    break
            time.sleep(0.2)
        clients = [
            mp.Process(target=slow_client, args=(ws_port, args.client_sleep, stop, counts, k))
            for k in range(args.clients)
        ]
        for c in clients:
            c.start()
        start = time.monotonic()
        samples: list[tuple[float, float]] = []
        end = start + args.minutes * 60
        while time.monotonic() < end:
            if server.poll() is not None:
                print(f"server exited early with {server.returncode}", file=sys.stderr)
                return 2
            samples.append((time.monotonic() - start, rss_mb(server.pid)))
            t, m = samples[-1]
            print(f"{t:7.1f} s  server RSS {m:7.1f} MB  client messages {counts[:]}", flush=True)
            time.sleep(args.sample_s)
        after_1 = next(m for t, m in samples if t >= min(60.0, samples[-1][0]))
        last = samples[-1][1]
        peak = max(m for _, m in samples)
        dead = [k for k, c in enumerate(counts[:]) if c < 0]
        ratio = last / after_1
        print(
            f"RSS after minute 1: {after_1:.1f} MB; at the end ({samples[-1][0]:.0f} s): "
            f"{last:.1f} MB ({(ratio - 1) * 100:+.1f} %); peak {peak:.1f} MB; "
            f"clients that died: {dead or 'none'}"
        )
        log_lines = (tmp / "serve.log").read_text(errors="replace").splitlines()
        print(f"server log: {len(log_lines)} lines so far")
        return 0 if abs(ratio - 1) <= args.tolerance and not dead else 1
    finally:
        stop.set()
        for c in clients:
            c.join(5)
            if c.is_alive():
                c.terminate()
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log_text = (tmp / "serve.log").read_text(errors="replace")
        print("server log (last lines):\n" + "\n".join(log_text.splitlines()[-5:]))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
