"""Render benchmark for ``arpose bench``: ms per frame for a typical AR frame, offscreen.

The scene: a new 1280x720 camera image every frame (uploaded into the reused background
texture), 50 alpha sprites on joints of two people (10 textures) and 10 lit meshes, then
the pixel read-back. The baseline in the same run is background upload + read-back only,
so the ratio says what the scene itself costs on this machine (shared, noisy machines:
compare ratios from one run, not absolute numbers across runs).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..joints import JOINT_NAMES
from ..pose import Pose, PoseFrame
from ..render.renderer import Renderer
from ..scene import JointAnchor, Mesh, Scene, Sprite, TextureData, box, cylinder, sphere, torus

SPRITE_JOINTS = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "mouth",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "head_top",
    "chest",
    "neck",
    "mid_hip",
    "left_index",
    "right_index",
    "chin",
)
MESH_JOINTS = ("head_top", "chest", "left_wrist", "right_wrist", "nose")


def _pose(cx: float, cy: float, s: float, pid: int, phase: float) -> Pose:
    # a plausible frontal body (shoulder width s), arms swinging with phase
    rng = np.random.default_rng(pid)
    base = np.array(
        [
            (0, -0.55),
            (0.06, -0.65),
            (0.1, -0.66),
            (0.14, -0.66),
            (-0.06, -0.65),
            (-0.1, -0.66),
            (-0.14, -0.66),
            (0.22, -0.6),
            (-0.22, -0.6),
            (0.06, -0.45),
            (-0.06, -0.45),
            (0.5, 0),
            (-0.5, 0),
            (0.62, 0.6),
            (-0.62, 0.6),
            (0.66, 1.15),
            (-0.66, 1.15),
            (0.7, 1.25),
            (-0.7, 1.25),
            (0.66, 1.27),
            (-0.66, 1.27),
            (0.62, 1.22),
            (-0.62, 1.22),
            (0.3, 1.3),
            (-0.3, 1.3),
            (0.3, 2),
            (-0.3, 2),
            (0.3, 2.7),
            (-0.3, 2.7),
            (0.3, 2.78),
            (-0.3, 2.78),
            (0.38, 2.82),
            (-0.38, 2.82),
        ],
        np.float64,
    )
    base[13:23, 0] += 0.3 * np.sin(phase) * np.sign(base[13:23, 0])
    lm = np.zeros((33, 5), np.float32)
    lm[:, :2] = base * s + (cx, cy) + rng.normal(0, 1, (33, 2))
    lm[:, 2] = -0.2 * s
    lm[:, 3:] = 0.99
    return Pose(lm, np.zeros((33, 3), np.float32), pid)


def build_scene(sprites: int = 50, meshes: int = 10) -> Scene:
    """The benchmark scene: ``sprites`` sprites and ``meshes`` meshes on two people."""
    rng = np.random.default_rng(0)
    textures = []
    for k in range(10):
        img = np.zeros((128, 128, 4), np.uint8)
        yy, xx = np.mgrid[0:128, 0:128]
        r = np.hypot(xx - 63.5, yy - 63.5)
        img[..., :3] = rng.integers(40, 255, 3)
        img[..., 3] = np.clip((60 - r) * 8, 0, 255)
        textures.append(TextureData(img, f"bench{k}"))
    shapes = [
        box((0.5, 0.5, 0.5), color=(0.9, 0.7, 0.1)),
        sphere(0.3, color=(0.8, 0.1, 0.1)),
        cylinder(0.3, 0.6, color=(0.1, 0.1, 0.1)),
        torus(0.4, 0.08, color=(0.2, 0.2, 0.8)),
    ]
    scene = Scene()
    for i in range(sprites):
        person = i % 2
        a = scene.add(
            JointAnchor(SPRITE_JOINTS[(i // 2) % len(SPRITE_JOINTS)], slot=person, scale_by="head_width")
        )
        a.add(Sprite(textures[i % 10], width=0.6))
    for i in range(meshes):
        a = scene.add(
            JointAnchor(
                MESH_JOINTS[(i // 2) % len(MESH_JOINTS)], slot=i % 2, scale_by="head_width", tilt_3d=True
            )
        )
        a.add(Mesh(shapes[i % len(shapes)]))
    assert all(j in JOINT_NAMES for j in SPRITE_JOINTS + MESH_JOINTS)
    return scene


def _frames(size: tuple[int, int], n: int) -> list[PoseFrame]:
    w, h = size
    rng = np.random.default_rng(1)
    images = [rng.integers(0, 255, (h, w, 3), np.uint8) for _ in range(4)]
    out = []
    for i in range(n):
        t = i / 30.0
        s = h / 5.0
        poses = (_pose(w * 0.33, h * 0.3, s, 0, t * 3), _pose(w * 0.66, h * 0.3, s * 0.9, 1, t * 4))
        # a fresh array object each frame, like a camera: forces the background upload
        out.append(PoseFrame(t=t, index=i, size=size, poses=poses, image=images[i % 4].copy()))
    return out


def _time(renderer: Renderer, scene: Scene | None, frames: list[PoseFrame], warmup: int) -> np.ndarray:
    times = []
    for i, f in enumerate(frames):
        start = time.perf_counter()
        renderer.render(scene, f, read=True)
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000.0)
    return np.array(times)


def _time_onto(renderer: Renderer, scene: Scene, frames: list[PoseFrame], warmup: int) -> np.ndarray:
    """The offline path: a copy of each frame (what ``arpose render`` encodes) with the
    scene blended in by :meth:`Renderer.render_onto`."""
    times = []
    for i, f in enumerate(frames):
        start = time.perf_counter()
        assert f.image is not None  # bench frames carry their pictures
        renderer.render_onto(scene, f, f.image.copy())
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000.0)
    return np.array(times)


def bench_render(
    frames: int = 120,
    size: tuple[int, int] = (1280, 720),
    *,
    sprites: int = 50,
    meshes: int = 10,
    warmup: int = 10,
) -> dict[str, Any]:
    """Measure the offscreen renderer.

    Returns:
        dict with ``scene_ms_p50``, ``scene_ms_p95``, ``baseline_ms_p50``,
        ``baseline_ms_p95`` (background upload + read-back only), ``ratio_p50``
        (scene / baseline), ``fps_p50``, ``budget_share_30fps`` (scene p50 / 33.3 ms),
        ``draw_calls``, ``gl_renderer``, ``size``, ``sprites``, ``meshes``, ``frames``,
        and ``onto_ms_p50`` / ``onto_ratio_p50``: the same scene composited on the CPU
        (:meth:`Renderer.render_onto`, what ``arpose render`` does) and its ratio to
        ``scene_ms_p50``.
    """
    fs = _frames(size, frames + warmup)
    scene = build_scene(sprites, meshes)
    with Renderer.offscreen(size) as r:
        base = _time(r, None, fs, warmup)
        full = _time(r, scene, fs, warmup)
        onto = _time_onto(r, scene, fs, warmup)
        base2 = _time(r, None, fs, warmup)  # again: the machine's load drifts
        draw_calls = None
        r.render(scene, fs[-1], read=False)
        draw_calls = r.stats["draw_calls"]
        gl = r.ctx.info.get("GL_RENDERER", "?")
    baseline = np.concatenate([base, base2])
    p50, p95 = float(np.percentile(full, 50)), float(np.percentile(full, 95))
    b50, b95 = float(np.percentile(baseline, 50)), float(np.percentile(baseline, 95))
    return {
        "size": list(size),
        "frames": frames,
        "sprites": sprites,
        "meshes": meshes,
        "scene_ms_p50": round(p50, 2),
        "scene_ms_p95": round(p95, 2),
        "baseline_ms_p50": round(b50, 2),
        "baseline_ms_p95": round(b95, 2),
        "ratio_p50": round(p50 / b50, 2) if b50 > 0 else None,
        "fps_p50": round(1000.0 / p50, 1) if p50 > 0 else None,
        "budget_share_30fps": round(p50 / (1000.0 / 30.0), 3),
        "onto_ms_p50": round(float(np.percentile(onto, 50)), 2),
        "onto_ratio_p50": round(float(np.percentile(onto, 50)) / p50, 2) if p50 > 0 else None,
        "draw_calls": draw_calls,
        "gl_renderer": gl,
    }


def render_section(video: Path, options: dict[str, Any]) -> dict[str, Any]:
    """The ``render`` section of ``arpose bench`` (``options``: ``render_frames``); the
    scene is synthetic, so the video is not used."""
    return bench_render(frames=int(options.get("render_frames", 120)))


if __name__ == "__main__":  # python -m arpose.bench.render
    print(json.dumps(bench_render(), indent=2))
