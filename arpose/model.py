"""The offline pose model: a PoseLandmarker ``.task`` bundle built from mediapipe's own wheel.

mediapipe 0.10.21 ships ``pose_detection.tflite`` and ``pose_landmark_full.tflite`` but
no ``.task`` bundle, and the Tasks API refuses those files because they carry no
image-normalisation metadata. We add that metadata with mediapipe's own writer, zip
both models into a bundle, and keep it in a per-user cache:

- location: ``$ARPOSE_CACHE_DIR`` or ``$XDG_CACHE_HOME/arpose`` or ``~/.cache/arpose``;
- written atomically (temp file + rename), so a killed build never leaves half a bundle;
- verified by a SHA-256 sidecar on every load; a corrupt bundle is rebuilt.

Nothing is downloaded, ever.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from pathlib import Path

from .errors import ModelError

log = logging.getLogger(__name__)

BUNDLE_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
# (wheel path, norm mean, norm std): the detector takes [-1, 1], the landmark model [0, 1].
_SOURCES = {
    "pose_detector.tflite": ("modules/pose_detection/pose_detection.tflite", 127.5, 127.5),
    "pose_landmarks_detector.tflite": ("modules/pose_landmark/pose_landmark_full.tflite", 0.0, 255.0),
}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def cache_dir() -> Path:
    """Where built bundles live (created on demand)."""
    env = os.environ.get("ARPOSE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "arpose"


def _mediapipe_version() -> str:
    import mediapipe
    return getattr(mediapipe, "__version__", "unknown")


def bundle_path() -> Path:
    """Path of the bundle built from the installed mediapipe wheel."""
    return cache_dir() / f"pose_landmarker_full-mp{_mediapipe_version()}.task"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _with_image_metadata(model: bytes, mean: float, std: float) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer
    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_image_input(norm_mean=[mean] * 3, norm_std=[std] * 3)
    out = writer.populate()
    return bytes(out[0] if isinstance(out, tuple) else out)


def build_bundle(dest: Path) -> Path:
    """Build the ``.task`` bundle from the wheel's models into ``dest``, atomically."""
    import mediapipe
    root = Path(mediapipe.__file__).parent
    members: dict[str, bytes] = {}
    for name, (rel, mean, std) in _SOURCES.items():
        src = root / rel
        if not src.is_file():
            raise ModelError(f"{src}: the installed mediapipe has no {rel}; arpose needs "
                             f"mediapipe==0.10.21 (later wheels ship no models), or pass "
                             f"--model pose_landmarker_full.task")
        members[name] = _with_image_metadata(src.read_bytes(), mean, std)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as z:
            for name, data in members.items():
                z.writestr(zipfile.ZipInfo(name, _ZIP_DATE), data)
        digest = _sha256(Path(tmp))
        os.replace(tmp, dest)
        sidecar_tmp = dest.with_suffix(".sha256.tmp")
        sidecar_tmp.write_text(digest + "\n")
        os.replace(sidecar_tmp, dest.with_suffix(".sha256"))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.info("built pose model bundle %s", dest)
    return dest


def check_bundle(path: Path) -> None:
    """Raise ModelError unless ``path`` is a readable PoseLandmarker bundle."""
    if not path.is_file():
        raise ModelError(f"{path}: no such model file")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            bad = z.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{path}: not a valid .task model bundle ({exc})") from None
    missing = [m for m in BUNDLE_MEMBERS if m not in names]
    if missing:
        raise ModelError(f"{path}: not a pose landmarker bundle (missing {', '.join(missing)})")
    if bad is not None:
        raise ModelError(f"{path}: model bundle is corrupt (bad member {bad})")


def _cached_bundle_ok(path: Path) -> bool:
    sidecar = path.with_suffix(".sha256")
    if not path.is_file() or not sidecar.is_file():
        return False
    try:
        return sidecar.read_text().strip() == _sha256(path)
    except OSError:
        return False


def ensure_model(path: str | os.PathLike | None = None) -> Path:
    """Return a usable ``.task`` bundle: ``path`` if given (an official
    ``pose_landmarker_{lite,full,heavy}.task`` works), else the cached bundle, built
    or rebuilt from the mediapipe wheel when missing or corrupt.

    Raises:
        ModelError: the given file is not a pose model, or the bundle cannot be built.
    """
    if path is not None:
        p = Path(path).expanduser()
        check_bundle(p)
        return p
    dest = bundle_path()
    if _cached_bundle_ok(dest):
        return dest
    if dest.exists():
        log.warning("%s: cached model bundle failed its checksum; rebuilding", dest)
    try:
        return build_bundle(dest)
    except ModelError:
        raise
    except OSError as exc:
        raise ModelError(f"cannot write the model bundle to {dest.parent} ({exc.strerror}); "
                         f"set ARPOSE_CACHE_DIR to a writable folder") from None
    except Exception as exc:  # metadata writer failures
        raise ModelError(f"cannot build the pose model bundle: {exc}") from exc
