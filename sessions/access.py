"""Who may touch which workshop. Every view and consumer fetches through these,
so a permission check is never forgotten: absent and not-yours look the same (404).

A workshop has an owner, and may have co-facilitators and moderators
(``Membership``). Each facilitator URL and console action names the power it
needs; ``workshop_for_facilitator`` is the one place that knows which role has
which power.
"""

import enum

from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest

from sessions.models import Membership, Workshop, normalise_join_code

# Where a browser session keeps the participant it is, per workshop.
PARTICIPANTS_SESSION_KEY = "summa_participants"
# The same for a phone's socket, per join code (the socket's URL names the code).
PHONE_SOCKETS_SESSION_KEY = "summa_phone_sockets"


class Power(enum.StrEnum):
    VIEW = "view"  # the console and the wall
    MODERATE = "moderate"  # hide, highlight and approve notes
    RUN = "run"  # the run of the show, the agenda, groups, votes, exports, run again
    MANAGE = "manage"  # people in the workshop, deleting it


OWNER = "owner"
POWERS = {
    OWNER: frozenset(Power),
    Membership.Role.COFACILITATOR: frozenset({Power.VIEW, Power.MODERATE, Power.RUN}),
    Membership.Role.MODERATOR: frozenset({Power.VIEW, Power.MODERATE}),
}


def workshop_for_facilitator(user, code: str, *, need: Power) -> Workshop:
    """The workshop with this join code, if ``user`` has the power ``need`` in it; else 404.

    The workshop comes back with ``role`` and ``powers`` set, for the templates.
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404
    # The workshop and the user's membership in it, in one query.
    membership = Membership.objects.filter(workshop=OuterRef("pk"), user=user).values("role")
    workshop = (
        Workshop.objects.filter(join_code=normalise_join_code(code))
        .annotate(member_role=Subquery(membership[:1]))
        .first()
    )
    role = None
    if workshop is not None:
        role = OWNER if workshop.owner_id == user.pk else workshop.member_role
    if role is None or need not in POWERS[role]:
        raise Http404
    workshop.role = role
    workshop.powers = {power.value: True for power in POWERS[role]}
    return workshop


def workshops_of(user):
    """The workshops a facilitator owns or helps run, newest first."""
    from django.db.models import Q

    return Workshop.objects.filter(Q(owner=user) | Q(memberships__user=user)).distinct()


def joinable_workshop(code: str) -> Workshop:
    """A workshop a phone may join: it exists and has not ended; else 404."""
    try:
        return Workshop.objects.exclude(state=Workshop.State.ENDED).get(
            join_code=normalise_join_code(code)
        )
    except Workshop.DoesNotExist:
        raise Http404 from None


def participant_id_in_session(session, workshop_id: int) -> int | None:
    return (session.get(PARTICIPANTS_SESSION_KEY) or {}).get(str(workshop_id))


def remember_participant(
    request: HttpRequest, workshop: Workshop, participant_id: int, group_id: int | None
) -> None:
    known = dict(request.session.get(PARTICIPANTS_SESSION_KEY) or {})
    known[str(workshop.pk)] = participant_id
    request.session[PARTICIPANTS_SESSION_KEY] = known
    remember_phone_socket(request, workshop, participant_id, group_id)


def remember_phone_socket(
    request: HttpRequest, workshop: Workshop, participant_id: int, group_id: int | None
) -> None:
    """What a phone's socket needs to connect without a query, by join code: the
    workshop, the participant, its group as the page showed it and the workshop's
    language. Written when it changed (a join, a phone page after a move)."""
    sockets = dict(request.session.get(PHONE_SOCKETS_SESSION_KEY) or {})
    entry = [workshop.pk, participant_id, group_id, workshop.language]
    if sockets.get(workshop.join_code) != entry:
        sockets[workshop.join_code] = entry
        request.session[PHONE_SOCKETS_SESSION_KEY] = sockets


def phone_socket_in_session(session, code: str) -> tuple[int, int, int | None, str] | None:
    """``(workshop_id, participant_id, group_id, language)`` as the session keeps them."""
    entry = (session.get(PHONE_SOCKETS_SESSION_KEY) or {}).get(normalise_join_code(code))
    if not isinstance(entry, list) or len(entry) != 4:
        return None
    workshop_id, participant_id, group_id, language = entry
    return workshop_id, participant_id, group_id, language


def login_first(patterns: list) -> list:
    """Every facilitator URL (``w/...``) sends anyone not logged in to the login page,
    and on to the page after it. Declared once here for each app's URLs, so no new
    facilitator view can forget it; ``workshop_for_facilitator`` then checks the role."""
    from django.contrib.auth.decorators import login_required

    for pattern in patterns:
        if str(pattern.pattern).startswith("w/"):
            pattern.callback = login_required(pattern.callback)
    return patterns
