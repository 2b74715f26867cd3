"""workout: count reps against the clock, with form feedback (``--exercise``).

Exercises: ``squat``, ``jumping-jack``, ``arm-raise``; counting and form judgement
come from :class:`arpose.input.reps.RepCounter` (a state machine with hysteresis
over a 0..1 progress signal). The round is a series of sets with growing rep goals
(5, 7, 9, ...): finishing a set inside its time limit earns a bonus that grows with
the set number. Every rep scores 10 points, +5 when the form was good. Squats and
jumping jacks need the legs in view; the game says so and pauses instead of
miscounting an upper-body-only view.
"""

from __future__ import annotations

from typing import Any

import pygame

from arpose.input.reps import RepCounter, resolve_exercise
from arpose.play.game import Game
from arpose.play.ui import CYAN, GREEN, INK, ORANGE, WHITE, YELLOW, bar, panel, text

SET_TIME = 25.0
"""Seconds allowed per set for the set bonus."""
FIRST_GOAL, GOAL_STEP = 5, 2

TITLES = {"squat": "Squats", "jumping_jack": "Jumping Jacks", "arm_raise": "Arm Raises"}
HOW = {"squat": "Squat until your thighs are level, then stand up tall",
       "jumping_jack": "Jump your feet apart and clap your hands overhead",
       "arm_raise": "Raise both arms straight up, then lower them"}


class Workout(Game):
    name = "workout"
    title = "Workout"
    description = "Squats, jumping jacks or arm raises against the clock"
    how_to = "Do as many good reps as you can before time runs out"
    duration = 60.0
    colour = CYAN

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self.exercise = resolve_exercise(self.options.exercise)
        self.counter = RepCounter(self.exercise)
        self.how_to = HOW[self.exercise.name]

    def needs_legs_now(self) -> bool:
        return self.exercise.name in ("squat", "jumping_jack")

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

    def update(self, dt: float) -> None:
        app = self.app
        assert app is not None
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
                self.score.add((10 + (5 if ev.good else 0)) * mult, ev.t, "rep", count=ev.count,
                               good=ev.good, depth=round(ev.depth, 3), feedback=ev.feedback)
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
        assert app is not None
        in_time = self.set_time <= SET_TIME
        bonus = 50 * self.set_no if in_time else 0
        if bonus:
            self.score.add(bonus, app.time, "set", set=self.set_no, seconds=round(self.set_time, 2))
            self.flash(f"Set {self.set_no} done! +{bonus}", GREEN, 1.5)
        else:
            self.score.log(app.time, "set", set=self.set_no, seconds=round(self.set_time, 2))
            self.flash(f"Set {self.set_no} done", YELLOW, 1.5)
        app.sounds.play("good")
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
        text(surface, TITLES[self.exercise.name].upper(), (box.centerx, box.y + H * 0.05),
             int(H / 22), CYAN)
        text(surface, str(self.counter.count), (box.centerx, box.y + H * 0.2), int(H / 4), YELLOW)
        text(surface, "REPS", (box.centerx, box.y + H * 0.33), int(H / 20), WHITE)
        text(surface, f"Set {self.set_no}: {self.set_reps}/{self.goal}",
             (box.centerx, box.bottom - H * 0.07), int(H / 22), WHITE)
        set_left = max(SET_TIME - self.set_time, 0.0)
        bar(surface, (box.x + 20, box.bottom - int(H * 0.035), box.width - 40, int(H * 0.02)),
            set_left / SET_TIME, GREEN if set_left > 8 else ORANGE)
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
            text(surface, self.feedback, (W / 2, H * 0.88), int(H / 13),
                 GREEN if self.feedback_good else ORANGE)

    def extra_report(self) -> dict[str, Any]:
        return {"exercise": self.exercise.name.replace("_", "-"), "reps": self.counter.count,
                "good_reps": self.counter.good_count, "sets": self.sets_done,
                "rep_times": [round(e.t, 3) for e in self.counter.reps]}

    def scene_effects(self) -> dict[int | None, tuple[str, ...]]:
        """Sporty shades while training."""
        return {None: ("sunglasses",)}

    def result_lines(self) -> list[str]:
        c = self.counter
        return [f"{TITLES[self.exercise.name]}: {c.count} reps ({c.good_count} with good form)",
                f"Sets completed: {self.sets_done}"]


GAME = Workout
