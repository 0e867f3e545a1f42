"""What each screen shows: the phone, the wall and the console.

Plain query functions, used by the pages and by the live frames alike, so a
page and the push that updates it always agree.
"""

from dataclasses import dataclass, field

import segno
from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.safestring import mark_safe

from buzzgroups import presence, voting
from buzzgroups.models import BuzzGroup, Note, Participant
from sessions.models import AgendaItem, BuzzRound, Topic, Workshop
from sessions.services import current_round


def join_url(workshop: Workshop, request=None, group: BuzzGroup | None = None) -> str:
    path = reverse("buzzgroups:join", args=[workshop.join_code])
    if group is not None:
        path = reverse("buzzgroups:join_group", args=[workshop.join_code, group.number])
    if settings.PUBLIC_URL:
        return settings.PUBLIC_URL + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def qr_svg(url: str, *, scale: int = 6, title: str = "") -> str:
    """An inline SVG QR code; segno escapes the title, so the markup is safe."""
    svg = segno.make(url, error="m").svg_inline(
        scale=scale, dark="#000", light="#fff", title=title or None, border=2, omitsize=True
    )  # a viewBox instead of width/height, so the CSS can size it (wall, console, cards)
    return mark_safe(svg)  # noqa: S308 - segno's own markup, title escaped


def topics_for(workshop: Workshop, item: AgendaItem | None) -> list[Topic]:
    """Tags offered on notes: the item's own topics, else all of the program's."""
    if item is not None:
        own = list(item.topics.all())
        if own:
            return own
    return list(Topic.objects.filter(item__workshop=workshop).order_by("item__number", "position"))


def groups_with_counts(workshop: Workshop, buzz_round: BuzzRound | None = None):
    notes_filter = Q(notes__hidden=False) & ~Q(notes__approval=Note.Approval.WAITING)
    if buzz_round is not None:
        notes_filter &= Q(notes__round=buzz_round)
    return workshop.buzz_groups.annotate(
        people=Count("participants", distinct=True),
        note_count=Count("notes", filter=notes_filter, distinct=True),
    )


def visible_notes(
    buzz_round: BuzzRound,
    *,
    include_hidden: bool = False,
    own_of: Participant | None = None,
):
    """The round's notes the room sees: not hidden, and not waiting for approval.
    An author's phone (``own_of``) also sees their own hidden or held notes, which
    say so. The console sees them all."""
    notes = Note.objects.filter(round=buzz_round).select_related(
        "group", "author", "prompt", "topic"
    )
    if not include_hidden:
        seen = Q(hidden=False) & ~Q(approval=Note.Approval.WAITING)
        if own_of is not None:
            seen |= Q(author=own_of)
        notes = notes.filter(seen)
    return notes.order_by("created_at", "id")


def held_queue(workshop: Workshop):
    """Notes waiting for a facilitator's or moderator's approval, oldest first."""
    return (
        Note.objects.filter(workshop=workshop, approval=Note.Approval.WAITING, hidden=False)
        .select_related("workshop", "group", "author", "prompt", "topic")
        .order_by("created_at", "id")
    )


# How many of the newest notes the console shows above the groups.
NEWEST_NOTES = 4


@dataclass
class Column:
    key: str
    title: str
    notes: list[Note] = field(default_factory=list)
    group: BuzzGroup | None = None
    revealed: bool = True


def wall_columns(
    workshop: Workshop, buzz_round: BuzzRound | None, *, include_hidden: bool = False
) -> list[Column]:
    """The wall's columns: one per group (or per prompt), notes in the order written."""
    if buzz_round is None:
        return []
    notes = list(visible_notes(buzz_round, include_hidden=include_hidden))
    if workshop.wall_layout == Workshop.WallLayout.PROMPTS:
        columns = {p.pk: Column(key=f"p{p.pk}", title=p.title) for p in buzz_round.prompts.all()}
        for note in notes:
            columns.setdefault(
                note.prompt_id, Column(key=f"p{note.prompt_id}", title="")
            ).notes.append(note)
        return list(columns.values())
    revealed = workshop.wall_revealed_groups
    columns = {}
    for group in groups_with_counts(workshop, buzz_round):
        columns[group.pk] = Column(
            key=f"g{group.pk}",
            title=group.name,
            group=group,
            revealed=revealed is None or group.number <= revealed,
        )
    for note in notes:
        if note.group_id in columns:
            columns[note.group_id].notes.append(note)
    return list(columns.values())


def newest_notes(columns: list[Column], count: int = NEWEST_NOTES) -> list[Note]:
    """The round's newest notes across every column, newest first: the console's feed,
    so the facilitator sees what just came in from group 12 as well as from group 1."""
    notes = [note for column in columns for note in column.notes]
    return sorted(notes, key=lambda note: (note.created_at, note.pk), reverse=True)[:count]


def note_column_key(workshop: Workshop, note: Note) -> str:
    if workshop.wall_layout == Workshop.WallLayout.PROMPTS:
        return f"p{note.prompt_id}"
    return f"g{note.group_id}"


def phones_online(workshop: Workshop) -> int:
    return presence.count(workshop.pk)


def stage(workshop: Workshop) -> dict:
    """What the show is at: the current item, its round, and the round's prompts and tags."""
    item = workshop.current_item
    buzz_round = current_round(workshop)
    if buzz_round is not None:
        item = buzz_round.item
    return {
        "workshop": workshop,
        "item": item,
        "round": buzz_round,
        "prompts": list(buzz_round.prompts.all()) if buzz_round else [],
        "topics": topics_for(workshop, item) if buzz_round else [],
        **vote_stage(workshop),
    }


def vote_stage(workshop: Workshop) -> dict:
    """The dot vote the room is in (wall and phones), and the console's vote panel (lazy)."""
    vote = voting.current_vote(workshop)
    return {
        "vote": voting.Board(vote) if vote else None,
        "vote_setup": voting.VoteSetup(workshop),
    }


def phone_notes(participant: Participant, buzz_round: BuzzRound | None) -> list[Note]:
    """The group's notes in this round, newest first (one's own hidden ones say so)."""
    if buzz_round is None or participant.group_id is None:
        return []
    notes = list(
        visible_notes(buzz_round, own_of=participant)
        .filter(group_id=participant.group_id)
        .select_related("workshop")
        .order_by("-created_at", "-id")
    )
    for note in notes:
        note.mine = note.author_id == participant.pk
    return notes


def agenda(workshop: Workshop) -> list[AgendaItem]:
    items = list(
        workshop.items.prefetch_related(
            Prefetch("buzz_rounds", queryset=BuzzRound.objects.order_by("position"))
        )
    )
    for item in items:
        item.actual_minutes = round(workshop.seconds_on_item(item) / 60)
        item.is_current = item.pk == workshop.current_item_id
        over = item.actual_minutes - (item.planned_minutes or item.actual_minutes)
        item.drift_minutes = over if over > 0 else 0
    return items
