"""The offline models: prebuilt ``.task`` bundles shipped inside arpose as package data.

mediapipe 0.10.21 was the last wheel carrying the pose and hand ``.tflite`` models (later
wheels carry none and download them at run time, which fails offline). The Tasks API
also refuses those files as they are: they lack image-normalisation metadata. So
``tools/build_models.py`` (a developer tool) takes them out of that wheel once, adds the
metadata, zips them into reproducible bundles and records their SHA-256 in
``arpose/models/manifest.json``. At run time nothing is built, written or downloaded:
:func:`ensure_model` and :func:`ensure_hand_model` return the shipped files after checking
them against the manifest, so any installed mediapipe with the Tasks API can run them.

The per-user cache (:func:`cache_dir`) is no longer needed for models; it stays for the
decoded-mesh cache (:mod:`arpose.effects.mesh_cache`). When the configured folder cannot
be written (read-only, or a path that is a regular file) it falls back to a private
temporary folder with one warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import zipfile
from pathlib import Path

from .errors import ModelError

log = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).resolve().parent / "models"
MANIFEST = MODELS_DIR / "manifest.json"
POSE_BUNDLE = "pose_landmarker_full.task"
HAND_BUNDLE = "hand_landmarker_full.task"
BUNDLE_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
HAND_BUNDLE_MEMBERS = ("hand_detector.tflite", "hand_landmarks_detector.tflite")
_REPAIR = "reinstall arpose (pip install --force-reinstall --no-deps arpose)"

_lock = threading.Lock()
_verified: dict[Path, tuple[int, int]] = {}  # path -> (size, mtime_ns) that passed the checksum
_fallback: Path | None = None


# -- cache ---------------------------------------------------------------------------------


def _configured_cache_dir() -> Path:
    env = os.environ.get("ARPOSE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "arpose"


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
        return True
    except OSError:
        return False


def cache_dir() -> Path:
    """The per-user cache folder (created on demand): ``$ARPOSE_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/arpose``, else ``~/.cache/arpose``.

    An unwritable choice falls back to a private folder under the system's temporary
    directory, with one warning per process, so a cache never stops arpose.
    """
    global _fallback
    wanted = _configured_cache_dir()
    if _writable(wanted):
        return wanted
    with _lock:
        if _fallback is None or not _writable(_fallback):
            _fallback = Path(tempfile.mkdtemp(prefix="arpose-cache-"))
            log.warning(
                "%s: cache folder is not writable; using %s for this run "
                "(set ARPOSE_CACHE_DIR to a writable folder)",
                wanted,
                _fallback,
            )
        return _fallback


# -- shipped bundles -----------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _manifest_entry(name: str) -> dict:
    try:
        entry = json.loads(MANIFEST.read_text(encoding="utf-8"))["files"][name]
        if not isinstance(entry, dict):
            raise TypeError(name)
        return entry
    except FileNotFoundError:
        raise ModelError(f"{MANIFEST}: missing; {_REPAIR}") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(
            f"{MANIFEST}: unreadable or damaged ({type(exc).__name__}: {exc}); {_REPAIR}"
        ) from None


def shipped(name: str) -> Path:
    """The shipped file ``arpose/models/<name>``, verified against the manifest.

    The SHA-256 is computed once per process per file state (size, mtime).

    Raises:
        ModelError: the file is missing, truncated or altered (one line: reinstall arpose).
    """
    entry = _manifest_entry(name)
    path = MODELS_DIR / name
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ModelError(f"{path}: model file missing from the installation; {_REPAIR}") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model file ({exc.strerror}); {_REPAIR}") from None
    state = (st.st_size, st.st_mtime_ns)
    with _lock:
        if _verified.get(path) == state:
            return path
    if st.st_size != entry.get("size"):
        raise ModelError(
            f"{path}: model file is damaged ({st.st_size} bytes, expected {entry.get('size')}); {_REPAIR}"
        )
    try:
        digest = _sha256(path)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model file ({exc.strerror}); {_REPAIR}") from None
    if digest != entry.get("sha256"):
        raise ModelError(f"{path}: model file is damaged (SHA-256 mismatch); {_REPAIR}")
    with _lock:
        _verified[path] = state
    return path


def check_bundle(path: Path, members: tuple[str, ...] = BUNDLE_MEMBERS, kind: str = "pose") -> None:
    """Raise ModelError unless ``path`` is a readable ``.task`` bundle holding ``members``."""
    if not path.is_file():
        raise ModelError(f"{path}: no such model file")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            bad = z.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{path}: not a valid .task model bundle ({exc})") from None
    missing = [m for m in members if m not in names]
    if missing:
        raise ModelError(f"{path}: not a {kind} landmarker bundle (missing {', '.join(missing)})")
    if bad is not None:
        raise ModelError(f"{path}: model bundle is corrupt (bad member {bad})")


def ensure_model(path: str | os.PathLike[str] | None = None) -> Path:
    """Return a usable PoseLandmarker ``.task`` bundle: ``path`` if given (an official
    ``pose_landmarker_{lite,full,heavy}.task`` works), else the one shipped with arpose.

    Raises:
        ModelError: the given file is not a pose bundle, or the shipped one is missing or
            damaged.
    """
    if path is not None:
        p = Path(path).expanduser()
        check_bundle(p)
        return p
    return shipped(POSE_BUNDLE)


def ensure_hand_model(path: str | os.PathLike[str] | None = None) -> Path:
    """Return a usable HandLandmarker ``.task`` bundle: ``path`` if given (the official
    ``hand_landmarker.task`` works), else the one shipped with arpose (palm_detection_full
    + hand_landmark_full).

    Raises:
        ModelError: the given file is not a hand bundle, or the shipped one is missing or
            damaged.
    """
    if path is not None:
        p = Path(path).expanduser()
        check_bundle(p, HAND_BUNDLE_MEMBERS, "hand")
        return p
    return shipped(HAND_BUNDLE)
