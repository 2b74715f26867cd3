"""The moderngl renderer: a frame is one :class:`~arpose.render.composition.Composition`
drawn by a list of render passes.

Per frame (:meth:`Renderer.draw`):

1. the scene advances to the composition's PoseFrame (anchors read the body, one world
   pass), and the body mask is uploaded into one reused texture;
2. every pass prepares (uploads before any drawing: on software GL a texture write
   flushes the draws queued so far);
3. the passes draw (:mod:`arpose.render.passes`): the background pass writes the camera
   image into the target (a memcpy when it fills the output, never a new texture per
   frame); then layer by layer (``background``, ``behind_body``, ``body``, ``front``,
   ``hud``; see :data:`arpose.scene.node.LAYERS`), with a depth buffer and alpha
   blending, the scene's nodes are handed to the pass drawing their type, grouped by
   their batch key (meshes one draw each, consecutive sprites sharing a texture in one
   instanced draw, warped quads, skeletons); the composition's skeletons come before
   the ``hud`` layer and its overlay last;
4. the body mask (``PoseFrame.mask``) hides content behind the body plane, or all
   content of the ``background``/``behind_body`` layers, where the person is;
5. mirror mode negates x in the projection, once; the data stay unmirrored, so content
   on the user's left eye stays on it (it simply appears on the left of the mirrored
   picture). The ``hud`` layer and the overlay are never mirrored.

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
        rgb = r.render(scene, pose_frame, flip=True)   # (720, 1280, 3) uint8
        rgb = r.draw(Composition(pose_frame, scene, overlay=hud_rgba, flip=True))
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from ..compat import renamed_keywords
from ..errors import RenderError
from ..pose import PoseFrame
from ..scene.anchors import body_plane_z
from ..scene.node import Drawable, Scene
from ..scene.projection import DEFAULT_FOV_Y, Projection
from ..scene.screen import ScreenMap
from .composition import Composition, SkeletonOverlay
from .context import create_offscreen, current_context, forget_offscreen, note_current
from .context import make_current as _make_current
from .passes import FrameState, RenderPass, default_passes
from .passes.base import LAYER_DEPTH
from .passes.pass_list import PassList
from .resources import Gpu, load_shader

__all__ = ["Renderer", "render_frame", "STATS_KEYS", "load_shader"]

Box = tuple[int, int, int, int]
_WHOLE_FRAME_SHARE = 0.6
"""Content boxes larger than this share of the frame are composited as a whole frame by
:meth:`Renderer.draw_onto` (the box path's own copies cost more there: measured
crossover 0.55-0.7 at 1280x720 on llvmpipe)."""
STATS_KEYS = ("draw_calls", "sprites", "meshes", "lines", "direct_background", "content_box", "overlay_boxes")
"""The keys of :attr:`Renderer.stats`, the same after every render."""


def _new_stats() -> dict[str, Any]:
    return {
        "draw_calls": 0,
        "sprites": 0,
        "meshes": 0,
        "lines": 0,
        "direct_background": False,
        "content_box": None,
        "overlay_boxes": 0,
    }


class Renderer:
    """Draws :class:`~arpose.render.composition.Composition` frames (a scene over the
    camera image) into a framebuffer, with a list of render passes.

    Use :meth:`offscreen` (EGL, read pixels back) or :meth:`for_window` (a
    :class:`~arpose.render.context.Window`); both use this same class. New kinds of
    content or frame steps are passes: :meth:`add_pass`.

    Args:
        ctx: a moderngl context; fbo: the framebuffer to draw into.
        flip: default for :meth:`draw` (selfie view).
        occlusion: use ``PoseFrame.mask`` to hide content behind the body.
        occlusion_z: landmark z (pixel units, 0 = hip plane) of the body plane for content
            that is not under an anchor; None (default) estimates it from the first
            person (:func:`~arpose.scene.anchors.body_plane_z`). Content under an anchor
            uses the plane of the person its anchor follows. Content further away than
            the plane is hidden where the mask covers it.
        background: RGB in [0, 1] where there is no camera image.
        fov_y: vertical field of view used when the scene does not say (degrees).
        fit: ``"contain"`` (letterbox, default), ``"cover"`` (fill and crop: the games)
            or ``"stretch"``; the same :class:`~arpose.scene.screen.ScreenMap` the
            body input and the games' drawing use.
    """

    @renamed_keywords(mirror="flip")
    def __init__(
        self,
        ctx: Any,
        fbo: Any,
        *,
        flip: bool = False,
        occlusion: bool = True,
        occlusion_z: float | None = None,
        background: Sequence[float] = (0.0, 0.0, 0.0),
        fov_y: float = DEFAULT_FOV_Y,
        owns_context: bool = False,
        fit: str = "contain",
    ):
        self.ctx = ctx
        self.fbo = fbo
        self.flip = bool(flip)
        self.occlusion = bool(occlusion)
        self.occlusion_z = occlusion_z
        self.background = tuple(float(c) for c in background)
        self.fov_y = float(fov_y)
        ScreenMap((1, 1), (1, 1), fit=fit)  # validate early
        self.fit = fit
        """How the source fills the output (see :class:`arpose.scene.screen.ScreenMap`)."""
        self._owns_context = owns_context
        self._released = False
        self.gpu = Gpu(ctx)
        """The GL objects the passes share (programs, textures, the mask)."""
        attachment = fbo.color_attachments[0] if fbo.color_attachments else None
        self._color_tex: Any = attachment if isinstance(attachment, self.gpu.mgl.Texture) else None
        self._passes = PassList(self.gpu)
        for p in default_passes():
            self.add_pass(p)
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
    def offscreen(cls, size: tuple[int, int] = (1280, 720), *, samples: int = 0, **kw: Any) -> Renderer:
        """A renderer drawing into an EGL offscreen framebuffer of ``size`` (w, h)."""
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

    @property
    def max_texture_size(self) -> int:
        """Largest texture side this GL uploads (larger assets draw a placeholder)."""
        return self.gpu.max_texture_size

    @max_texture_size.setter
    def max_texture_size(self, value: int) -> None:
        self.gpu.max_texture_size = int(value)

    # -- passes --------------------------------------------------------------------
    @property
    def passes(self) -> tuple[RenderPass, ...]:
        """The render passes, in the order they were added (drawn by stage)."""
        return tuple(self._passes)

    def add_pass(self, render_pass: RenderPass) -> RenderPass:
        """Add a pass (set up now, drawn from the next frame on) and return it. A pass
        listing node types takes them over from the passes added before it."""
        with self._current():
            return self._passes.add(render_pass)

    def find_pass(self, name: str) -> RenderPass | None:
        """The last added pass called ``name`` (None when there is none)."""
        return self._passes.find(name)

    # -- drawing -------------------------------------------------------------------
    def screen_map(self, src: tuple[int, int], flip: bool | None = None) -> ScreenMap:
        """The source -> output mapping this renderer draws with (the one mapping)."""
        flip = self.flip if flip is None else bool(flip)
        return ScreenMap((int(src[0]), int(src[1])), tuple(self.fbo.size), flip, self.fit)

    def draw(self, composition: Composition, *, read: bool = True) -> np.ndarray | None:
        """Draw one frame; return RGB uint8 ``(H, W, 3)`` when ``read`` (False skips the
        read-back: windows)."""
        if self._released:
            raise RenderError("renderer was released")
        with self._current():
            self._draw(composition)
            if self._present is not None:
                self.ctx.copy_framebuffer(self._present[0], self._present[1])
            return self.read() if read else None

    def draw_onto(self, composition: Composition, image: np.ndarray, *, channels: str = "rgb") -> np.ndarray:
        """Draw ``composition`` over ``image`` in place and return ``image``.

        The offline path (``arpose render``): the same picture as :meth:`draw`, but GL
        only touches the box that the content's projected bounds cover: that box of
        ``image`` is written into the framebuffer, the content is drawn over it
        (scissored to the box) and the box is read back into ``image``. Pixels outside
        the box are never uploaded, drawn, read or converted: on software GL, for a hat
        or a pair of glasses, several times cheaper than a whole frame. A box over
        :data:`_WHOLE_FRAME_SHARE` of the frame is drawn as a whole frame from
        ``frame.image`` (the same pixels, by the contract below, at less cost).

        Args:
            image: ``frame.image`` as the output should show it: uint8 (H, W, 3) of the
                framebuffer's size, flipped horizontally when mirrored, in ``channels``
                order (``"rgb"``, or ``"bgr"`` for OpenCV writers).

        When the source does not fill the framebuffer (letterboxed), there is an overlay
        or the framebuffer is multisampled, the whole frame is composited
        (:meth:`draw`) and copied into ``image`` instead.
        """
        if self._released:
            raise RenderError("renderer was released")
        if channels not in ("rgb", "bgr"):
            raise ValueError(f"channels must be 'rgb' or 'bgr', got {channels!r}")
        W, H = self.fbo.size
        if image.shape != (H, W, 3) or image.dtype != np.uint8 or not image.flags.c_contiguous:
            raise RenderError(
                f"render_onto needs a contiguous uint8 ({H}, {W}, 3) image, got {image.dtype} {image.shape}"
            )
        frame = composition.frame
        if frame is None:
            raise RenderError("render_onto needs a composition with a frame")
        bgr = channels == "bgr"
        if (
            composition.overlay is not None
            or self._color_tex is None
            or self.screen_map((int(frame.size[0]), int(frame.size[1]))).viewport() != (0, 0, W, H)
        ):
            out = self.draw(composition, read=True)
            assert out is not None
            if bgr:
                cv2.cvtColor(out, cv2.COLOR_RGB2BGR, dst=image)
            else:
                image[...] = out
            return image
        with self._current():
            try:
                box = self._draw(composition, onto=(image, bgr))
            finally:
                self.fbo.scissor = None
            if box is None:
                return image
            x0, y0, x1, y1 = box
            rgba = self.gpu.pixels((W, H), x1 - x0, y1 - y0)
            self.fbo.read_into(rgba, viewport=(x0, H - y1, x1 - x0, y1 - y0), components=4)
        code = cv2.COLOR_RGBA2BGR if bgr else cv2.COLOR_RGBA2RGB
        if x1 - x0 == W:  # whole rows: a contiguous part of the picture, converted in place
            cv2.cvtColor(cv2.flip(rgba, 0), code, dst=image[y0:y1])
        else:
            image[y0:y1, x0:x1] = cv2.cvtColor(cv2.flip(rgba, 0), code)
        return image

    @renamed_keywords(mirror="flip")
    def render(
        self,
        scene: Scene | None,
        frame: PoseFrame | None,
        *,
        now: float | None = None,
        flip: bool | None = None,
        size: tuple[int, int] | None = None,
        read: bool = True,
    ) -> np.ndarray | None:
        """:meth:`draw` of ``Composition(frame, scene, now=, flip=, size=)``: ``scene``
        advanced to ``frame`` over ``frame.image`` (``size``: source size without a
        frame). Returns RGB uint8 ``(H, W, 3)`` when ``read``."""
        return self.draw(Composition(frame, scene, now=now, flip=flip, size=size), read=read)

    @renamed_keywords(mirror="flip")
    def render_onto(
        self,
        scene: Scene | None,
        frame: PoseFrame,
        image: np.ndarray,
        *,
        now: float | None = None,
        flip: bool | None = None,
        channels: str = "rgb",
    ) -> np.ndarray:
        """:meth:`draw_onto` of ``Composition(frame, scene, now=, flip=)``."""
        return self.draw_onto(Composition(frame, scene, now=now, flip=flip), image, channels=channels)

    def _draw(self, comp: Composition, onto: tuple[np.ndarray, bool] | None = None) -> Box | None:
        """Draw a frame. ``onto`` (picture, is-BGR): only inside the content box, over
        that box of the picture; the box is returned (None: nothing to draw)."""
        flip = self.flip if comp.flip is None else bool(comp.flip)
        frame, scene = comp.frame, comp.scene
        camera = self.camera = _advance(comp, self.camera, self.fov_y, self.fbo.size)
        self.stats = _new_stats()
        vp = self.screen_map(camera.size).viewport()
        self.viewport = vp
        mask = frame.mask if frame is not None and self.occlusion else None
        z = self.occlusion_z
        if z is None:
            z = body_plane_z(frame.poses[0]) if frame is not None and frame.poses else 0.0
        state = FrameState(
            gpu=self.gpu,
            fbo=self.fbo,
            color_tex=self._color_tex,
            composition=comp,
            camera=camera,
            flip=flip,
            viewport=vp,
            stats=self.stats,
            clear_color=self.background,
            mask_tex=self.gpu.zero_mask,
            use_mask=mask is not None,
            default_body_depth=float(camera.depth(z)),
        )
        draw: list[Drawable] = list(scene.draw_list) if scene is not None else []  # type: ignore[arg-type]
        if not _place(state, draw, self._passes, self.screen_map(camera.size, flip=False), onto):
            return None
        if mask is not None:  # uploaded before any drawing (see RenderPass.prepare)
            state.mask_tex = self.gpu.mask(mask)
        self._passes.draw_frame(state, draw)
        self.gpu.cache.purge()
        return state.box

    # -- context and output --------------------------------------------------------
    def _current(self) -> contextlib.nullcontext[None]:
        """Make this renderer's context current when another one is (several offscreen
        renderers, or one beside a window, may live in one thread). Switching costs a
        full llvmpipe flush, so it only happens when needed."""
        self.make_current()
        return contextlib.nullcontext()

    def make_current(self) -> None:
        """Make this renderer's context current in this thread (a no-op when it is)."""
        _make_current(self.ctx)

    def read(self) -> np.ndarray:
        """The framebuffer as RGB uint8 ``(H, W, 3)``, row 0 on top."""
        W, H = self.fbo.size
        buf = self.gpu.pixels((W, H))
        with self._current():
            # RGBA read-back into a reused buffer: 3-component reads are converted slowly
            self.fbo.read_into(buf, viewport=(0, 0, W, H), components=4)
        return cv2.cvtColor(cv2.flip(buf, 0), cv2.COLOR_RGBA2RGB)

    def release(self) -> None:
        """Free every GL object this renderer made (and the context if it owns it)."""
        if self._released:
            return
        self._released = True
        with self._current():
            if self._present is not None:
                for obj in (self._present[1],) + self._present[2]:
                    obj.release()
                self._present = None
            self._passes.release()
            self.gpu.release()
        if self._owns_context:
            self.fbo.release()
            self.ctx.release()
            forget_offscreen(self.ctx)
            if current_context() is self.ctx:
                note_current(None)

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _advance(
    comp: Composition, last: Projection | None, fov_y: float, out_size: tuple[int, int]
) -> Projection:
    """The scene reads the newest frame (anchors, one world pass); returns the camera
    model to draw with (the scene's, or ``last`` when it still fits a frame without
    a scene)."""
    scene, frame = comp.scene, comp.frame
    if scene is not None:
        scene.update_frame(frame, comp.now, comp.size)
        assert scene.camera is not None
        return scene.camera
    fs = frame.size if frame is not None else (comp.size or out_size)
    src = (int(fs[0]), int(fs[1]))
    if last is None or last.size != src:
        return Projection(src, fov_y)
    return last


def _place(
    state: FrameState,
    draw: list[Drawable],
    passes: PassList,
    to_output: ScreenMap,
    onto: tuple[np.ndarray, bool] | None,
) -> bool:
    """Set the frame's boxes: for ``onto`` (a :meth:`Renderer.draw_onto` frame) the
    content box, which becomes the background's box, the scissor and the depth box (or
    the whole-frame path, when the box is most of the frame); otherwise the depth box.
    False: nothing to draw."""
    W, H = state.size
    flip, camera = state.flip, state.camera
    if onto is not None:
        box = (
            (0, 0, W, H)
            if any(p.covers_frame(state) for p in passes)
            else _bounds_box(draw, camera, to_output, flip)
        )
        state.stats["content_box"] = box
        if box is None:
            return False
        x0, y0, x1, y1 = box
        if (
            (x1 - x0) * (y1 - y0) > _WHOLE_FRAME_SHARE * W * H
            and state.image is not None
            and state.can_write_direct(state.image)
        ):
            onto, box = None, (0, 0, W, H)  # the whole-frame path: same pixels, cheaper
        else:
            state.image = None  # the caller's picture is the background, in the box only
            state.fbo.scissor = (x0, H - y1, x1 - x0, y1 - y0)
        state.onto, state.box = onto, box
    # depth is read only where depth-tested content draws: clearing a whole 1280x720
    # depth buffer cost more software-GL time per frame than drawing a crown (issue 11)
    state.depth_box = (
        state.box
        if onto is not None
        else _bounds_box(
            [n for n in draw if LAYER_DEPTH[n.world_layer] and n.depth_tested], camera, to_output, flip
        )
    )
    return True


def _bounds_box(draw: list[Drawable], camera: Projection, to_output: ScreenMap, flip: bool) -> Box | None:
    """Output pixel box ``(x0, y0, x1, y1)`` (row 0 on top, end exclusive) holding every
    pixel ``draw`` can touch, from each node's :meth:`~Drawable.pixel_bounds` taken
    through the screen mapping (a game window over a bigger or smaller camera picture;
    with equal sizes it is the identity); None when nothing is drawn, the whole frame
    when a node's bounds are unknown (or reach behind the camera)."""
    W, H = to_output.screen_size
    full = (0, 0, W, H)
    boxes = []
    for node in draw:
        px = node.pixel_bounds(camera)
        if px is None:
            return full
        if len(px) == 0:
            continue
        if flip and node.world_layer != "hud":
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


@renamed_keywords(mirror="flip")
def render_frame(
    renderer: Renderer,
    scene: Scene | None,
    frame: PoseFrame,
    *,
    flip: bool = False,
    now: float | None = None,
    skeleton: str | None = None,
) -> np.ndarray:
    """Render one frame and return RGB ``(H, W, 3)`` uint8: the one-call API for offline
    rendering (``arpose render``) and tests. ``skeleton`` adds an overlay style."""
    skeletons = (SkeletonOverlay(frame, skeleton),) if skeleton else ()
    out = renderer.draw(Composition(frame, scene, skeletons=skeletons, now=now, flip=flip))
    assert out is not None
    return out
