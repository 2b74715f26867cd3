"""The hand-signs game, played by synthetic hands that react to the card on screen."""

from __future__ import annotations

import math

import pytest
from play_helpers import SIZE, frame, new_app

from arpose.errors import GameError
from arpose.play import PlayOptions, get_game
from arpose.pose import PoseFrame
from arpose.testing.bodies import Body
from arpose.testing.hands import shape_hand


def _start(app, **extra):
    game = get_game("hand-signs")(PlayOptions(sound=False, extra={"countdown": 0.0, **extra}))
    app.options = game.options
    app.show(game)
    return game


def _with_hand(t: float, i: int, shape: str | None) -> PoseFrame:
    """One player, whose right hand makes ``shape`` (None: no hand seen)."""
    pf = frame(t, Body(), index=i)
    pose = pf.poses[0]
    if shape is None:
        return PoseFrame(t, i, SIZE, (pose,), hands=(), hands_tracked=True)
    wrist = pose.xy("right_wrist")
    hand = shape_hand(
        shape,
        side="right",
        person=pose.id,
        size=70.0,
        center=(float(wrist[0]), float(wrist[1])),
        rotation=-math.pi / 2 if shape == "thumbs_up" else 0.0,
    )
    return PoseFrame(t, i, SIZE, (pose.with_hands((hand,)),), hands=(hand,), hands_tracked=True)


def _play(app, game, seconds: float, policy, fps: float = 30.0) -> None:
    """Drive the game frame by frame; ``policy(game)`` picks this frame's hand shape."""
    n = int(seconds * fps)
    for i in range(n):
        t = i / fps
        app.feed(_with_hand(t, i, policy(game)))
        app.tick(1 / fps if i else 0.0)
        if game.over:
            return


def test_a_player_who_makes_each_sign_scores_every_card():
    app = new_app()
    game = _start(app)

    def player(g):  # sees the card, needs 0.4 s to make the sign, relaxes in between
        return g.card if g.card is not None and g.shown >= 0.4 else "relaxed"

    _play(app, game, 20.0, player)
    report = game.report()
    assert game.cards >= 4 and game.made == game.cards and game.missed == 0
    assert all(0.4 <= r <= 0.7 for r in game.reactions), game.reactions  # 0.4 + debounce
    assert report["signs"] == game.made and report["score"] > 0
    kinds = [e["kind"] for e in report["events"]]
    assert kinds.count("sign") == game.made and "miss" not in kinds
    signs = [e["sign"] for e in report["events"] if e["kind"] == "card"]
    assert all(a != b for a, b in zip(signs, signs[1:]))  # never the same card twice


def test_a_relaxed_or_wrong_hand_makes_nothing_and_the_lives_run_out():
    for policy in (lambda g: "relaxed", lambda g: None, lambda g: "open_palm"):
        app = new_app()
        game = _start(app, sequence=["fist", "point", "victory"])
        _play(app, game, 40.0, policy)
        assert game.made == 0 and game.missed == 3 and game.over
        assert game.report()["lives"] == 0


def test_a_sign_held_before_the_card_counts_only_after_the_reaction_floor():
    app = new_app()
    game = _start(app, sequence=["fist", "point"])
    _play(app, game, 3.0, lambda g: "fist")
    assert game.made == 1
    assert 0.25 <= game.reactions[0] <= 0.3


def test_thumbs_up_and_ok_are_told_apart_from_fist_and_pinch():
    app = new_app()
    game = _start(app, sequence=["thumbs_up", "ok"])
    wrong = {"thumbs_up": "fist", "ok": "pinch"}
    _play(app, game, 30.0, lambda g: wrong.get(g.card or "", "relaxed"))
    assert game.made == 0 and game.missed == 3


def test_the_game_needs_hands_and_rejects_an_unknown_sign():
    assert get_game("hand-signs").needs_hands is True
    app = new_app()
    with pytest.raises(GameError, match="unknown sign"):
        _start(app, sequence=["fist", "spock"])
