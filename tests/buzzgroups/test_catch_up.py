"""Catching up: a screen that missed events gets one snapshot of its view, at a fixed cost."""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buzzgroups import services
from sessions.broadcast import CONSOLE, PHONE, WALL, catch_up
from sessions.models import Event, Workshop

pytestmark = pytest.mark.django_db


def miss(workshop, count: int, note) -> int:
    """``count`` more events about one note, as a busy room makes them; the seq before."""
    before = Workshop.objects.get(pk=workshop.pk).seq
    Event.objects.bulk_create(
        Event(
            workshop=workshop,
            seq=before + n,
            kind="note.changed",
            audience=Event.Audience.GROUP,
            group_id=note.group_id,
            ref_id=note.pk,
        )
        for n in range(1, count + 1)
    )
    Workshop.objects.filter(pk=workshop.pk).update(seq=before + count)
    return before


@pytest.fixture
def busy_round(workshop, phones, open_first_round, settings):
    settings.SUMMA_NOTES_PER_MINUTE = 100
    notes = [
        services.note_create(
            author=phones[n % len(phones)],
            text=f"Lapp {n}",
            prompt_id=open_first_round.prompts.first().pk,
            client_id=uuid.uuid4(),
        )[0]
        for n in range(24)
    ]
    return notes


def cost(workshop, after, role, phone) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        frames, _now = catch_up(
            workshop.pk, after, role, group_id=phone.group_id, participant_id=phone.pk
        )
    return len(queries), frames


@pytest.mark.parametrize("role", [WALL, CONSOLE, PHONE])
def test_catching_up_after_10_or_1000_missed_events_costs_the_same(
    workshop, phones, busy_round, role
):
    note = busy_round[0]
    after_10 = miss(workshop, 10, note)
    queries_10, frames_10 = cost(workshop, after_10, role, phones[0])
    after_1000 = miss(workshop, 1000, note) - 10
    queries_1000, frames_1000 = cost(workshop, after_1000, role, phones[0])
    assert queries_10 == queries_1000
    assert len(frames_10) == len(frames_1000) == 1
    assert json.loads(frames_1000[0])["type"] == "snapshot"


def test_a_screen_that_missed_nothing_costs_two_queries_and_gets_nothing(
    workshop, phones, busy_round, django_assert_num_queries
):
    now = Workshop.objects.get(pk=workshop.pk).seq
    with django_assert_num_queries(1):
        assert catch_up(workshop.pk, now, WALL) == ([], now)
    # A phone whose group was quiet: one look at the events it may see.
    with django_assert_num_queries(2):
        frames, _now = catch_up(workshop.pk, now - 1, PHONE, group_id=-1)
    assert frames == []


def test_the_walls_snapshot_is_no_bigger_than_the_wall_page_shows(
    workshop, facilitator, phones, busy_round, client
):
    client.force_login(facilitator)
    page = client.get(f"/w/{workshop.join_code}/wall/").content.decode()
    stage = page[page.index('<section id="wall-stage"') :]
    (frame,) = catch_up(workshop.pk, 0, WALL, language="nb")[0]
    snapshot = json.loads(frame)
    # The same section as the page's, marked for an out-of-band swap.
    assert len(snapshot["html"].replace(' data-hx-swap-oob="true"', "")) <= len(stage)
    assert sorted(snapshot["data"]["note_ids"]) == sorted(n.pk for n in busy_round)
