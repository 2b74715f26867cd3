"""spelling: a word appears; fingerspell it in the ASL alphabet, letter by letter.

Letters are read by :mod:`arpose.signs` (the built-in ``asl-letters`` model) and typed by
its debounced spelling buffer: hold each letter steadily until it appears; a sideways
swipe deletes a wrong letter (and a wrong letter also clears itself after a moment). A
word spelled in full scores by its length and speed; a word not finished in time costs
a life. J and Z are movements, so the words avoid them. The game tracks hands by itself.
"""

from __future__ import annotations

from typing import Any

import pygame

from arpose.errors import GameError
from arpose.play.game import Game
from arpose.play.ui import GREEN, INK, RED, WHITE, YELLOW, bar, hearts, panel, text
from arpose.signs.classifier import load_model
from arpose.signs.reader import SignReader

WORDS: tuple[str, ...] = (
    "HI",
    "CAT",
    "SUN",
    "BOX",
    "HELP",
    "WAVE",
    "LOVE",
    "BIRD",
    "FISH",
    "BOOK",
    "MILK",
    "PLAY",
    "SIGN",
    "WORD",
    "HAND",
    "GREAT",
)
"""Words without J and Z (moving letters), shortest first."""
LIVES = 3
WORD_TIME = 25.0
"""Seconds to spell a word (a little less as the round goes on)."""
WRONG_CLEAR = 1.2
"""Seconds a wrong letter stays before it clears itself."""


class Spelling(Game):
    name = "spelling"
    title = "Spelling"
    description = "Fingerspell the word in the ASL alphabet (reads your fingers)"
    how_to = "Hold each letter of the word still until it appears; swipe sideways to delete"
    duration = 120.0
    colour = GREEN
    needs_hands = True

    def start(self) -> None:
        extra = self.options.extra
        words = extra.get("words")
        if words is not None and (
            not isinstance(words, (list, tuple)) or not all(isinstance(w, str) and w.isalpha() for w in words)
        ):
            raise GameError(f"spelling words: a list of words of letters, got {words!r}")
        self.words: list[str] | None = [w.upper() for w in words] if words else None
        self.reader = SignReader(load_model(str(extra.get("model", "asl-letters"))))
        self.lives = int(extra.get("lives", LIVES))
        self.word: str | None = None
        self.shown = 0.0
        self.word_time = WORD_TIME
        self.wrong_for = 0.0
        self.count = 0
        self.spelled: list[str] = []
        self.missed: list[str] = []
        self.letters = 0
        self.mistakes = 0
        self.times: list[float] = []
        self._serial = -1
        self._typed = ""

    # -- play ------------------------------------------------------------------------------
    def _next_word(self) -> str:
        if self.words:
            return self.words[self.count % len(self.words)]
        level = min(self.elapsed / max(self.length, 1.0), 1.0)
        pool = WORDS[: max(4, int(len(WORDS) * (0.4 + 0.6 * level)))]
        choices = [w for w in pool if w not in self.spelled[-3:]]
        return choices[int(self.app.rng.integers(len(choices)))]

    @property
    def typed(self) -> str:
        """The letters typed for the current word."""
        return self._typed

    def update(self, dt: float) -> None:
        app = self.app
        if self.word is None:
            self.word = self._next_word()
            self.shown = 0.0
            self.word_time = WORD_TIME * (1.0 - 0.3 * min(self.elapsed / max(self.length, 1.0), 1.0))
            # a fresh line, but a letter still held from the last word does not type again
            self.reader.spelling.text = ""
            self._typed = ""
            self.score.log(app.time, "word", word=self.word)
        self.shown += dt
        frame = app.frame
        if frame is not None and app.frame_serial != self._serial:
            self._serial = app.frame_serial
            for e in self.reader.update(frame):
                if e.kind == "letter":
                    self.letters += 1
                    self.score.log(app.time, "letter", letter=e.value)
            self._typed = self.reader.spelling.text.replace(" ", "")
        if self._typed and not self.word.startswith(self._typed):
            self.wrong_for += dt
            if self.wrong_for >= WRONG_CLEAR:
                self.mistakes += 1
                self.score.log(app.time, "wrong", typed=self._typed)
                keep = self._typed[:-1]
                self.reader.spelling.text = keep
                self._typed = keep
                self.wrong_for = 0.0
            return
        self.wrong_for = 0.0
        if self._typed == self.word:
            self._spelled()
        elif self.shown >= self.word_time:
            self._timeout()

    def _spelled(self) -> None:
        app = self.app
        assert self.word is not None
        quick = max(0.0, 1.0 - self.shown / self.word_time)
        mult = self.score.hit()
        pts = (40 * len(self.word) + int(round(100 * quick))) * mult
        self.score.add(pts, app.time, "spelled", word=self.word, seconds=round(self.shown, 3))
        self.spelled.append(self.word)
        self.times.append(self.shown)
        app.sounds.play("good")
        self.flash(f"{self.word}! +{pts}", GREEN, 1.0)
        self._next()

    def _timeout(self) -> None:
        app = self.app
        assert self.word is not None
        self.missed.append(self.word)
        self.lives -= 1
        self.score.break_combo()
        self.score.log(app.time, "miss", word=self.word, typed=self._typed)
        app.sounds.play("bad")
        self.flash("TIME!", RED, 1.0)
        self._next()
        if self.lives <= 0:
            self.end("lives")

    def _next(self) -> None:
        self.count += 1
        self.word = None

    # -- drawing -------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, alpha: float) -> None:
        if self.word is None:
            return
        W, H = surface.get_size()
        box = pygame.Rect(0, 0, int(W * 0.42), int(H * 0.2))
        box.midtop = (W // 2, int(H * 0.19))  # under the round timer
        panel(surface, box, INK, 210, radius=24, border=GREEN)
        size = int(H / 9)
        step = size * 0.75
        x0 = box.centerx - step * (len(self.word) - 1) / 2
        for i, ch in enumerate(self.word):
            if i < len(self._typed):
                colour = GREEN if self._typed[i] == ch else RED
                shown = self._typed[i]
            else:
                colour, shown = WHITE, ch
            text(surface, shown, (int(x0 + i * step), box.centery - int(H * 0.015)), size, colour)
        left = max(0.0, 1.0 - self.shown / max(self.word_time, 1e-3))
        bar(surface, (box.x + 20, box.bottom - 22, box.w - 40, 12), left, GREEN if left > 0.35 else YELLOW)

    def hud(self, surface: pygame.Surface) -> None:
        W, H = surface.get_size()
        box = panel(surface, (16, int(16 + H * 0.16), int(W * 0.26), int(H * 0.16)), INK, 170)
        hearts(surface, box.x + 20, box.y + int(H * 0.045), self.lives, LIVES, int(H * 0.022))
        sign = self.reader.last.sign
        now = sign.label if sign is not None and sign.label != "none" else "-"
        text(surface, f"READING: {now}", (box.x + 18, box.bottom - 12), int(H / 24), WHITE, "bottomleft")

    def extra_report(self) -> dict[str, Any]:
        return {
            "words": self.count,
            "spelled": list(self.spelled),
            "missed": list(self.missed),
            "letters": self.letters,
            "mistakes": self.mistakes,
            "lives": max(self.lives, 0),
            "seconds_per_word": [round(t, 3) for t in self.times],
        }

    def result_lines(self) -> list[str]:
        return [
            f"Words spelled: {len(self.spelled)} of {self.count}",
            f"Letters typed: {self.letters} ({self.mistakes} cleared)",
        ]


GAME = Spelling
