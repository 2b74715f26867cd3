"""The Blender add-on, shipped inside arpose: its sources and the installable zip.

The add-on itself (``arpose/blender/addon.py``, which becomes ``arpose_blender/__init__.py``
in the zip, and :mod:`arpose.blender.vmc_receive`) runs in Blender's own Python and imports
nothing from arpose; this module only packs it: ``arpose blender -o FILE.zip``, then
in Blender *Edit > Preferences > Add-ons > Install...* and enable "arpose".
"""

from __future__ import annotations

import os
import zipfile
from importlib import resources
from pathlib import Path

from ..errors import ArposeError

ADDON_NAME = "arpose_blender"
"""The add-on's module name inside Blender."""
ADDON_FILES = {"addon.py": "__init__.py", "vmc_receive.py": "vmc_receive.py"}
"""Source file here -> file name inside the add-on's folder."""


def build_addon_zip(path: str | os.PathLike) -> Path:
    """Write the installable add-on zip to ``path`` (atomically).

    Raises:
        ArposeError: the folder does not exist or cannot be written.
    """
    out = Path(path)
    if out.is_dir():
        out = out / f"{ADDON_NAME}.zip"
    if not out.parent.is_dir():
        raise ArposeError(f"{out}: folder {out.parent} does not exist")
    tmp = out.with_name(f".{out.name}.partial")
    here = resources.files(__name__)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for src, dst in ADDON_FILES.items():
                z.writestr(f"{ADDON_NAME}/{dst}", here.joinpath(src).read_text(encoding="utf-8"))
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ArposeError(f"{out}: cannot write the add-on ({exc.strerror or exc})") from None
    return out


__all__ = ["ADDON_FILES", "ADDON_NAME", "build_addon_zip"]
