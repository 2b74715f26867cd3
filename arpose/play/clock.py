"""Fixed-timestep clock: game logic advances in equal steps, rendering interpolates.

Game physics (flying fruit, a pong ball) must not depend on how fast frames
arrive: a time accumulator hands out fixed steps (arcade's ``on_fixed_update``),
with a catch-up limit so a long stall (a slow first model call, a dragged window)
does not make the game run hundreds of steps at once. ``alpha`` is the fraction of
a step left in the accumulator, for drawing positions between two steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FixedStepClock:
    """Time accumulator handing out fixed steps.

    Args:
        step: seconds per fixed update (default 1/60 s).
        max_steps: most fixed steps run for one :meth:`advance`; extra time is dropped
            (the game slows down instead of freezing to catch up).
    """

    step: float = 1.0 / 60.0
    max_steps: int = 8
    accumulator: float = field(default=0.0, init=False)
    time: float = field(default=0.0, init=False)
    """Total simulated seconds (sum of steps run)."""
    dropped: float = field(default=0.0, init=False)
    """Seconds thrown away by the catch-up limit."""

    def __post_init__(self) -> None:
        if not self.step > 0:
            raise ValueError(f"step must be > 0, got {self.step}")
        if self.max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {self.max_steps}")

    def advance(self, dt: float) -> int:
        """Add ``dt`` seconds of elapsed time; return how many fixed steps to run now."""
        if dt > 0:  # time never runs backwards (a restarted source, a glitch)
            self.accumulator += dt
        n = int(self.accumulator / self.step + 1e-9)
        if n > self.max_steps:
            self.dropped += (n - self.max_steps) * self.step
            self.accumulator -= (n - self.max_steps) * self.step
            n = self.max_steps
        self.accumulator -= n * self.step
        self.accumulator = max(self.accumulator, 0.0)
        self.time += n * self.step
        return n

    @property
    def alpha(self) -> float:
        """Fraction (0..1) of the next step already elapsed: the render interpolation factor."""
        return min(max(self.accumulator / self.step, 0.0), 1.0)


def lerp(a, b, alpha: float):
    """Linear interpolation between the previous and current state (numbers or arrays)."""
    return a + (b - a) * alpha


__all__ = ["FixedStepClock", "lerp"]
