"""The run of the show: the agenda moving on, buzz rounds opening and closing, the wall's layout, each followed by its broadcast."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions import broadcast
from sessions.models import (
    MAX_GROUPS,
    AgendaItem,
    BuzzRound,
    Event,
    Prompt,
    Workshop,
)

MAX_ROUND_MINUTES = 180


class ShowError(ValueError):
    """A run-of-show action that does not fit the state of the workshop."""


def _locked(workshop: Workshop) -> Workshop:
    """The workshop as it is now, locked until the transaction ends (writes queue up)."""
    return (
        Workshop.objects.select_for_update(of=("self",))
        .select_related("current_item")
        .get(pk=workshop.pk)
    )


def _leave_current_item(workshop: Workshop, now) -> None:
    if workshop.current_item_id and workshop.item_started_at:
        elapsed = int((now - workshop.item_started_at).total_seconds())
        item = AgendaItem.objects.get(pk=workshop.current_item_id)
        item.actual_seconds += max(0, elapsed)
        item.save(update_fields=["actual_seconds"])


def current_round(workshop: Workshop) -> BuzzRound | None:
    """The buzz round the room is in: the open one, else the current item's latest."""
    open_round = (
        BuzzRound.objects.filter(item__workshop=workshop, state=BuzzRound.State.OPEN)
        .select_related("item")
        .first()
    )
    if open_round or not workshop.current_item_id:
        return open_round
    return (
        BuzzRound.objects.filter(item_id=workshop.current_item_id)
        .exclude(state=BuzzRound.State.READY)
        .select_related("item")
        .order_by("-position")
        .first()
    )


def _round_id(workshop: Workshop) -> int | None:
    buzz_round = current_round(workshop)
    return buzz_round.pk if buzz_round else None


def _publish_show(workshop: Workshop, *, kept_round_id: int | None = None) -> None:
    """Tell every screen the show moved.

    ``kept_round_id``: the round the screens showed before a change that leaves
    what they show of it alone (its prompts, groups and notes): if the screens
    are still on that round, its frames carry the stage without the round's
    notes (``buzzgroups/live.py``). Without it they carry the notes too.
    """
    broadcast.publish(workshop, Event.Kind.SHOW_CHANGED, ref_id=kept_round_id)


@transaction.atomic
def show_goto(*, workshop: Workshop, number: int) -> Workshop:
    """Make agenda item ``number`` the current one (starting the workshop if need be)."""
    return _goto(_locked(workshop), number)


def _goto(workshop: Workshop, number: int) -> Workshop:
    if workshop.is_ended:
        raise ShowError(_("The workshop has ended."))
    try:
        item = workshop.items.get(number=number)
    except AgendaItem.DoesNotExist:
        raise ShowError(_("There is no agenda item %(number)s.") % {"number": number}) from None
    kept = _round_id(workshop)
    now = timezone.now()
    if workshop.state == Workshop.State.DRAFT:
        workshop.state = Workshop.State.RUNNING
        workshop.started_at = now
    if workshop.current_item_id != item.pk:
        _leave_current_item(workshop, now)
        workshop.current_item = item
        workshop.item_started_at = now
    workshop.save()
    _publish_show(workshop, kept_round_id=kept)
    return workshop


def _current_number(workshop: Workshop) -> int:
    return workshop.current_item.number if workshop.current_item_id else 0


def show_start(*, workshop: Workshop) -> Workshop:
    return show_goto(workshop=workshop, number=1)


@transaction.atomic
def show_next(*, workshop: Workshop) -> Workshop:
    workshop = _locked(workshop)
    number = _current_number(workshop) + 1
    if not workshop.items.filter(number=number).exists():
        raise ShowError(_("This is the last agenda item."))
    return _goto(workshop, number)


@transaction.atomic
def show_back(*, workshop: Workshop) -> Workshop:
    workshop = _locked(workshop)
    number = _current_number(workshop) - 1
    if number < 1:
        raise ShowError(_("This is the first agenda item."))
    return _goto(workshop, number)


@transaction.atomic
def workshop_end(*, workshop: Workshop) -> Workshop:
    workshop = _locked(workshop)
    if workshop.is_ended:
        return workshop
    now = timezone.now()
    _leave_current_item(workshop, now)
    for buzz_round in BuzzRound.objects.filter(item__workshop=workshop, state=BuzzRound.State.OPEN):
        _close(buzz_round, now)
    workshop.state = Workshop.State.ENDED
    workshop.ended_at = now
    workshop.item_started_at = None
    workshop.save()
    _publish_show(workshop)
    return workshop


def _close(buzz_round: BuzzRound, now) -> None:
    buzz_round.state = BuzzRound.State.CLOSED
    buzz_round.closed_at = min(now, buzz_round.closes_at) if buzz_round.closes_at else now
    buzz_round.save(update_fields=["state", "closed_at"])


@transaction.atomic
def round_open(*, buzz_round: BuzzRound, minutes: int | None = None) -> BuzzRound:
    """Start a buzz round: its item becomes current and phones may write until the timer ends."""
    workshop = _locked(buzz_round.item.workshop)
    if workshop.is_ended:
        raise ShowError(_("The workshop has ended."))
    minutes = buzz_round.duration_minutes if minutes is None else minutes
    if not 1 <= minutes <= MAX_ROUND_MINUTES:
        raise ShowError(
            _("A buzz round lasts from 1 to %(max)s minutes.") % {"max": MAX_ROUND_MINUTES}
        )
    now = timezone.now()
    for other in BuzzRound.objects.filter(item__workshop=workshop, state=BuzzRound.State.OPEN):
        if other.pk != buzz_round.pk:
            _close(other, now)
    if workshop.state == Workshop.State.DRAFT:
        workshop.state = Workshop.State.RUNNING
        workshop.started_at = now
    if workshop.current_item_id != buzz_round.item_id:
        _leave_current_item(workshop, now)
        workshop.current_item_id = buzz_round.item_id
        workshop.item_started_at = now
    workshop.save()
    buzz_round.refresh_from_db()
    buzz_round.state = BuzzRound.State.OPEN
    buzz_round.duration_minutes = minutes
    buzz_round.opened_at = now
    buzz_round.closes_at = now + timedelta(minutes=minutes)
    buzz_round.closed_at = None
    buzz_round.save()
    _publish_show(workshop)
    return buzz_round


def lock_open_round(buzz_round: BuzzRound) -> BuzzRound | None:
    """Inside a transaction: the round, locked, if it is still open and its time not up.

    A write that needs an open round (a note) checks here, under the lock that
    closing a round takes (the workshop's row, always taken first, as every
    run-of-show write does), so nothing lands after the round closed. A note's
    broadcast updates that row anyway, so notes queue there already.
    """
    list(Workshop.objects.select_for_update().filter(pk=buzz_round.item.workshop_id).values("pk"))
    locked = BuzzRound.objects.filter(pk=buzz_round.pk).first()
    if locked is None or locked.state != BuzzRound.State.OPEN or locked.is_overdue():
        return None
    return locked


@transaction.atomic
def round_extend(*, buzz_round: BuzzRound, minutes: int) -> BuzzRound:
    workshop = _locked(buzz_round.item.workshop)
    buzz_round.refresh_from_db()
    if buzz_round.state != BuzzRound.State.OPEN:
        raise ShowError(_("The buzz round is not open."))
    if not -MAX_ROUND_MINUTES <= minutes <= MAX_ROUND_MINUTES or minutes == 0:
        raise ShowError(_("Give a number of minutes to add."))
    now = timezone.now()
    buzz_round.closes_at = max(now, buzz_round.closes_at or now) + timedelta(minutes=minutes)
    if buzz_round.closes_at <= now:
        _close(buzz_round, now)
    else:
        buzz_round.save(update_fields=["closes_at"])
    # An open round is the one on the screens (only one is open at a time).
    _publish_show(workshop, kept_round_id=buzz_round.pk)
    return buzz_round


@transaction.atomic
def round_close(*, buzz_round: BuzzRound) -> BuzzRound:
    workshop = _locked(buzz_round.item.workshop)
    buzz_round.refresh_from_db()
    if buzz_round.state != BuzzRound.State.OPEN:
        return buzz_round
    _close(buzz_round, timezone.now())
    # An open round is the one on the screens (only one is open at a time).
    _publish_show(workshop, kept_round_id=buzz_round.pk)
    return buzz_round


def round_close_if_due(*, buzz_round: BuzzRound) -> bool:
    """Close a round whose timer has run out; anyone may ask, nothing happens early."""
    if not buzz_round.is_overdue():
        return False
    with transaction.atomic():
        workshop = _locked(buzz_round.item.workshop)
        buzz_round.refresh_from_db()
        if not buzz_round.is_overdue():
            return False
        _close(buzz_round, timezone.now())
        _publish_show(workshop, kept_round_id=buzz_round.pk)
    return True


def close_overdue_rounds(*, workshop: Workshop) -> None:
    for buzz_round in BuzzRound.objects.filter(item__workshop=workshop, state=BuzzRound.State.OPEN):
        round_close_if_due(buzz_round=buzz_round)


def open_round_closing_overdue(workshop: Workshop) -> BuzzRound | None:
    """The round the phones write in now, if any.

    Not a plain lookup: a round whose time is up is closed here (and that is
    broadcast), so nobody writes into a round the room sees as over.
    """
    buzz_round = (
        BuzzRound.objects.filter(item__workshop=workshop, state=BuzzRound.State.OPEN)
        .select_related("item")
        .first()
    )
    if buzz_round and round_close_if_due(buzz_round=buzz_round):
        return None
    return buzz_round


@transaction.atomic
def prompts_set(*, buzz_round: BuzzRound, titles: list[str]) -> BuzzRound:
    """Replace the prompts of a round that has no notes yet (renaming keeps notes)."""
    titles = [t.strip()[:100] for t in titles if t.strip()]
    if not titles:
        raise ShowError(_("A buzz round needs at least one prompt."))
    existing = list(buzz_round.prompts.all())
    for position, title in enumerate(titles):
        if position < len(existing):
            existing[position].title = title
            existing[position].save(update_fields=["title"])
        else:
            Prompt.objects.create(round=buzz_round, position=position, title=title)
    for extra in existing[len(titles) :]:
        if not extra.notes.exists():
            extra.delete()
    _publish_show(buzz_round.item.workshop)
    return buzz_round


@transaction.atomic
def item_plan(*, item: AgendaItem, minutes: int | None) -> AgendaItem:
    """Set the minutes planned for an agenda item (empty: no plan)."""
    if minutes is not None and not 0 < minutes <= 24 * 60:
        raise ShowError(_("Plan from 1 minute to a day, or leave it empty."))
    item.planned_minutes = minutes
    item.save(update_fields=["planned_minutes"])
    broadcast.publish(item.workshop, Event.Kind.WALL_CHANGED, audience=Event.Audience.SCREENS)
    return item


@transaction.atomic
def workshop_hold_notes(*, workshop: Workshop, hold: bool) -> Workshop:
    """Hold new notes for approval (or let them through). Notes already waiting keep waiting."""
    workshop = _locked(workshop)
    workshop.hold_notes = hold
    workshop.save(update_fields=["hold_notes"])
    broadcast.publish(workshop, Event.Kind.WALL_CHANGED, audience=Event.Audience.SCREENS)
    return workshop


@transaction.atomic
def wall_set(
    *, workshop: Workshop, layout: str | None = None, revealed_groups: int | None | str = "keep"
) -> Workshop:
    workshop = _locked(workshop)
    if layout is not None:
        if layout not in Workshop.WallLayout.values:
            raise ShowError(_("Unknown wall layout."))
        workshop.wall_layout = layout
    if revealed_groups != "keep":
        if revealed_groups is not None and not (
            isinstance(revealed_groups, int) and 0 <= revealed_groups <= MAX_GROUPS
        ):
            raise ShowError(
                _("Show from 0 to %(max)s groups, or all of them.") % {"max": MAX_GROUPS}
            )
        workshop.wall_revealed_groups = revealed_groups
    workshop.save(update_fields=["wall_layout", "wall_revealed_groups"])
    broadcast.publish(workshop, Event.Kind.WALL_CHANGED, audience=Event.Audience.SCREENS)
    return workshop


SHOW_FIELDS = ("state", "current_item_id", "started_at", "item_started_at", "ended_at")
ROUND_FIELDS = ("state", "duration_minutes", "opened_at", "closes_at", "closed_at")


def show_snapshot(workshop: Workshop) -> dict:
    """Where the show is: enough to put it back after a rehearsal (``show_restore``)."""
    workshop.refresh_from_db()
    return {
        "workshop": {name: getattr(workshop, name) for name in SHOW_FIELDS},
        "items": dict(workshop.items.values_list("pk", "actual_seconds")),
        "rounds": {
            values["pk"]: {name: values[name] for name in ROUND_FIELDS}
            for values in BuzzRound.objects.filter(item__workshop=workshop).values(
                "pk", *ROUND_FIELDS
            )
        },
    }


@transaction.atomic
def show_restore(*, workshop: Workshop, snapshot: dict) -> Workshop:
    """Put the show back where ``show_snapshot`` found it, and tell every screen."""
    workshop = _locked(workshop)
    for name, value in snapshot["workshop"].items():
        setattr(workshop, name, value)
    workshop.save(update_fields=[name.removesuffix("_id") for name in SHOW_FIELDS])
    for pk, seconds in snapshot["items"].items():
        AgendaItem.objects.filter(pk=pk).update(actual_seconds=seconds)
    for pk, fields in snapshot["rounds"].items():
        BuzzRound.objects.filter(pk=pk).update(**fields)
    _publish_show(workshop)
    return workshop
