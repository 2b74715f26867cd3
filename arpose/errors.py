"""One exception hierarchy for everything arpose raises on purpose.

The CLI turns any :class:`ArposeError` into one line on stderr and exit code 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class ArposeError(Exception):
    """Base class: a user-facing problem with a message that names what and where."""


class SourceError(ArposeError):
    """A camera, video, image or recording cannot be opened or read."""


class ModelError(ArposeError):
    """The pose model bundle is missing, corrupt or cannot be built."""


class UnknownJointError(ArposeError, KeyError):
    """A joint name that is not in the joint vocabulary."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


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


class ExerciseError(ArposeError):
    """Unknown exercise, or a learned-exercise file that is malformed or too new."""


class HistoryError(ArposeError):
    """The workout history database cannot be used (not SQLite, damaged, newer, locked)."""
