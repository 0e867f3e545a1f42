"""Every write to notes (written, edited, deleted, hidden, approved, highlighted) and the broadcast that follows."""

import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buzzgroups.models import (
    NOTE_MAX_LENGTH,
    Note,
    Participant,
)
from sessions import broadcast
from sessions.models import BuzzRound, Event, Topic, Workshop
from sessions.numbers import MAX_ID, NumberError, whole_number
from sessions.services import lock_open_round, open_round_closing_overdue

# Characters that take no room on screen: a note of only these is empty.
INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2028-\u202f\u2060-\u2064\ufeff\u00ad]+")


class NoteError(ValueError):
    """A note that cannot be saved, with the reason to show the participant."""


class TooFast(NoteError):
    """More notes in a minute than a person writes."""


def clean_note_text(text: str) -> str:
    """The note as it is saved: trimmed, checked, otherwise exactly as written."""
    if not isinstance(text, str):
        raise NoteError(_("Write the note as text."))
    if "\x00" in text:
        raise NoteError(_("The note holds a character that cannot be saved (NUL)."))
    text = text.strip()
    if not INVISIBLE.sub("", text):
        raise NoteError(_("Write something before you send the note."))
    if len(text) > NOTE_MAX_LENGTH:
        raise NoteError(
            _("A note can be at most %(max)s characters; this one has %(count)s.")
            % {"max": NOTE_MAX_LENGTH, "count": len(text)}
        )
    return text


def parse_client_id(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise NoteError(_("The note came without a valid id; reload the page.")) from None


def _own_existing(workshop: Workshop, author: Participant, client_id: uuid.UUID) -> Note | None:
    note = Note.objects.filter(workshop=workshop, client_id=client_id).first()
    if note is None:
        return None
    if note.author_id != author.pk:
        raise NoteError(_("The note came without a valid id; reload the page."))
    return note


def note_create(
    *,
    author: Participant,
    text: str,
    prompt_id: int | str | None,
    client_id,
    topic_id: int | str | None = None,
) -> tuple[Note, bool]:
    """Save a note in the open round; a retry with the same client id returns the first one.

    Returns ``(note, created)``.
    """
    client_id = parse_client_id(client_id)
    workshop = author.workshop
    existing = _own_existing(workshop, author, client_id)
    if existing is not None:
        return existing, False
    text = clean_note_text(text)
    buzz_round = open_round_closing_overdue(workshop)
    if buzz_round is None:
        raise NoteError(_("The buzz round is closed; notes can no longer be sent."))
    prompt = _prompt_of(buzz_round, prompt_id)
    topic = _topic_of(workshop, topic_id)
    if author.group_id is None:
        raise NoteError(_("You are not in a group yet; reload the page."))
    try:
        with transaction.atomic():
            # Under the round's lock: closing the round waits for this note, or
            # this note sees the round closed. The same for the per-minute count.
            if lock_open_round(buzz_round) is None:
                raise NoteError(_("The buzz round is closed; notes can no longer be sent."))
            recent = Note.objects.filter(
                author=author, created_at__gte=timezone.now() - timedelta(minutes=1)
            ).count()
            if recent >= settings.SUMMA_NOTES_PER_MINUTE:
                raise TooFast(
                    _("You are writing faster than anyone can. Wait a moment and try again.")
                )
            note = Note.objects.create(
                workshop=workshop,
                round=buzz_round,
                prompt=prompt,
                topic=topic,
                group_id=author.group_id,
                author=author,
                text=text,
                client_id=client_id,
                approval=Note.Approval.WAITING if workshop.hold_notes else Note.Approval.NOT_HELD,
            )
            _publish_note(note, Event.Kind.NOTE_ADDED)
    except IntegrityError:
        # The same note, posted twice at once: the other post saved it.
        existing = _own_existing(workshop, author, client_id)
        if existing is None:
            raise
        return existing, False
    return note, True


def _prompt_of(buzz_round: BuzzRound, prompt_id):
    try:
        return buzz_round.prompts.get(pk=whole_number(prompt_id, low=1, high=MAX_ID, what="prompt"))
    except (NumberError, buzz_round.prompts.model.DoesNotExist):
        raise NoteError(_("Choose what the note is about.")) from None


def _topic_of(workshop: Workshop, topic_id) -> Topic | None:
    if topic_id in (None, ""):
        return None
    try:
        pk = whole_number(topic_id, low=1, high=MAX_ID, what="topic")
        return Topic.objects.get(pk=pk, item__workshop=workshop)
    except (NumberError, Topic.DoesNotExist):
        raise NoteError(_("That topic is not part of this workshop.")) from None


def _publish_note(note: Note, kind: str) -> None:
    broadcast.publish(
        note.workshop,
        kind,
        audience=Event.Audience.GROUP,
        group_id=note.group_id,
        ref_id=note.pk,
    )
    if note.theme_id is not None:
        # The theme's counts (on the wall's theme cards) change with the note.
        broadcast.publish(
            note.workshop,
            Event.Kind.THEMES_CHANGED,
            audience=Event.Audience.SCREENS,
            ref_id=note.round_id,
        )


def _own_note_in_open_round(author: Participant, note_id) -> Note:
    note = Note.objects.filter(pk=note_id, author=author, workshop=author.workshop).first()
    if note is None:
        raise Note.DoesNotExist
    buzz_round = open_round_closing_overdue(author.workshop)
    if buzz_round is None or buzz_round.pk != note.round_id:
        raise NoteError(_("The buzz round is closed; notes can no longer be changed."))
    return note


@transaction.atomic
def note_edit(*, author: Participant, note_id: int, text: str) -> Note:
    """Change one's own note while its round is open."""
    note = _own_note_in_open_round(author, note_id)
    if note.approval == Note.Approval.APPROVED:
        # What a moderator approved is what the room sees.
        raise NoteError(_("This note is approved and on the wall; it can no longer be changed."))
    note.text = clean_note_text(text)
    note.save(update_fields=["text", "updated_at"])
    _publish_note(note, Event.Kind.NOTE_CHANGED)
    return note


@transaction.atomic
def note_delete(*, author: Participant, note_id: int) -> None:
    """Take back one's own note while its round is open."""
    note = _own_note_in_open_round(author, note_id)
    note_pk = note.pk
    group_id = note.group_id
    themed = note.theme_id is not None
    note.delete()
    broadcast.publish(
        author.workshop,
        Event.Kind.NOTE_DELETED,
        audience=Event.Audience.GROUP,
        group_id=group_id,
        ref_id=note_pk,
    )
    if themed:
        broadcast.publish(
            author.workshop,
            Event.Kind.THEMES_CHANGED,
            audience=Event.Audience.SCREENS,
            ref_id=note.round_id,
        )


@transaction.atomic
def note_hide(*, note: Note, hidden: bool = True) -> Note:
    """Moderation: a hidden note leaves the wall and the phones, and stays in the data."""
    note.hidden = hidden
    note.save(update_fields=["hidden", "updated_at"])
    _publish_note(note, Event.Kind.NOTE_CHANGED)
    return note


@transaction.atomic
def note_approve(*, note: Note) -> Note:
    """Moderation of held notes: the note reaches the wall and the group's phones."""
    note = Note.objects.select_for_update().select_related("workshop").get(pk=note.pk)
    if note.approval != Note.Approval.WAITING:
        return note
    note.approval = Note.Approval.APPROVED
    note.save(update_fields=["approval", "updated_at"])
    _publish_note(note, Event.Kind.NOTE_CHANGED)
    return note


@transaction.atomic
def note_highlight(*, note: Note, highlighted: bool = True) -> Note:
    note.highlighted = highlighted
    note.save(update_fields=["highlighted", "updated_at"])
    _publish_note(note, Event.Kind.NOTE_CHANGED)
    return note
