"""Render benchmark of the games with the camera view on (and screenshots on request).

Plays each game headless on synthetic players over a real camera-sized image
(frames of --video or $ARPOSE_BENCH_VIDEO, else the built-in sample clip, at
1280x720) and times the per-frame work of the main thread: feed + fixed steps +
drawing the mirrored camera frame, skeletons, the game and the HUD. A new camera
image arrives every other rendered frame (30 FPS camera, 60 FPS render) like live.

    python tools/bench_games.py                 # all games, 300 frames each
    python tools/bench_games.py --shots /tmp    # also save title/play/results PNGs

The same numbers are the ``games`` section of ``arpose bench`` (arpose/bench/games.py).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np  # noqa: E402

from arpose.bench import default_video  # noqa: E402
from arpose.bench.games import GAMES, bench_game, camera_images  # noqa: E402
from arpose.play import PlayApp, PlayOptions, get_game  # noqa: E402
from arpose.pose import PoseFrame  # noqa: E402
from arpose.testing.bodies import Body, frames, squat_motion  # noqa: E402


def bench_games(video: Path, n: int = 300, camera: bool = True) -> dict[str, dict[str, float]]:
    images = camera_images(video)
    return {g: bench_game(g, images, n, camera=camera) for g in GAMES}


def screenshots(video: Path, out: Path) -> list[Path]:
    """Title, play and results screens of every game, driven by synthetic players."""
    import pygame

    from arpose.play import MenuView, TitleView

    out.mkdir(parents=True, exist_ok=True)
    images = camera_images(video)
    saved: list[Path] = []
    clip = frames(squat_motion(reps=20, period=1.5), fps=30, noise=1.0)
    pointing = Body(right_hand=(0.9, 0.9, 0.3))

    def shot(app: PlayApp, fname: str) -> None:
        app.draw()
        p = out / fname
        pygame.image.save(app.surface, str(p))
        saved.append(p)

    menu = PlayApp((1280, 720), PlayOptions(sound=False))
    menu.show(TitleView())
    from arpose.testing.bodies import make_pose

    for k in range(20):
        menu.feed(PoseFrame(k / 30, k, (1280, 720), (make_pose(pointing),), image=images[0]))
        menu.tick(1 / 30)
    shot(menu, "title.png")
    menu.show(MenuView())
    for k in range(20, 40):
        menu.feed(PoseFrame(k / 30, k, (1280, 720), (make_pose(pointing),), image=images[0]))
        menu.tick(1 / 30)
    shot(menu, "menu.png")
    for name in GAMES:
        app = PlayApp((1280, 720), PlayOptions(sound=False, duration=8.0, players=2 if name == "pong" else 1))
        app.show(TitleView(name))
        app.feed(PoseFrame(0, 0, (1280, 720), (make_pose(pointing),), image=images[0]))
        shot(app, f"{name}-title.png")
        game = get_game(name)(app.options)
        app.show(game)
        for k, src in enumerate(clip[:400]):
            poses = src.poses
            if name == "pong":
                poses = (
                    make_pose(Body(x=900, id=0, right_hand=(0.6, np.sin(k / 9), 0.3))),
                    make_pose(Body(x=380, id=1, right_hand=(0.6, np.cos(k / 7), 0.3))),
                )
            elif name == "slicer":
                poses = (make_pose(Body(right_hand=(0.6 + 0.8 * np.sin(k / 3), 0.2, 0.3))),)
            elif name == "pose-wall":
                poses = (make_pose(Body(left_arm=90, right_arm=90)),)
            app.feed(PoseFrame(k / 30, k, (1280, 720), poses, image=images[k % len(images)]))
            app.tick(1 / 30)
            if k == 200:
                shot(app, f"{name}-play.png")
            if game.over:
                break
        for _k2 in range(10):
            app.tick(1 / 30)
        shot(app, f"{name}-results.png")
    return saved


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument(
        "--video",
        type=Path,
        default=None,
        help="camera frames from this video (default: $ARPOSE_BENCH_VIDEO, else the built-in sample clip)",
    )
    ap.add_argument("--shots", type=Path, help="save screenshots to this folder")
    args = ap.parse_args()
    video = default_video(args.video)
    for camera in (True, False):
        for name, r in bench_games(video, args.frames, camera).items():
            print(
                f"{name:<10} camera={'on ' if camera else 'off'}  median {r['median_ms']:6.2f} ms"
                f"  p95 {r['p95_ms']:6.2f} ms  -> {r['fps']:6.1f} FPS"
            )
    if args.shots:
        for p in screenshots(video, args.shots):
            print("saved", p)


if __name__ == "__main__":
    main()
