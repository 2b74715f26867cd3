"""Finding effects by name: the built-in gallery, installed plug-ins, or a file path.

``NAME_OR_PATH`` (what ``--effect`` takes) is, in this order:

1. a path to a ``.toml`` file (anything ending in ``.toml``, or an existing file);
2. the stem of a gallery effect shipped in ``arpose.assets/effects`` (``top-hat``),
   found with :mod:`importlib.resources`, so it works from an installed wheel;
3. the name of an effect another package registers in the entry point group
   ``arpose.effects``. The entry point's object is a path (``str``/``Path``/
   ``importlib.resources`` Traversable) to a ``.toml`` file, an :class:`Effect`, or a
   callable returning either. In the plug-in's ``pyproject.toml``::

       [project.entry-points."arpose.effects"]
       neon-halo = "my_effects:HALO"   # HALO = importlib.resources.files("my_effects") / "halo.toml"

A plug-in's effect file may use assets anywhere inside its own folder.
"""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Iterable
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from ..errors import EffectError
from .schema import Effect, read_effect_file

EffectLike = Effect | str | os.PathLike
"""What every ``effects`` argument takes: a gallery name, a ``.toml`` path or an Effect."""

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "arpose.effects"
GALLERY: tuple[str, ...] = (
    "top-hat",
    "sunglasses",
    "crown",
    "party-hat",
    "clown-nose",
    "costume-shirt",
    "wings",
    "glow-hands",
    "costume-tunic",
    "mannequin",
)
"""The built-in effects, in the order the mirror cycles through them."""


def assets_root() -> Path:
    """The installed ``arpose.assets`` folder (effects/*.toml with effects/sprites/ and
    effects/meshes/)."""
    root = resources.files("arpose.assets")
    if not isinstance(root, Path):  # zip imports: not supported for effect assets
        raise EffectError(
            "arpose.assets is not on the file system (zipped install?); install arpose as a normal wheel"
        )
    return root


def builtin_effects() -> dict[str, Path]:
    """Stem -> path of every ``.toml`` in the packaged gallery, gallery order first."""
    folder = assets_root() / "effects"
    found = {p.stem: p for p in sorted(folder.glob("*.toml"))} if folder.is_dir() else {}
    ordered = {n: found[n] for n in GALLERY if n in found}
    ordered.update({n: p for n, p in found.items() if n not in ordered})
    return ordered


def _entry_points() -> dict[str, Any]:
    try:
        eps = metadata.entry_points(group=ENTRY_POINT_GROUP)
    except Exception as exc:  # broken metadata of some installed package
        log.warning("cannot list %s entry points: %s", ENTRY_POINT_GROUP, exc)
        return {}
    return {ep.name: ep for ep in eps}


def effect_names() -> list[str]:
    """All names ``--effect`` accepts besides paths: the gallery, then plug-ins."""
    names = list(builtin_effects())
    names += [n for n in _entry_points() if n not in names]
    return names


def _from_plugin(name: str, ep: Any) -> Effect:
    try:
        obj = ep.load()
        if callable(obj) and not isinstance(obj, Effect):
            obj = obj()
    except Exception as exc:
        raise EffectError(
            f"effect plug-in {name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}"
        ) from None
    if isinstance(obj, Effect):
        return obj
    if isinstance(obj, (str, os.PathLike)) or hasattr(obj, "joinpath"):
        path = Path(str(obj))
        return read_effect_file(path, display=f"{path.name} (plug-in {name!r})")
    raise EffectError(
        f"effect plug-in {name!r} ({ep.value}) gave a {type(obj).__name__}; "
        f"expected a path to a .toml file or an Effect"
    )


def load_effect(name_or_path: str | os.PathLike | Effect) -> Effect:
    """Load an effect by gallery name, plug-in name or file path (see the module docstring).

    Raises:
        EffectError: unknown name (with the closest names and the list), or an invalid file.
    """
    if isinstance(name_or_path, Effect):
        return name_or_path
    text = str(name_or_path)
    path = Path(text)
    if text.lower().endswith(".toml") or path.is_file() or os.sep in text:
        return read_effect_file(path)
    builtin = builtin_effects()
    if text in builtin:
        return read_effect_file(builtin[text], display=f"{text}.toml (gallery)")
    plugins = _entry_points()
    if text in plugins:
        return _from_plugin(text, plugins[text])
    names = list(builtin) + [n for n in plugins if n not in builtin]
    close = difflib.get_close_matches(text, names, n=2, cutoff=0.5)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise EffectError(
        f"unknown effect {text!r}: not a .toml file and not in the gallery; "
        f"{hint}available: {', '.join(names) or '(none)'}"
    )


def load_effects(effects: EffectLike | Iterable[EffectLike]) -> list[Effect]:
    """Effects from gallery names, file paths or :class:`Effect` objects (one or many)."""
    if isinstance(effects, (str, os.PathLike, Effect)):
        effects = [effects]
    return [load_effect(e) for e in effects]


__all__ = [
    "load_effect",
    "load_effects",
    "EffectLike",
    "effect_names",
    "builtin_effects",
    "assets_root",
    "GALLERY",
    "ENTRY_POINT_GROUP",
]
