"""pong: hands are paddles; two players, or one player against a simple AI.

Player 1's paddle is on the left edge, player 2's on the right. A paddle follows
the height of its player's higher hand, mapped through the arm's vertical reach
around the shoulders, so a comfortable arm movement covers the whole screen. With one
player, or when only one person is in view when the round starts, the right
paddle is a computer opponent that tracks the ball with a limited speed and a
reaction delay. The ball speeds up with every hit; first to ``POINTS_TO_WIN`` wins.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pygame

from arpose.input.body_view import body_scale
from arpose.joints import joint_index
from arpose.play.clock import lerp
from arpose.play.game import Game
from arpose.play.ui import GREEN, PLAYER_COLOURS, WHITE, YELLOW, text

POINTS_TO_WIN = 7
AI_SPEED = 0.9
"""AI paddle speed in screen heights per second."""
AI_REACTION = 0.12
"""Seconds the AI lags behind the ball."""


class Pong(Game):
    name = "pong"
    title = "Pong"
    description = "Two players (or you vs. the computer), hands are paddles"
    how_to = "Raise a hand and move it up and down to move your paddle"
    duration = 120.0
    colour = GREEN

    def required_slots(self) -> list[int]:
        # vs. the AI only player 1 is needed; in a two-player round both are.
        return [0] if getattr(self, "ai", True) else [0, 1]

    def start(self) -> None:
        app = self.app
        W, H = app.size
        self.ai = True
        self._mode_decided = False
        self.paddle_h = H * 0.2
        self.paddle_w = W * 0.022
        self.xs = (W * 0.05, W * 0.95)
        self.pad = np.array([H / 2, H / 2])
        self.pad_prev = self.pad.copy()
        self.radius = H * 0.022
        self.ball = np.array([W / 2, H / 2])
        self.ball_prev = self.ball.copy()
        self.vel = np.zeros(2)
        self.serve_in = 1.0
        self.serve_dir = 1 if app.rng.random() < 0.5 else -1
        self.hits = 0
        self.rally = 0
        self._ai_seen: list[tuple[float, float]] = []

    def _decide_mode(self) -> None:
        """Two-player only when two players are asked for and both are in view at the
        first step of play; the mode then stays for the whole round."""
        app = self.app
        self._mode_decided = True
        self.ai = self.options.players == 1 or app.player(1) is None
        self.score.log(app.time, "mode", mode="vs-ai" if self.ai else "two-player")

    def _serve(self) -> None:
        app = self.app
        W, H = app.size
        self.ball = np.array([W / 2, H / 2])
        self.ball_prev = self.ball.copy()
        ang = float(app.rng.uniform(-0.5, 0.5))
        speed = W * 0.45
        self.vel = np.array([math.cos(ang) * speed * self.serve_dir, math.sin(ang) * speed])
        self.rally = 0

    def _paddle_target(self, slot: int) -> float | None:
        """Window y for the paddle from the player's higher hand: the arm's vertical
        reach (2 shoulder widths above the shoulders to 1.2 below) spans the window."""
        app = self.app
        pose = app.player(slot)
        if pose is None:
            return None
        su = body_scale(pose)
        names = ("left_wrist", "right_wrist", "left_shoulder", "right_shoulder")
        j = pose.all_joints[[joint_index(n) for n in names]]
        if not math.isfinite(su) or not np.isfinite(j[:, 1]).all():
            return None
        wrists = j[:2][j[:2, 3] >= 0.5]
        if len(wrists) == 0:
            return None
        top = float(wrists[:, 1].min())
        sh = float(j[2:, 1].mean())
        v = (top - (sh - 2.0 * su)) / (3.2 * su)
        return float(np.clip(v, 0.0, 1.0)) * app.size[1]

    def update(self, dt: float) -> None:
        app = self.app
        if not self._mode_decided:
            self._decide_mode()
        W, H = app.size
        self.pad_prev = self.pad.copy()
        self.ball_prev = self.ball.copy()
        half = self.paddle_h / 2
        for slot in (0, 1):
            if slot == 1 and self.ai:
                self._ai_seen.append((self.elapsed, float(self.ball[1])))
                while len(self._ai_seen) > 1 and self._ai_seen[1][0] <= self.elapsed - AI_REACTION:
                    self._ai_seen.pop(0)
                goal = self._ai_seen[0][1] if self.vel[0] > 0 else H / 2
                step = AI_SPEED * H * (1 + 0.1 * self.hits / 4) * dt
                self.pad[1] += float(np.clip(goal - self.pad[1], -step, step))
            else:
                target = self._paddle_target(slot)
                if target is not None:
                    self.pad[slot] = target
            self.pad[slot] = float(np.clip(self.pad[slot], half, H - half))
        if self.serve_in > 0:
            self.serve_in -= dt
            if self.serve_in <= 0:
                self._serve()
            return
        self.ball = self.ball + self.vel * dt
        r = self.radius
        if self.ball[1] < r or self.ball[1] > H - r:
            self.ball[1] = float(np.clip(self.ball[1], r, H - r))
            self.vel[1] *= -1
        for slot, sign in ((0, -1), (1, 1)):
            face = self.xs[slot] - sign * self.paddle_w / 2
            moving_in = self.vel[0] * sign > 0
            crossed = (
                (self.ball_prev[0] + sign * r - face) * sign <= 0 <= (self.ball[0] + sign * r - face) * sign
            )
            if moving_in and crossed and abs(self.ball[1] - self.pad[slot]) <= half + r:
                self.ball[0] = face - sign * r
                off = (self.ball[1] - self.pad[slot]) / half  # -1..1: where it hit
                speed = float(np.linalg.norm(self.vel)) * 1.06  # faster every hit
                speed = min(speed, W * 1.6)
                ang = off * 1.0
                self.vel = np.array([-sign * math.cos(ang) * speed, math.sin(ang) * speed])
                self.hits += 1
                self.rally += 1
                app.sounds.play("hit")
                if slot == 0 or not self.ai:
                    self.score.log(app.time, "hit", player=slot + 1, speed=round(speed / W, 3))
        if self.ball[0] < -r * 2 or self.ball[0] > W + r * 2:
            winner = 1 if self.ball[0] < 0 else 0
            self._point(winner)

    def _point(self, winner: int) -> None:
        app = self.app
        if winner == 1 and self.ai:
            self.score.log(app.time, "point", player=2, rally=self.rally, cpu=True)
        else:
            self.score.add(1, app.time, "point", player=winner, rally=self.rally)
        who = "CPU" if (winner == 1 and self.ai) else f"P{winner + 1}"
        self.flash(f"{who} scores!", PLAYER_COLOURS[winner], 1.2)
        app.sounds.play("point" if winner == 0 or not self.ai else "miss")
        self.serve_dir = -1 if winner == 0 else 1
        self.serve_in = 1.2
        self.vel = np.zeros(2)
        W, H = app.size
        self.ball = np.array([W / 2, H / 2])
        self.ball_prev = self.ball.copy()
        if max(self.points()) >= POINTS_TO_WIN:
            self.end("win")

    @property
    def _cpu(self) -> int:
        return sum(1 for e in self.score.events if e.kind == "point" and e.data.get("cpu"))

    # The score object has one slot per human player; the AI's points live in the log.
    def points(self) -> tuple[int, int]:
        p1 = self.score.points[0]
        p2 = self._cpu if self.ai or len(self.score.points) < 2 else self.score.points[1]
        return p1, p2

    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        W, H = surface.get_size()
        for y in range(0, H, int(H / 18)):  # the net
            pygame.draw.rect(surface, (255, 255, 255), (W // 2 - 3, y, 6, int(H / 36)))
        pad = lerp(self.pad_prev, self.pad, alpha)
        for slot in (0, 1):
            col = (200, 200, 210) if (slot == 1 and self.ai) else PLAYER_COLOURS[slot]
            rect = pygame.Rect(0, 0, int(self.paddle_w), int(self.paddle_h))
            rect.center = (int(self.xs[slot]), int(pad[slot]))
            pygame.draw.rect(surface, (0, 0, 0), rect.move(4, 4), border_radius=8)
            pygame.draw.rect(surface, col, rect, border_radius=8)
            pygame.draw.rect(surface, WHITE, rect, 3, border_radius=8)
        b = lerp(self.ball_prev, self.ball, alpha)
        pygame.draw.circle(surface, (0, 0, 0), (int(b[0]) + 3, int(b[1]) + 3), int(self.radius))
        pygame.draw.circle(surface, YELLOW, (int(b[0]), int(b[1])), int(self.radius))
        pygame.draw.circle(surface, WHITE, (int(b[0]), int(b[1])), int(self.radius), 3)

    def draw_hud(self, surface: pygame.Surface) -> None:
        W, H = surface.get_size()
        p1, p2 = self.points()
        text(surface, str(p1), (W * 0.4, H * 0.06), int(H / 7), PLAYER_COLOURS[0], "midtop")
        text(
            surface,
            str(p2),
            (W * 0.6, H * 0.06),
            int(H / 7),
            (200, 200, 210) if self.ai else PLAYER_COLOURS[1],
            "midtop",
        )
        text(surface, "YOU" if self.ai else "P1", (W * 0.4, H * 0.2), int(H / 24), PLAYER_COLOURS[0])
        text(
            surface,
            "CPU" if self.ai else "P2",
            (W * 0.6, H * 0.2),
            int(H / 24),
            (200, 200, 210) if self.ai else PLAYER_COLOURS[1],
        )
        text(
            surface,
            f"first to {POINTS_TO_WIN}  |  {int(self.time_left + 0.999)} s",
            (W / 2, H * 0.965),
            int(H / 28),
            WHITE,
        )
        if self.pause_button is not None:
            self.pause_button.draw(surface)

    def extra_report(self) -> dict[str, Any]:
        p1, p2 = self.points()
        out: dict[str, Any] = {
            "mode": "vs-ai" if getattr(self, "ai", True) else "two-player",
            "points": [p1, p2],
            "hits": getattr(self, "hits", 0),
        }
        if self.finished:
            out["winner"] = (
                "draw" if p1 == p2 else ("player 1" if p1 > p2 else ("cpu" if self.ai else "player 2"))
            )
        return out

    def result_effects(self) -> dict[int | None, tuple[str, ...]]:
        """The winner wears a crown on the results screen (the CPU wears nothing)."""
        p1, p2 = self.points()
        if p1 > p2:
            return {1: ("crown",)}
        if p2 > p1 and not self.ai:
            return {2: ("crown",)}
        return {}

    def result_lines(self) -> list[str]:
        p1, p2 = self.points()
        if self.ai:
            verdict = "You win!" if p1 > p2 else "The computer wins" if p2 > p1 else "Draw"
            return [f"{verdict}   {p1} : {p2}", f"Paddle hits: {self.hits}"]
        verdict = "Player 1 wins!" if p1 > p2 else "Player 2 wins!" if p2 > p1 else "Draw"
        return [f"{verdict}   {p1} : {p2}", f"Paddle hits: {self.hits}"]


GAME = Pong
