"""Generate the effect gallery: sprites, meshes and effect files under assets/.

Everything in ``assets/effects/`` (the gallery's ``*.toml`` with their ``sprites/`` and
``meshes/``) is made here (procedural meshes with trimesh, sprites drawn
with numpy/OpenCV), so the gallery's source is in the repo and can be regenerated:

    python tools/make_assets.py            # writes into ./assets
    python tools/make_assets.py --out DIR  # somewhere else

Conventions the effect files rely on: meshes are y-up with their origin at the centre of
their base (a hat's brim, a crown's lower rim) and 1 unit wide, so an attachment's
``scale`` is the width in body units; sprites are RGBA PNGs with a transparent border.
Output is deterministic (no randomness), so regenerating gives the same files.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import cv2
import numpy as np
import trimesh

SS = 4  # supersampling factor for anti-aliased sprite drawing

# ----------------------------------------------------------------------------- meshes


def _colored(mesh: trimesh.Trimesh, rgb: tuple[int, int, int]) -> trimesh.Trimesh:
    mesh.visual.vertex_colors = np.tile(np.array([*rgb, 255], np.uint8), (len(mesh.vertices), 1))
    return mesh


def _upright(mesh: trimesh.Trimesh, y0: float) -> trimesh.Trimesh:
    """trimesh builds cylinders/cones along z; stand them on y (up), base at ``y0``."""
    mesh.apply_transform(trimesh.transformations.rotation_matrix(-math.pi / 2, [1, 0, 0]))
    lo = mesh.bounds[0][1]
    mesh.apply_translation([0, y0 - lo, 0])
    return mesh


def top_hat() -> trimesh.Trimesh:
    """Black top hat with a red band: brim 1.0 wide, crown 0.62 wide and 0.6 tall."""
    brim = _upright(trimesh.creation.cylinder(radius=0.5, height=0.035, sections=48), 0.0)
    crown = _upright(trimesh.creation.cylinder(radius=0.31, height=0.6, sections=48), 0.02)
    band = _upright(trimesh.creation.cylinder(radius=0.318, height=0.1, sections=48), 0.035)
    return trimesh.util.concatenate(
        [_colored(brim, (28, 28, 32)), _colored(crown, (22, 22, 26)), _colored(band, (170, 20, 30))]
    )


def crown() -> trimesh.Trimesh:
    """Gold crown: a ring with eight spikes, each tipped with a red jewel.

    1,600 triangles: the jewels are once-subdivided and the band's dots plain
    icosahedra. With twice-/once-subdivided spheres (4,480 triangles) the crown cost
    software GL about 2.5 ms a frame for no visible difference even at 230 px wide
    (issue 11)."""
    parts = [
        _colored(_upright(trimesh.creation.annulus(0.44, 0.5, height=0.2, sections=48), 0.0), (235, 180, 40))
    ]
    for k in range(8):
        a = 2 * math.pi * k / 8
        x, z = 0.47 * math.sin(a), 0.47 * math.cos(a)
        spike = _upright(trimesh.creation.cone(radius=0.075, height=0.28, sections=16), 0.19)
        spike.apply_translation([x, 0, z])
        jewel = trimesh.creation.icosphere(subdivisions=1, radius=0.045)
        jewel.apply_translation([x, 0.47, z])
        gem = (200, 20, 40) if k % 2 == 0 else (30, 90, 220)
        parts += [_colored(spike, (245, 195, 50)), _colored(jewel, gem)]
    for k in range(16):  # small jewels around the band
        a = 2 * math.pi * (k + 0.5) / 16
        dot = trimesh.creation.icosphere(subdivisions=0, radius=0.03)
        dot.apply_translation([0.5 * math.sin(a), 0.1, 0.5 * math.cos(a)])
        parts.append(_colored(dot, (40, 170, 90)))
    return trimesh.util.concatenate(parts)


def party_hat() -> trimesh.Trimesh:
    """Striped party cone 1.0 wide and 1.3 tall with a pompom on top."""
    colours = [(230, 40, 120), (255, 200, 40), (40, 160, 230), (120, 210, 60)]
    parts = []
    height, bands = 1.3, 6
    for i in range(bands):  # frustum bands stacked up the cone, alternating colours
        y0, y1 = height * i / bands, height * (i + 1) / bands
        r0, r1 = 0.5 * (1 - y0 / height), 0.5 * (1 - y1 / height)
        band = _frustum(r0, r1, y0, y1, 40)
        parts.append(_colored(band, colours[i % len(colours)]))
    pom = trimesh.creation.icosphere(subdivisions=2, radius=0.11)
    pom.apply_translation([0, height + 0.05, 0])
    parts.append(_colored(pom, (250, 250, 250)))
    return trimesh.util.concatenate(parts)


def _frustum(r0: float, r1: float, y0: float, y1: float, sections: int) -> trimesh.Trimesh:
    a = np.linspace(0, 2 * np.pi, sections, endpoint=False)
    ring0 = np.stack([r0 * np.sin(a), np.full_like(a, y0), r0 * np.cos(a)], 1)
    ring1 = np.stack([r1 * np.sin(a), np.full_like(a, y1), r1 * np.cos(a)], 1)
    verts = np.concatenate([ring0, ring1, [[0, y0, 0]]])
    faces = []
    n = sections
    for i in range(n):
        j = (i + 1) % n
        faces += [[i, j, n + j], [i, n + j, n + i]]  # outward (counter-clockwise seen outside)
        faces.append([2 * n, j, i])  # bottom cap
    return trimesh.Trimesh(verts, np.array(faces), process=True)


def clown_nose() -> trimesh.Trimesh:
    """A shiny red ball 1.0 wide, origin at its centre."""
    return _colored(trimesh.creation.icosphere(subdivisions=3, radius=0.5), (225, 25, 30))


MESHES = {
    "top_hat.glb": top_hat,
    "crown.glb": crown,
    "party_hat.glb": party_hat,
    "clown_nose.glb": clown_nose,
}

# ----------------------------------------------------------------------------- sprites


def _canvas(w: int, h: int) -> np.ndarray:
    return np.zeros((h * SS, w * SS, 4), np.uint8)


def _down(img: np.ndarray) -> np.ndarray:
    """Supersampled RGBA -> final size with premultiplied averaging (no dark fringes)."""
    f = img.astype(np.float32)
    a = f[..., 3:4] / 255.0
    pre = np.concatenate([f[..., :3] * a, f[..., 3:4]], -1)
    h, w = img.shape[0] // SS, img.shape[1] // SS
    small = cv2.resize(pre, (w, h), interpolation=cv2.INTER_AREA)
    alpha = small[..., 3:4] / 255.0
    rgb = np.where(alpha > 1e-4, small[..., :3] / np.maximum(alpha, 1e-4), 0)
    return np.clip(np.concatenate([rgb, small[..., 3:4]], -1) + 0.5, 0, 255).astype(np.uint8)


def _pts(points, scale: float = SS) -> np.ndarray:
    return (np.asarray(points, np.float64) * scale).round().astype(np.int32)


def sunglasses() -> np.ndarray:
    """Aviator-style shades, 512x190; the bridge's centre is the image centre."""
    w, h = 512, 190
    img = _canvas(w, h)
    yy, xx = np.mgrid[0 : h * SS, 0 : w * SS] / SS
    for cx in (135, 377):  # lens centres
        lens = np.zeros(img.shape[:2], np.uint8)
        # a rounded trapezoid lens: ellipse unioned with a flatter top
        cv2.ellipse(lens, _pts((cx, 98)), _pts((112, 78)), 0, 0, 360, 255, -1, cv2.LINE_AA)
        cv2.rectangle(lens, _pts((cx - 110, 28)), _pts((cx + 110, 98)), 255, -1)
        mask = lens > 0
        t = np.clip((yy - 20) / 160, 0, 1)  # vertical gradient: dark top, lighter bottom
        img[mask, 0] = (20 + 40 * t[mask]).astype(np.uint8)
        img[mask, 1] = (25 + 50 * t[mask]).astype(np.uint8)
        img[mask, 2] = (45 + 70 * t[mask]).astype(np.uint8)
        img[mask, 3] = 235
        cnts, _ = cv2.findContours(lens, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        cv2.drawContours(img, cnts, -1, (15, 15, 15, 255), 9 * SS, cv2.LINE_AA)
        # a diagonal highlight streak on each lens
        hl = np.zeros(img.shape[:2], np.uint8)
        cv2.line(hl, _pts((cx - 70, 130)), _pts((cx - 10, 50)), 255, 12 * SS, cv2.LINE_AA)
        hl &= lens
        img[hl > 0, :3] = (img[hl > 0, :3] * 0.4 + np.array([200, 220, 255]) * 0.6).astype(np.uint8)
    # bridge and top bar
    cv2.line(img, _pts((243, 50)), _pts((269, 50)), (15, 15, 15, 255), 10 * SS, cv2.LINE_AA)
    cv2.line(img, _pts((30, 30)), _pts((482, 30)), (15, 15, 15, 255), 7 * SS, cv2.LINE_AA)
    return _down(img)


def shirt() -> np.ndarray:
    """A striped T-shirt front, 512x600; top edge = shoulder line, bottom edge = hips."""
    w, h = 512, 600
    img = _canvas(w, h)
    body = np.zeros(img.shape[:2], np.uint8)
    outline = [(0, 20), (160, 0), (205, 40), (307, 40), (352, 0), (512, 20), (512, 600), (0, 600)]
    cv2.fillPoly(body, [_pts(outline)], 255, cv2.LINE_AA)
    cv2.ellipse(body, _pts((256, 0)), _pts((70, 55)), 0, 0, 180, 0, -1, cv2.LINE_AA)  # neckline
    yy, xx = np.mgrid[0 : h * SS, 0 : w * SS] / SS
    stripes = (yy // 50) % 2 == 0
    rgb = np.where(stripes[..., None], np.array([25, 60, 160]), np.array([240, 240, 245]))
    shade = 0.8 + 0.2 * np.cos((xx / w - 0.5) * np.pi)  # darker sides: looks rounded
    rgb = rgb * shade[..., None]
    img[..., :3] = np.clip(rgb, 0, 255).astype(np.uint8)
    img[..., 3] = body
    # a yellow star on the chest
    star = []
    for k in range(10):
        r = 80 if k % 2 == 0 else 33
        a = math.pi / 2 + k * math.pi / 5
        star.append((256 + r * math.cos(a), 210 - r * math.sin(a)))
    starmask = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(starmask, [_pts(star)], 255, cv2.LINE_AA)
    sel = (starmask > 0) & (body > 0)
    img[sel, :3] = (255, 205, 30)
    neck = np.zeros(img.shape[:2], np.uint8)
    cv2.ellipse(neck, _pts((256, 0)), _pts((70, 55)), 0, 0, 180, 255, 10 * SS, cv2.LINE_AA)
    sel = (neck > 0) & (body > 0)
    img[sel, :3] = (200, 30, 40)
    return _down(img)


def wings() -> np.ndarray:
    """White feathered wings spreading from the centre, 800x480; centre = between the
    shoulder blades."""
    w, h = 800, 480
    img = _canvas(w, h)
    for side in (-1, 1):
        for row, (length, width, tilt, tone) in enumerate(
            [
                (380, 80, -28, 255),
                (340, 70, -8, 245),
                (290, 60, 12, 235),
                (230, 52, 32, 225),
                (170, 45, 52, 215),
            ]
        ):
            for k in range(7):  # feathers along each row
                frac = k / 6
                base = np.array([400 + side * (20 + frac * 40), 200 + row * 18 + frac * 30])
                ang = math.radians(tilt + frac * 28) * -1
                d = np.array([side * math.cos(ang), -math.sin(ang)])
                tip = base + d * length * (0.55 + 0.45 * (1 - frac))
                mid = (base + tip) / 2
                L = float(np.linalg.norm(tip - base)) / 2
                angle = math.degrees(math.atan2(d[1], d[0]))
                fw = width * (0.8 + 0.2 * frac)
                col = (tone - 30 * frac, tone - 20 * frac, 255, 255)
                cv2.ellipse(
                    img, _pts(mid), _pts((L, fw / 2)), angle, 0, 360, (120, 140, 190, 255), -1, cv2.LINE_AA
                )
                cv2.ellipse(img, _pts(mid), _pts((L - 4, fw / 2 - 4)), angle, 0, 360, col, -1, cv2.LINE_AA)
    return _down(img)


def glow() -> np.ndarray:
    """A soft cyan/white glow, 256x256, radial falloff to transparent, with a bright ring
    (a wrist band of light)."""
    n = 256
    yy, xx = np.mgrid[0:n, 0:n]
    r = np.hypot(xx - (n - 1) / 2, yy - (n - 1) / 2) / (n / 2)
    core = np.exp(-((r / 0.35) ** 2))
    ring = np.exp(-(((r - 0.55) / 0.06) ** 2))
    alpha = np.clip(0.85 * core + 0.9 * ring + 0.25 * np.exp(-((r / 0.8) ** 2)), 0, 1)
    alpha[r >= 1] = 0
    white = np.clip(core * 1.2, 0, 1)[..., None]
    cyan = np.array([60, 230, 255], np.float64)
    rgb = cyan * (1 - white) + 255 * white
    return np.dstack([rgb, alpha * 255]).round().astype(np.uint8)


def ring() -> np.ndarray:
    """A gold ring with a gem, 128x128, as seen on the back of the finger: the finger runs
    along x (the anchor's axis from the knuckle to the middle joint), so the band is a
    narrow vertical strip across it, shaded darker towards the finger's sides so it reads
    as round metal; the gem sits in the middle, on top of the finger."""
    img = _canvas(128, 128)
    n = 128 * SS
    yy, xx = np.mgrid[0:n, 0:n] / SS
    band = (np.abs(xx - 64) <= 9) & (np.abs(yy - 64) <= 40)
    shade = 0.55 + 0.45 * np.cos((yy - 64) / 40 * math.pi / 2)
    gold = np.array([235, 180, 50], np.float64)  # RGB
    shine = np.exp(-(((xx - 61) / 2.5) ** 2)) * 60
    for c in range(3):
        img[..., c] = np.where(band, np.clip(gold[c] * shade + shine, 0, 255), img[..., c])
    img[..., 3] = np.where(band, 255, img[..., 3])
    cv2.circle(img, (64 * SS, 64 * SS), 15 * SS, (150, 110, 30, 255), -1, cv2.LINE_AA)
    cv2.circle(img, (64 * SS, 64 * SS), 12 * SS, (120, 200, 255, 255), -1, cv2.LINE_AA)
    cv2.circle(img, (60 * SS, 60 * SS), 4 * SS, (255, 255, 255, 255), -1, cv2.LINE_AA)
    return _down(img)


def nail() -> np.ndarray:
    """A glossy red fingernail, 96x96: an oval longer along x (the finger's axis, from the
    last joint to the tip), with a white highlight."""
    img = _canvas(96, 96)
    c = (48 * SS, 48 * SS)
    cv2.ellipse(img, c, (34 * SS, 24 * SS), 0, 0, 360, (215, 20, 40, 255), -1, cv2.LINE_AA)
    cv2.ellipse(img, c, (34 * SS, 24 * SS), 0, 0, 360, (120, 10, 30, 255), 2 * SS, cv2.LINE_AA)
    cv2.ellipse(
        img, (56 * SS, 40 * SS), (14 * SS, 5 * SS), -10, 0, 360, (255, 225, 235, 255), -1, cv2.LINE_AA
    )
    return _down(img)


SPRITES = {
    "sunglasses.png": sunglasses,
    "shirt.png": shirt,
    "wings.png": wings,
    "glow.png": glow,
    "ring.png": ring,
    "nail.png": nail,
}

# ----------------------------------------------------------------------------- effects

EFFECTS: dict[str, str] = {
    "top-hat": """\
name = "Top hat"
description = "A black 3D top hat with a red band, sitting on the head."

[assets]
hat = "meshes/top_hat.glb"

[[attach]]
joint = "head_top"          # the top of the skull (virtual joint)
asset = "hat"
scale = 1.5                 # brim width: 1.5 head widths
offset = [0, 0.3, 0]        # y is down: sink the hat onto the head
# scale_by = "head_width" and rotate_by = ["right_ear", "left_ear"] are the defaults here
""",
    "sunglasses": """\
name = "Sunglasses"
description = "Dark aviator sunglasses over the eyes."

[assets]
shades = "sprites/sunglasses.png"

[[attach]]
joint = "mid_eye"
asset = "shades"
scale = 1.05                # 1.05 head widths wide
rotate_by = ["right_eye", "left_eye"]
offset = [0, 0.03, 0]
layer = "front"
""",
    "crown": """\
name = "Crown"
description = "A slowly turning golden crown with jewels."

[assets]
crown = "meshes/crown.glb"

[[attach]]
joint = "head_top"
asset = "crown"
scale = 1.15
offset = [0, 0.25, 0]
animation = { kind = "spin", period = 6.0, axis = "y" }
""",
    "party-hat": """\
name = "Party hat"
description = "A striped party cone, tilted and bobbing."

[assets]
hat = "meshes/party_hat.glb"

[[attach]]
joint = "head_top"
asset = "hat"
scale = 0.85
offset = [0.12, 0.2, 0]
rotate = [0, 0, 12]         # positive roll tilts the top toward the person's left
animation = { kind = "bob", amplitude = 0.04, period = 0.8 }
""",
    "clown-nose": """\
name = "Clown nose"
description = "A red ball on the nose that pulses gently."

[assets]
nose = "meshes/clown_nose.glb"

[[attach]]
joint = "nose"
asset = "nose"
scale = 0.36
offset = [0, 0, -0.1]       # z is away from the camera: negative = in front of the face
layer = "front"
animation = { kind = "pulse", amplitude = 0.08, period = 1.2 }
""",
    "costume-shirt": """\
name = "Costume shirt"
description = "A striped T-shirt warped onto the torso: its corners follow both shoulders and both hips."

[assets]
shirt = "sprites/shirt.png"

[[attach]]
asset = "shirt"
# corners of the image: top-left, top-right, bottom-right, bottom-left.
# The image's left edge goes on the person's right side (the camera sees it on the left).
quad = ["right_shoulder", "left_shoulder", "left_hip", "right_hip"]
margin = [0.22, 0.06]       # a bit wider than the shoulders, a bit higher than the shoulder line
layer = "front"
min_visibility = 0.1        # hips are often out of the picture: their estimate is good enough
opacity = 0.95
""",
    "wings": """\
name = "Wings"
description = "Feathered wings behind the back, hidden where the body is in front of them."

[assets]
wings = "sprites/wings.png"

[[attach]]
joint = "mid_shoulder"      # between the shoulders: visible even when the hips are not
asset = "wings"
scale = 2.8                 # 2.8 shoulder widths from tip to tip
scale_by = "shoulder_width"
pivot = [0.5, 0.6]          # the wings' roots (just below the image centre) on the back
offset = [0, 0.35, 0.3]     # y down, z away: down between the shoulder blades, behind the body
layer = "behind_body"       # occluded by the person (segmentation mask)
animation = { kind = "pulse", amplitude = 0.03, period = 1.6 }
""",
    "finger-ring": """\
name = "Finger ring"
description = "A gold ring with a gem on the left ring finger; it follows the finger and rolls with it."

[assets]
ring = "sprites/ring.png"

[[attach]]
joint = "left_ring_finger_pip"
asset = "ring"
scale = 0.42
scale_by = "hand_size"
rotate_by = ["left_ring_finger_mcp", "left_ring_finger_pip"]
offset = [-0.22, 0, -0.02]   # back from the middle joint towards the knuckle
layer = "front"
""",
    "painted-nails": """\
name = "Painted nails"
description = "Glossy red nails on all ten fingertips, turned along each finger."

[assets]
nail = "sprites/nail.png"

[[attach]]
joint = "left_thumb_tip"
asset = "nail"
scale = 0.27
rotate_by = ["left_thumb_ip", "left_thumb_tip"]
offset = [-0.06, 0, -0.02]
layer = "front"

[[attach]]
joint = "left_index_finger_tip"
asset = "nail"
scale = 0.22
rotate_by = ["left_index_finger_dip", "left_index_finger_tip"]
offset = [-0.06, 0, -0.02]
layer = "front"

[[attach]]
joint = "left_middle_finger_tip"
asset = "nail"
scale = 0.23
rotate_by = ["left_middle_finger_dip", "left_middle_finger_tip"]
offset = [-0.06, 0, -0.02]
layer = "front"

[[attach]]
joint = "left_ring_finger_tip"
asset = "nail"
scale = 0.22
rotate_by = ["left_ring_finger_dip", "left_ring_finger_tip"]
offset = [-0.06, 0, -0.02]
layer = "front"

[[attach]]
joint = "left_pinky_tip"
asset = "nail"
scale = 0.19
rotate_by = ["left_pinky_dip", "left_pinky_tip"]
offset = [-0.06, 0, -0.02]
layer = "front"

[[attach]]
joint = "right_thumb_tip"
asset = "nail"
scale = 0.27
rotate_by = ["right_thumb_ip", "right_thumb_tip"]
offset = [-0.06, 0, -0.02]
layer = "front"

[[attach]]
joint = "right_index_finger_tip"
asset = "nail"
scale = 0.22
rotate_by = ["right_index_finger_dip", "right_index_finger_tip"]
offset = [-0.06, 0, -0.02]
layer = "front"

[[attach]]
joint = "right_middle_finger_tip"
asset = "nail"
scale = 0.23
rotate_by = ["right_middle_finger_dip", "right_middle_finger_tip"]
offset = [-0.06, 0, -0.02]
layer = "front"

[[attach]]
joint = "right_ring_finger_tip"
asset = "nail"
scale = 0.22
rotate_by = ["right_ring_finger_dip", "right_ring_finger_tip"]
offset = [-0.06, 0, -0.02]
layer = "front"

[[attach]]
joint = "right_pinky_tip"
asset = "nail"
scale = 0.19
rotate_by = ["right_pinky_dip", "right_pinky_tip"]
offset = [-0.06, 0, -0.02]
layer = "front"
""",
    "glow-hands": """\
name = "Glowing hands"
description = "Pulsing rings of light around both wrists."

[assets]
glow = "sprites/glow.png"

[[attach]]
joint = "left_wrist"
asset = "glow"
scale = 0.55
scale_by = "shoulder_width"
layer = "front"
animation = { kind = "pulse", amplitude = 0.15, period = 0.9 }

[[attach]]
joint = "right_wrist"
asset = "glow"
scale = 0.55
scale_by = "shoulder_width"
layer = "front"
animation = { kind = "pulse", amplitude = 0.15, period = 0.9, phase = 0.45 }
""",
}


def write_all(out: Path) -> list[Path]:
    """Write every mesh, sprite and gallery effect under ``out``; return the paths."""
    written: list[Path] = []
    # Each effect's assets sit inside its own folder (effects/sprites, effects/meshes), so
    # a gallery effect obeys the same rule as a user's: no asset path leaves the folder.
    effects = out / "effects"
    (effects / "meshes").mkdir(parents=True, exist_ok=True)
    (effects / "sprites").mkdir(parents=True, exist_ok=True)
    for name, make in MESHES.items():
        path = effects / "meshes" / name
        path.write_bytes(make().export(file_type="glb"))
        written.append(path)
    for name, make in SPRITES.items():
        path = effects / "sprites" / name
        rgba = make()
        ok, buf = cv2.imencode(
            ".png", cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA), [cv2.IMWRITE_PNG_COMPRESSION, 9]
        )
        assert ok, name
        path.write_bytes(buf.tobytes())
        written.append(path)
    for stem, text in EFFECTS.items():
        path = effects / f"{stem}.toml"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "assets")
    args = parser.parse_args()
    paths = write_all(args.out)
    total = sum(p.stat().st_size for p in paths)
    for p in paths:
        print(f"{p.stat().st_size / 1024:8.1f} KB  {p}")
    print(f"{len(paths)} files, {total / 1024:.0f} KB total")


if __name__ == "__main__":
    main()
