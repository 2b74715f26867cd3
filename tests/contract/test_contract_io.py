"""What arpose writes for other programs, validated against the contract schemas: the header
of a recording made by `Recorder` (and the frames read back from it), the OSC messages of
`OscSender` and the WebSocket messages a real client receives from `WebSocketServer`."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from contract_schemas import errors

from arpose.joints import LANDMARK_NAMES
from arpose.pose import Hand, Pose, PoseFrame
from arpose.record import MAGIC, Recorder, Recording
from arpose.stream import OscSender, WebSocketServer

TIMEOUT_S = 10.0


def _frames(n: int, *, hands: bool = True) -> list[PoseFrame]:
    """Frames of 0-2 people at varied places (and a hand per person, one without a body)."""
    rng = np.random.default_rng(21)
    out = []
    for i in range(n):
        poses, hand_list = [], []
        for pid in range(i % 3):
            lm = np.zeros((len(LANDMARK_NAMES), 5), np.float32)
            lm[:, :2] = rng.uniform(50, 600, (len(LANDMARK_NAMES), 2))
            lm[:, 2] = rng.uniform(-200, 200, len(LANDMARK_NAMES))
            lm[:, 3:] = rng.uniform(0, 1, (len(LANDMARK_NAMES), 2))
            world = rng.uniform(-1, 1, (len(LANDMARK_NAMES), 3)).astype(np.float32)
            hand = Hand(
                np.concatenate([rng.uniform(50, 600, (21, 3)), rng.uniform(0, 1, (21, 1))], axis=1).astype(
                    np.float32
                ),
                rng.uniform(-0.1, 0.1, (21, 3)).astype(np.float32),
                side=("left", "right")[pid % 2],
                score=0.9,
                person=pid,
                id=pid,
            )
            poses.append(Pose(lm, world, pid, (hand,) if hands else ()))
            hand_list.append(hand)
        if hands:
            hand_list.append(
                Hand(np.full((21, 4), 0.5, np.float32), None, side="right", score=0.7, person=None, id=9)
            )
        out.append(
            PoseFrame(
                t=i / 30,
                index=i,
                size=(640, 480),
                poses=tuple(poses),
                hands=tuple(hand_list) if hands else (),
                hands_tracked=hands,
            )
        )
    return out


def test_recording_header_and_frames_match_the_schemas(tmp_path):
    path = tmp_path / "take.arpose"
    frames = _frames(6)
    with Recorder(path, fps=30.0, source="camera 0", video=tmp_path / "take.avi") as rec:
        for pf in frames:
            assert rec.write(pf)
    data = path.read_bytes()
    first = data[: data.index(b"\n")]
    assert first.startswith(MAGIC + b"1 ")
    header = json.loads(first[len(MAGIC) + 2 :])
    assert errors("recording-header", header) == []
    assert header["fps"] == 30.0 and header["source"] == "camera 0" and header["video"] == "take.avi"
    back = list(Recording(path))
    assert len(back) == len(frames)
    for rf in back:
        assert errors("pose-frame", rf.to_pose_frame().to_json()) == []
    # and not vacuous: a header another program could not read is refused
    for change in (
        {"format": "arpose"},
        {"landmarks": list(LANDMARK_NAMES)[:32]},
        {"created": "yesterday"},
        {"fps": 0},
    ):
        assert errors("recording-header", {**header, **change}), change


def _osc_json(datagram: bytes) -> dict:
    """An OSC datagram as {"address", "args"}, decoded by python-osc (an independent reader)."""
    from pythonosc.osc_message import OscMessage

    msg = OscMessage(datagram)
    return {"address": msg.address, "args": list(msg.params)}


@pytest.mark.parametrize("world", [False, True])
def test_osc_messages_match_the_schema(world):
    sender = OscSender("127.0.0.1", 9, world=world)  # nothing is sent: messages() only builds
    try:
        seen = set()
        for pf in _frames(4):
            messages = [_osc_json(d) for d in sender.messages(pf)]
            assert messages[0]["address"] == "/arpose/frame"
            for m in messages:
                assert errors("osc-message", m) == [], m["address"]
                seen.add(m["address"])
    finally:
        sender.close()
    expected = {"/arpose/frame", "/arpose/pose", "/arpose/hand"} | ({"/arpose/world"} if world else set())
    assert seen == expected
    # not vacuous: a pose message one landmark short, or with a string id, is refused
    short = copy.deepcopy(m)
    short["args"] = short["args"][:-4]
    assert errors("osc-message", short)
    assert errors("osc-message", {"address": "/arpose/frame", "args": [0, 0.0, "640", 480, 1]})


def test_websocket_messages_match_the_schema():
    from websockets.sync.client import connect

    frames = _frames(5)
    with WebSocketServer("127.0.0.1", 0) as server:
        with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=TIMEOUT_S) as ws:
            import time

            deadline = time.monotonic() + TIMEOUT_S
            while server.clients < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            for pf in frames:
                server.send(pf)
            received = [json.loads(ws.recv(timeout=TIMEOUT_S)) for _ in frames]
    assert [r["frame"] for r in received] == [pf.index for pf in frames]
    for r in received:
        assert errors("pose-frame", r) == []
    assert any(r["hands"] for r in received) and any(r["people"] for r in received)
