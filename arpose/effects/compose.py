"""Effects on pictures: one scene of effect nodes drawn by the moderngl renderer.

:class:`EffectRenderer` is what both the live mirror and offline rendering use, so
``arpose render`` writes exactly the frames the mirror shows. :func:`render_image` is the
one-call API (the bare ``arpose`` command's fallback); :func:`render_source` renders a
photo or a video file to a PNG/JPG/MP4, with tracking in the pipeline's worker thread and
GL rendering in this thread, overlapped.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EffectError, RenderError
from ..pose import PoseFrame
from ..render.composition import Composition
from ..scene.node import Scene
from ..tracking.stage import TrackingStage
from . import gallery
from .loader import EffectNode, needs_hands, needs_mask
from .schema import Effect

log = logging.getLogger(__name__)

IMAGE_OUTPUTS = (".png", ".jpg", ".jpeg")
_QUEUE_FRAMES = 6
"""Frames each hand-off of offline rendering holds (tracking in, encoding out)."""
VIDEO_OUTPUTS = {".mp4": "mp4v", ".avi": "MJPG"}

EffectLike = Effect | str | os.PathLike


def load_effects(effects: EffectLike | Iterable[EffectLike]) -> list[Effect]:
    """Effects from gallery names, file paths or :class:`Effect` objects (one or many)."""
    if isinstance(effects, (str, os.PathLike, Effect)):
        effects = [effects]
    return [gallery.load(e) for e in effects]


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

    def __init__(self, effects: EffectLike | Iterable[EffectLike] = (), *,
                 renderer: Any = None, max_people: int = 2, on_error: str = "raise"):
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

    def set_effects(self, effects: EffectLike | Iterable[EffectLike], *,
                    player: int | None = None) -> None:
        """Show ``effects`` on everyone (``player=None``) or only on player N (1-based;
        that player then no longer wears the everyone-effects)."""
        loaded = load_effects(effects)
        for node in self._by_player.pop(player, []):
            self.scene.remove(node)
        nodes = [EffectNode(e, players=self._players(player), on_error=self.on_error)
                 for e in loaded]
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

    def replace_effect(self, old: Effect, new: Effect,
                       assets: dict[str, Any] | None = None) -> bool:
        """Swap every copy of ``old`` for ``new`` (hot reload), keeping its place in the
        draw order. Returns False when ``old`` is not shown. Asset decoding errors raise
        :class:`EffectError` before anything changes."""
        if assets is None and self.assets_of(old) is not None:
            from .loader import load_assets

            assets = load_assets(new, on_error=self.on_error)
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
            from ..render import Renderer

            self.renderer = Renderer.offscreen(size)
        elif self._owns_renderer and tuple(self.renderer.size) != tuple(size):
            self.renderer.release()
            from ..render import Renderer

            self.renderer = Renderer.offscreen(size)
        return self.renderer

    def render(self, frame: PoseFrame, *, mirror: bool = False, now: float | None = None,
               read: bool = True) -> np.ndarray | None:
        """Draw the effects on ``frame`` (its image is the background).

        Returns:
            RGB uint8 (H, W, 3) when ``read``; the mirrored picture when ``mirror``.
        """
        renderer = self._ensure_renderer((int(frame.size[0]), int(frame.size[1])))
        return renderer.draw(Composition(frame, self.scene, now=now, mirror=mirror), read=read)

    def render_onto(self, frame: PoseFrame, image: np.ndarray, *, mirror: bool = False,
                    now: float | None = None, channels: str = "rgb") -> np.ndarray:
        """Draw the effects over ``image`` (``frame.image`` as the output shows it:
        flipped when ``mirror``, ``channels`` "rgb" or "bgr") in place and return it.

        The same pixels as :meth:`render` at a fraction of the GL work: see
        :meth:`arpose.render.Renderer.draw_onto`. Offline rendering uses it.
        """
        renderer = self._ensure_renderer((int(frame.size[0]), int(frame.size[1])))
        return renderer.draw_onto(Composition(frame, self.scene, now=now, mirror=mirror),
                                  image, channels=channels)

    def close(self) -> None:
        if self._owns_renderer and self.renderer is not None:
            self.renderer.release()
            self.renderer = None

    def __enter__(self) -> EffectRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _detect(image: np.ndarray, segmentation: bool, max_people: int,
            hands: bool = False) -> PoseFrame:
    return TrackingStage.photo(image, max_people=max_people, segmentation=segmentation,
                               hands=hands)


def render_image(effects: EffectLike | Iterable[EffectLike], image_rgb: np.ndarray,
                 pose_frame: PoseFrame | None = None, *, mirror: bool = False,
                 max_people: int = 2) -> np.ndarray:
    """Draw ``effects`` on one RGB photo and return the RGB result.

    Args:
        effects: gallery names (``"top-hat"``), ``.toml`` paths or :class:`Effect` objects.
        image_rgb: (H, W, 3) uint8.
        pose_frame: the poses to use; None runs the tracker on the photo (with the
            segmentation mask when an effect needs it).
        mirror: return the selfie view (flipped; left/right content stays on the user's
            own sides).

    Raises:
        EffectError: bad effect name/file; other ArposeErrors from tracking/rendering.
    """
    image = np.ascontiguousarray(image_rgb)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise RenderError(f"render_image needs an RGB uint8 (H, W, 3) image, got "
                          f"{image.dtype} {image.shape}")
    loaded = load_effects(effects)
    if pose_frame is not None and not pose_frame.hands_tracked and needs_hands(loaded):
        log.warning("an effect uses finger joints but this PoseFrame was tracked without "
                    "hands: track(..., hands=True) or pass pose_frame=None")
    if pose_frame is None:
        pose_frame = _detect(image, needs_mask(loaded), max_people, needs_hands(loaded))
    elif pose_frame.image is None:
        pose_frame = PoseFrame(pose_frame.t, pose_frame.index, pose_frame.size,
                               pose_frame.poses, image=image, mask=pose_frame.mask,
                               stats=pose_frame.stats, hands=pose_frame.hands,
                               hands_tracked=pose_frame.hands_tracked)
    with EffectRenderer(loaded, max_people=max_people) as er:
        out = er.render(pose_frame, mirror=mirror)
    assert out is not None
    return out


@dataclass(frozen=True)
class RenderStats:
    """What :func:`render_source` did."""

    frames: int
    seconds: float
    output: Path
    people_frames: int
    """Frames in which at least one person was found."""

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0


def _video_writer(path: Path, fps: float, size: tuple[int, int]) -> Any:
    import cv2

    fourcc = cv2.VideoWriter.fourcc(*VIDEO_OUTPUTS[path.suffix.lower()])
    writer = cv2.VideoWriter(str(path), fourcc, float(fps), size)
    if not writer.isOpened():
        raise RenderError(f"{path}: cannot open a video writer ({path.suffix} with "
                          f"{VIDEO_OUTPUTS[path.suffix.lower()]}); is the folder writable?")
    return writer


class _VideoOut:
    """cv2.VideoWriter fed BGR frames from a small queue by its own thread: encoding
    (which releases the GIL) overlaps the next frame's rendering."""

    def __init__(self, path: Path, fps: float, size: tuple[int, int]):
        import queue
        import threading

        self._writer = _video_writer(path, fps, size)
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=_QUEUE_FRAMES)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="arpose-video-writer",
                                        daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            bgr = self._queue.get()
            if bgr is None:
                return
            try:
                self._writer.write(bgr)
            except BaseException as exc:  # reported by write()/close() in the main thread
                self._error = exc
                return

    def write(self, bgr: np.ndarray) -> None:
        if self._error is not None:
            raise RenderError(f"video encoding failed: {self._error}")
        self._queue.put(bgr)

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._writer.release()
        if self._error is not None:
            raise RenderError(f"video encoding failed: {self._error}")


def open_video(path: str | os.PathLike, fps: float, size: tuple[int, int]) -> _VideoOut:
    """A video file writer (``.mp4``/``.avi``) fed BGR frames of ``size`` on its own
    thread (``write(bgr)``, ``close()``): the one encoder of ``arpose render``,
    ``arpose play --video`` and ``arpose mirror --video``.

    Raises:
        RenderError: an unknown extension, a missing folder or no encoder.
    """
    out = Path(path)
    if out.suffix.lower() not in VIDEO_OUTPUTS:
        raise RenderError(f"{out}: a video must end in {' or '.join(VIDEO_OUTPUTS)}")
    if not out.parent.exists():
        raise RenderError(f"{out}: folder {str(out.parent)!r} does not exist")
    return _VideoOut(out, fps, size)


def _write_image(path: Path, bgr: np.ndarray) -> None:
    import cv2

    ok, buf = cv2.imencode(path.suffix.lower(), bgr)
    if not ok:
        raise RenderError(f"{path}: cannot encode the image")
    try:
        path.write_bytes(buf.tobytes())
    except OSError as exc:
        raise RenderError(f"{path}: cannot write ({exc.strerror or exc})") from None


def render_source(effects: EffectLike | Iterable[EffectLike], source: Any, output: str | os.PathLike,
                  *, mirror: bool = False, max_people: int = 2, model: str | None = None,
                  progress: bool | Callable[[int, int | None], None] = False,
                  hands: bool = False) -> RenderStats:
    """Render ``effects`` over a photo, video or recording into ``output``.

    Hand tracking runs when ``hands`` or when an effect uses a finger joint.

    Tracking runs in the pipeline's worker threads while this thread draws the effects
    and a writer thread encodes, so rendering overlaps inference. Every frame is kept
    (files never drop), and each frame is exactly what the live mirror would show for it
    (GL works only where the effects are: :meth:`EffectRenderer.render_onto`).

    Args:
        source: an image, video, folder or ``.arpose`` recording (anything
            :func:`arpose.pipeline.track` opens).
        output: ``.png``/``.jpg`` (one picture: the last frame) or ``.mp4``/``.avi``.
        progress: True for a tqdm progress bar on stderr, or a callback(done, total).
    """
    import cv2

    from ..tracking.pipeline import track

    out = Path(output)
    suffix = out.suffix.lower()
    if suffix not in IMAGE_OUTPUTS and suffix not in VIDEO_OUTPUTS:
        raise RenderError(f"{out}: output must end in .png, .jpg or .mp4 (or .avi), "
                          f"not {suffix or 'nothing'!r}")
    if not out.parent.exists():
        raise RenderError(f"{out}: folder {str(out.parent)!r} does not exist")
    loaded = load_effects(effects)
    # deeper file hand-offs: the writer's pace varies, and a stalled consumer would stall
    # the inference threads (the bottleneck) with it
    pipeline = track(source, max_people=max_people, model=model,
                     segmentation=needs_mask(loaded), capacity=_QUEUE_FRAMES,
                     hands=hands or needs_hands(loaded))
    src: Any = pipeline.source  # duck-typed: frame_count (VideoFile), files (ImageFolder)
    total = None
    if getattr(src, "frame_count", 0) > 0:  # VideoFile
        total = src.frame_count
    elif hasattr(src, "files"):
        total = len(src.files)
    elif suffix in IMAGE_OUTPUTS:
        total = 1
    bar = None
    if progress is True:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="frame", desc=f"render {out.name}", leave=False)
    writer = None
    frames = people = 0
    last: np.ndarray | None = None
    start = time.perf_counter()
    try:
        # the pipeline first: tracking starts while this thread decodes the assets and
        # sets up GL (the deep hand-offs let it run ahead meanwhile)
        with pipeline, EffectRenderer(loaded, max_people=max_people) as er:
            for pf in pipeline:
                # a new BGR picture per frame: the writer thread still holds the last one
                assert pf.image is not None  # tracked with keep_images
                bgr = cv2.cvtColor(pf.image, cv2.COLOR_RGB2BGR)
                if mirror:
                    bgr = cv2.flip(bgr, 1)
                er.render_onto(pf, bgr, mirror=mirror, channels="bgr")
                frames += 1
                people += bool(pf.poses)
                if suffix in VIDEO_OUTPUTS:
                    if writer is None:
                        writer = _VideoOut(out, getattr(src, "fps", 30.0) or 30.0,
                                           (int(pf.size[0]), int(pf.size[1])))
                    writer.write(bgr)
                else:
                    last = bgr
                if bar is not None:
                    bar.update(1)
                elif callable(progress):
                    progress(frames, total)
    finally:
        if writer is not None:
            writer.close()
        if bar is not None:
            bar.close()
    if frames == 0:
        raise RenderError(f"{source}: no frames to render")
    if last is not None:
        _write_image(out, last)
    return RenderStats(frames, time.perf_counter() - start, out, people)


__all__ = ["EffectRenderer", "render_image", "render_source", "load_effects", "RenderStats",
           "IMAGE_OUTPUTS", "VIDEO_OUTPUTS"]
