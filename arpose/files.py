"""Reading the small files users and strangers write (effect files, learned exercises):
every check is done before and while reading, so a FIFO, ``/dev/zero``, a folder or a
huge file gives one line naming it instead of a hang, an exhausted memory or a traceback."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import ArposeError


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _size(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1024:.0f} KB"


def read_small_file(
    path: str | os.PathLike, limit: int, kind: str, error: type[ArposeError], display: str | None = None
) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes (checked by ``stat``
    first, so a huge file is never read, and again while reading, for a file that grows).

    ``kind`` names the file in messages ("effect", "exercise"); ``display`` is the name to
    show (default: the path). Raises ``error`` with one line naming the file."""
    p = Path(path)
    name = display or str(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise error(f"{name}: no such {kind} file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"{name}: is a folder, not {_article(kind)} {kind} file")
    if not stat.S_ISREG(st.st_mode):  # a FIFO blocks, /dev/zero never ends
        raise error(f"{name}: not a regular file")
    if st.st_size > limit:
        over = f"over the {limit // 1024} KB limit for {kind} files"
        raise error(f"{name}: file is {_size(st.st_size)}, {over}")
    try:
        with p.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise error(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:  # grew between stat and read
        raise error(f"{name}: file is over the {limit // 1024} KB limit for {kind} files")
    return data
