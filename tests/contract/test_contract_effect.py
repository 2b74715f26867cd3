"""Effect files (TOML) validated against effect.schema.json: every gallery effect, and the
schema's keys and choices are exactly the ones arpose's effect reader accepts."""

from __future__ import annotations

import importlib.resources
import sys
from pathlib import Path

import pytest
from contract_schemas import errors, schema

from arpose.effects import schema as effect_schema
from arpose.errors import EffectError
from arpose.pose import MEASURES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

README = Path(__file__).resolve().parents[2] / "README.md"


def _gallery() -> list[Path]:
    folder = importlib.resources.files("arpose.assets") / "effects"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".toml"))


def test_every_gallery_effect_matches_the_schema():
    files = _gallery()
    assert len(files) >= 10, files
    for path in files:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        assert errors("effect", doc) == [], path.name


def test_the_readme_example_matches_the_schema():
    text = README.read_text(encoding="utf-8")
    start = text.index("```toml\n", text.index("<!-- section:effects -->")) + 8
    doc = tomllib.loads(text[start : text.index("```", start)])
    assert errors("effect", doc) == []


def test_schema_keys_and_choices_are_the_readers():
    s = schema("effect")
    attach = s["$defs"]["attachment"]["properties"]
    assert set(s["properties"]) == set(effect_schema.EFFECT_KEYS)
    assert set(attach) == set(effect_schema.ATTACHMENT_KEYS)
    assert set(s["$defs"]["asset"]["oneOf"][1]["properties"]) == set(effect_schema.ASSET_KEYS)
    animation = s["$defs"]["animation"]["oneOf"]
    assert set(animation[1]["properties"]) == set(effect_schema.ANIMATION_KEYS)
    assert set(animation[0]["enum"]) == set(effect_schema.ANIMATIONS)
    assert set(attach["scale_by"]["enum"]) == set(MEASURES)
    assert set(attach["layer"]["enum"]) == set(effect_schema.LAYERS) | set(effect_schema.LAYER_ALIASES)
    assert s["properties"]["version"]["maximum"] == effect_schema.FORMAT_VERSION


@pytest.mark.parametrize(
    "change",
    [
        {},  # the control: valid for both
        {"scael": 1.0},  # unknown key
        {"scale": 0},  # not > 0
        {"layer": "over"},  # unknown layer
        {"opacity": 2.0},  # out of 0..1
        {"animation": {"period": 1.0}},  # no kind
    ],
)
def test_schema_and_reader_agree_on_an_attachment(change, tmp_path):
    import cv2
    import numpy as np

    cv2.imwrite(str(tmp_path / "x.png"), np.full((8, 8, 4), 255, np.uint8))
    table = {"joint": "nose", "asset": "x.png", **change}
    text = "[[attach]]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in table.items())
    doc = tomllib.loads(text)
    if not change:
        assert errors("effect", doc) == []
        effect_schema.parse_effect(text, name="ok.toml", root=tmp_path)
        return
    assert errors("effect", doc)
    with pytest.raises(EffectError):
        effect_schema.parse_effect(text, name="broken.toml", root=tmp_path)


def _toml(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)
