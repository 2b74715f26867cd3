"""Effects: assets attached to body joints, described in small TOML files.

- :mod:`~arpose.effects.schema`: TOML -> validated frozen dataclasses (:class:`Effect`,
  :class:`Attachment`, :class:`Asset`, :class:`Animation`); the same classes are the
  Python API.
- :mod:`~arpose.effects.assets`: asset kinds (sprite, mesh) by kind or extension.
- :mod:`~arpose.effects.gallery`: effects by name (built-in gallery, ``arpose.effects``
  entry points) or path.
- :mod:`~arpose.effects.loader`: effect -> scene nodes (JointAnchor, Sprite, Mesh, BodyQuad).
- :mod:`~arpose.effects.compose`: :class:`EffectRenderer`, :func:`render_image`,
  :func:`render_source` (what ``arpose render`` and the mirror use).
- :mod:`~arpose.effects.reload`: hot reload by mtime polling.
"""

from __future__ import annotations

from .compose import EffectRenderer, RenderStats, load_effects, render_image, render_source
from .gallery import GALLERY, effect_names
from .gallery import load as load
from .loader import EffectNode, load_assets
from .reload import EffectWatcher, HotReloader
from .schema import Animation, Asset, Attachment, Effect, load_effect

__all__ = ["Effect", "Attachment", "Asset", "Animation", "load_effect", "load", "load_effects",
           "effect_names", "GALLERY", "EffectNode", "load_assets", "EffectRenderer",
           "RenderStats", "render_image", "render_source", "EffectWatcher", "HotReloader"]
