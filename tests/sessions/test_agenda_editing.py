"""Editing the agenda in the app: items, their text, order and buzz segments, live."""

from contextlib import contextmanager

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.utils import translation

from buzzgroups.models import Note
from buzzgroups.voting import vote_open
from sessions import agenda_services as agenda
from sessions.models import AgendaItem, Event
from sessions.program import parse_program
from sessions.program_export import program_text
from sessions.services import ShowError, membership_add, round_open, show_goto, show_start
from tests.hardening.conftest import communicator, join, post_note, receive_until, session_cookie


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@contextmanager
def refused(reason: str):
    """The change is refused for this reason (read in English, whatever a request left active)."""
    with translation.override("en"), pytest.raises(ShowError, match=reason):
        yield


def titles(workshop) -> list[tuple[int, str]]:
    return list(workshop.items.order_by("number").values_list("number", "title"))


def shows_changed(workshop) -> int:
    return Event.objects.filter(workshop=workshop, kind="show.changed").count()


@pytest.mark.django_db
def test_an_item_is_edited_with_the_program_formats_own_rules(workshop):
    item = workshop.items.get(number=2)
    before = shows_changed(workshop)
    agenda.item_update(
        item=item,
        title="  Kundedialog   i kanalene ",
        body="Vi ser på tre kanaler.\n\nOg hva kundene forventer",
        points="- Chat: svar innen en time\nFacebook\n• Telefon: som før",
        topics="Kunder. Hva forventer de?\nAnsatte. Hvem svarer?",
    )
    item.refresh_from_db()
    assert item.title == "Kundedialog i kanalene"
    assert item.body == ["Vi ser på tre kanaler.", "Og hva kundene forventer"]
    assert item.points == [
        {"label": "Chat", "text": "svar innen en time"},
        {"label": None, "text": "Facebook"},
        {"label": "Telefon", "text": "som før"},
    ]
    assert list(item.topics.values_list("name", "description")) == [
        ("Kunder", "Hva forventer de?"),
        ("Ansatte", "Hvem svarer?"),
    ]
    assert shows_changed(workshop) == before + 1
    # What the editor saves, the program text gives back.
    again = parse_program(program_text(workshop)).items[1]
    assert again.title == item.title and again.body == item.body
    assert [(p.label, p.text) for p in again.points] == [
        (p["label"], p["text"]) for p in item.points
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        ("title", "   ", "needs a title"),
        ("body", "Kunder. Dette er et tema", "reads as a topic"),
        ("body", "- et punkt", "reads as a point"),
        ("body", "3. Et punkt", "reads as an agenda item"),
        ("body", "Summegrupper", "buzz-group marker"),
        ("topics", "Ikke et tema", "is not 'Name. Description'"),
        ("title", "x" * 301, "at most 300"),
        ("body", "NUL\x00", "cannot be saved"),
    ],
)
def test_text_the_format_would_read_otherwise_is_refused_with_the_reason(
    workshop, field, text, reason
):
    item = workshop.items.get(number=2)
    fields = {"title": item.title, field: text}
    with refused(reason):
        agenda.item_update(item=item, **fields)
    assert AgendaItem.objects.get(pk=item.pk).title == item.title


@pytest.mark.django_db
def test_items_are_added_moved_and_deleted_and_numbered_without_gaps(workshop):
    first = titles(workshop)
    new = agenda.item_create(workshop=workshop, title="Oppsummering")
    assert new.number == 6
    agenda.item_move(item=new, to=1)
    assert titles(workshop)[0] == (1, "Oppsummering")
    assert [t for _n, t in titles(workshop)[1:]] == [t for _n, t in first]
    agenda.item_delete(item=workshop.items.get(number=1))
    assert titles(workshop) == first
    with pytest.raises(ShowError):
        agenda.item_move(item=workshop.items.get(number=1), to=99)


@pytest.mark.django_db
def test_an_item_or_segment_with_notes_is_kept_with_a_reason(workshop, first_round):
    round_open(buzz_round=first_round, minutes=5)
    phone = join(workshop, nickname="Ada")
    post_note(phone, workshop, "Viktig lapp", first_round.prompts.first())
    with refused("buzz groups are running"):
        agenda.segment_remove(buzz_round=first_round)
    show_goto(workshop=workshop, number=2)  # closes nothing, but the room has moved on
    first_round.refresh_from_db()
    from sessions.services import round_close

    round_close(buzz_round=first_round)
    with refused("notes"):
        agenda.segment_remove(buzz_round=first_round)
    with refused("notes or a dot vote"):
        agenda.item_delete(item=first_round.item)
    assert Note.objects.count() == 1
    assert first_round.item.buzz_rounds.count() == 1


@pytest.mark.django_db
def test_a_topic_with_dots_cannot_be_dropped_but_renamed(workshop):
    item = workshop.items.get(number=2)
    vote = vote_open(workshop=workshop, item=item)
    assert vote.pk
    from buzzgroups.services import participant_join
    from buzzgroups.voting import dots_set

    ada = participant_join(workshop=workshop, nickname="Ada")
    topic = item.topics.order_by("position").last()
    dots_set(vote=vote, participant=ada, option_id=topic.pk, delta=1)
    kept = "\n".join(f"{t.name}. {t.description}" for t in item.topics.order_by("position"))
    shorter = "\n".join(kept.splitlines()[:-1])
    with refused("has notes or dots"):
        agenda.item_update(item=item, title=item.title, topics=shorter)
    renamed = kept.rsplit("\n", 1)[0] + "\nNytt navn. Ny beskrivelse"
    agenda.item_update(item=item, title=item.title, topics=renamed)
    topic.refresh_from_db()
    assert topic.name == "Nytt navn"


@pytest.mark.django_db
def test_a_segment_is_added_edited_and_removed(workshop):
    item = workshop.items.get(number=2)
    buzz_round = agenda.segment_add(item=item, minutes=8)
    assert buzz_round.prompts.count() == 2
    with refused("already has"):
        agenda.segment_add(item=item)
    agenda.segment_update(buzz_round=buzz_round, prompts=["Gevinster", "", "Farer"], minutes=12)
    buzz_round.refresh_from_db()
    assert buzz_round.duration_minutes == 12
    assert list(buzz_round.prompts.values_list("title", flat=True)) == ["Gevinster", "Farer"]
    with pytest.raises(ShowError):
        agenda.segment_update(buzz_round=buzz_round, prompts=["x"], minutes=0)
    agenda.segment_remove(buzz_round=buzz_round)
    assert not item.buzz_rounds.exists()


@pytest.mark.django_db
def test_a_co_facilitator_edits_through_the_page_and_a_bad_line_is_explained(
    workshop, cofacilitator
):
    membership_add(workshop=workshop, username="siri", role="cofacilitator")
    client = Client()
    client.force_login(cofacilitator)
    client.cookies["django_language"] = "en"
    code = workshop.join_code
    item = workshop.items.get(number=2)
    page = client.get(f"/w/{code}/agenda/")
    assert page.status_code == 200
    assert item.title in page.content.decode()
    response = client.post(
        f"/w/{code}/agenda/{item.pk}/edit/",
        {"title": "Ny tittel", "body": "", "points": "", "topics": "", "minutes": "15"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    item.refresh_from_db()
    assert (item.title, item.planned_minutes, item.topics.count()) == ("Ny tittel", 15, 0)
    answer = client.post(
        f"/w/{code}/agenda/{item.pk}/edit/", {"title": "Ny", "body": "- punkt"}, follow=True
    )
    assert "reads as a point" in answer.content.decode()
    # A plan out of range: neither the text nor the plan is saved.
    answer = client.post(
        f"/w/{code}/agenda/{item.pk}/edit/", {"title": "Ny", "minutes": "9" * 30}, follow=True
    )
    assert answer.status_code == 200
    item.refresh_from_db()
    assert (item.title, item.planned_minutes) == ("Ny tittel", 15)
    client.post(f"/w/{code}/agenda/new/", {"title": "Kaffe"})
    client.post(f"/w/{code}/agenda/{item.pk}/move/", {"direction": "up"})
    assert titles(workshop)[0] == (1, "Ny tittel")
    assert titles(workshop)[-1] == (6, "Kaffe")
    bad = client.post(f"/w/{code}/agenda/{item.pk}/move/", {"direction": "sideways"}, follow=True)
    assert bad.status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_an_edit_during_the_workshop_reaches_the_phones_at_once(workshop):
    await sync_to_async(show_start)(workshop=workshop)
    await sync_to_async(show_goto)(workshop=workshop, number=2)
    phone = await sync_to_async(join)(workshop, nickname="Ada")
    comm = communicator(f"/ws/p/{workshop.join_code}/", session_cookie(phone))
    assert (await comm.connect())[0]
    item = await AgendaItem.objects.aget(workshop=workshop, number=2)
    await sync_to_async(agenda.item_update)(item=item, title="Endret mens vi holder på")
    frame = await receive_until(comm, "show.changed")
    assert "Endret mens vi holder på" in frame["html"]
    await comm.disconnect()


@pytest.mark.django_db
def test_the_admin_shows_the_agenda_and_changes_nothing(workshop, admin_client):
    item = workshop.items.get(number=1)
    assert admin_client.get(f"/admin/workshops/agendaitem/{item.pk}/change/").status_code == 200
    admin_client.post(f"/admin/workshops/agendaitem/{item.pk}/change/", {"title": "Admin"})
    item.refresh_from_db()
    assert item.title != "Admin"
    assert admin_client.get("/admin/workshops/agendaitem/add/").status_code == 403
