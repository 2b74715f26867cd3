"""The exercise coach: exercises, rep counting with form per rep, learned exercises,
workout history in SQLite and progress over time.

* :mod:`.exercises` - built-in exercises: needed body parts, progress signal, form checks
* :mod:`.counter`   - :class:`RepCounter` / :class:`RepEvent` (count first, judge form apart)
* :mod:`.learned`   - exercises taught by demonstration, saved as JSON data files
* :mod:`.history`   - :class:`History`: sessions, sets and reps in SQLite (WAL, migrations)
* :mod:`.plots`     - tables, trends, plots and JSON from the history
"""

from __future__ import annotations

from .counter import POLICIES, RepCounter, RepEvent, count_reps
from .exercises import BUILTIN, Exercise, FormCheck, canonical, display_name
from .learned import all_exercises, learn, resolve_exercise

EXERCISES = BUILTIN
"""Built-in exercises by name (the old name, kept)."""

__all__ = [
    "RepCounter",
    "RepEvent",
    "count_reps",
    "POLICIES",
    "Exercise",
    "FormCheck",
    "BUILTIN",
    "EXERCISES",
    "canonical",
    "display_name",
    "resolve_exercise",
    "learn",
    "all_exercises",
]
