"""Writing a dot vote: every limit is checked here, on the server, while the vote's row is held.

No more dots than the voter has, no more than the most allowed on one option, none
after closing, none in another workshop, and a participant only ever moves
their own dots (or, when a vote is per group, their group's). Holding the row
makes a hundred phones tapping at once queue up, so every count is exact: on
PostgreSQL ``select_for_update`` locks the vote; on SQLite the IMMEDIATE
transaction mode (see settings) takes the write lock when the transaction
begins, which serialises writers the same way.
"""

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buzzgroups.models import Dot, DotVote, Note, Participant, Theme
from buzzgroups.voting.reading import (
    MAX_DOTS,
    VoteError,
    _option_field,
    _used,
    _voter_dots,
    options_of,
)
from sessions import broadcast
from sessions.models import AgendaItem, BuzzRound, Event, Workshop
from sessions.numbers import MAX_ID, NumberError, whole_number


def _publish(vote: DotVote, kind: str, *, group_id: int | None = None) -> None:
    if kind != Event.Kind.VOTE_CHANGED or vote.results_revealed:
        audience = Event.Audience.ALL
    elif vote.per_group and group_id is not None:
        # The group's phones share the dots, so they see each other's taps.
        audience = Event.Audience.GROUP
    else:
        # Nobody follows the crowd: the phones do not hear the counts until revealed.
        audience = Event.Audience.SCREENS
        group_id = None
    broadcast.publish(vote.workshop, kind, audience=audience, group_id=group_id, ref_id=vote.pk)


def _whole_number(value, message: str) -> int:
    try:
        return whole_number(value, low=-MAX_ID, high=MAX_ID, what="")
    except NumberError:
        raise VoteError(message) from None


def vote_open(
    *,
    workshop: Workshop,
    item: AgendaItem | None = None,
    buzz_round: BuzzRound | None = None,
    dots: int = 3,
    max_per_option: int | None = None,
    voters: str = DotVote.Voters.PARTICIPANT,
    exclude_own_group: bool = False,
    on_themes: bool = False,
) -> DotVote:
    """Open a vote on an item's topics, or a round's notes or themes; one vote at a time."""
    if (item is None) == (buzz_round is None):
        raise VoteError(_("Choose what to vote on: the topics of an item or the notes of a round."))
    dots = _whole_number(dots, _("Give the dots as a whole number."))
    if not 1 <= dots <= MAX_DOTS:
        raise VoteError(_("Give each voter from 1 to %(max)s dots.") % {"max": MAX_DOTS})
    if max_per_option in (None, ""):
        max_per_option = dots
    max_per_option = _whole_number(max_per_option, _("Give the dots as a whole number."))
    if not 1 <= max_per_option <= dots:
        raise VoteError(_("The most dots on one option is from 1 to %(max)s.") % {"max": dots})
    if voters not in DotVote.Voters.values:
        raise VoteError(_("Choose who votes: each participant or each group."))
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if workshop.is_ended:
            raise VoteError(_("The workshop has ended."))
        if item is not None:
            if item.workshop_id != workshop.pk:
                raise VoteError(_("That agenda item belongs to another workshop."))
            if not item.topics.exists():
                raise VoteError(_("That agenda item has no topics to vote on."))
            exclude_own_group = False
        else:
            if buzz_round.item.workshop_id != workshop.pk:
                raise VoteError(_("That buzz round belongs to another workshop."))
            if on_themes:
                if not Theme.objects.filter(round=buzz_round).exists():
                    raise VoteError(_("That buzz round has no themes to vote on yet."))
                exclude_own_group = False
            elif not Note.objects.filter(round=buzz_round, hidden=False).exists():
                raise VoteError(_("That buzz round has no notes to vote on yet."))
        if DotVote.objects.filter(workshop=workshop, state=DotVote.State.OPEN).exists():
            raise VoteError(_("A vote is already open. Close it first."))
        vote = DotVote.objects.create(
            workshop=workshop,
            item=item,
            round=buzz_round,
            dots_per_voter=dots,
            max_per_option=max_per_option,
            voters=voters,
            exclude_own_group=bool(exclude_own_group),
            on_themes=bool(on_themes) and buzz_round is not None,
        )
        _publish(vote, Event.Kind.VOTE_OPENED)
    return vote


def _locked(vote: DotVote) -> DotVote:
    return (
        DotVote.objects.select_for_update(of=("self",))
        .select_related("workshop", "item", "round__item")
        .get(pk=vote.pk)
    )


def dots_set(
    *,
    vote: DotVote,
    participant: Participant,
    option_id: int | str,
    count: int | None = None,
    delta: int | None = None,
) -> int:
    """Put ``count`` of the voter's dots on one option, or one more or fewer with ``delta``.

    The voter is the participant, or their group when the vote is per group.
    Returns the voter's dots on that option now.
    """
    if (count is None) == (delta is None):
        raise TypeError("dots_set takes either count or delta")
    option_id = _whole_number(option_id, _("That is not one of the options."))
    if count is not None:
        count = _whole_number(count, _("Give the dots as a whole number."))
    else:
        delta = _whole_number(delta, _("Give the dots as a whole number."))
    with transaction.atomic():
        vote = _locked(vote)
        participant = Participant.objects.filter(pk=participant.pk).first()
        if participant is None or participant.workshop_id != vote.workshop_id:
            raise VoteError(_("That vote belongs to another workshop."))
        if not vote.is_open or vote.workshop.is_ended:
            raise VoteError(_("The vote is closed; dots can no longer be changed."))
        if vote.per_group and participant.group_id is None:
            raise VoteError(_("You are not in a group yet; reload the page."))
        allowed = {o.id for o in options_of(vote, exclude_group_id=participant.group_id)}
        if option_id not in allowed:
            raise VoteError(_("That is not one of the options."))
        mine = _voter_dots(vote, participant)
        field_name = _option_field(vote)
        on_option = mine.filter(**{field_name: option_id})
        current = on_option.count()
        target = count if count is not None else current + delta
        if target < 0:
            raise VoteError(_("There is no dot there to take back."))
        if target > vote.max_per_option:
            raise VoteError(
                ngettext(
                    "At most %(max)s dot can go on one option.",
                    "At most %(max)s dots can go on one option.",
                    vote.max_per_option,
                )
                % {"max": vote.max_per_option}
            )
        if _used(vote, participant) - current + target > vote.dots_per_voter:
            raise VoteError(
                ngettext(
                    "You have no dots left: %(count)s dot each. Take one back first.",
                    "You have no dots left: %(count)s dots each. Take one back first.",
                    vote.dots_per_voter,
                )
                % {"count": vote.dots_per_voter}
            )
        if target == current:
            return current
        if target > current:
            Dot.objects.bulk_create(
                Dot(
                    vote=vote,
                    voter=participant,
                    group_id=participant.group_id,
                    **{field_name: option_id},
                )
                for _n in range(target - current)
            )
        else:
            # In a group vote anyone may take back the group's dots; one's own go first.
            ids = list(
                on_option.annotate(
                    others=Case(
                        When(voter_id=participant.pk, then=Value(0)),
                        default=Value(1),
                        output_field=IntegerField(),
                    )
                )
                .order_by("others", "-id")
                .values_list("id", flat=True)[: current - target]
            )
            Dot.objects.filter(pk__in=ids).delete()
        _publish(vote, Event.Kind.VOTE_CHANGED, group_id=participant.group_id)
    return target


def vote_close(*, vote: DotVote) -> DotVote:
    """No more dots; the ranking stays."""
    with transaction.atomic():
        vote = _locked(vote)
        if not vote.is_open:
            return vote
        vote.state = DotVote.State.CLOSED
        vote.closed_at = timezone.now()
        vote.save(update_fields=["state", "closed_at"])
        _publish(vote, Event.Kind.VOTE_CLOSED)
    return vote


def vote_reveal(*, vote: DotVote, revealed: bool = True) -> DotVote:
    """Show the results on the phones too (or hide them again)."""
    with transaction.atomic():
        vote = _locked(vote)
        if vote.results_revealed == revealed:
            return vote
        vote.results_revealed = revealed
        vote.save(update_fields=["results_revealed"])
        _publish(vote, Event.Kind.VOTE_REVEALED)
    return vote
