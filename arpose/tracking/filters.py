"""Landmark filters: three per-array filters, selectable by name.

- ``one-euro``: the One-Euro filter (Casiez, Roussel & Vogel, CHI 2012), a low-pass
  filter whose cutoff rises with speed: still joints are smoothed hard, fast ones lightly.
- ``one-euro-lc`` (the default): One-Euro with lag compensation: its output is pushed
  forward by the filter's own delay (the time constant 1/(2 pi cutoff) of the current
  cutoff) along its (smooth) derivative estimate.
- ``kalman``: a constant-velocity Kalman filter per coordinate (white-noise acceleration
  model); no lag on constant-speed motion, a bounded overshoot on a step.

All are driven by real timestamps (variable frame rates are fine) and work in body-size
units: speeds and noise are divided by the body's size (the longer side of its landmark
box), so one set of parameters fits a person near the camera and one far away (as in
MediaPipe's own pose smoothing). :func:`make_filter` makes any of them by name for any
landmark set; :class:`~arpose.tracking.identity.PersonTracker` keeps one per person and
:class:`~arpose.tracking.hands.tracker.HandTracker` one per hand.

The defaults were chosen by measurement: ``tools/tune_smoothing.py`` (ground truth and
real clips, the zero-phase lag metric of :mod:`arpose.metrics`); the README's
"Smoothing" section has the figures.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np

# One-Euro parameters in body sizes (see tools/tune_smoothing.py and the README).
DEFAULT_MIN_CUTOFF = 1.0
DEFAULT_BETA = 1.0
DEFAULT_D_CUTOFF = 1.0


def low_pass_alpha(dt: float, cutoff: np.ndarray | float) -> np.ndarray | float:
    """The smoothing factor of a first-order low-pass at ``cutoff`` Hz for a step of ``dt`` s."""
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class LandmarkFilter(Protocol):
    """What :class:`~arpose.tracking.identity.PersonTracker` needs of a per-array filter."""

    def __call__(
        self, x: np.ndarray, t: float, scale: float = 1.0, weight: np.ndarray | float | None = None
    ) -> np.ndarray: ...

    def reset(self) -> None: ...

    @property
    def velocity(self) -> np.ndarray | None: ...


class OneEuroFilter:
    """A One-Euro filter over an array of any shape, called as ``f(x, t)``.

    Args:
        min_cutoff: cutoff frequency (Hz) at rest; lower = less jitter, more lag when slow.
        beta: how fast the cutoff rises with speed (per unit of normalised speed); higher =
            less lag on fast motion.
        d_cutoff: cutoff (Hz) of the speed estimate.
    """

    def __init__(
        self,
        min_cutoff: float = DEFAULT_MIN_CUTOFF,
        beta: float = DEFAULT_BETA,
        d_cutoff: float = DEFAULT_D_CUTOFF,
    ):
        if not min_cutoff > 0:
            raise ValueError(f"min_cutoff must be > 0, got {min_cutoff}")
        if not beta >= 0:
            raise ValueError(f"beta must be >= 0, got {beta}")
        if not d_cutoff > 0:
            raise ValueError(f"d_cutoff must be > 0, got {d_cutoff}")
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.reset()

    def reset(self) -> None:
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None
        self._cutoff: np.ndarray | float = self.min_cutoff

    @property
    def value(self) -> np.ndarray | None:
        """Last filtered value."""
        return self._x

    @property
    def velocity(self) -> np.ndarray | None:
        """Filtered speed (units per second) of the last update; for extrapolation."""
        return self._dx

    @property
    def delay(self) -> np.ndarray | float:
        """The filter's own delay (s) at its current cutoff: on a constant-speed input a
        first-order low-pass trails by its time constant 1 / (2 pi cutoff)."""
        return 1.0 / (2.0 * math.pi * np.asarray(self._cutoff))

    def __call__(
        self, x: np.ndarray, t: float, scale: float = 1.0, weight: np.ndarray | float | None = None
    ) -> np.ndarray:
        """Filter one sample.

        Args:
            x: the new raw sample (same shape every call).
            t: its timestamp in seconds (0.0 is a valid timestamp).
            scale: divides the speed before it raises the cutoff (e.g. body size in px).
            weight: per-element trust in [0, 1] (broadcastable to ``x``); 0 holds the
                previous value, so an unreliable (low-visibility) sample cannot yank it.
        """
        x = np.asarray(x, np.float64)
        if self._t is None or self._x is None or self._dx is None:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t
            return self._x.copy()
        dt = t - self._t
        if dt <= 0:  # a repeated or out-of-order timestamp: nothing new to learn
            return self._x.copy()
        self._t = t
        w = 1.0 if weight is None else np.asarray(weight, np.float64)
        dx = (x - self._x) / dt
        a_d = low_pass_alpha(dt, self.d_cutoff) * w
        self._dx = self._dx + a_d * (dx - self._dx)
        self._cutoff = self.min_cutoff + self.beta * np.abs(self._dx) / max(scale, 1e-9)
        a = low_pass_alpha(dt, self._cutoff) * w
        self._x = self._x + a * (x - self._x)
        return self._x.copy()


class LagCompensatedOneEuro(OneEuroFilter):
    """One-Euro whose output is predicted forward by the filter's own delay.

    The output is ``x_f + compensation * delay * v_f`` (``x_f``, ``v_f``: the One-Euro
    value and speed, ``delay`` = 1 / (2 pi cutoff)): on steady motion this removes the
    first-order lag; on a step it overshoots by a bounded amount while the speed estimate
    decays (the cutoff is high then, so the delay, and the lead, are short).

    Args:
        min_cutoff, beta, d_cutoff: as :class:`OneEuroFilter`; a low ``d_cutoff`` keeps
            the prediction itself smooth.
        compensation: fraction of the delay predicted away (0 = plain One-Euro).
        max_lead_s: the longest prediction, in seconds.
        clip_to_sample: nonzero keeps the output between the filtered value and the
            newest sample (no overshoot at all on a step, but the raw sample's jitter
            comes back: measured worse, so off by default; the step overshoot without it
            is bounded, see the tests).
    """

    def __init__(
        self,
        min_cutoff: float = DEFAULT_MIN_CUTOFF,
        beta: float = DEFAULT_BETA,
        d_cutoff: float = DEFAULT_D_CUTOFF,
        compensation: float = 1.0,
        max_lead_s: float = 0.2,
        clip_to_sample: float = 0.0,
    ):
        self.clip_to_sample = bool(clip_to_sample)
        if not 0 <= compensation <= 2:
            raise ValueError(f"compensation must be in [0, 2], got {compensation}")
        if not max_lead_s >= 0:
            raise ValueError(f"max_lead_s must be >= 0, got {max_lead_s}")
        self.compensation, self.max_lead_s = compensation, max_lead_s
        super().__init__(min_cutoff, beta, d_cutoff)

    def reset(self) -> None:
        super().reset()
        self._out: np.ndarray | None = None

    @property
    def value(self) -> np.ndarray | None:
        """Last output (the compensated value)."""
        return self._out

    def __call__(
        self, x: np.ndarray, t: float, scale: float = 1.0, weight: np.ndarray | float | None = None
    ) -> np.ndarray:
        x = np.asarray(x, np.float64)
        fresh = self._t is None or t > self._t
        xf = super().__call__(x, t, scale, weight)
        if not fresh and self._out is not None:
            return self._out.copy()
        assert self._dx is not None
        lead = np.minimum(self.compensation * self.delay, self.max_lead_s) * self._dx
        if self.clip_to_sample:  # the prediction stays between the filtered value and the sample
            gap = x - xf
            lead = np.clip(lead, np.minimum(gap, 0.0), np.maximum(gap, 0.0))
        if weight is not None:
            lead = lead * (np.asarray(weight, np.float64) >= 0.5)
        self._out = xf + lead
        return self._out.copy()


class KalmanFilter:
    """Constant-velocity Kalman filter per element (position and speed, white-noise
    acceleration), called as ``f(x, t, scale, weight)`` like :class:`OneEuroFilter`.

    Args:
        noise: measurement noise (standard deviation), in body sizes.
        accel: process noise, the spectral density of the acceleration, in body sizes
            per s^1.5 (higher = follows faster changes, smooths less).
        speed0: standard deviation of the unknown initial speed, in body sizes per second.
    """

    def __init__(self, noise: float = 0.02, accel: float = 1.0, speed0: float = 1.0):
        for name, v in (("noise", noise), ("accel", accel), ("speed0", speed0)):
            if not v > 0:
                raise ValueError(f"{name} must be > 0, got {v}")
        self.noise, self.accel, self.speed0 = noise, accel, speed0
        self.reset()

    def reset(self) -> None:
        self._x: np.ndarray | None = None
        self._v: np.ndarray | None = None
        self._p: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._t: float | None = None

    @property
    def value(self) -> np.ndarray | None:
        return self._x

    @property
    def velocity(self) -> np.ndarray | None:
        """Estimated speed (units per second)."""
        return self._v

    def __call__(
        self, x: np.ndarray, t: float, scale: float = 1.0, weight: np.ndarray | float | None = None
    ) -> np.ndarray:
        x = np.asarray(x, np.float64)
        s = max(scale, 1e-9)
        r = (self.noise * s) ** 2
        if self._t is None or self._x is None or self._v is None or self._p is None:
            self._x, self._v, self._t = x.copy(), np.zeros_like(x), t
            self._p = (np.full_like(x, r), np.zeros_like(x), np.full_like(x, (self.speed0 * s) ** 2))
            return self._x.copy()
        dt = t - self._t
        if dt <= 0:
            return self._x.copy()
        self._t = t
        q = (self.accel * s) ** 2
        p00, p01, p11 = self._p
        # predict
        xp = self._x + self._v * dt
        p00 = p00 + dt * (2 * p01 + dt * p11) + q * dt**3 / 3
        p01 = p01 + dt * p11 + q * dt**2 / 2
        p11 = p11 + q * dt
        # update (weight 0: no measurement, the prediction is held)
        w = np.ones_like(x) if weight is None else np.broadcast_to(np.asarray(weight, np.float64), x.shape)
        seen = w > 0
        r_eff = r / np.maximum(w, 1e-9)
        k0 = np.where(seen, p00 / (p00 + r_eff), 0.0)
        k1 = np.where(seen, p01 / (p00 + r_eff), 0.0)
        y = x - xp
        self._x = xp + k0 * y
        self._v = self._v + k1 * y
        self._p = ((1 - k0) * p00, (1 - k0) * p01, p11 - k1 * p01)
        if not seen.all():  # held elements stay where they were
            self._x = np.where(seen, self._x, xp - self._v * dt)
        return self._x.copy()


# name -> (filter class, default parameters): the methods of PersonTracker and --smoothing.
# Parameters chosen by measurement (tools/tune_smoothing.py; README "Smoothing"): on
# body-size-normalised speeds, each method's best trade-off of jitter and zero-phase lag
# over dance.avi and the exercise clips. (OneEuroFilter's own defaults, 1 Hz and beta 1,
# are kept for direct users such as the cursor, which pass their own parameters.)
METHODS: dict[str, tuple[type, dict[str, float]]] = {
    "one-euro": (OneEuroFilter, {"min_cutoff": 1.0, "beta": 10.0, "d_cutoff": 1.0}),
    "one-euro-lc": (
        LagCompensatedOneEuro,
        {
            "min_cutoff": 1.0,
            "beta": 10.0,
            "d_cutoff": 0.5,
            "compensation": 1.0,
            "max_lead_s": 0.2,
            "clip_to_sample": 0.0,
        },
    ),
    "kalman": (KalmanFilter, {"noise": 0.02, "accel": 1.0, "speed0": 1.0}),
}
DEFAULT_METHOD = "one-euro-lc"  # the measured best (README "Smoothing")
_process_default = [DEFAULT_METHOD]


def set_default_method(method: str) -> None:
    """Make ``method`` the one every :class:`~arpose.tracking.identity.PersonTracker` made
    without a ``method`` uses (the ``--smoothing`` flag of the commands that track sets it once at start)."""
    make_filter(method)  # validates
    _process_default[0] = method


def default_method() -> str:
    """The method a :class:`~arpose.tracking.identity.PersonTracker` without ``method`` uses."""
    return _process_default[0]


def make_filter(method: str = DEFAULT_METHOD, **params: float) -> LandmarkFilter:
    """A fresh per-array filter by method name (see :data:`METHODS`), with the method's
    default parameters overridden by ``params``; e.g. for hand landmarks."""
    if method not in METHODS:
        raise ValueError(f"unknown smoothing method {method!r}; choose from {', '.join(METHODS)}")
    cls, defaults = METHODS[method]
    unknown = set(params) - set(defaults)
    if unknown:
        raise ValueError(
            f"smoothing method {method!r} has no parameter "
            f"{', '.join(sorted(unknown))}; it takes {', '.join(defaults)}"
        )
    filt: LandmarkFilter = cls(**{**defaults, **params})
    return filt
