"""workout: count reps against the clock, with form feedback (``--exercise``).

Exercises: every built-in of :mod:`arpose.coach` (squat, jumping-jack, arm-raise,
lateral-raise, shoulder-press, push-up, sit-up, lunge, high-knees) and every learned one;
counting and form judgement come from :class:`arpose.coach.RepCounter` (a state machine
with hysteresis over a 0..1 progress signal; every rep counts, form is judged per rep).
With a history (``options.extra["history"]``, the CLI's ``--history``) each rep is saved
to SQLite as it happens, and the results screen compares with the last session.

The round is a series of sets with growing rep goals (5, 7, 9, ...): finishing a set
inside its time limit earns a bonus that grows with the set number. Every rep scores 10
points, +5 when the form was good. Each exercise names the body parts it needs (a squat:
hips, knees and ankles, not the head); the game says so and pauses while they are out of
view instead of miscounting.
"""

from __future__ import annotations

import logging
from typing import Any

import pygame

from arpose.coach import RepCounter, resolve_exercise
from arpose.coach.exercises import Joints
from arpose.coach.history import History
from arpose.errors import HistoryError
from arpose.play.game import Game
from arpose.play.ui import CYAN, GREEN, INK, ORANGE, WHITE, YELLOW, bar, panel, text

log = logging.getLogger(__name__)

SET_TIME = 25.0
"""Seconds allowed per set for the set bonus."""
FIRST_GOAL, GOAL_STEP = 5, 2
PARTS_GRACE = 0.6
"""Seconds the exercise's joints may be out of view before the game pauses."""


class Workout(Game):
    name = "workout"
    title = "Workout"
    description = "Squats, push-ups, jumping jacks and more against the clock"
    how_to = "Do as many good reps as you can before time runs out"
    duration = 60.0
    colour = CYAN

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self.exercise = resolve_exercise(self.options.exercise)
        self.counter = RepCounter(self.exercise)
        self.how_to = self.exercise.how
        self.title_text = self.exercise.title
        self.history_path = (self.options.extra or {}).get("history")
        self.session: Any = None
        self.history_error: str | None = None
        """Why the history did not take this session (the CLI keeps it and says so)."""
        self.last_session: dict[str, Any] | None = None
        self._parts_seen_t: float | None = None

    def needs_legs_now(self) -> bool:
        """False: the exercise's own body parts are checked instead (:meth:`missing`), so a
        squat runs with the head out of the picture and an arm raise without legs."""
        return False

    def missing(self) -> tuple[str, str] | None:
        """Paused when the player is away, or when the joints this exercise needs have been
        out of view for more than ``PARTS_GRACE`` seconds of source time."""
        reason = super().missing()
        if reason is not None:
            return reason
        app = self.app
        pose = app.player(0)
        if self._parts_seen_t is None or (pose is not None and not self.exercise.missing(Joints(pose))):
            self._parts_seen_t = app.time  # (from the first frame when never seen)
        if app.time - self._parts_seen_t > PARTS_GRACE:
            return (
                f"{self.title_text} needs your {self.exercise.parts}",
                "Step back or turn until they are in the picture",
            )
        return None

    def _open_history(self) -> None:
        """Read the last session of this exercise, then start this one (saved per rep)."""
        if not self.history_path:
            return
        try:
            self._history = History(self.history_path)
            before = self._history.sessions(self.exercise.name)
            if before:
                self.last_session = before[-1].as_dict()
            self.session = self._history.start_session(self.exercise.name, game=self.name)
        except HistoryError as exc:
            log.error("workout history not saved: %s", exc)
            self.flash("history not saved", ORANGE, 2.0)
            self.history_error = str(exc)
            self.session = None

    def start(self) -> None:
        self.set_no = 1
        self.goal = FIRST_GOAL
        self.set_reps = 0
        self.set_time = 0.0
        self.sets_done = 0
        self.feedback = ""
        self.feedback_good = True
        self.feedback_age = 99.0
        self._serial = -1
        self._open_history()

    def update(self, dt: float) -> None:
        app = self.app
        self.set_time += dt
        self.feedback_age += dt
        if app.frame_serial == self._serial:
            return
        self._serial = app.frame_serial
        for ev in self.counter.update(app.player(0), app.time):
            if ev.kind == "rep":
                self.set_reps += 1
                mult = self.score.hit() if ev.good else 1
                if not ev.good:
                    self.score.break_combo()
                self.score.add(
                    (10 + (5 if ev.good else 0)) * mult,
                    ev.t,
                    "rep",
                    count=ev.count,
                    good=ev.good,
                    depth=round(ev.depth, 3),
                    feedback=ev.feedback,
                    range=round(ev.range, 3),
                    down=round(ev.down, 3),
                    up=round(ev.up, 3),
                    flags=list(ev.flags),
                    side=ev.side,
                )
                if self.session is not None:
                    self.session.add_rep(ev)
                app.sounds.play("rep" if ev.good else "hit")
                self._say(ev.feedback, ev.good)
                if self.set_reps >= self.goal:
                    self._finish_set()
            elif ev.kind == "attempt":
                self.score.log(ev.t, "attempt", feedback=ev.feedback, depth=round(ev.depth, 3))
                app.sounds.play("miss")
                self._say(ev.feedback, False)

    def _say(self, msg: str, good: bool) -> None:
        self.feedback, self.feedback_good, self.feedback_age = msg, good, 0.0

    def _finish_set(self) -> None:
        app = self.app
        in_time = self.set_time <= SET_TIME
        bonus = 50 * self.set_no if in_time else 0
        if bonus:
            self.score.add(bonus, app.time, "set", set=self.set_no, seconds=round(self.set_time, 2))
            self.flash(f"Set {self.set_no} done! +{bonus}", GREEN, 1.5)
        else:
            self.score.log(app.time, "set", set=self.set_no, seconds=round(self.set_time, 2))
            self.flash(f"Set {self.set_no} done", YELLOW, 1.5)
        app.sounds.play("good")
        if self.session is not None:
            self.session.end_set(self.goal, round(self.set_time, 2))
        self.sets_done += 1
        self.set_no += 1
        self.goal += GOAL_STEP
        self.set_reps = 0
        self.set_time = 0.0

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        W, H = surface.get_size()
        # The big rep counter on the right.
        box = panel(surface, (int(W * 0.74), int(H * 0.2), int(W * 0.24), int(H * 0.5)), INK, 180)
        text(surface, self.title_text.upper(), (box.centerx, box.y + H * 0.05), int(H / 22), CYAN)
        text(surface, str(self.counter.count), (box.centerx, box.y + H * 0.2), int(H / 4), YELLOW)
        text(surface, "REPS", (box.centerx, box.y + H * 0.33), int(H / 20), WHITE)
        text(
            surface,
            f"Set {self.set_no}: {self.set_reps}/{self.goal}",
            (box.centerx, box.bottom - H * 0.07),
            int(H / 22),
            WHITE,
        )
        set_left = max(SET_TIME - self.set_time, 0.0)
        bar(
            surface,
            (box.x + 20, box.bottom - int(H * 0.035), box.width - 40, int(H * 0.02)),
            set_left / SET_TIME,
            GREEN if set_left > 8 else ORANGE,
        )
        # Movement gauge on the left: how far into the rep you are, with the thresholds.
        gx, gy, gw, gh = int(W * 0.03), int(H * 0.3), int(W * 0.035), int(H * 0.5)
        pygame.draw.rect(surface, (30, 30, 45), (gx, gy, gw, gh), border_radius=10)
        p = self.counter.progress if self.counter.status == "ok" else 0.0
        fill = int(gh * min(max(p, 0.0), 1.0))
        col = GREEN if p >= self.exercise.good else YELLOW if p >= self.exercise.enter else CYAN
        if fill > 0:
            pygame.draw.rect(surface, col, (gx, gy + gh - fill, gw, fill), border_radius=10)
        for thr, label in ((self.exercise.enter, "count"), (self.exercise.good, "good")):
            y = gy + gh - int(gh * thr)
            pygame.draw.line(surface, WHITE, (gx - 6, y), (gx + gw + 6, y), 3)
            text(surface, label, (gx + gw + 10, y), int(H / 30), WHITE, "midleft")
        pygame.draw.rect(surface, WHITE, (gx, gy, gw, gh), 2, border_radius=10)
        if self.feedback and self.feedback_age < 2.5:
            text(
                surface,
                self.feedback,
                (W / 2, H * 0.88),
                int(H / 13),
                GREEN if self.feedback_good else ORANGE,
            )

    def extra_report(self) -> dict[str, Any]:
        reps = self.counter.reps
        out: dict[str, Any] = {
            "exercise": self.exercise.name.replace("_", "-"),
            "reps": self.counter.count,
            "good_reps": self.counter.good_count,
            "sets": self.sets_done,
            "rep_times": [round(e.t, 3) for e in reps],
            "rep_ranges": [round(e.range, 3) for e in reps],
            "rep_flags": [list(e.flags) for e in reps],
            "mean_range": round(sum(e.range for e in reps) / len(reps), 3) if reps else None,
        }
        if self.exercise.per_side:
            out["side_reps"] = dict(self.counter.side_counts)
        if self.last_session is not None:
            out["last_session"] = {
                k: self.last_session[k] for k in ("started", "reps", "good_reps", "mean_range")
            }
        return out

    def end(self, reason: str = "over") -> None:
        super().end(reason)
        self._close_session(self.app.report)

    def report(self) -> dict[str, Any]:
        out = super().report()
        if not self.over:  # the source ended first (headless): the session ends here
            self._close_session(out)
        return out

    def _close_session(self, report: dict[str, Any] | None) -> None:
        if self.session is not None:
            self.session.finish(report)
            self.history_error = self.history_error or self.session.failed
            self._history.close()
            self.session = None
        if report is not None and self.history_error:
            report["history_error"] = self.history_error

    def scene_effects(self) -> dict[int | None, tuple[str, ...]]:
        """Sporty shades while training."""
        return {None: ("sunglasses",)}

    def result_lines(self) -> list[str]:
        c = self.counter
        lines = [
            f"{self.title_text}: {c.count} reps ({c.good_count} with good form)",
            f"Sets completed: {self.sets_done}",
        ]
        last = self.last_session
        if last is not None:
            d = c.count - int(last["reps"])
            lines.append(f"Last time: {last['reps']} reps ({d:+d}), {last['good_reps']} good")
        return lines

    def draw_results(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        """The per-rep range as a small bar chart (green = good form), with the last
        session's mean range as a dashed line (called by the results screen)."""
        reps = self.counter.reps
        panel(surface, rect, INK, 170)
        H = surface.get_height()
        text(surface, "range per rep", (rect.x + 10, rect.y + 6), int(H / 32), WHITE, "topleft")
        top, bottom = rect.y + int(H / 32) + 14, rect.bottom - 8
        span = max(bottom - top, 1)
        pygame.draw.line(surface, (120, 120, 140), (rect.x + 8, top), (rect.right - 8, top), 1)
        if reps:
            w = max((rect.width - 16) / len(reps), 2.0)
            for i, ev in enumerate(reps):
                h = int(span * min(max(ev.range, 0.0), 1.0))
                x = int(rect.x + 8 + i * w)
                pygame.draw.rect(
                    surface, GREEN if ev.good else ORANGE, (x + 1, bottom - h, max(int(w) - 2, 1), h)
                )
        last = self.last_session
        if last is not None and last.get("mean_range") is not None:
            y = bottom - int(span * float(last["mean_range"]))
            for x in range(rect.x + 8, rect.right - 8, 14):
                pygame.draw.line(surface, YELLOW, (x, y), (min(x + 7, rect.right - 8), y), 2)
            text(surface, "last session", (rect.right - 10, y - 4), int(H / 36), YELLOW, "bottomright")


GAME = Workout
