"""Effects: assets attached to body joints, described in small TOML files.

- :mod:`~arpose.effects.schema`: TOML -> validated frozen dataclasses (:class:`Effect`,
  :class:`Attachment`, :class:`Asset`, :class:`Animation`); the same classes are the
  Python API. ``read_effect_file`` parses one file.
- :mod:`~arpose.effects.assets`: asset kinds (sprite, mesh) by kind or extension.
- :mod:`~arpose.effects.gallery`: :func:`load_effect`, the one loading verb: a gallery
  name, an ``arpose.effects`` entry point or a ``.toml`` path (:func:`load_effects` for many).
- :mod:`~arpose.effects.nodes`: effect -> scene nodes (JointAnchor, Sprite, Mesh, BodyQuad);
  :func:`decode_assets` decodes an effect's assets into GL-free data.
- :mod:`~arpose.effects.compose`: :class:`EffectRenderer`, what the mirror, the games and
  offline rendering (:mod:`arpose.apps.offline`) draw effects with.
- :mod:`~arpose.effects.reload`: hot reload by mtime polling.
"""

from __future__ import annotations

import warnings
from typing import Any

from .compose import EffectRenderer
from .gallery import GALLERY, EffectLike, effect_names, load_effect, load_effects
from .nodes import EffectNode, decode_assets
from .reload import EffectWatcher, HotReloader
from .schema import Animation, Asset, Attachment, Effect, read_effect_file

_DEPRECATED = {"load": ("load_effect", load_effect), "load_assets": ("decode_assets", decode_assets)}


def __getattr__(name: str) -> Any:
    """0.1.0's names, kept for one release with a DeprecationWarning (see CHANGELOG.md)."""
    if name in _DEPRECATED:
        new, value = _DEPRECATED[name]
        warnings.warn(
            f"arpose.effects.{name} is deprecated: use arpose.effects.{new}", DeprecationWarning, stacklevel=2
        )
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Effect",
    "Attachment",
    "Asset",
    "Animation",
    "EffectLike",
    "load_effect",
    "load_effects",
    "read_effect_file",
    "effect_names",
    "GALLERY",
    "EffectNode",
    "decode_assets",
    "EffectRenderer",
    "EffectWatcher",
    "HotReloader",
]
