"""slicer: fruit flies up, fast hand swipes cut it, bombs must be avoided.

Each hand is a blade. A cut is a ``swipe`` gesture of :mod:`arpose.input.gestures`
(the one swipe logic of arpose: speed, distance, a consistent direction, and its
glitch rule, which also rejects the glide there and back that the smoother makes of
a one-frame teleport) whose path crosses a fruit. Missing a fruit or cutting a bomb
costs a life; spawns get faster and bombs more frequent as the round goes on. The
players' hands glow (the ``glow-hands`` effect).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pygame

from arpose.play.clock import lerp
from arpose.play.game import Game
from arpose.play.ui import INK, ORANGE, RED, WHITE, YELLOW, hearts, panel, text

SWIPE_MAX_AGE = 0.3
"""Seconds a swipe waits for the next play step (swipes during a pause are dropped)."""
TRAIL_SECONDS = 0.18
LIVES = 5

FRUITS = (
    # name, body colour, inner colour
    ("orange", (255, 150, 20), (255, 210, 120)),
    ("apple", (225, 40, 50), (255, 240, 200)),
    ("lime", (120, 210, 40), (220, 255, 170)),
    ("plum", (150, 60, 200), (240, 200, 255)),
    ("lemon", (250, 225, 40), (255, 250, 190)),
)


@dataclass
class Thing:
    """A flying fruit or bomb, in window pixels."""

    kind: str  # a FRUITS name or "bomb"
    pos: np.ndarray
    vel: np.ndarray
    radius: float
    gravity: float
    prev: np.ndarray = field(default_factory=lambda: np.zeros(2))
    spin: float = 0.0
    angle: float = 0.0
    alive: bool = True

    def step(self, dt: float) -> None:
        self.prev = self.pos.copy()
        self.vel[1] += self.gravity * dt
        self.pos = self.pos + self.vel * dt
        self.angle += self.spin * dt


@dataclass
class Piece:
    """Half a fruit, a juice drop or a spark: purely visual, short-lived."""

    pos: np.ndarray
    vel: np.ndarray
    colour: tuple[int, int, int]
    radius: float
    life: float
    half: int = 0  # 0 = particle, +-1 = fruit half (which side)
    angle: float = 0.0


def _seg_dist(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    denom = float(ab @ ab)
    u = 0.0 if denom < 1e-9 else float(np.clip((p - a) @ ab / denom, 0.0, 1.0))
    return float(np.linalg.norm(a + u * ab - p))


class Slicer(Game):
    name = "slicer"
    title = "Slicer"
    description = "Swipe through the fruit, dodge the bombs"
    how_to = "Swipe your hands fast through the fruit - never touch a bomb!"
    duration = 60.0
    colour = ORANGE

    def start(self) -> None:
        self.things: list[Thing] = []
        self.pieces: list[Piece] = []
        self.lives = int(self.options.extra.get("lives", LIVES))
        self.spawn_enabled = bool(self.options.extra.get("spawn", True))
        self.next_spawn = 0.6
        self.sliced = 0
        self.missed = 0
        self.bombs_hit = 0
        self.trails: list[tuple[float, np.ndarray, np.ndarray]] = []
        """Recent cuts (time, start, end) in window pixels: drawn as blade streaks."""
        self._pending: list[Any] = []
        self._serial = -1
        self.swipes = 0

    # -- difficulty ------------------------------------------------------------------------
    @property
    def level(self) -> float:
        """0 at the start, 1 at the end of the round: drives spawn rate and bombs."""
        return min(self.elapsed / max(self.length, 1.0), 1.0)

    def spawn(
        self,
        kind: str | None = None,
        pos: tuple[float, float] | None = None,
        vel: tuple[float, float] | None = None,
        gravity: float | None = None,
    ) -> Thing:
        """Launch a fruit or bomb (random unless given; tests place things exactly)."""
        W, H = self.app.size
        rng = self.app.rng
        if kind is None:
            bomb_p = 0.08 + 0.22 * self.level
            kind = "bomb" if rng.random() < bomb_p else FRUITS[int(rng.integers(len(FRUITS)))][0]
        g = H * 1.2 if gravity is None else gravity
        if pos is None:
            x = float(rng.uniform(W * 0.15, W * 0.85))
            pos = (x, H + H * 0.08)
        if vel is None:
            peak = float(rng.uniform(H * 0.12, H * 0.45))
            vy = -math.sqrt(2 * g * (pos[1] - peak))
            flight = 2 * -vy / g
            vx = float((rng.uniform(W * 0.3, W * 0.7) - pos[0]) / flight)
            vel = (vx, vy)
        thing = Thing(
            kind, np.array(pos, float), np.array(vel, float), H / 15.0, g, spin=float(rng.uniform(-3, 3))
        )
        thing.prev = thing.pos.copy()
        self.things.append(thing)
        return thing

    # -- play ------------------------------------------------------------------------------
    def update(self, dt: float) -> None:
        app = self.app
        if self.spawn_enabled:
            self.next_spawn -= dt
            if self.next_spawn <= 0:
                burst = 1 + int(app.rng.random() < 0.15 + 0.45 * self.level)
                for _ in range(burst):
                    self.spawn()
                self.next_spawn = float(app.rng.uniform(0.8, 1.4)) * (1.1 - 0.65 * self.level)
        for th in self.things:
            th.step(dt)
        if app.frame_serial != self._serial:  # a new tracked frame: cut with its swipes
            self._serial = app.frame_serial
            self._cut(app.time)
        H = app.size[1]
        for th in self.things:
            if th.alive and th.vel[1] > 0 and th.pos[1] - th.radius > H:
                th.alive = False
                if th.kind != "bomb":
                    self.missed += 1
                    self.score.break_combo()
                    self.score.log(app.time, "miss", fruit=th.kind)
                    self.lose_life("Missed!")
        self.things = [th for th in self.things if th.alive]
        for pc in self.pieces:
            pc.vel[1] += H * 1.2 * dt
            pc.pos = pc.pos + pc.vel * dt
            pc.life -= dt
            pc.angle += pc.half * 4 * dt
        self.pieces = [pc for pc in self.pieces if pc.life > 0]

    def lose_life(self, why: str) -> None:
        self.lives -= 1
        self.flash(why, RED, 0.8)
        if self.lives <= 0:
            self.end("lives")

    def on_gesture(self, event: Any) -> bool | None:
        """Swipes of the players' hands (screen coordinates) wait for the next step."""
        if (
            event.name == "swipe"
            and event.start is not None
            and event.end is not None
            and 0 <= event.player < self.options.players
        ):
            self._pending.append(event)
        return None

    def _cut(self, t: float) -> None:
        pending, self._pending = self._pending, []
        self.trails = [tr for tr in self.trails if t - tr[0] < TRAIL_SECONDS]
        for ev in pending:
            if t - ev.t > SWIPE_MAX_AGE:
                continue
            a, b = np.array(ev.start, float), np.array(ev.end, float)
            self.swipes += 1
            self.trails.append((t, a, b))
            for th in self.things:
                if th.alive and min(_seg_dist(th.pos, a, b), _seg_dist(th.prev, a, b)) <= th.radius * 1.1:
                    self._slice(th, a, b, float(ev.speed), int(ev.player))

    def _slice(self, th: Thing, a: np.ndarray, b: np.ndarray, speed: float, slot: int) -> None:
        app = self.app
        th.alive = False
        rng = app.rng
        if th.kind == "bomb":
            self.bombs_hit += 1
            self.score.break_combo()
            self.score.log(app.time, "bomb", player=slot + 1)
            app.sounds.play("bomb")
            for _ in range(24):
                ang = rng.uniform(0, 2 * math.pi)
                v = rng.uniform(200, 700)
                self.pieces.append(
                    Piece(
                        th.pos.copy(),
                        np.array([math.cos(ang) * v, math.sin(ang) * v]),
                        (255, int(rng.integers(120, 230)), 40),
                        th.radius * 0.25,
                        0.6,
                    )
                )
            self.lose_life("BOOM!")
            return
        self.sliced += 1
        mult = self.score.hit()
        self.score.add(
            10 * mult,
            app.time,
            "slice",
            player=slot,
            fruit=th.kind,
            speed=round(float(speed), 2),
            x=round(float(th.pos[0]), 1),
            y=round(float(th.pos[1]), 1),
        )
        if mult > 1 and self.score.combo % 5 == 0:
            self.flash(f"Combo x{mult}!", YELLOW, 1.0)
        app.sounds.play("slice")
        colour, inner = next((c, i) for n, c, i in FRUITS if n == th.kind)
        d = b - a
        d = d / (np.linalg.norm(d) + 1e-9)
        normal = np.array([-d[1], d[0]])
        for half in (-1, 1):
            self.pieces.append(
                Piece(
                    th.pos.copy(),
                    th.vel * 0.3 + normal * half * 160,
                    colour,
                    th.radius,
                    0.9,
                    half,
                    math.degrees(math.atan2(d[1], d[0])),
                )
            )
        for _ in range(14):
            v = d * rng.uniform(100, 500) + rng.normal(0, 180, 2)
            self.pieces.append(
                Piece(
                    th.pos.copy(), v, inner, th.radius * rng.uniform(0.08, 0.2), float(rng.uniform(0.3, 0.7))
                )
            )

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        for th in self.things:
            p = lerp(th.prev, th.pos, alpha)
            self._draw_thing(surface, th, p)
        for pc in self.pieces:
            if pc.half:
                self._draw_half(surface, pc)
            else:
                pygame.draw.circle(
                    surface, pc.colour, (int(pc.pos[0]), int(pc.pos[1])), max(2, int(pc.radius))
                )
        for _t, a, b in self.trails:
            for width, col in ((18, (120, 200, 255)), (8, WHITE)):
                pygame.draw.line(surface, col, tuple(map(int, a)), tuple(map(int, b)), width)

    def scene_effects(self) -> dict[int | None, tuple[str, ...]]:
        return {None: ("glow-hands",)}

    def _draw_thing(self, surface: pygame.Surface, th: Thing, p: np.ndarray) -> None:
        x, y, r = int(p[0]), int(p[1]), int(th.radius)
        if th.kind == "bomb":
            pygame.draw.circle(surface, (25, 25, 30), (x, y), r)
            pygame.draw.circle(surface, (90, 90, 100), (x, y), r, 4)
            pygame.draw.circle(surface, (150, 150, 170), (x - r // 3, y - r // 3), r // 5)
            fx, fy = x + int(r * 0.6), y - int(r * 0.8)
            pygame.draw.line(surface, (160, 120, 60), (x + r // 3, y - r // 2), (fx, fy), 4)
            spark = r // 4 + int(3 * math.sin(self.anim * 30))
            pygame.draw.circle(surface, ORANGE, (fx, fy), max(spark, 3))
            pygame.draw.circle(surface, YELLOW, (fx, fy), max(spark // 2, 2))
            text(surface, "X", (x, y + 2), int(r * 1.1), RED, shadow=False)
            return
        colour, inner = next((c, i) for n, c, i in FRUITS if n == th.kind)
        dark = tuple(int(c * 0.6) for c in colour)
        pygame.draw.circle(surface, dark, (x + 3, y + 4), r)
        pygame.draw.circle(surface, colour, (x, y), r)
        pygame.draw.circle(surface, inner, (x - r // 3, y - r // 3), max(r // 4, 2))
        a = th.angle
        lx, ly = x + int(math.cos(a) * r * 0.2), y - r
        pygame.draw.ellipse(surface, (40, 160, 60), (lx, ly - r // 4, r // 2, r // 4))

    def _draw_half(self, surface: pygame.Surface, pc: Piece) -> None:
        r = int(pc.radius)
        if r < 2:
            return
        half = pygame.Surface((2 * r, 2 * r), pygame.SRCALPHA)
        pygame.draw.circle(half, pc.colour, (r, r), r)
        inner = tuple(min(255, c + 90) for c in pc.colour)
        pygame.draw.circle(half, inner, (r, r), int(r * 0.8))
        cut = pygame.Rect(0, 0 if pc.half > 0 else r, 2 * r, r)
        half.fill((0, 0, 0, 0), cut)
        half = pygame.transform.rotate(half, -pc.angle + pc.half * 10)
        half.set_alpha(int(255 * min(1.0, pc.life / 0.4)))
        surface.blit(half, half.get_rect(center=(int(pc.pos[0]), int(pc.pos[1]))))

    def hud(self, surface: pygame.Surface) -> None:
        W, H = surface.get_size()
        box = panel(surface, (16, int(16 + H * 0.16), int(W * 0.24), int(H * 0.09)), INK, 170)
        hearts(surface, box.x + 20, box.centery, self.lives, LIVES, int(H * 0.024))
        if self.score.combo >= 3:
            text(
                surface,
                f"combo {self.score.combo}",
                (box.right - 14, box.centery),
                int(H / 24),
                YELLOW,
                "midright",
            )

    def extra_report(self) -> dict[str, Any]:
        return {
            "sliced": self.sliced,
            "missed": self.missed,
            "bombs": self.bombs_hit,
            "lives": max(self.lives, 0),
        }

    def result_lines(self) -> list[str]:
        return [
            f"Fruit sliced: {self.sliced}    Missed: {self.missed}",
            f"Bombs hit: {self.bombs_hit}    Best combo: {self.score.best_combo}",
        ]


GAME = Slicer
