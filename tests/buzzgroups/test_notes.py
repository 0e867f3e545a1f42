"""Notes from the phones: saved once, checked, credited to the group."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from buzzgroups import services
from buzzgroups.models import Note
from sessions.models import BuzzRound, Event
from sessions.services import round_close

pytestmark = pytest.mark.django_db


def post(author, text="Rekruttering via LinkedIn", *, client_id=None, prompt=None, topic=None):
    buzz_round = BuzzRound.objects.get(state=BuzzRound.State.OPEN, item__workshop=author.workshop)
    prompt = prompt or buzz_round.prompts.first()
    return services.note_create(
        author=author,
        text=text,
        prompt_id=prompt.pk,
        topic_id=topic.pk if topic else None,
        client_id=client_id or uuid.uuid4(),
    )


def test_a_note_is_saved_in_the_open_round_and_credited_to_the_group(phones, open_first_round):
    ada = phones[0]
    note, created = post(ada, "  Rekruttering via LinkedIn  ")
    assert created
    assert note.text == "Rekruttering via LinkedIn"
    assert note.round == open_first_round
    assert note.group == ada.group
    assert note.byline == f"{ada.group.name} · Ada"


def test_without_a_nickname_the_note_shows_only_the_group(phones, open_first_round):
    note, _ = post(phones[1])
    assert note.byline == phones[1].group.name


def test_a_retry_with_the_same_client_id_never_makes_a_second_note(phones, open_first_round):
    client_id = uuid.uuid4()
    first, created = post(phones[0], client_id=client_id)
    again, created_again = post(phones[0], client_id=client_id)
    assert created and not created_again
    assert first.pk == again.pk
    assert Note.objects.count() == 1


def test_a_retry_is_answered_even_after_the_round_has_closed(phones, open_first_round):
    client_id = uuid.uuid4()
    note, _ = post(phones[0], client_id=client_id)
    round_close(buzz_round=open_first_round)
    again, created = services.note_create(
        author=phones[0], text="x", prompt_id=None, client_id=client_id
    )
    assert again.pk == note.pk and not created


def test_another_participant_cannot_claim_a_client_id(phones, open_first_round):
    client_id = uuid.uuid4()
    post(phones[0], client_id=client_id)
    with pytest.raises(services.NoteError):
        post(phones[1], client_id=client_id)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\u200b\u200b", "\n\t ", "a" * 501, "x" * 1_000_000, "nul\x00byte"],
    ids=["empty", "spaces", "zero-width", "whitespace", "501", "1MB", "NUL"],
)
def test_a_note_must_be_1_to_500_visible_characters(phones, open_first_round, text):
    with pytest.raises(services.NoteError):
        post(phones[0], text)
    assert Note.objects.count() == 0


def test_500_characters_is_fine(phones, open_first_round):
    note, _ = post(phones[0], "å" * 500)
    assert len(note.text) == 500


def test_no_note_when_no_round_is_open(phones, first_round):
    with override("en"), pytest.raises(services.NoteError, match="buzz round is closed"):
        services.note_create(author=phones[0], text="hei", prompt_id=None, client_id=uuid.uuid4())


def test_no_note_after_the_timer_has_run_out(phones, open_first_round):
    BuzzRound.objects.filter(pk=open_first_round.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    with override("en"), pytest.raises(services.NoteError, match="buzz round is closed"):
        post(phones[0])
    open_first_round.refresh_from_db()
    assert open_first_round.state == BuzzRound.State.CLOSED


def test_the_prompt_must_belong_to_the_open_round(workshop, phones, open_first_round):
    other_round_prompt = workshop.items.get(number=3).buzz_rounds.get().prompts.first()
    with override("en"), pytest.raises(services.NoteError, match="Choose what the note is about"):
        post(phones[0], prompt=other_round_prompt)


def test_a_topic_of_the_program_can_tag_a_note_but_not_one_of_another_workshop(
    workshop, phones, open_first_round, facilitator, demo_program
):
    from sessions.services import workshop_create

    topic = workshop.items.get(number=2).topics.get(name="Rekruttering")
    note, _ = post(phones[0], topic=topic)
    assert note.topic == topic
    foreign = (
        workshop_create(owner=facilitator, program=demo_program).items.get(number=2).topics.first()
    )
    with pytest.raises(services.NoteError):
        post(phones[0], topic=foreign)


def test_posting_faster_than_a_person_can_is_slowed(phones, open_first_round, settings):
    settings.SUMMA_NOTES_PER_MINUTE = 3
    for n in range(3):
        post(phones[0], f"innspill {n}")
    with pytest.raises(services.TooFast):
        post(phones[0], "ett til")
    assert Note.objects.count() == 3


def test_own_notes_can_be_edited_and_deleted_while_the_round_is_open(phones, open_first_round):
    note, _ = post(phones[0])
    services.note_edit(author=phones[0], note_id=note.pk, text="Bedre")
    note.refresh_from_db()
    assert note.text == "Bedre"
    services.note_delete(author=phones[0], note_id=note.pk)
    assert not Note.objects.filter(pk=note.pk).exists()


def test_nobody_edits_or_deletes_another_participants_note(phones, open_first_round):
    note, _ = post(phones[0])
    with pytest.raises(Note.DoesNotExist):
        services.note_edit(author=phones[1], note_id=note.pk, text="Kapret")
    with pytest.raises(Note.DoesNotExist):
        services.note_delete(author=phones[1], note_id=note.pk)
    note.refresh_from_db()
    assert note.text == "Rekruttering via LinkedIn"


def test_notes_are_frozen_once_the_round_closes(phones, open_first_round):
    note, _ = post(phones[0])
    round_close(buzz_round=open_first_round)
    with pytest.raises(services.NoteError):
        services.note_edit(author=phones[0], note_id=note.pk, text="For sent")
    with pytest.raises(services.NoteError):
        services.note_delete(author=phones[0], note_id=note.pk)


def test_hiding_keeps_the_note_and_marks_it(phones, open_first_round):
    note, _ = post(phones[0])
    services.note_hide(note=note)
    services.note_highlight(note=note)
    note.refresh_from_db()
    assert note.hidden and note.highlighted


def test_a_note_is_broadcast_to_its_group_with_the_next_sequence_number(
    workshop, phones, open_first_round
):
    before = Event.objects.filter(workshop=workshop).count()
    note, _ = post(phones[0])
    event = Event.objects.filter(workshop=workshop).latest("seq")
    assert Event.objects.filter(workshop=workshop).count() == before + 1
    assert (event.kind, event.audience, event.group_id, event.ref_id) == (
        "note.added",
        Event.Audience.GROUP,
        note.group_id,
        note.pk,
    )


@pytest.mark.django_db
def test_the_admin_shows_notes_and_changes_nothing_behind_the_screens(
    workshop, open_first_round, admin_client
):
    ada = services.participant_join(workshop=workshop, nickname="Ada")
    note, _ = services.note_create(
        author=ada,
        text="Vis fram ildsjelene",
        prompt_id=open_first_round.prompts.first().pk,
        client_id=uuid.uuid4(),
    )
    page = admin_client.get(f"/admin/buzzgroups/note/{note.pk}/change/")
    assert page.status_code == 200 and "Vis fram ildsjelene" in page.content.decode()
    admin_client.post(f"/admin/buzzgroups/note/{note.pk}/change/", {"text": "Endret i admin"})
    note.refresh_from_db()
    assert note.text == "Vis fram ildsjelene"
    for path in ("note/add/", f"note/{note.pk}/delete/", f"participant/{ada.pk}/delete/"):
        assert admin_client.get(f"/admin/buzzgroups/{path}").status_code == 403
