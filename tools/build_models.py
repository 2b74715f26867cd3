"""Build arpose's shipped model bundles from the mediapipe 0.10.21 wheel (a developer tool).

mediapipe 0.10.21 is the last wheel that carries the pose and hand ``.tflite`` models;
later wheels carry none and expect a download. The Tasks API refuses those files as
they are (no image-normalisation metadata), so this script adds that metadata with
mediapipe's own metadata writer and zips the models into the two ``.task`` bundles
arpose ships as package data, so nothing is built or downloaded at run time:

- ``pose_landmarker_full.task``: ``pose_detector.tflite`` (input [-1, 1]) +
  ``pose_landmarks_detector.tflite`` (input [0, 1]);
- ``hand_landmarker_full.task``: ``hand_detector.tflite`` (palm_detection_full, [0, 1]) +
  ``hand_landmarks_detector.tflite`` (hand_landmark_full, [0, 1]).

It also writes ``manifest.json`` (SHA-256 of every shipped file, where each member came
from), ``LICENSE`` (the wheel's Apache-2.0 licence) and ``NOTICE`` (attribution).
The output is reproducible: stored zips with fixed dates and attributes, sorted JSON;
``--check`` rebuilds into a temporary folder and fails unless every file is byte-identical.

Usage::

    python tools/build_models.py                      # pip download mediapipe==0.10.21
    python tools/build_models.py --source X.whl       # an existing wheel
    python tools/build_models.py --source SITE_PACKAGES  # an installed mediapipe 0.10.21
    python tools/build_models.py --check              # rebuild and compare with arpose/models

Needs mediapipe 0.10.21 installed in the Python that runs it, for its metadata writer
(1.x's writer lacks its native helper, ``mediapipe.tasks.cc``): on Python 3.10-3.12,
``python -m venv /tmp/mp && /tmp/mp/bin/pip install mediapipe==0.10.21`` and run this
script with ``/tmp/mp/bin/python``. The shipped files do not depend on that at run time.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "arpose" / "models"
SOURCE_PACKAGE = "mediapipe"
SOURCE_VERSION = "0.10.21"
FORMAT = 1
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# bundle -> member -> (path inside the mediapipe wheel, norm mean, norm std)
BUNDLES: dict[str, dict[str, tuple[str, float, float]]] = {
    "pose_landmarker_full.task": {
        "pose_detector.tflite": ("mediapipe/modules/pose_detection/pose_detection.tflite", 127.5, 127.5),
        "pose_landmarks_detector.tflite": (
            "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
            0.0,
            255.0,
        ),
    },
    "hand_landmarker_full.task": {
        "hand_detector.tflite": ("mediapipe/modules/palm_detection/palm_detection_full.tflite", 0.0, 255.0),
        "hand_landmarks_detector.tflite": (
            "mediapipe/modules/hand_landmark/hand_landmark_full.tflite",
            0.0,
            255.0,
        ),
    },
}
LICENSE_SOURCE = f"mediapipe-{SOURCE_VERSION}.dist-info/LICENSE"

NOTICE = f"""\
arpose model files (arpose/models/)

pose_landmarker_full.task and hand_landmarker_full.task contain models made by
Google LLC / The MediaPipe Authors (https://github.com/google/mediapipe), taken
unchanged from the {SOURCE_PACKAGE}=={SOURCE_VERSION} wheel on PyPI:

  BlazePose detector        mediapipe/modules/pose_detection/pose_detection.tflite
  BlazePose GHUM 3D (full)  mediapipe/modules/pose_landmark/pose_landmark_full.tflite
  Palm detection (full)     mediapipe/modules/palm_detection/palm_detection_full.tflite
  Hand landmark (full)      mediapipe/modules/hand_landmark/hand_landmark_full.tflite

Copyright The MediaPipe Authors. Licensed under the Apache License, Version 2.0
(see LICENSE in this folder, copied from the same wheel).

Modification made by arpose (tools/build_models.py): TFLite image-input metadata
(normalisation mean/std) was added to each model so that the MediaPipe Tasks API
accepts it, and each pair of models was packed into a .task bundle (a zip archive).
The model weights and graphs are unchanged. manifest.json lists the SHA-256 of each
original file and of each shipped file.
"""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download_wheel(dest: Path) -> Path:
    """``pip download`` the 0.10.21 wheel (cp311 manylinux; the models are the same in every wheel)."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        f"{SOURCE_PACKAGE}=={SOURCE_VERSION}",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        "3.11",
        "--platform",
        "manylinux_2_28_x86_64",
        "-d",
        str(dest),
        "-q",
    ]
    subprocess.run(cmd, check=True)
    wheels = sorted(dest.glob(f"{SOURCE_PACKAGE}-{SOURCE_VERSION}-*.whl"))
    if not wheels:
        raise SystemExit(f"{dest}: pip download left no {SOURCE_PACKAGE} {SOURCE_VERSION} wheel")
    return wheels[0]


class Source:
    """Reads files by wheel path from a ``.whl`` or from a folder holding ``mediapipe/``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.is_dir():
            wheels = sorted(path.glob(f"{SOURCE_PACKAGE}-{SOURCE_VERSION}-*.whl"))
            if wheels and not (path / "mediapipe").is_dir():
                self.path = wheels[0]
        if self.path.is_file():
            self._zip: zipfile.ZipFile | None = zipfile.ZipFile(self.path)
        elif (self.path / "mediapipe").is_dir():
            self._zip = None
        else:
            raise SystemExit(f"{path}: neither a mediapipe wheel nor a folder holding mediapipe/")

    def read(self, rel: str) -> bytes:
        try:
            if self._zip is not None:
                return self._zip.read(rel)
            return (self.path / rel).read_bytes()
        except (KeyError, FileNotFoundError):
            raise SystemExit(f"{self.path}: has no {rel} (is it mediapipe {SOURCE_VERSION}?)") from None

    def version(self) -> str:
        if self._zip is not None:
            names = self._zip.namelist()
        else:
            names = [p.name + "/METADATA" for p in self.path.glob("mediapipe-*.dist-info")]
        for name in names:
            if name.endswith(".dist-info/METADATA") and name.startswith("mediapipe-"):
                return name.split("/")[0].removeprefix("mediapipe-").removesuffix(".dist-info")
        return "unknown"


@contextlib.contextmanager
def _fixed_zip_dates() -> Iterator[None]:
    """Make ``ZipFile.writestr(name, ...)`` stamp a fixed date instead of the clock.

    The hand models carry associated files (label maps), which the metadata writer packs
    into a zip appended to the model with ``writestr(name, data)``: that stamps the
    current time, and the bytes would change with every build.
    """
    original = zipfile.ZipFile.writestr

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, _ZIP_DATE)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        return original(self, zinfo_or_arcname, data, *args, **kwargs)

    zipfile.ZipFile.writestr = writestr  # type: ignore[method-assign]
    try:
        yield
    finally:
        zipfile.ZipFile.writestr = original  # type: ignore[method-assign]


def with_image_metadata(model: bytes, mean: float, std: float) -> bytes:
    """The model with TFLite image-input metadata (normalisation) added by mediapipe's writer."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    with _fixed_zip_dates():
        writer = metadata_writer.MetadataWriter.create(bytearray(model))
        writer.add_image_input(norm_mean=[mean] * 3, norm_std=[std] * 3)
        out = writer.populate()
    return bytes(out[0] if isinstance(out, tuple) else out)


def stored_zip(members: dict[str, bytes]) -> bytes:
    """A reproducible zip: stored, sorted, fixed date, attributes and creating system."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, _ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            z.writestr(info, members[name])
    return buf.getvalue()


def build(source: Source) -> dict[str, bytes]:
    """Every output file's name and bytes."""
    import mediapipe

    files: dict[str, bytes] = {}
    manifest: dict = {
        "format": FORMAT,
        "source": {
            "package": SOURCE_PACKAGE,
            "version": SOURCE_VERSION,
            "url": f"https://pypi.org/project/{SOURCE_PACKAGE}/{SOURCE_VERSION}/",
        },
        "metadata_writer": f"mediapipe {getattr(mediapipe, '__version__', 'unknown')}",
        "built_by": "tools/build_models.py",
        "files": {},
    }
    for bundle, spec in BUNDLES.items():
        members: dict[str, bytes] = {}
        described = {}
        for member, (rel, mean, std) in spec.items():
            raw = source.read(rel)
            members[member] = with_image_metadata(raw, mean, std)
            described[member] = {
                "source": rel,
                "source_sha256": _sha256(raw),
                "sha256": _sha256(members[member]),
                "size": len(members[member]),
                "norm_mean": mean,
                "norm_std": std,
            }
        files[bundle] = stored_zip(members)
        manifest["files"][bundle] = {
            "sha256": _sha256(files[bundle]),
            "size": len(files[bundle]),
            "members": described,
        }
    files["LICENSE"] = source.read(LICENSE_SOURCE)
    files["NOTICE"] = NOTICE.encode()
    for name in ("LICENSE", "NOTICE"):
        manifest["files"][name] = {
            "sha256": _sha256(files[name]),
            "size": len(files[name]),
            "source": LICENSE_SOURCE if name == "LICENSE" else "tools/build_models.py",
        }
    files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    return files


def write(files: dict[str, bytes], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        fd, tmp = tempfile.mkstemp(prefix=name + ".", suffix=".tmp", dir=out)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out / name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--source",
        type=Path,
        help="mediapipe 0.10.21 wheel, a folder holding it, or a "
        "site-packages folder (default: pip download it)",
    )
    ap.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    ap.add_argument(
        "--check", action="store_true", help="rebuild and fail unless the files in --out are byte-identical"
    )
    args = ap.parse_args(argv)
    try:
        from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer  # noqa: F401
    except ImportError as exc:
        raise SystemExit(
            f"build_models: this Python's mediapipe has no usable metadata writer "
            f"({exc}); run it with a Python that has mediapipe=={SOURCE_VERSION} "
            f"(see the module docstring)"
        ) from None
    with tempfile.TemporaryDirectory() as tmp:
        src = Source(args.source if args.source else download_wheel(Path(tmp)))
        if src.version() not in (SOURCE_VERSION, "unknown"):
            raise SystemExit(f"{src.path}: is mediapipe {src.version()}, need {SOURCE_VERSION}")
        files = build(src)
    if args.check:
        differ = [
            n
            for n, data in files.items()
            if not (args.out / n).is_file() or (args.out / n).read_bytes() != data
        ]
        for n in differ:
            print(f"{args.out / n}: differs from a fresh build", file=sys.stderr)
        print("byte-identical" if not differ else f"{len(differ)} file(s) differ")
        return 1 if differ else 0
    write(files, args.out)
    for name, data in files.items():
        print(f"{args.out / name}  {len(data):>9} bytes  sha256 {_sha256(data)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
