"""Live streams received by test clients on loopback: OSC over UDP and WebSocket JSON."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time

import numpy as np
import pytest
from record_helpers import make_frames

from arpose.errors import ArposeError
from arpose.stream import OscSender, Streamer, WebSocketServer, parse_endpoint

TIMEOUT_S = 10.0


def _frames(n: int):
    return [pf for pf, _ in make_frames(n, seed=21)]


@pytest.fixture
def osc_receiver():
    """A python-osc UDP server on 127.0.0.1 collecting (address, args)."""
    from pythonosc.dispatcher import Dispatcher
    from pythonosc.osc_server import ThreadingOSCUDPServer

    got: list[tuple[str, tuple]] = []
    lock = threading.Lock()
    disp = Dispatcher()

    def collect(address, *args):
        with lock:
            got.append((address, args))

    disp.set_default_handler(collect)
    server = ThreadingOSCUDPServer(("127.0.0.1", 0), disp)
    th = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    th.start()
    yield server.server_address[1], got, lock
    server.shutdown()
    server.server_close()


def _wait_for(cond, timeout: float = TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


def test_osc_stream_one_message_per_person_per_frame(osc_receiver):
    port, got, lock = osc_receiver
    frames = _frames(12)  # 0, 1, 2 people in turn
    sender = OscSender("127.0.0.1", port)
    expected = sum(1 + len(pf.poses) for pf in frames)
    for pf in frames:
        sender.send(pf)
        time.sleep(0.002)  # UDP on loopback can drop bursts when the receiver is busy
    assert _wait_for(lambda: len(got) >= expected), f"received {len(got)} of {expected}"
    sender.close()
    with lock:
        msgs = list(got)
    frame_msgs = [a for addr, a in msgs if addr == "/arpose/frame"]
    pose_msgs = [a for addr, a in msgs if addr == "/arpose/pose"]
    assert len(frame_msgs) == len(frames)
    assert len(pose_msgs) == sum(len(pf.poses) for pf in frames)
    by_key = {(a[0], a[2]): a for a in pose_msgs}
    for pf in frames:
        fm = next(a for a in frame_msgs if a[0] == pf.index)
        assert fm[1] == pytest.approx(pf.t, abs=1e-4) and fm[2:] == (640, 480, len(pf.poses))
        for pose in pf.poses:
            args = by_key[(pf.index, pose.id)]
            assert len(args) == 3 + 33 * 4
            lm = np.asarray(args[3:], np.float32).reshape(33, 4)
            np.testing.assert_allclose(lm[:, 0] * 640, pose.landmarks[:, 0], rtol=1e-5)
            np.testing.assert_allclose(lm[:, 1] * 480, pose.landmarks[:, 1], rtol=1e-5)
            np.testing.assert_allclose(lm[:, 3], pose.landmarks[:, 3], rtol=1e-5)


def test_osc_world_messages(osc_receiver):
    port, got, _ = osc_receiver
    pf = _frames(3)[2]  # two people
    with Streamer(osc=("127.0.0.1", port), world=True) as s:
        s.send(pf)
    assert _wait_for(lambda: len(got) >= 5)
    world = {a[1]: a for addr, a in got if addr == "/arpose/world"}
    for pose in pf.poses:
        np.testing.assert_allclose(np.asarray(world[pose.id][2:]).reshape(33, 3), pose.world, rtol=1e-5)


def test_osc_receiver_not_listening_is_quiet(caplog):
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nobody listens on this port now
    sender = OscSender("127.0.0.1", port)
    with caplog.at_level(logging.DEBUG, logger="arpose.stream"):
        for pf in _frames(60):
            sender.send(pf)
    sender.close()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) <= 1


def test_osc_bad_host_is_a_clear_error():
    with pytest.raises(
        ArposeError, match=r"OSC receiver no-such-host\.invalid:9000: host .* does not resolve"
    ):
        OscSender("no-such-host.invalid", 9000)


def test_websocket_stream_received_by_a_client():
    from websockets.sync.client import connect

    frames = _frames(15)
    with WebSocketServer("127.0.0.1", 0) as server:
        assert server._server.sockets[0].getsockname()[0] == "127.0.0.1"
        with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=TIMEOUT_S) as ws:
            assert _wait_for(lambda: server.clients == 1)
            for pf in frames:
                server.send(pf)
            received = [json.loads(ws.recv(timeout=TIMEOUT_S)) for _ in frames]
    assert received == [json.loads(json.dumps(pf.to_json())) for pf in frames]
    assert [r["frame"] for r in received] == [pf.index for pf in frames]
    assert [len(r["people"]) for r in received] == [len(pf.poses) for pf in frames]


def test_websocket_without_clients_and_after_client_left():
    from websockets.sync.client import connect

    frames = _frames(5)
    with WebSocketServer("127.0.0.1", 0) as server:
        for pf in frames:
            server.send(pf)  # nobody connected: nothing happens
        with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=TIMEOUT_S):
            assert _wait_for(lambda: server.clients == 1)
        assert _wait_for(lambda: server.clients == 0)
        for pf in frames:
            server.send(pf)
        assert _wait_for(lambda: server.sent == 10)


def test_websocket_port_in_use_is_a_clear_error():
    with WebSocketServer("127.0.0.1", 0) as first:
        with pytest.raises(ArposeError, match=f"127.0.0.1:{first.port}: cannot listen"):
            WebSocketServer("127.0.0.1", first.port).start()


@pytest.mark.parametrize(
    "text,expected",
    [
        ("9000", ("127.0.0.1", 9000)),
        (":9001", ("127.0.0.1", 9001)),
        ("192.168.1.5:7000", ("192.168.1.5", 7000)),
        ("[::1]:7000", ("::1", 7000)),
    ],
)
def test_parse_endpoint(text, expected):
    assert parse_endpoint(text) == expected


@pytest.mark.parametrize("text", ["host:abc", "70000", "localhost"])
def test_parse_endpoint_errors(text):
    with pytest.raises(ArposeError, match=r"port|HOST:PORT"):
        parse_endpoint(text)


def test_streamer_needs_an_output():
    with pytest.raises(ArposeError, match="nothing to stream"):
        Streamer()


def test_osc_send_failures_log_once_and_keep_going(caplog):
    """Every send fails (socket closed underneath): one warning, no exception."""
    sender = OscSender("127.0.0.1", 9)
    sender._sock.close()
    with caplog.at_level(logging.DEBUG, logger="arpose.stream"):
        for pf in _frames(40):
            sender.send(pf)
    assert sender._errors.failures == 40 and sender.sent == 0
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "still streaming" in warnings[0].getMessage()
