"""upside_down: when the tracker looks again afresh (no model needed)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from arpose.tracking.detector import upside_down


def person(angle_deg: float, nose_below: bool | None = None) -> list[SimpleNamespace]:
    """Normalised landmarks of a torso turned ``angle_deg`` from upright (0) in the image."""
    lm = [SimpleNamespace(x=0.5, y=0.5) for _ in range(33)]
    a = np.radians(angle_deg)
    up = np.array([np.sin(a), -np.cos(a)]) * 0.2  # image y points down
    hips, shoulders = np.array([0.5, 0.5]), np.array([0.5, 0.5]) + up
    for i in (11, 12):
        lm[i] = SimpleNamespace(x=shoulders[0], y=shoulders[1])
    for i in (23, 24):
        lm[i] = SimpleNamespace(x=hips[0], y=hips[1])
    nose = shoulders + up * 0.4
    if nose_below is not None:
        nose = np.array([shoulders[0], shoulders[1] + (0.05 if nose_below else -0.05)])
    lm[0] = SimpleNamespace(x=nose[0], y=nose[1])
    return lm


def test_standing_leaning_and_lying_people_are_not_upside_down() -> None:
    for angle in (0, 30, 60, 90, 110):
        assert not upside_down(person(angle)), angle
        assert not upside_down(person(-angle)), angle


def test_a_body_on_its_head_is_upside_down() -> None:
    for angle in (180, 150, -150):
        assert upside_down(person(angle)), angle
    assert not upside_down(person(180, nose_below=False))  # the head still above the shoulders


def test_a_person_with_no_torso_length_is_not() -> None:
    lm = [SimpleNamespace(x=0.5, y=0.5) for _ in range(33)]
    assert not upside_down(lm)
