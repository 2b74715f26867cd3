"""Offline rendering: effects on a photo, a video or a recording, written to a file.

:func:`render_image` is the one-call API (the bare ``arpose`` command's fallback);
:func:`render_source` renders a photo or a video file to a PNG/JPG/MP4, with tracking in
the pipeline's worker threads and GL rendering in this thread, overlapped. Both draw with
:class:`~arpose.effects.compose.EffectRenderer`, so ``arpose render`` writes exactly the
frames the mirror shows.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..compat import renamed_keywords
from ..effects.compose import EffectLike, EffectRenderer
from ..effects.gallery import load_effects
from ..effects.nodes import needs_hands, needs_mask
from ..errors import RenderError
from ..pose import PoseFrame
from ..sources import ImageFile, ImageFolder
from ..tracking.pipeline import default_max_people, track
from ..tracking.stage import TrackingStage
from ..writers import IMAGE_OUTPUTS, QUEUE_FRAMES, VIDEO_OUTPUTS, VideoWriter, write_image

log = logging.getLogger(__name__)


def _detect(image: np.ndarray, segmentation: bool, max_people: int, hands: bool = False) -> PoseFrame:
    return TrackingStage.photo(image, max_people=max_people, segmentation=segmentation, hands=hands)


@renamed_keywords(mirror="flip")
def render_image(
    effects: EffectLike | Iterable[EffectLike],
    image_rgb: np.ndarray,
    pose_frame: PoseFrame | None = None,
    *,
    flip: bool = False,
    max_people: int = 2,
) -> np.ndarray:
    """Draw ``effects`` on one RGB photo and return the RGB result.

    Args:
        effects: gallery names (``"top-hat"``), ``.toml`` paths or :class:`Effect` objects.
        image_rgb: (H, W, 3) uint8.
        pose_frame: the poses to use; None runs the tracker on the photo (with the
            segmentation mask when an effect needs it).
        flip: return the selfie view (flipped; left/right content stays on the user's
            own sides).

    Raises:
        EffectError: bad effect name/file; other ArposeErrors from tracking/rendering.
    """
    image = np.ascontiguousarray(image_rgb)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise RenderError(f"render_image needs an RGB uint8 (H, W, 3) image, got {image.dtype} {image.shape}")
    loaded = load_effects(effects)
    if pose_frame is not None and not pose_frame.hands_tracked and needs_hands(loaded):
        log.warning(
            "an effect uses finger joints but this PoseFrame was tracked without "
            "hands: track(..., hands=True) or pass pose_frame=None"
        )
    if pose_frame is None:
        pose_frame = _detect(image, needs_mask(loaded), max_people, needs_hands(loaded))
    elif pose_frame.image is None:
        pose_frame = PoseFrame(
            pose_frame.t,
            pose_frame.index,
            pose_frame.size,
            pose_frame.poses,
            image=image,
            mask=pose_frame.mask,
            stats=pose_frame.stats,
            hands=pose_frame.hands,
            hands_tracked=pose_frame.hands_tracked,
        )
    with EffectRenderer(loaded, max_people=max_people) as er:
        out = er.render(pose_frame, flip=flip)
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


@renamed_keywords(mirror="flip")
def render_source(
    effects: EffectLike | Iterable[EffectLike],
    source: Any,
    output: str | os.PathLike,
    *,
    flip: bool = False,
    max_people: int | None = None,
    model: str | None = None,
    progress: bool | Callable[[int, int | None], None] = False,
    hands: bool = False,
) -> RenderStats:
    """Render ``effects`` over a photo, video or recording into ``output``.

    Hand tracking runs when ``hands`` or when an effect uses a finger joint.

    Tracking runs in the pipeline's worker threads while this thread draws the effects
    and a writer thread encodes, so rendering overlaps inference. Every frame is kept
    (files never drop), and each frame is exactly what the live mirror would show for it
    (GL works only where the effects are: :meth:`EffectRenderer.render_onto`).

    Args:
        source: an image, video, folder or ``.arpose`` recording (anything
            :func:`arpose.tracking.pipeline.track` opens).
        max_people: most people tracked, each with their own copy of the effects;
            None: the source's default (:func:`arpose.tracking.pipeline.default_max_people`).
        output: ``.png``/``.jpg`` (one picture: the last frame) or ``.mp4``/``.avi``.
        progress: True for a tqdm progress bar on stderr, or a callback(done, total).
    """
    out = Path(output)
    suffix = out.suffix.lower()
    if suffix not in IMAGE_OUTPUTS and suffix not in VIDEO_OUTPUTS:
        raise RenderError(
            f"{out}: output must end in .png, .jpg or .mp4 (or .avi), not {suffix or 'nothing'!r}"
        )
    if not out.parent.exists():
        raise RenderError(f"{out}: folder {str(out.parent)!r} does not exist")
    loaded = load_effects(effects)
    # deeper file hand-offs: the writer's pace varies, and a stalled consumer would stall
    # the inference threads (the bottleneck) with it
    pipeline = track(
        source,
        max_people=max_people,
        model=model,
        segmentation=needs_mask(loaded),
        capacity=QUEUE_FRAMES,
        hands=hands or needs_hands(loaded),
    )
    if max_people is None:
        max_people = default_max_people(pipeline.source)
    src: Any = pipeline.source  # duck-typed: frame_count (VideoFile), files (ImageFolder)
    total = None
    if getattr(src, "frame_count", 0) > 0:  # VideoFile
        total = src.frame_count
    elif hasattr(src, "files"):
        total = len(src.files)
    elif suffix in IMAGE_OUTPUTS:
        total = 1
    if (
        suffix in IMAGE_OUTPUTS
        and not isinstance(src, ImageFile)
        and not (isinstance(src, ImageFolder) and total == 1)
    ):
        # a picture holds one frame: refuse rather than keep only the last one silently
        pipeline.stop()
        count = f" of {total} frames" if total else ""
        raise RenderError(
            f"{out}: a {suffix} output holds one picture, but the source is a video, folder or "
            f"recording{count}; write a video (.mp4 or .avi) instead"
        )
    bar = None
    if progress is True:
        from tqdm import tqdm  # lazy: only for the command line's progress bar

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
                if flip:
                    bgr = cv2.flip(bgr, 1)
                er.render_onto(pf, bgr, flip=flip, channels="bgr")
                frames += 1
                people += bool(pf.poses)
                if suffix in VIDEO_OUTPUTS:
                    if writer is None:
                        writer = VideoWriter(
                            out, getattr(src, "fps", 30.0) or 30.0, (int(pf.size[0]), int(pf.size[1]))
                        )
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
        write_image(out, last)
    return RenderStats(frames, time.perf_counter() - start, out, people)


__all__ = ["render_image", "render_source", "RenderStats", "IMAGE_OUTPUTS", "VIDEO_OUTPUTS"]
