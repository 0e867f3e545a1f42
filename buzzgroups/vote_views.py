"""Dot-voting over HTTP: the facilitator opens, closes and reveals a vote from the
console (owner only, 404 otherwise); a phone places and takes back dots, one POST
per dot, as plain forms that htmx upgrades to swapping the cards in place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from buzzgroups import voting
from buzzgroups.models import DotVote
from buzzgroups.phone_views import _phone_or_join
from sessions.access import Power, workshop_for_facilitator
from sessions.models import AgendaItem, BuzzRound
from sessions.numbers import MAX_ID, NumberError, whole_number
from sessions.responses import console_action_done, console_action_refused


def _id(raw) -> int:
    try:
        return whole_number(raw, low=1, high=MAX_ID, what="id")
    except NumberError:
        raise Http404 from None


@login_required
@require_POST
def vote_open(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    kind, _sep, raw_id = request.POST.get("target", "").partition("-")
    item = buzz_round = None
    if kind == "item":
        item = get_object_or_404(AgendaItem, pk=_id(raw_id), workshop=workshop)
    elif kind in ("round", "themes"):
        buzz_round = get_object_or_404(
            BuzzRound.objects.select_related("item"), pk=_id(raw_id), item__workshop=workshop
        )
    try:
        voting.vote_open(
            workshop=workshop,
            item=item,
            buzz_round=buzz_round,
            dots=request.POST.get("dots") or 3,
            max_per_option=request.POST.get("max_per_option") or None,
            voters=request.POST.get("voters") or DotVote.Voters.PARTICIPANT,
            exclude_own_group=request.POST.get("exclude_own_group") == "1",
            on_themes=kind == "themes",
        )
    except voting.VoteError as error:
        return console_action_refused(request, code, error)
    return console_action_done(request, code)


def _facilitator_vote(request: HttpRequest, code: str, vote_id: int) -> DotVote:
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    return get_object_or_404(DotVote, pk=vote_id, workshop=workshop)


@login_required
@require_POST
def vote_close(request: HttpRequest, code: str, vote_id: int) -> HttpResponse:
    voting.vote_close(vote=_facilitator_vote(request, code, vote_id))
    return console_action_done(request, code)


@login_required
@require_POST
def vote_reveal(request: HttpRequest, code: str, vote_id: int) -> HttpResponse:
    vote = _facilitator_vote(request, code, vote_id)
    voting.vote_reveal(vote=vote, revealed=request.POST.get("revealed", "1") == "1")
    return console_action_done(request, code)


def _ballot(request: HttpRequest, workshop, ballot, error: str = "", status: int = 200):
    context = {"workshop": workshop, "ballot": ballot, "vote_error": error}
    return render(request, "buzzgroups/_vote_ballot.html", context, status=status)


@require_GET
def vote_phone(request: HttpRequest, code: str) -> HttpResponse:
    """The phone's cards for the vote the room is in (fetched when a frame says so)."""
    workshop, participant = _phone_or_join(request, code)
    vote = voting.current_vote(workshop)
    return _ballot(request, workshop, voting.ballot(vote, participant) if vote else None)


@require_POST
def vote_dot(request: HttpRequest, code: str, vote_id: int) -> HttpResponse:
    """One dot more (``delta=1``) or fewer (``delta=-1``) on one option, or ``count`` of them."""
    workshop, participant = _phone_or_join(request, code)
    vote = get_object_or_404(
        DotVote.objects.select_related("item", "round__item"), pk=vote_id, workshop=workshop
    )
    count = request.POST.get("count")
    error = ""
    try:
        voting.dots_set(
            vote=vote,
            participant=participant,
            option_id=request.POST.get("option"),
            count=count if count not in (None, "") else None,
            delta=request.POST.get("delta", "1") if count in (None, "") else None,
        )
    except voting.VoteError as problem:
        error = str(problem)
    if request.htmx:
        # Closed or revealed meanwhile? What it is on never changes.
        vote.refresh_from_db(fields=["state", "closed_at", "results_revealed"])
        return _ballot(
            request, workshop, voting.ballot(vote, participant), error, 400 if error else 200
        )
    if error:
        messages.error(request, error)
    return redirect(reverse("buzzgroups:phone", args=[workshop.join_code]) + "#vote-phone")
