"""The console's feed of the newest notes: what just came in, from whichever group,
above the twelve groups' columns that do not fit a laptop's screen."""

import uuid

import pytest
from django.test import Client

from buzzgroups import screens, services
from buzzgroups.live import note_deleted_frame, note_frame
from sessions.broadcast import CONSOLE, PHONE, WALL
from sessions.models import Event


def write(person, text):
    buzz_round = person.workshop.items.get(number=1).buzz_rounds.get()
    return services.note_create(
        author=person, text=text, prompt_id=buzz_round.prompts.first().pk, client_id=uuid.uuid4()
    )[0]


@pytest.fixture
def twelve_groups(workshop, open_first_round):
    groups = services.groups_set_count(workshop=workshop, count=12)
    return [
        services.participant_join(workshop=workshop, nickname=f"Ada {g.number}", group=g)
        for g in groups
    ]


@pytest.mark.django_db
def test_the_feed_holds_the_four_newest_notes_of_any_group_newest_first(
    workshop, open_first_round, twelve_groups
):
    notes = [write(person, f"Innspill fra {person.group.name}") for person in twelve_groups]
    services.note_hide(note=notes[-1])  # the console still sees a hidden note, flagged
    columns = screens.wall_columns(workshop, open_first_round, include_hidden=True)
    assert screens.newest_notes(columns) == notes[:-5:-1]
    assert screens.newest_notes(columns, 2) == [notes[-1], notes[-2]]
    assert screens.newest_notes([]) == []


@pytest.mark.django_db
def test_the_console_page_shows_group_twelves_note_in_the_feed(
    client: Client, facilitator, workshop, open_first_round, twelve_groups
):
    for person in twelve_groups[:3]:
        write(person, f"Tidlig fra {person.group.name}")
    late = write(twelve_groups[-1], "Siste nytt fra gruppe 12")
    client.force_login(facilitator)
    page = client.get(f"/w/{workshop.join_code}/").content.decode()
    feed = page.split(f'id="newest-notes-r{open_first_round.pk}"')[1].split("</div>")[0]
    assert feed.index(f'id="newest-note-{late.pk}"') < feed.index("Tidlig fra")
    assert "Siste nytt fra gruppe 12" in feed and "Gruppe 12 · Ada 12" in feed
    assert f'href="#note-{late.pk}"' in feed


@pytest.mark.django_db
def test_a_new_note_goes_on_top_of_the_consoles_feed_and_a_change_redraws_it_in_place(
    workshop, open_first_round, twelve_groups
):
    note = write(twelve_groups[-1], "Nytt innspill")
    added = Event.objects.get(kind="note.added", ref_id=note.pk)
    (feed_card,) = [
        c for c in note_frame(added, CONSOLE).cards if c["id"] == f"newest-note-{note.pk}"
    ]
    assert feed_card["into"] == f"#newest-notes-r{open_first_round.pk}"
    assert (feed_card["where"], feed_card["keep"]) == ("afterbegin", screens.NEWEST_NOTES)
    assert "Nytt innspill" in feed_card["html"]
    for role in (WALL, PHONE):
        assert not any(c["id"].startswith("newest-") for c in note_frame(added, role).cards)

    services.note_highlight(note=note, highlighted=True)
    changed = Event.objects.get(kind="note.changed", ref_id=note.pk)
    (feed_card,) = [
        c for c in note_frame(changed, CONSOLE).cards if c["id"] == f"newest-note-{note.pk}"
    ]
    assert "into" not in feed_card  # an old note that changes does not jump to the top
    assert "note--highlight" in feed_card["html"]

    services.note_delete(author=note.author, note_id=note.pk)
    deleted = Event.objects.get(kind="note.deleted", ref_id=note.pk)
    assert {"id": f"newest-note-{note.pk}", "remove": True} in note_deleted_frame(
        deleted, CONSOLE
    ).cards
