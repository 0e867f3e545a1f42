"""Reading a dot vote: its options with their dots, the ranking, a phone's ballot.

An option is a topic of an agenda item, a note of a buzz round, or a theme of
a buzz round; everything here counts alike for the phone, the wall, the
console and the export.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buzzgroups.models import Dot, DotVote, Note, Participant, Theme
from sessions.models import AgendaItem, BuzzRound, Topic, Workshop

MAX_DOTS = 20


class VoteError(ValueError):
    """A vote or a dot that is not allowed, with the reason to show."""


@dataclass
class Option:
    """A topic, a note or a theme as one line of a vote."""

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
    if vote.on_themes:
        return "theme_id"
    return "note_id" if vote.on_notes else "topic_id"


def options_of(vote: DotVote, *, exclude_group_id: int | None = None) -> list[Option]:
    """The options in their own order: the item's topics, the round's visible notes or themes."""
    if vote.on_themes:
        themes = (
            Theme.objects.filter(round_id=vote.round_id)
            .annotate(note_count=Count("notes", filter=Q(notes__hidden=False)))
            .order_by("order", "id")
        )
        return [
            Option(
                id=t.pk,
                label=t.title,
                detail=ngettext("%(count)s note", "%(count)s notes", t.note_count)
                % {"count": t.note_count},
                position=i,
            )
            for i, t in enumerate(themes)
        ]
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
    """Dots per option id (topic, note or theme id)."""
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
    if vote.on_themes:
        return _("The themes of item %(number)s") % {"number": vote.round.item.number}
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

    @cached_property
    def theme_rounds(self) -> list[BuzzRound]:
        """Buzz rounds with themes (the themes are the options)."""
        return list(
            BuzzRound.objects.filter(item__workshop=self.workshop)
            .select_related("item")
            .annotate(theme_count=Count("themes"))
            .filter(theme_count__gt=0)
            .order_by("item__number", "position")
        )

    @property
    def max_dots(self) -> int:
        return MAX_DOTS
