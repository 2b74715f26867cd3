"""Box compositing (``Renderer.render_onto``, what ``arpose render`` uses): GL uploads,
draws and reads back only the box the content covers, over the caller's own picture.
It must give exactly the pixels of the whole-frame path (``render(read=True)``, what the
live mirror shows), touch nothing outside the content, and fall back where it cannot."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from gl_fixtures import (
    make_frame,
    make_pose,
    solid,
)

from arpose.apps.offline import _detect
from arpose.effects import EffectRenderer, gallery, load_effects
from arpose.errors import RenderError
from arpose.render import Composition, Renderer, Skeleton, SkeletonOverlay, render_frame
from arpose.scene import JointAnchor, Mesh, PixelAnchor, Scene, Sprite, box

RED = (255, 0, 0)


def canvas_for(image: np.ndarray, flip: bool, channels: str) -> np.ndarray:
    out = cv2.flip(image, 1) if flip else image.copy()
    return cv2.cvtColor(out, cv2.COLOR_RGB2BGR) if channels == "bgr" else out


def as_rgb(out: np.ndarray, channels: str) -> np.ndarray:
    return cv2.cvtColor(out, cv2.COLOR_BGR2RGB) if channels == "bgr" else out


def noisy(size=(512, 512), seed=1) -> np.ndarray:
    """A textured background: blending errors show on it, unlike on a flat grey."""
    return np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), np.uint8)


@pytest.fixture(scope="module")
def astro_frames(astronaut):
    """The astronaut's pose from the real model, with and without the body mask."""
    return {True: _detect(astronaut, True, 2), False: _detect(astronaut, False, 2)}


@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("name", sorted(gallery.builtin_effects()))
def test_gallery_onto_equals_the_gl_composite(astro_frames, astronaut, name, flip):
    effects = load_effects([name])
    from arpose.effects.nodes import needs_mask

    frame = astro_frames[needs_mask(effects)]
    with EffectRenderer(effects) as er:
        expected = er.render(frame, flip=flip)
        channels = "bgr" if flip else "rgb"  # both orders, over the two mirror modes
        canvas = canvas_for(astronaut, flip, channels)
        returned = er.render_onto(frame, canvas, flip=flip, channels=channels)
        assert returned is canvas
        got = as_rgb(canvas, channels)
        box = er.renderer.stats["content_box"]
    diff = np.abs(got.astype(int) - expected.astype(int))
    assert diff.max() == 0, f"{name}: onto differs from the GL composite by {diff.max()}"
    background = cv2.flip(astronaut, 1) if flip else astronaut
    drawn = np.abs(expected.astype(int) - background.astype(int)).max(axis=2) > 0
    if drawn.any():
        ys, xs = np.nonzero(drawn)
        x0, y0, x1, y1 = box
        assert x0 <= xs.min() and xs.max() < x1 and y0 <= ys.min() and ys.max() < y1, (
            f"{name}: content outside the content box {box}"
        )


@pytest.mark.parametrize("flip", [False, True])
def test_every_gallery_effect_draws_the_same_on_a_whole_body(flip):
    """A hand-built frontal body with visible wrists (the astronaut's are not), on a
    textured background, all gallery effects at once: 8 effects, the same pixels."""
    pose = make_pose((256, 150), 110)
    image = noisy(seed=5)
    frame = make_frame([pose], image=image)
    with EffectRenderer(sorted(gallery.builtin_effects()), max_people=1) as er:
        expected = er.render(frame, flip=flip)
        canvas = canvas_for(image, flip, "bgr")
        got = as_rgb(er.render_onto(frame, canvas, flip=flip, channels="bgr"), "bgr")
    assert np.array_equal(got, expected)
    background = cv2.flip(image, 1) if flip else image
    for joint in ("left_wrist", "right_wrist", "nose", "head_top", "chest"):
        x, y = pose.xy(joint)
        if flip:
            x = 511 - x
        patch = (slice(int(y) - 3, int(y) + 4), slice(int(x) - 3, int(x) + 4))
        assert not np.array_equal(got[patch], background[patch]), f"nothing on {joint}"


def test_only_the_content_box_is_drawn_and_touched(renderer):
    pose = make_pose((300, 220), 150)
    image = noisy()
    frame = make_frame([pose], image=image)
    scene = Scene()
    scene.add(JointAnchor("nose", scale_by="head_width")).add(Sprite(solid(RED), width=0.3))
    canvas = image.copy()
    renderer.render_onto(scene, frame, canvas)
    x0, y0, x1, y1 = renderer.stats["content_box"]
    # a sprite 0.3 head widths wide: a small box around the nose, not the frame
    nx, ny = pose.xy("nose")
    assert x0 <= nx <= x1 and y0 <= ny <= y1
    assert (x1 - x0) * (y1 - y0) < 0.05 * 512 * 512
    outside = np.ones((512, 512), bool)
    outside[y0:y1, x0:x1] = False
    assert np.array_equal(canvas[outside], image[outside])
    red = (canvas[..., 0] == 255) & (canvas[..., 1] == 0) & (canvas[..., 2] == 0)
    assert red.sum() > 100
    assert np.array_equal(canvas, render_frame(renderer, scene, frame))


def test_nothing_to_draw_leaves_the_picture_alone(renderer):
    image = noisy()
    scene = Scene()
    scene.add(JointAnchor("nose")).add(Sprite(solid(RED), width=0.3))
    canvas = image.copy()
    out = renderer.render_onto(scene, make_frame([], image=image), canvas)  # nobody there
    assert out is canvas and np.array_equal(canvas, image)
    assert renderer.stats["content_box"] is None


def test_meshes_skeletons_and_hud_match_the_gl_composite(renderer):
    pose = make_pose((256, 200), 140)
    image = noisy(seed=2)
    frame = make_frame([pose], image=image)
    scene = Scene()
    scene.add(JointAnchor("left_shoulder", scale_by="shoulder_width")).add(
        Mesh(box((0.4, 0.4, 0.4)), color=(0.2, 0.8, 0.3, 1.0))
    )
    scene.add(Skeleton("body25"))
    scene.add(PixelAnchor(40, 40, layer="hud")).add(Sprite(solid((0, 255, 0)), width=20))
    for flip in (False, True):
        expected = render_frame(renderer, scene, frame, flip=flip)
        canvas = canvas_for(image, flip, "rgb")
        renderer.render_onto(scene, frame, canvas, flip=flip)
        diff = np.abs(canvas.astype(int) - expected.astype(int))
        assert diff.max() == 0, f"flip={flip}: differs by {diff.max()}"
        # the HUD is never mirrored: its green square stays top-left
        assert tuple(canvas[40, 40]) == (0, 255, 0)


def test_skeleton_overlay_and_letterbox_fall_back_to_the_gl_composite(renderer):
    pose = make_pose((256, 200), 140)
    image = noisy(seed=3)
    frame = make_frame([pose], image=image)
    expected = render_frame(renderer, None, frame, skeleton="mediapipe")
    canvas = image.copy()
    renderer.draw_onto(Composition(frame, skeletons=(SkeletonOverlay(frame, "mediapipe"),)), canvas)
    assert renderer.stats["content_box"] == (0, 0, 512, 512)
    assert np.array_equal(canvas, expected)
    with pytest.raises(ValueError, match="unknown skeleton style"):
        SkeletonOverlay(frame, "kinect")

    overlay = np.zeros((512, 512, 4), np.uint8)
    overlay[:10, :10] = (0, 0, 255, 255)
    canvas = image.copy()
    renderer.draw_onto(Composition(frame, overlay=overlay), canvas, channels="bgr")
    assert tuple(canvas[5, 5]) == (255, 0, 0)  # blue, in BGR order

    with Renderer.offscreen((400, 200)) as wide:  # letterboxed: the GL path, copied
        scene = Scene()
        scene.add(JointAnchor("nose", scale_by="head_width")).add(Sprite(solid(RED), width=0.3))
        expected = render_frame(wide, scene, frame)
        canvas = np.zeros((200, 400, 3), np.uint8)
        wide.render_onto(scene, frame, canvas)
        assert np.array_equal(canvas, expected)


def test_bad_pictures_are_refused(renderer):
    frame = make_frame([], image=noisy())
    for bad in (
        np.zeros((512, 511, 3), np.uint8),
        np.zeros((512, 512, 3), np.float32),
        np.zeros((512, 1024, 3), np.uint8)[:, ::2],
    ):
        with pytest.raises(RenderError, match="render_onto needs"):
            renderer.render_onto(None, frame, bad)
    with pytest.raises(ValueError, match="channels"):
        renderer.render_onto(None, frame, noisy(), channels="rgba")


def test_a_scissored_frame_leaves_the_next_full_render_intact(renderer):
    """The scissor box of a composite must not leak into the next GL-composited frame."""
    pose = make_pose((300, 220), 150)
    scene = Scene()
    scene.add(JointAnchor("nose", scale_by="head_width")).add(Sprite(solid(RED), width=0.3))
    renderer.render_onto(scene, make_frame([pose], image=noisy()), noisy())
    image = noisy(seed=9)
    out = render_frame(renderer, None, make_frame([], image=image))
    assert np.array_equal(out, image)
