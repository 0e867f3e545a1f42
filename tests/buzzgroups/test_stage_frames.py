"""Show changes as small frames: the stage moves, the round's notes are sent only when they change.

A facilitator who moves on, adds minutes or ends a round keeps the same round on
the wall: those frames carry the stage (the item, the timer, the agenda) and leave
the wall's and the console's notes where they are. A move to another round, a
layout, a reveal or themes bring the notes of what the wall shows now.
"""

import json
import uuid

import pytest
from channels.layers import get_channel_layer

from buzzgroups import services
from sessions import services as show

pytestmark = pytest.mark.django_db

# A show change that keeps the round (the move, its event, its frames for every role).
KEPT_ROUND_SHOW_CHANGE = 25


@pytest.fixture
def sent(monkeypatch, django_capture_on_commit_callbacks):
    """Run a change and return the frames it sent, by role, in Norwegian."""
    layer = get_channel_layer()
    captured = []

    async def group_send(group, message):
        captured.append((group, message))

    monkeypatch.setattr(layer, "group_send", group_send)

    def run(change) -> dict[str, list[dict]]:
        captured.clear()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        frames = {}
        for group, message in captured:
            role = group.rsplit(".", 1)[-1]
            frames.setdefault(role, []).append(json.loads(message["texts"]["nb"]))
        return frames

    return run


def write_notes(phones, buzz_round, count, settings):
    settings.SUMMA_NOTES_PER_MINUTE = 100
    return [
        services.note_create(
            author=phones[n % len(phones)],
            text=f"Lapp {n} om {buzz_round.item.title}",
            prompt_id=buzz_round.prompts.first().pk,
            client_id=uuid.uuid4(),
        )[0]
        for n in range(count)
    ]


def only(frames: list[dict], kind: str = "show.changed") -> dict:
    (frame,) = [f for f in frames if f["type"] == kind]
    return frame


@pytest.mark.parametrize(
    "change",
    [
        lambda workshop, buzz_round: show.show_next(workshop=workshop),
        lambda workshop, buzz_round: show.round_extend(buzz_round=buzz_round, minutes=2),
        lambda workshop, buzz_round: show.round_close(buzz_round=buzz_round),
    ],
    ids=["moving on", "adding minutes", "ending the round"],
)
def test_a_show_change_that_keeps_the_round_sends_the_stage_without_its_notes(
    workshop, phones, open_first_round, settings, sent, change
):
    notes = write_notes(phones, open_first_round, 12, settings)
    frames = sent(lambda: change(workshop, open_first_round))
    wall, console = only(frames["wall"]), only(frames["console"])
    assert 'id="wall-head"' in wall["html"]
    assert 'id="console-round-head"' in console["html"]
    for frame in (wall, console):
        assert frame["data"]["board"] is False
        assert frame["data"]["round_id"] == open_first_round.pk
        assert not any(f'id="note-{note.pk}"' in frame["html"] for note in notes)
        assert "Lapp" not in frame["html"]
    assert 'id="wall-board"' not in wall["html"]
    assert 'id="console-columns"' not in console["html"]


def test_a_show_change_that_keeps_the_round_costs_fewer_queries_than_one_that_changes_it(
    workshop, phones, open_first_round, settings, django_assert_max_num_queries, sent
):
    write_notes(phones, open_first_round, 12, settings)
    with django_assert_max_num_queries(KEPT_ROUND_SHOW_CHANGE) as kept:
        sent(lambda: show.show_next(workshop=workshop))  # the open round stays on the wall
    show.round_close(buzz_round=open_first_round)  # item 2 has no round: the wall shows it
    with django_assert_max_num_queries(KEPT_ROUND_SHOW_CHANGE + 10) as changed:
        frames = sent(lambda: show.show_back(workshop=workshop))  # item 1's notes come back
    assert only(frames["wall"])["data"]["board"] is True
    assert len(kept) < len(changed)


def test_moving_to_another_round_and_back_sends_the_notes_of_the_round_on_the_wall(
    workshop, phones, open_first_round, settings, sent
):
    first = write_notes(phones, open_first_round, 3, settings)
    show.round_close(buzz_round=open_first_round)
    third_round = workshop.items.get(number=3).buzz_rounds.get()
    frames = sent(lambda: show.round_open(buzz_round=third_round, minutes=5))
    for role, block in (("wall", "wall-board"), ("console", "console-columns")):
        frame = only(frames[role])
        assert frame["data"]["board"] is True
        assert f'id="{block}"' in frame["html"]
        assert f'id="col-r{third_round.pk}-' in frame["html"]
        assert not any(f'id="note-{note.pk}"' in frame["html"] for note in first)

    third = write_notes(phones, third_round, 2, settings)
    show.round_close(buzz_round=third_round)
    frames = sent(lambda: show.show_goto(workshop=workshop, number=1))
    for role in ("wall", "console"):
        frame = only(frames[role])
        assert frame["data"]["round_id"] == open_first_round.pk
        assert all(f'id="note-{note.pk}"' in frame["html"] for note in first)
        assert not any(f'id="note-{note.pk}"' in frame["html"] for note in third)

    frames = sent(lambda: show.show_goto(workshop=workshop, number=3))
    wall = only(frames["wall"])
    assert wall["data"]["round_id"] == third_round.pk
    assert all(f'id="note-{note.pk}"' in wall["html"] for note in third)


def test_a_move_off_every_round_empties_the_wall_of_notes(
    workshop, phones, open_first_round, settings, sent
):
    write_notes(phones, open_first_round, 2, settings)
    show.round_close(buzz_round=open_first_round)
    frames = sent(lambda: show.show_next(workshop=workshop))  # item 2's round has not run
    wall = only(frames["wall"])
    assert wall["data"]["round_id"] is None
    assert (
        '<div id="wall-board" class="wall-stage__part" data-hx-swap-oob="true"></div>'
        in (wall["html"])
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda workshop: show.wall_set(workshop=workshop, layout="prompts"),
        lambda workshop: show.wall_set(workshop=workshop, revealed_groups=1),
        lambda workshop: show.workshop_hold_notes(workshop=workshop, hold=True),
    ],
    ids=["a column per prompt", "revealing groups", "holding notes"],
)
def test_a_wall_change_always_sends_the_notes(
    workshop, phones, open_first_round, settings, sent, change
):
    notes = write_notes(phones, open_first_round, 3, settings)
    frames = sent(lambda: change(workshop))
    wall = only(frames["wall"], "wall.changed")
    assert wall["data"]["board"] is True
    assert all(f'id="note-{note.pk}"' in wall["html"] for note in notes)


def test_prompts_renamed_on_the_round_send_its_notes_with_the_new_names(
    workshop, phones, open_first_round, settings, sent
):
    notes = write_notes(phones, open_first_round, 2, settings)
    frames = sent(lambda: show.prompts_set(buzz_round=open_first_round, titles=["Muligheter"]))
    wall = only(frames["wall"])
    assert wall["data"]["board"] is True
    assert all(f'id="note-{note.pk}"' in wall["html"] for note in notes)
    assert "Muligheter" in wall["html"].split('id="wall-board"')[1]
