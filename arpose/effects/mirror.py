"""The live selfie mirror: camera in, effects on every person, a pygame OpenGL window out.

Threads: the pipeline's workers own the camera and the model; this (main) thread owns the
window, the GL context and the effects. Each loop iteration takes the newest PoseFrame if
there is one (``pipeline.latest()``), feeds gestures, polls hot reload, draws at display
rate (anchors extrapolate between inference results), and flips.

Controls: Left/Right arrows or raising one hand above the head (right hand: next, left
hand: previous) cycle through the gallery; Space toggles the skeleton; M toggles
mirroring; P switches per-player mode (each person picks their own effect with their own
hand); Esc or closing the window quits. Hot-reload errors appear in a red bar.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ArposeError
from ..pose import PoseFrame
from . import gallery
from .compose import EffectLike, EffectRenderer, load_effects
from .reload import HotReloader
from .schema import Effect

log = logging.getLogger(__name__)


@dataclass
class MirrorStats:
    """What a mirror session did (for tests and the exit line)."""

    frames_drawn: int = 0
    pose_frames: int = 0
    seconds: float = 0.0
    switches: list[str] = field(default_factory=list)
    """Effect names switched to, in order (e.g. "crown", "2:wings" in per-player mode)."""


class Mirror:
    """The mirror's state and one-iteration :meth:`step`; :func:`run_mirror` drives it.

    Args:
        pipeline: a started-or-not :class:`arpose.pipeline.Pipeline` (live or file).
        renderer: an :class:`arpose.render.Renderer` drawing into the window.
        effects: initial effects (names/paths/Effect); None = the gallery's first.
        cycle: the names the keys/gestures cycle through (default: every gallery effect).
        mirror: selfie view.
        max_people: people who each get their own copy.
    """

    def __init__(self, pipeline: Any, renderer: Any, effects: Iterable[EffectLike] | None = None,
                 *, cycle: Sequence[str] | None = None, mirror: bool = True,
                 max_people: int = 2, per_player: bool = False):
        self.pipeline = pipeline
        self.cycle = list(cycle) if cycle is not None else gallery.effect_names()
        initial = list(effects) if effects else self.cycle[:1]
        self.effects = EffectRenderer(load_effects(initial), renderer=renderer,
                                      max_people=max_people, on_error="placeholder")
        self.reloader = HotReloader(self.effects)
        self.mirror = mirror
        self.max_people = max_people
        self.per_player = False
        self.skeleton = False
        self.frame: PoseFrame | None = None
        self._arrived = 0.0
        self._index = {None: self._index_of(initial[0]) if initial else 0}
        self._detectors: dict[int, Any] = {}
        self._hud_text: tuple[str, str | None] | None = None
        self.stats = MirrorStats()
        self.running = True
        if per_player:
            self.toggle_per_player()

    def _index_of(self, effect: EffectLike) -> int:
        name = effect.name if isinstance(effect, Effect) else str(effect)
        return self.cycle.index(name) if name in self.cycle else -1

    # -- controls -------------------------------------------------------------------------
    def next_effect(self, step: int = 1, player: int | None = None) -> None:
        """Show the next (``step=1``) or previous (-1) gallery effect, for everyone or
        (per-player mode) for one player. A broken effect file is logged and skipped."""
        if not self.cycle:
            return
        key = player if self.per_player else None
        start = self._index.get(key, self._index.get(None, 0))
        for k in range(1, len(self.cycle) + 1):
            i = (start + step * k) % len(self.cycle)
            try:
                self.effects.set_effects([self.cycle[i]], player=key)
            except ArposeError as exc:
                log.error("skipping effect %s: %s", self.cycle[i], exc)
                continue
            self._index[key] = i
            self.stats.switches.append(self.cycle[i] if key is None else f"{key}:{self.cycle[i]}")
            return

    def toggle_per_player(self) -> None:
        """Everyone wears the same effect <-> each player chooses their own."""
        self.per_player = not self.per_player
        if self.per_player:
            current = self._index.get(None, 0)
            for p in range(1, self.max_people + 1):
                self._index[p] = current
                self.effects.set_effects([self.cycle[current]], player=p)
        else:
            for p in range(1, self.max_people + 1):
                self.effects.clear_player(p)

    def handle_key(self, key: int) -> None:
        import pygame

        if key == pygame.K_ESCAPE:
            self.running = False
        elif key == pygame.K_RIGHT:
            self.next_effect(+1, player=1)
        elif key == pygame.K_LEFT:
            self.next_effect(-1, player=1)
        elif key == pygame.K_SPACE:
            self.skeleton = not self.skeleton
        elif key == pygame.K_m:
            self.mirror = not self.mirror
        elif key == pygame.K_p:
            self.toggle_per_player()

    def _gestures(self, frame: PoseFrame) -> None:
        from ..input.gestures import GestureDetector

        seen = set()
        for slot, pose in enumerate(frame.poses[: self.max_people]):
            det = self._detectors.get(pose.id)
            if det is None:
                det = self._detectors[pose.id] = GestureDetector(mirror=True)
            seen.add(pose.id)
            for ev in det.update(pose, frame.t):
                if ev.name == "hand_up" and ev.phase == "start":
                    self.next_effect(+1 if ev.side == "right" else -1, player=slot + 1)
        for pid in list(self._detectors):
            if pid not in seen:
                del self._detectors[pid]

    # -- one iteration --------------------------------------------------------------------
    def step(self, window: Any = None) -> bool:
        """Events, newest PoseFrame, gestures, hot reload, draw. Returns False to stop."""
        if window is not None:
            import pygame

            for event in pygame.event.get():
                if event.type == pygame.QUIT:
                    self.running = False
                elif event.type == pygame.KEYDOWN:
                    self.handle_key(event.key)
        pf = self.pipeline.latest(timeout=0.0 if self.frame is not None else 0.5)
        if pf is not None:
            self.frame, self._arrived = pf, time.monotonic()
            self.stats.pose_frames += 1
            self._gestures(pf)
        self.reloader.poll()
        if self.frame is not None:
            self._draw_hud()
            if self.skeleton:
                self.effects.renderer.draw_skeleton(self.frame)
            now = self.frame.t + (time.monotonic() - self._arrived)
            self.effects.render(self.frame, mirror=self.mirror, now=now, read=False)
            self.stats.frames_drawn += 1
            if window is not None:
                window.flip()
        return self.running

    def hud_lines(self) -> tuple[str, str | None]:
        """Top line (effect names, hints) and the error line (or None)."""
        if self.per_player:
            names = " | ".join(
                f"P{p}: {', '.join(e.name for e in self.effects.effects_for(p)) or '-'}"
                for p in range(1, self.max_people + 1))
        else:
            names = ", ".join(e.name for e in self.effects.effects_for(None)) or "-"
        top = f"{names}   (<- -> or raise a hand: change   P: per player   Esc: quit)"
        return top, self.reloader.message

    def _draw_hud(self) -> None:
        text = self.hud_lines()
        if text == self._hud_text:
            return  # the overlay texture is only rewritten when the text changes
        self._hud_text = text
        self.effects.renderer.set_overlay(render_hud(self.effects.renderer.size, *text))


def render_hud(size: tuple[int, int], top: str, error: str | None) -> np.ndarray:
    """An RGBA overlay (output size): a translucent top bar with ``top`` and, when there
    is one, a red bottom bar with the error text (wrapped)."""
    import pygame

    if not pygame.font.get_init():
        pygame.font.init()
    w, h = int(size[0]), int(size[1])
    surf = pygame.Surface((w, h), pygame.SRCALPHA)
    px = max(14, h // 40)
    font = pygame.font.Font(None, px + 6)
    bar = font.render(top, True, (255, 255, 255))
    pygame.draw.rect(surf, (0, 0, 0, 140), (0, 0, w, bar.get_height() + 10))
    surf.blit(bar, (10, 5))
    if error:
        lines, line = [], ""
        for word in error.split():
            trial = f"{line} {word}".strip()
            if font.size(trial)[0] > w - 20 and line:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
        lh = font.get_linesize()
        top_y = h - lh * len(lines) - 12
        pygame.draw.rect(surf, (170, 20, 20, 220), (0, top_y, w, h - top_y))
        for i, text in enumerate(lines):
            surf.blit(font.render(text, True, (255, 255, 255)), (10, top_y + 6 + i * lh))
    rgba = pygame.image.tostring(surf, "RGBA")
    return np.frombuffer(rgba, np.uint8).reshape(h, w, 4)


def run_mirror(effects: Iterable[EffectLike] | None = None, source: Any = 0, *,
               size: tuple[int, int] | None = None, max_people: int = 2, mirror: bool = True,
               per_player: bool = False, model: str | None = None,
               max_frames: int | None = None, max_seconds: float | None = None,
               hands: bool = False) -> MirrorStats:
    """Open the mirror window on ``source`` (camera index, video, image, recording) and
    run until Esc/close (or ``max_frames`` drawn / ``max_seconds``, for tests and demos).

    Raises:
        ArposeError: camera/model/GL problems and bad effects named on the command line.
    """
    from ..pipeline import track
    from ..render import Renderer, Window

    loaded = load_effects(effects or [])  # fail early, before opening camera and window
    from .loader import needs_hands
    pipeline = track(source, max_people=max_people, model=model, segmentation=True,
                     realtime=True, hands=hands or needs_hands(loaded))
    start = time.monotonic()
    with pipeline:
        first = pipeline.latest(timeout=10.0)
        win_size = size or (tuple(first.size) if first is not None else (1280, 720))
        with Window(win_size, title="arpose mirror") as window:
            renderer = Renderer.for_window(window)
            try:
                app = Mirror(pipeline, renderer, effects, mirror=mirror, max_people=max_people,
                             per_player=per_player)
                if first is not None:
                    app.frame, app._arrived = first, time.monotonic()
                while app.step(window):
                    if max_frames is not None and app.stats.frames_drawn >= max_frames:
                        break
                    if max_seconds is not None and time.monotonic() - start > max_seconds:
                        break
                app.stats.seconds = time.monotonic() - start
                return app.stats
            finally:
                renderer.release()


def can_run_live() -> bool:
    """True when a display is likely available (used to choose mirror vs. photo demo)."""
    if os.environ.get("SDL_VIDEODRIVER") in ("offscreen", "dummy"):
        return False
    if os.name == "posix" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        import sys

        return sys.platform == "darwin"
    return True


__all__ = ["Mirror", "MirrorStats", "run_mirror", "render_hud", "can_run_live"]
