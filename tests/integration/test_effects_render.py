"""Effects rendered with the real tracker and real OpenGL (EGL offscreen): the gallery on
skimage's astronaut through ``arpose render``, mirror mode, players, animation, and the
README's five-line example."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from gl_fixtures import make_frame, make_pose

from arpose.apps.offline import _detect, render_image
from arpose.cli import main as cli_main
from arpose.effects import gallery
from arpose.effects.compose import EffectRenderer
from arpose.effects.schema import Attachment, Effect

CHANGED = 40  # a pixel counts as drawn on when some channel moved by more than this


@pytest.fixture(scope="session")
def astro_frame(astronaut):
    """The astronaut's pose (and segmentation mask) from the real model."""
    pf = _detect(astronaut, True, 2)
    assert len(pf.poses) == 1, "the model should find the astronaut"
    return pf


def changed_mask(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > CHANGED


def read_rgb(path: Path) -> np.ndarray:
    img = cv2.imread(str(path))
    assert img is not None, f"{path} was not written"
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def render_cli(tmp_path: Path, png: Path, *effects: str, flip: bool = False) -> np.ndarray:
    out = tmp_path / f"{'_'.join(Path(e).stem for e in effects)}{'_m' if flip else ''}.png"
    args = [
        "render",
        *[a for e in effects for a in ("--effect", e)],
        "--source",
        str(png),
        "--output",
        str(out),
        "--no-progress",
    ] + (["--mirror"] if flip else [])
    assert cli_main(args) == 0
    return read_rgb(out)


def centroid(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


@pytest.mark.parametrize("name", ["top-hat", "crown", "party-hat"])
def test_hats_sit_on_top_of_the_head(tmp_path, astronaut_png, astronaut, astro_frame, name):
    out = render_cli(tmp_path, astronaut_png, name)
    drawn = changed_mask(out, astronaut)
    pose = astro_frame.poses[0]
    hw = pose.measure("head_width")
    assert drawn.sum() > 0.15 * hw * hw, f"{name}: almost nothing drawn"
    ys, xs = np.nonzero(drawn)
    nose, eye = pose.xy("nose"), pose.xy("mid_eye")
    assert (ys < eye[1]).mean() > 0.97, f"{name}: content should be above the eyes"
    x_lo, x_hi = sorted((pose.xy("right_ear")[0], pose.xy("left_ear")[0]))
    cx, cy = centroid(drawn)
    assert x_lo < cx < x_hi, f"{name}: centre x {cx:.0f} not between the ears"
    assert cy < nose[1] - 0.5 * hw
    # not absurdly large: within two head widths of the head's centre line
    assert xs.min() > nose[0] - 1.6 * hw and xs.max() < nose[0] + 1.6 * hw


def test_top_hat_is_dark_with_a_red_band(tmp_path, astronaut_png, astronaut):
    out = render_cli(tmp_path, astronaut_png, "top-hat")
    px = out[changed_mask(out, astronaut)].astype(int)
    dark = (px.max(axis=1) < 70).mean()
    red = ((px[:, 0] > 100) & (px[:, 1] < 60) & (px[:, 2] < 60)).mean()
    assert dark > 0.5 and red > 0.03


def test_sunglasses_cover_both_eyes(tmp_path, astronaut_png, astronaut, astro_frame):
    out = render_cli(tmp_path, astronaut_png, "sunglasses")
    drawn = changed_mask(out, astronaut)
    pose = astro_frame.poses[0]
    hw = pose.measure("head_width")
    assert np.linalg.norm(centroid(drawn) - pose.xy("mid_eye")) < 0.25 * hw
    for eye in ("left_eye", "right_eye"):
        x, y = pose.xy(eye).round().astype(int)
        assert drawn[y - 2 : y + 3, x - 2 : x + 3].all(), f"{eye} is not covered"
    ys, xs = np.nonzero(drawn)
    assert ys.min() > pose.xy("head_top")[1] and ys.max() < pose.xy("mouth")[1]


def test_clown_nose_is_a_red_ball_on_the_nose(tmp_path, astronaut_png, astronaut, astro_frame):
    out = render_cli(tmp_path, astronaut_png, "clown-nose")
    drawn = changed_mask(out, astronaut)
    pose = astro_frame.poses[0]
    hw = pose.measure("head_width")
    assert np.linalg.norm(centroid(drawn) - pose.xy("nose")) < 0.15 * hw
    assert 0.05 * hw * hw < drawn.sum() < 0.4 * hw * hw
    px = out[drawn].astype(int)
    assert ((px[:, 0] > px[:, 1] + 60) & (px[:, 0] > px[:, 2] + 60)).mean() > 0.8


def test_costume_shirt_covers_the_torso(tmp_path, astronaut_png, astronaut, astro_frame):
    out = render_cli(tmp_path, astronaut_png, "costume-shirt")
    drawn = changed_mask(out, astronaut)
    pose = astro_frame.poses[0]
    ls, rs = pose.xy("left_shoulder"), pose.xy("right_shoulder")
    cx, cy = centroid(drawn)
    assert min(ls[0], rs[0]) < cx < max(ls[0], rs[0])
    assert cy > min(ls[1], rs[1])
    assert drawn.mean() > 0.15
    # the chest between the shoulders, a little below them, is covered
    chest = ((ls + rs) / 2 + [0, 0.4 * abs(ls[0] - rs[0])]).round().astype(int)
    assert drawn[chest[1] - 3 : chest[1] + 4, chest[0] - 3 : chest[0] + 4].all()


def test_wings_are_behind_the_body(tmp_path, astronaut_png, astronaut, astro_frame):
    out = render_cli(tmp_path, astronaut_png, "wings")
    drawn = changed_mask(out, astronaut)
    pose = astro_frame.poses[0]
    x_lo, x_hi = sorted((pose.xy("right_shoulder")[0], pose.xy("left_shoulder")[0]))
    ys, xs = np.nonzero(drawn)
    assert (xs < x_lo).sum() > 1500 and (xs > x_hi).sum() > 1500, "a wing on each side"
    body = astro_frame.mask > 0.8
    assert body.sum() > 10000
    assert drawn[body].mean() < 0.03, "wings must be hidden where the body is"
    assert ys.min() < pose.xy("left_shoulder")[1], "wing tips rise above the shoulders"


def test_glow_hands_on_both_wrists_and_mirror_keeps_sides():
    gray = np.full((512, 512, 3), 90, np.uint8)
    pose = make_pose(center=(256, 150), shoulder_px=150)
    frame = make_frame([pose], image=gray)
    effect = gallery.load_effect("glow-hands")
    with EffectRenderer([effect]) as er:
        out = er.render(frame, now=0.0)
        mirrored = er.render(frame, now=0.0, flip=True)
    drawn = changed_mask(out, gray)
    for wrist in ("left_wrist", "right_wrist"):
        x, y = pose.xy(wrist).round().astype(int)
        assert drawn[y, x] and out[y, x].mean() > 200, f"no glow on the {wrist}"
        assert drawn[y, 511 - x] == drawn[y, x]
    # mirror: the picture is flipped; the glow around the left wrist is at the mirrored x
    assert np.abs(mirrored.astype(int) - out[:, ::-1].astype(int)).mean() < 1.0


def test_left_only_attachment_stays_on_the_users_left_in_mirror(tmp_path):
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., 1] = rgba[..., 3] = 255  # a green square
    cv2.imwrite(str(tmp_path / "patch.png"), rgba)
    effect = Effect(
        name="patch",
        root=tmp_path,
        attachments=[Attachment(joint="left_eye", asset="patch.png", scale=0.5, scale_by="head_width")],
    )
    gray = np.full((400, 400, 3), 90, np.uint8)
    pose = make_pose(center=(200, 200), shoulder_px=150)
    frame = make_frame([pose], size=(400, 400), image=gray)
    lx, ly = pose.xy("left_eye")
    rx, _ = pose.xy("right_eye")
    assert lx > rx  # unmirrored camera view: the person's left is on the image's right
    plain = render_image([effect], gray, frame)
    flip = render_image([effect], gray, frame, flip=True)
    for img, x in ((plain, lx), (flip, 399 - lx)):
        green = (img[..., 1] > 200) & (img[..., 0] < 60)
        gx, gy = centroid(green)
        assert abs(gx - x) < 4 and abs(gy - ly) < 4
    green_m = (flip[..., 1] > 200) & (flip[..., 0] < 60)
    assert centroid(green_m)[0] < 200, "in the selfie view the user's left is on the left"


def test_players_each_get_their_own_and_person_filter(tmp_path):
    rgba = np.zeros((16, 16, 4), np.uint8)
    rgba[..., 0] = rgba[..., 3] = 255  # blue (cv2 writes BGRA)
    cv2.imwrite(str(tmp_path / "dot.png"), rgba)
    gray = np.full((400, 800, 3), 90, np.uint8)
    p1 = make_pose(center=(200, 150), shoulder_px=120, pid=0)
    p2 = make_pose(center=(600, 150), shoulder_px=120, pid=1)
    frame = make_frame([p1, p2], size=(800, 400), image=gray)

    def blue_at(img, pose):
        x, y = pose.xy("nose").round().astype(int)
        return img[y, x, 2] > 200 and img[y, x, 0] < 60

    everyone = Effect(
        name="all", root=tmp_path, attachments=[Attachment(joint="nose", asset="dot.png", scale=0.3)]
    )
    second = Effect(
        name="p2", root=tmp_path, attachments=[Attachment(joint="nose", asset="dot.png", scale=0.3, person=2)]
    )
    out = render_image([everyone], gray, frame)
    assert blue_at(out, p1) and blue_at(out, p2)
    out = render_image([second], gray, frame)
    assert not blue_at(out, p1) and blue_at(out, p2)
    # per-player choice (the mirror): player 1 wears 'everyone', player 2 nothing extra
    with EffectRenderer([everyone]) as er:
        er.set_effects([second], player=2)
        out = er.render(frame)
        assert blue_at(out, p1) and blue_at(out, p2)
        er.set_effects([], player=2)
        out = er.render(frame)
        assert blue_at(out, p1) and not blue_at(out, p2)


def test_animation_moves_content_over_time():
    gray = np.full((512, 512, 3), 90, np.uint8)
    frame = make_frame([make_pose(center=(256, 300), shoulder_px=160)], image=gray)
    with EffectRenderer(["crown"]) as er:
        a = er.render(frame, now=0.0)
        b = er.render(frame, now=0.0)
        c = er.render(frame, now=0.75)  # a quarter of the 3 s... of the 6 s spin
    assert np.array_equal(a, b)
    assert changed_mask(a, c).sum() > 50, "a spinning crown changes over time"


def test_readme_five_line_effect_on_a_users_png(tmp_path, astronaut_png, astronaut, astro_frame):
    """The README example, verbatim: a user's own PNG on the nose, 0.5 head widths wide."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index("```toml\n", readme.index("<!-- section:effects -->")) + 8
    example = readme[start : readme.index("```", start)]
    assert len(example.strip().splitlines()) == 5
    (tmp_path / "my-effect.toml").write_text(example)
    star = np.zeros((100, 100, 4), np.uint8)
    cv2.circle(star, (50, 50), 48, (255, 0, 255, 255), -1)  # BGRA magenta disc
    cv2.imwrite(str(tmp_path / "my.png"), star)
    out = render_cli(tmp_path, astronaut_png, str(tmp_path / "my-effect.toml"))
    drawn = changed_mask(out, astronaut)
    pose = astro_frame.poses[0]
    att = gallery.load_effect(str(tmp_path / "my-effect.toml")).attachments[0]
    target = pose.xy(att.joint)
    width = att.scale[0] * pose.measure(att.scale_by)
    assert np.linalg.norm(centroid(drawn) - target) < 0.15 * width
    ys, xs = np.nonzero(drawn)
    assert abs((xs.max() - xs.min() + 1) - width) < 0.2 * width, "drawn at the stated size"
