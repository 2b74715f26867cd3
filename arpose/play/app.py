"""The play application: the one presentation shell of arpose.

:class:`PlayApp` owns the view stack, the fixed-step clock, the body input, one
:class:`~arpose.render.Renderer` (one GL context: a window's or an offscreen one) and
one :class:`~arpose.scene.screen.ScreenMap`. Every frame it draws, bottom to top:

1. the camera picture (dimmed), fitted by the ScreenMap ("cover": it fills the window);
2. the effects :class:`~arpose.scene.node.Scene` (an :class:`EffectRenderer`: what
   ``--effect`` asks for plus what the shown view wants, see
   :meth:`~arpose.play.view.View.scene_effects`), anchored to the players;
3. the players' skeletons (:func:`arpose.render.skeleton.skeleton_geometry`);
4. the views' own 2D layer: a transparent pygame Surface the views draw on, composited
   by the Renderer as its overlay (HUD, game objects, menus, the debug overlay).

The camera background, the anchors, the hand cursors and the games' drawing all use
the same ScreenMap. The mirror (:mod:`arpose.apps.mirror`) and the games are views
of this shell; headless runs draw the same frames into an offscreen framebuffer (and a
video file).

A runner (:mod:`arpose.play.runner`) drives it: ``feed(pose_frame)`` whenever the
pipeline has a new frame, ``tick(dt)`` for fixed steps and per-frame updates,
``draw()`` to render. A window runner uses the wall clock for ``dt``; the headless
runner uses the difference of ``PoseFrame.t`` so a run on a recording is deterministic
(randomness comes from ``app.rng``, seeded). Drawing never changes the game's state:
the same frames give the same report with or without effects and video.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

import cv2
import numpy as np
import pygame

from ..compat import warn_renamed
from ..effects.compose import EffectRenderer
from ..effects.reload import HotReloader
from ..errors import GameError
from ..input.gestures import GestureEvent
from ..input.players import PlayerEvent
from ..joints import joint_index
from ..pose import Pose, PoseFrame
from ..render import Renderer
from ..render.composition import Composition, SkeletonOverlay
from ..scene.screen import ScreenMap
from .clock import FixedStepClock
from .dispatch import HandlerStack
from .game import Game
from .options import PlayOptions
from .player_input import PlayerInput
from .screens import ResultsView
from .sound import Sounds
from .ui import PLAYER_COLOURS, WHITE, YELLOW, ensure_pygame, panel, text
from .view import View, ViewStack

log = logging.getLogger(__name__)

LEG_JOINTS = ("left_knee", "right_knee", "left_ankle", "right_ankle")


class PlayApp:
    """Views + fixed-step clock + body input + Renderer + ScreenMap: the shell.

    Args:
        size: window (or offscreen framebuffer) size in pixels.
        options: shared game options.
        renderer: the :class:`~arpose.render.Renderer` to draw with (a window's); None
            makes an offscreen one on the first :meth:`draw` (headless runs, tests).
        step: fixed update step in seconds.
        post_events: post the input library's gesture/rep/player events to the pygame
            queue too (for code that reads ``pygame.event.get()``).
        flip: selfie view (the ScreenMap's and the Renderer's mirroring).
    """

    def __init__(
        self,
        size: tuple[int, int] = (1280, 720),
        options: PlayOptions | None = None,
        renderer: Renderer | None = None,
        step: float = 1.0 / 60.0,
        post_events: bool = False,
        flip: bool = True,
    ) -> None:
        ensure_pygame()
        self.options = options or PlayOptions()
        if self.options.players not in (1, 2):
            raise GameError(f"players must be 1 or 2, got {self.options.players}")
        self.size = (int(size[0]), int(size[1]))
        self.flip = bool(flip)
        self._layer_buf, self.surface, self._layer_bgra = _layer_surface(self.size)
        """The views' 2D layer (transparent; composited over the camera and effects)."""
        self.renderer = renderer
        self._owns_renderer = renderer is None
        self.effects: EffectRenderer | None = None
        """The :class:`~arpose.effects.compose.EffectRenderer` (made on the first draw)."""
        self.reloader: HotReloader | None = None
        self._wanted: dict[int | None, tuple[str, ...]] | None = None
        self.rng = np.random.default_rng(self.options.seed)
        self.clock = FixedStepClock(step=step, max_steps=8)
        self.handlers = HandlerStack()
        self.views = ViewStack(self, self.handlers)
        self.sounds = Sounds(self.options.sound)
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
        self.stats: dict[str, Any] = {"frames": 0, "draws": 0}
        self.note: str | None = None
        """A line shown at the bottom (e.g. "source ended")."""
        self.debug = False
        """Show the debug overlay (drawn FPS, tracking rate, latency, dropped frames)."""
        self.debug_lines: list[str] = []
        self._dimmed: tuple[int, np.ndarray] | None = None
        self._gradient: np.ndarray | None = None
        self._draw_times: list[float] = []
        self._feed_times: list[float] = []
        self.live = False
        """A live window: anchors extrapolate between tracking results (headless draws
        exactly the tracked frames)."""
        self._arrived = 0.0
        self._pinches: list[tuple[float, float]] = []

    # -- input ---------------------------------------------------------------------------
    def screen_map(self, src_size: tuple[int, int]) -> ScreenMap:
        """The one image -> window mapping ("cover" fit, mirrored)."""
        return ScreenMap((max(int(src_size[0]), 1), max(int(src_size[1]), 1)), self.size, self.flip, "cover")

    def feed(self, pf: PoseFrame) -> None:
        """Take a new PoseFrame: update players/cursors and dispatch gesture events."""
        self.frame = pf
        self.time = float(pf.t)
        self._pinches = []  # a pinch nobody took by the next frame is gone (no stale clicks)
        self.frame_serial += 1
        self.stats["frames"] += 1
        self._arrived = time.monotonic()
        self._feed_times = (self._feed_times + [self._arrived])[-30:]
        w, h = pf.size
        if self.smap is None or self.smap.image_size != (max(int(w), 1), max(int(h), 1)):
            self.smap = self.screen_map((w, h))
        for event in self.input.feed(pf, self.smap):
            if isinstance(event, GestureEvent):
                if event.name == "pinch" and event.phase == "start":
                    c = self.input.cursor(event.player)  # a pinch clicks where the cursor is
                    if c is not None:
                        self._pinches.append(c)
                self.handlers.dispatch("on_gesture", event)
            elif isinstance(event, PlayerEvent):
                self.handlers.dispatch("on_player", event)

    def set_mirror(self, mirror: bool) -> None:
        """0.1.0's name of :meth:`set_flip` (deprecated)."""
        warn_renamed("PlayApp.set_mirror", "PlayApp.set_flip")
        self.set_flip(mirror)

    def set_flip(self, flip: bool) -> None:
        """Selfie view on/off: the one ScreenMap and the Renderer flip together."""
        self.flip = bool(flip)
        if self.renderer is not None:
            self.renderer.flip = self.flip
        if self.frame is not None:
            self.smap = self.screen_map(self.frame.size)

    def player(self, slot: int) -> Pose | None:
        """The pose of player ``slot`` (0-based) in the newest frame, or None when away."""
        return self.input.pose(slot)

    @property
    def players(self) -> list[Pose | None]:
        return [self.input.pose(i) for i in range(self.options.players)]

    def cursor(self, slot: int) -> tuple[float, float] | None:
        """The hand cursor of player ``slot`` (window px), or None (no hand up)."""
        return self.input.cursor(slot)

    def cursors(self) -> list[tuple[float, float]]:
        """Window positions of the hand cursors of the players present."""
        return [c for c in (self.input.cursor(i) for i in range(self.options.players)) if c is not None]

    def take_pinches(self) -> list[tuple[float, float]]:
        """Cursor positions (window px) where a player started a pinch since the last call:
        a pinch presses the button under the cursor at once (MenuButton, arpose.DwellButton)."""
        out, self._pinches = self._pinches, []
        return out

    def screen_joints(self, pose: Pose, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Window positions ``(n, 2)`` and visibilities ``(n,)`` of named joints of a pose."""
        idx = [joint_index(n) for n in names]
        j = pose.all_joints[idx]
        xy = np.nan_to_num(j[:, :2], nan=-1e4, posinf=-1e4, neginf=-1e4)
        smap = self.smap or self.screen_map(self.size)
        return smap.to_screen(xy), np.nan_to_num(j[:, 3], nan=0.0)

    def has_legs(self, pose: Pose | None, min_vis: float = 0.5) -> bool:
        """True when knees and ankles are visible and inside the picture."""
        if pose is None or self.frame is None:
            return False
        idx = [joint_index(n) for n in LEG_JOINTS]
        j = pose.all_joints[idx]
        w, h = self.frame.size
        inside = (j[:, 1] >= 0) & (j[:, 1] <= h * 1.02) & (j[:, 0] >= 0) & (j[:, 0] <= w)
        return bool(np.all(np.nan_to_num(j[:, 3]) >= min_vis) and np.all(inside))

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

    def draw(self, read: bool = False) -> np.ndarray | None:
        """Draw one frame through the Renderer: camera, effects, skeletons, the views'
        layer. Returns the RGB picture ``(H, W, 3)`` when ``read`` (headless video)."""
        self.stats["draws"] += 1
        self._draw_times = (self._draw_times + [time.monotonic()])[-30:]
        views = self.views.drawn()
        bottom = views[0] if views else None
        show_camera = (bottom is None or bottom.show_camera) and self.options.camera_view
        self.surface.fill((0, 0, 0, 0))
        for view in views:
            view.on_draw(self.surface, self.clock.alpha)
        self._draw_notes(self.surface)
        renderer = self._ensure_renderer()
        people = bottom is not None and bottom.dress == "people"
        frame = self._draw_frame(show_camera, people)
        self._sync_effects(views)
        if self.reloader is not None:
            self.reloader.poll()
        skeletons: tuple[SkeletonOverlay, ...] = ()
        if self.options.skeleton:
            skeletons = tuple(
                SkeletonOverlay(dataclasses.replace(frame, poses=(pose,)), color=PLAYER_COLOURS[i % 2])
                for i, pose in enumerate(frame.poses)
                if pose is not _INVISIBLE
            )
        scene = self.effects.scene if self.effects is not None and self.effects.effects else None
        now: float | None = None  # timeline seconds: extrapolated in a live window
        if self.live and self.frame is not None:
            now = float(self.frame.t) + (time.monotonic() - self._arrived)
        return renderer.draw(
            Composition(
                frame,
                scene,
                skeletons=skeletons,
                overlay=self._layer_pixels(),
                overlay_bgra=self._layer_bgra,
                now=now,
                flip=self.flip,
            ),
            read=read,
        )

    # -- drawing helpers -------------------------------------------------------------------
    def _layer_pixels(self) -> np.ndarray:
        """The 2D layer's pixels (H, W, 4). The Surface draws straight into this array
        (B, G, R, A on little-endian machines: GL swizzles them), so nothing is copied
        or converted; a Surface pygame could not wrap is converted to RGBA."""
        if self._layer_buf is not None:
            return self._layer_buf
        W, H = self.size
        rgba = pygame.image.tobytes(self.surface, "RGBA")
        return np.frombuffer(rgba, np.uint8).reshape(H, W, 4)

    def _ensure_renderer(self) -> Renderer:
        if self.renderer is None:
            self.renderer = Renderer.offscreen(self.size, flip=self.flip, fit="cover")
            self._owns_renderer = True
        return self.renderer

    def _draw_frame(self, show_camera: bool, people: bool = False) -> PoseFrame:
        """What the Renderer draws: the newest frame with the players' poses in slot
        order (slot k = effect player k+1; an absent player is an invisible pose), or
        with everyone tracked (``people``), its picture dimmed, or a gradient when there
        is no picture to show."""
        pf = self.frame
        size = tuple(pf.size) if pf is not None and pf.size[0] > 0 else self.size
        if people:
            dressed = self.options.dressed or max(2, self.options.players)
            poses = tuple(pf.poses[:dressed]) if pf is not None else ()
        else:
            poses = tuple(p if p is not None else _INVISIBLE for p in self.players)
        while poses and poses[-1] is _INVISIBLE:
            poses = poses[:-1]
        image = pf.image if pf is not None else None
        if show_camera and image is not None and image.ndim == 3 and image.size:
            image = self._dim(image)
        else:
            image = self._gradient_image((int(size[0]), int(size[1])))
        if pf is None:
            return PoseFrame(0.0, -1, (int(size[0]), int(size[1])), poses, image=image)
        return dataclasses.replace(pf, poses=poses, image=image)

    def _dim(self, image: np.ndarray) -> np.ndarray:
        if self.options.dim >= 1.0:
            return image
        if self._dimmed is None or self._dimmed[0] != id(image):
            self._dimmed = (id(image), cv2.convertScaleAbs(image, alpha=self.options.dim))
        return self._dimmed[1]

    def _gradient_image(self, size: tuple[int, int]) -> np.ndarray:
        w, h = size
        if self._gradient is None or self._gradient.shape[:2] != (h, w):
            y = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
            top, bottom = np.array([24, 26, 58], np.float32), np.array([8, 60, 84], np.float32)
            col = (top * (1 - y) + bottom * y).astype(np.uint8)
            self._gradient = np.ascontiguousarray(np.broadcast_to(col[:, None, :], (h, w, 3)))
        return self._gradient

    def wanted_effects(self, views: list[View] | None = None) -> dict[int | None, tuple[str, ...]]:
        """Effects to show now: ``--effect`` on everyone, plus the shown views' own
        (``View.scene_effects``), keyed by player (None = everyone, 1.. = slot + 1)."""
        views = self.views.drawn() if views is None else views
        out: dict[int | None, tuple[str, ...]] = {None: tuple(self.options.effects)}
        if self.options.game_effects:
            for view in views:
                for player, names in view.scene_effects().items():
                    out[player] = _unique(out.get(player, ()) + tuple(names))
        for player in [p for p in out if p is not None]:
            out[player] = _unique(out[None] + out[player])
        return out

    def _sync_effects(self, views: list[View]) -> None:
        wanted = self.wanted_effects(views)
        if wanted == self._wanted:
            return
        if self.effects is None:
            self.effects = EffectRenderer(
                (),
                renderer=self.renderer,
                max_people=self.options.dressed or max(2, self.options.players),
                on_error="placeholder",
            )
            self.reloader = HotReloader(self.effects)
        old = self._wanted or {}
        for player in old:
            if player is not None and player not in wanted:
                self.effects.clear_player(player)
        for player, names in sorted(wanted.items(), key=lambda kv: kv[0] is not None):
            if old.get(player) != names:
                self.effects.set_effects(list(names), player=player)
        self._wanted = wanted

    def _draw_notes(self, surface: pygame.Surface) -> None:
        W, H = self.size
        if self.note:
            box = panel(
                surface,
                (W - int(W * 0.22) - 12, H - int(H * 0.06) - 12, int(W * 0.22), int(H * 0.06)),
                alpha=200,
            )
            text(surface, self.note, box.center, int(H / 26), YELLOW)
        if self.debug:
            lines = self.debug_text()
            box = panel(
                surface,
                (W - int(W * 0.3) - 12, 12, int(W * 0.3), int(H * 0.045) * len(lines) + 16),
                alpha=190,
            )
            for i, line in enumerate(lines):
                text(
                    surface, line, (box.x + 12, box.y + 8 + i * int(H * 0.045)), int(H / 30), WHITE, "topleft"
                )

    def debug_text(self) -> list[str]:
        """The debug overlay's lines: drawn FPS, tracking rate, latency, dropped frames."""

        def rate(ts: list[float]) -> float:
            return (len(ts) - 1) / (ts[-1] - ts[0]) if len(ts) > 1 and ts[-1] > ts[0] else 0.0

        st = self.frame.stats if self.frame is not None else None
        lines = [
            f"drawn {rate(self._draw_times):5.1f} fps",
            f"tracked {rate(self._feed_times):5.1f} /s",
            f"latency {st.latency_ms if st else 0.0:5.0f} ms",
            f"dropped {st.dropped if st else 0}",
        ]
        return lines + self.debug_lines

    def dispatch(self, event: str, *args: Any) -> bool:
        return self.handlers.dispatch(event, *args)

    def show(self, view: View) -> View:
        """Replace the top view (title -> menu -> game -> results)."""
        return self.views.replace(view)

    def push(self, view: View) -> View:
        """Put ``view`` above the current one (a pause overlay)."""
        return self.views.push(view)

    def pop(self) -> View | None:
        """Remove the top view; the one beneath is shown again."""
        return self.views.pop()

    def show_results(self, game: View) -> None:
        """Replace the finished ``game`` with the results screen (:class:`ResultsView`).

        Raises:
            GameError: ``game`` is not a :class:`~arpose.play.game.Game`.
        """
        if not isinstance(game, Game):
            raise GameError(f"show_results needs the Game that ended, got {type(game).__name__}")
        self.show(ResultsView(game))

    def worn_effects(self, player: int | None = None) -> tuple[str, ...] | None:
        """Names of the effects drawn on ``player`` now (None: everyone's shared ones);
        None before the first draw made the effect renderer."""
        if self.effects is None:
            return None
        return tuple(e.name for e in self.effects.effects_for(player))

    @property
    def reload_message(self) -> str | None:
        """The error of the last hot reload of an effect file, or None."""
        return self.reloader.message if self.reloader is not None else None

    def quit(self) -> None:
        """Ask the runner to stop (clean exit)."""
        self.running = False

    def close(self) -> None:
        """Release the effects and the renderer this app made (not a window's)."""
        self.views.clear()
        if self.effects is not None:
            self.effects.close()
            self.effects = None
        if self._owns_renderer and self.renderer is not None:
            self.renderer.release()
        self.renderer = None

    def __enter__(self) -> PlayApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _layer_surface(size: tuple[int, int]) -> tuple[np.ndarray | None, pygame.Surface, bool]:
    """A transparent Surface drawing into a numpy array ``(H, W, 4)`` it shares, when
    pygame can wrap one with per-pixel alpha (``image.frombuffer``, "BGRA": the byte
    order of a native SRCALPHA surface), so the Renderer uploads the layer without a
    copy. Returns ``(array or None, surface, array is BGRA)``."""
    W, H = size
    buf = np.zeros((H, W, 4), np.uint8)
    try:
        surface = pygame.image.frombuffer(buf.data, (W, H), "BGRA")
    except (ValueError, pygame.error):
        surface = None
    if (
        surface is None
        or not surface.get_flags() & pygame.SRCALPHA
        or surface.get_masks() != (0xFF0000, 0xFF00, 0xFF, 0xFF000000)
    ):
        return None, pygame.Surface((W, H), pygame.SRCALPHA), False
    return buf, surface, True


def _unique(items: tuple[Any, ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return tuple(out)


def _invisible_pose() -> Pose:
    lm = np.zeros((33, 5), np.float32)
    return Pose(lm, np.zeros((33, 3), np.float32), -1)


_INVISIBLE = _invisible_pose()
"""Holds an absent player's place in the drawn frame (nothing anchors to it)."""


__all__ = ["PlayApp", "PlayOptions", "LEG_JOINTS"]
