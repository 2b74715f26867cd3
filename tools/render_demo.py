"""Render a video with a sprite on the head and a mesh on the chest, offscreen, to a file.

The "done when" check of the renderer: run it on a clip of people and look at frames.

    python tools/render_demo.py ../shared/media/dance.avi /tmp/demo.mp4 --mirror \\
        --frames-dir /tmp/demo_frames --every 40
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import cv2
import numpy as np

from arpose.render import Renderer, Skeleton
from arpose.scene import JointAnchor, Mesh, Scene, Sprite, box, sphere
from arpose.tracking.pipeline import track


def star_sprite(size: int = 128) -> np.ndarray:
    """A golden five-pointed star with soft alpha edges (drawn with numpy + cv2)."""
    img = np.zeros((size, size, 4), np.uint8)
    c = (size - 1) / 2
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, size * 0.48, size * 0.2)
    pts = np.stack([c + radii * np.cos(angles), c - radii * np.sin(angles)], 1)
    cv2.fillPoly(
        img, [np.round(pts * 4).astype(np.int32)], (255, 200, 40, 255), lineType=cv2.LINE_AA, shift=2
    )
    cv2.polylines(
        img, [np.round(pts * 4).astype(np.int32)], True, (150, 90, 0, 255), 3, lineType=cv2.LINE_AA, shift=2
    )
    return img


def build_scene(people: int, skeleton: bool) -> Scene:
    scene = Scene()
    star = star_sprite()
    for slot in range(people):
        head = scene.add(JointAnchor("head_top", slot=slot, scale_by="head_width", offset=(0, -0.35, 0)))
        head.add(Sprite(star, width=0.9, pivot=(0.5, 0.5)))
        chest = scene.add(
            JointAnchor("chest", slot=slot, scale_by="shoulder_width", tilt_3d=True, offset=(0, 0, -0.1))
        )
        chest.add(Mesh(box((0.32, 0.32, 0.12), color=(0.15, 0.55, 1.0)), rotation=(0.0, 0.0, 0.38, 0.92)))
        chest.add(Mesh(sphere(0.08, color=(1.0, 0.25, 0.2)), position=(0, 0, -0.08)))
    if skeleton:
        scene.add(Skeleton("mediapipe", opacity=0.6))
    return scene


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video")
    ap.add_argument("output")
    ap.add_argument("--mirror", action="store_true")
    ap.add_argument("--people", type=int, default=2)
    ap.add_argument("--skeleton", action="store_true")
    ap.add_argument("--segmentation", action="store_true", help="occlusion from the body mask")
    ap.add_argument("--frames-dir", type=Path, help="also save every Nth frame as PNG here")
    ap.add_argument("--every", type=int, default=40)
    ap.add_argument("--max-frames", type=int, default=0)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    scene = build_scene(args.people, args.skeleton)
    writer = None
    renderer = None
    render_ms = []
    n = 0
    start = time.perf_counter()
    with track(args.video, max_people=args.people, segmentation=args.segmentation) as pipeline:
        for pf in pipeline:
            if renderer is None:
                renderer = Renderer.offscreen(pf.size)
                fourcc = cv2.VideoWriter.fourcc(*"mp4v")
                writer = cv2.VideoWriter(args.output, fourcc, 25.0, pf.size)
            t0 = time.perf_counter()
            rgb = renderer.render(scene, pf, flip=args.mirror)
            render_ms.append((time.perf_counter() - t0) * 1000)
            writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
            if args.frames_dir and n % args.every == 0:
                args.frames_dir.mkdir(parents=True, exist_ok=True)
                cv2.imwrite(str(args.frames_dir / f"frame_{n:04d}.png"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
            n += 1
            if args.max_frames and n >= args.max_frames:
                break
    if writer is not None:
        writer.release()
    if renderer is not None:
        renderer.release()
    total = time.perf_counter() - start
    print(
        f"{n} frames in {total:.1f} s; render p50 {np.median(render_ms):.1f} ms "
        f"p95 {np.percentile(render_ms, 95):.1f} ms -> {args.output}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
