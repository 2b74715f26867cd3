"""One exception hierarchy for everything arpose raises on purpose.

The CLI turns any :class:`ArposeError` into one line on stderr and exit code 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import re

# C0 and C1 control characters (ESC, BEL, CR, the CSI/OSC introducers ...), except tab
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def printable(text: object) -> str:
    """``text`` with control characters escaped (``\\x1b``): a file name holding an
    escape sequence must not recolour, retitle or clear the user's terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


class ArposeError(Exception):
    """Base class: a user-facing problem with a message that names what and where.

    ``str()`` escapes control characters (see :func:`printable`): messages quote file
    names, which may hold anything.
    """

    def __str__(self) -> str:
        return printable(super().__str__())


class SourceError(ArposeError):
    """A camera, video, image or recording cannot be opened or read."""


class ModelError(ArposeError):
    """The pose model bundle is missing, corrupt or cannot be built."""


class UnknownJointError(ArposeError, KeyError):
    """A joint name that is not in the joint vocabulary."""

    def __str__(self) -> str:  # KeyError would quote the message
        return printable(self.args[0]) if self.args else ""


class PipelineError(ArposeError):
    """The capture/inference worker stopped with an error."""


class AssetError(ArposeError):
    """A sprite, mesh or other asset cannot be loaded."""


class RenderError(ArposeError):
    """OpenGL context or rendering failure."""


class EffectError(ArposeError):
    """An effect file is invalid."""


class RecordingError(ArposeError):
    """A recording is unreadable, truncated or from a newer format."""


class GameError(ArposeError):
    """A game cannot be found or started."""


class ExportError(ArposeError):
    """An export cannot read its input or write its output."""


class StreamError(ArposeError):
    """An OSC receiver or a WebSocket port cannot be used."""


class ExerciseError(ArposeError):
    """Unknown exercise, or a learned-exercise file that is malformed or too new."""


class HistoryError(ArposeError):
    """The workout history database cannot be used (not SQLite, damaged, newer, locked)."""


class RigError(ArposeError):
    """A bone map or rig that cannot drive a character (missing or unknown bones)."""


class SignError(ArposeError):
    """A sign model, sample file, keypoint CSV or label file is malformed or does not fit."""


class BatchError(ArposeError):
    """A batch over many files cannot run (no Ray, a cluster out of reach, a file that kills
    every worker it is given to)."""
