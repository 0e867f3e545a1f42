"""Query budgets on the hot paths: what one tap costs the database, frames included.

The frames of an event are rendered after its transaction commits, once for all
roles and languages; these budgets count them too (the phone page's budget is
in test_phone_views.py, the catch-up's in test_catch_up.py).
"""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from buzzgroups import voting
from sessions import services as show

pytestmark = pytest.mark.django_db

NOTE_POST = 20
SHOW_CHANGE = 25  # the round stays: the stage without its notes (test_stage_frames.py)
DOT_TAP = 26  # was 45: the vote and its counts are loaded once per event (vote_live.py)


@pytest.fixture
def ada(workshop):
    phone = Client()
    phone.post(f"/j/{workshop.join_code}/", {"nickname": "Ada"})
    return phone


def note(phone, workshop, buzz_round, text):
    return phone.post(
        f"/p/{workshop.join_code}/notes/new/",
        {"text": text, "prompt": buzz_round.prompts.first().pk, "client_id": str(uuid.uuid4())},
        headers={"Accept": "application/json"},
    )


@pytest.fixture
def counted(django_capture_on_commit_callbacks):
    """Count the queries of a block and of the frames it sends after commit."""

    class Count:
        def __enter__(self):
            self.queries = CaptureQueriesContext(connection).__enter__()
            self.callbacks = django_capture_on_commit_callbacks(execute=True)
            self.callbacks.__enter__()
            return self

        def __exit__(self, *exc):
            self.callbacks.__exit__(*exc)
            self.queries.__exit__(*exc)
            self.total = len(self.queries)

    return Count


@pytest.mark.parametrize("earlier", [0, 30])
def test_a_note_post_costs_the_same_however_many_notes_came_before(
    ada, workshop, open_first_round, earlier, counted, settings
):
    settings.SUMMA_NOTES_PER_MINUTE = 100
    for n in range(earlier):
        note(ada, workshop, open_first_round, f"Før {n}")
    with counted() as cost:
        assert note(ada, workshop, open_first_round, "Denne").status_code == 201
    assert cost.total <= NOTE_POST


def test_moving_the_show_costs_a_fixed_budget(workshop, open_first_round, counted):
    with counted() as cost:
        show.show_next(workshop=workshop)
    assert cost.total <= SHOW_CHANGE


def test_a_dot_costs_a_fixed_budget(ada, workshop, open_first_round, counted):
    note(ada, workshop, open_first_round, "Stem på meg")
    show.round_close(buzz_round=open_first_round)
    vote = voting.vote_open(
        workshop=workshop, buzz_round=open_first_round, dots=3, max_per_option=3
    )
    option = voting.Board(vote).options[0]
    option_id = option["id"] if isinstance(option, dict) else option.id
    with counted() as cost:
        answer = ada.post(
            f"/p/{workshop.join_code}/votes/{vote.pk}/dots/",
            {"option": option_id, "delta": "1"},
            headers={"HX-Request": "true"},
        )
    assert answer.status_code == 200
    assert cost.total <= DOT_TAP
