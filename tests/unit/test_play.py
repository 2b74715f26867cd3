"""The game framework: clock, handler stack, views, dwell buttons, registry, menus by body."""

from __future__ import annotations

import sys
import textwrap

import pygame
import pytest
from play_helpers import drive, frame, hand_pointing_at, new_app

from arpose.errors import GameError
from arpose.play import (
    EVENT_HANDLED,
    FixedStepClock,
    HandlerStack,
    MenuButton,
    MenuView,
    PauseView,
    TitleView,
    View,
    available_games,
    get_game,
)
from arpose.play.sound import Sounds
from arpose.play.view import ViewContext
from arpose.scene.screen import ScreenMap
from arpose.testing.bodies import Body


def test_fixed_step_clock_runs_whole_steps_and_keeps_the_remainder():
    c = FixedStepClock(step=0.01, max_steps=100)
    assert c.advance(0.035) == 3
    assert c.alpha == pytest.approx(0.5, abs=1e-6)
    assert c.advance(0.005) == 1
    assert c.time == pytest.approx(0.04)


def test_fixed_step_clock_catch_up_limit_drops_time_after_a_stall():
    c = FixedStepClock(step=0.01, max_steps=5)
    assert c.advance(2.0) == 5
    assert c.dropped == pytest.approx(1.95, abs=1e-6)
    assert c.advance(0.0) == 0  # nothing left over to replay later
    assert c.advance(-1.0) == 0  # time never runs backwards


def test_handler_stack_top_first_and_handled_stops_propagation():
    calls = []
    stack = HandlerStack()
    stack.push_handlers(on_gesture=lambda e: calls.append(("game", e)))
    stack.push_handlers(on_gesture=lambda e: calls.append(("overlay", e)) or EVENT_HANDLED)
    assert stack.dispatch("on_gesture", "swipe") is True
    assert calls == [("overlay", "swipe")]
    stack.pop_handlers()
    assert stack.dispatch("on_gesture", "clap") is False
    assert calls[-1] == ("game", "clap")


def test_view_stack_show_hide_order_and_pause_overlay_takes_gestures():
    app = new_app()
    log = []

    class Probe(View):
        def on_show(self):
            log.append("show")

        def on_hide(self):
            log.append("hide")

        def on_gesture(self, event):
            log.append(("gesture", event))

    probe = app.views.push(Probe())
    game = get_game("slicer")(app.options)
    pause = PauseView(game)
    app.views.push(pause)
    assert app.dispatch("on_gesture", "swipe") is True
    assert ("gesture", "swipe") not in log
    assert app.views.drawn() == [probe, pause]  # the view beneath is drawn, frozen
    app.views.pop()
    app.dispatch("on_gesture", "swipe")
    assert log == ["show", "hide", "show", ("gesture", "swipe")]


def test_a_view_gets_its_context_when_pushed_and_a_clear_error_before():
    game = get_game("slicer")()
    with pytest.raises(GameError, match="Slicer: the view is not on a view stack yet"):
        _ = game.app
    app = new_app()
    app.show(game)
    assert game.app is app and game.started  # on_show ran with the context in place
    pause = app.push(PauseView(game))
    assert pause.app is app and app.views.top is pause
    assert app.pop() is pause and app.views.top is game


def test_the_play_app_implements_every_member_of_the_view_context():
    """The context is the whole API a (third-party) game binds to: each member exists on
    the app with the documented kind (method or value)."""
    app = new_app(players=2)
    members = [n for n in dir(ViewContext) if not n.startswith("_")]
    members += list(ViewContext.__annotations__)  # plain attributes (report)
    assert {"player", "cursor", "cursors", "rng", "sounds", "show_results", "report"} <= set(members)
    for name in members:
        assert hasattr(app, name), name
        if callable(getattr(ViewContext, name, None)):
            assert callable(getattr(app, name)), name
    assert app.cursor(0) is None and app.cursors() == [] and app.player(1) is None
    assert app.worn_effects() is None and app.reload_message is None  # nothing drawn yet


def test_show_results_replaces_the_game_and_needs_a_game():
    app = new_app()
    game = app.show(get_game("slicer")(app.options))
    app.show_results(game)
    assert type(app.views.top).__name__ == "ResultsView" and app.views.top.game is game
    with pytest.raises(GameError, match="show_results needs the Game that ended, got TitleView"):
        app.show_results(TitleView())


def test_dwell_button_fires_once_per_visit():
    b = MenuButton("go", "Go", pygame.Rect(100, 100, 200, 100), dwell=1.0)
    inside, outside = [(150, 150)], [(10, 10)]
    fired = [b.update(inside, 0.1) for _ in range(15)]
    # hovering starts when the cursor is first seen inside: 1.0 s later is the 11th frame
    assert fired.count(True) == 1 and fired.index(True) == 10
    assert not any(b.update(inside, 0.1) for _ in range(20))  # must leave first
    b.update(outside, 0.1)  # under the 0.15 s grace:
    assert not any(b.update(inside, 0.1) for _ in range(11))  # edge jitter, same visit
    b.update(outside, 0.1)
    b.update(outside, 0.1)  # really left
    assert any(b.update(inside, 0.1) for _ in range(11))
    # Brushing past never presses it.
    b2 = MenuButton("x", "X", pygame.Rect(0, 0, 50, 50), dwell=1.0)
    for _ in range(10):
        b2.update([(10, 10)], 0.05)
        b2.update(outside, 0.2)
    assert b2.progress < 0.1


def test_screen_map_mirrors_and_covers():
    m = ScreenMap((640, 480), (1280, 720), fit="cover")
    assert m.scale == pytest.approx(2.0)
    left, right = m.to_screen([[0, 240], [640, 240]])
    assert left[0] == pytest.approx(1280) and right[0] == pytest.approx(0)  # mirrored
    assert m.crop() == (0, 60, 640, 420)


def test_sounds_are_silent_and_safe_without_audio():
    Sounds(enabled=False).play("slice")
    s = Sounds(enabled=True)  # SDL dummy audio driver
    s.play("slice")
    s.play("no-such-sound")


def test_registry_lists_the_four_games_by_their_user_names():
    games = available_games()
    assert list(games)[:4] == ["slicer", "pose-wall", "workout", "pong"]
    assert get_game("pose-wall").name == "pose-wall"
    assert get_game("pose_wall").name == "pose-wall"
    with pytest.raises(GameError, match="did you mean 'slicer'"):
        get_game("slicr")


def test_third_party_game_from_an_entry_point(tmp_path, monkeypatch):
    (tmp_path / "balloon_pop.py").write_text(
        textwrap.dedent("""
        from arpose.play import Game

        class BalloonPop(Game):
            name = "balloon-pop"
            title = "Balloon Pop"
            description = "pop balloons"
            duration = 1.0
    """)
    )
    dist = tmp_path / "balloon_pop-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: balloon-pop\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[arpose.games]\nballoon-pop = balloon_pop:BalloonPop\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    games = available_games()
    assert "balloon-pop" in games and games["balloon-pop"].origin == "balloon_pop:BalloonPop"
    from arpose.play import run_headless

    report = run_headless("balloon-pop", [frame(i / 30, Body(), index=i) for i in range(45)])
    assert report["game"] == "balloon-pop" and report["finished"] is True
    sys.modules.pop("balloon_pop", None)


def test_title_menu_game_with_the_body_alone():
    """From the title screen to a running game: only hand positions, no keys."""
    app = new_app()
    app.show(TitleView())
    app.feed(frame(0.0, Body()))
    start = app.views.top.buttons[0].rect.center
    body = hand_pointing_at(app, start)
    t = drive(app, lambda t: [body], 0.0, 1.6)
    assert isinstance(app.views.top, MenuView)
    # Lower the hand, then point at the "pong" button.
    t = drive(app, lambda t: [Body()], t, 0.3)
    target = next(b for b in app.views.top.buttons if b.id == "pong").rect.center
    body = hand_pointing_at(app, target)
    drive(app, lambda t: [body], t, 1.8)
    assert type(app.views.top).__name__ == "Pong"


def test_a_handler_for_an_unregistered_event_is_an_error():
    class Typo(View):
        def on_gesutre(self, event):
            return None

    stack = HandlerStack()
    with pytest.raises(GameError, match=r"on_gesutre is not a registered event.*on_gesture"):
        stack.push_handlers(Typo())
    with pytest.raises(GameError, match="not a registered event"):
        stack.push_handlers(on_swipe=lambda e: None)
    stack.register_event_type("on_swipe")
    stack.push_handlers(on_swipe=lambda e: True)
    assert stack.dispatch("on_swipe", 1)


def test_a_long_button_description_wraps_to_fit_the_button():
    from arpose.play.ui import fit_lines, font

    msg = "Squats, push-ups, jumping jacks and more against the clock"
    lines, size = fit_lines(msg, 22, 300)
    assert len(lines) == 2 and " ".join(lines) == msg
    assert all(font(size).size(line)[0] <= 300 for line in lines)
    assert fit_lines("Pong", 22, 300) == (["Pong"], 22)
