"""Shader sources as the GPU gets them: ``#include`` lines expanded (no GL needed)."""

from __future__ import annotations

import importlib.resources

import pytest

from arpose.render.resources import load_shader

SHADERS = sorted(
    p.name.removesuffix(".glsl")
    for p in (importlib.resources.files("arpose.render") / "shaders").iterdir()
    if p.name.endswith((".frag.glsl", ".vert.glsl"))
)


@pytest.mark.parametrize("name", SHADERS)
def test_every_shader_is_complete_after_includes(name: str) -> None:
    source = load_shader(name)
    assert "#include" not in source
    first = next(line for line in source.splitlines() if line.strip() and not line.startswith("//"))
    assert first == "#version 330"


@pytest.mark.parametrize("name", ["mesh.frag", "skinned.frag", "sprite.frag"])
def test_occluding_shaders_share_one_body_cover(name: str) -> None:
    source = load_shader(name)
    assert source.count("float body_cover(") == 1
    assert source.count("uniform sampler2D u_mask;") == 1
