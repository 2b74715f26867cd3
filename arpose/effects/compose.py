"""Effects on pictures: one scene of effect nodes drawn by the moderngl renderer.

:class:`EffectRenderer` is what the live mirror, the games and offline rendering
(:mod:`arpose.apps.offline`) all use, so ``arpose render`` writes exactly the frames the
mirror shows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..compat import renamed_keywords
from ..errors import EffectError
from ..pose import PoseFrame
from ..render import Renderer
from ..render.composition import Composition
from ..scene.node import Scene
from .gallery import EffectLike, load_effects
from .nodes import EffectNode, decode_assets
from .schema import Effect

log = logging.getLogger(__name__)


class EffectRenderer:
    """A scene of effects for up to ``max_people`` people, drawn over PoseFrames.

    Args:
        effects: what every person wears (names, paths or :class:`Effect` objects).
        renderer: an :class:`arpose.render.Renderer`; None makes an offscreen one sized
            to the first frame.
        max_people: how many people get their own copy of each effect.
        on_error: ``"raise"`` or ``"placeholder"`` for assets that fail to decode.

    Per-player effects (the mirror lets each person choose): :meth:`set_effects` with
    ``player=N``.
    """

    def __init__(
        self,
        effects: EffectLike | Iterable[EffectLike] = (),
        *,
        renderer: Any = None,
        max_people: int = 2,
        on_error: str = "raise",
    ):
        if max_people < 1:
            raise EffectError(f"max_people must be at least 1, got {max_people}")
        self.max_people = int(max_people)
        self.on_error = on_error
        self.renderer = renderer
        self._owns_renderer = renderer is None
        self.scene = Scene("effects")
        self._by_player: dict[int | None, list[EffectNode]] = {}
        self.set_effects(effects)

    # -- which effects ------------------------------------------------------------------
    @property
    def effects(self) -> list[Effect]:
        """Every distinct effect shown (in order of first appearance)."""
        seen: list[Effect] = []
        for nodes in self._by_player.values():
            for n in nodes:
                if n.effect not in seen:
                    seen.append(n.effect)
        return seen

    def effects_for(self, player: int | None = None) -> list[Effect]:
        """Effects set for ``player`` (None: the ones set for everyone)."""
        return [n.effect for n in self._by_player.get(player, [])]

    def set_effects(self, effects: EffectLike | Iterable[EffectLike], *, player: int | None = None) -> None:
        """Show ``effects`` on everyone (``player=None``) or only on player N (1-based;
        that player then no longer wears the everyone-effects)."""
        loaded = load_effects(effects)
        for node in self._by_player.pop(player, []):
            self.scene.remove(node)
        nodes = [EffectNode(e, players=self._players(player), on_error=self.on_error) for e in loaded]
        for node in nodes:
            self.scene.add(node)
        self._by_player[player] = nodes
        if player is not None:
            self._rebuild_everyone()
        self.scene.refresh()

    def clear_player(self, player: int) -> None:
        """Drop player N's own effects: they wear the everyone-effects again."""
        for node in self._by_player.pop(player, []):
            self.scene.remove(node)
        self._rebuild_everyone()
        self.scene.refresh()

    def _players(self, player: int | None) -> tuple[int, ...]:
        if player is not None:
            if not 1 <= player <= self.max_people:
                raise EffectError(f"player must be 1..{self.max_people}, got {player}")
            return (player,)
        return tuple(p for p in range(1, self.max_people + 1) if p not in self._by_player)

    def _rebuild_everyone(self) -> None:
        nodes = self._by_player.get(None, [])
        players = self._players(None)
        rebuilt = []
        for node in nodes:  # kept even with no players left (per-player mode), for later
            self.scene.remove(node)
            rebuilt.append(EffectNode(node.effect, players=players, assets=node.assets))
            self.scene.add(rebuilt[-1])
        self._by_player[None] = rebuilt

    def assets_of(self, effect: Effect) -> dict[str, Any] | None:
        """The decoded assets of a shown effect (None when it is not shown)."""
        for nodes in self._by_player.values():
            for node in nodes:
                if node.effect is effect:
                    return node.assets
        return None

    def replace_effect(self, old: Effect, new: Effect, assets: dict[str, Any] | None = None) -> bool:
        """Swap every copy of ``old`` for ``new`` (hot reload), keeping its place in the
        draw order. Returns False when ``old`` is not shown. Asset decoding errors raise
        :class:`EffectError` before anything changes."""
        if assets is None and self.assets_of(old) is not None:
            assets = decode_assets(new, on_error=self.on_error)
        found = False
        for nodes in self._by_player.values():
            for i, node in enumerate(nodes):
                if node.effect is old:
                    fresh = EffectNode(new, players=node.players, assets=assets)
                    k = self.scene.children.index(node)
                    self.scene.remove(node)
                    self.scene.add(fresh)
                    self.scene.children.insert(k, self.scene.children.pop())
                    nodes[i] = fresh
                    found = True
        if found:
            self.scene.refresh()
        return found

    # -- drawing ------------------------------------------------------------------------
    def _ensure_renderer(self, size: tuple[int, int]) -> Any:
        if self.renderer is None:
            self.renderer = Renderer.offscreen(size)
        elif self._owns_renderer and tuple(self.renderer.size) != tuple(size):
            self.renderer.release()
            self.renderer = Renderer.offscreen(size)
        return self.renderer

    @renamed_keywords(mirror="flip")
    def render(
        self, frame: PoseFrame, *, flip: bool = False, now: float | None = None, read: bool = True
    ) -> np.ndarray | None:
        """Draw the effects on ``frame`` (its image is the background).

        Returns:
            RGB uint8 (H, W, 3) when ``read``; the mirrored picture when ``flip``.
        """
        renderer = self._ensure_renderer((int(frame.size[0]), int(frame.size[1])))
        return renderer.draw(Composition(frame, self.scene, now=now, flip=flip), read=read)

    @renamed_keywords(mirror="flip")
    def render_onto(
        self,
        frame: PoseFrame,
        image: np.ndarray,
        *,
        flip: bool = False,
        now: float | None = None,
        channels: str = "rgb",
    ) -> np.ndarray:
        """Draw the effects over ``image`` (``frame.image`` as the output shows it:
        flipped when ``flip``, ``channels`` "rgb" or "bgr") in place and return it.

        The same pixels as :meth:`render` at a fraction of the GL work: see
        :meth:`arpose.render.Renderer.draw_onto`. Offline rendering uses it.
        """
        renderer = self._ensure_renderer((int(frame.size[0]), int(frame.size[1])))
        return renderer.draw_onto(
            Composition(frame, self.scene, now=now, flip=flip), image, channels=channels
        )

    def close(self) -> None:
        if self._owns_renderer and self.renderer is not None:
            self.renderer.release()
            self.renderer = None

    def __enter__(self) -> EffectRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["EffectRenderer", "EffectLike", "load_effects"]
