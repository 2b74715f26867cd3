"""arpose.threads: the helper thread pools that compete with inference for the cores.

Each check runs in its own interpreter: the pools are process-wide."""

from __future__ import annotations

import subprocess
import sys

POOLS = (
    "import cv2; from threadpoolctl import threadpool_info\n"
    "def pools():\n"
    "    blas = max(p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas')\n"
    "    return [cv2.getNumThreads(), blas]\n"
)


def pools_after(code: str) -> list[int]:
    """(OpenCV threads, BLAS threads) printed by ``code`` after :data:`POOLS`."""
    proc = subprocess.run([sys.executable, "-c", POOLS + code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [int(v) for v in proc.stdout.split()[-2:]]


def test_the_arpose_command_limits_the_helper_thread_pools():
    assert pools_after("from arpose.cli import main; main(['joints']); print(*pools())") == [1, 1]


def test_limit_thread_pools_sets_and_changes_back():
    assert pools_after("import arpose; arpose.limit_thread_pools(); print(*pools())") == [1, 1]
    assert pools_after(
        "import arpose; arpose.limit_thread_pools(); arpose.limit_thread_pools(2); print(*pools())"
    ) == [2, 2]
