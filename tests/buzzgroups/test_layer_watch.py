"""After Redis was away, every screen of the process gets its snapshot without asking."""

import uuid

import pytest
from channels.db import database_sync_to_async

from buzzgroups import layer_watch, services
from buzzgroups.layer_watch import RedisWatch
from sessions.models import BuzzRound
from tests.sockets import connect, frames, phone_cookie


def test_a_redis_that_answers_as_before_lost_nothing():
    watch = RedisWatch()
    assert not watch.seen("a")
    assert not watch.seen("a")


def test_a_redis_that_failed_to_answer_may_have_lost_frames():
    watch = RedisWatch()
    watch.seen("a")
    assert not watch.seen(None)  # still away: nobody could catch up yet
    assert watch.seen("a")
    assert not watch.seen("a")


def test_a_redis_that_restarted_between_two_looks_may_have_lost_frames():
    watch = RedisWatch()
    watch.seen("a")
    assert watch.seen("b")


@pytest.mark.django_db(transaction=True)
async def test_a_phone_gets_its_groups_notes_when_redis_comes_back(workshop, open_first_round):
    cookie, _client = await database_sync_to_async(phone_cookie)(workshop, "Ada")
    phone = await connect(f"/ws/p/{workshop.join_code}/", cookie)
    await frames(phone, timeout=0.3)

    @database_sync_to_async
    def note_frames_never_sent():
        # Saved while the channel layer was away: the phone heard nothing of it.
        from buzzgroups.models import Participant

        ada = Participant.objects.select_related("workshop").get(nickname="Ada")
        buzz_round = BuzzRound.objects.get(state=BuzzRound.State.OPEN, item__workshop=workshop)
        return services.note_create(
            author=ada,
            text="Mens Redis var borte",
            prompt_id=buzz_round.prompts.first().pk,
            client_id=uuid.uuid4(),
        )[0]

    note = await note_frames_never_sent()
    await frames(phone, timeout=0.3)  # its live frame (the test's layer was there)
    (screen,) = [
        s for s in layer_watch._screens if getattr(s, "participant_id", 0) == note.author_id
    ]
    screen.catch_up_unasked()

    snapshot, resumed = await frames(phone, until_type="resumed")
    assert snapshot["type"] == "snapshot" and note.pk in snapshot["data"]["note_ids"]
    assert resumed["type"] == "resumed" and resumed["upto"] == snapshot["seq"]
    await phone.disconnect()
    assert screen not in layer_watch._screens
