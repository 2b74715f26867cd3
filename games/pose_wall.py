"""pose-wall: a wall with a body-shaped hole approaches; strike the pose before it hits.

Targets are arm poses given as the screen direction of each upper arm and forearm
(the view is a mirror, so "your right arm" is on the screen's right). The match is
scored by joint-angle similarity: for each of the four arm segments the angle
between your segment and the target's, mapped linearly to 1 (same direction) ..
0 (90 degrees or more off), averaged. When the wall arrives the best match of the
last ``JUDGE_WINDOW`` seconds counts: >= ``PASS`` passes, otherwise a life is lost.
Walls come faster as the round goes on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pygame

from arpose.input.body_view import body_scale
from arpose.play.game import Game
from arpose.play.ui import GREEN, INK, MAGENTA, ORANGE, RED, WHITE, YELLOW, hearts, panel, text

SEGMENTS = (
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
)
"""The scored segments, in the order of a target's four angles."""

PASS = 0.6
"""Similarity needed to get through the wall."""
JUDGE_WINDOW = 0.4
"""Seconds before the wall arrives during which the best similarity counts."""
LIVES = 3


@dataclass(frozen=True)
class Target:
    """A target pose: screen angles (degrees; 0 = screen right, 90 = down, -90 = up) of
    the user's right upper arm, right forearm, left upper arm, left forearm."""

    name: str
    label: str
    angles: tuple[float, float, float, float]


TARGETS: tuple[Target, ...] = (
    Target("t-pose", "T-pose", (0, 0, 180, 180)),
    Target("y-pose", "Y", (-45, -45, -135, -135)),
    Target("touchdown", "Touchdown", (-90, -90, -90, -90)),
    Target("muscles", "Muscles", (0, -90, 180, -90)),
    Target("right-up", "Right hand up", (-90, -90, 100, 100)),
    Target("left-up", "Left hand up", (80, 80, -90, -90)),
    Target("disco", "Disco", (-45, -45, 135, 135)),
    Target("robot", "Robot", (0, 90, 180, 90)),
)
TARGET_BY_NAME = {t.name: t for t in TARGETS}


def segment_angles(points: np.ndarray) -> np.ndarray:
    """Screen angles (degrees) of the four :data:`SEGMENTS` from ``(8, 2)`` screen points
    ordered as the segments' endpoints."""
    v = points[1::2] - points[0::2]
    return np.degrees(np.arctan2(v[:, 1], v[:, 0]))


def similarity(
    angles: np.ndarray, target: Target, seen: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Overall and per-segment similarity (0..1) of measured angles to a target.

    Unseen segments score 0 (hiding an arm is not a match).
    """
    d = np.abs((angles - np.asarray(target.angles) + 180.0) % 360.0 - 180.0)
    per = np.clip(1.0 - d / 90.0, 0.0, 1.0)
    if seen is not None:
        per = np.where(seen, per, 0.0)
    per = np.nan_to_num(per, nan=0.0)
    return float(per.mean()), per


class PoseWall(Game):
    name = "pose-wall"
    title = "Pose Wall"
    description = "Strike the pose before the wall hits you"
    how_to = "Copy the shape in the wall with your arms before it reaches you"
    duration = 60.0
    colour = MAGENTA

    def start(self) -> None:
        self.lives = int(self.options.extra.get("lives", LIVES))
        seq = self.options.extra.get("sequence")
        self.sequence = [TARGET_BY_NAME[n] for n in seq] if seq else None
        self.walls = 0
        self.passed = 0
        self.best_streak = 0
        self.streak = 0
        self.target: Target | None = None
        self.last_target: Target | None = None
        self.progress = 0.0  # 0 = wall far away, 1 = at the player
        self.approach = 4.0
        self.best = 0.0  # best similarity in the judge window
        self.current = 0.0
        self.per = np.zeros(4)
        self.gap = 0.8  # seconds between walls
        self.result: tuple[str, tuple[int, int, int], float] | None = None
        self._wall_cache: tuple[Any, pygame.Surface] | None = None
        self.similarities: list[float] = []

    def _next_target(self) -> Target:
        if self.sequence:
            return self.sequence[self.walls % len(self.sequence)]
        choices = [t for t in TARGETS if t is not self.last_target]
        return choices[int(self.app.rng.integers(len(choices)))]

    def measure(self) -> tuple[float, np.ndarray] | None:
        """Similarity of player 1's current pose to the target (None: nobody to measure)."""
        app = self.app
        assert self.target is not None
        pose = app.player(0)
        if pose is None:
            return None
        names = tuple(n for seg in SEGMENTS for n in seg)
        pts, vis = app.screen_joints(pose, names)
        seen = (vis[0::2] >= 0.5) & (vis[1::2] >= 0.5)
        return similarity(segment_angles(pts.astype(np.float64)), self.target, seen)

    def update(self, dt: float) -> None:
        app = self.app
        if self.target is None:
            self.gap -= dt
            if self.gap <= 0:
                self.target = self._next_target()
                # Walls speed up: 4.5 s to arrive at the start, 2.2 s at the end.
                level = min(self.elapsed / max(self.length, 1.0), 1.0)
                self.approach = 4.5 - 2.3 * level
                self.progress, self.best = 0.0, 0.0
                self.score.log(app.time, "wall", pose=self.target.name)
            return
        self.progress += dt / self.approach
        m = self.measure()
        if m is not None:
            self.current, self.per = m
            if self.progress >= 1.0 - JUDGE_WINDOW / self.approach:
                self.best = max(self.best, self.current)
        if self.progress >= 1.0:
            self._judge()

    def _judge(self) -> None:
        app = self.app
        assert self.target is not None
        sim = self.best
        self.walls += 1
        self.similarities.append(sim)
        if sim >= PASS:
            self.passed += 1
            self.streak += 1
            self.best_streak = max(self.best_streak, self.streak)
            mult = self.score.hit()
            pts = int(round(100 * sim)) * mult
            label, colour = ("PERFECT!", GREEN) if sim >= 0.85 else ("GOOD", YELLOW)
            self.score.add(pts, app.time, "pass", pose=self.target.name, similarity=round(sim, 3))
            app.sounds.play("good")
            self.flash(f"{label} +{pts}", colour, 1.0)
        else:
            self.streak = 0
            self.score.break_combo()
            self.score.log(app.time, "fail", pose=self.target.name, similarity=round(sim, 3))
            app.sounds.play("bad")
            self.lives -= 1
            self.flash("CRASH!", RED, 1.0)
        self.last_target, self.target = self.target, None
        self.gap = 0.9
        if self.lives <= 0:
            self.end("lives")

    # -- drawing -------------------------------------------------------------------------
    def _silhouette(self, surface_size: tuple[int, int]) -> tuple[np.ndarray, float] | None:
        """Target skeleton points on screen, anchored at the player's shoulders."""
        app = self.app
        assert self.target is not None
        pose = app.player(0)
        W, H = surface_size
        anchored = False
        if pose is not None and app.smap is not None and math.isfinite(body_scale(pose)):
            pts, _ = app.screen_joints(pose, ("right_shoulder", "left_shoulder", "mid_hip"))
            su = app.smap.length(body_scale(pose))
            rs, ls, hip = pts.astype(float)
            # a glitched pose (a body screens wide, or far off screen) would make the
            # wall's hole a circle of a million pixels: draw the centred wall instead
            anchored = su <= 2 * H and bool(np.all(np.abs(pts) < 4 * max(W, H)))
        if not anchored:
            su = H / 7
            rs = np.array([W / 2 + su / 2, H * 0.35])
            ls = np.array([W / 2 - su / 2, H * 0.35])
            hip = np.array([W / 2, H * 0.35 + 1.4 * su])
        out = []
        for start, (a1, a2) in ((rs, self.target.angles[:2]), (ls, self.target.angles[2:])):
            e = start + 0.8 * su * np.array([math.cos(math.radians(a1)), math.sin(math.radians(a1))])
            w = e + 0.7 * su * np.array([math.cos(math.radians(a2)), math.sin(math.radians(a2))])
            out += [start, e, w]
        mid = (rs + ls) / 2
        head = mid + (mid - hip) * 0.45
        out += [hip, head]
        return np.array(out), su

    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        if self.target is None:
            return
        W, H = surface.get_size()
        sil = self._silhouette((W, H))
        if sil is None:
            return
        pts, su = sil
        p = min(self.progress, 1.0)
        scale = 0.25 + 0.75 * p**1.6  # perspective: slow far away, fast close by
        centre = (pts[0] + pts[3]) / 2
        # The wall: a brick panel with the pose-shaped hole, scaled around the shoulders.
        wall = pygame.Surface((W, H), pygame.SRCALPHA)
        brick = (150, 60, 170, int(110 + 120 * p))
        wall.fill(brick)
        bw, bh = int(W / 10), int(H / 12)
        for row in range(0, H // bh + 1):
            off = (row % 2) * bw // 2
            pygame.draw.line(wall, (90, 30, 110, 255), (0, row * bh), (W, row * bh), 3)
            for col in range(-1, W // bw + 2):
                x = col * bw + off
                pygame.draw.line(wall, (90, 30, 110, 255), (x, row * bh), (x, row * bh + bh), 3)
        limb = max(int(su * 0.55), 10)
        hole = (0, 0, 0, 0)
        rs, re, rw, ls, le, lw, hip, head = [tuple(map(int, q)) for q in pts]
        for a, b in ((rs, re), (re, rw), (ls, le), (le, lw), (rs, ls)):
            pygame.draw.line(wall, hole, a, b, limb)
            pygame.draw.circle(wall, hole, b, limb // 2)
        for q in (rs, ls):
            pygame.draw.circle(wall, hole, q, limb // 2)
        torso = [rs, ls, (ls[0], hip[1] + limb), (rs[0], hip[1] + limb)]
        pygame.draw.polygon(wall, hole, torso)
        pygame.draw.rect(
            wall, hole, (min(rs[0], ls[0]) + limb // 4, hip[1], abs(rs[0] - ls[0]) - limb // 2, H)
        )
        pygame.draw.circle(wall, hole, head, int(su * 0.45))
        sw, sh = int(W * scale), int(H * scale)
        small = pygame.transform.scale(wall, (sw, sh))
        cx, cy = int(centre[0]), int(centre[1])
        surface.blit(small, (int(cx - cx * scale), int(cy - cy * scale)))
        # Near the end, outline the target limbs in green/red by the player's match.
        if p > 0.35:
            for i, (a, b) in enumerate(((rs, re), (re, rw), (ls, le), (le, lw))):
                ok = self.per[i] >= 0.7
                a2 = (int(cx + (a[0] - cx) * scale), int(cy + (a[1] - cy) * scale))
                b2 = (int(cx + (b[0] - cx) * scale), int(cy + (b[1] - cy) * scale))
                pygame.draw.line(surface, GREEN if ok else RED, a2, b2, max(4, int(6 * scale)))
        text(surface, self.target.label, (W / 2, H * 0.9), int(H / 12), WHITE)

    def hud(self, surface: pygame.Surface) -> None:
        W, H = surface.get_size()
        box = panel(surface, (16, int(16 + H * 0.16), int(W * 0.24), int(H * 0.16)), INK, 170)
        hearts(surface, box.x + 20, box.y + int(H * 0.045), self.lives, LIVES, int(H * 0.022))
        match = int(round(100 * self.current)) if self.target is not None else 0
        colour = GREEN if self.current >= PASS else ORANGE
        text(surface, f"MATCH {match}%", (box.x + 18, box.bottom - 12), int(H / 20), colour, "bottomleft")

    def extra_report(self) -> dict[str, Any]:
        return {
            "walls": self.walls,
            "passed": self.passed,
            "lives": max(self.lives, 0),
            "similarities": [round(s, 3) for s in self.similarities],
        }

    def scene_effects(self) -> dict[int | None, tuple[str, ...]]:
        """A costume shirt: the body's outline, which the wall is about, stands out."""
        return {None: ("costume-shirt",)}

    def result_lines(self) -> list[str]:
        return [f"Walls passed: {self.passed} of {self.walls}", f"Best streak: {self.best_streak}"]


GAME = PoseWall
