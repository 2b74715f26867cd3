"""The background pass: clears the target and puts the camera picture under everything."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from ...errors import RenderError
from ..resources import Gpu, mat_bytes
from .base import FrameState, RenderPass


class BackgroundPass(RenderPass):
    """First pass of every frame. The colour attachment gets the caller's box
    (:meth:`Renderer.draw_onto`), the camera picture (a memcpy when it fills the output:
    on software GL ~20x cheaper than shading a full-screen quad) or the background colour
    (not where the camera quad will cover it anyway); depth is cleared only inside the
    frame's depth box. Then the source viewport and alpha blending are set and, when it
    was not written directly, the picture is drawn as a textured quad.
    """

    name = "background"
    stage = "background"

    def setup(self, gpu: Gpu) -> None:
        self.gpu = gpu
        self.prog = gpu.program("screen.vert", "screen.frag")
        self.vao = gpu.ctx.vertex_array(self.prog, [(gpu.quad, "2f", "in_pos")])
        self.texture: Any = None
        """The camera picture's texture: one, reused, rewritten only for a new image."""
        self._source: Any = None
        self._rgba: Any = None
        self._direct_buf: Any = None
        self._direct_rgba: Any = None
        self._direct_key: tuple[Any, bool] | None = None

    def covers_frame(self, frame: FrameState) -> bool:
        return False  # it is the picture under the content, not content

    def draw(self, frame: FrameState) -> None:
        fbo, mgl, ctx = frame.fbo, frame.gpu.mgl, frame.ctx
        W, H = frame.size
        fbo.viewport = (0, 0, W, H)
        fbo.use()
        image, vp = frame.image, frame.viewport
        if frame.onto is not None:
            assert frame.box is not None
            self._write_box(frame, *frame.onto)
        elif image is not None and frame.can_write_direct(image):
            self._write_direct(frame, image)
            frame.stats["direct_background"] = True
        elif image is None or vp != (0, 0, W, H):
            fbo.clear(*frame.clear_color, 1.0)
        if frame.depth_box is not None:
            x0, y0, x1, y1 = frame.depth_box
            fbo.color_mask = (False, False, False, False)
            fbo.clear(depth=1.0, viewport=(x0, H - y1, x1 - x0, y1 - y0))
            fbo.color_mask = (True, True, True, True)
        fbo.viewport = vp
        fbo.use()
        ctx.enable_only(mgl.BLEND)
        ctx.blend_func = (mgl.SRC_ALPHA, mgl.ONE_MINUS_SRC_ALPHA, mgl.ONE, mgl.ONE_MINUS_SRC_ALPHA)
        if image is not None and not frame.stats["direct_background"]:
            self._upload(image)
            self._draw_quad(frame)

    def _upload(self, image: np.ndarray) -> None:
        if image is self._source and self.texture is not None:
            return
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise RenderError(
                f"background image must be RGB uint8 (H, W, 3), got {image.dtype} {image.shape}"
            )
        h, w = image.shape[:2]
        mgl = self.gpu.mgl
        if self.texture is None or self.texture.size != (w, h):
            if self.texture is not None:
                self.texture.release()
            # RGBA: Mesa converts 3-component uploads pixel by pixel (4x slower)
            self.texture = self.gpu.ctx.texture((w, h), 4)
            self.texture.filter = (mgl.LINEAR, mgl.LINEAR)
            self.texture.repeat_x = self.texture.repeat_y = False
            self._rgba = np.empty((h, w, 4), np.uint8)
        cv2.cvtColor(image, cv2.COLOR_RGB2RGBA, dst=self._rgba)
        self.texture.write(self._rgba)
        self._source = image

    def _draw_quad(self, frame: FrameState) -> None:
        """The picture over the whole source area, blending off."""
        prog, camera, mgl = self.prog, frame.camera, self.gpu.mgl
        prog["u_proj"].write(mat_bytes(camera.screen_projection(frame.flip)))
        w, h = camera.size
        prog["u_rect"].value = (0.0, 0.0, float(w), float(h))
        prog["u_uv_rect"].value = (0.0, 0.0, 1.0, 1.0)
        prog["u_opacity"].value = 1.0
        prog["u_tex"].value = 0
        frame.ctx.disable(mgl.BLEND)
        self.texture.use(location=0)
        self.vao.render(mgl.TRIANGLE_STRIP)
        frame.stats["draw_calls"] += 1
        frame.ctx.enable(mgl.BLEND)

    def _write_direct(self, frame: FrameState, image: np.ndarray) -> None:
        """``image`` into the colour attachment (rows bottom-up for GL, flipped
        horizontally in mirror mode); the converted copy is reused for repeat frames."""
        flip = frame.flip
        key = self._direct_key
        if key is None or key[0] is not image or key[1] != flip:
            h, w = image.shape[:2]
            if self._direct_buf is None or self._direct_buf.shape[:2] != (h, w):
                self._direct_rgba = np.empty((h, w, 4), np.uint8)
                self._direct_buf = np.empty((h, w, 4), np.uint8)
            cv2.cvtColor(image, cv2.COLOR_RGB2RGBA, dst=self._direct_rgba)
            cv2.flip(self._direct_rgba, -1 if flip else 0, dst=self._direct_buf)
            self._direct_key = (image, flip)
        frame.color_tex.write(self._direct_buf)

    def _write_box(self, frame: FrameState, image: np.ndarray, bgr: bool) -> None:
        """The box of the caller's picture into the colour attachment (rows bottom-up)."""
        assert frame.box is not None
        x0, y0, x1, y1 = frame.box
        H = frame.size[1]
        rgba = frame.gpu.pixels(frame.size, x1 - x0, y1 - y0)
        cv2.cvtColor(
            cv2.flip(image[y0:y1, x0:x1], 0), cv2.COLOR_BGR2RGBA if bgr else cv2.COLOR_RGB2RGBA, dst=rgba
        )
        frame.color_tex.write(rgba, viewport=(x0, H - y1, x1 - x0, y1 - y0))

    def release(self) -> None:
        for obj in (self.texture, self.vao):
            if obj is not None:
                obj.release()
        self.texture = None
