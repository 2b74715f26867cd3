"""arpose.threads: the helper thread pools that compete with inference for the cores."""

from __future__ import annotations

import subprocess
import sys


def test_the_arpose_command_limits_the_helper_thread_pools():
    """numpy's BLAS and OpenCV's pools at one thread (arpose.threads), set by the CLI."""
    code = ("import cv2; from threadpoolctl import threadpool_info; "
            "from arpose.cli import main; main(['joints']); "
            "print(cv2.getNumThreads(), max(p['num_threads'] for p in threadpool_info() "
            "if p['user_api'] == 'blas'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-2:] == ["1", "1"]


def test_limit_thread_pools_sets_and_restores():
    code = ("import cv2; from threadpoolctl import threadpool_info; import arpose; "
            "blas = lambda: max(p['num_threads'] for p in threadpool_info() "
            "if p['user_api'] == 'blas'); "
            "before = (cv2.getNumThreads(), blas()); arpose.limit_thread_pools(); "
            "during = (cv2.getNumThreads(), blas()); arpose.limit_thread_pools(2); "
            "print(*before, *during, cv2.getNumThreads(), blas())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    values = [int(v) for v in proc.stdout.split()[-6:]]
    assert values[2:] == [1, 1, 2, 2]
