"""``arpose serve --vmc`` received by an independent VMC implementation (the ``vmcp``
package and its own OSC stack, osc4py3), on a recording of a known pose."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from arpose.pose import PoseFrame
from arpose.record import Recorder
from arpose.testing.bodies import Body, make_pose

FPS = 30.0
SECONDS = 2.0
UNITY_PARENT = {  # Unity's HumanBodyBones hierarchy for the bones checked below
    "Hips": None,
    "Spine": "Hips",
    "Chest": "Spine",
    "LeftShoulder": "Chest",
    "LeftUpperArm": "LeftShoulder",
    "RightShoulder": "Chest",
    "RightUpperArm": "RightShoulder",
}


def _qmul(a, b):
    ax, ay, az, aw = a
    bx, by, bz, bw = b
    return np.array(
        [
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ]
    )


def _rotate(q, v):
    conj = q * np.array([-1, -1, -1, 1])
    return _qmul(_qmul(q, np.array([*v, 0.0])), conj)[:3]


def _free_udp_port() -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def known_pose_take(tmp_path):
    """Two seconds of one person with the left arm straight up and the right arm out (T)."""
    path = tmp_path / "arm_up.arpose"
    with Recorder(path, fps=FPS, source="synthetic") as rec:
        for i in range(int(SECONDS * FPS)):
            pose = make_pose(Body(left_arm=180, right_arm=90))
            pf = PoseFrame(t=i / FPS, index=i, size=(1280, 720), poses=(pose,))
            assert rec.write(pf, (pose,))
    return path


def test_vmcp_receives_the_documented_messages_and_the_known_pose(known_pose_take):
    pytest.importorskip("vmcp", reason="the vmcp package (test extra) is not installed")
    from vmcp.events import BoneTransformEvent, RelativeTimeEvent, RootTransformEvent, StateEvent
    from vmcp.facades import on_receive
    from vmcp.osc import OSC
    from vmcp.osc.backend.osc4py3 import as_comthreads as backend

    port = _free_udp_port()
    got: dict[str, list] = {"root": [], "bones": [], "state": [], "time": []}
    lock = threading.Lock()

    def keep(kind):
        def handler(event):
            with lock:
                got[kind].append(event)

        return handler

    osc = OSC(backend)
    with osc.open():
        receiver = osc.create_receiver("127.0.0.1", port, "arpose").open()
        on_receive(receiver, RootTransformEvent, keep("root"))
        on_receive(receiver, BoneTransformEvent, keep("bones"))  # an unknown bone name raises there
        on_receive(receiver, StateEvent, keep("state"))
        on_receive(receiver, RelativeTimeEvent, keep("time"))
        serve = subprocess.Popen(
            [sys.executable, "-m", "arpose", "serve", "--source", str(known_pose_take)]
            + ["--vmc", f"127.0.0.1:{port}", "--max-people", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while serve.poll() is None and time.monotonic() < deadline:
            osc.run()
            time.sleep(0.001)
        for _ in range(200):  # what is still in the sockets
            osc.run()
            time.sleep(0.001)
        _, err = serve.communicate(timeout=30)
    assert serve.returncode == 0, err
    assert "VMC to 127.0.0.1" in err
    # every frame serve streamed arrived (loopback), at the recording's own rate; how many it
    # streamed is its own count (a loaded machine may skip frames of a live source)
    frames = int(re.search(r"streamed (\d+) frames", err).group(1))
    times = sorted({round(e.delta, 4) for e in got["time"]})
    assert frames >= 0.5 * SECONDS * FPS and len(times) >= 0.98 * frames, (len(times), err)
    assert np.median(np.diff(times)) == pytest.approx(1 / FPS, abs=1e-3)
    assert len(got["root"]) >= 0.95 * frames and all(e.joint == "root" for e in got["root"])
    assert all(e.model_state.value == 1 and e.tracking_state.value == 1 for e in got["state"])
    names = {e.joint.value for e in got["bones"]}
    assert {"Hips", "Spine", "Chest", "Neck", "Head", "LeftUpperArm", "RightLowerLeg", "LeftFoot"} <= names
    last = {}
    for e in got["bones"]:
        last[e.joint.value] = np.array([e.rotation.x, e.rotation.y, e.rotation.z, e.rotation.w])
    g = {}
    for name, parent in UNITY_PARENT.items():
        g[name] = last[name] if parent is None else _qmul(g[parent], last[name])
    # Unity: left-handed, the avatar faces +Z with its left arm at -X at rest (T-pose)
    left = _rotate(g["LeftUpperArm"], (-1.0, 0.0, 0.0))
    right = _rotate(g["RightUpperArm"], (1.0, 0.0, 0.0))
    assert left @ np.array([0, 1, 0]) > np.cos(np.radians(15)), left  # up
    assert right @ np.array([1, 0, 0]) > np.cos(np.radians(15)), right  # still out to the side
    hips = next(e for e in reversed(got["bones"]) if e.joint.value == "Hips")
    assert 0.6 < hips.position.y < 1.3  # the hips' height above the floor, metres


def test_serve_vmc_bad_host_is_one_line(known_pose_take):
    res = subprocess.run(
        [sys.executable, "-m", "arpose", "serve", "--source", str(known_pose_take)]
        + ["--vmc", "no-such-host.invalid:39539"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 1
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert lines == [
        "arpose: error: --vmc: VMC receiver no-such-host.invalid:39539: host 'no-such-host.invalid' "
        "does not resolve (Name or service not known); give an IP address (127.0.0.1 for this machine) "
        "or a host name this machine can resolve"
    ] or (len(lines) == 1 and "does not resolve" in lines[0] and lines[0].startswith("arpose: error: --vmc:"))


def test_node_bridge_turns_vmc_into_websocket_json_for_web_pages(known_pose_take):
    """tools/vmc_bridge.mjs (what a three.js page connects to) relays each VMC frame."""
    import json
    import shutil
    from pathlib import Path

    from websockets.sync.client import connect

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (the bridge is for web pages; Node 18+)")
    bridge = Path(__file__).resolve().parents[2] / "tools" / "vmc_bridge.mjs"
    udp, ws_port = _free_udp_port(), _free_udp_port()
    proc = subprocess.Popen([node, str(bridge), str(udp), str(ws_port)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                ws = connect(f"ws://127.0.0.1:{ws_port}", proxy=None, open_timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        serve = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "arpose",
                "serve",
                "--source",
                str(known_pose_take),
                "--vmc",
                f"127.0.0.1:{udp}",
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        got = []
        with ws:
            while True:  # until serve has ended and nothing more comes
                try:
                    got.append(json.loads(ws.recv(timeout=1)))
                except TimeoutError:
                    if serve.poll() is not None:
                        break
        _, err = serve.communicate(timeout=30)
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    streamed = int(re.search(r"streamed (\d+) frames", err).group(1))
    assert len(got) >= 0.98 * streamed > 0
    last = got[-1]
    assert last["tracking"] == 1 and last["root"]["p"][1] == 0.0
    assert {"Hips", "LeftUpperArm", "RightUpperArm"} <= set(last["bones"])
    g = _qmul(np.array(last["bones"]["LeftShoulder"]["q"]), np.array(last["bones"]["LeftUpperArm"]["q"]))
    g = _qmul(
        _qmul(
            _qmul(np.array(last["bones"]["Hips"]["q"]), np.array(last["bones"]["Spine"]["q"])),
            np.array(last["bones"]["Chest"]["q"]),
        ),
        g,
    )
    assert _rotate(g, (-1.0, 0.0, 0.0)) @ np.array([0, 1, 0]) > np.cos(np.radians(15))  # the left arm up
