"""One batch runner for work over many files: local processes, or a Ray cluster.

``arpose export`` (a folder), ``arpose coach analyze`` and ``arpose render`` (many files)
hand their per-file jobs to :func:`run`, which yields each job's result as it finishes.
The caller keeps the outputs and the resume manifest (:class:`Manifest`), so a batch
writes the same files whichever back end ran it:

* **local** (default): one spawned process per core (``workers``). Workers die with the
  parent (PDEATHSIG on Linux) and ignore Ctrl+C, which the parent handles.
* **Ray** (``ray="auto"`` for a running cluster, or ``"HOST:PORT"``): one actor per
  worker (``num_cpus=1``), kept for the whole batch. ``pip install "arpose[ray]"``.

Both back ends keep their worker processes for the whole batch, so whatever a job caches
at module level (a model, see :mod:`arpose.tracking.reuse`) loads once per worker, not once
per file. A worker that dies mid-job (killed, out of memory, a lost node) has its job
given to another worker: the job runs again from the start, and since outputs appear
atomically (:func:`atomic_write`: a temporary name, then a rename) nothing half-written
is ever seen and nothing is written twice. A job that kills :data:`RETRIES` + 1 workers in
a row raises :class:`~arpose.errors.BatchError` naming it.

A job is ``fn(args)``: ``fn`` a module-level function (sent by reference), ``args``
picklable. It should return its failures as data (an error string), keeping exceptions
for bugs.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import ctypes
import json
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from .errors import BatchError

log = logging.getLogger(__name__)

R = TypeVar("R")

RETRIES = 2
"""Times a job is given to another worker after the one running it died."""
RAY_START_TIMEOUT = 120.0
"""Seconds to wait for a Ray worker (actor) to start before giving up on the cluster."""


@dataclass(frozen=True)
class Job:
    """One unit of a batch: ``key`` names it (unique in the batch: the output's name),
    ``args`` is what the job function receives."""

    key: str
    args: Any


def default_workers() -> int:
    """Local worker processes: one per core."""
    return max(1, os.cpu_count() or 1)


# ----------------------------------------------------------------------------- outputs


def partial_name(path: Path) -> Path:
    """Where ``path`` is built before it appears (a leftover from a killed run is reused)."""
    return path.with_name(f".{path.name}.partial")


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that it appears whole or not at all."""
    tmp = partial_name(path)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class Manifest(Generic[R]):
    """The resume record of a batch's output folder: one entry per finished output, saved
    atomically after each. A rerun trusts an output only when its entry matches (the
    caller's key: input size and time, options) and the output still holds what it held.

    File: ``{"version": 1, "outputs": {NAME: ENTRY}}`` (JSON, sorted keys).
    """

    def __init__(self, folder: Path, name: str) -> None:
        self.path = Path(folder) / name
        self.entries: dict[str, Any] = self._read()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data["outputs"] if isinstance(data.get("outputs"), dict) else {}
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            return {}

    def get(self, name: str) -> dict[str, Any] | None:
        entry = self.entries.get(name)
        return entry if isinstance(entry, dict) else None

    def set(self, name: str, entry: dict[str, Any]) -> None:
        self.entries[name] = entry
        self.save()

    def forget(self, names: Sequence[str]) -> None:
        changed = [self.entries.pop(n, None) is not None for n in names]
        if any(changed):
            self.save()

    def save(self) -> None:
        atomic_write(self.path, json.dumps({"version": 1, "outputs": self.entries}, indent=1, sort_keys=True))


@contextlib.contextmanager
def exclusive(folder: Path, lock_name: str, what: str) -> Iterator[None]:
    """One batch per output folder at a time (a second one fails at once, naming it)."""
    try:
        import fcntl  # lazy: POSIX only (Windows has no fcntl)
    except ImportError:  # pragma: no cover - Windows: no advisory locks here
        yield
        return
    try:
        f = open(Path(folder) / lock_name, "a+")
    except OSError as exc:
        raise BatchError(f"{folder}: cannot write there ({exc.strerror or exc})") from None
    try:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BatchError(
                f"{folder}: another arpose {what} is writing into this folder; "
                f"wait for it or choose another output folder"
            ) from None
        yield
    finally:
        f.close()


# ----------------------------------------------------------------------------- running


def run(
    fn: Callable[[Any], R],
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    ray: str | None = None,
    retries: int = RETRIES,
) -> Iterator[tuple[Job, R]]:
    """Run ``fn(job.args)`` for every job; yield ``(job, result)`` as each finishes.

    Args:
        workers: local processes (default one per core) or Ray actors (default the
            cluster's CPUs), never more than there are jobs.
        ray: None for local processes; ``"auto"`` (a cluster already running here) or a
            cluster address ``"HOST:PORT"``.
        retries: times a job whose worker died is given to another worker.

    Closing the iterator early (or an exception in the caller, Ctrl+C) stops the workers.

    Raises:
        BatchError: Ray missing or unreachable, or a job that killed every worker it ran on.
    """
    keys = [j.key for j in jobs]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise BatchError(f"two jobs of one batch write the same output {dup!r}")
    if not jobs:
        return iter(())
    if workers is not None and workers < 1:
        raise BatchError(f"workers={workers}: must be at least 1")
    if ray:
        return _run_ray(fn, list(jobs), workers, ray, retries)
    return _run_local(fn, list(jobs), workers or default_workers(), retries)


def _worker_init(parent: int) -> None:
    """In each local worker: die with the parent. Without this a ``kill -9`` of the parent
    left workers writing into ``.partial`` files a rerun was also using."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: best effort
            log.debug("prctl(PR_SET_PDEATHSIG) unavailable", exc_info=True)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    # the parent decides about Ctrl+C and SIGTERM: it stops the workers and cleans up
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="arpose: %(levelname)s: %(message)s")


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the running workers now."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(5.0)
        if proc.is_alive():  # pragma: no cover - ignored SIGTERM
            proc.kill()
            proc.join(1.0)


def _gave_up(job: Job, deaths: int) -> BatchError:
    return BatchError(
        f"{job.key}: its worker died {deaths} time(s) (killed, or out of memory); "
        f"the other outputs are kept: run the batch again to resume"
    )


def _run_local(
    fn: Callable[[Any], R], jobs: list[Job], workers: int, retries: int
) -> Iterator[tuple[Job, R]]:
    deaths: collections.Counter[str] = collections.Counter()
    todo = collections.deque(jobs)
    # spawn: MediaPipe and OpenCV threads do not survive fork() reliably.
    ctx = multiprocessing.get_context("spawn")
    while todo:
        pool = cf.ProcessPoolExecutor(
            min(workers, len(todo)), mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
        )
        futures = {pool.submit(fn, job.args): job for job in todo}
        todo.clear()
        broken = False
        try:
            for fut in cf.as_completed(futures):
                job = futures[fut]
                try:
                    res = fut.result()
                except cf.process.BrokenProcessPool:
                    broken = True
                    break
                yield job, res
        except BaseException:
            _stop_pool(pool)
            raise
        if not broken:
            pool.shutdown(wait=True)
            return
        # a worker died: every job not finished goes round again (the pool cannot tell
        # which one was running where); a job that keeps killing workers is given up
        _stop_pool(pool)
        for fut, job in futures.items():
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                continue
            deaths[job.key] += 1
            if deaths[job.key] > retries:
                raise _gave_up(job, deaths[job.key])
            todo.append(job)
        log.warning("a worker process died; %d job(s) given to new workers", len(todo))


# ----------------------------------------------------------------------------- Ray


class BatchWorker:
    """The body of a Ray actor: one long-lived worker process that runs jobs one at a time
    (its module-level caches live as long as it does)."""

    def pid(self) -> int:
        return os.getpid()

    def run(self, fn: Callable[[Any], Any], args: Any) -> Any:
        return fn(args)


def _connect_ray(address: str) -> Any:
    try:
        import ray  # lazy: optional, `pip install "arpose[ray]"`
    except ImportError:
        raise BatchError(
            f'--ray {address}: Ray is not installed; pip install "arpose[ray]" '
            f"(on every machine of the cluster)"
        ) from None
    if not ray.is_initialized():
        try:
            ray.init(
                address=address,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
                configure_logging=False,
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise BatchError(f"--ray {address}: cannot connect to a Ray cluster ({exc})") from None
    return ray


def _run_ray(
    fn: Callable[[Any], R], jobs: list[Job], workers: int | None, address: str, retries: int
) -> Iterator[tuple[Job, R]]:
    ray = _connect_ray(address)
    from ray.exceptions import RayActorError, WorkerCrashedError  # lazy: with ray

    died = (RayActorError, WorkerCrashedError)
    cpus = int(ray.cluster_resources().get("CPU", 1))
    n = max(1, min(workers or cpus, len(jobs)))
    actor_cls = ray.remote(num_cpus=1, max_restarts=0)(BatchWorker)
    starting: dict[Any, Any] = {}  # pid ref -> actor not yet up
    idle: list[Any] = []
    running: dict[Any, tuple[Any, Job]] = {}  # result ref -> (actor, job)
    deaths: collections.Counter[str] = collections.Counter()
    todo = collections.deque(jobs)

    def spawn() -> None:
        a = actor_cls.remote()
        starting[a.pid.remote()] = a

    for _ in range(n):
        spawn()
    last_up = time.monotonic()
    try:
        while todo or running:
            while todo and idle:
                actor, job = idle.pop(), todo.popleft()
                running[actor.run.remote(fn, job.args)] = (actor, job)
            refs = list(starting) + list(running)
            ready, _ = ray.wait(refs, num_returns=1, timeout=1.0)
            if not ready:
                if not running and not idle and time.monotonic() - last_up > RAY_START_TIMEOUT:
                    raise BatchError(
                        f"--ray {address}: no Ray worker started within {RAY_START_TIMEOUT:.0f} s "
                        f"(does the cluster have a free CPU?)"
                    )
                continue
            ref = ready[0]
            if ref in starting:
                actor = starting.pop(ref)
                try:
                    ray.get(ref)
                except died:
                    spawn()
                    continue
                idle.append(actor)
                last_up = time.monotonic()
                continue
            actor, job = running.pop(ref)
            try:
                res = ray.get(ref)
            except died:
                deaths[job.key] += 1
                if deaths[job.key] > retries:
                    raise _gave_up(job, deaths[job.key]) from None
                log.warning("%s: its Ray worker died; giving it to another worker", job.key)
                todo.appendleft(job)
                with contextlib.suppress(Exception):
                    ray.kill(actor)
                spawn()
                last_up = time.monotonic()
                continue
            idle.append(actor)
            yield job, res
    finally:
        for actor in [*idle, *starting.values(), *(a for a, _ in running.values())]:
            with contextlib.suppress(Exception):
                ray.kill(actor)


def describe_backend(workers: int | None, ray: str | None) -> str:
    """ "4 local processes" / "Ray cluster at auto" (for messages)."""
    if ray:
        return f"the Ray cluster at {ray}"
    n = workers or default_workers()
    return f"{n} local process{'es' if n != 1 else ''}"


__all__ = [
    "Job",
    "Manifest",
    "BatchWorker",
    "RETRIES",
    "run",
    "exclusive",
    "atomic_write",
    "partial_name",
    "default_workers",
    "describe_backend",
]
