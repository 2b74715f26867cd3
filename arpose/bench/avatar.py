"""Skinned avatars vs a hat, in one run (the ``avatar`` section of ``arpose bench``).

Two figures, each against a baseline measured in the same run, alternating so load from
other processes hits both alike:

- **render**: ms per 1280x720 frame (camera picture upload, scene, read-back) with the
  gallery's ``mannequin`` avatar (8,547 vertices, 53 joints, driven by the rig solver) on
  one synthetic person doing jumping jacks, beside the same frames with ``top-hat`` and
  with no scene. Each frame is drawn twice: as a new PoseFrame (``*_ms_p50``: the rig is
  solved and retargeted too) and again (``*_draw_ms_p50``: drawing only). Target: the
  avatar's drawing p50 <= 8 ms under software GL (the solver has its own 1 ms target in
  the ``rig`` bench).
- **mirror**: the mirror's pipeline (tracking threads + the mirror view drawing every
  tracked frame offscreen, ``run_mirror(headless=True)``) on the bench video with the
  avatar vs with the hat, in tracked frames per second. Target: avatar >= 0.8x hat.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..apps.mirror import run_mirror
from ..effects import load_effect
from ..effects.nodes import EffectNode
from ..model import ensure_model
from ..pose import PoseFrame
from ..render.renderer import Renderer
from ..scene import Scene
from ..scene.skinned import SkinnedMesh
from ..testing.bodies import Body, jumping_jack_motion
from ..testing.bodies import frames as body_frames
from . import percentile

AVATAR = "mannequin"
HAT = "top-hat"


def _frames(size: tuple[int, int], n: int) -> list[PoseFrame]:
    w, h = size
    rng = np.random.default_rng(2)
    images = [rng.integers(0, 255, (h, w, 3), np.uint8) for _ in range(4)]
    body = Body(x=w / 2, floor=h * 0.96, scale=h * 0.15)
    poses = body_frames(jumping_jack_motion(reps=3, body=body), fps=30.0, size=size)
    out = []
    for i in range(n):
        pf = poses[i % len(poses)]
        # a fresh picture every frame, like a camera: forces the background upload
        out.append(PoseFrame(t=i / 30.0, index=i, size=size, poses=pf.poses, image=images[i % 4].copy()))
    return out


def _scene(effect: str | None) -> Scene:
    scene = Scene()
    if effect is not None:
        scene.add(EffectNode(load_effect(effect), players=(1,)))
    return scene


def _time(
    r: Renderer, scene: Scene, frames: list[PoseFrame], warmup: int
) -> tuple[list[float], list[float], list[float]]:
    """ms per frame: a new PoseFrame (the scene reads the body: the avatar's rig is
    solved and retargeted), then the same frame drawn again (only the drawing), and that
    drawing's CPU time (this process's threads, software GL's included: on a loaded
    machine wall time also counts other processes' turns)."""
    full, draw, cpu = [], [], []
    for i, f in enumerate(frames):
        start = time.perf_counter()
        r.render(scene, f, read=True)
        mid, mid_cpu = time.perf_counter(), time.process_time()
        r.render(scene, f, now=f.t + 0.001, read=True)
        if i >= warmup:
            full.append((mid - start) * 1000.0)
            draw.append((time.perf_counter() - mid) * 1000.0)
            cpu.append((time.process_time() - mid_cpu) * 1000.0)
    return full, draw, cpu


def bench_avatar_render(
    frames: int = 90, size: tuple[int, int] = (1280, 720), rounds: int = 2, warmup: int = 10
) -> dict[str, Any]:
    """ms per frame: no scene, the hat, the avatar (alternating blocks, ``rounds`` each)."""
    fs = _frames(size, frames + warmup)
    scenes = {"baseline": _scene(None), "hat": _scene(HAT), "avatar": _scene(AVATAR)}
    times: dict[str, list[float]] = {k: [] for k in scenes}
    draws: dict[str, list[float]] = {k: [] for k in scenes}
    cpus: dict[str, list[float]] = {k: [] for k in scenes}
    with Renderer.offscreen(size) as r:
        for k in range(rounds):
            order = list(scenes) if k % 2 == 0 else list(scenes)[::-1]
            for name in order:
                full, draw, cpu = _time(r, scenes[name], fs, warmup)
                times[name] += full
                draws[name] += draw
                cpus[name] += cpu
        r.render(scenes["avatar"], fs[-1], read=False)
        draw_calls = r.stats["draw_calls"]
        gl = r.ctx.info.get("GL_RENDERER", "?")
    mesh = next(n for n in scenes["avatar"].walk() if isinstance(n, SkinnedMesh))
    p50 = {k: percentile(v, 50) for k, v in times.items()}
    d50 = {k: percentile(v, 50) for k, v in draws.items()}
    c50 = {k: percentile(v, 50) for k, v in cpus.items()}
    return {
        "size": list(size),
        "frames": frames * rounds,
        "avatar_vertices": sum(len(p.vertices) for p in mesh.parts),
        "avatar_joints": mesh.max_joints,
        "avatar_draw_calls": draw_calls,
        "avatar_ms_p50": round(p50["avatar"], 2),
        "avatar_ms_p95": round(percentile(times["avatar"], 95), 2),
        "hat_ms_p50": round(p50["hat"], 2),
        "baseline_ms_p50": round(p50["baseline"], 2),
        "avatar_own_ms_p50": round(p50["avatar"] - p50["baseline"], 2),
        "hat_own_ms_p50": round(p50["hat"] - p50["baseline"], 2),
        "avatar_vs_hat_ms": round(p50["avatar"] / p50["hat"], 3),
        "avatar_draw_ms_p50": round(d50["avatar"], 2),
        "hat_draw_ms_p50": round(d50["hat"], 2),
        "baseline_draw_ms_p50": round(d50["baseline"], 2),
        "avatar_draw_cpu_ms_p50": round(c50["avatar"], 2),
        "hat_draw_cpu_ms_p50": round(c50["hat"], 2),
        "baseline_draw_cpu_ms_p50": round(c50["baseline"], 2),
        "avatar_draw_within_8ms": bool(d50["avatar"] <= 8.0),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "avatar_rig_ms_p50": round(p50["avatar"] - d50["avatar"], 2),
        "gl_renderer": gl,
    }


def bench_avatar_mirror(video: Path, rounds: int = 2, max_frames: int = 120) -> dict[str, Any]:
    """Tracked frames per second of the mirror's pipeline with the avatar vs the hat."""
    ensure_model()
    fps: dict[str, list[float]] = {HAT: [], AVATAR: []}
    for k in range(rounds):
        for effect in (HAT, AVATAR) if k % 2 == 0 else (AVATAR, HAT):
            stats = run_mirror([effect], str(video), headless=True, max_frames=max_frames, max_people=2)
            fps[effect].append(stats.pose_frames / max(stats.seconds, 1e-9))
    med = {k: statistics.median(v) for k, v in fps.items()}
    return {
        "mirror_rounds": rounds,
        "mirror_hat_fps_median": round(med[HAT], 2),
        "mirror_avatar_fps_median": round(med[AVATAR], 2),
        "mirror_avatar_vs_hat": round(med[AVATAR] / med[HAT], 3),
    }


def bench_avatar(video: Path, options: dict[str, Any]) -> dict[str, Any]:
    """The ``avatar`` section (``options``: ``rounds``, ``render_frames``, ``max_frames``)."""
    rounds = max(1, int(options.get("rounds") or 2))
    out = bench_avatar_render(frames=int(options.get("render_frames", 90)), rounds=rounds)
    out.update(bench_avatar_mirror(video, rounds=rounds, max_frames=int(options.get("max_frames") or 120)))
    return out


__all__ = ["bench_avatar", "bench_avatar_render", "bench_avatar_mirror"]
