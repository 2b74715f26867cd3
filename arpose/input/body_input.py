"""BodyInput: body-tracked players and high-level input for any pygame program.

A pygame game gets players, hand cursors, gestures and rep counts in a few lines,
without knowing about threads or MediaPipe::

    import arpose, pygame
    pygame.init()
    screen = pygame.display.set_mode((1280, 720))
    body = arpose.BodyInput(source=0, players=2, screen_size=screen.get_size())
    while running:
        for event in pygame.event.get():
            if event.type == arpose.GESTURE and event.gesture == "swipe": ...
            if event.type == arpose.PLAYER and event.change == "left": ...
        body.update()                     # newest PoseFrame -> cursors, gestures, events
        p1 = body.players[0]
        if p1.cursor: pygame.draw.circle(screen, (255, 255, 0), p1.cursor, 12)
    body.close()

``source`` is anything :func:`arpose.tracking.pipeline.track` accepts (camera index, video,
recording); the capture/inference pipeline runs in background threads and
:meth:`BodyInput.update` takes only the newest result (latest-wins, no lag build-up).
Without a source, drive it yourself with :meth:`BodyInput.feed` (recorded or
synthetic PoseFrames, e.g. from :mod:`arpose.testing.bodies`): the same code
path, no threads; that is how games run headless and how the tests work.

Per player (``body.players[i]``, see :class:`~arpose.input.players.Player`):
``state``/``present``, ``pose``, ``cursor`` (screen position or None), ``pointer``
(:class:`HandCursor`), ``hands`` (wrist screen positions), ``gestures``
(:class:`GestureDetector`; ``active_gestures`` for held poses), ``reps``
(:class:`RepCounter` after :meth:`BodyInput.set_exercise`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import Any

from ..coach import RepCounter, RepEvent
from ..compat import renamed_keywords
from ..pose import PoseFrame
from ..scene.screen import ScreenMap
from ..tracking.pipeline import track
from .cursor import HandCursor, ReachBox
from .events import EventPoster
from .gestures import GestureConfig, GestureDetector, GestureEvent
from .handshapes import HandGestureDetector
from .players import ABSENT, PRESENT, Player, PlayerEvent, PlayerSlots

log = logging.getLogger(__name__)

InputEvent = GestureEvent | RepEvent | PlayerEvent


class BodyInput:
    """Players and high-level body input from a pose pipeline or fed PoseFrames.

    Args:
        source: camera index, video/recording path or source object to track (starts
            the pipeline thread now); None to drive with :meth:`feed` only.
        players: number of player slots (1 or 2 typically).
        screen_size: window size in pixels (cursors and screen positions use it).
        flip: the screen shows a mirror view (default True).
        fit: how the camera image fits the screen ("contain", "cover", "stretch"), for
            the image -> screen mapping of hands and swipes.
        hand: cursor hand, "auto"/"left"/"right"; ``landmark``: "wrist" or "index".
        exercise: start a rep counter per player for this exercise.
        post_events: post GESTURE/REP/PLAYER events to the pygame queue.
        gesture_config: gesture thresholds.
        reach: the cursor reach box.
        pipeline: an already built :class:`arpose.tracking.pipeline.Pipeline` to use instead of
            ``source``.
        **track_options: passed to :func:`arpose.tracking.pipeline.track` (``max_people``,
            ``model``, ``realtime``, ``segmentation``, ...).
    """

    @renamed_keywords(mirror="flip")
    def __init__(
        self,
        source: Any = None,
        players: int = 2,
        *,
        screen_size: tuple[int, int] = (1280, 720),
        flip: bool = True,
        fit: str = "contain",
        hand: str = "auto",
        landmark: str = "wrist",
        exercise: str | None = None,
        post_events: bool = True,
        gesture_config: GestureConfig | None = None,
        reach: ReachBox | None = None,
        pipeline: Any = None,
        **track_options: Any,
    ):
        self.slots = PlayerSlots(players, flip=flip)
        self.screen_size = (int(screen_size[0]), int(screen_size[1]))
        self.flip = flip
        self.fit = fit
        ScreenMap((1, 1), self.screen_size, flip, fit)  # validate early
        self.gesture_config = gesture_config or GestureConfig()
        self.poster = EventPoster(post_events)
        self.frame: PoseFrame | None = None
        """The latest PoseFrame fed (image included when the pipeline keeps it)."""
        self.events: list[InputEvent] = []
        """Events of the latest update/feed."""
        self.exercise: str | None = None
        self.hand_gestures: dict[int, Any] = {}
        """Per player slot, a HandGestureDetector (made when that player's hands appear)."""
        for pl in self.slots:
            pl.pointer = HandCursor(self.screen_size, hand=hand, landmark=landmark, box=reach, flip=flip)
            pl.gestures = GestureDetector(self.gesture_config)
        if exercise is not None:
            self.set_exercise(exercise)
        self.pipeline = pipeline
        self._own_pipeline = False
        if pipeline is None and source is not None:
            track_options.setdefault("max_people", max(2, players))
            track_options.setdefault("realtime", True)
            self.pipeline = track(source, **track_options)
            self._own_pipeline = True
        if self.pipeline is not None:
            self.pipeline.start()

    # -- lifecycle -----------------------------------------------------------------
    def close(self) -> None:
        """Stop the pipeline thread (if this BodyInput started it)."""
        if self.pipeline is not None and self._own_pipeline:
            self.pipeline.stop()
        self.pipeline = None

    def __enter__(self) -> BodyInput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def finished(self) -> bool:
        """True when a file source has been fully consumed."""
        return bool(self.pipeline is not None and getattr(self.pipeline, "finished", False))

    # -- players ---------------------------------------------------------------------
    @property
    def players(self) -> list[Player]:
        return self.slots.players

    @property
    def waiting(self) -> bool:
        """True when a game should pause: nobody joined yet or a joined player is absent."""
        return self.slots.waiting

    @property
    def prompt(self) -> str:
        """What to tell the players while :attr:`waiting` ("" when all is well)."""
        joined = self.slots.joined
        if not joined:
            return "step into view"
        absent = [p.number for p in joined if p.state == ABSENT]
        if absent:
            return f"player {absent[0]}: step back into view"
        return ""

    def reset_players(self) -> None:
        """Forget who is who: the next frame picks players afresh (e.g. before a round)."""
        self.slots.reset()
        for pl in self.slots:
            self._reset_input(pl)

    def set_exercise(self, exercise: str | None, **options: Any) -> None:
        """Start counting ``exercise`` ("squat", "jumping-jack", "arm-raise") for every
        player from zero; None stops counting."""
        self.exercise = exercise
        for pl in self.slots:
            pl.reps = RepCounter(exercise, flip=self.flip, **options) if exercise is not None else None

    def set_screen_size(self, size: tuple[int, int]) -> None:
        self.screen_size = (int(size[0]), int(size[1]))
        for pl in self.slots:
            if pl.pointer is not None:
                pl.pointer.set_screen_size(self.screen_size)

    def screen_map(self, frame: PoseFrame | None = None) -> ScreenMap:
        """The image -> screen mapping for ``frame`` (default the latest frame)."""
        frame = frame or self.frame
        size = (
            frame.size if frame is not None and frame.size[0] > 0 and frame.size[1] > 0 else self.screen_size
        )
        return ScreenMap((int(size[0]), int(size[1])), self.screen_size, self.flip, self.fit)

    # -- per frame ---------------------------------------------------------------------
    def update(self, timeout: float | None = 0.0) -> list[InputEvent]:
        """Take the newest PoseFrame from the pipeline (if any) and process it.

        Returns the input events of that frame (also posted to pygame); an empty list
        when no new frame arrived since the last call. Raises the pipeline's error if
        its worker failed.
        """
        if self.pipeline is None:
            self.events = []
            return []
        frame = self.pipeline.latest(timeout)
        if frame is None:
            self.events = []
            return []
        return self.feed(frame)

    def feed(self, frame: PoseFrame, smap: ScreenMap | None = None) -> list[InputEvent]:
        """Process one PoseFrame (from a recording, a test or a game's own loop).

        ``smap`` is the image -> screen mapping of whoever draws (the play shell passes
        its own); default :meth:`screen_map` of this frame."""
        t = float(frame.t)
        if not math.isfinite(t):
            log.debug("ignoring a PoseFrame with timestamp %r", frame.t)
            self.events = []
            return []
        self.frame = frame
        events: list[InputEvent] = list(self.slots.update(frame))
        if smap is None:
            smap = self.screen_map(frame)
        for ev in list(events):
            if isinstance(ev, PlayerEvent) and ev.change in ("joined", "returned"):
                self._reset_input(self.slots[ev.player], keep_reps=ev.change == "returned")
        for pl in self.slots:
            pose = pl.pose
            if pl.state == PRESENT and pose is None:
                continue  # a dropout inside the grace time: hold still
            if pl.state != PRESENT:
                if pl.state == ABSENT and pl.pointer is not None and pl.pointer.active:
                    pl.pointer.update(None, t)
                    events += self._tag(pl, pl.gestures.update(None, t) if pl.gestures else [])
                pl.hands = {"left": None, "right": None}
                continue
            if pl.pointer is not None:
                pl.pointer.update(pose, t)
            pl.hands = self._hands(pose, smap)
            if pl.gestures is not None:
                gev = pl.gestures.update(pose, t)
                events += self._tag(pl, [self._to_screen(e, smap) for e in gev])
            if pl.reps is not None:
                events += self._tag(pl, pl.reps.update(pose, t))
            if pose.hands or pl.slot in self.hand_gestures:
                events += self._tag(
                    pl, [self._to_screen(e, smap) for e in self._hand_gestures(pl.slot).update(pose.hands, t)]
                )
        self.poster.post_all(events)
        self.events = events
        return events

    # -- helpers -------------------------------------------------------------------------
    def _hand_gestures(self, slot: int) -> Any:
        """Hand gestures (pinch, fist, ...) of one player: arpose.input.handshapes."""
        if slot not in self.hand_gestures:
            self.hand_gestures[slot] = HandGestureDetector()
        return self.hand_gestures[slot]

    def _reset_input(self, pl: Player, keep_reps: bool = False) -> None:
        if pl.pointer is not None:
            pl.pointer.reset()
        if pl.gestures is not None:
            pl.gestures.reset()
        if pl.reps is not None and not keep_reps:
            pl.reps.reset()

    @staticmethod
    def _tag(pl: Player, events: list[Any]) -> list[Any]:
        return [dataclasses.replace(e, player=pl.slot) for e in events]

    @staticmethod
    def _to_screen(ev: GestureEvent, smap: ScreenMap) -> GestureEvent:
        if ev.start is None and ev.end is not None:  # hand gestures: one point
            e = smap.to_screen(ev.end)
            return dataclasses.replace(ev, end=(float(e[0]), float(e[1])))
        if ev.start is None or ev.end is None:
            return ev
        s, e = smap.to_screen(ev.start), smap.to_screen(ev.end)
        return dataclasses.replace(ev, start=(float(s[0]), float(s[1])), end=(float(e[0]), float(e[1])))

    @staticmethod
    def _hands(pose: Any, smap: ScreenMap) -> dict[str, tuple[float, float] | None]:
        out: dict[str, tuple[float, float] | None] = {}
        for side in ("left", "right"):
            j = pose.joint(f"{side}_wrist")
            if j[3] >= 0.5 and math.isfinite(float(j[0])) and math.isfinite(float(j[1])):
                p = smap.to_screen(j[:2])
                out[side] = (float(p[0]), float(p[1]))
            else:
                out[side] = None
        return out


__all__ = ["BodyInput", "InputEvent"]
