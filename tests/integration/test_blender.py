"""arpose in real Blender, headless: a BVH exported from a real clip imported with the
add-on, its joints compared with arpose's world landmarks; and the add-on driving an
armature from a live ``arpose serve --vmc``.

Blender comes from Debian's ``blender`` package: the set-up installs it (once per machine:
the other Pythons of a CI run find it installed) where it runs as root with apt-get, and
skips with the reason elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from arpose.blender import build_addon_zip
from arpose.bvh import BVH_NAMES, read_bvh
from arpose.pose import VIS, PoseFrame
from arpose.record import Recorder, Recording
from arpose.rig import BONES, RigSolver
from arpose.rig.fit import fit_clip

SCRIPT = Path(__file__).resolve().parent / "blender" / "run_in_blender.py"
CLIP = "jumping_jacks_11.mp4"
# BVH joint (the bone whose head is the landmark) -> BlazePose landmark
LANDMARK = {
    "LeftArm": 11,
    "LeftForeArm": 13,
    "LeftHand": 15,
    "RightArm": 12,
    "RightForeArm": 14,
    "RightHand": 16,
    "LeftUpLeg": 23,
    "LeftLeg": 25,
    "LeftFoot": 27,
    "RightUpLeg": 24,
    "RightLeg": 26,
    "RightFoot": 28,
}


def _install_blender() -> str:
    exe = shutil.which("blender")
    if exe:
        return exe
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(
            "Blender is not installed and this machine cannot install it: apt-get install blender (as root)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-q", "blender"]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if res.returncode != 0:  # a fresh machine: the package lists first
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env, timeout=600)
        res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    exe = shutil.which("blender")
    if res.returncode != 0 or not exe:
        pytest.skip(f"apt-get install blender failed: {res.stderr.strip()[-300:]}")
    return exe


@pytest.fixture(scope="module")
def blender(tmp_path_factory) -> dict:
    exe = _install_blender()
    home = tmp_path_factory.mktemp("blender-home")
    env = {
        **os.environ,
        "BLENDER_USER_SCRIPTS": str(home / "scripts"),  # the add-on installs here, not in ~
        "BLENDER_USER_CONFIG": str(home / "config"),
    }
    zip_path = build_addon_zip(home / "arpose_blender.zip")
    return {"exe": exe, "env": env, "zip": str(zip_path)}


def _run_blender(blender: dict, *args: str, timeout: float = 120) -> subprocess.Popen:
    return subprocess.Popen(
        [blender["exe"], "-b", "--factory-startup", "--python-exit-code", "1", "--python", str(SCRIPT), "--"]
        + [args[0], blender["zip"], *args[1:]],
        env=blender["env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(proc: subprocess.Popen, timeout: float = 120) -> str:
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, out[-3000:]
    return out


def _arpose(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    res = subprocess.run(
        [sys.executable, "-m", "arpose", *args], capture_output=True, text=True, timeout=timeout
    )
    assert res.returncode == 0, res.stderr[-2000:]
    return res


@pytest.fixture(scope="module")
def take(media, tmp_path_factory) -> Path:
    """The exercise clip tracked once into a recording (the landmarks the tests compare with)."""
    clip = media / "exercise" / CLIP
    if not clip.exists():
        pytest.skip(f"{clip} not present (shared media)")
    out = tmp_path_factory.mktemp("take") / "jumping_jacks.arpose"
    _arpose("record", "--source", str(clip), "-o", str(out), "--fast")
    return out


def _person_frames(take: Path) -> dict[int, list[tuple[int, float, np.ndarray]]]:
    """person id -> [(frame index, t, world landmarks)]."""
    out: dict[int, list] = {}
    for k, r in enumerate(Recording(take)):
        pf = r.to_pose_frame()
        for p in pf.poses:
            out.setdefault(int(p.id), []).append((k, float(pf.t), p.world.copy()))
    return out


def _to_blender(world: np.ndarray) -> np.ndarray:
    """MediaPipe world (x right, y down, z away) -> rig (x, -y, -z) -> Blender (x, -z, y)."""
    return np.stack([world[..., 0], world[..., 2], -world[..., 1]], axis=-1)


def _hip_centred(points: np.ndarray, names: list[str]) -> np.ndarray:
    mid = (points[..., names.index("LeftUpLeg"), :] + points[..., names.index("RightUpLeg"), :]) / 2
    return points - mid[..., None, :]


def _aligned_error(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean joint distance after one scale fitted over the whole clip (``a`` to ``b``)."""
    s = float((a * b).sum() / (a * a).sum())
    return float(np.linalg.norm(s * a - b, axis=-1).mean()), s


def _per_frame_aligned_error(a: np.ndarray, b: np.ndarray) -> float:
    """Mean joint distance after one scale fitted per frame (``(F, J, 3)``, ``a`` to ``b``)."""
    s = (a * b).sum(axis=(1, 2)) / (a * a).sum(axis=(1, 2))
    return float(np.linalg.norm(s[:, None, None] * a - b, axis=-1).mean())


def test_bvh_from_a_real_clip_imports_in_blender_and_follows_the_person(blender, take, tmp_path):
    bvh_base = tmp_path / "jj.bvh"
    _arpose("export", str(take), "--format", "bvh", "-o", str(bvh_base))
    people = _person_frames(take)
    pid = max(people, key=lambda k: len(people[k]))  # the person tracked longest
    bvh = tmp_path / f"jj_person{pid}.bvh"
    assert bvh.exists(), sorted(p.name for p in tmp_path.iterdir())
    frames = people[pid]
    first = frames[0][0]
    parsed = read_bvh(bvh)
    assert parsed.motion.shape[0] == frames[-1][0] - first + 1  # first to last appearance
    out = tmp_path / "import.json"
    _finish(_run_blender(blender, "import", str(bvh), str(out)))
    data = json.loads(out.read_text())
    names = list(LANDMARK)
    got = np.array(data["frames"])[:, [data["joints"].index(n) for n in names]]
    assert got.shape[0] == parsed.motion.shape[0]
    assert data["fps"] == pytest.approx(1.0 / parsed.frame_time, rel=1e-3)
    # the solver's own pass over the person (what the writer does): which frames it did not
    # believe (a body turned over in an instant: the clip's legs close-up, read upside down
    # by MediaPipe; the file holds the pose there), and the joints the file should hold
    solver = RigSolver()
    solved, world, vis, held = [], [], [], set()
    for r in Recording(take):
        pf = r.to_pose_frame()
        p = next((p for p in pf.poses if p.id == pid), None)
        if p is not None:
            solved.append(solver.update(p, pf.t, image_size=pf.size))
            if solver.held_turn_over and world:
                held.add(len(world))
                world.append(world[-1])
                vis.append(vis[-1])
            else:
                world.append(p.world)
                vis.append(p.landmarks[:, VIS])
    assert len(held) <= 0.05 * len(frames)  # a few frames, not a way to skip the hard ones
    a, b = [], []
    for i, (k, _, lm) in enumerate(frames):
        if i not in held:
            a.append(got[k - first])
            b.append(_to_blender(lm[[LANDMARK[n] for n in names]]))
    a_c, b_c = _hip_centred(np.array(a), names), _hip_centred(np.array(b), names)
    err, scale = _aligned_error(a_c, b_c)
    err_frame = _per_frame_aligned_error(a_c, b_c)
    print(
        f"BVH in Blender vs world landmarks: mean {err * 100:.2f} cm over {len(a)} frames "
        f"(one scale per clip: {scale:.3f}); {err_frame * 100:.2f} cm with one scale per frame; "
        f"{len(held)} frames the solver held (a turn-over) left out"
    )
    assert 0.8 < scale < 1.25  # centimetres imported as metres: the scale is right
    # The target: under 3 cm, one scale per clip (a file has one size, so one scale
    # is the fair reading), on the frames whose landmarks the solver believed. Measured on
    # this, the hardest track (it spans the clip's close-ups): see
    # docs/measurements/2026-12-07-engines.md (3.98 cm before the rotations were refitted
    # onto the file's skeleton).
    assert err < 0.03
    assert err_frame <= err
    # exactness (to Blender's float32): Blender's joints are arpose's own joints (the solved
    # rotations refitted onto the file's skeleton), in Blender's axes (rig (x, y, z) ->
    # (x, -z, y)) and metres, root motion included
    poses, _ = fit_clip(solved, np.array(world), np.array(vis), solver.median_skeleton())
    bone = {n: BONES.index(b) for b, n in BVH_NAMES.items() if n in names}
    diffs = []
    for (k, _, _), rig in zip(frames, poses):
        j = rig.joint_positions()
        want = np.array([[j[bone[n]][0], -j[bone[n]][2], j[bone[n]][1]] for n in names])
        diffs.append(np.linalg.norm(got[k - first] - want, axis=1))
    assert np.mean(diffs) < 0.001 and np.max(diffs) < 0.005  # Blender's float32 joint chains


def test_addon_drives_an_armature_from_a_live_serve(blender, take, tmp_path):
    bvh_base = tmp_path / "jj.bvh"
    people = _person_frames(take)
    pid = max(people, key=lambda k: len(people[k]))
    # that person alone, so that every frame sent is theirs (whatever part of the loop
    # Blender happens to catch)
    solo = tmp_path / "solo.arpose"
    with Recorder(solo, fps=24.0, source=str(take)) as rec:
        for r in Recording(take):
            pf = r.to_pose_frame()
            mine = tuple(p for p in pf.poses if p.id == pid)
            if mine:
                rec.write(PoseFrame(pf.t, pf.index, pf.size, mine), mine)
    _arpose("export", str(solo), "--format", "bvh", "--person", str(pid), "-o", str(bvh_base))
    port = _free_udp_port()
    out = tmp_path / "vmc.json"
    wanted = 120  # 5 s of the clip: more than its 3 s of close-ups, so it holds jumping jacks
    bl = _run_blender(blender, "vmc", str(bvh_base), str(port), str(wanted), str(out))
    # the recording replayed at its own rate, again and again, until Blender has its frames
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "arpose",
            "serve",
            "--source",
            str(solo),
            "--loop",
            "--vmc",
            f"127.0.0.1:{port}",
        ]
        + ["--max-people", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _finish(bl, timeout=300)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.communicate(timeout=30)
    data = json.loads(out.read_text())
    assert data["mapped"] >= 17  # every body bone of the arpose BVH armature
    times = np.array(data["times"])
    assert len(times) == wanted, data.get("packets")
    # the frames the armature took, matched by their VMC time with the recording's frames
    # (a replay with --loop adds the recording's length to t on each pass)
    solo_frames = [r.to_pose_frame() for r in Recording(solo)]
    ts = np.array([pf.t for pf in solo_frames])
    period = ts[-1] - ts[0] + 1.0 / Recording(solo).fps

    # the frames the live solver holds (a body turned over in an instant: the legs close-up
    # read upside down), left out as in the BVH test; the same on every pass of the loop
    solver, held = RigSolver(), set()
    for k, pf in enumerate(solo_frames):
        solver.update(pf.poses[0], pf.t, image_size=pf.size)
        if solver.held_turn_over:
            held.add(k)
    assert len(held) <= 0.05 * len(solo_frames)

    def world_at(t: float) -> np.ndarray | None:
        t0 = ts[0] + (t - ts[0]) % period
        k = int(np.argmin(np.abs(ts - t0)))
        if abs(ts[k] - t0) >= 1e-3 or k in held:
            return None
        return solo_frames[k].poses[0].world

    names = list(LANDMARK)
    got = np.array(data["frames"])[:, [data["joints"].index(n) for n in names]]
    a, b = [], []
    for t, joints in zip(times, got):
        world = world_at(float(t))
        if world is not None:
            a.append(joints)
            b.append(_to_blender(world[[LANDMARK[n] for n in names]]))
    assert len(a) >= 0.85 * len(times)
    a_c, b_c = _hip_centred(np.array(a), names), _hip_centred(np.array(b), names)
    err, scale = _aligned_error(a_c, b_c)
    print(
        f"live VMC in Blender vs world landmarks: mean {err * 100:.2f} cm over {len(a)} frames "
        f"({len(held)} held frames of the recording left out)"
    )
    # live, the solver's rotations on each frame's own lengths arrive unrefitted (the BVH's
    # fit needs the whole clip): this checks the driving, wrong axes or bones miss by tens of cm
    assert err < 0.06
    # it moved with the person: the left wrist's height changes as in the landmarks
    assert np.ptp(a_c[:, names.index("LeftHand"), 2]) > 0.5 * np.ptp(b_c[:, names.index("LeftHand"), 2]) > 0.1


def test_addon_reports_bad_input_in_blenders_ui_without_a_traceback(blender, tmp_path):
    out = tmp_path / "errors.json"
    log = _finish(_run_blender(blender, "errors", str(out)))
    reports = json.loads(out.read_text())["reports"]
    # Blender turns an operator's reported error into this one line for a script
    assert reports["no armature"] == "reported: Error: choose an armature to drive (got nothing)"
    assert reports["not humanoid"].startswith("reported: Error: armature 'Plain': no bone found for Hips")
    assert reports["missing bvh"] == "reported: Error: /nonexistent/x.bvh: no such BVH file"
    assert "arpose: choose an armature to drive (got nothing)" in log  # and in Blender's log
    assert "Traceback" not in log


def _free_udp_port() -> int:
    import socket

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_addon_turns_an_a_pose_rest_into_the_t_pose_vmc_starts_from(blender, tmp_path):
    out = tmp_path / "apose.json"
    _finish(_run_blender(blender, "apose", str(out)))
    d = json.loads(out.read_text())["directions"]
    t, up = d["t-pose"], d["left arm up"]
    # Blender: the character faces -Y, its left hand at +X, +Z up
    assert np.dot(t["LeftUpperArm"], [1, 0, 0]) > 0.999 and np.dot(t["LeftLowerArm"], [1, 0, 0]) > 0.999
    assert np.dot(t["RightUpperArm"], [-1, 0, 0]) > 0.999 and np.dot(t["LeftUpperLeg"], [0, 0, -1]) > 0.999
    assert np.dot(up["LeftUpperArm"], [0, 0, 1]) > 0.999  # the left arm raised straight up
    assert np.dot(up["LeftLowerArm"], [0, 0, 1]) > 0.999 and np.dot(up["RightUpperArm"], [-1, 0, 0]) > 0.999
