"""The live selfie mirror: camera in, effects on every person, a window out.

The mirror is a view (:class:`Mirror`) of the play shell (:class:`arpose.play.PlayApp`):
the shell owns the window, the GL context, the Renderer, the ScreenMap, the effects and
their hot reload; the view chooses the effects and draws its HUD. Threads: the
pipeline's workers own the camera and the model; the main thread owns the window. Each
loop iteration takes the newest PoseFrame if there is one, feeds gestures, polls hot
reload and draws when there is something new (anchors extrapolate between results).

Controls: Left/Right arrows or raising one hand above the head (right hand: next, left
hand: previous) cycle through the gallery; Space toggles the skeleton; M toggles
mirroring; P switches per-player mode (each person picks their own effect with their own
hand); Esc or closing the window quits. Hot-reload errors appear in a red bar.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pygame

from ..compat import renamed_keywords
from ..effects import EffectLike, gallery, load_effects
from ..effects.nodes import needs_hands
from ..effects.schema import Effect
from ..errors import ArposeError
from ..input.gestures import GestureEvent
from ..play.app import PlayApp
from ..play.options import PlayOptions
from ..play.runner import run_view_headless, run_window
from ..play.view import View
from ..signs.data import write_samples
from ..signs.reader import SignReader
from ..tracking.pipeline import track

log = logging.getLogger(__name__)

MIRROR_IDLE_FPS = 4.0
"""Mirror redraws per second while no tracking result arrives. The picture (camera and
pose) only changes with a result, so each one is drawn once; redrawing the same pose at
full cost on a CPU-bound machine only takes cores from tracking (issue 11)."""


@dataclass
class MirrorStats:
    """What a mirror session did (for tests and the exit line)."""

    frames_drawn: int = 0
    pose_frames: int = 0
    seconds: float = 0.0
    switches: list[str] = field(default_factory=list)
    """Effect names switched to, in order (e.g. "crown", "2:wings" in per-player mode)."""
    text: str = ""
    """The text fingerspelled (with ``signs``)."""
    samples: int = 0
    """Hand samples stored (with ``record_signs``)."""


class Mirror(View):
    """The mirror: a view of the play shell (:class:`arpose.play.PlayApp`) whose scene
    effects are the chosen gallery effects; the shell draws the camera, the effects,
    the skeletons and this view's HUD through its one Renderer.

    Args:
        effects: initial effects (names/paths/Effect); None = the gallery's first.
        cycle: the names the keys/gestures cycle through (default: every gallery effect).
        max_people: people who each get their own copy (1 or 2 player slots).
        per_player: each person chooses their own effect.
    """

    dress = "people"
    """Everyone tracked wears the shared effect; in per-player mode the player slots do
    (see :meth:`toggle_per_player`)."""

    def __init__(
        self,
        effects: Iterable[EffectLike] | None = None,
        *,
        cycle: Sequence[str] | None = None,
        max_people: int = 2,
        per_player: bool = False,
        signs: SignReader | None = None,
        record_signs: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.signs = signs
        self.record_signs = record_signs
        """(label, sample CSV): every tracked hand is stored as a sample of ``label`` while
        :attr:`recording` (R toggles it)."""
        self.recording = record_signs is not None
        self._sign_serial = 0
        self._record_serial = 0
        self._sign_bar: tuple[str, pygame.Surface] | None = None
        self.cycle = list(cycle) if cycle is not None else gallery.effect_names()
        initial = list(effects) if effects else self.cycle[:1]
        self.loaded = load_effects(initial)  # a bad effect named on the command line fails here
        self.max_people = max(1, min(int(max_people), 2))
        self.per_player = False
        self.stats = MirrorStats()
        self._initial: tuple[EffectLike, ...] = tuple(initial)
        self._choice: dict[int | None, tuple[EffectLike, ...]] = {None: self._initial}
        self._index: dict[int | None, int] = {None: self._index_of(initial[0]) if initial else 0}
        self._hud: tuple[tuple[str, str | None], pygame.Surface] | None = None
        if per_player:
            self.toggle_per_player()

    def _index_of(self, effect: EffectLike) -> int:
        name = effect.name if isinstance(effect, Effect) else str(effect)
        return self.cycle.index(name) if name in self.cycle else -1

    # -- what the shell draws ---------------------------------------------------------------
    def scene_effects(self) -> dict[int | None, tuple[EffectLike, ...]]:  # type: ignore[override]
        if self.per_player:
            return {
                None: (),
                **{p: self._choice.get(p, self._choice[None]) for p in range(1, self.max_people + 1)},
            }
        return {None: self._choice[None]}

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
                load_effects([self.cycle[i]])
            except ArposeError as exc:
                log.error("skipping effect %s: %s", self.cycle[i], exc)
                continue
            self._index[key] = i
            self._choice[key] = (self.cycle[i],)
            self.stats.switches.append(self.cycle[i] if key is None else f"{key}:{self.cycle[i]}")
            return

    def toggle_per_player(self) -> None:
        """Everyone wears the same effect <-> each player chooses their own.

        Per player, the player slots wear the effects: the effect a player chose with
        their own raised hand (a slot's gesture) stays on that player when the tracker
        lists people in another order."""
        self.per_player = not self.per_player
        self.dress = "players" if self.per_player else "people"
        current = self._index.get(None, 0)
        for p in range(1, self.max_people + 1):
            if self.per_player:
                self._index[p] = current
                self._choice[p] = self._choice[None]
            else:
                self._index.pop(p, None)
                self._choice.pop(p, None)

    def on_key(self, key: int) -> bool | None:
        app = self.app
        if key == pygame.K_ESCAPE:
            app.quit()
        elif key == pygame.K_RIGHT:
            self.next_effect(+1, player=1)
        elif key == pygame.K_LEFT:
            self.next_effect(-1, player=1)
        elif key == pygame.K_SPACE:
            app.options.skeleton = not app.options.skeleton
        elif key == pygame.K_m:
            app.set_flip(not app.flip)
        elif key == pygame.K_p:
            self.toggle_per_player()
        elif key == pygame.K_r and self.record_signs is not None:
            self.recording = not self.recording
        else:
            return None
        return True

    @property
    def skeleton(self) -> bool:
        return self.app.options.skeleton

    def on_gesture(self, event: GestureEvent) -> bool | None:
        """A hand raised above the head: right hand next, left hand previous."""
        if event.name == "hand_up" and event.phase == "start":
            self.next_effect(+1 if event.side == "right" else -1, player=event.player + 1)
            return True
        return None

    def on_update(self, dt: float) -> None:
        self.stats.pose_frames = self.app.frame_serial  # the fed (tracked) frames
        frame = self.app.frame
        if self.signs is not None and frame is not None and self.app.frame_serial != self._sign_serial:
            self._sign_serial = self.app.frame_serial
            self.signs.update(frame)
            self.stats.text = self.signs.text
        if (
            self.record_signs is not None
            and frame is not None
            and self.app.frame_serial != self._record_serial
        ):
            self._record_serial = self.app.frame_serial
            if self.recording and frame.hands:
                label, path = self.record_signs
                self.stats.samples += write_samples(path, label, [(h.side, h.landmarks) for h in frame.hands])

    def sign_line(self) -> str:
        """The bottom line: the text so far and the letter being read (``signs``), or the
        samples stored (``record_signs``)."""
        if self.record_signs is not None:
            state = "recording" if self.recording else "paused (R: record)"
            return f"{self.record_signs[0]}: {self.stats.samples} samples, {state}"
        if self.signs is None:
            return ""
        sign = self.signs.last.sign
        now = f"   [{sign.label} {sign.confidence:.2f}]" if sign is not None and sign.label != "none" else ""
        return f"{self.signs.text}_{now}"

    def hud_lines(self) -> tuple[str, str | None]:
        """Top line (effect names, hints) and the error line (or None)."""
        app = self.app
        worn = {
            p: app.worn_effects(p) for p in (range(1, self.max_people + 1) if self.per_player else (None,))
        }
        if any(names is None for names in worn.values()):  # not drawn yet
            names = "-"
        elif self.per_player:
            names = " | ".join(f"P{p}: {', '.join(fx or ()) or '-'}" for p, fx in worn.items())
        else:
            names = ", ".join(worn[None] or ())
        top = f"{names or '-'}   (<- -> or raise a hand: change   P: per player   Esc: quit)"
        return top, app.reload_message

    def on_draw(self, surface: pygame.Surface, alpha: float) -> None:
        self.stats.frames_drawn += 1
        text = self.hud_lines()
        if self._hud is None or self._hud[0] != text or self._hud[1].get_size() != surface.get_size():
            self._hud = (text, hud_surface(surface.get_size(), *text))
        surface.blit(self._hud[1], (0, 0))
        if self.signs is not None or self.record_signs is not None:
            line = self.sign_line()
            if self._sign_bar is None or self._sign_bar[0] != line:
                self._sign_bar = (line, sign_bar(surface.get_size(), line))
            bar = self._sign_bar[1]
            surface.blit(bar, (0, surface.get_height() - bar.get_height()))


def sign_bar(size: tuple[int, int], text: str) -> pygame.Surface:
    """The fingerspelled text as a translucent bar in large letters (the mirror's bottom)."""
    if not pygame.font.get_init():
        pygame.font.init()
    w, h = int(size[0]), int(size[1])
    font = pygame.font.Font(None, max(28, h // 9))
    label = font.render(text, True, (255, 255, 255))
    bar = pygame.Surface((w, label.get_height() + 24), pygame.SRCALPHA)
    bar.fill((0, 0, 0, 160))
    bar.blit(label, (20, 12))
    return bar


def render_hud(size: tuple[int, int], top: str, error: str | None) -> np.ndarray:
    """An RGBA overlay (output size): a translucent top bar with ``top`` and, when there
    is one, a red bottom bar with the error text (wrapped)."""
    surf = hud_surface(size, top, error)
    w, h = int(size[0]), int(size[1])
    rgba = pygame.image.tobytes(surf, "RGBA")
    return np.frombuffer(rgba, np.uint8).reshape(h, w, 4)


def hud_surface(size: tuple[int, int], top: str, error: str | None) -> pygame.Surface:
    """The mirror's HUD as a transparent pygame Surface (see :func:`render_hud`)."""
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
    return surf


@renamed_keywords(mirror="flip")
def run_mirror(
    effects: Iterable[EffectLike] | None = None,
    source: Any = 0,
    *,
    size: tuple[int, int] | None = None,
    max_people: int | None = None,
    flip: bool = True,
    per_player: bool = False,
    model: str | None = None,
    max_frames: int | None = None,
    max_seconds: float | None = None,
    headless: bool = False,
    video: str | os.PathLike | None = None,
    hands: bool = False,
    signs: str | None = None,
    record_signs: tuple[str, str] | None = None,
) -> MirrorStats:
    """Open the mirror on ``source`` (camera index, video, image, recording) in the play
    shell's window and run until Esc/close (or ``max_frames`` drawn / ``max_seconds``).

    ``headless`` (implied by ``video``): no window; every tracked frame of a file source
    is drawn offscreen, and written to ``video`` when given.
    ``hands`` tracks hands; they also switch on by themselves when an effect named at the
    start uses a finger joint.
    ``signs`` (a sign model: ``"asl-letters"`` or a file) reads fingerspelling and shows
    the text at the bottom (``stats.text``); it tracks hands.
    ``record_signs`` = (label, sample CSV) stores every tracked hand as a sign sample
    (R pauses and resumes; ``arpose signs train`` reads the CSV).

    Raises:
        ArposeError: camera/model/GL problems and bad effects named on the command line.
    """
    # tracking takes the source's default (arpose.tracking.pipeline.default_max_people:
    # the same people as `arpose detect` and `arpose render`); player slots stay 1 or 2
    reader = SignReader(signs) if signs else None
    view = Mirror(
        effects, max_people=max_people or 2, per_player=per_player, signs=reader, record_signs=record_signs
    )  # fails early
    headless = headless or video is not None
    options = PlayOptions(players=view.max_people, sound=False, skeleton=False, dim=1.0)
    pipeline = track(
        source,
        max_people=max_people,
        model=model,
        segmentation=True,
        realtime=not headless,
        hands=hands or reader is not None or record_signs is not None or needs_hands(view.loaded),
    )
    options.dressed = getattr(pipeline.tracker, "max_people", None)
    start = time.monotonic()
    with pipeline:
        first = pipeline.latest(timeout=10.0) if not headless else None
        win_size = size or (
            (int(first.size[0]), int(first.size[1]))
            if first is not None
            else _source_size(pipeline, (1280, 720))
        )

        def stop_after(app: PlayApp) -> None:
            if max_frames is not None and app.stats["draws"] >= max_frames:
                app.quit()

        if headless:
            fps = float(getattr(pipeline.source, "fps", 0) or 30.0)
            run_view_headless(
                view, pipeline, options, size=win_size, video=video, fps=fps, flip=flip, max_frames=max_frames
            )
        else:
            run_window(
                pipeline,
                None,
                options,
                size=win_size,
                fps=60.0,
                idle_fps=MIRROR_IDLE_FPS,
                view=view,
                max_seconds=max_seconds,
                loop=stop_after,
                flip=flip,
                first=first,
                title="arpose mirror",
            )
    view.stats.seconds = time.monotonic() - start
    if reader is not None:
        reader.finish(reader.last.t)
        view.stats.text = reader.text
    return view.stats


def _source_size(pipeline: Any, default: tuple[int, int]) -> tuple[int, int]:
    size = getattr(pipeline.source, "size", None)
    if size and size[0] > 0 and size[1] > 0:
        return int(size[0]), int(size[1])
    return default


def can_run_live() -> bool:
    """True when a display is likely available (used to choose mirror vs. photo demo)."""
    if os.environ.get("SDL_VIDEODRIVER") in ("offscreen", "dummy"):
        return False
    if os.name == "posix" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return sys.platform == "darwin"
    return True


__all__ = ["Mirror", "MirrorStats", "run_mirror", "render_hud", "hud_surface", "sign_bar", "can_run_live"]
