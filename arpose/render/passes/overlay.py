"""The overlay pass: an RGBA image (a UI layer) over everything, never mirrored, blended
only where it is not transparent."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ...scene.sprite import TextureData
from ..resources import Gpu, InstanceBuffer
from .base import FrameState, RenderPass

OVERLAY_TILE = (16, 32)
"""Tile (rows, columns) in which the overlay's transparent parts are skipped. The boxes
are drawn in one instanced draw, so small tiles cost no draw calls: on the slicer's HUD
16x32 tiles blend 106k pixels where 40x64 ones blended 154k (79k are not transparent)."""

Box = tuple[int, int, int, int]


def used_tiles(rgba: np.ndarray) -> np.ndarray:
    """Which :data:`OVERLAY_TILE` tiles of an (H, W, 4) uint8 image have any pixel with
    alpha > 0: a bool (rows, columns) array. Alpha is the top byte of each pixel read as
    a little-endian uint32 (RGBA or BGRA alike), so one compare per pixel does it."""
    h, w = rgba.shape[:2]
    th, tw = OVERLAY_TILE
    ny, nx = -(-h // th), -(-w // tw)
    px: np.ndarray
    if sys.byteorder == "little" and rgba.flags.c_contiguous and rgba.dtype == np.uint8:
        px = rgba.view(np.uint32).reshape(h, w)
    else:
        px = rgba[..., 3].astype(np.uint32) << np.uint32(24)
    if ny * th != h or nx * tw != w:
        pad = np.zeros((ny * th, nx * tw), np.uint32)
        pad[:h, :w] = px
        px = pad
    rows = np.max(px.reshape(ny, th, nx * tw), axis=1)
    return np.asarray(np.max(rows.reshape(ny, nx, tw), axis=2) >= 1 << 24)


def overlay_boxes(rgba: np.ndarray) -> list[Box]:
    """Boxes ``(x0, y0, x1, y1)`` (row 0 on top) of an RGBA image that are not fully
    transparent: runs of non-empty tiles per tile row. A HUD covers a small part of the
    screen, and software GL's cost of blending grows with the pixels touched (a
    full-screen blended quad cost ~90 ms a frame on llvmpipe at 1280x720)."""
    used = used_tiles(rgba)
    th, tw = OVERLAY_TILE
    h, w = rgba.shape[:2]
    # runs of used tiles in each tile row, (row, first column, end column), all rows
    # at once: per row the changes alternate start, end
    edges = np.diff(np.pad(used.view(np.int8), ((0, 0), (1, 1))), axis=1)
    rows, cols = np.nonzero(edges)
    runs = zip(rows[::2].tolist(), cols[::2].tolist(), cols[1::2].tolist())
    # runs with the same columns in consecutive tile rows become one box (fewer boxes
    # to upload)
    open_: dict[tuple[int, int], list[int]] = {}
    merged: list[list[int]] = []
    for r, c0, c1 in runs:
        box = open_.get((c0, c1))
        if box is not None and box[3] == r:
            box[3] = r + 1
        else:
            box = [c0, r, c1, r + 1]
            open_[(c0, c1)] = box
            merged.append(box)
    return [(c0 * tw, r0 * th, min(c1 * tw, w), min(r1 * th, h)) for c0, r0, c1, r1 in merged]


class OverlayPass(RenderPass):
    """Draws :attr:`~arpose.render.composition.Composition.overlay` last: its boxes
    (:func:`overlay_boxes`) in one instanced draw, from its own texture (drawn 1:1: no
    mipmaps, NEAREST sampling; mipmapped sampling of a full-screen overlay cost ~90 ms
    a frame on llvmpipe), of which a new picture uploads only the boxes (a whole
    1280x720 upload cost ~0.5 ms a frame)."""

    name = "overlay"
    stage = "overlay"

    def setup(self, gpu: Gpu) -> None:
        self.gpu = gpu
        self.prog = gpu.program("overlay.vert", "screen.frag")
        self.instances = InstanceBuffer(
            gpu.ctx,
            64,
            16,
            lambda buf: gpu.ctx.vertex_array(
                self.prog, [(gpu.quad, "2f", "in_pos"), (buf, "4f/i", "in_box")]
            ),
        )
        self.data: TextureData | None = None
        """The overlay of this frame (None: none); one object while frames have one."""
        self.texture: Any = None
        self._boxes: tuple[TextureData, int, list[Box]] | None = None
        self._uploaded: tuple[TextureData, int] | None = None
        """The overlay data and version in :attr:`texture` (a new overlay after a frame
        without one starts at the same version number as the old one)."""

    def covers_frame(self, frame: FrameState) -> bool:
        return frame.composition.overlay is not None

    def boxes(self, data: TextureData) -> list[Box]:
        """:func:`overlay_boxes` of ``data``, computed once per version."""
        cache = self._boxes
        if cache is not None and cache[0] is data and cache[1] == data.version:
            return cache[2]
        boxes = overlay_boxes(data.array)
        self._boxes = (data, data.version, boxes)
        return boxes

    def prepare(self, frame: FrameState) -> None:
        rgba = frame.composition.overlay
        if rgba is None:
            self.data = None
            return
        if self.data is None:
            self.data = TextureData(rgba, "<overlay>")
        else:
            self.data.update(rgba)
        # before any drawing: on software GL a texture write flushes (rasterises) the
        # draws queued so far, so uploading after the scene's draws split each frame
        # into two passes over the framebuffer
        self._upload(self.data, self.boxes(self.data), frame.composition.overlay_bgra)

    def _upload(self, data: TextureData, boxes: list[Box], bgra: bool) -> Any:
        tex = self.texture
        if tex is None or tex.size != data.size:
            if tex is not None:
                tex.release()
            tex = self.texture = self.gpu.ctx.texture(data.size, 4)
            tex.filter = (self.gpu.mgl.NEAREST, self.gpu.mgl.NEAREST)
            tex.repeat_x = tex.repeat_y = False
            self._uploaded = None
        swizzle = "BGRA" if bgra else "RGBA"
        if tex.swizzle != swizzle:
            tex.swizzle = swizzle
        up = self._uploaded
        if up is None or up[0] is not data or up[1] != data.version:
            for x0, y0, x1, y1 in boxes:  # texture row 0 = image row 0
                tex.write(np.ascontiguousarray(data.array[y0:y1, x0:x1]), viewport=(x0, y0, x1 - x0, y1 - y0))
            self._uploaded = (data, data.version)
        return tex

    def draw(self, frame: FrameState) -> None:
        if self.data is None:
            return
        fbo = frame.fbo
        W, H = frame.size
        fbo.viewport = (0, 0, W, H)
        fbo.use()
        boxes = self.boxes(self.data)
        frame.stats["overlay_boxes"] = len(boxes)
        if not boxes:
            return
        tex = self._upload(self.data, boxes, frame.composition.overlay_bgra)
        vao = self.instances.upload(np.asarray(boxes, np.float32))
        prog = self.prog
        prog["u_size"].value = (float(W), float(H))
        prog["u_opacity"].value = 1.0
        prog["u_tex"].value = 0
        tex.use(location=0)
        # only the boxes, in one instanced draw: software GL's blending costs per pixel
        vao.render(self.gpu.mgl.TRIANGLE_STRIP, vertices=4, instances=len(boxes))
        frame.stats["draw_calls"] += 1

    def release(self) -> None:
        self.instances.release()
        if self.texture is not None:
            self.texture.release()
            self.texture = None
