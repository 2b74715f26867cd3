"""Hot reload seen in rendered pixels (real OpenGL; the rest is in tests/unit/test_effects_reload.py)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from effect_helpers import EFFECT, save, write_effect, write_png
from gl_fixtures import make_frame, make_pose

from arpose.effects.compose import EffectRenderer
from arpose.effects.reload import HotReloader


@pytest.fixture
def effect_file(tmp_path: Path) -> Path:
    return write_effect(tmp_path)


def test_hot_reloader_changes_what_is_rendered(effect_file):
    gray = np.full((300, 300, 3), 90, np.uint8)
    pose = make_pose(center=(150, 180), shoulder_px=120)
    frame = make_frame([pose], size=(300, 300), image=gray)
    x, y = pose.xy("nose").round().astype(int)
    with EffectRenderer([str(effect_file)]) as er:
        reloader = HotReloader(er, interval=0.0)
        out = er.render(frame)
        assert tuple(out[y, x]) == (255, 0, 0)
        write_png(effect_file.parent / "dot.png", (0, 255, 0))  # green
        png = effect_file.parent / "dot.png"
        os.utime(png, ns=(png.stat().st_atime_ns, png.stat().st_mtime_ns + 5_000_000))
        assert len(reloader.poll()) == 1
        out = er.render(frame)  # same PoseFrame: the reloaded effect still shows
        assert tuple(out[y, x]) == (0, 255, 0)
        wide = er.render(frame)
        save(effect_file, EFFECT.format(scale=1.5))
        reloader.poll()
        wider = er.render(frame)
        assert (wider[..., 1] > 200).sum() > 3 * (wide[..., 1] > 200).sum()
        save(effect_file, "[[attach]]\njoint = 'nose'\nasset = 'dot.png'\nscale = -2\n")
        assert reloader.poll() == []
        assert reloader.message.startswith("invalid 'scale' in attachment 1 of fx.toml")
        kept = er.render(frame)
        assert np.array_equal(kept, wider), "the last good effect stays on screen"
