"""The mesh cache seen from a fresh interpreter (the rest is in tests/unit/test_mesh_cache.py)."""

from __future__ import annotations

import subprocess
import sys

from arpose.effects.assets import load_mesh_asset


def test_a_warm_cache_needs_no_trimesh(cache, hat):
    load_mesh_asset(hat)
    code = (
        "import sys; from pathlib import Path; from arpose.effects.assets import "
        "load_mesh_asset; m = load_mesh_asset(Path(sys.argv[1])); "
        "print(len(m.indices), 'trimesh' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(hat)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    faces, imported = proc.stdout.split()
    assert int(faces) == len(load_mesh_asset(hat).indices) and imported == "False"
