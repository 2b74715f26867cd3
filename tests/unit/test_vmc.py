"""The VMC stream: messages decoded by python-osc's own parser (an independent decoder),
Unity's axes and names checked on known poses, the Blender add-on's decoder agreeing."""

from __future__ import annotations

import logging
import socket
import time

import numpy as np
import pytest
from pythonosc.osc_bundle import OscBundle

from arpose.blender import vmc_receive
from arpose.errors import StreamError
from arpose.pose import PoseFrame
from arpose.testing.bodies import Body, make_pose
from arpose.vmc import MAX_DATAGRAM, UNITY_NAMES, VmcEncoder, VmcSender, bundles, to_unity_rotation

UNITY_PARENT = vmc_receive.PARENTS  # Unity's humanoid hierarchy (as Unity defines it)


def _decode(grams: list[bytes]) -> list[tuple[str, list]]:
    out = []
    for g in grams:
        assert len(g) <= MAX_DATAGRAM
        assert OscBundle.dgram_is_bundle(g)
        for m in OscBundle(g):
            out.append((m.address, list(m.params)))
    return out


def _qmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
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


def _rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    qv = np.array([*v, 0.0])
    conj = q * np.array([-1, -1, -1, 1])
    return _qmul(_qmul(q, qv), conj)[:3]


def _unity_globals(bones: dict[str, list]) -> dict[str, np.ndarray]:
    """Chain the received local rotations down Unity's hierarchy (independent of arpose.rig)."""
    out: dict[str, np.ndarray] = {}
    for name, parent in UNITY_PARENT.items():
        local = np.array(bones[name][4:8]) if name in bones else np.array([0.0, 0, 0, 1])
        out[name] = local if parent is None else _qmul(out[parent], local)
    return out


def _frame(*bodies: Body, hands: bool = False) -> PoseFrame:
    return PoseFrame(
        t=1.25, index=3, size=(1280, 720), poses=tuple(make_pose(b) for b in bodies), hands_tracked=hands
    )


def _messages(sender_frame: PoseFrame) -> tuple[list[tuple[str, list]], VmcSender]:
    sender = VmcSender("127.0.0.1", 39999)
    try:
        grams = sender.datagrams(sender_frame)
    finally:
        sender.close()
    return _decode(grams[0]), sender


def test_the_documented_messages_in_order() -> None:
    msgs, _ = _messages(_frame(Body(id=4)))
    addresses = [a for a, _ in msgs]
    assert addresses[0] == "/VMC/Ext/Root/Pos" and msgs[0][1][0] == "root"
    assert addresses[-2:] == ["/VMC/Ext/OK", "/VMC/Ext/T"]
    assert msgs[-2][1] == [1, 3, 0, 1]  # loaded, calibrated, normal mode, tracking
    assert msgs[-1][1][0] == pytest.approx(1.25)
    bones = {args[0]: args for a, args in msgs if a == "/VMC/Ext/Bone/Pos"}
    assert {"Hips", "Spine", "Chest", "Neck", "Head", "LeftUpperArm", "RightLowerLeg", "LeftFoot"} <= set(
        bones
    )
    assert not any("Thumb" in b or "Index" in b for b in bones)  # no hands tracked
    assert all(len(a) == 8 and all(isinstance(v, float) for v in a[1:]) for a in bones.values())
    assert all(abs(np.linalg.norm(a[4:8]) - 1) < 1e-4 for a in bones.values())
    assert bones["Hips"][1] == 0.0 and 0.6 < bones["Hips"][2] < 1.3  # hip height above the floor, metres


def test_fingers_only_while_hands_are_tracked() -> None:
    msgs, _ = _messages(_frame(Body(), hands=True))
    names = {args[0] for a, args in msgs if a == "/VMC/Ext/Bone/Pos"}
    assert {"LeftIndexProximal", "RightLittleDistal"} <= names
    assert set(UNITY_NAMES.values()) == names


@pytest.mark.parametrize(
    "body, bone, rest, want, within",
    [
        # Unity: the avatar faces +Z, its left hand at -X (left-handed axes)
        (Body(left_arm=180, right_arm=90), "LeftUpperArm", (-1, 0, 0), (0, 1, 0), 15),  # left arm up
        (Body(left_arm=90, right_arm=0), "RightUpperArm", (1, 0, 0), (0, -1, 0), 15),  # right arm down
        (Body(left_arm=90, right_arm=90), "LeftUpperArm", (-1, 0, 0), (-1, 0, 0), 15),  # T-pose
        (
            Body(left_arm=90, right_arm=90, left_hand=(0.0, 0.0, 1.0)),
            "LeftUpperArm",
            (-1, 0, 0),
            (0, 0, 1),  # reaching towards the camera: the avatar's forward, +Z (the
            50,  # synthetic body's elbow hangs below the reach: 45 degrees down)
        ),
    ],
)
def test_known_poses_point_the_bones_right_in_unity_axes(body, bone, rest, want, within) -> None:
    msgs, _ = _messages(_frame(body))
    bones = {args[0]: args for a, args in msgs if a == "/VMC/Ext/Bone/Pos"}
    g = _unity_globals(bones)
    got = _rotate(g[bone], np.array(rest, float))
    assert np.dot(got, want) > np.cos(np.radians(within)), (bone, got)


def test_unity_axes_are_the_x_mirror() -> None:
    s = np.sqrt(0.5)
    # +90 degrees about rig +Z (left arm from +X up to +Y) is -90 about Unity's Z
    assert np.allclose(to_unity_rotation(np.array([0, 0, s, s])), [0, 0, -s, s])


def test_bundles_split_under_the_datagram_limit() -> None:
    msgs = [b"x" * 96] * 40
    grams = bundles(msgs, limit=1000)
    assert len(grams) > 1 and all(len(g) <= 1000 for g in grams)
    assert sum(g.count(b"x" * 96) for g in grams) == 40


def test_two_people_go_to_two_ports_and_an_empty_slot_says_not_tracked() -> None:
    sender = VmcSender("127.0.0.1", 39990, people=2)
    try:
        both = sender.datagrams(_frame(Body(id=2), Body(id=9, x=300)))
        one = sender.datagrams(_frame(Body(id=2)))
    finally:
        sender.close()
    assert len(both) == 2 and all(_decode(g)[0][0] == "/VMC/Ext/Root/Pos" for g in both)
    empty = _decode(one[1])
    assert [a for a, _ in empty] == ["/VMC/Ext/OK", "/VMC/Ext/T"] and empty[0][1][3] == 0


def test_blender_decoder_reads_what_is_sent() -> None:
    frame = _frame(Body(left_arm=150, right_arm=40))
    sender = VmcSender("127.0.0.1", 39998)
    try:
        grams = sender.datagrams(frame)[0]
    finally:
        sender.close()
    ref = {args[0]: args for a, args in _decode(grams) if a == "/VMC/Ext/Bone/Pos"}
    got: list[tuple[str, list]] = []
    for g in grams:
        got.extend(vmc_receive.parse_packet(g))
    mine = {args[0]: args for a, args in got if a == "/VMC/Ext/Bone/Pos"}
    assert mine.keys() == ref.keys()
    for k in ref:
        assert np.allclose(mine[k][1:], ref[k][1:])
    assert vmc_receive.parse_packet(b"#bundle\0" + b"\0" * 8 + b"\0\0\0\x40garbage") == []


def test_blender_axes_agree_with_the_rig_to_blender_mapping() -> None:
    """Unity -> Blender in the add-on equals rig -> Blender ((x, y, z) -> (x, -z, y)) after
    rig -> Unity in the sender, for positions and rotations."""
    rng = np.random.default_rng(1)
    for _ in range(20):
        q = rng.normal(size=4)
        q /= np.linalg.norm(q)
        v = rng.normal(size=3)
        rig_rotated = _rotate(q, v)
        to_blender = lambda p: np.array([p[0], -p[2], p[1]])  # noqa: E731
        uq = to_unity_rotation(q).astype(float)
        w, x, y, z = vmc_receive.unity_to_blender_quat(*uq)
        bq = np.array([x, y, z, w])
        assert np.allclose(_rotate(bq, to_blender(v)), to_blender(rig_rotated), atol=1e-5)
        up = np.array([-v[0], v[1], v[2]])  # rig -> Unity position
        assert np.allclose(vmc_receive.unity_to_blender_pos(*up), to_blender(v))


def test_received_on_loopback_and_a_missing_receiver_is_quiet(caplog) -> None:
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(5.0)
    port = rx.getsockname()[1]
    with VmcSender("127.0.0.1", port) as sender:
        assert sender.local_address[0] == "127.0.0.1"
        sender.send(_frame(Body()))
        data = rx.recv(65536)
    rx.close()
    assert data.startswith(b"#bundle\0")
    with caplog.at_level(logging.WARNING), VmcSender("127.0.0.1", port) as sender:
        for _ in range(20):
            sender.send(_frame(Body()))
            time.sleep(0.002)
    assert len([r for r in caplog.records if "VMC 127.0.0.1" in r.getMessage()]) <= 1


def test_bad_host_is_a_clear_error() -> None:
    with pytest.raises(
        StreamError, match=r"VMC receiver no-such-host.invalid:39539: host .* does not resolve"
    ):
        VmcSender("no-such-host.invalid", 39539)
    with pytest.raises(StreamError, match="exceed 65535"):
        VmcSender("127.0.0.1", 65535, people=2)


def test_encoder_without_a_person_sends_only_state() -> None:
    msgs = _decode(bundles(VmcEncoder().messages(None, 2.0)))
    assert msgs == [("/VMC/Ext/OK", [1, 3, 0, 0]), ("/VMC/Ext/T", [2.0])]
