"""Make the pictures of docs/guide/engines.md.

- ``engines-blender.png``: a real clip tracked, exported as BVH, imported with the arpose
  Blender add-on and rendered by headless Blender (Cycles on the CPU), each render under the
  video frame it came from;
- ``engines-blender-ui.png``: Blender's window (under Xvfb) with the add-on's sidebar tab,
  the imported armature at one frame (needs Xvfb and xdotool: apt-get install xvfb xdotool);
- ``engines-unity.png``, ``engines-vseeface.png``, ``engines-godot.png``,
  ``engines-threejs.png``: how the VMC (or WebSocket) stream reaches each target, beside
  the pose that a real frame of the clip sends, drawn from the decoded VMC messages in
  that target's axes.

Run:  python tools/make_engine_pictures.py [--clip PATH] [--out docs/images]
(needs Blender on PATH for the first picture: apt-get install blender)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
FRAMES = (60, 75, 90)  # recording frames of the clip: jumping jack phases


def _run(*cmd: str, env: dict | None = None) -> None:
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")


def blender_picture(take: Path, clip: Path, tmp: Path, out: Path) -> None:
    from arpose.blender import build_addon_zip
    from arpose.record import Recording

    _run(sys.executable, "-m", "arpose", "export", str(take), "-f", "bvh", "-o", str(tmp / "clip.bvh"))
    frames = [r.to_pose_frame() for r in Recording(take)]
    pid = min(p.id for i in FRAMES for p in frames[i].poses)
    first = next(i for i, pf in enumerate(frames) if any(p.id == pid for p in pf.poses))
    bvh = tmp / f"clip_person{pid}.bvh"
    addon = build_addon_zip(tmp / "arpose_blender.zip")
    env = {**os.environ, "BLENDER_USER_SCRIPTS": str(tmp / "bl"), "BLENDER_USER_CONFIG": str(tmp / "blc")}
    blender_frames = [str(i - first + 1) for i in FRAMES]  # the importer starts at frame 1
    script = REPO / "tools" / "blender" / "render_bvh.py"
    _run(
        "blender",
        "-b",
        "--factory-startup",
        "--python",
        str(script),
        "--",
        str(addon),
        str(bvh),
        str(tmp / "render"),
        *blender_frames,
        env=env,
    )
    cap = cv2.VideoCapture(str(clip))
    columns = []
    for i, bf in zip(FRAMES, blender_frames):
        cap.set(cv2.CAP_PROP_POS_FRAMES, frames[i].index)
        ok, img = cap.read()
        render = cv2.imread(str(tmp / f"render_{int(bf):04d}.png"))
        h = 300
        img = (
            cv2.resize(img, (int(img.shape[1] * h / img.shape[0]), h))
            if ok
            else np.zeros((h, 400, 3), np.uint8)
        )
        render = cv2.resize(render, (img.shape[1], int(render.shape[0] * img.shape[1] / render.shape[1])))
        columns.append(np.vstack([img, render]))
    cap.release()
    height = max(c.shape[0] for c in columns)
    columns = [np.vstack([c, np.full((height - c.shape[0], c.shape[1], 3), 255, np.uint8)]) for c in columns]
    picture = np.hstack([np.hstack([c, np.full((height, 8, 3), 255, np.uint8)]) for c in columns])
    scale = min(1.0, 1100 / picture.shape[1])
    picture = cv2.resize(picture, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(out), picture, [cv2.IMWRITE_PNG_COMPRESSION, 9])


def blender_ui_picture(tmp: Path, out: Path, frame: int = 75) -> None:
    """Blender with a window on a virtual display; xdotool clicks the sidebar's arpose tab."""
    import time

    bvh = min(tmp.glob("clip_person*.bvh"))
    empty = tmp / "empty.blend"
    env = {**os.environ, "BLENDER_USER_SCRIPTS": str(tmp / "bl"), "BLENDER_USER_CONFIG": str(tmp / "blc")}
    _run(
        "blender",
        "-b",
        "--factory-startup",
        "--python-expr",
        f"import bpy; bpy.ops.wm.save_as_mainfile(filepath={str(empty)!r})",
        env=env,
    )
    display = ":97"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24"], stderr=subprocess.DEVNULL)
    env["DISPLAY"] = display
    shot = tmp / "ui.png"
    script = REPO / "tools" / "blender" / "ui_screenshot.py"
    blender = subprocess.Popen(
        ["blender", str(empty), "--python", str(script), "--", str(tmp / "arpose_blender.zip"), str(bvh)]
        + [str(frame), str(shot)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(9)  # the window is up; the arpose tab of the sidebar (1280x800 layout)
        subprocess.run(["xdotool", "mousemove", "1044", "245", "click", "1"], env=env, check=False)
        blender.wait(timeout=120)
    finally:
        xvfb.terminate()
    if shot.exists():
        shutil.copy(shot, out)


def _vmc_pose(take: Path):
    """The Unity-axes bone positions that a real frame's VMC messages describe: decoded
    from the bytes VmcSender sends (python-osc), then chained down Unity's hierarchy."""
    from pythonosc.osc_bundle import OscBundle

    from arpose.blender.vmc_receive import PARENTS
    from arpose.record import Recording
    from arpose.vmc import VmcSender

    frames = [r.to_pose_frame() for r in Recording(take)]
    sender = VmcSender("127.0.0.1", 39539)
    for pf in frames[: FRAMES[1] + 1]:
        grams = sender.datagrams(pf)[0]
    sender.close()
    bones = {}
    for g in grams:
        for m in OscBundle(g):
            if m.address == "/VMC/Ext/Bone/Pos":
                bones[m.params[0]] = (np.array(m.params[1:4]), np.array(m.params[4:8]))

    def rot(q, v):
        x, y, z, w = q
        u = np.array([x, y, z])
        return v + 2 * np.cross(u, np.cross(u, v) + w * v)

    def mul(a, b):
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

    pos, glob = {}, {}
    for name, parent in PARENTS.items():
        if name not in bones:
            continue
        p, q = bones[name]
        if parent is None or parent not in glob:
            pos[name], glob[name] = p.copy(), q
        else:
            pos[name] = pos[parent] + rot(glob[parent], p)
            glob[name] = mul(glob[parent], q)
    return pos


def diagram(pos: dict, out: Path, title: str, steps: list[str], axes_note: str) -> None:
    import matplotlib  # lazy: a tools script

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(10, 4.2), dpi=100)
    ax = fig.add_axes((0.02, 0.04, 0.3, 0.8))
    for name, parent in __import__("arpose.blender.vmc_receive", fromlist=["PARENTS"]).PARENTS.items():
        if name in pos and parent in pos:
            a, b = pos[parent], pos[name]
            # seen from in front of the avatar (it faces +Z): screen x = -X (its left on our right)
            ax.plot([-a[0], -b[0]], [a[1], b[1]], "-", color="#d0792f", lw=5, solid_capstyle="round")
    pts = np.array(list(pos.values()))
    ax.plot(-pts[:, 0], pts[:, 1], "o", color="#8a4a1c", ms=4)
    ax.set_aspect("equal")
    ax.set_xlim(-pts[:, 0].max() - 0.3, -pts[:, 0].min() + 0.3)
    ax.set_ylim(pts[:, 1].min() - 0.1, pts[:, 1].max() + 0.25)
    ax.axis("off")
    ax.set_title("the pose one VMC frame sends\n(decoded, Unity axes, seen from the front)", fontsize=9)
    ax2 = fig.add_axes((0.34, 0.0, 0.66, 1.0))
    ax2.axis("off")
    ax2.set_xlim(0, 1)
    ax2.set_ylim(0, 1)
    ax2.text(0.02, 0.93, title, fontsize=14, weight="bold")
    n = len(steps)
    for k, text in enumerate(steps):
        y = 0.78 - k * (0.62 / max(n - 1, 1))
        ax2.text(
            0.05,
            y,
            text,
            fontsize=10,
            family="monospace",
            va="center",
            bbox={"boxstyle": "round,pad=0.5", "fc": "#eef3fb" if k % 2 == 0 else "#fbf3e8", "ec": "#7a8aa0"},
        )
        if k < n - 1:
            ax2.annotate(
                "",
                xy=(0.09, y - 0.62 / max(n - 1, 1) + 0.06),
                xytext=(0.09, y - 0.06),
                arrowprops={"arrowstyle": "->", "lw": 1.5, "color": "#555"},
            )
    ax2.text(0.02, 0.03, axes_note, fontsize=8.5, color="#444")
    fig.savefig(out)
    plt.close(fig)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--clip", default=str(REPO.parent / "shared" / "media" / "exercise" / "jumping_jacks_11.mp4")
    )
    ap.add_argument("--out", default=str(REPO / "docs" / "images"))
    args = ap.parse_args()
    out = Path(args.out)
    tmp = Path(tempfile.mkdtemp(prefix="arpose-engine-pictures-"))
    take = tmp / "clip.arpose"
    _run(sys.executable, "-m", "arpose", "record", "--source", args.clip, "-o", str(take), "--fast")
    if shutil.which("blender"):
        blender_picture(take, Path(args.clip), tmp, out / "engines-blender.png")
        if shutil.which("Xvfb") and shutil.which("xdotool"):
            blender_ui_picture(tmp, out / "engines-blender-ui.png")
    else:
        print("blender not on PATH: engines-blender.png not made", file=sys.stderr)
    pos = _vmc_pose(take)
    unity = "Unity: left-handed, metres, +Y up, the avatar faces +Z (VMC's own axes: no conversion)"
    diagram(
        pos,
        out / "engines-unity.png",
        "Unity + EVMC4U",
        [
            "arpose serve --vmc 127.0.0.1:39539",
            "VMC over OSC / UDP, one bundle set per frame",
            "EVMC4U ExternalReceiver (port 39539)",
            "your VRM avatar (UniVRM)",
        ],
        unity,
    )
    diagram(
        pos,
        out / "engines-vseeface.png",
        "VSeeFace / Warudo / VNyan",
        [
            "arpose serve --vmc 127.0.0.1:39539",
            "VMC over OSC / UDP",
            "VMC receiver on (VSeeFace: General settings > OSC/VMC receiver)",
            "the app's VRM avatar follows the body",
        ],
        unity,
    )
    diagram(
        pos,
        out / "engines-godot.png",
        "Godot 4",
        [
            "arpose serve --vmc 127.0.0.1:39539",
            "VMC over OSC / UDP",
            "Godot XR VMC Tracker (a VMC receiver for Godot 4.3)",
            "a VRM avatar (Godot VRM importer)",
        ],
        "Godot: right-handed, +Y up; a Unity rotation (x, y, z, w) is Godot's (x, -y, -z, w)",
    )
    diagram(
        pos,
        out / "engines-threejs.png",
        "three.js / three-vrm",
        [
            "arpose serve --vmc 127.0.0.1:39539",
            "tools/vmc_bridge.mjs: UDP -> WebSocket (Node)",
            "a web page: new WebSocket('ws://127.0.0.1:39540')",
            "vrm.humanoid.getNormalizedBoneNode(name).quaternion",
        ],
        "three.js: right-handed, +Y up; a Unity rotation (x, y, z, w) is three's (x, -y, -z, w)",
    )
    print(f"pictures in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
