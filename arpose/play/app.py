"""The play application: one object that owns the views, the clock, the input and the screen.

:class:`PlayApp` is driven from outside by a runner (:mod:`arpose.play.runner`):
``feed(pose_frame)`` whenever the pipeline has a new frame, ``tick(dt)`` to run
fixed steps and per-frame updates, ``draw()`` to render. A window runner uses the
wall clock for ``dt``; the headless runner uses the difference of
``PoseFrame.t`` so a run on a recording is deterministic (randomness comes from
``app.rng``, seeded).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pygame

from ..joints import joint_index
from ..pose import Pose, PoseFrame
from .body import PlayerInput
from .camera import CameraView, ScreenMap
from .clock import FixedStepClock
from .events import HandlerStack
from .sound import Sounds
from .ui import PLAYER_COLOURS, ensure_pygame
from .view import View, ViewStack

log = logging.getLogger(__name__)

LEG_JOINTS = ("left_knee", "right_knee", "left_ankle", "right_ankle")


@dataclass
class PlayOptions:
    """Settings shared by all games (CLI flags map 1:1 onto these).

    Attributes:
        players: 1 or 2 player slots.
        exercise: the workout game's exercise (squat, jumping-jack, arm-raise).
        seed: seed of ``app.rng`` (headless runs are reproducible).
        duration: game length in seconds, overriding each game's default.
        sound: try to open the audio device (silent when there is none).
        camera_view: draw the camera frame behind the game.
        skeleton: draw the players' skeletons over the camera frame.
        extra: free-form options for third-party games.
    """

    players: int = 1
    exercise: str = "squat"
    seed: int = 0
    duration: float | None = None
    sound: bool = True
    camera_view: bool = True
    skeleton: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


class PlayApp:
    """Views + fixed-step clock + body input + screen.

    Args:
        size: window (or offscreen surface) size in pixels.
        options: shared game options.
        surface: draw here (the display surface in a window); an offscreen Surface otherwise.
        step: fixed update step in seconds.
        post_events: post the input library's gesture/rep/player events to the pygame
            queue too (for code that reads ``pygame.event.get()``).
    """

    def __init__(self, size: tuple[int, int] = (1280, 720), options: PlayOptions | None = None,
                 surface: pygame.Surface | None = None, step: float = 1.0 / 60.0,
                 post_events: bool = False) -> None:
        ensure_pygame()
        self.options = options or PlayOptions()
        if self.options.players not in (1, 2):
            from ..errors import GameError
            raise GameError(f"--players must be 1 or 2, got {self.options.players}")
        self.size = (int(size[0]), int(size[1]))
        self.surface = surface if surface is not None else pygame.Surface(self.size)
        self.rng = np.random.default_rng(self.options.seed)
        self.clock = FixedStepClock(step=step, max_steps=8)
        self.handlers = HandlerStack()
        self.views = ViewStack(self)
        self.sounds = Sounds(self.options.sound)
        self.camera = CameraView(self.size)
        self.input = PlayerInput(self.size, self.options.players, post_events=post_events)
        self.frame: PoseFrame | None = None
        self.smap: ScreenMap | None = None
        self.time = 0.0
        """Source time (PoseFrame.t) of the newest frame: timestamps in reports."""
        self.frame_serial = 0
        """Increments with every fed frame (games detect new input with it)."""
        self.running = True
        self.report: dict[str, Any] | None = None
        """Set by a game when it ends (what ``--report`` writes)."""
        self.stats = {"frames": 0, "draws": 0}
        self._pinches: list[tuple[float, float]] = []

    # -- input ---------------------------------------------------------------------------
    def feed(self, pf: PoseFrame) -> None:
        """Take a new PoseFrame: update players/cursors and dispatch gesture events."""
        self.frame = pf
        self.time = float(pf.t)
        self._pinches = []  # a pinch nobody took by the next frame is gone (no stale clicks)
        self.frame_serial += 1
        self.stats["frames"] += 1
        w, h = pf.size
        if self.smap is None or self.smap.src_size != (max(int(w), 1), max(int(h), 1)):
            self.smap = ScreenMap((w, h), self.size, mirror=True)
        for event in self.input.feed(pf, self.smap):
            kind = type(event).__name__
            if kind == "GestureEvent" and event.name == "pinch" and event.phase == "start":
                c = self.input.cursor(event.player)  # a pinch clicks where the cursor is
                if c is not None:
                    self._pinches.append(c)
            if kind == "GestureEvent":
                self.handlers.dispatch("on_gesture", event)
            elif kind == "PlayerEvent":
                self.handlers.dispatch("on_player", event)

    def player(self, slot: int) -> Pose | None:
        """The pose of player ``slot`` (0-based) in the newest frame, or None when away."""
        return self.input.pose(slot)

    @property
    def players(self) -> list[Pose | None]:
        return [self.input.pose(i) for i in range(self.options.players)]

    def cursors(self) -> list[tuple[float, float]]:
        """Window positions of the hand cursors of the players present."""
        return [c for c in (self.input.cursor(i) for i in range(self.options.players))
                if c is not None]

    def take_pinches(self) -> list[tuple[float, float]]:
        """Cursor positions (window px) where a player started a pinch since the last call:
        a pinch clicks the DwellButton under the cursor at once (see arpose.hands)."""
        out, self._pinches = self._pinches, []
        return out

    def screen_joints(self, pose: Pose, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Window positions ``(n, 2)`` and visibilities ``(n,)`` of named joints of a pose."""
        idx = [joint_index(n) for n in names]
        j = pose.all_joints[idx]
        xy = np.nan_to_num(j[:, :2], nan=-1e4, posinf=-1e4, neginf=-1e4)
        assert self.smap is not None
        return self.smap.to_screen(xy), np.nan_to_num(j[:, 3], nan=0.0)

    def has_legs(self, pose: Pose | None, min_vis: float = 0.5) -> bool:
        """True when knees and ankles are visible and inside the picture."""
        if pose is None or self.frame is None:
            return False
        idx = [joint_index(n) for n in LEG_JOINTS]
        j = pose.all_joints[idx]
        w, h = self.frame.size
        inside = (j[:, 1] >= 0) & (j[:, 1] <= h * 1.02) & (j[:, 0] >= 0) & (j[:, 0] <= w)
        return bool(np.all(np.nan_to_num(j[:, 3]) >= min_vis) and np.all(inside))

    def body_scale(self, pose: Pose) -> float:
        """Shoulder width of a pose in window pixels (the unit for thresholds)."""
        sw = pose.measure("shoulder_width")
        if not np.isfinite(sw) or sw < 1:
            sw = pose.body_size / 4
        return (self.smap.length(sw) if self.smap else sw)

    # -- loop ----------------------------------------------------------------------------
    def tick(self, dt: float) -> None:
        """Advance time by ``dt`` seconds: fixed steps for logic, then a per-frame update."""
        top = self.views.top
        n = self.clock.advance(dt)
        for _ in range(n):
            if self.views.top is not top or top is None:
                break  # a step switched views (game over): stop stepping the old one
            top.on_fixed_update(self.clock.step)
        top = self.views.top
        if top is not None:
            top.on_update(max(dt, 0.0))

    def draw(self) -> pygame.Surface:
        """Render the camera background and the visible views; returns the surface."""
        self.stats["draws"] += 1
        views = self.views.drawn()
        bottom = views[0] if views else None
        skeletons = []
        if self.options.skeleton:
            for i, pose in enumerate(self.players):
                if pose is not None:
                    skeletons.append((pose, PLAYER_COLOURS[i % 2]))
        if bottom is None or bottom.show_camera and self.options.camera_view:
            self.camera.draw(self.surface, self.frame, self.smap, skeletons)
        else:
            self.camera.draw(self.surface, None, self.smap, skeletons)
        for view in views:
            view.on_draw(self.surface, self.clock.alpha)
        return self.surface

    def dispatch(self, event: str, *args: Any) -> bool:
        return self.handlers.dispatch(event, *args)

    def show(self, view: View) -> View:
        """Replace the top view (title -> menu -> game -> results)."""
        return self.views.replace(view)

    def quit(self) -> None:
        """Ask the runner to stop (clean exit)."""
        self.running = False


__all__ = ["PlayApp", "PlayOptions", "LEG_JOINTS"]
