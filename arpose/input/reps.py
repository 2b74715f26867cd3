"""Repetition counting moved to :mod:`arpose.coach` (this module keeps old imports working)."""

from __future__ import annotations

from ..coach.counter import RepCounter, RepEvent, count_reps
from ..coach.exercises import BUILTIN as EXERCISES
from ..coach.exercises import Exercise
from ..coach.learned import resolve_exercise

__all__ = ["EXERCISES", "Exercise", "RepCounter", "RepEvent", "count_reps", "resolve_exercise"]
