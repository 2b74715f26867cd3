"""Applications built on the play shell (:mod:`arpose.play`): the live mirror.

An app is a view of :class:`arpose.play.PlayApp` plus the function that runs it on a
source (camera, video, recording), the level just under the command line.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # before pygame is first imported
