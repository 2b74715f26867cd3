"""Effect files: validation, error messages, the gallery, and fuzzing with hypothesis."""

from __future__ import annotations

import json
import math
import os
import string
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arpose.effects import gallery
from arpose.effects.schema import (
    MAX_EFFECT_BYTES,
    Animation,
    Attachment,
    Effect,
    read_effect_file,
)
from arpose.errors import EffectError


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An effect folder with a sprite and a mesh in it."""
    rgba = np.zeros((20, 40, 4), np.uint8)
    rgba[5:15, 5:35] = (255, 0, 0, 255)
    cv2.imwrite(str(tmp_path / "hat.png"), rgba)
    (tmp_path / "meshes").mkdir()
    import trimesh

    (tmp_path / "meshes" / "ball.glb").write_bytes(
        trimesh.creation.icosphere(subdivisions=1).export(file_type="glb")
    )
    return tmp_path


def write(folder: Path, text: str | bytes, name: str = "hat.toml") -> Path:
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def error_of(path: Path) -> str:
    with pytest.raises(EffectError) as info:
        read_effect_file(path, display=path.name)
    return str(info.value)


GOOD = """\
[[attach]]
joint = "head_top"
asset = "hat.png"
scale = 1.2
"""


def test_minimal_effect_loads_with_defaults(folder):
    effect = read_effect_file(write(folder, GOOD))
    assert effect.name == "hat"
    (att,) = effect.attachments
    assert att.joint == "head_top" and att.scale == (1.2, 1.2, 1.2)
    assert att.scale_by == "head_width" and att.rotate_by == ("right_ear", "left_ear")
    assert att.layer == "body" and att.person == "all" and att.min_visibility == 0.5
    asset = effect.asset_for(att)
    assert asset.kind == "sprite" and asset.path == (folder / "hat.png").resolve()
    assert set(effect.files()) == {folder / "hat.toml", asset.path}


def test_full_effect_with_asset_table_and_animation(folder):
    text = """
name = "Ball"
description = "a ball"
version = 1
[assets]
ball = { path = "meshes/ball.glb", color = "#ff0000" }
[[attach]]
joint = "left_hand"
asset = "ball"
offset = [0.1, -0.2]
scale = [0.5, 0.5, 0.25]
scale_by = "shoulder_width"
rotate_by = ["left_elbow", "left_wrist"]
rotate = 30
tilt_3d = true
layer = "behind"
person = 2
opacity = 0.5
min_visibility = 0.3
animation = { kind = "bob", amplitude = 0.1, period = 2.0, axis = "x" }
"""
    effect = read_effect_file(write(folder, text))
    att = effect.attachments[0]
    assert effect.name == "Ball" and att.joint == "left_wrist"  # alias resolved
    assert att.offset == (0.1, -0.2, 0.0) and att.rotate == (0.0, 0.0, 30.0)
    assert att.layer == "behind_body" and att.person == 2 and att.applies_to(2)
    assert not att.applies_to(1)
    assert effect.assets["ball"].kind == "mesh"
    assert effect.assets["ball"].color == (1.0, 0.0, 0.0, 1.0)
    assert att.animation == Animation(kind="bob", amplitude=0.1, period=2.0, axis="x")


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            'joint = "left_sholder"',
            "unknown joint 'left_sholder' in attachment 2 of hat.toml; did you mean 'left_shoulder'?",
        ),
        ("scale = -1", "invalid 'scale' in attachment 2 of hat.toml: must be greater than 0"),
        ("scale = 0", "invalid 'scale' in attachment 2 of hat.toml: must be greater than 0"),
        ('scale = "big"', "invalid 'scale' in attachment 2 of hat.toml: expected a number or a list"),
        ("scale = [1, -2]", "invalid 'scale' in attachment 2 of hat.toml: must be greater than 0"),
        ('offset = "up"', "invalid 'offset' in attachment 2 of hat.toml: expected a list of 2 or 3"),
        ("offset = [1, true]", "invalid 'offset' in attachment 2 of hat.toml: expected a number"),
        ("offset = [nan, 0]", "invalid 'offset' in attachment 2 of hat.toml: expected a finite"),
        ("joint = 5", "invalid 'joint' in attachment 2 of hat.toml: expected a non-empty string"),
        ("scael = 2", "unknown key 'scael' in attachment 2 of hat.toml; did you mean 'scale'"),
        ('layer = "behnd"', "invalid 'layer' in attachment 2 of hat.toml: 'behnd' is not one of"),
        ('scale_by = "head"', "invalid 'scale_by' in attachment 2 of hat.toml"),
        ('rotate_by = ["left_ear"]', "invalid 'rotate_by' in attachment 2 of hat.toml"),
        ('rotate_by = ["left_ear", "nosee"]', "unknown joint 'nosee' in 'rotate_by' of attachment 2"),
        ("min_visibility = 1.5", "invalid 'min_visibility' in attachment 2 of hat.toml: must be at most 1"),
        ('person = "two"', "invalid 'person' in attachment 2 of hat.toml"),
        ("person = 0", "invalid 'person' in attachment 2 of hat.toml: must be at least 1"),
        ("opacity = -0.1", "invalid 'opacity' in attachment 2 of hat.toml"),
        ('tilt_3d = "yes"', "invalid 'tilt_3d' in attachment 2 of hat.toml: expected true or false"),
        ('animation = "wobble"', "invalid 'kind' in 'animation' of attachment 2 of hat.toml"),
        (
            'animation = { kind = "spin", speed = 2 }',
            "unknown key 'speed' in 'animation' of attachment 2 of hat.toml",
        ),
        ('animation = { kind = "pulse", amplitude = 2 }', "invalid 'amplitude' in 'animation'"),
        ('quad = ["left_shoulder", "right_shoulder"]', "invalid 'quad' in attachment 2 of hat.toml"),
        ('asset = "../../../etc/passwd.png"', "escapes the effect's folder"),
        ('asset = "/etc/hosts.png"', "is absolute"),
        ('asset = "nothere.png"', "missing asset file 'nothere.png' in attachment 2 of hat.toml"),
        ('asset = "shades"', "unknown asset 'shades' in attachment 2 of hat.toml"),
    ],
)
def test_bad_attachment_values_name_file_attachment_and_key(folder, line, expected):
    key = line.split("=")[0].strip()
    body = {"joint": '"nose"', "asset": '"hat.png"'}
    body.pop(key, None)
    second = "\n".join([f"{k} = {v}" for k, v in body.items()] + [line])
    path = write(folder, GOOD + "\n[[attach]]\n" + second + "\n")
    message = error_of(path)
    assert expected in message, message
    assert "\n" not in message


def test_unknown_asset_kind_lists_the_kinds(folder):
    (folder / "notes.txt").write_text("hi")
    msg = error_of(write(folder, GOOD.replace("hat.png", "notes.txt")))
    assert "no asset kind for 'notes.txt'" in msg and "sprite (.png" in msg and "mesh (.obj" in msg
    msg = error_of(
        write(
            folder,
            '[assets]\nh = { path = "hat.png", kind = "vidoe" }\n[[attach]]\njoint = "nose"\nasset = "h"\n',
        )
    )
    assert "unknown asset kind 'vidoe'" in msg and "asset 'h' of hat.toml" in msg


def test_asset_symlink_out_of_the_folder_is_refused(folder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    outside.write_bytes((folder / "hat.png").read_bytes())
    (folder / "link.png").symlink_to(outside)
    msg = error_of(write(folder, GOOD.replace("hat.png", "link.png")))
    assert "escapes the effect's folder" in msg and "'link.png'" in msg


def test_dotdot_inside_the_folder_is_fine(folder):
    effect = read_effect_file(write(folder, GOOD.replace("hat.png", "meshes/../hat.png")))
    assert effect.assets["meshes/../hat.png"].path == (folder / "hat.png").resolve()


def test_file_level_problems(folder):
    assert "file is empty" in error_of(write(folder, b""))
    assert "file is empty" in error_of(write(folder, b"  \n\n "))
    msg = error_of(write(folder, b'[[attach]]\njoint = "nose\xff\xfe"\n'))
    assert "not valid UTF-8" in msg and "hat.toml" in msg
    assert "invalid TOML" in error_of(write(folder, "[[attach]\njoint = 'nose'"))
    assert "no attachments in hat.toml" in error_of(write(folder, 'name = "x"\n'))
    msg = error_of(write(folder, 'nmae = "x"\n' + GOOD))
    assert "unknown key 'nmae' in hat.toml; did you mean 'name'?" in msg
    assert "version 7 is newer" in error_of(write(folder, "version = 7\n" + GOOD))
    assert "is a folder" in error_of(folder / "meshes")
    assert "no such effect file" in error_of(folder / "nope.toml")
    bom = "\ufeff" + GOOD
    assert read_effect_file(write(folder, bom.encode("utf-8"))).attachments[0].joint == "head_top"


def test_huge_file_is_refused_by_size_before_reading(folder):
    path = folder / "huge.toml"
    with open(path, "wb") as fh:  # sparse 200 MB file: cheap to create, costly to read
        fh.truncate(200 * 1024 * 1024)
    msg = error_of(path)
    assert "huge.toml: file is 209.7 MB, over the 1024 KB limit" in msg
    just_over = write(folder, GOOD + "#" * (MAX_EFFECT_BYTES - len(GOOD) + 1), "big.toml")
    assert "over the 1024 KB limit" in error_of(just_over)


def test_oversized_asset_and_corrupt_asset_are_refused_at_decode(folder):
    from arpose.effects.assets import load_asset_data
    from arpose.errors import AssetError

    (folder / "broken.png").write_bytes(b"\x89PNG not really")
    effect = read_effect_file(write(folder, GOOD.replace("hat.png", "broken.png")))
    with pytest.raises(AssetError, match=r"broken\.png: cannot decode image"):
        load_asset_data(effect.assets["broken.png"].path, "sprite")


def test_python_api_uses_the_same_validation(folder):
    att = Attachment(joint="left_hand", asset="hat.png", scale=0.5)
    effect = Effect(name="py", attachments=[att], root=folder)
    assert att.joint == "left_wrist" and att.scale == (0.5, 0.5, 0.5)
    assert effect.assets["hat.png"].kind == "sprite"
    with pytest.raises(EffectError, match="unknown joint 'lft_wrist' in Attachment; did you mean"):
        Attachment(joint="lft_wrist", asset="x.png")
    with pytest.raises(EffectError, match="invalid 'scale' in Attachment: must be greater than 0"):
        Attachment(joint="nose", asset="x.png", scale=-1)
    with pytest.raises(EffectError, match="no attachments in effect 'empty'"):
        Effect(name="empty", attachments=[])


def test_animation_samples():
    bob = Animation(kind="bob", amplitude=0.2, period=2.0)
    assert bob.sample(0.5)[0] == pytest.approx((0.0, 0.2, 0.0))
    assert bob.sample(1.5)[0] == pytest.approx((0.0, -0.2, 0.0))
    spin = Animation(kind="spin", period=4.0)
    assert spin.sample(1.0)[1] == pytest.approx((0.0, 90.0, 0.0))
    pulse = Animation(kind="pulse", amplitude=0.1, period=1.0)
    assert pulse.sample(0.25)[2] == pytest.approx(1.1)
    assert Animation(kind="spin").period == 3.0 and Animation(kind="bob").amplitude == 0.05


def test_gallery_has_the_named_effects_and_they_validate():
    names = gallery.effect_names()
    assert names[:8] == [
        "top-hat",
        "sunglasses",
        "crown",
        "party-hat",
        "clown-nose",
        "costume-shirt",
        "wings",
        "glow-hands",
    ]
    assert {"mannequin", "costume-tunic"} <= set(names)
    kinds = set()
    for name in gallery.GALLERY:
        effect = gallery.load_effect(name)
        assert effect.attachments
        kinds |= {a.kind for a in effect.assets.values()}
        assert all(p.is_file() for p in effect.files())
    assert kinds == {"sprite", "mesh", "avatar"}
    shirt = gallery.load_effect("costume-shirt").attachments[0]
    assert set(shirt.quad) == {"left_shoulder", "right_shoulder", "left_hip", "right_hip"}
    assert gallery.load_effect("wings").attachments[0].layer == "behind_body"


def test_gallery_unknown_name_suggests(tmp_path):
    with pytest.raises(EffectError, match=r"unknown effect 'top_hat'.*did you mean 'top-hat'"):
        gallery.load_effect("top_hat")
    path = write(tmp_path, GOOD.replace("hat.png", "x.png"), "mine.toml")
    with pytest.raises(EffectError, match=r"missing asset file 'x\.png'"):
        gallery.load_effect(str(path))


def test_total_asset_size_is_small():
    root = gallery.assets_root()
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert total < 2 * 1024 * 1024


# ------------------------------------------------------------------- fuzzing (hypothesis)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return "nan"
        if isinstance(value, float) and math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


JOINTISH = st.sampled_from(
    ["nose", "head_top", "left_wrist", "left_sholder", "", "NOSE", "left-hand", "spine", "x"]
)
ASSETISH = st.sampled_from(
    [
        "hat.png",
        "meshes/ball.glb",
        "../hat.png",
        "/etc/passwd",
        "nothere.png",
        "hat",
        "",
        "hat.png/..",
        "meshes",
    ]
)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    JOINTISH,
    ASSETISH,
)
VALUE = st.recursive(
    SCALAR.filter(lambda v: v is not None),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.sampled_from(["kind", "period", "path", "x"]), inner, max_size=3),
    ),
    max_leaves=10,
)
PLAUSIBLE = {  # values near the valid ones, so fuzzing reaches deep into validation
    "offset": st.lists(st.floats(-3, 3), min_size=2, max_size=3),
    "scale": st.one_of(st.floats(-1, 3), st.lists(st.floats(-1, 3), min_size=2, max_size=3)),
    "scale_by": st.sampled_from(["head_width", "shoulder_width", "hips", "body_size"]),
    "rotate_by": st.one_of(st.booleans(), st.lists(JOINTISH, min_size=2, max_size=2)),
    "rotate": st.one_of(st.floats(-400, 400), st.lists(st.floats(-90, 90), min_size=3, max_size=3)),
    "layer": st.sampled_from(["behind", "front", "body", "hud", "top"]),
    "min_visibility": st.floats(-0.5, 1.5),
    "person": st.one_of(st.sampled_from(["all", "one"]), st.integers(-1, 20), st.floats(0, 3)),
    "animation": st.one_of(
        st.sampled_from(["bob", "spin", "pulse", "jump"]),
        st.fixed_dictionaries(
            {"kind": st.sampled_from(["bob", "spin"])},
            optional={
                "period": st.floats(-1, 5),
                "amplitude": st.floats(-1, 2),
                "axis": st.sampled_from("xyzw"),
                "phase": VALUE,
            },
        ),
    ),
    "quad": st.lists(JOINTISH, min_size=3, max_size=5),
    "margin": st.lists(st.floats(-1, 1), min_size=1, max_size=5),
    "pivot": st.lists(st.floats(-1, 2), min_size=2, max_size=2),
    "tilt_3d": st.booleans(),
    "opacity": st.floats(-0.5, 1.5),
}


@st.composite
def attachments(draw) -> dict:
    table = {}
    if draw(st.integers(0, 9)) > 0:
        table["joint"] = draw(JOINTISH)
    if draw(st.integers(0, 9)) > 0:
        table["asset"] = draw(ASSETISH)
    for key in draw(st.lists(st.sampled_from(sorted(PLAUSIBLE)), max_size=4, unique=True)):
        table[key] = draw(
            st.one_of(PLAUSIBLE[key], VALUE) if draw(st.integers(0, 4)) == 0 else PLAUSIBLE[key]
        )
    if draw(st.integers(0, 9)) == 0:
        table[draw(st.text(string.ascii_lowercase + "_", min_size=1, max_size=8))] = draw(VALUE)
    return table


@st.composite
def effect_documents(draw) -> str:
    lines = []
    if draw(st.booleans()):
        lines.append(f"name = {_toml_value(draw(st.one_of(st.text(max_size=10), VALUE)))}")
    if draw(st.integers(0, 5)) == 0:
        lines.append(f"version = {_toml_value(draw(st.one_of(st.just(1), VALUE)))}")
    if draw(st.integers(0, 9)) == 0:
        lines.append(f"zzz = {_toml_value(draw(VALUE))}")
    if draw(st.booleans()):
        lines.append("[assets]")
        for name, value in draw(
            st.dictionaries(st.sampled_from(["hat", "ball", "a b"]), st.one_of(ASSETISH, VALUE), max_size=3)
        ).items():
            lines.append(f"{json.dumps(name)} = {_toml_value(value)}")
    for table in draw(st.lists(attachments(), min_size=1, max_size=3)):
        lines.append("[[attach]]")
        lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _only_effect_or_effect_error(path: Path) -> None:
    try:
        result = read_effect_file(path)
    except EffectError as exc:
        message = str(exc)
        assert (message and "\n" not in message.strip("\n")) or "invalid TOML" in message
    else:
        assert isinstance(result, Effect) and result.attachments


FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(doc=effect_documents())
def test_fuzz_structured_documents(folder, doc):
    _only_effect_or_effect_error(write(folder, doc, "fuzz.toml"))


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_random_bytes(folder, data):
    _only_effect_or_effect_error(write(folder, data, "fuzz.toml"))


@FUZZ
@given(
    base=st.sampled_from(
        [
            GOOD,
            '[assets]\nh = "hat.png"\n[[attach]]\njoint = "nose"\n'
            'asset = "h"\nanimation = { kind = "spin" }\n',
        ]
    ),
    cut=st.integers(0, 200),
    junk=st.text(max_size=20),
)
def test_fuzz_mutated_valid_documents(folder, base, cut, junk):
    cut = min(cut, len(base))
    _only_effect_or_effect_error(write(folder, base[:cut] + junk + base[cut:], "fuzz.toml"))


def test_deeply_nested_toml_is_an_effect_error(folder):
    path = write(folder, "x = " + "[" * 5000 + "]" * 5000 + "\n", "deep.toml")
    _only_effect_or_effect_error(path)
    assert os.path.getsize(path) < MAX_EFFECT_BYTES


def test_gallery_files_are_valid_by_path_too():
    """A gallery effect named by its file path obeys the same rule as a user's effect:
    every asset lies inside the effect's own folder (copying the folder keeps it working)."""
    from arpose.cli import main

    paths = sorted((gallery.assets_root() / "effects").glob("*.toml"))
    assert len(paths) >= 8
    for path in paths:
        effect = gallery.load_effect(str(path))
        assert all(a.path.is_relative_to(path.parent.resolve()) for a in effect.assets.values())
    assert main(["check", *map(str, paths)]) == 0


def test_old_loading_names_warn_and_still_work() -> None:
    """0.1.0's ``arpose.effects.load`` / ``load_assets`` work for one release, with a warning."""
    import arpose.effects as effects

    with pytest.warns(DeprecationWarning, match="load_effect"):
        assert effects.load is effects.load_effect
    with pytest.warns(DeprecationWarning, match="decode_assets"):
        assert effects.load_assets is effects.decode_assets
    assert (
        effects.load_effect("top-hat").name
        == effects.read_effect_file(effects.gallery.builtin_effects()["top-hat"]).name
    )
    with pytest.raises(AttributeError):
        effects.load_everything  # noqa: B018


# ------------------------------------------------------------------- avatars (issue 24)


def test_avatar_attachment_keys(tmp_path):
    (tmp_path / "hero.glb").write_bytes(b"glTF")  # checked for existence here, decoded later
    (tmp_path / "hero.vrm").write_bytes(b"glTF")
    write_png_file = cv2.imwrite(str(tmp_path / "hat.png"), np.zeros((4, 4, 4), np.uint8))
    assert write_png_file
    path = write(tmp_path, '[[attach]]\nasset = "hero.glb"\nrig = "mixamo"\n', "a.toml")
    effect = read_effect_file(path)
    att = effect.attachments[0]
    assert att.is_avatar and att.rig == "mixamo" and att.joint == "mid_hip"
    assert effect.asset_for(att).kind == "avatar"  # a .glb with a bone map is an avatar
    effect = read_effect_file(write(tmp_path, '[[attach]]\nasset = "hero.vrm"\n', "b.toml"))
    assert effect.attachments[0].rig == "auto"  # an avatar file named directly
    table = read_effect_file(
        write(tmp_path, '[[attach]]\nasset = "hero.glb"\n[attach.rig]\nhips = "pelvis"\n', "c.toml")
    )
    assert dict(table.attachments[0].rig) == {"hips": "pelvis"}
    assert "invalid 'rig'" in error_of(write(tmp_path, '[[attach]]\nasset = "hero.glb"\nrig = 3\n', "d.toml"))
    assert "invalid 'rig.hips'" in error_of(
        write(tmp_path, '[[attach]]\nasset = "hero.glb"\nrig = { hips = 1 }\n', "e.toml")
    )
    assert "needs a skinned glTF avatar" in error_of(
        write(tmp_path, GOOD.replace("scale = 1.2", 'rig = "auto"'), "f.toml")
    )
    assert "or 'rig' for an avatar" in error_of(write(tmp_path, '[[attach]]\nasset = "hat.png"\n', "g.toml"))
