"""Hard clips made from the shared exercise clips (written with OpenCV into a test's temp
folder; never committed): the top cropped off so the head and shoulders leave the picture
when the person stands, or a fast, low-resolution, motion-blurred portrait version."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def _frames(src: Path) -> tuple[list[np.ndarray], float]:
    cap = cv2.VideoCapture(str(src))
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)
    out = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        out.append(frame)
    cap.release()
    return out, fps


def _write(dst: Path, frames: list[np.ndarray], fps: float) -> Path:
    h, w = frames[0].shape[:2]
    vw = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        vw.write(f)
    vw.release()
    return dst


def crop_top(src: Path, dst: Path, fraction: float, scale: float = 1.0) -> Path:
    """The clip without its top ``fraction`` of rows (then scaled by ``scale``)."""
    frames, fps = _frames(src)
    h = frames[0].shape[0]
    y0 = int(round(h * fraction))
    out = [f[y0:] for f in frames]
    if scale != 1.0:
        out = [cv2.resize(f, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) for f in out]
    return _write(dst, out, fps)


def fast_portrait(
    src: Path,
    dst: Path,
    *,
    speed: float,
    size: tuple[int, int] = (352, 640),
    blur: int = 3,
    fps: float = 30.0,
) -> Path:
    """The clip sped up ``speed`` times (resampled to ``fps``), its centre cut to a portrait of
    the same aspect as ``size`` and scaled to ``size`` (w, h), with motion blur: each frame the
    mean of ``blur`` consecutive source frames (a slow shutter on fast arms)."""
    frames, src_fps = _frames(src)
    h, w = frames[0].shape[:2]
    cw = int(round(h * size[0] / size[1]))
    x0 = (w - cw) // 2
    n_out = int(len(frames) / (speed * src_fps / fps))
    out = []
    for k in range(n_out):
        i = int(round(k * speed * src_fps / fps))
        window = frames[max(0, i - blur // 2) : i + blur // 2 + 1]
        f = np.mean(np.stack(window).astype(np.float32), axis=0).astype(np.uint8)
        out.append(cv2.resize(f[:, x0 : x0 + cw], size, interpolation=cv2.INTER_AREA))
    return _write(dst, out, fps)
