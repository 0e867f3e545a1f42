"""The one reading of a workshop that every summary format writes out.

``build_summary`` reads the small parts (agenda, groups, rounds, counts, ranking)
at once; the notes are read only while a format is written, in chunks, in the
order every format shows them: agenda item, buzz round, group, prompt, then
highlighted notes first and the rest as they were written.
"""

import unicodedata
from collections import Counter
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import attrgetter

from django.db.models import Count
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from buzzgroups import voting
from buzzgroups.models import BuzzGroup, Dot, DotVote, Note, Theme
from sessions.models import BuzzRound, Workshop

# Notes read from the database at a time, and the size of the chunks handed on.
NOTES_PER_QUERY_CHUNK = 500
CHUNK_CHARS = 64 * 1024
RANKING_SIZE = 10


@dataclass(frozen=True, slots=True)
class AgendaLine:
    number: int
    title: str
    planned_minutes: int | None
    actual_minutes: int


@dataclass(frozen=True, slots=True)
class GroupLine:
    number: int
    name: str
    participants: int
    notes: int


@dataclass(frozen=True, slots=True)
class RoundLine:
    id: int
    agenda_number: int
    heading: str
    notes: int


@dataclass(frozen=True, slots=True)
class NoteLine:
    id: int
    round_id: int
    group_id: int
    group: str
    agenda_number: int
    prompt_id: int
    prompt: str
    topic: str | None
    text: str
    votes: int
    hidden: bool
    highlighted: bool
    created_at: str  # ISO 8601 in the server's time zone
    rtl: bool  # written right to left (see ``is_rtl``)
    approved: bool = True  # false for a held note nobody approved
    theme_id: int | None = None
    theme: str | None = None  # the theme's title


@dataclass(frozen=True, slots=True)
class ThemeLine:
    """A theme of a round: its place, its title, its votes and the notes in it."""

    id: int
    round_id: int
    title: str
    order: int
    note_ids: tuple[int, ...]  # the notes the summary shows, in the order it shows them
    votes: int


@dataclass(frozen=True, slots=True)
class RankLine:
    rank: int
    note: NoteLine


@dataclass(frozen=True, slots=True)
class TopicRankLine:
    rank: int
    topic: str
    votes: int


@dataclass(frozen=True, slots=True)
class TopicRanking:
    """The topics of one agenda item (or the themes of a round), ranked by a dot vote."""

    agenda_number: int
    heading: str
    ranking: list[TopicRankLine]


@dataclass(frozen=True)
class Summary:
    workshop: Workshop
    include_hidden: bool
    title: str
    join_code: str
    language: str
    language_name: str
    date: date
    date_display: str
    agenda: list[AgendaLine]
    groups: list[GroupLine]
    rounds: list[RoundLine]
    ranking: list[RankLine]
    votes: dict[int, int]
    participants: int
    notes: int
    topic_rankings: list[TopicRanking] = field(default_factory=list)
    themes: list[ThemeLine] = field(default_factory=list)
    theme_rankings: list[TopicRanking] = field(default_factory=list)

    def themes_of(self, round_id: int) -> list[ThemeLine]:
        return [theme for theme in self.themes if theme.round_id == round_id]

    @property
    def theme_titles(self) -> dict[int, str]:
        return {theme.id: theme.title for theme in self.themes}


def vote_counts(workshop: Workshop) -> dict[int, int]:
    """Votes per note (note id -> votes): the dots of every dot vote on notes.

    The one place that counts the votes of notes; every format and the ranking follow.
    """
    dots = Dot.objects.filter(vote__workshop=workshop, note__isnull=False)
    return dict(dots.values_list("note_id").annotate(n=Count("id")).order_by())


def theme_vote_counts(workshop: Workshop) -> dict[int, int]:
    """Votes per theme (theme id -> votes): the dots of every dot vote on themes."""
    dots = Dot.objects.filter(vote__workshop=workshop, theme__isnull=False)
    return dict(dots.values_list("theme_id").annotate(n=Count("id")).order_by())


def _themes(workshop: Workshop, include_hidden: bool) -> list[ThemeLine]:
    """Every round's themes in their order, with the notes the summary shows in each."""
    votes = theme_vote_counts(workshop)
    members: dict[int, list[int]] = {}
    themed = _visible_notes(workshop, include_hidden).filter(theme__isnull=False)
    for theme_id, note_id in themed.order_by(*NOTE_ORDER).values_list("theme_id", "id"):
        members.setdefault(theme_id, []).append(note_id)
    themes = Theme.objects.filter(workshop=workshop).order_by(
        "round__item__number", "round__position", "round_id", "order", "id"
    )
    return [
        ThemeLine(
            id=theme.pk,
            round_id=theme.round_id,
            title=theme.title,
            order=theme.order,
            note_ids=tuple(members.get(theme.pk, ())),
            votes=votes.get(theme.pk, 0),
        )
        for theme in themes
    ]


def topic_rankings(workshop: Workshop) -> list[TopicRanking]:
    """Every dot vote on an agenda item's topics, ranked: most dots first, ties share a rank."""
    votes = DotVote.objects.filter(workshop=workshop, item__isnull=False).select_related("item")
    return [
        TopicRanking(
            agenda_number=vote.item.number,
            heading=_("Item %(number)s: %(title)s")
            % {"number": vote.item.number, "title": vote.item.title},
            ranking=[
                TopicRankLine(rank=option.rank, topic=option.label, votes=option.count)
                for option in voting.ranking(vote=vote)
            ],
        )
        for vote in votes.order_by("created_at", "id")
    ]


def theme_rankings(workshop: Workshop) -> list[TopicRanking]:
    """Every dot vote on a round's themes, ranked as the topics are."""
    votes = DotVote.objects.filter(workshop=workshop, on_themes=True).select_related("round__item")
    return [
        TopicRanking(
            agenda_number=vote.round.item.number,
            heading=_("Item %(number)s: %(title)s")
            % {"number": vote.round.item.number, "title": vote.round.item.title},
            ranking=[
                TopicRankLine(rank=option.rank, topic=option.label, votes=option.count)
                for option in voting.ranking(vote=vote)
            ],
        )
        for vote in votes.order_by("created_at", "id")
    ]


def build_summary(workshop: Workshop, *, include_hidden: bool = False) -> Summary:
    """The summary of a workshop, without its notes (``summary_notes`` reads those)."""
    notes = _visible_notes(workshop, include_hidden)
    notes_per_group = dict(notes.values_list("group_id").annotate(n=Count("id")).order_by())
    notes_per_round = dict(notes.values_list("round_id").annotate(n=Count("id")).order_by())
    votes = vote_counts(workshop)
    when = timezone.localdate(workshop.started_at or workshop.created_at)
    with translation.override(workshop.language):
        language_name = translation.get_language_info(workshop.language)["name_local"]
        date_display = formats.date_format(when, "DATE_FORMAT")
        rounds = _rounds(workshop, notes_per_round)
        topics = topic_rankings(workshop)
        ranked_themes = theme_rankings(workshop)
    groups = [
        GroupLine(
            number=group.number,
            name=group.name,
            participants=group.people,
            notes=notes_per_group.get(group.pk, 0),
        )
        for group in BuzzGroup.objects.filter(workshop=workshop)
        .annotate(people=Count("participants"))
        .order_by("number")
    ]
    return Summary(
        workshop=workshop,
        include_hidden=include_hidden,
        title=workshop.title,
        join_code=workshop.join_code,
        language=workshop.language,
        language_name=language_name,
        date=when,
        date_display=date_display,
        agenda=[
            AgendaLine(
                number=item.number,
                title=item.title,
                planned_minutes=item.planned_minutes,
                actual_minutes=round(workshop.seconds_on_item(item) / 60),
            )
            for item in workshop.items.order_by("number")
        ],
        groups=groups,
        rounds=rounds,
        ranking=_ranking(workshop, votes, include_hidden),
        votes=votes,
        participants=workshop.participants.count(),
        notes=sum(notes_per_group.values()),
        topic_rankings=topics,
        themes=_themes(workshop, include_hidden),
        theme_rankings=ranked_themes,
    )


def _visible_notes(workshop: Workshop, include_hidden: bool):
    notes = Note.objects.filter(workshop=workshop)
    return notes if include_hidden else notes.filter(hidden=False)


def _rounds(workshop: Workshop, notes_per_round: dict[int, int]) -> list[RoundLine]:
    """The buzz rounds that ran or hold notes, in agenda order."""
    rounds = list(
        BuzzRound.objects.filter(item__workshop=workshop)
        .select_related("item")
        .order_by("item__number", "position", "id")
    )
    per_item = Counter(buzz_round.item_id for buzz_round in rounds)
    lines = []
    for buzz_round in rounds:
        count = notes_per_round.get(buzz_round.pk, 0)
        if buzz_round.opened_at is None and not count:
            continue
        heading = f"{buzz_round.item.number}. {buzz_round.item.title}"
        if per_item[buzz_round.item_id] > 1:
            heading += f" · {_('buzz round')} {buzz_round.position + 1}"
        lines.append(
            RoundLine(
                id=buzz_round.pk,
                agenda_number=buzz_round.item.number,
                heading=heading,
                notes=count,
            )
        )
    return lines


# The order every format shows notes in (within a theme too).
NOTE_ORDER = (
    "round__item__number",
    "round__position",
    "round_id",
    "group__number",
    "group_id",
    "prompt__position",
    "prompt_id",
    "-highlighted",
    "created_at",
    "id",
)


def _note_rows(notes) -> Iterator[Note]:
    return (
        notes.select_related("group", "prompt", "topic", "round__item")
        .only(
            "id",
            "text",
            "created_at",
            "hidden",
            "highlighted",
            "approval",
            "round",
            "group",
            "prompt",
            "topic",
            "group__name",
            "prompt__title",
            "topic__name",
            "round__item__number",
            "theme",
        )
        .order_by(*NOTE_ORDER)
        .iterator(chunk_size=NOTES_PER_QUERY_CHUNK)
    )


def _line(note: Note, votes: dict[int, int], themes: dict[int, str] | None = None) -> NoteLine:
    return NoteLine(
        id=note.pk,
        round_id=note.round_id,
        group_id=note.group_id,
        group=note.group.name,
        agenda_number=note.round.item.number,
        prompt_id=note.prompt_id,
        prompt=note.prompt.title,
        topic=note.topic.name if note.topic_id else None,
        text=note.text,
        votes=votes.get(note.pk, 0),
        hidden=note.hidden,
        highlighted=note.highlighted,
        created_at=timezone.localtime(note.created_at).isoformat(),
        rtl=is_rtl(note.text),
        approved=not note.is_waiting,
        theme_id=note.theme_id,
        theme=(themes or {}).get(note.theme_id),
    )


def is_rtl(text: str) -> bool:
    """Whether the first letter with a direction reads right to left.

    The rule of HTML's dir="auto", which browsers follow but WeasyPrint does
    not: the page says it with a class as well, for the PDF.
    """
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction == "L":
            return False
        if direction in ("R", "AL"):
            return True
    return False


def summary_notes(summary: Summary) -> Iterator[NoteLine]:
    """Every note of the summary, in the order the formats show them, read in chunks."""
    titles = summary.theme_titles
    for note in _note_rows(_visible_notes(summary.workshop, summary.include_hidden)):
        yield _line(note, summary.votes, titles)


def theme_notes(summary: Summary, theme: ThemeLine) -> Iterator[NoteLine]:
    """The notes of one theme, in the order the formats show them."""
    notes = _visible_notes(summary.workshop, summary.include_hidden).filter(theme_id=theme.id)
    titles = summary.theme_titles
    for note in _note_rows(notes):
        yield _line(note, summary.votes, titles)


def rounds_with_themes(
    summary: Summary,
) -> Iterator[tuple[RoundLine, list[ThemeLine], int, Iterator[NoteLine]]]:
    """Each round with its themes, how many notes are in none, and those notes.

    The notes come as ``rounds_with_notes`` gives them, less those in a theme
    (``theme_notes`` reads a theme's notes); consume them before the next round.
    """
    for buzz_round, notes in rounds_with_notes(summary):
        themes = summary.themes_of(buzz_round.id)
        themed = sum(len(theme.note_ids) for theme in themes)
        loose = (note for note in notes if note.theme_id is None) if themes else notes
        yield buzz_round, themes, buzz_round.notes - themed, loose


def _ranking(workshop: Workshop, votes: dict[int, int], include_hidden: bool) -> list[RankLine]:
    """The notes with the most votes; equal votes share a rank (1, 2, 2, 4)."""
    ordered = [i for i, n in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])) if n > 0]
    found: list[NoteLine] = []
    for start in range(0, len(ordered), 100):
        batch = ordered[start : start + 100]
        notes = _visible_notes(workshop, include_hidden).filter(pk__in=batch)
        by_id = {note.pk: _line(note, votes) for note in _note_rows(notes)}
        found.extend(by_id[i] for i in batch if i in by_id)
        if len(found) >= RANKING_SIZE:
            break
    ranking: list[RankLine] = []
    for position, line in enumerate(found[:RANKING_SIZE], start=1):
        tied = ranking and ranking[-1].note.votes == line.votes
        ranking.append(RankLine(rank=ranking[-1].rank if tied else position, note=line))
    return ranking


def rounds_with_notes(summary: Summary) -> Iterator[tuple[RoundLine, Iterator[NoteLine]]]:
    """Each round of the summary with its notes (consume them before asking for the next)."""
    by_round = groupby(summary_notes(summary), key=attrgetter("round_id"))
    current = next(by_round, None)
    for buzz_round in summary.rounds:
        if current is not None and current[0] == buzz_round.id:
            yield buzz_round, current[1]
            current = next(by_round, None)
        else:
            yield buzz_round, iter(())


def by_group_and_prompt(
    notes: Iterable[NoteLine],
) -> Iterator[tuple[str, Iterator[tuple[str, Iterator[NoteLine]]]]]:
    """A round's notes as (group, ((prompt, notes), ...)), in the order they come."""
    for (_group_id, group), in_group in groupby(notes, key=attrgetter("group_id", "group")):
        yield group, _by_prompt(in_group)


def _by_prompt(notes: Iterable[NoteLine]) -> Iterator[tuple[str, Iterator[NoteLine]]]:
    for (_prompt_id, prompt), in_prompt in groupby(notes, key=attrgetter("prompt_id", "prompt")):
        yield prompt, in_prompt


def buffered(chunks: Iterable[str], size: int = CHUNK_CHARS) -> Generator[str, None, None]:
    """Small pieces joined into chunks of about ``size`` characters."""
    pending: list[str] = []
    length = 0
    for chunk in chunks:
        pending.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(pending)
            pending, length = [], 0
    if pending:
        yield "".join(pending)
