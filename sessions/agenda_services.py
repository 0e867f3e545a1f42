"""Every write to a workshop's agenda from the editor, and the broadcast that follows.

The owner and co-facilitators edit before and during the workshop; each change
reaches the wall, the console and the phones as a ``show.changed`` frame.
Text is read with the program format's own rules (``sessions.program``), so an
edited agenda exports to a program that imports as the same agenda.

Nothing that holds notes, dots or a running round is deleted: such a change is
refused with the reason, and the data stays (see docs/export.md).
"""

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from sessions.models import AgendaItem, BuzzRound, Prompt, Topic, Workshop
from sessions.program import line_kind, read_point, read_topic
from sessions.services.show import (
    MAX_ROUND_MINUTES,
    ShowError,
    _locked,
    _publish_show,
    prompts_set,
)
from sessions.services.workshops import default_prompt_titles

MAX_ITEMS = 200
MAX_LINES = 100
# Numbers above this are a parking place while items are renumbered.
RENUMBER_OFFSET = 10_000


def _kind_name(kind: str) -> str:
    names = {
        "item": _("an agenda item line ('1. Title')"),
        "buzz": _("the buzz-group marker"),
        "point": _("a point ('- text')"),
        "topic": _("a topic ('Name. Description')"),
    }
    return names[kind]


def _lines(text: str, what: str) -> list[str]:
    if "\x00" in (text or ""):
        raise ShowError(_("The %(what)s hold a character that cannot be saved.") % {"what": what})
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise ShowError(_("At most %(max)s lines, please.") % {"max": MAX_LINES})
    return lines


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ShowError(_("An agenda item needs a title."))
    if "\x00" in title:
        raise ShowError(_("The title holds a character that cannot be saved."))
    if len(title) > 300:
        raise ShowError(_("A title can be at most 300 characters."))
    return title


def read_body(text: str) -> list[str]:
    body = []
    for number, line in enumerate(_lines(text, _("paragraphs")), start=1):
        kind = line_kind(line)
        if kind != "body":
            raise ShowError(
                _(
                    "Paragraph line %(line)s reads as %(kind)s; put it where it belongs or reword it."
                )
                % {"line": number, "kind": _kind_name(kind)}
            )
        body.append(line)
    return body


def read_points(text: str) -> list[dict]:
    points = []
    for line in _lines(text, _("points")):
        if line_kind(line) == "point":
            line = line[1:].strip()
        point = read_point(line)
        points.append({"label": point.label, "text": point.text})
    return points


def read_topics(text: str) -> list[tuple[str, str]]:
    topics = []
    for number, line in enumerate(_lines(text, _("topics")), start=1):
        topic = read_topic(line)
        if topic is None or len(topic.name) > 100:
            raise ShowError(
                _(
                    "Topic line %(line)s is not 'Name. Description' (a name of up to three words, a full stop, then the description)."
                )
                % {"line": number}
            )
        topics.append((topic.name, topic.description))
    return topics


def _changed(workshop: Workshop) -> None:
    _publish_show(workshop)


@transaction.atomic
def item_create(*, workshop: Workshop, title: str) -> AgendaItem:
    """A new agenda item at the end of the agenda."""
    workshop = _locked(workshop)
    title = _title(title)
    last = workshop.items.aggregate(last=Max("number"))["last"] or 0
    if last >= MAX_ITEMS:
        raise ShowError(_("An agenda has at most %(max)s items.") % {"max": MAX_ITEMS})
    item = AgendaItem.objects.create(workshop=workshop, number=last + 1, title=title)
    _changed(workshop)
    return item


@transaction.atomic
def item_update(
    *, item: AgendaItem, title: str, body: str = "", points: str = "", topics: str = ""
) -> AgendaItem:
    """Change an item's title, body paragraphs, points and topics (one per line each).

    Topics keep their place (and their notes' tags) by position; a topic that
    notes or dots point to cannot be dropped.
    """
    workshop = _locked(item.workshop)
    item = AgendaItem.objects.get(pk=item.pk)
    item.title = _title(title)
    item.body = read_body(body)
    item.points = read_points(points)
    wanted = read_topics(topics)
    existing = list(item.topics.order_by("position"))
    for surplus in existing[len(wanted) :]:
        if surplus.notes.exists() or surplus.dots.exists():
            raise ShowError(
                _("The topic “%(name)s” has notes or dots; it cannot be removed.")
                % {"name": surplus.name}
            )
    for position, (name, description) in enumerate(wanted):
        if position < len(existing):
            topic = existing[position]
            topic.name, topic.description = name, description
            topic.save(update_fields=["name", "description"])
        else:
            Topic.objects.create(item=item, position=position, name=name, description=description)
    for surplus in existing[len(wanted) :]:
        surplus.delete()
    item.save(update_fields=["title", "body", "points"])
    _changed(workshop)
    return item


def _renumber(workshop: Workshop, items: list[AgendaItem]) -> None:
    """Number the items 1, 2, 3, ... in the order given (two steps: numbers are unique)."""
    AgendaItem.objects.filter(workshop=workshop).update(number=F("number") + RENUMBER_OFFSET)
    for number, item in enumerate(items, start=1):
        AgendaItem.objects.filter(pk=item.pk).update(number=number)


@transaction.atomic
def item_move(*, item: AgendaItem, to: int) -> AgendaItem:
    """Move an item to place ``to`` (1 is first); the others close up."""
    workshop = _locked(item.workshop)
    items = list(workshop.items.order_by("number"))
    if not 1 <= to <= len(items):
        raise ShowError(_("There is no place %(number)s on the agenda.") % {"number": to})
    moving = next(i for i in items if i.pk == item.pk)
    items.remove(moving)
    items.insert(to - 1, moving)
    _renumber(workshop, items)
    _changed(workshop)
    moving.refresh_from_db()
    return moving


def _has_notes_or_votes(item: AgendaItem) -> bool:
    return (
        item.dot_votes.exists()
        or BuzzRound.objects.filter(item=item, notes__isnull=False).exists()
        or BuzzRound.objects.filter(item=item, dot_votes__isnull=False).exists()
    )


@transaction.atomic
def item_delete(*, item: AgendaItem) -> None:
    """Delete an item that holds nothing of the room yet; the items after it move up."""
    workshop = _locked(item.workshop)
    item = AgendaItem.objects.get(pk=item.pk)
    if _has_notes_or_votes(item):
        raise ShowError(
            _(
                "Item %(number)s has notes or a dot vote. It stays, so that nothing the room wrote is lost; change its title instead."
            )
            % {"number": item.number}
        )
    if workshop.current_item_id == item.pk and workshop.state == Workshop.State.RUNNING:
        raise ShowError(_("The room is on this item now; move on before you delete it."))
    item.delete()
    _renumber(workshop, list(workshop.items.order_by("number")))
    _changed(workshop)


@transaction.atomic
def segment_add(*, item: AgendaItem, minutes: int = 10) -> BuzzRound:
    """Give an item its buzz-group segment, with the default prompts."""
    workshop = _locked(item.workshop)
    if item.buzz_rounds.exists():
        raise ShowError(_("This agenda item already has a buzz-group segment."))
    _check_minutes(minutes)
    buzz_round = BuzzRound.objects.create(item=item, duration_minutes=minutes)
    Prompt.objects.bulk_create(
        Prompt(round=buzz_round, position=i, title=title)
        for i, title in enumerate(default_prompt_titles(workshop.language))
    )
    _changed(workshop)
    return buzz_round


def _check_minutes(minutes: int) -> None:
    if not 1 <= minutes <= MAX_ROUND_MINUTES:
        raise ShowError(
            _("A buzz round lasts from 1 to %(max)s minutes.") % {"max": MAX_ROUND_MINUTES}
        )


@transaction.atomic
def segment_update(*, buzz_round: BuzzRound, prompts: list[str], minutes: int) -> BuzzRound:
    """The segment's prompts (one per line) and planned minutes."""
    _locked(buzz_round.item.workshop)
    _check_minutes(minutes)
    BuzzRound.objects.filter(pk=buzz_round.pk).update(duration_minutes=minutes)
    return prompts_set(buzz_round=buzz_round, titles=prompts)


@transaction.atomic
def segment_remove(*, buzz_round: BuzzRound) -> None:
    """Take the buzz-group segment off an item, if the room has not written in it."""
    workshop = _locked(buzz_round.item.workshop)
    buzz_round = BuzzRound.objects.get(pk=buzz_round.pk)
    if buzz_round.state == BuzzRound.State.OPEN:
        raise ShowError(_("The buzz groups are running; end them first."))
    if buzz_round.notes.exists() or buzz_round.dot_votes.exists():
        raise ShowError(
            _("These buzz groups have notes or a dot vote. They stay, so that nothing is lost.")
        )
    buzz_round.delete()
    _changed(workshop)
