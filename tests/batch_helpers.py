"""Job functions for batch-runner tests (imported by name in the spawned workers)."""

from __future__ import annotations

import os
from pathlib import Path


def die_once(args: tuple[str, int]) -> tuple[int, int]:
    """Kill this worker the first time job ``n`` runs (a marker file says it did), as a
    worker killed mid-job would; return ``(n, n * n)`` otherwise."""
    folder, n = args
    marker = Path(folder) / f"died-{n}"
    if n == 1 and not marker.exists():
        marker.write_text(str(os.getpid()))
        os._exit(9)
    return n, n * n


def always_die(args: object) -> None:
    os._exit(9)


def detectors_here(args: object) -> tuple[int, int, int]:
    """(pid, id of this process's detectors, detectors held): models once per worker."""
    from arpose.tracking import reuse

    ds = reuse.detectors(1)
    return os.getpid(), id(ds[0]), reuse.loaded()
