"""The moderngl renderer: camera image, scene content and overlays in one pass.

Per rendered frame (:meth:`Renderer.render`):

1. the scene advances to the newest PoseFrame (anchors read the body, one world pass);
2. the camera image is written into one reused background texture, only when it is a
   new image (never a new texture per frame);
3. layers are drawn in order (``background``, ``behind_body``, ``body``, ``front``,
   ``hud``; see :data:`arpose.scene.node.LAYERS`) with a depth buffer and alpha blending:
   meshes (lit) one draw each, consecutive sprites sharing a texture in one instanced
   draw, warped quads and skeletons;
4. the body mask (``PoseFrame.mask``) hides content behind the body plane, or all
   content of the ``background``/``behind_body`` layers, where the person is;
5. mirror mode negates x in the projection, once; the data stay unmirrored, so content
   on the user's left eye stays on it (it simply appears on the left of the mirrored
   picture). The ``hud`` layer and :meth:`set_overlay` images are never mirrored.

The projection is the pinhole of :class:`arpose.scene.projection.Projection`, so a joint's
world position projects exactly onto its landmark pixel; when the output aspect differs
from the source the image is fitted (letterboxed).

GPU objects (textures, buffers, vertex arrays) are created on first use, cached per
data object, updated in place when their data's version changes, and released by
:meth:`Renderer.release` (or when the data object is garbage collected). An asset that
cannot be uploaded (e.g. larger than the GL limit) is logged once and drawn as a magenta
checkerboard instead of stopping the show.

Typical use::

    with Renderer.offscreen((1280, 720)) as r:
        rgb = r.render(scene, pose_frame, mirror=True)   # (720, 1280, 3) uint8
"""

from __future__ import annotations

import contextlib
import importlib.resources
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

import cv2
import numpy as np

from ..errors import AssetError, RenderError
from ..pose import PoseFrame
from ..scene.anchors import BodyQuad, body_plane_z
from ..scene.mesh import Mesh, MeshData
from ..scene.node import LAYERS, Drawable, Scene
from ..scene.projection import DEFAULT_FOV_Y, Projection
from ..scene.screen import ScreenMap
from ..scene.sprite import Sprite, TextureData
from .context import current_context, forget_offscreen, note_current
from .context import make_current as _make_current
from .resources import GpuResources
from .skeleton import Skeleton, check_style, skeleton_geometry

log = logging.getLogger(__name__)

_LAYER_DEPTH = {"background": False, "behind_body": True, "body": True, "front": True,
                "hud": False}
_LAYER_OCCLUSION = {"background": 2, "behind_body": 2, "body": 1, "front": 0, "hud": 0}
_OCCLUSION_CODE = {"none": 0, "depth": 1, "always": 2}
_WHOLE_FRAME_SHARE = 0.6
"""Content boxes larger than this share of the frame are composited as a whole frame by
:meth:`Renderer.render_onto` (the box path's own copies cost more there: measured
crossover 0.55-0.7 at 1280x720 on llvmpipe)."""
_OVERLAY_TILE = (16, 32)
"""Tile (rows, columns) in which the overlay's transparent parts are skipped. The boxes
are drawn in one instanced draw, so small tiles cost no draw calls: on the slicer's HUD
16x32 tiles blend 106k pixels where 40x64 ones blended 154k (79k are not transparent)."""
_SPRITE_FLOATS = 16 + 4 + 2
_LINE_FLOATS = 9
LIGHT_DIR = (0.35, 0.55, 0.75)
"""Direction the light travels in world space: from the upper left, towards the scene."""


def load_shader(name: str) -> str:
    """Source of ``arpose/render/shaders/<name>.glsl``."""
    return (importlib.resources.files("arpose.render") / "shaders" / f"{name}.glsl").read_text()


def _mat_bytes(m: np.ndarray) -> bytes:
    """Column-major float32 bytes of a 4x4/3x3 matrix for GL."""
    return np.ascontiguousarray(np.asarray(m, np.float32).T).tobytes()


STATS_KEYS = ("draw_calls", "sprites", "meshes", "lines", "direct_background",
              "content_box", "overlay_boxes")
"""The keys of :attr:`Renderer.stats`, the same after every render."""


def _new_stats() -> dict[str, Any]:
    return {"draw_calls": 0, "sprites": 0, "meshes": 0, "lines": 0,
            "direct_background": False, "content_box": None, "overlay_boxes": 0}


def _used_tiles(rgba: np.ndarray) -> np.ndarray:
    """Which :data:`_OVERLAY_TILE` tiles of an (H, W, 4) uint8 image have any pixel with
    alpha > 0: a bool (rows, columns) array. Alpha is the top byte of each pixel read as
    a little-endian uint32 (RGBA or BGRA alike), so one compare per pixel does it."""
    h, w = rgba.shape[:2]
    th, tw = _OVERLAY_TILE
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


def _group_key(node: Drawable) -> int:
    if isinstance(node, Mesh):
        return 0 if node.color[3] >= 1.0 and node.world_opacity >= 1.0 else 1
    if isinstance(node, Sprite):
        return 2 + (id(node.texture) & 0xFFFFFFFF)
    return 1


class Renderer:
    """Draws a :class:`~arpose.scene.node.Scene` over the camera image into a framebuffer.

    Use :meth:`offscreen` (EGL, read pixels back) or :meth:`for_window` (a
    :class:`~arpose.render.context.Window`); both use this same class.

    Args:
        ctx: a moderngl context; fbo: the framebuffer to draw into.
        mirror: default for :meth:`render` (selfie view).
        occlusion: use ``PoseFrame.mask`` to hide content behind the body.
        occlusion_z: landmark z (pixel units, 0 = hip plane) of the body plane for content
            that is not under an anchor; None (default) estimates it from the first
            person (:func:`~arpose.scene.anchors.body_plane_z`). Content under an anchor
            uses the plane of the person its anchor follows. Content further away than
            the plane is hidden where the mask covers it.
        background: RGB in [0, 1] where there is no camera image.
        fov_y: vertical field of view used when the scene does not say (degrees).
        fit: ``"contain"`` (letterbox, default), ``"cover"`` (fill and crop: the games)
            or ``"stretch"``; the same :class:`~arpose.input.screen.ScreenMap` the
            body input and the games' drawing use.
    """

    def __init__(self, ctx: Any, fbo: Any, *, mirror: bool = False, occlusion: bool = True,
                 occlusion_z: float | None = None, background: Sequence[float] = (0.0, 0.0, 0.0),
                 fov_y: float = DEFAULT_FOV_Y, owns_context: bool = False,
                 fit: str = "contain"):
        import moderngl

        self._mgl = moderngl
        self.ctx = ctx
        self.fbo = fbo
        self.mirror = bool(mirror)
        self.occlusion = bool(occlusion)
        self.occlusion_z = occlusion_z
        self.background = tuple(float(c) for c in background)
        self.fov_y = float(fov_y)
        ScreenMap((1, 1), (1, 1), fit=fit)  # validate early
        self.fit = fit
        """How the source fills the output (see :class:`arpose.input.screen.ScreenMap`)."""
        self._owns_context = owns_context
        self._released = False
        self.max_texture_size = int(ctx.info.get("GL_MAX_TEXTURE_SIZE", 8192))
        try:
            self._prog_screen = ctx.program(vertex_shader=load_shader("screen.vert"),
                                             fragment_shader=load_shader("screen.frag"))
            self._prog_sprite = ctx.program(vertex_shader=load_shader("sprite.vert"),
                                            fragment_shader=load_shader("sprite.frag"))
            self._prog_mesh = ctx.program(vertex_shader=load_shader("mesh.vert"),
                                          fragment_shader=load_shader("mesh.frag"))
            self._prog_lines = ctx.program(vertex_shader=load_shader("lines.vert"),
                                           fragment_shader=load_shader("lines.frag"))
            self._prog_overlay = ctx.program(vertex_shader=load_shader("overlay.vert"),
                                             fragment_shader=load_shader("screen.frag"))
        except Exception as exc:
            raise RenderError(f"shader compilation failed: {exc}") from exc
        quad = np.array([0, 0, 1, 0, 0, 1, 1, 1], np.float32)
        self._quad = ctx.buffer(quad.tobytes())
        self._vao_screen = ctx.vertex_array(self._prog_screen, [(self._quad, "2f", "in_pos")])
        self._sprite_cap = 64
        self._sprite_buf = ctx.buffer(reserve=self._sprite_cap * _SPRITE_FLOATS * 4, dynamic=True)
        self._vao_sprite = self._make_sprite_vao()
        self._line_cap = 128
        self._line_buf = ctx.buffer(reserve=self._line_cap * _LINE_FLOATS * 4, dynamic=True)
        corners = np.array([0, -1, 1, -1, 0, 1, 1, 1], np.float32)
        self._line_quad = ctx.buffer(corners.tobytes())
        self._vao_lines = self._make_line_vao()
        self._box_cap = 64
        self._box_buf = ctx.buffer(reserve=self._box_cap * 16, dynamic=True)
        self._vao_boxes = self._make_box_vao()
        self._bg_tex: Any = None
        self._bg_source: Any = None
        self._bg_rgba: Any = None
        self._direct_buf: Any = None
        self._direct_rgba: Any = None
        self._direct_key: tuple[Any, bool] | None = None
        attachment = fbo.color_attachments[0] if fbo.color_attachments else None
        self._color_tex: Any = attachment if isinstance(attachment, moderngl.Texture) else None
        self._read_buf: np.ndarray | None = None
        self._mask_tex: Any = None
        self._mask_source: Any = None
        self._overlay: TextureData | None = None
        self._overlay_tex: Any = None
        self._overlay_bgra = False
        self._overlay_boxes_cache: tuple[TextureData, int, list[tuple[int, int, int, int]]] | None = None
        self._overlay_uploaded: tuple[TextureData, int] | None = None
        """The overlay data and version in :attr:`_overlay_tex` (a new overlay after
        ``set_overlay(None)`` starts at the same version number as the old one)."""
        self._gpu = GpuResources()  # textures, meshes and body quads, by their data objects
        self._placeholder = TextureData.placeholder("<upload failed>", size=16, cells=4)
        self._failed: set[int] = set()
        self._pending_skeletons: list[tuple[PoseFrame, str, tuple[int, int, int] | None]] = []
        white = np.full((1, 1, 4), 255, np.uint8)
        self._white = ctx.texture((1, 1), 4, white.tobytes())
        self._zero_mask = ctx.texture((1, 1), 1, np.zeros(1, np.float32).tobytes(), dtype="f4")
        self.camera: Any = None
        """The :class:`~arpose.scene.projection.Projection` of the last render."""
        self.viewport = (0, 0) + tuple(fbo.size)
        self.stats: dict[str, Any] = _new_stats()
        """Counters of the last render; always the keys of :data:`STATS_KEYS`."""
        self._present: tuple[Any, Any, tuple[Any, ...]] | None = None
        """A window's framebuffer, the colour-only framebuffer copied to it and the GL
        objects of this renderer's own target (see :meth:`for_window`)."""

    # -- factories -----------------------------------------------------------------
    @classmethod
    def offscreen(cls, size: tuple[int, int] = (1280, 720), *, samples: int = 0,
                  **kw: Any) -> Renderer:
        """A renderer drawing into an EGL offscreen framebuffer of ``size`` (w, h)."""
        from .context import create_offscreen

        ctx, fbo = create_offscreen(size, samples=samples)
        try:
            return cls(ctx, fbo, owns_context=True, **kw)
        except Exception:
            ctx.release()
            raise

    @classmethod
    def for_window(cls, window: Any, **kw: Any) -> Renderer:
        """A renderer drawing into a :class:`~arpose.render.context.Window`.

        It draws into its own framebuffer (a texture of the window's size and a depth
        buffer) and copies each finished frame to the window (``glBlitFramebuffer``): the
        camera picture is then written into the colour attachment directly (a memcpy),
        as offscreen, instead of shaded as a full-screen quad over a cleared window,
        which on software GL cost about twice the copy (issue 11)."""
        ctx = window.ctx
        size = (int(window.fbo.size[0]), int(window.fbo.size[1]))
        tex = ctx.texture(size, 4)
        depth = ctx.depth_renderbuffer(size)
        target = ctx.framebuffer([tex], depth)
        try:
            r = cls(ctx, target, **kw)
        except Exception:
            for obj in (target, depth, tex):
                obj.release()
            raise
        # the copy reads a colour-only framebuffer: moderngl blits depth too, and the
        # window's depth format differs from ours
        r._present = (window.fbo, ctx.framebuffer([tex]), (target, depth, tex))
        return r

    @property
    def size(self) -> tuple[int, int]:
        """Output (width, height)."""
        return tuple(self.fbo.size)

    # -- GL object helpers ---------------------------------------------------------
    def _make_sprite_vao(self):
        return self.ctx.vertex_array(self._prog_sprite, [
            (self._quad, "2f", "in_uv"),
            (self._sprite_buf, "16f 4f 2f/i", "in_model", "in_color", "in_occlusion"),
        ])

    def _make_box_vao(self):
        return self.ctx.vertex_array(self._prog_overlay, [
            (self._quad, "2f", "in_pos"), (self._box_buf, "4f/i", "in_box")])

    def _make_line_vao(self):
        return self.ctx.vertex_array(self._prog_lines, [
            (self._line_quad, "2f", "in_corner"),
            (self._line_buf, "4f 4f 1f/i", "in_seg", "in_color", "in_width"),
        ])

    def _texture(self, data: TextureData):
        """GL texture for ``data`` (created once, rewritten when its version changes)."""
        entry = self._gpu.textures.get(data)
        if entry is not None and entry[1] == data.version:
            return entry[0]
        if id(data) in self._failed:
            return self._texture(self._placeholder) if data is not self._placeholder else self._white
        w, h = data.size
        try:
            if max(w, h) > self.max_texture_size:
                raise AssetError(f"texture {data.name} is {w}x{h}; this GL's limit is "
                                 f"{self.max_texture_size} per side: scale it down")
            if entry is not None and entry[0].size == (w, h):
                entry[0].write(data.array)
                tex = entry[0]
                self._gpu.textures.replace(data, (tex, data.version))
                return tex
            tex = self.ctx.texture((w, h), 4, data.array)
            if data.error is not None:  # placeholders: crisp checkers
                tex.filter = (self._mgl.NEAREST, self._mgl.NEAREST)
            else:
                tex.filter = (self._mgl.LINEAR_MIPMAP_LINEAR, self._mgl.LINEAR)
                tex.build_mipmaps()
            tex.repeat_x = tex.repeat_y = False
        except AssetError as exc:
            log.error("%s (drawing a placeholder)", exc)
            self._failed.add(id(data))
            return self._texture(self._placeholder) if data is not self._placeholder else self._white
        self._gpu.textures.put(data, (tex, data.version))
        return tex

    def _overlay_boxes(self, data: TextureData) -> list[tuple[int, int, int, int]]:
        """Boxes ``(x0, y0, x1, y1)`` (row 0 on top) of the overlay that are not fully
        transparent: runs of non-empty tiles per tile row. A HUD covers a small part of
        the screen, and software GL's cost of blending grows with the pixels touched
        (a full-screen blended quad cost ~90 ms a frame on llvmpipe at 1280x720)."""
        cache = self._overlay_boxes_cache
        if cache is not None and cache[0] is data and cache[1] == data.version:
            return cache[2]
        used = _used_tiles(data.array)
        th, tw = _OVERLAY_TILE
        h, w = data.array.shape[:2]
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
        boxes = [(c0 * tw, r0 * th, min(c1 * tw, w), min(r1 * th, h))
                 for c0, r0, c1, r1 in merged]
        self._overlay_boxes_cache = (data, data.version, boxes)
        return boxes

    def _overlay_texture(self, data: TextureData,
                         boxes: list[tuple[int, int, int, int]]) -> Any:
        """The overlay's own texture: drawn 1:1, so no mipmaps and NEAREST sampling
        (mipmapped sampling of a full-screen overlay cost ~90 ms a frame on llvmpipe).
        A new version uploads only its ``boxes``, the only texels ever drawn (a whole
        1280x720 upload cost ~0.5 ms a frame)."""
        tex = self._overlay_tex
        if tex is None or tex.size != data.size:
            if tex is not None:
                tex.release()
            tex = self._overlay_tex = self.ctx.texture(data.size, 4)
            tex.filter = (self._mgl.NEAREST, self._mgl.NEAREST)
            tex.repeat_x = tex.repeat_y = False
            self._overlay_uploaded = None
        swizzle = "BGRA" if self._overlay_bgra else "RGBA"
        if tex.swizzle != swizzle:
            tex.swizzle = swizzle
        up = self._overlay_uploaded
        if up is None or up[0] is not data or up[1] != data.version:
            for x0, y0, x1, y1 in boxes:  # texture row 0 = image row 0
                tex.write(np.ascontiguousarray(data.array[y0:y1, x0:x1]),
                          viewport=(x0, y0, x1 - x0, y1 - y0))
            self._overlay_uploaded = (data, data.version)
        return tex

    def _mesh_vao(self, data: MeshData) -> Any:
        entry = self._gpu.meshes.get(data)
        if entry is not None and entry["version"] == data.version:
            return entry
        vbo = self.ctx.buffer(data.interleaved().tobytes())
        ibo = self.ctx.buffer(data.indices.tobytes())
        vao = self.ctx.vertex_array(self._prog_mesh, [
            (vbo, "3f 3f 2f 4f", "in_pos", "in_normal", "in_uv", "in_color")], ibo)
        entry = {"vbo": vbo, "ibo": ibo, "vao": vao, "version": data.version,
                 "count": data.indices.size}
        self._gpu.meshes.put(data, entry)
        return entry

    def _quad_vao(self, node: BodyQuad) -> Any:
        entry = self._gpu.quads.get(node)
        if entry is None:
            assert node.vertices is not None
            vbo = self.ctx.buffer(reserve=node.vertices.nbytes, dynamic=True)
            ibo = self.ctx.buffer(node.indices.tobytes())
            vao = self.ctx.vertex_array(self._prog_mesh, [
                (vbo, "3f 3f 2f 4f", "in_pos", "in_normal", "in_uv", "in_color")], ibo)
            entry = {"vbo": vbo, "ibo": ibo, "vao": vao, "version": -1,
                     "count": node.indices.size}
            self._gpu.quads.put(node, entry)
        if entry["version"] != node.version:
            entry["vbo"].write(node.vertices)
            entry["version"] = node.version
        return entry

    # -- per-frame inputs ----------------------------------------------------------
    def _update_background(self, image: np.ndarray | None) -> bool:
        if image is None:
            return False
        if image is self._bg_source and self._bg_tex is not None:
            return True
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise RenderError(f"background image must be RGB uint8 (H, W, 3), got "
                              f"{image.dtype} {image.shape}")
        h, w = image.shape[:2]
        if self._bg_tex is None or self._bg_tex.size != (w, h):
            if self._bg_tex is not None:
                self._bg_tex.release()
            # RGBA: Mesa converts 3-component uploads pixel by pixel (4x slower)
            self._bg_tex = self.ctx.texture((w, h), 4)
            self._bg_tex.filter = (self._mgl.LINEAR, self._mgl.LINEAR)
            self._bg_tex.repeat_x = self._bg_tex.repeat_y = False
            self._bg_rgba = np.empty((h, w, 4), np.uint8)
        cv2.cvtColor(image, cv2.COLOR_RGB2RGBA, dst=self._bg_rgba)
        self._bg_tex.write(self._bg_rgba)
        self._bg_source = image
        return True

    def _can_write_direct(self, image: np.ndarray, vp: tuple[int, int, int, int]) -> bool:
        W, H = self.fbo.size
        return (self._color_tex is not None and vp == (0, 0, W, H)
                and image.shape == (H, W, 3) and image.dtype == np.uint8)

    def _write_direct(self, image: np.ndarray, mirror: bool) -> None:
        """Write ``image`` into the colour attachment (rows bottom-up for GL, flipped
        horizontally in mirror mode); the converted copy is reused for repeat renders."""
        key = (image, mirror)
        if self._direct_key is None or self._direct_key[0] is not image \
                or self._direct_key[1] != mirror:
            h, w = image.shape[:2]
            if self._direct_buf is None or self._direct_buf.shape[:2] != (h, w):
                self._direct_rgba = np.empty((h, w, 4), np.uint8)
                self._direct_buf = np.empty((h, w, 4), np.uint8)
            cv2.cvtColor(image, cv2.COLOR_RGB2RGBA, dst=self._direct_rgba)
            cv2.flip(self._direct_rgba, -1 if mirror else 0, dst=self._direct_buf)
            self._direct_key = key
        self._color_tex.write(self._direct_buf)

    def _update_mask(self, mask: np.ndarray | None) -> bool:
        if mask is None or not self.occlusion:
            return False
        if mask is self._mask_source and self._mask_tex is not None:
            return True
        m = np.asarray(mask)
        if m.ndim == 3:
            m = m[:, :, 0]
        if m.dtype != np.float32:
            m = m.astype(np.float32) / (255.0 if m.dtype == np.uint8 else 1.0)
        h, w = m.shape
        if self._mask_tex is None or self._mask_tex.size != (w, h):
            if self._mask_tex is not None:
                self._mask_tex.release()
            self._mask_tex = self.ctx.texture((w, h), 1, dtype="f4")
            self._mask_tex.filter = (self._mgl.LINEAR, self._mgl.LINEAR)
            self._mask_tex.repeat_x = self._mask_tex.repeat_y = False
        self._mask_tex.write(np.ascontiguousarray(m))
        self._mask_source = mask
        return True

    def set_overlay(self, rgba: np.ndarray | None, *, bgra: bool = False) -> None:
        """An RGBA image (output size, row 0 on top) drawn over everything, never
        mirrored: e.g. a pygame UI surface. None removes it. Reuses one texture; only
        its non-transparent tiles are drawn. ``bgra``: the channels are in B, G, R, A
        order (a pygame SRCALPHA surface's memory), swizzled by GL, not the CPU."""
        self._overlay_bgra = bool(bgra)
        if rgba is None:
            self._overlay = None
        elif self._overlay is None:
            self._overlay = TextureData(rgba, "<overlay>")
        else:
            self._overlay.update(rgba)

    def draw_skeleton(self, frame: PoseFrame, style: str = "mediapipe", *,
                      color: tuple[int, int, int] | None = None) -> None:
        """Draw the skeletons of ``frame`` in the next :meth:`render` (above the
        ``front`` layer, below the HUD); ``color`` paints the bones in one colour."""
        self._pending_skeletons.append((frame, check_style(style), color))

    # -- rendering -----------------------------------------------------------------
    def screen_map(self, src: tuple[int, int], mirror: bool | None = None) -> ScreenMap:
        """The source -> output mapping this renderer draws with (the one mapping)."""
        mirror = self.mirror if mirror is None else bool(mirror)
        return ScreenMap((int(src[0]), int(src[1])), tuple(self.fbo.size), mirror, self.fit)

    def render(self, scene: Scene | None, frame: PoseFrame | None, *, now: float | None = None,
               mirror: bool | None = None, size: tuple[int, int] | None = None,
               read: bool = True) -> np.ndarray | None:
        """Advance ``scene`` to ``frame`` and draw it over ``frame.image``.

        Args:
            scene: the scene (None draws only the image, skeletons and overlay).
            frame: the newest PoseFrame (its image is the background, its mask the
                occluder). Passing the same frame again with a later ``now`` draws the
                extrapolated in-between state.
            now: timeline seconds of this render (default ``frame.t``).
            mirror: selfie view (default: the renderer's ``mirror``).
            size: source size when there is no frame.
            read: return the pixels (offscreen); False skips the read-back (windows).

        Returns:
            RGB uint8 ``(H, W, 3)`` when ``read`` is True.
        """
        if self._released:
            raise RenderError("renderer was released")
        with self._current():
            self._render(scene, frame, now, mirror, size)
            if self._present is not None:
                self.ctx.copy_framebuffer(self._present[0], self._present[1])
            return self.read() if read else None

    def _current(self):
        """Make this renderer's context current when another one is (several offscreen
        renderers, or one beside a window, may live in one thread). Switching costs a
        full llvmpipe flush, so it only happens when needed."""
        self.make_current()
        return contextlib.nullcontext()

    def make_current(self) -> None:
        """Make this renderer's context current in this thread (a no-op when it is)."""
        _make_current(self.ctx)

    def render_onto(self, scene: Scene | None, frame: PoseFrame, image: np.ndarray, *,
                    now: float | None = None, mirror: bool | None = None,
                    channels: str = "rgb") -> np.ndarray:
        """Draw ``scene`` for ``frame`` over ``image`` in place and return ``image``.

        The offline path (``arpose render``): the same picture as :meth:`render` with
        ``read=True``, but GL only touches the box that the content's projected bounds
        cover: that box of ``image`` is written into the framebuffer, the content is
        drawn over it (scissored to the box) and the box is read back into ``image``.
        Pixels outside the box are never uploaded, drawn, read or converted: on software
        GL, for a hat or a pair of glasses, several times cheaper than a whole frame. A
        box over :data:`_WHOLE_FRAME_SHARE` of the frame is drawn as a whole frame from
        ``frame.image`` (the same pixels, by the contract below, at less cost).

        Args:
            image: ``frame.image`` as the output should show it: uint8 (H, W, 3) of the
                framebuffer's size, flipped horizontally when ``mirror``, in
                ``channels`` order (``"rgb"``, or ``"bgr"`` for OpenCV writers).

        When the source does not fill the framebuffer (letterboxed), an overlay is set
        or the framebuffer is multisampled, the whole frame is composited from
        ``frame.image`` (:meth:`render`) and copied into ``image`` instead.
        """
        if self._released:
            raise RenderError("renderer was released")
        if channels not in ("rgb", "bgr"):
            raise ValueError(f"channels must be 'rgb' or 'bgr', got {channels!r}")
        W, H = self.fbo.size
        if image.shape != (H, W, 3) or image.dtype != np.uint8 \
                or not image.flags.c_contiguous:
            raise RenderError(f"render_onto needs a contiguous uint8 ({H}, {W}, 3) image, "
                              f"got {image.dtype} {image.shape}")
        bgr = channels == "bgr"
        if self._overlay is not None or self._color_tex is None \
                or self.screen_map((int(frame.size[0]), int(frame.size[1]))).viewport() != (0, 0, W, H):
            out = self.render(scene, frame, now=now, mirror=mirror, read=True)
            assert out is not None
            if bgr:
                cv2.cvtColor(out, cv2.COLOR_RGB2BGR, dst=image)
            else:
                image[...] = out
            return image
        with self._current():
            try:
                box = self._render(scene, frame, now, mirror, None, onto=(image, bgr))
            finally:
                self.fbo.scissor = None
            if box is None:
                return image
            x0, y0, x1, y1 = box
            rgba = self._box_buffer(x1 - x0, y1 - y0)
            self.fbo.read_into(rgba, viewport=(x0, H - y1, x1 - x0, y1 - y0), components=4)
        code = cv2.COLOR_RGBA2BGR if bgr else cv2.COLOR_RGBA2RGB
        if x1 - x0 == W:  # whole rows: a contiguous part of the picture, converted in place
            cv2.cvtColor(cv2.flip(rgba, 0), code, dst=image[y0:y1])
        else:
            image[y0:y1, x0:x1] = cv2.cvtColor(cv2.flip(rgba, 0), code)
        return image

    def _box_buffer(self, w: int, h: int) -> np.ndarray:
        """A reused (h, w, 4) uint8 array for a box's upload or read-back."""
        W, H = self.fbo.size
        if self._read_buf is None or self._read_buf.shape != (H, W, 4):
            self._read_buf = np.empty((H, W, 4), np.uint8)
        return self._read_buf.reshape(-1)[:w * h * 4].reshape(h, w, 4)

    def _write_box(self, image: np.ndarray, box: tuple[int, int, int, int],
                   bgr: bool) -> None:
        """``image[box]`` into the colour attachment (rows bottom-up for GL)."""
        x0, y0, x1, y1 = box
        H = self.fbo.size[1]
        rgba = self._box_buffer(x1 - x0, y1 - y0)
        cv2.cvtColor(cv2.flip(image[y0:y1, x0:x1], 0),
                     cv2.COLOR_BGR2RGBA if bgr else cv2.COLOR_RGB2RGBA, dst=rgba)
        self._color_tex.write(rgba, viewport=(x0, H - y1, x1 - x0, y1 - y0))

    def _content_box(self, draw: list[Drawable], camera: Projection,
                     mirror: bool) -> tuple[int, int, int, int] | None:
        """Pixel box ``(x0, y0, x1, y1)`` (row 0 on top, end exclusive) that holds every
        pixel ``draw`` can touch, from the projected bounds of each node; None when
        nothing is drawn. Content reaching behind the camera gives the whole frame."""
        W, H = self.fbo.size
        if self._pending_skeletons:
            return (0, 0, W, H)
        return self._bounds_box(draw, camera, mirror)

    def _depth_box(self, draw: list[Drawable], camera: Projection,
                   mirror: bool) -> tuple[int, int, int, int] | None:
        """The box (as :meth:`_content_box`) of the content drawn with the depth test:
        the only pixels whose depth is ever read, so the only ones that need clearing.
        Clearing the whole depth buffer of a 1280x720 frame cost more software-GL time
        per frame than drawing a crown (issue 11)."""
        return self._bounds_box([n for n in draw if _LAYER_DEPTH[n.world_layer]
                                 and not isinstance(n, Skeleton)], camera, mirror)

    def _bounds_box(self, draw: list[Drawable], camera: Projection,
                    mirror: bool) -> tuple[int, int, int, int] | None:
        """Bounds in output pixels: content is drawn in source pixels through the screen
        mapping, so the box goes through it too (a game window over a bigger or smaller
        camera picture; with equal sizes it is the identity)."""
        W, H = self.fbo.size
        full = (0, 0, W, H)
        to_output = self.screen_map(camera.size, mirror=False)
        boxes = []
        for node in draw:
            pts = _world_bounds(node)
            if pts is None:
                return full
            if len(pts) == 0:
                continue
            if isinstance(node, Skeleton):  # geometry already in source pixels
                px = pts
            else:
                if np.any(pts[:, 2] <= camera.near):
                    return full
                px = camera.project(pts)
            if mirror and node.world_layer != "hud":
                px = np.stack([camera.size[0] - px[:, 0], px[:, 1]], -1)
            px = to_output.to_screen(px)
            boxes.append((px.min(0), px.max(0)))
        if not boxes:
            return None
        lo = np.min([b[0] for b in boxes], 0)
        hi = np.max([b[1] for b in boxes], 0)
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            return full
        pad = 2.0  # linear filtering and the line shader's anti-aliased edge
        x0 = int(np.clip(np.floor(lo[0] - pad), 0, W))
        y0 = int(np.clip(np.floor(lo[1] - pad), 0, H))
        x1 = int(np.clip(np.ceil(hi[0] + pad), 0, W))
        y1 = int(np.clip(np.ceil(hi[1] + pad), 0, H))
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, y0, x1, y1

    def _render(self, scene: Scene | None, frame: PoseFrame | None, now: float | None,
                mirror: bool | None, size: tuple[int, int] | None,
                onto: tuple[np.ndarray, bool] | None = None
                ) -> tuple[int, int, int, int] | None:
        """Draw a frame. ``onto`` (picture, is-BGR): only inside the content box, over
        that box of the picture; the box is returned (None: nothing to draw; see
        :meth:`render_onto`)."""
        mirror = self.mirror if mirror is None else bool(mirror)
        camera = self._advance(scene, frame, now, size)
        self.stats = _new_stats()
        W, H = self.fbo.size
        vp = self.screen_map(camera.size).viewport()
        image = frame.image if frame is not None else None
        draw: list[Drawable] = list(scene.draw_list) if scene is not None else []  # type: ignore[arg-type]
        box = None
        if onto is not None:
            box = self._content_box(draw, camera, mirror)
            self.stats["content_box"] = box
            if box is None:
                return None
            x0, y0, x1, y1 = box
            if (x1 - x0) * (y1 - y0) > _WHOLE_FRAME_SHARE * W * H and image is not None \
                    and self._can_write_direct(image, vp):
                onto, box = None, (0, 0, W, H)  # the whole-frame path: same pixels, cheaper
            else:
                image = None  # the caller's picture is the background, inside the box only
                self.fbo.scissor = (x0, H - y1, x1 - x0, y1 - y0)
        depth_box = box if onto is not None else self._depth_box(draw, camera, mirror)
        if self._overlay is not None:
            # before any drawing: on software GL a texture write flushes (rasterises) the
            # draws queued so far, so uploading after the scene's draws split each frame
            # into two passes over the framebuffer
            self._overlay_texture(self._overlay, self._overlay_boxes(self._overlay))
        self._clear_target(image, vp, mirror, onto, depth_box)
        self._draw_background(image, vp, camera, mirror)
        self._bind_common(camera, mirror, frame is not None and self._update_mask(frame.mask))
        self._default_body_depth = self._body_depth(camera, frame)
        self._draw_layers(draw, camera, mirror)
        self._draw_overlay(camera)
        self._gpu.purge()
        return box

    def _advance(self, scene: Scene | None, frame: PoseFrame | None, now: float | None,
                 size: tuple[int, int] | None) -> Projection:
        """Step 1: the scene reads the newest frame (anchors, one world pass); returns
        the camera model to draw with."""
        camera: Projection
        if scene is not None:
            scene.update_frame(frame, now, size)
            assert scene.camera is not None
            camera = scene.camera
        else:
            fs = frame.size if frame is not None else (size or self.fbo.size)
            src = (int(fs[0]), int(fs[1]))
            if self.camera is None or self.camera.size != src:
                self.camera = Projection(src, self.fov_y)
            camera = self.camera
        self.camera = camera
        return camera

    def _clear_target(self, image: np.ndarray | None, vp: tuple[int, int, int, int],
                      mirror: bool, onto: tuple[np.ndarray, bool] | None,
                      box: tuple[int, int, int, int] | None) -> None:
        """Step 2: the colour attachment gets the caller's box, the camera image (a
        memcpy when it fills the output) or the background colour (not where the camera
        quad will cover it anyway); depth is cleared only inside ``box`` (where content
        is drawn with the depth test; None: nowhere)."""
        fbo = self.fbo
        W, H = fbo.size
        fbo.viewport = (0, 0, W, H)
        fbo.use()
        if onto is not None:
            assert box is not None
            self._write_box(onto[0], box, onto[1])
        elif image is not None and self._can_write_direct(image, vp):
            # the camera image goes straight into the colour attachment (a memcpy), which
            # on software GL is ~20x cheaper than shading a full-screen quad
            self._write_direct(image, mirror)
            self.stats["direct_background"] = True
        elif image is None or vp != (0, 0, W, H):
            fbo.clear(*self.background, 1.0)
        if box is not None:
            x0, y0, x1, y1 = box
            fbo.color_mask = (False, False, False, False)
            fbo.clear(depth=1.0, viewport=(x0, H - y1, x1 - x0, y1 - y0))
            fbo.color_mask = (True, True, True, True)

    def _draw_background(self, image: np.ndarray | None, vp: tuple[int, int, int, int],
                         camera: Projection, mirror: bool) -> None:
        """Step 3: the source's viewport (the ScreenMap's rectangle), blending on, and
        the camera image as a textured quad when it was not written directly."""
        ctx, fbo = self.ctx, self.fbo
        fbo.viewport = vp
        fbo.use()
        self.viewport = vp
        ctx.enable_only(self._mgl.BLEND)
        ctx.blend_func = (self._mgl.SRC_ALPHA, self._mgl.ONE_MINUS_SRC_ALPHA,
                          self._mgl.ONE, self._mgl.ONE_MINUS_SRC_ALPHA)
        if image is not None and not self.stats["direct_background"]:
            self._update_background(image)
            self._draw_screen(self._bg_tex, camera, mirror, blend=False)

    def _draw_layers(self, draw: list[Drawable], camera: Projection, mirror: bool) -> None:
        """Step 4: the scene's content, layer by layer (pending skeletons below the HUD)."""
        ctx = self.ctx
        by_layer: dict[str, list[tuple[int, int, Drawable]]] = {name: [] for name in LAYERS}
        for seq, node in enumerate(draw):
            by_layer[node.world_layer].append((node.order, seq, node))
        for layer in LAYERS:
            items = by_layer[layer]
            if layer == "hud":
                self._draw_pending_skeletons(camera, mirror)
            if not items:
                continue
            # pyglet-style groups: within one layer and one ``order`` value, opaque meshes
            # first, then content grouped by texture (one instanced draw per texture);
            # use different ``order`` values to force stacking between sprites
            items.sort(key=lambda it: (it[0], _group_key(it[2]), it[1]))
            if _LAYER_DEPTH[layer]:
                ctx.enable(self._mgl.DEPTH_TEST)
            else:
                ctx.disable(self._mgl.DEPTH_TEST)
            layer_mirror = mirror and layer != "hud"
            proj = camera.projection(layer_mirror)
            self._draw_items([n for _, _, n in items], camera, proj, layer_mirror, layer)
        ctx.disable(self._mgl.DEPTH_TEST)

    def _draw_overlay(self, camera: Projection) -> None:
        """Step 5: the overlay image (a UI layer), never mirrored, only where it is not
        transparent."""
        if self._overlay is None:
            return
        fbo = self.fbo
        W, H = fbo.size
        fbo.viewport = (0, 0, W, H)
        fbo.use()
        boxes = self._overlay_boxes(self._overlay)
        self.stats["overlay_boxes"] = len(boxes)
        if not boxes:
            return
        tex = self._overlay_texture(self._overlay, boxes)
        k = len(boxes)
        if k > self._box_cap:
            while self._box_cap < k:
                self._box_cap *= 2
            self._vao_boxes.release()
            self._box_buf.orphan(self._box_cap * 16)
            self._vao_boxes = self._make_box_vao()
        self._box_buf.orphan(self._box_cap * 16)  # see _draw_sprites
        self._box_buf.write(np.asarray(boxes, np.float32))
        prog = self._prog_overlay
        prog["u_size"].value = (float(W), float(H))
        prog["u_opacity"].value = 1.0
        prog["u_tex"].value = 0
        tex.use(location=0)
        # only the boxes, in one instanced draw: software GL's blending costs per pixel
        self._vao_boxes.render(self._mgl.TRIANGLE_STRIP, vertices=4, instances=k)
        self.stats["draw_calls"] += 1

    def _body_depth(self, camera: Projection, frame: PoseFrame | None) -> float:
        z = self.occlusion_z
        if z is None:
            z = body_plane_z(frame.poses[0]) if frame is not None and frame.poses else 0.0
        return float(camera.depth(z))

    def _node_body_depth(self, node: Drawable, camera: Projection) -> float:
        d = node.world_body_depth
        return self._default_body_depth if d is None else float(d)

    def _bind_common(self, camera: Projection, mirror: bool, use_mask: bool) -> None:
        vp = self.viewport
        self._body_margin = camera.focal * 0.03
        for prog in (self._prog_sprite, self._prog_mesh):
            prog["u_use_mask"].value = bool(use_mask)
            prog["u_viewport"].value = tuple(float(v) for v in vp)
            prog["u_tex"].value = 0
            prog["u_mask"].value = 1
        self._prog_sprite["u_body_margin"].value = self._body_margin
        (self._mask_tex if use_mask else self._zero_mask).use(location=1)
        self._prog_mesh["u_light_dir"].value = LIGHT_DIR

    def _draw_screen(self, tex: Any, camera: Projection, mirror: bool, blend: bool,
                     rect: tuple[int, int, int, int] | None = None) -> None:
        """``tex`` over the whole source area, or over ``rect`` ``(x0, y0, x1, y1)``
        (source pixels, row 0 on top) with the same part of ``tex``."""
        prog = self._prog_screen
        prog["u_proj"].write(_mat_bytes(camera.screen_projection(mirror)))
        w, h = camera.size
        if rect is None:
            prog["u_rect"].value = (0.0, 0.0, float(w), float(h))
            prog["u_uv_rect"].value = (0.0, 0.0, 1.0, 1.0)
        else:
            x0, y0, x1, y1 = (float(v) for v in rect)
            prog["u_rect"].value = (x0, y0, x1 - x0, y1 - y0)
            prog["u_uv_rect"].value = (x0 / w, y0 / h, (x1 - x0) / w, (y1 - y0) / h)
        prog["u_opacity"].value = 1.0
        prog["u_tex"].value = 0
        if not blend:
            self.ctx.disable(self._mgl.BLEND)
        tex.use(location=0)
        self._vao_screen.render(self._mgl.TRIANGLE_STRIP)
        self.stats["draw_calls"] += 1
        if not blend:
            self.ctx.enable(self._mgl.BLEND)

    def _occlusion_code(self, node: Drawable, layer: str) -> int:
        if node.occlusion is not None:
            return _OCCLUSION_CODE[node.occlusion]
        return _LAYER_OCCLUSION[layer]

    def _draw_items(self, nodes: list[Drawable], camera: Projection, proj: np.ndarray,
                    mirror: bool, layer: str) -> None:
        proj_bytes = _mat_bytes(proj)
        for prog in (self._prog_sprite, self._prog_mesh):
            prog["u_mirror"].value = bool(mirror)
            prog["u_proj"].write(proj_bytes)
        i = 0
        n = len(nodes)
        while i < n:
            node = nodes[i]
            if isinstance(node, Sprite):  # batched: consecutive sprites sharing a texture
                batch = [node]
                j = i + 1
                while j < n:
                    nxt = nodes[j]
                    if not isinstance(nxt, Sprite) or nxt.texture is not node.texture:
                        break
                    batch.append(nxt)
                    j += 1
                self._draw_sprites(batch, layer)
                i = j
                continue
            drawer_for(type(node))(self, node, _DrawContext(camera, mirror, layer))
            i += 1

    def _draw_sprites(self, sprites: list[Sprite], layer: str) -> None:
        k = len(sprites)
        if k > self._sprite_cap:
            while self._sprite_cap < k:
                self._sprite_cap *= 2
            self._sprite_buf.orphan(self._sprite_cap * _SPRITE_FLOATS * 4)
            self._vao_sprite.release()
            self._vao_sprite = self._make_sprite_vao()
        data = np.empty((k, _SPRITE_FLOATS), np.float32)
        for r, s in enumerate(sprites):
            data[r, 0:16] = s.quad_matrix().T.reshape(-1)
            c = s.color
            data[r, 16:20] = (c[0], c[1], c[2], c[3] * s.world_opacity)
            data[r, 20] = self._occlusion_code(s, layer)
            data[r, 21] = self._node_body_depth(s, self.camera)
        # orphan first: rewriting storage still queued for drawing would make llvmpipe
        # flush (and software-rasterise) the whole frame so far, once per batch
        self._sprite_buf.orphan(self._sprite_cap * _SPRITE_FLOATS * 4)
        self._sprite_buf.write(data)
        self._texture(sprites[0].texture).use(location=0)
        self._vao_sprite.render(self._mgl.TRIANGLE_STRIP, vertices=4, instances=k)
        self.stats["draw_calls"] += 1
        self.stats["sprites"] += k

    def _draw_mesh(self, node: Any, data: MeshData | None, model: np.ndarray, layer: str,
                   lit: bool, entry: Any = None) -> None:
        prog = self._prog_mesh
        if entry is None:
            assert data is not None
            entry = self._mesh_vao(data)
        prog["u_model"].write(_mat_bytes(model))
        m3 = model[:3, :3]
        try:
            nm = np.linalg.inv(m3).T
        except np.linalg.LinAlgError:
            return  # a zero scale: nothing to draw
        prog["u_normal_matrix"].write(_mat_bytes(nm))
        c = node.color
        prog["u_color"].value = (c[0], c[1], c[2], c[3] * node.world_opacity)
        prog["u_lit"].value = bool(lit)
        prog["u_occlusion"].value = float(self._occlusion_code(node, layer))
        prog["u_body_depth"].value = (self._node_body_depth(node, self.camera), self._body_margin)
        tex_data = getattr(data, "texture", None) if isinstance(node, Mesh) else node.texture
        prog["u_use_texture"].value = tex_data is not None
        (self._texture(tex_data) if tex_data is not None else self._white).use(location=0)
        entry["vao"].render(self._mgl.TRIANGLES, vertices=entry["count"])
        self.stats["draw_calls"] += 1
        self.stats["meshes"] += 1

    def _draw_quad(self, node: BodyQuad, layer: str) -> None:
        entry = self._quad_vao(node)
        self._draw_mesh(node, None, np.eye(4), layer, False, entry)

    def _draw_lines(self, geom: np.ndarray, opacity: float, camera: Projection,
                    mirror: bool) -> None:
        k = len(geom)
        if k == 0:
            return
        if k > self._line_cap:
            while self._line_cap < k:
                self._line_cap *= 2
            self._line_buf.orphan(self._line_cap * _LINE_FLOATS * 4)
            self._vao_lines.release()
            self._vao_lines = self._make_line_vao()
        g = geom
        if opacity < 1.0:
            g = geom.copy()
            g[:, 7] *= opacity
        self._line_buf.orphan(self._line_cap * _LINE_FLOATS * 4)
        self._line_buf.write(np.ascontiguousarray(g, np.float32))
        self._prog_lines["u_proj"].write(_mat_bytes(camera.screen_projection(mirror)))
        depth = self.ctx.DEPTH_TEST
        self.ctx.disable(depth)
        self._vao_lines.render(self._mgl.TRIANGLE_STRIP, vertices=4, instances=k)
        self.stats["draw_calls"] += 1
        self.stats["lines"] += k

    def _draw_pending_skeletons(self, camera: Projection, mirror: bool) -> None:
        pending, self._pending_skeletons = self._pending_skeletons, []
        for frame, style, color in pending:
            th = max(2.0, frame.size[1] / 180.0)
            self._draw_lines(skeleton_geometry(frame.poses, style, thickness=th, color=color),
                             1.0, camera, mirror)

    # -- output --------------------------------------------------------------------
    def read(self) -> np.ndarray:
        """The framebuffer as RGB uint8 ``(H, W, 3)``, row 0 on top."""
        W, H = self.fbo.size
        if self._read_buf is None or self._read_buf.shape != (H, W, 4):
            self._read_buf = np.empty((H, W, 4), np.uint8)
        with self._current():
            # RGBA read-back into a reused buffer: 3-component reads are converted slowly
            self.fbo.read_into(self._read_buf, viewport=(0, 0, W, H), components=4)
        return cv2.cvtColor(cv2.flip(self._read_buf, 0), cv2.COLOR_RGBA2RGB)

    def release(self) -> None:
        """Free every GL object this renderer made (and the context if it owns it)."""
        if self._released:
            return
        self._released = True
        with self._current():
            self._release_all()
        if self._owns_context:
            self.fbo.release()
            self.ctx.release()
            forget_offscreen(self.ctx)
            if current_context() is self.ctx:
                note_current(None)

    def _release_all(self) -> None:
        self._gpu.clear()
        if self._present is not None:
            for obj in (self._present[1],) + self._present[2]:
                obj.release()
            self._present = None
        for obj in (self._bg_tex, self._mask_tex, self._overlay_tex, self._white,
                    self._zero_mask, self._vao_screen, self._vao_boxes, self._box_buf,
                    self._prog_overlay,
                    self._vao_sprite, self._vao_lines, self._quad, self._sprite_buf,
                    self._line_buf, self._line_quad, self._prog_screen, self._prog_sprite,
                    self._prog_mesh, self._prog_lines):
            if obj is not None:
                obj.release()

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class _DrawContext:
    """What a drawer needs besides its node: the camera, mirroring and the layer."""

    __slots__ = ("camera", "mirror", "layer")

    def __init__(self, camera: Projection, mirror: bool, layer: str) -> None:
        self.camera, self.mirror, self.layer = camera, mirror, layer


Drawer = Callable[[Renderer, Any, _DrawContext], None]
_DRAWERS: dict[type, Drawer] = {}


def register_drawer(node_type: type, drawer: Drawer) -> None:
    """Teach the renderer a new kind of node: ``drawer(renderer, node, ctx)`` draws it
    (``ctx.camera``, ``ctx.mirror``, ``ctx.layer``). Subclasses use their base's drawer
    unless they register their own."""
    _DRAWERS[node_type] = drawer


def drawer_for(node_type: type) -> Drawer:
    """The drawer registered for ``node_type`` (or its nearest base class).

    Raises:
        RenderError: no drawer for this kind of node (names the kinds that have one).
    """
    for base in node_type.__mro__:
        fn = _DRAWERS.get(base)
        if fn is not None:
            return fn
    kinds = ", ".join(sorted(t.__name__ for t in _DRAWERS))
    raise RenderError(f"no drawer for node type {node_type.__name__}; register one with "
                      f"arpose.render.renderer.register_drawer (drawable kinds: {kinds})")


def _draw_mesh_node(r: Renderer, node: Mesh, ctx: _DrawContext) -> None:
    r._draw_mesh(node, node.mesh, node.world_matrix, ctx.layer, node.lit)


def _draw_quad_node(r: Renderer, node: BodyQuad, ctx: _DrawContext) -> None:
    if node.vertices is not None:
        r._draw_quad(node, ctx.layer)


def _draw_skeleton_node(r: Renderer, node: Skeleton, ctx: _DrawContext) -> None:
    r._draw_lines(node.geometry, node.world_opacity, ctx.camera, ctx.mirror)


def _draw_sprite_node(r: Renderer, node: Sprite, ctx: _DrawContext) -> None:
    r._draw_sprites([node], ctx.layer)


register_drawer(Sprite, _draw_sprite_node)
register_drawer(Mesh, _draw_mesh_node)
register_drawer(BodyQuad, _draw_quad_node)
register_drawer(Skeleton, _draw_skeleton_node)


_UNIT_QUAD = np.array([[0, 0, 0, 1], [1, 0, 0, 1], [0, 1, 0, 1], [1, 1, 0, 1]], float)


def _world_bounds(node: Drawable) -> np.ndarray | None:
    """Points whose projections bound what ``node`` draws: world (N, 3), or source
    pixels (N, 2) for a skeleton; empty when it draws nothing, None when unknown."""
    if isinstance(node, Sprite):
        return (_UNIT_QUAD @ node.quad_matrix().T)[:, :3]
    if isinstance(node, Mesh):
        return (node.mesh.corners() @ np.asarray(node.world_matrix, float).T)[:, :3]
    if isinstance(node, BodyQuad):
        if node.vertices is None:
            return np.zeros((0, 3))
        return np.asarray(node.vertices[:, :3], float)
    if isinstance(node, Skeleton):
        g = node.geometry
        if len(g) == 0:
            return np.zeros((0, 2))
        r = g[:, 8:9] / 2.0 + 1.0
        ends = np.concatenate([g[:, 0:2] - r, g[:, 0:2] + r, g[:, 2:4] - r, g[:, 2:4] + r])
        return ends.astype(float)
    return None


def render_frame(renderer: Renderer, scene: Scene | None, frame: PoseFrame, *,
                 mirror: bool = False, now: float | None = None,
                 skeleton: str | None = None) -> np.ndarray:
    """Render one frame and return RGB ``(H, W, 3)`` uint8: the one-call API for offline
    rendering (``arpose render``) and tests. ``skeleton`` adds an overlay style."""
    if skeleton:
        renderer.draw_skeleton(frame, skeleton)
    out = renderer.render(scene, frame, now=now, mirror=mirror, read=True)
    assert out is not None
    return out
