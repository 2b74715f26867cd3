"""A plain install (``pip install arpose``, no extras) prints only arpose's own lines
(issue 26, row 14).

The test extra pulls in scipy and networkx (through scikit-image), which trimesh uses
when they are there; a user's plain install has neither, and the first `arpose` run
printed two full tracebacks from trimesh ("no graph engines available", "No module named
'scipy'") while meshes silently lost their smooth shading. So this builds a fresh venv
from this checkout without extras (pip's cache and the machine's wheel sources make it
about 25 s) and runs the CLI there with a cold mesh cache.

One Python is enough: arpose's dependency list without extras is the same on every
supported Python (only ``tomli`` below 3.11 differs) and trimesh is pure Python, so the
run on the machine's ``python3`` (3.11) stands for all four; ``ARPOSE_PLAIN_INSTALL=1``
runs it on any other.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_helpers import cli_env

CHECKOUT = Path(__file__).resolve().parents[2]
PLAIN_PYTHON = (3, 11)

pytestmark = pytest.mark.skipif(
    sys.version_info[:2] != PLAIN_PYTHON and os.environ.get("ARPOSE_PLAIN_INSTALL") != "1",
    reason="the plain-install run happens once, on Python 3.11 (see the module's docstring)",
)


def test_a_plain_install_prints_only_arposes_lines(tmp_path):
    if not (CHECKOUT / "pyproject.toml").is_file() or not (CHECKOUT / "arpose").is_dir():
        pytest.skip("needs the source checkout beside the tests")
    venv = tmp_path / "plain"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    pip = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-compile", str(CHECKOUT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    # the point of the exercise: neither optional engine is there
    probe = subprocess.run(
        [str(py), "-c", "import importlib.util as u; print(u.find_spec('scipy'), u.find_spec('networkx'))"],
        capture_output=True,
        text=True,
    )
    assert probe.stdout.strip() == "None None", probe.stdout
    home = tmp_path / "home"
    env = cli_env(HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), ARPOSE_CACHE_DIR=None)
    names = subprocess.run(
        [str(py), "-c", "from arpose.effects.gallery import effect_names; print(' '.join(effect_names()))"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    ).stdout.split()
    assert names, "no gallery effects found"
    arpose = str(venv / "bin" / "arpose")
    for argv in ([arpose], [arpose, "check", *names]):
        res = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
        assert res.returncode == 0, (argv, res.stderr[-3000:])
        foreign = [ln for ln in res.stderr.splitlines() if ln.strip() and not ln.startswith("arpose")]
        assert not foreign, (argv, foreign[:20])
        assert "Traceback" not in res.stderr and "WARNING" not in res.stderr, res.stderr[-3000:]
    assert (tmp_path / "arpose-demo.png").is_file()
