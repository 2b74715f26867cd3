"""Where the renderer draws: an EGL offscreen framebuffer or a pygame OpenGL window.

Both give a ``moderngl.Context`` and a target framebuffer; :class:`~arpose.render.Renderer`
draws into either through the same code, and nothing in the scene graph knows which.

- :func:`create_offscreen` makes a standalone EGL context (no display needed; software
  llvmpipe on machines without a GPU) with an RGBA8 + depth framebuffer.
- :class:`Window` opens a pygame window with ``OPENGL | DOUBLEBUF``; moderngl attaches to
  its context and draws into ``ctx.screen``. With ``SDL_VIDEODRIVER=offscreen`` this runs
  headless too, which is how the tests exercise the window path.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from ..errors import RenderError

log = logging.getLogger(__name__)

_CURRENT = threading.local()
"""The moderngl context current in each thread, as far as arpose made or saw it so."""


def current_context() -> Any:
    """The context arpose last made current in this thread (None: none is)."""
    return getattr(_CURRENT, "ctx", None)


def note_current(ctx: Any) -> None:
    """Record that ``ctx`` (None: no context) is now current in this thread: every place
    that changes the current context says so, or a renderer would draw into another
    context's objects, believing its own was still current."""
    _CURRENT.ctx = ctx


def make_current(ctx: Any) -> None:
    """Make ``ctx`` current in this thread unless it already is (a switch costs a full
    software-GL flush, so it happens only when needed)."""
    if current_context() is not ctx:
        ctx.__enter__()  # no __exit__: it stays current until the next switch
        note_current(ctx)


_OFFSCREEN: weakref.WeakSet[Any] = weakref.WeakSet()
"""Live standalone (offscreen) contexts of this process (see :meth:`Window.close`)."""
_EGL_DRIVERS = ("offscreen", "wayland", "kmsdrm")
"""SDL video drivers whose GL goes through EGL, on the same EGL display as ours."""


def forget_offscreen(ctx: Any) -> None:
    """``ctx`` (from :func:`create_offscreen`) was released."""
    _OFFSCREEN.discard(ctx)


_HINT = "headless rendering needs EGL and Mesa's drivers (Debian/Ubuntu: apt install libegl1 libgl1-mesa-dri)"


def create_offscreen(size: tuple[int, int], samples: int = 0):
    """A standalone EGL context and a framebuffer of ``size`` (w, h).

    Returns:
        (ctx, fbo)

    Raises:
        RenderError: when no context can be created (with what to install).
    """
    import moderngl  # lazy: loads the GL/SDL libraries; only creating a context needs them

    w, h = _check_size(size)
    errors = []
    options: list[dict[str, Any]] = [{"backend": "egl"}, {}]
    for kwargs in options:
        try:
            ctx = moderngl.create_context(standalone=True, require=330, **kwargs)
            break
        except Exception as exc:  # moderngl raises plain Exceptions for missing libs
            errors.append(f"{kwargs.get('backend', 'default')}: {exc}")
    else:
        raise RenderError(f"cannot create an offscreen OpenGL 3.3 context ({'; '.join(errors)}); {_HINT}")
    note_current(ctx)  # a new standalone context is current where it was made
    _OFFSCREEN.add(ctx)
    ctx.gc_mode = "context_gc"
    max_rb = int(ctx.info.get("GL_MAX_RENDERBUFFER_SIZE", 16384))
    if max(w, h) > max_rb:
        ctx.release()
        raise RenderError(f"output size {w}x{h} exceeds this GL's limit of {max_rb} pixels per side")
    samples = min(int(samples), ctx.max_samples) if samples else 0
    # a texture (not a renderbuffer) so the renderer can write the camera image straight in
    color = ctx.renderbuffer((w, h), components=4, samples=samples) if samples else ctx.texture((w, h), 4)
    depth = ctx.depth_renderbuffer((w, h), samples=samples)
    fbo = ctx.framebuffer(color_attachments=[color], depth_attachment=depth)
    log.debug("offscreen context: %s, %dx%d", ctx.info.get("GL_RENDERER"), w, h)
    return ctx, fbo


def _check_size(size) -> tuple[int, int]:
    try:
        w, h = (int(size[0]), int(size[1]))
    except (TypeError, ValueError, IndexError):
        raise RenderError(f"render size must be (width, height), got {size!r}") from None
    if w <= 0 or h <= 0 or w > 16384 or h > 16384:
        raise RenderError(f"render size must be between 1 and 16384 per side, got {w}x{h}")
    return w, h


class Window:
    """A pygame window with an OpenGL context.

    Args:
        size: (w, h) of the window.
        title: window caption.
        vsync: ask for vsync (ignored where unsupported).

    Attributes:
        ctx: the moderngl context attached to the window.
        fbo: ``ctx.screen``.
    """

    def __init__(
        self,
        size: tuple[int, int] = (1280, 720),
        title: str = "arpose",
        vsync: bool = True,
        resizable: bool = False,
        fullscreen: bool = False,
    ):
        import moderngl  # lazy: loads the GL/SDL libraries; only creating a context needs them
        import pygame  # lazy: loads the GL/SDL libraries; only creating a context needs them

        self.size = _check_size(size)
        pygame.display.init()
        for attr, value in (
            (pygame.GL_CONTEXT_MAJOR_VERSION, 3),
            (pygame.GL_CONTEXT_MINOR_VERSION, 3),
            (pygame.GL_CONTEXT_PROFILE_MASK, pygame.GL_CONTEXT_PROFILE_CORE),
        ):
            pygame.display.gl_set_attribute(attr, value)
        flags = (
            pygame.OPENGL
            | pygame.DOUBLEBUF
            | (pygame.RESIZABLE if resizable else 0)
            | (pygame.FULLSCREEN if fullscreen else 0)
        )
        try:
            self.surface = pygame.display.set_mode(self.size, flags, vsync=int(vsync))
        except pygame.error:
            try:
                self.surface = pygame.display.set_mode(self.size, flags)
            except pygame.error as exc:
                raise RenderError(f"cannot open an OpenGL window of {self.size}: {exc}") from exc
        pygame.display.set_caption(title)
        # SDL's offscreen/wayland drivers make an EGL context current; X11 uses GLX.
        driver = pygame.display.get_driver()
        order = ("egl", None) if driver in ("offscreen", "wayland", "kmsdrm") else (None, "egl")
        errors = []
        for backend in order:
            try:
                kw: dict[str, Any] = {"backend": backend} if backend else {}
                self.ctx = moderngl.create_context(require=330, **kw)
                break
            except Exception as exc:  # glcontext raises plain Exceptions
                errors.append(f"{backend or 'default'}: {exc}")
        else:
            raise RenderError(f"cannot attach OpenGL to the pygame window ({'; '.join(errors)})")
        note_current(self.ctx)  # SDL made the window's context current
        self.fbo = self.ctx.screen
        self.size = (int(self.fbo.size[0]), int(self.fbo.size[1]))
        self.closed = False

    def flip(self) -> None:
        """Show the frame just rendered."""
        import pygame  # lazy: loads the GL/SDL libraries; only creating a context needs them

        pygame.display.flip()

    def close(self) -> None:
        import pygame  # lazy: loads the GL/SDL libraries; only creating a context needs them

        if not self.closed:
            self.closed = True
            if not pygame.display.get_init():
                pass  # SDL's video was quit already (pygame.quit())
            elif pygame.display.get_driver() in _EGL_DRIVERS and len(_OFFSCREEN):
                # SDL's EGL drivers use the EGL display our offscreen contexts live on,
                # and quitting SDL's video terminates it: every offscreen renderer still
                # open would then draw nothing (eglMakeCurrent: EGL_BAD_DISPLAY). Hide
                # the window instead; SDL quits at exit.
                pygame.display.set_mode((1, 1), pygame.OPENGL | pygame.HIDDEN)
            else:
                pygame.display.quit()
            if current_context() is self.ctx:
                note_current(None)  # the window's context is gone: none is current

    def __enter__(self) -> Window:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
