"""Hot reload (write, modify, see the change; a broken edit keeps the last good effect)
and `arpose check` exit codes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from effect_helpers import EFFECT, save, write_effect, write_png

from arpose.cli import main as cli_main
from arpose.effects.reload import EffectWatcher
from arpose.effects.schema import read_effect_file


@pytest.fixture
def effect_file(tmp_path: Path) -> Path:
    return write_effect(tmp_path)


def test_watcher_reloads_on_save_and_keeps_last_good_on_a_broken_edit(effect_file):
    w = EffectWatcher(read_effect_file(effect_file), interval=0.0)
    assert not w.check() and w.version == 0  # nothing changed yet
    save(effect_file, EFFECT.format(scale=0.8))
    assert w.check() and w.version == 1
    assert w.effect.attachments[0].scale[0] == 0.8 and w.error is None
    good = w.effect
    save(effect_file, EFFECT.format(scale=0.8).replace('"nose"', '"nsoe"'))
    assert not w.check()
    assert w.effect is good, "a broken edit keeps the last good effect"
    assert w.error.startswith("unknown joint 'nsoe' in attachment 1 of fx.toml")
    save(effect_file, "this is [not toml")
    assert not w.check() and "invalid TOML" in w.error and w.effect is good
    save(effect_file, EFFECT.format(scale=0.3))
    assert w.check() and w.error is None and w.effect.attachments[0].scale[0] == 0.3


def test_watcher_sees_asset_changes_and_broken_assets(effect_file):
    w = EffectWatcher(read_effect_file(effect_file), interval=0.0)
    png = effect_file.parent / "dot.png"
    first = w.assets["dot.png"].array.copy()
    write_png(png, (255, 0, 0))
    os.utime(png, ns=(png.stat().st_atime_ns, png.stat().st_mtime_ns + 5_000_000))
    assert w.check()
    assert not np.array_equal(w.assets["dot.png"].array, first)
    png.write_bytes(b"not a png")
    os.utime(png, ns=(png.stat().st_atime_ns, png.stat().st_mtime_ns + 5_000_000))
    assert not w.check() and "cannot decode image" in w.error
    # a missing asset named by a new edit: fixed by creating the file
    save(effect_file, EFFECT.format(scale=0.5).replace("dot.png", "new.png"))
    assert not w.check() and "missing asset file 'new.png'" in w.error
    write_png(effect_file.parent / "new.png", (0, 255, 0))
    assert w.check() and w.error is None


def test_watcher_is_throttled(effect_file):
    w = EffectWatcher(read_effect_file(effect_file), interval=10.0)
    assert not w.check(now=100.0)  # first look: unchanged
    save(effect_file, EFFECT.format(scale=0.9))
    assert not w.check(now=105.0), "within the interval nobody looks"
    assert w.check(now=110.5)


def test_check_exit_codes(effect_file, tmp_path, capsys):
    assert cli_main(["check", str(effect_file), "top-hat"]) == 0
    out = capsys.readouterr().out
    assert "ok: " in out and "top-hat" in out
    bad = tmp_path / "bad.toml"
    bad.write_text(EFFECT.format(scale=1).replace("nose", "left_sholder"))
    assert cli_main(["check", str(effect_file), str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"arpose: error: unknown joint 'left_sholder' in attachment 1 of {bad}; did you mean 'left_shoulder'?"
    ]
    assert cli_main(["check", str(tmp_path / "missing.toml")]) == 1
    assert "no such effect file" in capsys.readouterr().err
    assert cli_main(["check", "no-such-gallery-effect"]) == 1
    assert "unknown effect 'no-such-gallery-effect'" in capsys.readouterr().err


def test_render_cli_refuses_bad_output_and_bad_effect(effect_file, tmp_path, astronaut_png, capsys):
    assert (
        cli_main(
            [
                "render",
                "-e",
                str(effect_file),
                "--source",
                str(astronaut_png),
                "--output",
                str(tmp_path / "out.gif"),
            ]
        )
        == 1
    )
    assert "output must end in .png, .jpg or .mp4" in capsys.readouterr().err
    assert (
        cli_main(
            [
                "render",
                "-e",
                "top-hatt",
                "--source",
                str(astronaut_png),
                "--output",
                str(tmp_path / "out.png"),
            ]
        )
        == 1
    )
    assert "did you mean 'top-hat'" in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists()
