"""Integration tests: the real model, real OpenGL, real processes and the shared media.

Each test gets the markers of what its module needs (registered in pyproject.toml), so a
run can leave out what a machine lacks or what takes long, e.g.
``pytest tests/integration -m "not model"`` or ``-m "not subprocess"``. A mark says the
module needs the thing in at least one test (in-process or in a child process): a coarse
but honest filter. Tests that take an OpenGL fixture are marked ``gl`` individually."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

# what each module needs: gl (an OpenGL context or a pygame display), model (MediaPipe or
# the hand model runs), subprocess (it starts processes: the arpose command, pytest,
# worker pools). A new module lists itself here.
NEEDS: dict[str, tuple[str, ...]] = {
    "test_batch.py": ("gl", "model", "subprocess"),
    "test_bench.py": ("gl", "subprocess"),
    "test_bench_effects.py": ("gl", "model", "subprocess"),
    "test_bench_bvh.py": ("model",),
    "test_bvh_integration.py": ("subprocess",),
    "test_blender.py": ("model", "subprocess", "slow"),
    "test_bench_rig.py": ("model",),
    "test_cli_core.py": ("model", "subprocess"),
    "test_coach_history_integration.py": ("subprocess",),
    "test_coach_analyze.py": ("model", "subprocess"),
    "test_coach_integration.py": ("model",),
    "test_identity_real.py": ("model",),
    "test_who_is_tracked.py": ("gl", "model"),
    "test_effects_mirror.py": ("gl", "model", "subprocess"),
    "test_effects_reload_integration.py": ("gl",),
    "test_effects_render.py": ("gl", "model"),
    "test_export_integration.py": ("model", "subprocess"),
    "test_games_integration.py": ("gl", "model", "subprocess"),
    "test_hands_effects.py": ("gl",),
    "test_hands_real.py": ("model", "subprocess"),
    "test_hostile.py": ("model", "subprocess"),
    "test_hostile_coach.py": ("model", "subprocess"),
    "test_hostile_heldout.py": ("model", "subprocess"),
    "test_plain_install.py": ("subprocess", "slow"),
    "test_input_body_input.py": ("gl", "model", "subprocess"),
    "test_input_real.py": ("model",),
    "test_mesh_cache_integration.py": ("subprocess",),
    "test_model.py": ("model", "subprocess"),
    "test_packaging.py": ("subprocess",),
    "test_pipeline.py": ("model",),
    "test_play_integration.py": ("gl", "subprocess"),
    "test_record_integration.py": ("model", "subprocess"),
    "test_render.py": ("gl", "model", "subprocess"),
    "test_render_onto.py": ("gl", "model"),
    "test_render_resources.py": ("gl",),
    "test_signs_integration.py": ("gl", "model", "subprocess"),
    "test_threads.py": ("subprocess",),
    "test_tiles.py": ("model",),
    "test_tracker.py": ("model", "subprocess"),
    "test_vmc_integration.py": ("subprocess",),
    "test_web_example.py": ("model", "subprocess", "slow"),
}
GL_FIXTURES = {"renderer", "offscreen", "window", "pg"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # a session-wide hook: it sees every collected test, so it keeps to this folder's
    for item in items:
        if item.path.parent != HERE:
            continue
        needs = set(NEEDS.get(item.path.name, ()))
        if GL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            needs.add("gl")
        for name in sorted(needs):
            item.add_marker(name)
