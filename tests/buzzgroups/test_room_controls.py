"""The facilitator's controls against a flood of phones: a cap on participants,
locking the room, and removing a participant with all their notes, live on every screen."""

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.test import Client

from buzzgroups import services
from buzzgroups.models import Note, Participant
from tests.hardening.conftest import (
    communicator,
    join,
    logged_in,
    post_note,
    receive_until,
    session_cookie,
)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def try_join(workshop, nickname: str = "", address: str = "10.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    return client, client.post(f"/j/{workshop.join_code}/", {"nickname": nickname})


def groups_page_post(facilitator, workshop, path: str, data: dict):
    return logged_in(facilitator).post(f"/w/{workshop.join_code}/{path}", data, follow=True)


@pytest.mark.django_db
def test_a_full_workshop_turns_new_phones_away_and_keeps_the_ones_in(
    workshop, open_first_round, facilitator
):
    groups_page_post(facilitator, workshop, "room/", {"cap": "2"})
    first = join(workshop, "Ada")
    join(workshop, "Bo")

    _client, third = try_join(workshop, "Cem")
    assert third.status_code == 403
    assert "full" in third.content.decode() or "full" in third.content.decode("utf-8").lower()
    assert Participant.objects.filter(workshop=workshop).count() == 2
    # Ada is in, and keeps writing.
    response = post_note(first, workshop, "Still here", open_first_round.prompts.first())
    assert response.status_code == 201


@pytest.mark.django_db
def test_a_locked_room_lets_no_new_phone_in_until_it_is_opened_again(
    workshop, open_first_round, facilitator
):
    ada = join(workshop, "Ada")
    groups_page_post(facilitator, workshop, "room/", {"locked": "1"})

    client, refused = try_join(workshop, "Bo")
    assert refused.status_code == 403
    assert client.get(f"/j/{workshop.join_code}/").status_code == 403
    assert Participant.objects.filter(workshop=workshop).count() == 1
    # Phones already in keep working.
    assert ada.get(f"/p/{workshop.join_code}/").status_code == 200
    prompt = open_first_round.prompts.first()
    assert post_note(ada, workshop, "Locked in", prompt).status_code == 201

    page = logged_in(facilitator).get(f"/w/{workshop.join_code}/groups/").content.decode()
    assert "Open the room" in page or "Åpne rommet" in page
    groups_page_post(facilitator, workshop, "room/", {"locked": "0"})
    assert try_join(workshop, "Bo")[1].status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("cap", ["0", "-5", "abc", "100001", "1" + "0" * 20])
def test_a_cap_out_of_range_is_refused_with_a_reason(workshop, facilitator, cap):
    before = workshop.participant_cap
    page = groups_page_post(facilitator, workshop, "room/", {"cap": cap})
    assert page.status_code == 200
    assert "message--error" in page.content.decode()
    workshop.refresh_from_db()
    assert workshop.participant_cap == before


def test_the_default_cap_is_generous(settings):
    assert settings.SUMMA_MAX_PARTICIPANTS >= 1000


@pytest.mark.django_db
def test_one_address_joining_beyond_its_rate_is_slowed_down_and_others_are_not(workshop, settings):
    settings.SUMMA_JOINS_PER_ADDRESS_PER_MINUTE = 3
    answers = [try_join(workshop, f"p{n}")[1].status_code for n in range(4)]
    assert answers == [302, 302, 302, 429]
    assert try_join(workshop, "elsewhere", address="10.0.0.2")[1].status_code == 302
    assert Participant.objects.filter(workshop=workshop).count() == 4


def test_the_default_join_rate_lets_a_room_of_1000_phones_behind_one_nat_in_within_two_minutes(
    settings,
):
    assert settings.SUMMA_JOINS_PER_ADDRESS_PER_MINUTE * 2 >= 1000


@pytest.mark.django_db
def test_the_service_refuses_a_join_into_a_locked_or_full_room(workshop):
    services.room_set(workshop=workshop, locked=True)
    with pytest.raises(services.JoinClosed):
        services.participant_join(workshop=workshop)
    services.room_set(workshop=workshop, locked=False, cap=1)
    services.participant_join(workshop=workshop)
    with pytest.raises(services.JoinClosed):
        services.participant_join(workshop=workshop)


def join_group_one(workshop, nickname: str) -> Client:
    client = Client()
    response = client.post(f"/j/{workshop.join_code}/1/", {"nickname": nickname})
    assert response.status_code == 302
    return client


@pytest.mark.django_db(transaction=True)
async def test_removing_a_participant_takes_their_notes_off_every_screen(
    workshop, open_first_round, facilitator
):
    prompt = await sync_to_async(open_first_round.prompts.first)()
    flooder = await sync_to_async(join_group_one)(workshop, "Flood")
    neighbour = await sync_to_async(join_group_one)(workshop, "Ada")  # hears the group's frames
    for n in range(3):
        await sync_to_async(post_note)(flooder, workshop, f"spam {n}", prompt)
    kept = await sync_to_async(post_note)(neighbour, workshop, "A real thought", prompt)
    spam_ids = await sync_to_async(
        lambda: set(Note.objects.filter(text__startswith="spam").values_list("pk", flat=True))
    )()
    flooder_id = await sync_to_async(
        lambda: Participant.objects.get(nickname="Flood", workshop=workshop).pk
    )()
    owner = await sync_to_async(logged_in)(facilitator)
    screens = {}
    for name, path, cookie in (
        ("wall", f"/ws/w/{workshop.join_code}/wall/", session_cookie(owner)),
        ("console", f"/ws/w/{workshop.join_code}/console/", session_cookie(owner)),
        ("phone", f"/ws/p/{workshop.join_code}/", session_cookie(neighbour)),
    ):
        screens[name] = communicator(path, cookie)
        assert (await screens[name].connect())[0]

    response = await sync_to_async(owner.post)(
        f"/w/{workshop.join_code}/participants/{flooder_id}/remove/"
    )
    assert response.status_code == 302

    for name, comm in screens.items():
        removed = set()
        while removed != spam_ids:
            frame = await receive_until(comm, "note.deleted")
            gone = frame["data"]["note"]["id"]
            assert {"id": f"note-{gone}", "remove": True} in frame["cards"]
            if name == "console":  # out of the feed of the newest notes too
                assert {"id": f"newest-note-{gone}", "remove": True} in frame["cards"]
            removed.add(frame["data"]["note"]["id"])
        if name != "phone":
            stage = await receive_until(comm, "wall.changed")
            assert "A real thought" in stage["html"]
            assert "spam" not in stage["html"]
        await comm.disconnect()
    assert await sync_to_async(Note.objects.filter(text__startswith="spam").count)() == 0
    assert kept.status_code == 201
    assert await sync_to_async(Note.objects.filter(text="A real thought").exists)()
    # The removed phone is out of the workshop: its page sends it to the join page.
    page = await sync_to_async(flooder.get)(f"/p/{workshop.join_code}/")
    assert page.status_code == 302 and f"/j/{workshop.join_code}/" in page["Location"]


@pytest.mark.django_db
def test_only_the_owner_removes_a_participant(workshop, other_facilitator):
    phone = join(workshop, "Ada")
    participant = Participant.objects.get(workshop=workshop)
    url = f"/w/{workshop.join_code}/participants/{participant.pk}/remove/"
    # Another facilitator gets the plain 404; a phone or nobody, the login page first.
    assert logged_in(other_facilitator).post(url).status_code == 404
    for client in (phone, Client()):
        response = client.post(url)
        assert (response.status_code, response["Location"]) == (
            302,
            f"/accounts/login/?next={url}",
        )
    assert Participant.objects.filter(pk=participant.pk).exists()
