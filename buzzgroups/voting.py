"""Dot-voting: the facilitator opens a vote, the room places dots, the ranking stays.

Every limit is checked here, on the server, while the vote's row is held: no
more dots than the voter has, no more than the most allowed on one option, none
after closing, none in another workshop, and a participant only ever moves
their own dots (or, when a vote is per group, their group's). Holding the row
makes a hundred phones tapping at once queue up, so every count is exact: on
PostgreSQL ``select_for_update`` locks the vote; on SQLite the IMMEDIATE
transaction mode (see settings) takes the write lock when the transaction
begins, which serialises writers the same way.

The read side (options with their counts, the ranking, what a phone sees) is
here too, so the phone, the wall, the console and the export count alike.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buzzgroups.models import Dot, DotVote, Note, Participant
from sessions import broadcast
from sessions.models import AgendaItem, BuzzRound, Event, Topic, Workshop

MAX_DOTS = 20


class VoteError(ValueError):
    """A vote or a dot that is not allowed, with the reason to show."""


# --- Reading ------------------------------------------------------------------


@dataclass
class Option:
    """A topic or a note as one line of a vote."""

    id: int
    label: str
    detail: str = ""
    group_id: int | None = None
    position: int = 0
    count: int = 0  # dots from everyone
    mine: int = 0  # dots of the one looking: the participant, or their group
    rank: int = 0
    percent: int = 0  # of the option with the most dots, for the bar

    @property
    def mine_marks(self) -> str:
        return "\u25cf" * self.mine


def _option_field(vote: DotVote) -> str:
    return "note_id" if vote.on_notes else "topic_id"


def options_of(vote: DotVote, *, exclude_group_id: int | None = None) -> list[Option]:
    """The options in their own order: the item's topics, or the round's visible notes."""
    if not vote.on_notes:
        topics = Topic.objects.filter(item_id=vote.item_id).order_by("position", "id")
        return [
            Option(id=t.pk, label=t.name, detail=t.description, position=i)
            for i, t in enumerate(topics)
        ]
    notes = (
        Note.objects.filter(round_id=vote.round_id, hidden=False)
        .exclude(approval=Note.Approval.WAITING)  # held notes the room has not seen
        .select_related("group")
        .order_by("created_at", "id")
    )
    if vote.exclude_own_group and exclude_group_id is not None:
        notes = notes.exclude(group_id=exclude_group_id)
    return [
        Option(id=n.pk, label=n.text, detail=n.group.name, group_id=n.group_id, position=i)
        for i, n in enumerate(notes)
    ]


def counts(vote: DotVote) -> dict[int, int]:
    """Dots per option id (topic or note id)."""
    field_name = _option_field(vote)
    rows = Dot.objects.filter(vote=vote).values_list(field_name).annotate(n=Count("id")).order_by()
    return dict(rows)


def _with_counts(options: list[Option], totals: dict[int, int]) -> list[Option]:
    top = max([totals.get(o.id, 0) for o in options], default=0)
    for option in options:
        option.count = totals.get(option.id, 0)
        option.percent = round(100 * option.count / top) if top else 0
    return options


def _ranked(options: list[Option]) -> list[Option]:
    """Most dots first; equal counts share a rank (1, 2, 2, 4) and keep their own order."""
    ordered = sorted(options, key=lambda o: (-o.count, o.position))
    for position, option in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        option.rank = previous.rank if previous and previous.count == option.count else position
    return ordered


def ranking(*, vote: DotVote) -> list[Option]:
    """The options with their dots, most first; equal counts share a rank."""
    return _ranked(_with_counts(options_of(vote), counts(vote)))


def vote_title(vote: DotVote) -> str:
    """Short: the screens show the agenda item's own title next to it."""
    if vote.on_notes:
        return _("The notes of item %(number)s") % {"number": vote.round.item.number}
    return _("The topics of item %(number)s") % {"number": vote.item.number}


class Board:
    """A vote as the wall and the console show it: every option with its dots.

    While a vote is open the options keep their order, so bars grow in place;
    once closed they stand in rank order. Lazy: nothing is counted until shown.
    """

    def __init__(self, vote: DotVote, *, ranked: bool | None = None):
        self.vote = vote
        self.ranked = not vote.is_open if ranked is None else ranked

    @cached_property
    def options(self) -> list[Option]:
        options = _with_counts(options_of(self.vote), counts(self.vote))
        return _ranked(options) if self.ranked else options

    @cached_property
    def dots(self) -> int:
        return sum(option.count for option in self.options)

    @cached_property
    def voters(self) -> int:
        by = "group" if self.vote.per_group else "voter"
        return Dot.objects.filter(vote=self.vote).values(by).distinct().count()

    @property
    def title(self) -> str:
        return vote_title(self.vote)


def _voter_dots(vote: DotVote, participant: Participant):
    dots = Dot.objects.filter(vote=vote)
    if vote.per_group:
        return dots.filter(group_id=participant.group_id)
    return dots.filter(voter_id=participant.pk)


def _used(vote: DotVote, participant: Participant) -> int:
    # Dots on a note the facilitator hid since are given back.
    return _voter_dots(vote, participant).exclude(note__hidden=True).count()


@dataclass
class Ballot:
    """A vote as one phone sees it: the options it may vote on, its own dots, dots left."""

    vote: DotVote
    participant: Participant
    options: list[Option]
    left: int
    results: Board | None = None  # the ranking, once the facilitator reveals it

    @property
    def title(self) -> str:
        return vote_title(self.vote)

    @property
    def left_marks(self) -> str:
        return "\u25cb" * self.left


def ballot(vote: DotVote, participant: Participant) -> Ballot:
    options = options_of(vote, exclude_group_id=participant.group_id)
    mine = _voter_dots(vote, participant)
    mine_by_option = dict(mine.values_list(_option_field(vote)).annotate(n=Count("id")).order_by())
    for option in options:
        option.mine = mine_by_option.get(option.id, 0)
    results = Board(vote, ranked=True) if vote.results_revealed else None
    left = max(0, vote.dots_per_voter - _used(vote, participant))
    return Ballot(vote=vote, participant=participant, options=options, left=left, results=results)


def current_vote(workshop: Workshop) -> DotVote | None:
    """The vote the room is in: the open one, else the latest on the current agenda item."""
    votes = DotVote.objects.filter(workshop=workshop).select_related("item", "round__item")
    open_vote = votes.filter(state=DotVote.State.OPEN).order_by("-created_at", "-id").first()
    if open_vote or not workshop.current_item_id:
        return open_vote
    item_id = workshop.current_item_id
    return (
        votes.filter(Q(item_id=item_id) | Q(round__item_id=item_id))
        .order_by("-created_at", "-id")
        .first()
    )


class VoteSetup:
    """What the console offers: the latest vote and its ranking, and what a new one can be on.

    Lazy, so a screen that never shows the console's vote panel pays nothing.
    """

    def __init__(self, workshop: Workshop):
        self.workshop = workshop

    @cached_property
    def latest(self) -> Board | None:
        vote = (
            DotVote.objects.filter(workshop=self.workshop)
            .select_related("item", "round__item")
            .order_by(
                Case(
                    When(state=DotVote.State.OPEN, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
                "-created_at",
                "-id",
            )
            .first()
        )
        return Board(vote) if vote else None

    @cached_property
    def items(self) -> list[AgendaItem]:
        """Agenda items with topics to vote on."""
        return list(
            self.workshop.items.annotate(topic_count=Count("topics"))
            .filter(topic_count__gt=0)
            .order_by("number")
        )

    @cached_property
    def rounds(self) -> list[BuzzRound]:
        """Buzz rounds that have run (their notes are the options)."""
        return list(
            BuzzRound.objects.filter(item__workshop=self.workshop)
            .exclude(state=BuzzRound.State.READY)
            .select_related("item")
            .annotate(note_count=Count("notes", filter=Q(notes__hidden=False)))
            .order_by("item__number", "position")
        )

    @property
    def max_dots(self) -> int:
        return MAX_DOTS


# --- Writing ------------------------------------------------------------------


def _publish(vote: DotVote, kind: str, *, group_id: int | None = None) -> None:
    if kind != "vote.changed" or vote.results_revealed:
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
    if isinstance(value, bool):
        raise VoteError(message)
    try:
        return int(value)
    except (TypeError, ValueError):
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
) -> DotVote:
    """Open a vote on an item's topics or a round's notes; one vote is open at a time."""
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
            if not Note.objects.filter(round=buzz_round, hidden=False).exists():
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
        )
        _publish(vote, "vote.opened")
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
        _publish(vote, "vote.changed", group_id=participant.group_id)
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
        _publish(vote, "vote.closed")
    return vote


def vote_reveal(*, vote: DotVote, revealed: bool = True) -> DotVote:
    """Show the results on the phones too (or hide them again)."""
    with transaction.atomic():
        vote = _locked(vote)
        if vote.results_revealed == revealed:
            return vote
        vote.results_revealed = revealed
        vote.save(update_fields=["results_revealed"])
        _publish(vote, "vote.revealed")
    return vote
