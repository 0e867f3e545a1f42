"""A workshop as a template: "Run again" gives a new workshop with the same preparation."""

import pytest
from django.test import Client

from buzzgroups.models import DotVote, Note, Participant
from buzzgroups.services import group_rename, groups_set_count, participant_join, workshop_run_again
from buzzgroups.voting import vote_open
from sessions.models import BuzzRound, Workshop
from sessions.program_export import program_text
from sessions.services import item_plan, prompts_set, round_open, show_start, workshop_end


@pytest.fixture
def held_workshop(workshop, first_round, facilitator):
    """Kari's workshop, prepared with care, run with a room, and ended."""
    groups_set_count(workshop=workshop, count=3)
    group_rename(group=workshop.buzz_groups.get(number=2), name="Bordet ved vinduet")
    item_plan(item=workshop.items.get(number=1), minutes=25)
    prompts_set(buzz_round=first_round, titles=["Muligheter", "Risiko", "Tiltak"])
    show_start(workshop=workshop)
    round_open(buzz_round=first_round, minutes=7)
    participant_join(workshop=workshop, nickname="Ada")
    vote_open(workshop=workshop, item=workshop.items.get(number=2))
    workshop_end(workshop=workshop)
    return workshop


def plan(workshop) -> dict:
    return {
        "agenda": program_text(workshop).split("\n", 1)[1],
        "minutes": list(workshop.items.values_list("planned_minutes", flat=True)),
        "rounds": [
            (r.item.number, r.duration_minutes, list(r.prompts.values_list("title", flat=True)))
            for r in BuzzRound.objects.filter(item__workshop=workshop).order_by("item__number")
        ],
        "groups": list(workshop.buzz_groups.values_list("number", "name")),
        "group_count": workshop.group_count,
        "language": workshop.language,
        "title": workshop.title,
    }


@pytest.mark.django_db
def test_running_again_copies_the_preparation_and_nothing_of_the_room(held_workshop, facilitator):
    copy = workshop_run_again(workshop=held_workshop, owner=facilitator)
    assert copy.join_code != held_workshop.join_code
    assert plan(copy) == plan(held_workshop)
    assert plan(copy)["rounds"][0] == (1, 7, ["Muligheter", "Risiko", "Tiltak"])
    assert copy.state == Workshop.State.DRAFT and copy.current_item is None
    assert copy.started_at is None and copy.seq == 0
    assert not Participant.objects.filter(workshop=copy).exists()
    assert not Note.objects.filter(workshop=copy).exists()
    assert not DotVote.objects.filter(workshop=copy).exists()
    rounds = [r for item in copy.items.all() for r in item.buzz_rounds.all()]
    assert {r.state for r in rounds} == {"ready"} and all(r.opened_at is None for r in rounds)
    assert all(item.actual_seconds == 0 for item in copy.items.all())


@pytest.mark.django_db
def test_the_console_runs_a_workshop_again_into_a_new_console(held_workshop, facilitator):
    client = Client()
    client.force_login(facilitator)
    page = client.get(f"/w/{held_workshop.join_code}/").content.decode()
    assert f"/w/{held_workshop.join_code}/again/" in page
    response = client.post(f"/w/{held_workshop.join_code}/again/")
    copy = Workshop.objects.exclude(pk=held_workshop.pk).get()
    assert response["Location"] == f"/w/{copy.join_code}/"
    assert copy.owner == facilitator
    assert client.get(response["Location"]).status_code == 200
    post = Client().post(f"/j/{copy.join_code}/", {"nickname": "Bo"})
    assert post.status_code == 302
