"""The room: its groups and participants, who joins, moves and leaves, and the broadcast that follows."""

import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from buzzgroups.models import (
    GROUP_NAME_MAX_LENGTH,
    NICKNAME_MAX_LENGTH,
    BuzzGroup,
    Note,
    Participant,
)
from buzzgroups.services.notes import INVISIBLE, NoteError
from sessions import broadcast
from sessions.models import MAX_GROUPS, Event, Workshop
from sessions.services import workshop_duplicate

# The most participants a facilitator may allow in one workshop.
MAX_PARTICIPANT_CAP = 100_000


class GroupError(ValueError):
    """A change to the groups that does not fit."""


def _group_name(language: str, number: int) -> str:
    with override(language):
        return _("Group %(number)s") % {"number": number}


def _publish_group(workshop: Workshop, group: BuzzGroup) -> None:
    broadcast.publish(
        workshop,
        Event.Kind.GROUP_CHANGED,
        audience=Event.Audience.GROUP,
        group_id=group.pk,
        ref_id=group.pk,
    )


@transaction.atomic
def workshop_run_again(*, workshop: Workshop, owner) -> Workshop:
    """The workshop as a template for a new one: its agenda and its groups' names, no people."""
    copy = workshop_duplicate(workshop=workshop, owner=owner)
    BuzzGroup.objects.bulk_create(
        BuzzGroup(workshop=copy, number=group.number, name=group.name)
        for group in workshop.buzz_groups.all()
    )
    return copy


def groups_ensure(workshop: Workshop) -> list[BuzzGroup]:
    """The workshop's groups, creating the first ones if there are none yet."""
    groups = list(workshop.buzz_groups.all())
    if groups:
        return groups
    with transaction.atomic():
        for number in range(1, max(1, workshop.group_count) + 1):
            BuzzGroup.objects.get_or_create(
                workshop=workshop,
                number=number,
                defaults={"name": _group_name(workshop.language, number)},
            )
    return list(workshop.buzz_groups.all())


@transaction.atomic
def groups_set_count(*, workshop: Workshop, count: int) -> list[BuzzGroup]:
    """Have ``count`` groups: new ones are added, empty surplus ones removed, people spread."""
    if not 1 <= count <= MAX_GROUPS:
        raise GroupError(_("Choose from 1 to %(max)s groups.") % {"max": MAX_GROUPS})
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    groups = groups_ensure(workshop)
    for number in range(len(groups) + 1, count + 1):
        BuzzGroup.objects.create(
            workshop=workshop, number=number, name=_group_name(workshop.language, number)
        )
    surplus = [g for g in workshop.buzz_groups.all() if g.number > count]
    for group in surplus:
        if group.notes.exists():
            raise GroupError(
                _("%(group)s already has notes and cannot be removed.") % {"group": group.name}
            )
    moved = list(Participant.objects.filter(group__in=surplus))
    for group in surplus:
        group.delete()
    workshop.group_count = count
    workshop.save(update_fields=["group_count"])
    for participant in moved:
        participant.group = _smallest_group(workshop)
        participant.save(update_fields=["group"])
        broadcast.regroup(workshop.pk, participant.pk, participant.group_id)
    for group in workshop.buzz_groups.all():
        _publish_group(workshop, group)
    broadcast.publish(workshop, Event.Kind.WALL_CHANGED, audience=Event.Audience.SCREENS)
    return list(workshop.buzz_groups.all())


def groups_set_size(*, workshop: Workshop, size: int) -> list[BuzzGroup]:
    """As many groups as it takes for about ``size`` people each, given who is here now."""
    if size < 1:
        raise GroupError(_("A group needs at least one person."))
    people = workshop.participants.count()
    return groups_set_count(workshop=workshop, count=max(1, math.ceil(people / size)))


@transaction.atomic
def group_rename(*, group: BuzzGroup, name: str) -> BuzzGroup:
    name = name.strip()
    if not INVISIBLE.sub("", name):
        raise GroupError(_("A group needs a name."))
    if "\x00" in name:
        # PostgreSQL cannot store a NUL byte: refuse it here rather than fail with a 500.
        raise GroupError(_("The group name holds a character that cannot be saved."))
    if len(name) > GROUP_NAME_MAX_LENGTH:
        raise GroupError(
            _("A group name can be at most %(max)s characters.") % {"max": GROUP_NAME_MAX_LENGTH}
        )
    group.name = name
    group.save(update_fields=["name"])
    _publish_group(group.workshop, group)
    broadcast.publish(group.workshop, Event.Kind.WALL_CHANGED, audience=Event.Audience.SCREENS)
    return group


def _smallest_group(workshop: Workshop) -> BuzzGroup:
    groups_ensure(workshop)
    return (
        workshop.buzz_groups.annotate(size=Count("participants")).order_by("size", "number").first()
    )


def clean_nickname(nickname: str) -> str:
    nickname = INVISIBLE.sub(" ", nickname or "").strip()
    if "\x00" in nickname:
        raise NoteError(_("The nickname holds a character that cannot be saved."))
    if len(nickname) > NICKNAME_MAX_LENGTH:
        raise NoteError(
            _("A nickname can be at most %(max)s characters.") % {"max": NICKNAME_MAX_LENGTH}
        )
    return nickname


class JoinClosed(GroupError):
    """The facilitator locked the room, or it is full."""


def joining_closed(workshop: Workshop) -> str | None:
    """Why no new phone may join now, or None."""
    if workshop.room_locked:
        return _("The facilitator has closed the room to new participants.")
    if workshop.participants.count() >= workshop.participant_cap:
        return _("The workshop is full.")
    return None


@transaction.atomic
def participant_join(
    *, workshop: Workshop, nickname: str = "", group: BuzzGroup | None = None
) -> Participant:
    """A phone arrives: it lands in the given group, or the one with fewest people."""
    nickname = clean_nickname(nickname)
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if reason := joining_closed(workshop):
        raise JoinClosed(reason)
    if group is not None and group.workshop_id != workshop.pk:
        raise GroupError(_("That group belongs to another workshop."))
    group = group or _smallest_group(workshop)
    participant = Participant.objects.create(workshop=workshop, group=group, nickname=nickname)
    _publish_group(workshop, group)
    return participant


@transaction.atomic
def participant_move(*, participant: Participant, group: BuzzGroup) -> Participant:
    if group.workshop_id != participant.workshop_id:
        raise GroupError(_("That group belongs to another workshop."))
    old = participant.group
    participant.group = group
    participant.save(update_fields=["group"])
    workshop = participant.workshop
    broadcast.regroup(workshop.pk, participant.pk, group.pk)
    if old is not None:
        _publish_group(workshop, old)
    _publish_group(workshop, group)
    return participant


@transaction.atomic
def room_set(*, workshop: Workshop, locked: bool | None = None, cap: int | None = None) -> Workshop:
    """The facilitator's controls of who may join: lock the room, cap the participants.

    Phones already in keep working either way.
    """
    if cap is not None and not 1 <= cap <= MAX_PARTICIPANT_CAP:
        raise GroupError(
            _("Allow from 1 to %(max)s participants.") % {"max": f"{MAX_PARTICIPANT_CAP:,}"}
        )
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if locked is not None:
        workshop.room_locked = locked
    if cap is not None:
        workshop.participant_cap = cap
    workshop.save(update_fields=["room_locked", "participant_cap"])
    return workshop


@transaction.atomic
def participant_rename(*, participant: Participant, nickname: str) -> Participant:
    participant.nickname = clean_nickname(nickname)
    participant.save(update_fields=["nickname"])
    return participant


@transaction.atomic
def participants_remove(*, workshop: Workshop, participant_ids) -> int:
    """Take people out of a workshop with every note they wrote, live on every screen
    (a participant the facilitator removes, a rehearsal's phones).

    Returns how many notes went with them. Their phones are no longer in the
    workshop: with the room locked, they cannot join again.
    """
    people = list(Participant.objects.filter(workshop=workshop, pk__in=list(participant_ids)))
    notes = list(Note.objects.filter(author__in=people).values_list("pk", "group_id"))
    Note.objects.filter(author__in=people).delete()
    Participant.objects.filter(pk__in=[person.pk for person in people]).delete()
    for note_pk, group_id in notes:
        broadcast.publish(
            workshop,
            Event.Kind.NOTE_DELETED,
            audience=Event.Audience.GROUP,
            group_id=group_id,
            ref_id=note_pk,
        )
    for group in BuzzGroup.objects.filter(pk__in={p.group_id for p in people if p.group_id}):
        _publish_group(workshop, group)
    if notes:
        # The wall's and the console's columns and counts, without those notes.
        broadcast.publish(workshop, Event.Kind.WALL_CHANGED, audience=Event.Audience.SCREENS)
    return len(notes)


@transaction.atomic
def participants_purge(*, days: int | None = None, now=None, dry_run: bool = False) -> dict:
    """Forget the people of workshops that ended more than ``days`` ago.

    Their notes stay, without an author (so without a nickname); the participants
    and everything tied only to them go. Returns how many workshops and
    participants that is (or would be, with ``dry_run``).
    """
    days = settings.SUMMA_RETENTION_DAYS if days is None else days
    if days < 0:
        raise ValueError("days must not be negative")
    cutoff = (now or timezone.now()) - timedelta(days=days)
    workshops = Workshop.objects.filter(state=Workshop.State.ENDED, ended_at__lt=cutoff)
    participants = Participant.objects.filter(workshop__in=workshops)
    counts = {"workshops": workshops.count(), "participants": participants.count()}
    if not dry_run:
        participants.delete()
    return counts
