"""The live frames of dot-voting: the wall's chart, the console's panel, the phones.

Counts go to the wall and the console as dots arrive; the phones hear them only
once the facilitator reveals the results, so nobody follows the crowd. A phone's
own cards are its own, so a frame never carries them: it asks the phone to fetch
them (``_vote_loader.html``, ``_vote_refresh.html``).
"""

from django.template.loader import render_to_string
from django.utils.translation import get_language

from buzzgroups.live import once, show_frame
from buzzgroups.models import DotVote
from buzzgroups.voting import Board, VoteSetup
from sessions.broadcast import CONSOLE, PHONE, WALL, Frame, renderer
from sessions.models import Event


def vote_data(vote: DotVote, role: str, board: Board | None = None) -> dict:
    data = {
        "id": vote.pk,
        "state": vote.state,
        "revealed": vote.results_revealed,
        "per_group": vote.per_group,
    }
    if role != PHONE or vote.results_revealed:
        board = board or Board(vote)
        data["dots"] = board.dots
        data["options"] = [{"id": o.id, "count": o.count} for o in board.options]
    return data


def console_panel(vote: DotVote, board: Board | None = None) -> str:
    workshop = vote.workshop
    setup = VoteSetup(workshop)
    if board is not None and vote.is_open:
        # The open vote is the one the panel shows: counted once for the wall and the console.
        setup.latest = board
    return render_to_string(
        "buzzgroups/_vote_console.html",
        {"workshop": workshop, "vote_setup": setup, "vote_oob": True},
    )


def _vote(event: Event) -> DotVote | None:
    """The event's vote, loaded once for every role and language rendered from it."""
    return once(
        event,
        "vote",
        lambda: (
            DotVote.objects.filter(pk=event.ref_id)
            .select_related("workshop", "item", "round__item")
            .first()
        ),
    )


def _board(event: Event, vote: DotVote) -> Board:
    """The vote's options and counts, once per language (an option's detail is translated)."""
    return once(event, ("board", get_language()), lambda: Board(vote))


@renderer(Event.Kind.VOTE_OPENED)
@renderer(Event.Kind.VOTE_CLOSED)
@renderer(Event.Kind.VOTE_REVEALED)
def vote_stage_frame(event: Event, role: str) -> Frame:
    """Opening, closing or revealing changes what every screen shows: the whole stage."""
    frame = show_frame(event, role)
    vote = _vote(event)
    if vote is None:
        return frame
    if role == CONSOLE:
        frame.html += console_panel(vote)
    frame.data = {**(frame.data or {}), "vote": vote_data(vote, role)}
    return frame


@renderer(Event.Kind.VOTE_CHANGED)
def vote_changed_frame(event: Event, role: str) -> Frame:
    """Dots moved: the wall's bars and the console's panel grow; phones see what they may."""
    vote = _vote(event)
    if vote is None:
        return Frame()
    board = _board(event, vote) if role != PHONE or vote.results_revealed else None
    data = {"vote": vote_data(vote, role, board)}
    workshop = vote.workshop
    if role == WALL:
        context = {"workshop": workshop, "vote": board, "vote_oob": True}
        return Frame(html=render_to_string("buzzgroups/_vote_wall.html", context), data=data)
    if role == CONSOLE:
        return Frame(html=console_panel(vote, board), data=data)
    html = ""
    if vote.results_revealed:
        context = {"results": Board(vote, ranked=True), "vote_oob": True}
        html += render_to_string("buzzgroups/_vote_results.html", context)
    if vote.per_group:
        # The group shares its dots: its phones fetch their cards again.
        html += render_to_string("buzzgroups/_vote_refresh.html", {"workshop": workshop})
    return Frame(html=html, data=data)
