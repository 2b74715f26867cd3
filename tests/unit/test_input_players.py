"""Player slots: most central people join, extras are ignored, leaving and returning
keeps the slot (by id, or by position when the tracker gave a new id)."""

from __future__ import annotations

from arpose.input.players import PlayerSlots
from arpose.pose import PoseFrame
from arpose.testing.bodies import Body, make_pose

SIZE = (1280, 720)


def frame(t: float, *bodies: Body) -> PoseFrame:
    return PoseFrame(t, int(t * 30), SIZE, tuple(make_pose(b, noise=0.5) for b in bodies))


def person(pid: int, x: float, scale: float = 90) -> Body:
    return Body(id=pid, x=x, scale=scale, floor=690)


def test_two_most_central_join_ordered_left_to_right_on_the_mirror_screen():
    slots = PlayerSlots(2)
    events = slots.update(frame(0.0, person(1, 150), person(2, 560), person(3, 780), person(4, 1180)))
    assert sorted((e.player, e.change, e.person_id) for e in events) == [(0, "joined", 3), (1, "joined", 2)]
    # person 3 (image x 780) appears LEFT of person 2 (x 560) on a mirrored screen
    assert slots[0].person_id == 3 and slots[1].person_id == 2
    assert slots[0].number == 1 and slots[0].present


def test_unmirrored_screen_orders_by_image_x():
    slots = PlayerSlots(2, flip=False)
    slots.update(frame(0.0, person(2, 560), person(3, 780)))
    assert slots[0].person_id == 2


def test_extras_are_never_swapped_in():
    slots = PlayerSlots(2)
    slots.update(frame(0.0, person(1, 450), person(2, 850)))
    for i in range(1, 60):  # person 9 walks right into the centre
        events = slots.update(frame(i / 30, person(1, 450), person(2, 850), person(9, 640, scale=110)))
        assert events == []
    assert {p.person_id for p in slots} == {1, 2}


def test_one_player_mode_takes_the_most_central():
    slots = PlayerSlots(1)
    slots.update(frame(0.0, person(5, 200), person(6, 700), person(7, 1100)))
    assert slots[0].person_id == 6


def test_leaving_pauses_and_returning_with_the_same_id_resumes_the_same_slot():
    slots = PlayerSlots(2, leave_after=0.5)
    slots.update(frame(0.0, person(1, 450), person(2, 850)))
    assert not slots.waiting
    events = []
    t = 0.0
    for i in range(1, 31):  # player on the right of the image leaves for 1 s
        t = i / 30
        events += slots.update(frame(t, person(1, 450)))
    left = [e for e in events if e.change == "left"]
    assert len(left) == 1 and left[0].player == 0 and 0.5 <= left[0].t <= 0.55
    assert slots[0].state == "absent" and slots.waiting and slots[0].pose is None
    # an extra person is in view meanwhile but far from where player 1 stood
    events = slots.update(frame(t + 0.1, person(1, 450), person(7, 100)))
    assert events == [] and slots[0].state == "absent"
    events = slots.update(frame(t + 0.2, person(1, 450), person(7, 100), person(2, 900)))
    assert [(e.player, e.change) for e in events] == [(0, "returned")]
    assert slots[0].person_id == 2 and not slots.waiting


def test_short_dropouts_change_nothing():
    slots = PlayerSlots(1, leave_after=0.5)
    slots.update(frame(0.0, person(1, 640)))
    events = []
    for i in range(1, 60):
        bodies = () if i % 7 in (3, 4) else (person(1, 640),)  # 2 frames missing now and then
        events += slots.update(frame(i / 30, *bodies))
    assert events == [] and slots[0].present


def test_returning_with_a_new_id_near_the_old_place_keeps_the_slot():
    slots = PlayerSlots(2)
    slots.update(frame(0.0, person(1, 400), person(2, 900)))
    for i in range(1, 25):
        slots.update(frame(i / 30, person(2, 900)))
    assert slots[1].state == "absent"  # person 1 is on the right of the mirror screen
    events = slots.update(frame(1.0, person(2, 900), person(11, 430)))
    assert [(e.player, e.change, e.person_id) for e in events] == [(1, "returned", 11)]


def test_returning_anywhere_after_a_while_keeps_the_slot():
    slots = PlayerSlots(1, rejoin_any_after=2.0)
    slots.update(frame(0.0, person(1, 300)))
    for i in range(1, 20):
        slots.update(
            frame(
                i / 30,
            )
        )
    assert slots[0].state == "absent"
    assert slots.update(frame(1.5, person(8, 1000))) == []  # too soon, too far
    events = slots.update(frame(3.0, person(8, 1000)))
    assert [e.change for e in events] == ["returned"]


def test_poses_without_ids_are_followed_by_position():
    slots = PlayerSlots(2)
    slots.update(frame(0.0, person(-1, 400), person(-1, 900)))
    left_slot = next(p for p in slots if p.center[0] > 640).slot
    for i in range(1, 30):  # both drift; order in the frame swaps
        x1, x2 = 400 + 3 * i, 900 - 3 * i
        slots.update(frame(i / 30, person(-1, x2), person(-1, x1)))
    assert slots[left_slot].center[0] > 640 - 100


def test_reset_picks_afresh_and_bad_count():
    slots = PlayerSlots(1)
    slots.update(frame(0.0, person(1, 200)))
    slots.update(frame(0.1, person(1, 200), person(2, 640)))
    assert slots[0].person_id == 1
    slots.reset()
    slots.update(frame(0.2, person(1, 200), person(2, 640)))
    assert slots[0].person_id == 2
    import pytest

    with pytest.raises(ValueError, match="between 1 and 8"):
        PlayerSlots(0)
