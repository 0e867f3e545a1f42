"""Workshops: made from a program, copied to run again, shared with helpers, deleted."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from sessions import broadcast
from sessions.models import (
    AgendaItem,
    BuzzRound,
    Membership,
    Prompt,
    Topic,
    Workshop,
    new_join_code,
)
from sessions.program import Program
from sessions.services.show import _locked


def default_prompt_titles(language: str) -> list[str]:
    with override(language):
        return [_("Use cases"), _("Challenges")]


@transaction.atomic
def workshop_create(
    *, owner: AbstractBaseUser, program: Program, title: str | None = None, language: str = "nb"
) -> Workshop:
    """A new workshop with the agenda, topics and buzz rounds of a program."""
    workshop = _workshop_with_fresh_code(
        owner=owner, title=(title or program.title or _("Workshop"))[:200], language=language
    )
    prompts = default_prompt_titles(language)
    for program_item in program.items:
        item = AgendaItem.objects.create(
            workshop=workshop,
            number=program_item.number,
            title=program_item.title[:300],
            body=program_item.body,
            points=[{"label": p.label, "text": p.text} for p in program_item.points],
        )
        Topic.objects.bulk_create(
            Topic(item=item, position=i, name=t.name[:100], description=t.description)
            for i, t in enumerate(program_item.topics)
        )
        if program_item.buzz_groups:
            buzz_round = BuzzRound.objects.create(item=item)
            Prompt.objects.bulk_create(
                Prompt(round=buzz_round, position=i, title=t) for i, t in enumerate(prompts)
            )
    return workshop


@transaction.atomic
def workshop_duplicate(*, workshop: Workshop, owner: AbstractBaseUser) -> Workshop:
    """A new workshop from this one as a template, with a new join code.

    The agenda, topics, buzz segments with their prompts and durations, planned
    minutes and the wall's layout come along; nothing of the run does (state,
    times, participants, notes, votes).
    """
    copy = _workshop_with_fresh_code(
        owner=owner,
        title=workshop.title,
        language=workshop.language,
        group_count=workshop.group_count,
        wall_layout=workshop.wall_layout,
        hold_notes=workshop.hold_notes,
    )
    for item in workshop.items.prefetch_related("topics", "buzz_rounds__prompts"):
        new_item = AgendaItem.objects.create(
            workshop=copy,
            number=item.number,
            title=item.title,
            body=item.body,
            points=item.points,
            planned_minutes=item.planned_minutes,
        )
        Topic.objects.bulk_create(
            Topic(item=new_item, position=t.position, name=t.name, description=t.description)
            for t in item.topics.all()
        )
        for buzz_round in item.buzz_rounds.all():
            new_round = BuzzRound.objects.create(
                item=new_item,
                position=buzz_round.position,
                duration_minutes=buzz_round.duration_minutes,
            )
            Prompt.objects.bulk_create(
                Prompt(round=new_round, position=p.position, title=p.title)
                for p in buzz_round.prompts.all()
            )
    return copy


class PeopleError(ValueError):
    """A change to who helps run a workshop that does not fit."""


@transaction.atomic
def membership_add(*, workshop: Workshop, username: str, role: str) -> Membership:
    """Give another facilitator account a role in the workshop (or change the role it has)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if role not in Membership.Role.values:
        raise PeopleError(_("Choose co-facilitator or moderator."))
    user = User._default_manager.filter(
        **{User.USERNAME_FIELD: (username or "").strip()}, is_active=True
    ).first()
    if user is None:
        raise PeopleError(
            _("There is no facilitator named “%(name)s”.")
            % {"name": (username or "").strip()[:150]}
        )
    if user.pk == workshop.owner_id:
        raise PeopleError(_("The owner already has every power in the workshop."))
    membership, _created = Membership.objects.update_or_create(
        workshop=workshop, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Take someone's role away: their open console and wall lose their powers at once,
    since every action and page checks the role again (sessions.access), and their
    sockets are closed, so they hear nothing more of the room."""
    workshop_id, user_id = membership.workshop_id, membership.user_id
    membership.delete()
    # Their open console and wall hear a hint to reload (and find the workshop gone), and close.
    transaction.on_commit(
        lambda: broadcast.send_unsequenced(
            workshop_id,
            "access.changed",
            roles=(broadcast.WALL, broadcast.CONSOLE),
            html="",
            data={"removed_user": user_id},
            close_user=user_id,
        )
    )


@transaction.atomic
def workshop_delete(*, workshop: Workshop) -> None:
    """Delete the workshop and everything in it (notes, votes, participants)."""
    workshop = _locked(workshop)
    # Notes protect their prompt and group: they go first (through the reverse
    # relation, so this app needs no import of the one that defines notes).
    workshop.notes.all().delete()
    workshop.delete()


def _workshop_with_fresh_code(**fields) -> Workshop:
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return Workshop.objects.create(join_code=new_join_code(), **fields)
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free join code")
