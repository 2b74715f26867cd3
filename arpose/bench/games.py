"""Frame cost of the games with the camera view on: the `games` section of `arpose bench`.

Each game is played on synthetic players over real camera-sized frames (from the bench
video) and the main thread's work per rendered frame is timed: feed + fixed steps +
mirrored camera frame + skeletons + game + HUD. A new camera image arrives every other
rendered frame (camera at 30 FPS, display at 60), as in a live window. Inference runs on
other threads and is not included (the tracking section measures it).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..play import PlayApp, PlayOptions, get_game
from ..pose import PoseFrame
from ..sources import read_image, sample_image_path
from ..testing.bodies import frames, squat_motion

GAMES = ("slicer", "pose-wall", "workout", "pong")


def camera_images(video: Path | None, n: int = 8, size: tuple[int, int] = (1280, 720)) -> list[np.ndarray]:
    """A few real RGB frames of ``video`` at ``size``, else the built-in photo scaled."""
    out: list[np.ndarray] = []
    if video is not None and Path(video).is_file():
        cap = cv2.VideoCapture(str(video))
        while len(out) < n:
            ok, img = cap.read()
            if not ok:
                break
            out.append(cv2.cvtColor(cv2.resize(img, size), cv2.COLOR_BGR2RGB))
        cap.release()
    if not out:
        out = [cv2.resize(read_image(sample_image_path()), size)]
    return out


def bench_game(
    name: str,
    images: list[np.ndarray],
    n: int = 300,
    size: tuple[int, int] = (1280, 720),
    camera: bool = True,
    effects: tuple[str, ...] = (),
) -> dict[str, float]:
    """Median / p95 milliseconds per rendered frame and the FPS that allows.

    ``effects``: what every player wears (the game's own effects are off, so ``()``
    is the same scene without effects)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

    clip = frames(squat_motion(reps=20, period=1.5), fps=30, noise=1.0)
    app = PlayApp(
        size,
        PlayOptions(
            sound=False,
            camera_view=camera,
            duration=600.0,
            effects=tuple(effects),
            game_effects=False,
            extra={"countdown": 0.0},
        ),
    )
    app.show(get_game(name)(app.options))
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        if i % 2 == 0:  # camera at 30 FPS, rendering at 60
            src = clip[(i // 2) % len(clip)]
            app.feed(PoseFrame(i / 60, i // 2, src.size, src.poses, image=images[(i // 2) % len(images)]))
        app.tick(1 / 60)
        app.draw()
        times.append((time.perf_counter() - t0) * 1000)
    app.close()
    times = times[10:]
    med = float(np.median(times))
    return {"median_ms": med, "p95_ms": float(np.percentile(times, 95)), "fps": 1000 / med}


def bench_games(video: Path | None, options: dict[str, Any]) -> dict[str, Any]:
    """``arpose bench`` section: per game, ms per frame with the camera view on, and the
    share of a 30 FPS frame budget (33.3 ms) it uses."""
    n = int(options.get("game_frames", 300))
    images = camera_images(video)
    out: dict[str, Any] = {}
    for name in GAMES:
        r = bench_game(name, images, n)
        out[f"{name}_ms_p50"] = r["median_ms"]
        out[f"{name}_ms_p95"] = r["p95_ms"]
        out[f"{name}_share_of_30fps_budget"] = r["median_ms"] / (1000 / 30)
    out.update(
        bench_effect_on_off(
            images,
            effect=str(options.get("game_effect", "crown")),
            rounds=int(options.get("game_rounds", 3)),
            n=int(options.get("game_effect_frames", 120)),
        )
    )
    return out


def bench_effect_on_off(
    images: list[np.ndarray],
    effect: str = "crown",
    rounds: int = 3,
    n: int = 120,
    game: str = "slicer",
    size: tuple[int, int] = (1280, 720),
) -> dict[str, Any]:
    """Camera background + one effect + game + HUD at ``size``, against the same scene
    without the effect, in alternating rounds of the same run (medians of the rounds'
    medians): the main thread's work per frame through the play shell's Renderer."""
    on: list[float] = []
    off: list[float] = []
    for _ in range(rounds):
        off.append(bench_game(game, images, n, size)["median_ms"])
        on.append(bench_game(game, images, n, size, effects=(effect,))["median_ms"])
    p50_on, p50_off = float(np.median(on)), float(np.median(off))
    return {
        "effect": effect,
        "effect_game": game,
        "effect_on_ms_p50": p50_on,
        "effect_off_ms_p50": p50_off,
        "effect_on_vs_off": p50_on / max(p50_off, 1e-9),
    }
