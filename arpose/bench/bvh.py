"""The ``bvh`` section of ``arpose bench``: what BVH export adds to ``arpose export``.

Target (issue 25): BVH export costs at most 10% more than the landmark formats. Measured in
one run, interleaved (the machines are shared and noisy: the ratios are the result):

- **video**: ``export`` of a video is tracking plus a writer. The video is tracked once
  (timed), then the CSV and the BVH writer (the rig solver per person, then the file) each
  run over the same frames, best of ``rounds``; ``video_ratio`` is
  ``(tracking + bvh writer) / (tracking + csv writer)``;
- **recording**: the frames recorded to an ``.arpose`` file, then ``export(..., "csv")``
  and ``export(..., "bvh")`` end to end, best of ``rounds``; ``recording_ratio`` is their
  ratio (no tracking: the writers' own cost, where the solver shows most);
- **end to end**: ``export`` of the video as CSV, then as BVH (tracking each time), best of
  ``end_to_end_rounds`` (default 1; 0 skips it): ``end_to_end_ratio``. Here the solver runs
  while the pipeline's worker tracks the next frame, so this is the figure users see; the
  ``video_ratio`` above is its serial upper bound.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from ..bvh import BvhWriter
from ..export import CsvWriter, export, pose_frames
from ..pose import PoseFrame
from ..record import Recorder


def _writer_s(frames: list[PoseFrame], make: Any) -> float:
    start = time.perf_counter()
    writer = make()
    for pf in frames:
        writer.write(pf)
    writer.commit()
    return time.perf_counter() - start


def bench_bvh(video: Path, options: dict[str, Any]) -> dict[str, Any]:
    rounds = int(options.get("rounds", 3))
    max_people = int(options.get("max_people", 2))
    max_frames = options.get("max_frames")
    frames: list[PoseFrame] = []
    start = time.perf_counter()
    with pose_frames(video, max_people=max_people) as it:
        for pf in it:
            frames.append(pf)
            if max_frames is not None and len(frames) >= int(max_frames):
                break
    track_s = time.perf_counter() - start
    n = max(len(frames), 1)
    csv_s: list[float] = []
    bvh_s: list[float] = []
    rec_csv: list[float] = []
    rec_bvh: list[float] = []
    with tempfile.TemporaryDirectory(prefix="arpose-bench-bvh-") as tmp:
        d = Path(tmp)
        take = d / "take.arpose"
        with Recorder(take, fps=30.0, source=str(video)) as rec:
            for pf in frames:
                rec.write(pf, pf.poses)
        for _ in range(rounds):  # interleaved, so both see the same machine load
            csv_s.append(_writer_s(frames, lambda: CsvWriter(d / "a.csv")))
            bvh_s.append(_writer_s(frames, lambda: BvhWriter(d / "a.bvh")))
            t0 = time.perf_counter()
            export(take, "csv", d / "b.csv")
            rec_csv.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            export(take, "bvh", d / "b.bvh")
            rec_bvh.append(time.perf_counter() - t0)
    # end to end: `export` of the video itself, CSV then BVH (tracking twice: the honest
    # whole, where the solver overlaps the pipeline's tracking of the next frame)
    e2e_csv: list[float] = []
    e2e_bvh: list[float] = []
    with tempfile.TemporaryDirectory(prefix="arpose-bench-bvh-") as tmp:
        for _ in range(int(options.get("end_to_end_rounds", 1))):
            for fmt, times in (("csv", e2e_csv), ("bvh", e2e_bvh)):
                t0 = time.perf_counter()
                export(video, fmt, Path(tmp) / f"e.{fmt}", max_people=max_people)
                times.append(time.perf_counter() - t0)
    people = sum(len(pf.poses) for pf in frames)
    best_csv, best_bvh = min(csv_s), min(bvh_s)
    return {
        "frames": len(frames),
        "person_frames": people,
        "tracking_ms_per_frame": 1000 * track_s / n,
        "csv_writer_ms_per_frame": 1000 * best_csv / n,
        "bvh_writer_ms_per_frame": 1000 * best_bvh / n,
        "bvh_ms_per_person_frame": 1000 * best_bvh / max(people, 1),
        "video_ratio": (track_s + best_bvh) / (track_s + best_csv),
        "recording_csv_ms_per_frame": 1000 * min(rec_csv) / n,
        "recording_bvh_ms_per_frame": 1000 * min(rec_bvh) / n,
        "recording_ratio": min(rec_bvh) / min(rec_csv),
        "end_to_end_csv_s": min(e2e_csv) if e2e_csv else float("nan"),
        "end_to_end_bvh_s": min(e2e_bvh) if e2e_bvh else float("nan"),
        "end_to_end_ratio": min(e2e_bvh) / min(e2e_csv) if e2e_csv else float("nan"),
        "target_video_ratio": 1.10,
    }
