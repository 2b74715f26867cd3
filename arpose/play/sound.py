"""Procedural sound effects (numpy -> pygame.sndarray), silent without an audio device.

No audio files ship with arpose: short blips, swooshes and chords are synthesised
once at start-up. When the mixer cannot open (no sound card, a server with no
audio, ``sound=False``) every :meth:`Sounds.play` is a no-op, so games never
check whether sound works.
"""

from __future__ import annotations

import logging

import numpy as np
import pygame

from ..tracking.tasks import native_stderr_silenced

log = logging.getLogger(__name__)

RATE = 22050


def _env(n: int, attack: float = 0.01, release: float = 0.6) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n, dtype=np.float32)
    a = np.clip(t / max(attack, 1e-4), 0, 1)
    r = np.clip((1.0 - t) / max(release, 1e-4), 0, 1)
    return a * r


def tone(
    freq: float | tuple[float, float], dur: float, *, kind: str = "sine", volume: float = 0.4
) -> np.ndarray:
    """A mono float32 waveform in [-1, 1]; ``freq`` may be a (start, end) sweep."""
    n = max(int(RATE * dur), 1)
    f0, f1 = (freq, freq) if isinstance(freq, (int, float)) else freq
    f = np.linspace(f0, f1, n, dtype=np.float64)
    phase = 2 * np.pi * np.cumsum(f) / RATE
    if kind == "square":
        w = np.sign(np.sin(phase))
    elif kind == "noise":
        w = np.random.default_rng(7).uniform(-1, 1, n)
    elif kind == "saw":
        w = 2 * ((phase / (2 * np.pi)) % 1.0) - 1
    else:
        w = np.sin(phase)
    return (w * _env(n) * volume).astype(np.float32)


def _library() -> dict[str, np.ndarray]:
    def chord(freqs, dur):
        return sum(tone(f, dur, volume=0.25) for f in freqs)

    return {
        "click": tone(880, 0.06, kind="square", volume=0.2),
        "select": np.concatenate([tone(660, 0.07), tone(990, 0.12)]),
        "slice": tone((1800, 300), 0.16, kind="noise", volume=0.35) * 0.6
        + tone((900, 200), 0.16, kind="saw", volume=0.2),
        "bomb": tone((220, 40), 0.6, kind="noise", volume=0.6),
        "miss": tone((400, 180), 0.25, kind="square", volume=0.2),
        "point": np.concatenate([tone(784, 0.08), tone(1046, 0.14)]),
        "hit": tone(520, 0.05, kind="square", volume=0.25),
        "rep": tone(700, 0.09, volume=0.35),
        "good": chord((523, 659, 784), 0.35),
        "bad": chord((220, 233), 0.35),
        "start": np.concatenate([tone(523, 0.1), tone(659, 0.1), tone(784, 0.2)]),
        "end": np.concatenate([tone(784, 0.15), tone(659, 0.15), tone(523, 0.35)]),
        "tick": tone(1200, 0.03, kind="square", volume=0.15),
    }


class Sounds:
    """Named procedural sounds; every method is safe without an audio device."""

    def __init__(self, enabled: bool = True) -> None:
        self._sounds: dict[str, object] = {}
        self.enabled = False
        if not enabled:
            return
        try:
            if not pygame.mixer.get_init():
                # without a sound card libasound prints eight "ALSA lib ..." lines from C;
                # the mixer's own failure is logged below (all of it shown with --debug)
                with native_stderr_silenced(not log.isEnabledFor(logging.DEBUG)):
                    pygame.mixer.init(frequency=RATE, size=-16, channels=1, buffer=512)
            freq, _size, channels = pygame.mixer.get_init()
            for name, wave in _library().items():
                pcm = np.clip(wave, -1, 1)
                if freq != RATE:  # the device chose another rate: resample
                    n = int(len(pcm) * freq / RATE)
                    pcm = np.interp(np.linspace(0, len(pcm) - 1, n), np.arange(len(pcm)), pcm)
                samples = (pcm * 32767).astype(np.int16)
                if channels > 1:
                    samples = np.repeat(samples[:, None], channels, axis=1)
                self._sounds[name] = pygame.sndarray.make_sound(np.ascontiguousarray(samples))
            self.enabled = True
        except Exception as exc:  # no audio device: play silently
            log.info("sound off (%s)", exc)
            self._sounds.clear()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(_library()) if not self._sounds else tuple(self._sounds)

    def play(self, name: str) -> None:
        """Play a sound by name; unknown names and missing audio are ignored quietly."""
        snd = self._sounds.get(name)
        if snd is not None:
            try:
                snd.play()  # type: ignore[attr-defined]
            except Exception as exc:  # pragma: no cover - device vanished
                log.debug("sound %s: %s", name, exc)


__all__ = ["Sounds", "tone", "RATE"]
