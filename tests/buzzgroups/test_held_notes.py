"""Held notes: in a workshop that holds them, a note waits for a facilitator's or a
moderator's approval before the wall and the other phones see it."""

import csv
import io
import json
import uuid

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from buzzgroups import screens, services
from buzzgroups.models import Note, Participant
from buzzgroups.summary import build_summary, text_chunks
from sessions.models import Workshop
from sessions.services import membership_add, workshop_hold_notes
from tests.sockets import connect, facilitator_cookie, frames, phone_cookie, send


def post(participant, text):
    buzz_round = participant.workshop.items.get(number=1).buzz_rounds.get()
    return services.note_create(
        author=participant,
        text=text,
        prompt_id=buzz_round.prompts.first().pk,
        client_id=uuid.uuid4(),
    )[0]


@pytest.fixture
def holding(workshop, open_first_round):
    return workshop_hold_notes(workshop=workshop, hold=True)


@pytest.fixture
def ada_and_bo(workshop):
    ada = services.participant_join(workshop=workshop, nickname="Ada")
    bo = Participant.objects.create(workshop=workshop, group=ada.group, nickname="Bo")
    return ada, bo


@pytest.mark.django_db
def test_notes_go_straight_to_the_wall_unless_the_workshop_holds_them(
    workshop, open_first_round, ada_and_bo
):
    assert Workshop._meta.get_field("hold_notes").default is False
    ada, _bo = ada_and_bo
    note = post(ada, "Rett på veggen")
    assert note.approval == Note.Approval.NOT_HELD
    assert list(screens.visible_notes(open_first_round)) == [note]


@pytest.mark.django_db
def test_a_held_note_waits_unseen_by_the_wall_and_others_until_approved(
    holding, open_first_round, ada_and_bo
):
    ada, bo = ada_and_bo
    note = post(ada, "Må leses først")
    assert note.approval == Note.Approval.WAITING
    assert list(screens.visible_notes(open_first_round)) == []
    assert screens.phone_notes(bo, open_first_round) == []
    assert screens.phone_notes(ada, open_first_round) == [note]
    console = screens.wall_columns(holding, open_first_round, include_hidden=True)
    assert note in [n for column in console for n in column.notes]
    assert list(screens.held_queue(holding)) == [note]
    counts = {g.pk: g.note_count for g in screens.groups_with_counts(holding, open_first_round)}
    assert counts[ada.group_id] == 0

    services.note_approve(note=note)
    note.refresh_from_db()
    assert note.approval == Note.Approval.APPROVED
    assert list(screens.visible_notes(open_first_round)) == [note]
    assert screens.phone_notes(bo, open_first_round) == [note]
    assert list(screens.held_queue(holding)) == []


@pytest.mark.django_db
def test_the_author_sees_waiting_for_approval_on_their_phone(holding, open_first_round):
    client = Client()
    client.post(f"/j/{holding.join_code}/", {"nickname": "Ada"})
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/p/{holding.join_code}/notes/new/",
        {
            "text": "Venter",
            "prompt": open_first_round.prompts.first().pk,
            "client_id": str(uuid.uuid4()),
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 201
    assert "Waiting for approval" in response.json()["html"]
    assert "Waiting for approval" in client.get(f"/p/{holding.join_code}/").content.decode()


@pytest.mark.django_db
def test_an_approved_note_cannot_be_changed_behind_the_moderators_back(
    holding, open_first_round, ada_and_bo
):
    ada, _bo = ada_and_bo
    note = post(ada, "Godkjent tekst")
    services.note_approve(note=note)
    with pytest.raises(services.NoteError):
        services.note_edit(author=ada, note_id=note.pk, text="Noe helt annet")
    note.refresh_from_db()
    assert note.text == "Godkjent tekst"


@pytest.mark.django_db
def test_a_moderator_approves_and_hides_from_the_console(
    holding, open_first_round, ada_and_bo, moderator
):
    membership_add(workshop=holding, username="mona", role="moderator")
    ada, _bo = ada_and_bo
    first, second = post(ada, "Første"), post(ada, "Andre")
    client = Client()
    client.force_login(moderator)
    page = client.get(f"/w/{holding.join_code}/").content.decode()
    assert 'id="held-queue"' in page and f"queue-note-{first.pk}" in page
    client.post(f"/w/{holding.join_code}/notes/{first.pk}/approve/")
    client.post(f"/w/{holding.join_code}/notes/{second.pk}/hide/", {"hidden": "1"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.approval == Note.Approval.APPROVED
    assert second.hidden and second.approval == Note.Approval.WAITING
    assert list(screens.held_queue(holding)) == []


@pytest.mark.django_db
def test_the_owner_turns_holding_on_and_off_from_the_console(workshop, facilitator):
    client = Client()
    client.force_login(facilitator)
    client.post(f"/w/{workshop.join_code}/hold/", {"hold": "1"})
    workshop.refresh_from_db()
    assert workshop.hold_notes
    client.post(f"/w/{workshop.join_code}/hold/", {"hold": "0"})
    workshop.refresh_from_db()
    assert not workshop.hold_notes


@pytest.mark.django_db
def test_exports_mark_the_notes_that_were_never_approved(holding, open_first_round, ada_and_bo):
    ada, _bo = ada_and_bo
    waiting = post(ada, "Aldri godkjent")
    services.note_approve(note=post(ada, "Godkjent"))
    summary = build_summary(holding)
    rows = list(csv.DictReader(io.StringIO("".join(text_chunks(summary, "csv")))))
    assert {row["text"]: row["approved"] for row in rows} == {
        "Aldri godkjent": "false",
        "Godkjent": "true",
    }
    data = json.loads("".join(text_chunks(build_summary(holding), "json")))
    notes = data["notes"]
    assert {n["id"]: n["approved"] for n in notes}[waiting.pk] is False
    markdown = "".join(text_chunks(build_summary(holding), "md"))
    assert "Aldri godkjent — (ikke godkjent)" in markdown or "(not approved)" in markdown


@pytest.mark.django_db(transaction=True)
async def test_approving_is_live_on_the_wall_and_the_other_phones(
    workshop, facilitator, open_first_round
):
    await database_sync_to_async(workshop_hold_notes)(workshop=workshop, hold=True)
    fac = await database_sync_to_async(facilitator_cookie)(facilitator)
    ada_cookie, _ = await database_sync_to_async(phone_cookie)(workshop, "Ada")
    bo_cookie, _ = await database_sync_to_async(phone_cookie)(workshop, "Bo")
    ada = await Participant.objects.select_related("workshop", "group").aget(nickname="Ada")
    bo = await Participant.objects.aget(nickname="Bo")
    if bo.group_id != ada.group_id:
        await database_sync_to_async(services.participant_move)(participant=bo, group=ada.group)
    wall = await connect(f"/ws/w/{workshop.join_code}/wall/", fac)
    console = await connect(f"/ws/w/{workshop.join_code}/console/", fac)
    bo_phone = await connect(f"/ws/p/{workshop.join_code}/", bo_cookie)
    # As a phone does on open: Bo was moved after he joined, and finds his group here.
    await send(bo_phone, {"type": "resume", "after": 0})
    for socket in (wall, console, bo_phone):
        await frames(socket, timeout=0.3)

    note = await database_sync_to_async(post)(ada, "Sjekk meg")
    wall_cards = [c for f in await frames(wall, timeout=0.5) for c in f["cards"]]
    assert {"id": f"note-{note.pk}", "remove": True} in wall_cards
    phone_cards = [c for f in await frames(bo_phone, timeout=0.5) for c in f["cards"]]
    assert not any(c.get("html") for c in phone_cards)
    console_cards = [c for f in await frames(console, timeout=0.5) for c in f["cards"]]
    assert any(c["id"] == f"queue-note-{note.pk}" and c.get("html") for c in console_cards)

    await send(console, {"type": "note.approve", "note": note.pk})
    assert any(f["type"] == "done" for f in await frames(console, timeout=0.5))
    wall_cards = [c for f in await frames(wall, timeout=0.5) for c in f["cards"]]
    assert any(
        c["id"] == f"note-{note.pk}" and "Sjekk meg" in c.get("html", "") for c in wall_cards
    )
    phone_cards = [c for f in await frames(bo_phone, timeout=0.5) for c in f["cards"]]
    assert any(c["id"] == f"note-{note.pk}" and c.get("html") for c in phone_cards)
    for socket in (wall, console, bo_phone):
        await socket.disconnect()


@pytest.mark.django_db
def test_hiding_a_held_note_tells_its_authors_phone_it_was_hidden(holding, ada_and_bo):
    from buzzgroups.live import note_frame
    from sessions.broadcast import PHONE, WALL
    from sessions.models import Event

    ada, _bo = ada_and_bo
    note = post(ada, "Skjules mens den venter")
    added = Event.objects.filter(kind="note.added", ref_id=note.pk).get()
    assert note_frame(added, PHONE).cards is None
    services.note_hide(note=note)
    hidden = Event.objects.filter(kind="note.changed", ref_id=note.pk).get()
    # Its author's phone says it was hidden (without the text in what the group hears).
    (card,) = note_frame(hidden, PHONE).cards
    assert card["id"] == f"note-{note.pk}" and "into" not in card
    assert "note--hidden" in card["html"] and note.text not in card["html"]
    assert {"id": f"note-{note.pk}", "remove": True} in note_frame(hidden, WALL).cards
