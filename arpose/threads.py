"""Helper thread pools of numpy and OpenCV, kept to one thread for real-time tracking.

MediaPipe's inference threads are the bottleneck on a small machine; every other
thread competes with them for the same cores. numpy's BLAS (OpenBLAS) and OpenCV's
``parallel_for`` pool both wake worker threads for the small per-frame calls arpose makes
(4x4 matrices, a ROI blend, one colour conversion) and those workers spin for a while
after each call. Measured on dance.avi, 2 cores (``tools/bench_render_effect.py``
alternating in one process): ``arpose detect`` 39.1 -> 42.0 frames/s, ``arpose render``
31.0 -> 36.0 frames/s with both pools at one thread.

The ``arpose`` command calls :func:`limit_thread_pools` at start; an application that
embeds arpose (a pygame game with :class:`~arpose.input.BodyInput`) may call it too. It
changes process-wide settings, so arpose never calls it on import.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def limit_thread_pools(threads: int = 1) -> None:
    """Set numpy's BLAS pools and OpenCV's pool to ``threads`` worker threads each.

    Idempotent; call it again with another number to change it back (OpenCV's default
    is the number of cores).
    """
    import cv2  # lazy: OpenCV is heavy; arpose.threads is imported first, by the CLI
    from threadpoolctl import threadpool_limits  # lazy: with cv2, only when limiting

    cv2.setNumThreads(int(threads))
    threadpool_limits(limits=int(threads), user_api="blas")
    log.debug("thread pools limited to %d thread(s)", threads)


__all__ = ["limit_thread_pools"]
