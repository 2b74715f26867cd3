"""Real OpenGL (EGL offscreen, llvmpipe) rendering tests: pixels read back and measured."""

from __future__ import annotations

import json
import logging
import os

import cv2
import numpy as np
import pytest
from gl_fixtures import (
    GOLDEN_DIR,
    assert_images_close,
    astronaut_image,
    blob_bbox,
    blob_center,
    make_frame,
    make_pose,
    solid,
)

from arpose.pose import Pose
from arpose.render import Composition, Renderer, RenderPass, Skeleton, render_frame
from arpose.scene import (
    BodyQuad,
    JointAnchor,
    Mesh,
    PixelAnchor,
    Scene,
    Sprite,
    TextureData,
    box,
    cylinder,
    sphere,
    torus,
)
from arpose.scene.node import Drawable

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def grey(size=(512, 512), value=60):
    return np.full((size[1], size[0], 3), value, np.uint8)


def nose_scene(width=0.3):
    scene = Scene()
    a = scene.add(JointAnchor("nose", scale_by="head_width"))
    a.add(Sprite(solid(RED), width=width))
    return scene


def test_sprite_on_nose_lands_on_the_landmark_and_mirrors(renderer):
    pose = make_pose((300, 220), 150)
    frame = make_frame([pose], image=grey())
    scene = nose_scene()
    out = render_frame(renderer, scene, frame)
    x, y, n = blob_center(out, RED)
    nx, ny = pose.xy("nose")
    assert n > 50
    assert abs(x - (nx - 0.5)) < 1.5 and abs(y - (ny - 0.5)) < 1.5  # pixel centres at +0.5
    out_m = render_frame(renderer, scene, frame, flip=True)
    xm, ym, _ = blob_center(out_m, RED)
    assert abs(xm - (512 - nx - 0.5)) < 1.5 and abs(ym - y) < 1.0
    # the background is mirrored too: a marker in the image's top-left moves top-right
    img = grey()
    img[:20, :20] = BLUE
    out_m = render_frame(renderer, None, make_frame([], image=img), flip=True)
    assert tuple(out_m[5, 506]) == BLUE and tuple(out_m[5, 5]) != BLUE


def test_rolled_head_and_user_left_stays_left_in_mirror(renderer):
    # a patch on the user's LEFT eye: in the unmirrored image it is right of the nose,
    # in the mirror it is left of the nose (as the user sees their own left eye)
    pose = make_pose((256, 250), 160)
    scene = Scene()
    eye = scene.add(JointAnchor("left_eye", scale_by="head_width"))
    eye.add(Sprite(solid(GREEN), width=0.2))
    frame = make_frame([pose], image=grey())
    out = render_frame(renderer, scene, frame)
    assert blob_center(out, GREEN)[0] > pose.xy("nose")[0]
    out_m = render_frame(renderer, scene, frame, flip=True)
    assert blob_center(out_m, GREEN)[0] < 512 - pose.xy("nose")[0]


def test_scale_follows_the_body_measure(renderer):
    widths = []
    for s in (200.0, 100.0):
        pose = make_pose((256, 256), s)
        out = render_frame(renderer, nose_scene(width=1.0), make_frame([pose], image=grey()))
        x0, y0, x1, y1 = blob_bbox(out, RED)
        widths.append((x1 - x0 + 1, y1 - y0 + 1, pose.measure("head_width")))
    (w_big, h_big, hw_big), (w_small, h_small, hw_small) = widths
    assert abs(w_big - hw_big) <= 3  # one unit = one head width on screen
    assert w_small / w_big == pytest.approx(0.5, abs=0.03)
    assert h_small / h_big == pytest.approx(0.5, abs=0.03)


def chest_mesh_scene(z_offset: float) -> Scene:
    scene = Scene()
    a = scene.add(JointAnchor("mid_shoulder", scale_by="shoulder_width", offset=(0, 0.5, z_offset)))
    a.add(Mesh(box((0.4, 0.4, 0.1), color=(0.0, 0.0, 1.0)), lit=False))
    return scene


def test_mesh_behind_the_body_is_hidden_by_the_mask_in_front_is_not(renderer):
    pose = make_pose((256, 180), 160)
    mask = np.zeros((512, 512), np.float32)
    mask[150:450, 150:370] = 1.0  # the torso region
    px, py = (pose.xy("mid_shoulder") + np.array([0, 80])).astype(int)
    for z, mask_on, visible in ((-0.6, True, True), (0.8, True, False), (0.8, False, True)):
        frame = make_frame([pose], image=grey(), mask=mask if mask_on else None)
        out = render_frame(renderer, chest_mesh_scene(z), frame)
        is_blue = out[py, px, 2] > 200 and out[py, px, 0] < 50
        assert is_blue == visible, f"z={z} mask={mask_on}: pixel {out[py, px]}"
    # outside the mask, content behind the body still shows
    mask2 = np.zeros_like(mask)
    mask2[:, :100] = 1.0
    out = render_frame(renderer, chest_mesh_scene(0.8), make_frame([pose], image=grey(), mask=mask2))
    assert out[py, px, 2] > 200
    # the behind_body layer is hidden by the mask whatever its depth
    scene = chest_mesh_scene(-0.6)
    scene.children[0].layer = "behind_body"
    out = render_frame(renderer, scene, make_frame([pose], image=grey(), mask=mask))
    assert out[py, px, 2] < 100
    renderer.occlusion = False
    out = render_frame(renderer, scene, make_frame([pose], image=grey(), mask=mask))
    assert out[py, px, 2] > 200


def test_fading_is_gradual_over_frames(renderer):
    scene = Scene()
    a = scene.add(JointAnchor("nose", scale_by="head_width", fade_time=0.3))
    a.add(Sprite(solid(RED), width=0.5))
    pose_ok = make_pose((256, 256), 160)
    pose_hidden = make_pose((256, 256), 160, visibility=0.1)
    nx, ny = pose_ok.xy("nose").astype(int)
    reds = []
    for i in range(10):
        t = i / 20.0  # 20 fps
        pose = pose_ok if t < 0.1 else pose_hidden
        out = render_frame(renderer, scene, make_frame([pose], t=t, index=i, image=grey()))
        reds.append(int(out[ny, nx, 0]))
    assert reds[0] == reds[1] == 255
    fading = reds[2:8]
    assert all(a > b for a, b in zip(fading, fading[1:])), reds
    assert sum(60 < r < 250 for r in reds) >= 4, reds  # several in-between frames
    assert reds[-1] == 60  # gone: background grey


def test_body_quad_warps_a_texture_onto_the_torso(renderer):
    pose = make_pose((256, 150), 200, roll_deg=15)
    tex = solid(GREEN, 32)
    tex[:, :16] = (255, 0, 255, 255)  # left half of the image: magenta
    scene = Scene()
    scene.add(BodyQuad(tex, depth_bias=0.1))
    out = render_frame(renderer, scene, make_frame([pose], image=grey()))
    rs, ls = pose.xy("right_shoulder"), pose.xy("left_shoulder")
    _rh, lh = pose.xy("right_hip"), pose.xy("left_hip")
    near_rs = (0.8 * rs + 0.2 * lh).astype(int)  # inside, towards the right shoulder
    near_lh = (0.2 * rs + 0.8 * lh).astype(int)
    assert tuple(out[near_rs[1], near_rs[0]]) == (255, 0, 255)
    assert tuple(out[near_lh[1], near_lh[0]]) == GREEN
    outside = ((rs + ls) / 2 - np.array([0, 40])).astype(int)  # above the shoulders
    assert tuple(out[outside[1], outside[0]]) == (60, 60, 60)


def test_skeleton_styles(renderer):
    pose = make_pose((256, 150), 120)
    frame = make_frame([pose], image=grey(value=0))
    out = render_frame(renderer, None, frame, skeleton="body25")
    # BODY_25 neck -> right shoulder limb (pair (1, 2)) is coloured like keypoint 2
    mid = ((pose.xy("neck") + pose.xy("right_shoulder")) / 2).astype(int)
    assert np.abs(out[mid[1], mid[0]].astype(int) - np.array([255, 85, 0]) * 0.6).max() < 40
    out = render_frame(renderer, None, frame, skeleton="mediapipe")
    assert out[mid[1], mid[0]].min() > 180  # MediaPipe style: light grey bones
    lw = pose.xy("left_wrist").astype(int)
    assert tuple(out[lw[1], lw[0]]) == (255, 138, 0)  # left landmarks orange
    scene = Scene()
    scene.add(Skeleton("body25", people=[5]))
    out = render_frame(renderer, scene, frame)
    assert out.max() == 0  # person 0 is not in the list
    with pytest.raises(ValueError, match="unknown skeleton style"):
        Skeleton("kinect")


def test_hud_is_not_mirrored_and_overlay_is_drawn_last(renderer):
    scene = Scene()
    hud = scene.add(PixelAnchor(40, 40, layer="hud"))
    hud.add(Sprite(solid(GREEN), width=20))
    frame = make_frame([], image=grey())
    for flip in (False, True):
        x, y, _ = blob_center(render_frame(renderer, scene, frame, flip=flip), GREEN)
        assert abs(x - 39.5) < 1 and abs(y - 39.5) < 1
    overlay = np.zeros((512, 512, 4), np.uint8)
    overlay[0:10, 0:10] = (0, 0, 255, 255)
    out = renderer.draw(Composition(frame, scene, overlay=overlay, flip=True))
    assert tuple(out[5, 5]) == BLUE and tuple(out[5, 506]) == (60, 60, 60)
    # a composition is the whole frame: the next one without an overlay shows none
    assert tuple(render_frame(renderer, scene, frame, flip=True)[5, 5]) == (60, 60, 60)


def test_background_texture_is_reused_and_textures_update_in_place(renderer):
    a, b = grey(value=10), grey(value=200)
    background = renderer.find_pass("background")
    render_frame(renderer, None, make_frame([], image=a))
    tex = background.texture
    out = render_frame(renderer, None, make_frame([], image=b))
    assert background.texture is tex and out[100, 100, 0] == 200
    data = TextureData(solid(RED), "live")
    scene = Scene()
    scene.add(PixelAnchor(256, 256, unit=50)).add(Sprite(data))
    assert blob_center(render_frame(renderer, scene, make_frame([], image=a)), RED)[2] > 0
    data.update(solid(BLUE))
    out = render_frame(renderer, scene, make_frame([], image=a))
    assert blob_center(out, RED)[2] == 0 and blob_center(out, BLUE)[2] > 2000


def test_texture_over_the_gl_limit_draws_a_placeholder_and_logs(renderer, caplog):
    scene = Scene()
    scene.add(PixelAnchor(256, 256, unit=100)).add(Sprite(solid(RED, 64)))
    limit = renderer.max_texture_size
    renderer.max_texture_size = 32
    try:
        with caplog.at_level(logging.ERROR):
            out = render_frame(renderer, scene, make_frame([], image=grey()))
    finally:
        renderer.max_texture_size = limit
    assert "limit is 32" in caplog.text and "placeholder" in caplog.text
    assert blob_center(out, (255, 0, 255), tol=10)[2] > 1000
    assert blob_center(out, RED, tol=10)[2] == 0


def test_letterbox_when_output_aspect_differs():
    with Renderer.offscreen((400, 200)) as r:
        pose = make_pose((256, 256), 150)
        out = render_frame(r, nose_scene(), make_frame([pose], image=grey()))
        # 512x512 source fitted into 200x200 centred in 400x200
        assert out[:, :100].max() == 0 and out[100, 200, 0] == 60
        x, y, _ = blob_center(out, RED)
        assert abs(x - (100 + pose.xy("nose")[0] * 200 / 512)) < 1.5


_SCRIPT_SETUP = """
import os, sys
os.environ["SDL_VIDEODRIVER"] = "offscreen"
os.environ["SDL_AUDIODRIVER"] = "dummy"
sys.path.insert(0, sys.argv[2])
import numpy as np
from gl_fixtures import astronaut_image, make_frame, make_pose, solid
from arpose.render import Renderer, Window
from arpose.scene import JointAnchor, Scene, Sprite
scene = Scene()
scene.add(JointAnchor("nose", scale_by="head_width")).add(Sprite(solid((255, 0, 0)), width=0.3))
frame = make_frame([make_pose((300, 220), 150)], image=astronaut_image())
"""
"""The subprocess scripts' start: a window-free environment, the test helpers, a red
sprite on the nose of a pose over the astronaut photo."""


def _run_gl_script(script: str, out) -> np.ndarray:
    """Run one of the scripts below in its own process (one GL context kind per process)
    and load the frames it saved to ``out``."""
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("pygame")
    proc = subprocess.run(
        [sys.executable, "-c", script, str(out), str(Path(__file__).resolve().parents[1])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return np.load(out)


WINDOW_SCRIPT = (
    _SCRIPT_SETUP
    + """
with Window((512, 512)) as win:
    with Renderer.for_window(win) as r:
        rgb = r.render(scene, frame)
        # what the window itself holds (the renderer copies its frame there)
        shown = np.frombuffer(win.fbo.read(components=3), np.uint8).reshape(512, 512, 3)
        np.save(sys.argv[1], np.stack([rgb, shown[::-1]]))
        win.flip()
"""
)


def test_window_path_draws_the_same_as_offscreen(renderer, tmp_path):
    """The pygame window path (its own process: one GL context kind per process)."""
    got, shown = _run_gl_script(WINDOW_SCRIPT, tmp_path / "window.npy")
    expected = render_frame(
        renderer, nose_scene(), make_frame([make_pose((300, 220), 150)], image=astronaut_image())
    )
    assert blob_center(got, RED)[2] > 50
    assert_images_close(got, expected, mean_tol=1.0)
    assert np.array_equal(shown, got), "the window shows the frame the renderer drew"


SWITCH_SCRIPT = (
    _SCRIPT_SETUP
    + """
off = Renderer.offscreen((512, 512))
out = [off.render(scene, frame)]
with Renderer.offscreen((512, 512)) as other:  # another one comes and goes first
    other.render(scene, frame)
out.append(off.render(scene, frame))
with Window((512, 512)) as win:      # SDL makes the window's context current
    out.append(off.render(scene, frame))
    with Renderer.for_window(win) as r:
        out.append(r.render(scene, frame))
        out.append(off.render(scene, frame))
out.append(off.render(scene, frame))  # after the window's context is gone
off.release()
np.save(sys.argv[1], np.stack(out))
"""
)


def test_offscreen_and_window_renderers_take_turns_in_one_thread(tmp_path):
    """An offscreen renderer opened before a window keeps drawing right while the window
    is open and after it closes: opening and closing a window changes the thread's
    current context, and the offscreen renderer, believing its own was still current,
    drew into the window's (4 render_onto tests failed after the mirror's tests)."""
    frames = _run_gl_script(SWITCH_SCRIPT, tmp_path / "switch.npy")
    assert blob_center(frames[0], RED)[2] > 50
    for i, got in enumerate(frames[1:], 1):
        assert np.array_equal(got, frames[0]), f"render {i} differs from the first"


def test_closing_a_window_leaves_offscreen_renderers_working():
    """The test order that failed: a session-wide offscreen renderer, then the mirror's
    tests in a window (SDL's offscreen driver, EGL), then box compositing on the
    offscreen renderer. Closing the window quit SDL's video, which terminated the EGL
    display the offscreen context lives on: the renderer drew nothing after it. Run in
    its own pytest process, as the order needs a fresh session."""
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("pygame")
    here = Path(__file__).resolve().parent
    tests = [
        f"{here / 'test_render.py'}::test_a_changed_overlay_looks_like_a_fresh_one",
        f"{here / 'test_effects_mirror.py'}::test_keys_cycle_the_gallery",
        f"{here / 'test_render_onto.py'}::test_only_the_content_box_is_drawn_and_touched",
    ]
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=here,
    )  # not the repo root: `-m` puts the working folder first
    # on sys.path, and the repo's arpose/ (no arpose.assets there) would shadow the package
    # installed from the wheel, as CI installs it
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "3 passed" in proc.stdout


def test_bad_sizes_raise_render_error():
    from arpose.errors import RenderError

    with pytest.raises(RenderError, match="render size"):
        Renderer.offscreen((0, 100))


# -- golden images on the astronaut photo ----------------------------------------------
def astronaut_frame(with_mask: bool) -> tuple:
    pose = Pose.from_json(json.loads((GOLDEN_DIR / "astronaut_pose.json").read_text()))
    mask = None
    if with_mask:
        mask = cv2.imread(str(GOLDEN_DIR / "astronaut_mask.png"), cv2.IMREAD_GRAYSCALE)
        mask = mask.astype(np.float32) / 255.0
    return make_frame([pose], image=astronaut_image(), mask=mask), pose


def disc(color, size=64):
    yy, xx = np.mgrid[0:size, 0:size]
    r = np.hypot(xx - (size - 1) / 2, yy - (size - 1) / 2)
    img = np.zeros((size, size, 4), np.uint8)
    img[..., :3] = color
    img[..., 3] = np.clip((size / 2 - 1 - r) * 60, 0, 255).astype(np.uint8)
    return img


def golden_scene_try_on() -> Scene:
    scene = Scene()
    top = scene.add(JointAnchor("head_top", scale_by="head_width"))
    top.add(Mesh(cylinder(0.33, 0.6, color=(0.12, 0.12, 0.14)), position=(0, -0.3, 0)))
    top.add(Mesh(torus(0.55, 0.07, color=(0.2, 0.15, 0.5))))
    eyes = scene.add(JointAnchor("mid_eye", scale_by="head_width"))
    for x in (-0.19, 0.19):
        eyes.add(Sprite(disc((20, 20, 20)), width=0.3, position=(x, 0, 0), opacity=0.85))
    nose = scene.add(JointAnchor("nose", scale_by="head_width"))
    nose.add(Mesh(sphere(0.09, color=(0.9, 0.05, 0.05))))
    shirt = np.zeros((64, 64, 4), np.uint8)
    shirt[..., :3] = (30, 120, 220)
    shirt[..., 3] = 170
    shirt[::8, :, :3] = 255
    # the hips are below the photo's edge (visibility ~0.2): accept them for this scene
    scene.add(BodyQuad(shirt, expand=(0.12, 0.08, 0.12, 0.0), min_visibility=0.2))
    return scene


def golden_scene_wings() -> Scene:
    scene = Scene()
    back = scene.add(JointAnchor("mid_shoulder", scale_by="shoulder_width", offset=(0, 0.2, 0.5)))
    for side in (-1, 1):
        back.add(Sprite(disc((250, 240, 200), 96), width=1.1, position=(side * 0.55, -0.1, 0)))
    chest = scene.add(JointAnchor("mid_shoulder", scale_by="shoulder_width", offset=(0, 0.35, -0.3)))
    chest.add(Mesh(box((0.25, 0.25, 0.25), color=(1.0, 0.8, 0.1)), rotation=(0.2, 0.3, 0.0, 0.93)))
    scene.add(Skeleton("mediapipe"))
    return scene


GOLDEN_CASES = {
    "astronaut_try_on": (golden_scene_try_on, False, False),
    "astronaut_wings_mirror": (golden_scene_wings, True, True),
}


@pytest.mark.parametrize("name", list(GOLDEN_CASES))
def test_golden_images(renderer, name, tmp_path):
    make_scene, mask, flip = GOLDEN_CASES[name]
    frame, _ = astronaut_frame(mask)
    out = render_frame(renderer, make_scene(), frame, flip=flip)
    path = GOLDEN_DIR / f"{name}.png"
    if os.environ.get("ARPOSE_UPDATE_GOLDEN") == "1":
        cv2.imwrite(str(path), cv2.cvtColor(out, cv2.COLOR_RGB2BGR))
        pytest.skip(f"wrote {path}")
    if not path.is_file():
        pytest.fail(f"{path} missing: run with ARPOSE_UPDATE_GOLDEN=1 and look at it")
    expected = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    cv2.imwrite(str(tmp_path / f"{name}.png"), cv2.cvtColor(out, cv2.COLOR_RGB2BGR))
    assert_images_close(out, expected)
    # and it is not just the photo: the overlay changed a good part of it
    plain = frame.image[:, ::-1] if flip else frame.image
    assert (np.abs(out.astype(int) - plain).max(2) > 30).mean() > 0.02


def test_stored_astronaut_pose_matches_the_real_model():
    """The golden fixtures came from the real model; check it still agrees."""
    from arpose.tracking.detector import DetectorOptions, PoseDetector

    _, stored = astronaut_frame(False)
    with PoseDetector(DetectorOptions(num_poses=1, mode="image")) as tracker:
        det = tracker.detect(astronaut_image())
    assert det.poses, "the model found nobody on the astronaut photo"
    for joint in ("nose", "left_shoulder", "right_shoulder", "left_ear"):
        assert np.linalg.norm(det.poses[0].xy(joint) - stored.xy(joint)) < 4.0, joint


class _Blob(Drawable):
    """A test node: a solid square around a source pixel; it declares its own bounds."""

    def __init__(self, xy, half, rgb, **kw):
        super().__init__("blob", **kw)
        self.xy, self.half, self.rgb = np.asarray(xy, float), half, rgb

    def pixel_bounds(self, camera):
        return np.array([self.xy - self.half, self.xy + self.half])


class _BlobPass(RenderPass):
    """Draws _Blob nodes as scissored clears (no shader: real GL pixels all the same)."""

    name = "blobs"
    node_types = (_Blob,)

    def setup(self, gpu):
        self.calls = []

    def draw_nodes(self, nodes, frame, layer):
        H = frame.size[1]
        for node in nodes:
            self.calls.append((node, layer.name))
            (x0, y0), (x1, y1) = node.pixel_bounds(frame.camera).astype(int)
            frame.fbo.clear(
                color=tuple(c / 255 for c in node.rgb) + (1.0,), viewport=(x0, H - y1, x1 - x0, y1 - y0)
            )


class _BarPass(RenderPass):
    """A frame step of its own: a bar at the top, drawn just before the hud layer."""

    name = "bar"
    stage = "hud"

    def draw(self, frame):
        W, H = frame.size
        frame.fbo.clear(color=(0.0, 0.0, 1.0, 1.0), viewport=(0, H - 8, W, 8))


def test_an_unknown_node_type_is_a_clear_error_and_an_added_pass_draws_it():
    """A new kind of content is a node type plus a pass: no Renderer edit. The node's own
    bounds decide the box render_onto works in; a pass drawing at a stage makes it use
    the whole frame."""
    from arpose.errors import RenderError
    from arpose.render.renderer import STATS_KEYS

    scene = Scene()
    blob = scene.add(_Blob((100, 60), 10, GREEN, layer="front"))
    scene.add(PixelAnchor(200, 200, unit=40)).add(type("MySprite", (Sprite,), {})(solid(RED)))
    frame = make_frame([make_pose()], image=grey((256, 256)))
    with Renderer.offscreen((256, 256)) as r:
        with pytest.raises(RenderError, match=r"no render pass draws node type _Blob.*Sprite"):
            render_frame(r, scene, frame)
        blobs = r.add_pass(_BlobPass())
        out = render_frame(r, scene, frame)
        assert blobs.calls == [(blob, "front")] and r.find_pass("blobs") is blobs
        assert tuple(out[60, 100]) == GREEN and tuple(out[60, 120]) == (60, 60, 60)
        assert blob_center(out, RED)[2] > 300  # a Sprite subclass: the sprite pass
        assert tuple(r.stats) == STATS_KEYS
        canvas = frame.image.copy()
        r.render_onto(scene, frame, canvas)
        assert np.array_equal(canvas, out) and r.stats["content_box"] != (0, 0, 256, 256)
        r.add_pass(_BarPass())
        out = render_frame(r, scene, frame)
        assert tuple(out[3, 128]) == BLUE and tuple(out[60, 100]) == GREEN
        canvas = frame.image.copy()
        r.render_onto(scene, frame, canvas)
        assert np.array_equal(canvas, out) and r.stats["content_box"] == (0, 0, 256, 256)
        with pytest.raises(RenderError, match="stage must be one of"):
            r.add_pass(type("Late", (RenderPass,), {"stage": "later"})())


def test_overlay_boxes_cover_every_visible_pixel_in_few_rectangles(renderer):
    from arpose.render.passes.overlay import overlay_boxes

    """The overlay is blended only inside its boxes: every pixel with any alpha must be
    in one (alpha 1 counts), fully transparent tiles in none, and tile rows with the same
    column span are one box."""
    overlay = np.zeros((512, 512, 4), np.uint8)
    overlay[5:100, 10:70] = (255, 0, 0, 200)  # spans three tile rows: one box
    overlay[300, 400] = (0, 0, 0, 1)  # one nearly invisible pixel
    boxes = overlay_boxes(overlay)
    covered = np.zeros((512, 512), bool)
    for x0, y0, x1, y1 in boxes:
        covered[y0:y1, x0:x1] = True
    assert covered[overlay[..., 3] > 0].all()
    assert covered.sum() < 0.1 * 512 * 512
    assert len(boxes) == 2, boxes
    out = renderer.draw(Composition(make_frame([], image=grey()), overlay=overlay))
    assert tuple(out[50, 40]) != (60, 60, 60) and tuple(out[200, 200]) == (60, 60, 60)
    assert renderer.stats["overlay_boxes"] == len(boxes)


def test_a_changed_overlay_looks_like_a_fresh_one(renderer):
    """Only the overlay's boxes are uploaded and drawn, all in one draw: a panel that
    moves and a box that disappears must leave nothing behind, and the frame must equal
    what a fresh renderer draws for the new overlay."""
    first = np.zeros((512, 512, 4), np.uint8)
    first[20:120, 30:200] = (255, 0, 0, 255)
    first[400:420, 400:500] = (0, 255, 0, 128)
    renderer.draw(Composition(make_frame([], image=grey()), overlay=first))
    second = np.zeros((512, 512, 4), np.uint8)
    second[200:260, 100:300] = (0, 0, 255, 200)
    out = renderer.draw(Composition(make_frame([], image=grey()), overlay=second))
    with Renderer.offscreen((512, 512)) as fresh:
        want = fresh.draw(Composition(make_frame([], image=grey()), overlay=second.copy()))
    renderer.make_current()
    assert np.array_equal(out, want)
    assert tuple(out[50, 100]) == (60, 60, 60) and tuple(out[410, 450]) == (60, 60, 60)
    assert renderer.stats["overlay_boxes"] >= 1 and renderer.stats["draw_calls"] == 1


def test_depth_is_cleared_where_content_moves_to(renderer):
    """Depth is cleared only inside the box of depth-tested content: a mesh drawn at one
    place and then another must look exactly as drawn by a fresh frame (no stale depth),
    with nothing left where it was."""
    pose_a, pose_b = make_pose((150, 256), 140), make_pose((360, 256), 140)
    scene = chest_mesh_scene(0.0)
    render_frame(renderer, scene, make_frame([pose_a], image=grey()))
    moved = render_frame(renderer, scene, make_frame([pose_b], image=grey()))
    fresh_scene = chest_mesh_scene(0.0)
    fresh = render_frame(renderer, fresh_scene, make_frame([pose_b], image=grey()))
    assert np.array_equal(moved, fresh)
    px, py = (pose_a.xy("mid_shoulder") + np.array([0, 80])).astype(int)
    assert tuple(moved[py, px]) == (60, 60, 60)
    qx, qy = (pose_b.xy("mid_shoulder") + np.array([0, 80])).astype(int)
    assert moved[qy, qx, 2] > 200


@pytest.mark.parametrize("fit", ["cover", "contain"])
def test_depth_box_follows_the_screen_mapping_when_output_and_source_sizes_differ(fit):
    """The depth-cleared box is in output pixels: a 1280x720 source drawn at 640x360 (a
    game window on a big camera picture) keeps its depth-tested content frame after frame.
    Drawn in source pixels, the box missed the content, stale depth hid it on the next
    frame (the nails on a hand in arpose play vanished this way)."""
    pose = make_pose((1000, 300), 200)
    frame = make_frame([pose], size=(1280, 720), image=grey((1280, 720)))
    with Renderer.offscreen((640, 360), fit=fit) as r:
        scene = chest_mesh_scene(0.0)
        first = render_frame(r, scene, frame)
        again = render_frame(r, scene, frame)
    assert blob_bbox(first, BLUE) is not None
    assert np.array_equal(first, again)
