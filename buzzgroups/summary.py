"""The session summary: everything the room produced, read from the database and
written out as Markdown, CSV, JSON, a printable HTML page or a PDF.

``build_summary`` reads the small parts (agenda, groups, rounds, counts, ranking)
at once; the notes are read only while a format is written, in chunks, in the
order every format shows them: agenda item, buzz round, group, prompt, then
highlighted notes first and the rest as they were written. Each text format is
a generator of ``str`` chunks, so a workshop with 10,000 notes is never in
memory as a whole. The PDF is the exception: WeasyPrint lays out the whole
document, so it is built from the same HTML chunks in one go.

Labels follow the workshop's language, not the reader's: the summary is sent
on to the people who were in the room.
"""

import csv
import json
import threading
import unicodedata
from collections import Counter
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import attrgetter

from django.contrib.staticfiles import finders
from django.db.models import Count
from django.template.loader import get_template
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buzzgroups import voting
from buzzgroups.models import BuzzGroup, Dot, DotVote, Note
from sessions.models import BuzzRound, Workshop

FORMATS = ("md", "csv", "json", "html", "pdf")
CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
CSV_COLUMNS = (
    "id",
    "group",
    "agenda_number",
    "prompt",
    "topic",
    "text",
    "votes",
    "hidden",
    "highlighted",
    "created_at",
    "approved",
)
# Notes read from the database at a time, and the size of the chunks handed on.
NOTES_PER_QUERY_CHUNK = 500
CHUNK_CHARS = 64 * 1024
RANKING_SIZE = 10
TEMPLATE = "buzzgroups/summary.html"
STYLESHEET = "summa/summary.css"

# A spreadsheet reads a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    approved: bool  # false for a held note nobody approved
    rtl: bool  # written right to left (see ``is_rtl``)


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
    """The topics of one agenda item, ranked by a dot vote of the room."""

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


def vote_counts(workshop: Workshop) -> dict[int, int]:
    """Votes per note (note id -> votes): the dots of every dot vote on notes.

    The one place that counts the votes of notes; every format and the ranking follow.
    """
    dots = Dot.objects.filter(vote__workshop=workshop, note__isnull=False)
    return dict(dots.values_list("note_id").annotate(n=Count("id")).order_by())


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
        )
        .order_by(
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
        .iterator(chunk_size=NOTES_PER_QUERY_CHUNK)
    )


def _line(note: Note, votes: dict[int, int]) -> NoteLine:
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
        approved=not note.is_waiting,
        rtl=is_rtl(note.text),
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
    for note in _note_rows(_visible_notes(summary.workshop, summary.include_hidden)):
        yield _line(note, summary.votes)


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


# --- Markdown -----------------------------------------------------------------


def _labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            "date": _("Date"),
            "language": _("Language"),
            "join_code": _("Join code"),
            "agenda": _("Agenda"),
            "item": _("Item"),
            "planned": _("Planned"),
            "actual": _("Actual"),
            "minutes": _("min"),
            "groups": _("Groups"),
            "group": _("Group"),
            "participants": _("Participants"),
            "notes": _("Notes"),
            "total": _("Total"),
            "no_notes": _("No notes."),
            "hidden": _("hidden"),
            "not_approved": _("not approved"),
            "ranking": _("Ranking"),
            "topic_ranking": _("Ranking of topics"),
            "votes": ngettext("%(count)s vote", "%(count)s votes", 1),
            "votes_plural": ngettext("%(count)s vote", "%(count)s votes", 2),
        }


def _votes_label(labels: dict[str, str], count: int) -> str:
    return (labels["votes"] if count == 1 else labels["votes_plural"]) % {"count": count}


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a pipe or a line break would end the cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _minutes(value: int | None, labels: dict[str, str]) -> str:
    return "–" if value is None else f"{value} {labels['minutes']}"


def markdown_chunks(summary: Summary) -> Iterator[str]:
    """The summary as Markdown, to paste into an e-mail or a wiki."""
    labels = _labels(summary.language)
    yield f"# {summary.title}\n\n"
    yield (
        f"{labels['date']}: {summary.date_display} · {labels['language']}: "
        f"{summary.language_name} · {labels['join_code']}: {summary.join_code}\n\n"
    )
    yield f"## {labels['agenda']}\n\n"
    yield f"| # | {labels['item']} | {labels['planned']} | {labels['actual']} |\n"
    yield "|---:|---|---:|---:|\n"
    for item in summary.agenda:
        yield (
            f"| {item.number} | {_cell(item.title)} | {_minutes(item.planned_minutes, labels)} "
            f"| {_minutes(item.actual_minutes, labels)} |\n"
        )
    yield f"\n## {labels['groups']}\n\n"
    yield f"| {labels['group']} | {labels['participants']} | {labels['notes']} |\n"
    yield "|---|---:|---:|\n"
    for group in summary.groups:
        yield f"| {_cell(group.name)} | {group.participants} | {group.notes} |\n"
    yield f"| **{labels['total']}** | {summary.participants} | {summary.notes} |\n"
    for buzz_round, notes in rounds_with_notes(summary):
        yield f"\n## {buzz_round.heading}\n"
        if not buzz_round.notes:
            yield f"\n{labels['no_notes']}\n"
            continue
        for group, prompts in by_group_and_prompt(notes):
            yield f"\n### {group}\n"
            for prompt, prompt_notes in prompts:
                yield f"\n**{prompt}**\n\n"
                for note in prompt_notes:
                    yield _markdown_note(note, labels)
    if summary.ranking:
        yield f"\n## {labels['ranking']}\n\n"
        for line in summary.ranking:
            text = line.note.text.replace("\n", " ")
            votes = _votes_label(labels, line.note.votes)
            yield f"{line.rank}. {text} — {line.note.group} — {votes}\n"
    for topics in summary.topic_rankings:
        yield f"\n## {labels['topic_ranking']}: {topics.heading}\n\n"
        for line in topics.ranking:
            yield f"{line.rank}. {line.topic} — {_votes_label(labels, line.votes)}\n"


def _markdown_note(note: NoteLine, labels: dict[str, str]) -> str:
    star = "★ " if note.highlighted else ""
    # Lines after the first stay inside the list item; two spaces keep the line break.
    text = "  \n  ".join(note.text.splitlines())
    extra = []
    if note.topic:
        extra.append(f"_{note.topic}_")
    if note.votes:
        extra.append(_votes_label(labels, note.votes))
    if note.hidden:
        extra.append(f"({labels['hidden']})")
    if not note.approved:
        extra.append(f"({labels['not_approved']})")
    return f"- {star}{text}" + (f" — {' · '.join(extra)}" if extra else "") + "\n"


# --- CSV ----------------------------------------------------------------------


def neutralise(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (OWASP's advice)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _Line:
    """A file for csv.writer that hands each row back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def csv_rows(summary: Summary) -> Iterator[list]:
    """The header, then one row per note."""
    yield list(CSV_COLUMNS)
    for note in summary_notes(summary):
        yield [
            note.id,
            neutralise(note.group),
            note.agenda_number,
            neutralise(note.prompt),
            neutralise(note.topic or ""),
            neutralise(note.text),
            note.votes,
            "true" if note.hidden else "false",
            "true" if note.highlighted else "false",
            note.created_at,
            "true" if note.approved else "false",
        ]


def csv_chunks(summary: Summary) -> Iterator[str]:
    """The CSV text, with a byte-order mark so that Excel reads it as UTF-8."""
    writer = csv.writer(_Line())
    yield "\ufeff"
    for row in csv_rows(summary):
        yield writer.writerow(row)


# --- JSON ---------------------------------------------------------------------


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_chunks(summary: Summary) -> Iterator[str]:
    """The JSON document of docs/export.md, written a note at a time."""
    workshop = {
        "title": summary.title,
        "join_code": summary.join_code,
        "language": summary.language,
        "date": summary.date.isoformat(),
    }
    agenda = [
        {
            "number": item.number,
            "title": item.title,
            "planned_minutes": item.planned_minutes,
            "actual_minutes": item.actual_minutes,
        }
        for item in summary.agenda
    ]
    groups = [
        {"name": group.name, "participants": group.participants, "notes": group.notes}
        for group in summary.groups
    ]
    yield f'{{"workshop": {_json(workshop)},\n"agenda": {_json(agenda)},\n'
    yield f'"groups": {_json(groups)},\n"notes": ['
    separator = "\n"
    for note in summary_notes(summary):
        yield separator + _json(_json_note(note))
        separator = ",\n"
    ranking = [
        {
            "rank": line.rank,
            "id": line.note.id,
            "group": line.note.group,
            "text": line.note.text,
            "votes": line.note.votes,
        }
        for line in summary.ranking
    ]
    topics = [
        {
            "agenda_number": topics.agenda_number,
            "heading": topics.heading,
            "ranking": [
                {"rank": line.rank, "topic": line.topic, "votes": line.votes}
                for line in topics.ranking
            ],
        }
        for topics in summary.topic_rankings
    ]
    yield f'\n],\n"ranking": {_json(ranking)},\n"topic_rankings": {_json(topics)}}}\n'


def _json_note(note: NoteLine) -> dict:
    return {
        "id": note.id,
        "group": note.group,
        "agenda_number": note.agenda_number,
        "prompt": note.prompt,
        "topic": note.topic,
        "text": note.text,
        "votes": note.votes,
        "hidden": note.hidden,
        "highlighted": note.highlighted,
        "created_at": note.created_at,
        "approved": note.approved,
    }


# --- HTML and PDF -------------------------------------------------------------


def html_chunks(summary: Summary, *, stylesheet_url: str | None = None) -> Iterator[str]:
    """The printable page, a group at a time, from the partials of one template.

    With ``stylesheet_url`` the page links its stylesheet (served by the site,
    which allows no inline style); without, the stylesheet is written into the
    page, so that a saved file or the PDF stands on its own.
    """
    css = None if stylesheet_url else _stylesheet()
    language = summary.language
    context = {"summary": summary, "stylesheet_url": stylesheet_url, "css": css}
    yield _render("page_start", context, language)
    for buzz_round, notes in rounds_with_notes(summary):
        yield _render("round", {"round": buzz_round}, language)
        for group, prompts in by_group_and_prompt(notes):
            block = [(prompt, list(prompt_notes)) for prompt, prompt_notes in prompts]
            yield _render("group", {"group": group, "prompts": block}, language)
    yield _render("page_end", context, language)


def _render(partial: str, context: dict, language: str) -> str:
    # The override is entered and left within one call: a generator that held
    # it across a yield would leak the language into whoever runs in between.
    with translation.override(language):
        return get_template(f"{TEMPLATE}#{partial}").render(context)


def _stylesheet() -> str:
    path = finders.find(STYLESHEET)
    with open(path, encoding="utf-8") as css:
        return css.read()


# WeasyPrint leans on Pango and fontconfig, which are not safe to drive from
# several threads at once; one PDF at a time also caps the memory it takes.
_pdf_lock = threading.Lock()


def pdf_bytes(summary: Summary) -> bytes:
    """The printable page as an A4 PDF with page numbers."""
    import weasyprint  # imported late: it takes a while and only the PDF needs it

    html = "".join(html_chunks(summary))
    with _pdf_lock:
        return weasyprint.HTML(string=html).write_pdf()


def text_chunks(
    summary: Summary, fmt: str, *, stylesheet_url: str | None = None
) -> Generator[str, None, None]:
    """A text format as chunks of about CHUNK_CHARS characters."""
    if fmt == "md":
        chunks = markdown_chunks(summary)
    elif fmt == "csv":
        chunks = csv_chunks(summary)
    elif fmt == "json":
        chunks = json_chunks(summary)
    elif fmt == "html":
        chunks = html_chunks(summary, stylesheet_url=stylesheet_url)
    else:
        raise ValueError(f"not a text format: {fmt!r}")
    return buffered(chunks)


def filename(workshop: Workshop, fmt: str) -> str:
    return f"summa-{workshop.join_code}.{fmt}"
