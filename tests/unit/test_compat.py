"""Deprecated names keep working for one release and say what replaced them."""

from __future__ import annotations

import pytest

from arpose.compat import renamed_keywords
from arpose.scene.screen import ScreenMap


def test_a_renamed_keyword_is_passed_on_with_a_warning() -> None:
    @renamed_keywords(mirror="flip")
    def draw(x: int, *, flip: bool = False) -> tuple[int, bool]:
        return x, flip

    assert draw(1) == (1, False)
    assert draw(1, flip=True) == (1, True)
    with pytest.warns(DeprecationWarning, match=r"draw\(mirror=\.\.\.\) is deprecated; use flip="):
        assert draw(2, mirror=True) == (2, True)
    with pytest.raises(TypeError, match="both mirror= and flip="):
        draw(3, mirror=True, flip=False)


def test_screen_map_takes_and_reads_the_old_name() -> None:
    with pytest.warns(DeprecationWarning, match="flip="):
        smap = ScreenMap((640, 480), (1280, 720), mirror=False)
    assert smap.flip is False
    assert ScreenMap((640, 480), (1280, 720)).flip is True
    with pytest.warns(DeprecationWarning, match="ScreenMap.flip"):
        assert smap.mirror is False
    x = smap.to_screen((0.0, 0.0))[0]
    assert x == pytest.approx(ScreenMap((640, 480), (1280, 720), flip=False).to_screen((0.0, 0.0))[0])
