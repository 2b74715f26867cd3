"""Speaking words through espeak-ng (offline, about 1 MB: ``apt-get install espeak-ng``).

Each word is spoken by its own ``espeak-ng`` process, started without waiting, so the
reading loop never blocks; a word arriving while the previous one is still spoken waits
for it. Without espeak-ng, :class:`Speaker` raises one clear line.
"""

from __future__ import annotations

import shutil
import subprocess

from ..errors import SignError

INSTALL_HINT = "install it with `sudo apt-get install espeak-ng` (macOS: `brew install espeak-ng`)"


def _voices(exe: str) -> set[str]:
    """The names a voice may be given by: language codes, voice names and files."""
    try:
        out = subprocess.run([exe, "--voices"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise SignError(f"speech: cannot run espeak-ng ({exc})") from exc
    names: set[str] = set()
    for line in out.splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 5:
            names.update(c.casefold() for c in (cols[1], cols[3], cols[4], cols[4].split("/")[-1]))
    return names


class Speaker:
    """Says words with espeak-ng: ``voice`` (``espeak-ng --voices`` lists them, e.g. "en",
    "en-us", "de") and ``rate`` in words per minute."""

    def __init__(self, voice: str = "en", rate: int = 160, *, program: str = "espeak-ng") -> None:
        exe = shutil.which(program)
        if exe is None:
            raise SignError(f"speech: {program} is not installed; {INSTALL_HINT}")
        if not 40 <= int(rate) <= 600:
            raise SignError(f"speech: rate {rate} is out of range (40-600 words per minute)")
        if str(voice).split("+")[0].casefold() not in _voices(exe):
            raise SignError(f"speech: espeak-ng has no voice {voice!r} (`espeak-ng --voices` lists them)")
        self.command = [exe, "-v", str(voice), "-s", str(int(rate))]
        self._proc: subprocess.Popen[bytes] | None = None

    def say(self, text: str, *, wav: str | None = None) -> None:
        """Speak ``text`` (or write it to ``wav``) without blocking."""
        text = text.strip()
        if not text:
            return
        self.wait()
        extra = ["-w", wav] if wav else []
        self._proc = subprocess.Popen(
            [*self.command, *extra, "--", text], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def wait(self) -> None:
        """Wait for the word being spoken; a failure (an unknown voice) is one line."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        _, err = proc.communicate()
        if proc.returncode != 0:
            msg = err.decode("utf-8", "replace").strip().splitlines()
            raise SignError(f"speech: espeak-ng failed: {msg[0] if msg else proc.returncode}")

    def close(self) -> None:
        self.wait()


__all__ = ["Speaker", "INSTALL_HINT"]
