"""Exercise-name validation, the learned-file depth check, plot formats and the numpy
smooth shading that replaced trimesh's (issue 26)."""

from __future__ import annotations

import numpy as np
import pytest

from arpose.coach.exercises import MAX_NAME, check_name
from arpose.coach.learned import MAX_JSON_DEPTH, _too_deep
from arpose.coach.plots import plot_format
from arpose.errors import ExerciseError, HistoryError


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("squat", "squat"),
        ("My Move-2", "my_move_2"),
        ("Wall_Sit", "wall_sit"),
        ("a" * MAX_NAME, "a" * MAX_NAME),
    ],
)
def test_valid_names(name, key):
    assert check_name(name) == key


@pytest.mark.parametrize(
    "name",
    ["", " ", ".", "..", "../x", "/etc/passwd", "a\\b", "a.json", "1abc", "_x", "über", "ev\x1b[31mil",
     "a\x00b", "two\nlines", "a" * (MAX_NAME + 1), "~root", "a:b"],
)  # fmt: skip
def test_invalid_names_are_one_escaped_line(name):
    with pytest.raises(ExerciseError) as info:
        check_name(name)
    text = str(info.value)
    assert "\n" not in text and "\x1b" not in text and "\x00" not in text
    assert "invalid exercise name" in text


def test_depth_check_skips_brackets_inside_strings():
    assert not _too_deep('{"a": "' + "[" * 100 + '"}')
    assert not _too_deep('{"a": "\\"[[[[[[[[[[[[["}')
    assert _too_deep("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    assert not _too_deep("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)


def test_plot_format_from_the_suffix():
    assert plot_format("a.PDF") == "pdf" and plot_format("b.svg") == "svg" and plot_format("c.png") == "png"
    with pytest.raises(HistoryError, match="gif"):
        plot_format("d.gif")


def test_numpy_smooth_shading_matches_trimesh_where_trimesh_can_run():
    """The same split vertices and normals as trimesh.graph.smooth_shade (which needs
    scipy or networkx, absent from a plain install) on the shapes effects use."""
    import trimesh
    import trimesh.graph

    from arpose.scene.mesh import SMOOTH_ANGLE, _smooth_shade

    try:
        trimesh.graph.connected_components(np.array([[0, 1]]))
    except ImportError:
        pytest.skip("no graph engine for trimesh here")
    for tm in (
        trimesh.creation.icosphere(2),
        trimesh.creation.box(),
        trimesh.creation.cylinder(0.3, 0.6, sections=32),
        trimesh.creation.torus(0.5, 0.1),
    ):
        ref = trimesh.graph.smooth_shade(tm, angle=SMOOTH_ANGLE)
        pos, faces, normals, src = _smooth_shade(tm, SMOOTH_ANGLE)
        assert len(pos) == len(ref.vertices) and len(faces) == len(ref.faces)
        # per corner: the same normal at the same place
        ours = {(tuple(np.round(pos[v], 5)), tuple(np.round(normals[v], 4))) for v in faces.ravel()}
        rn = np.asarray(ref.vertex_normals)
        rv = np.asarray(ref.vertices)
        theirs = {
            (tuple(np.round(rv[v], 5)), tuple(np.round(rn[v], 4))) for v in np.asarray(ref.faces).ravel()
        }
        assert ours == theirs
        np.testing.assert_array_equal(pos, np.asarray(tm.vertices)[src])
