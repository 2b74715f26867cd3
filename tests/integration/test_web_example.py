"""The three.js example (examples/web) in a real headless Chromium, from a live ``arpose
serve --vmc`` on a real clip through tools/vmc_bridge.mjs (tools/check_web_example.py does
the work). Skips without Node, Chromium, three.js (``cd examples/web && npm ci``) or the
shared clip: CI has no npm registry, so this one is run by hand there."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / "tools" / "check_web_example.py"
THREE = REPO / "examples" / "web" / "node_modules" / "three" / "build" / "three.module.js"


def test_the_page_moves_the_mannequin_with_the_person(media, tmp_path):
    clip = media / "exercise" / "jumping_jacks_11.mp4"
    if shutil.which("node") is None:
        pytest.skip("no node (Node 18+) on PATH")
    if not any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")):
        pytest.skip("no Chromium (apt-get install chromium)")
    if not THREE.exists():
        pytest.skip("three.js not installed: cd examples/web && npm ci")
    if not clip.exists():
        pytest.skip(f"{clip} is absent")
    shot = tmp_path / "page.png"
    res = subprocess.run(
        [sys.executable, str(TOOL), "--clip", str(clip), "-o", str(shot), "--frames", "60"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode in (0, 1), res.stderr
    report = json.loads(res.stdout)
    assert report["checks"] and all(report["checks"].values()), report
    # the mannequin's hands rose and fell relative to its head (jumping jacks)
    assert report["hand_height_travel_m"] > 0.3, report
    assert shot.stat().st_size > 10_000
