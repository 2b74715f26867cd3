"""Hot reload: edit an effect file (or one of its assets), save, see it on screen.

:class:`EffectWatcher` polls the modification time, size and inode of the effect file and
every asset it uses (no extra dependency, works on every OS and network drive). When
something changed it re-reads and re-validates the effect and decodes its assets; only
when all of that succeeds does the new version replace the old one. A broken edit keeps
the last good effect and exposes the error text (``watcher.error``) for the mirror to
show on screen; fixing the file clears it.

:class:`HotReloader` does that for every file-backed effect an
:class:`~arpose.effects.compose.EffectRenderer` shows. Call :meth:`HotReloader.poll` once
per rendered frame: it is throttled to ``interval`` seconds (default 0.25 s, so a save
shows up well within a second) and costs a few ``stat`` calls.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from ..errors import ArposeError
from .nodes import decode_assets
from .schema import Effect, read_effect_file

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 0.25

Signature = tuple[tuple[str, int, int, int], ...]


def file_signature(paths: tuple[Path, ...] | list[Path]) -> Signature:
    """(path, mtime_ns, size, inode) of each file or folder; missing ones get zeros, so
    deleting or re-creating a file counts as a change too."""
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((str(p), st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            out.append((str(p), 0, -1, 0))
    return tuple(out)


class EffectWatcher:
    """Keeps the last good version of one effect file and reloads it when files change.

    Args:
        effect: the currently shown (good) effect; must have a ``path``.
        assets: its decoded assets (decoded now when None).
        interval: minimum seconds between two looks at the files.

    Attributes:
        effect / assets: the last good version.
        error: one-line message of the last failed reload, None when the files are good.
        version: increments with every successful reload.
    """

    def __init__(
        self, effect: Effect, assets: dict[str, Any] | None = None, *, interval: float = DEFAULT_INTERVAL
    ):
        if effect.path is None:
            raise ValueError(f"effect {effect.name!r} has no file to watch")
        self.path = Path(effect.path)
        self.effect = effect
        self.assets = assets if assets is not None else decode_assets(effect)
        self.interval = float(interval)
        self.error: str | None = None
        self.version = 0
        self._display = self.path.name
        self._files = self._watch_list(effect)
        self._signature = file_signature(self._files)
        self._next = 0.0

    def _watch_list(self, effect: Effect | None) -> list[Path]:
        # the folder too: its mtime changes when a file is created, deleted or renamed
        # (an asset named by a broken edit appears; editors that save by renaming)
        files = [self.path, self.path.parent]
        for f in (effect or self.effect).files():
            if f not in files:
                files.append(f)
        return files

    def check(self, now: float | None = None, *, force: bool = False) -> bool:
        """Look at the files (at most every ``interval`` s); reload when they changed.

        Returns:
            True when a new good version was loaded (``effect``/``assets`` replaced).
        """
        now = time.monotonic() if now is None else now
        if not force and now < self._next:
            return False
        self._next = now + self.interval
        signature = file_signature(self._files)
        if signature == self._signature and not force:
            return False
        self._signature = signature
        try:
            effect = read_effect_file(self.path, display=self._display, sandbox=self.effect.sandbox)
            assets = decode_assets(effect)
        except ArposeError as exc:
            message = str(exc)
            if message != self.error:
                log.warning("reload of %s failed, keeping the last good version: %s", self.path, message)
            self.error = message
            return False
        self.effect, self.assets = effect, assets
        self.error = None
        self.version += 1
        self._files = self._watch_list(effect)
        self._signature = file_signature(self._files)
        log.info("reloaded effect %s (version %d)", self.path, self.version)
        return True


class HotReloader:
    """Hot reload for every file-backed effect an EffectRenderer shows.

    Example (the mirror's loop)::

        reloader = HotReloader(effect_renderer)
        while running:
            reloader.poll()
            effect_renderer.render(frame, flip=True, read=False)
            show(reloader.message)       # None, or the error of a broken edit
    """

    def __init__(self, renderer: Any, *, interval: float = DEFAULT_INTERVAL):
        self.renderer = renderer
        self.interval = float(interval)
        self._watchers: dict[Path, EffectWatcher] = {}
        self._sync()  # baseline now: a save right after this is seen by the first poll

    def _sync(self) -> None:
        shown = {e.path: e for e in self.renderer.effects if e.path is not None}
        for path in list(self._watchers):
            if path not in shown:
                del self._watchers[path]
        for path, effect in shown.items():
            w = self._watchers.get(path)
            if w is None or (w.effect is not effect and w.error is None):
                self._watchers[path] = EffectWatcher(
                    effect, self.renderer.assets_of(effect), interval=self.interval
                )

    def poll(self, now: float | None = None, *, force: bool = False) -> list[Effect]:
        """Reload changed effects into the renderer; returns the effects that changed."""
        self._sync()
        changed = []
        for w in self._watchers.values():
            old = w.effect
            if w.check(now, force=force):
                self.renderer.replace_effect(old, w.effect, assets=w.assets)
                changed.append(w.effect)
        return changed

    @property
    def errors(self) -> dict[Path, str]:
        """Effect file -> error message of its last failed reload."""
        return {p: w.error for p, w in self._watchers.items() if w.error}

    @property
    def message(self) -> str | None:
        """One line for the screen: the first reload error, or None."""
        errs = list(self.errors.values())
        if not errs:
            return None
        more = f" (+{len(errs) - 1} more)" if len(errs) > 1 else ""
        return f"{errs[0]}{more}"


__all__ = ["EffectWatcher", "HotReloader", "file_signature", "DEFAULT_INTERVAL"]
