"""The run of the show: the facilitator moves through the agenda and runs buzz rounds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions import services
from sessions.models import BuzzRound, Event, Workshop

pytestmark = pytest.mark.django_db


def test_starting_makes_item_1_current_and_the_workshop_running(workshop):
    services.show_start(workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.state == Workshop.State.RUNNING
    assert workshop.current_item.number == 1
    assert workshop.started_at is not None


def test_next_and_back_move_one_item_and_stop_at_the_ends(workshop):
    services.show_start(workshop=workshop)
    services.show_next(workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.current_item.number == 2
    services.show_back(workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.current_item.number == 1
    with pytest.raises(services.ShowError):
        services.show_back(workshop=workshop)
    services.show_goto(workshop=workshop, number=5)
    workshop.refresh_from_db()
    with pytest.raises(services.ShowError):
        services.show_next(workshop=workshop)


def test_time_on_an_item_is_counted_while_it_is_current(workshop):
    services.show_start(workshop=workshop)
    Workshop.objects.filter(pk=workshop.pk).update(
        item_started_at=timezone.now() - timedelta(minutes=7)
    )
    workshop.refresh_from_db()
    services.show_next(workshop=workshop)
    item = workshop.items.get(number=1)
    assert 7 * 60 <= item.actual_seconds < 7 * 60 + 5


def test_opening_a_round_makes_its_item_current_and_starts_the_timer(workshop, first_round):
    services.round_open(buzz_round=first_round, minutes=12)
    first_round.refresh_from_db()
    workshop.refresh_from_db()
    assert first_round.state == BuzzRound.State.OPEN
    assert workshop.current_item_id == first_round.item_id
    assert 11 * 60 < first_round.seconds_left() <= 12 * 60


def test_a_round_lasts_from_1_to_180_minutes(first_round):
    for minutes in (0, 181, -3):
        with pytest.raises(services.ShowError):
            services.round_open(buzz_round=first_round, minutes=minutes)


def test_opening_a_round_closes_the_one_that_was_open(workshop, first_round):
    services.round_open(buzz_round=first_round, minutes=10)
    third = workshop.items.get(number=3).buzz_rounds.get()
    services.round_open(buzz_round=third, minutes=10)
    first_round.refresh_from_db()
    assert first_round.state == BuzzRound.State.CLOSED


def test_extending_adds_minutes_and_ending_closes(open_first_round):
    before = open_first_round.closes_at
    services.round_extend(buzz_round=open_first_round, minutes=5)
    open_first_round.refresh_from_db()
    assert open_first_round.closes_at - before >= timedelta(minutes=5) - timedelta(seconds=1)
    services.round_close(buzz_round=open_first_round)
    open_first_round.refresh_from_db()
    assert open_first_round.state == BuzzRound.State.CLOSED
    with pytest.raises(services.ShowError):
        services.round_extend(buzz_round=open_first_round, minutes=5)


def test_a_round_whose_time_is_up_closes_when_anyone_asks_and_not_before(open_first_round):
    assert not services.round_close_if_due(buzz_round=open_first_round)
    BuzzRound.objects.filter(pk=open_first_round.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    open_first_round.refresh_from_db()
    assert services.round_close_if_due(buzz_round=open_first_round)
    open_first_round.refresh_from_db()
    assert open_first_round.state == BuzzRound.State.CLOSED
    assert open_first_round.closed_at <= timezone.now()


def test_every_change_is_an_event_with_the_next_sequence_number(workshop, first_round):
    services.show_start(workshop=workshop)
    services.round_open(buzz_round=first_round, minutes=5)
    services.round_close(buzz_round=first_round)
    seqs = list(Event.objects.filter(workshop=workshop).values_list("seq", flat=True))
    assert seqs == [1, 2, 3]
    workshop.refresh_from_db()
    assert workshop.seq == 3


def test_broadcasts_go_out_only_after_the_transaction_commits(
    workshop, django_capture_on_commit_callbacks, monkeypatch
):
    from channels.layers import get_channel_layer

    from sessions.broadcast import wall_group

    layer = get_channel_layer()
    sent = []

    async def group_send(group, message):
        sent.append((group, message))

    monkeypatch.setattr(layer, "group_send", group_send)
    with django_capture_on_commit_callbacks(execute=True):
        services.show_start(workshop=workshop)
        assert sent == [], "a frame left before the transaction committed"
    walls = [message for group, message in sent if group == wall_group(workshop.pk)]
    assert len(walls) == 1 and '"show.changed"' in walls[0]["texts"]["nb"]


def test_ending_the_workshop_closes_the_open_round(workshop, open_first_round):
    services.workshop_end(workshop=workshop)
    workshop.refresh_from_db()
    open_first_round.refresh_from_db()
    assert workshop.state == Workshop.State.ENDED
    assert open_first_round.state == BuzzRound.State.CLOSED
    with pytest.raises(services.ShowError):
        services.show_next(workshop=workshop)


def test_prompts_can_be_renamed_and_added(first_round):
    services.prompts_set(buzz_round=first_round, titles=["Muligheter", "Risiko", "Spørsmål"])
    assert list(first_round.prompts.values_list("title", flat=True)) == [
        "Muligheter",
        "Risiko",
        "Spørsmål",
    ]
    with pytest.raises(services.ShowError):
        services.prompts_set(buzz_round=first_round, titles=["  "])
