"""Who may touch which workshop. Every view and consumer fetches through these,
so a permission check is never forgotten: absent and not-yours look the same (404)."""

from django.http import Http404, HttpRequest

from sessions.models import Workshop, normalise_join_code

# Where a browser session keeps the participant it is, per workshop.
PARTICIPANTS_SESSION_KEY = "summa_participants"


def workshop_for_facilitator(user, code: str) -> Workshop:
    """The workshop with this join code, if ``user`` runs it; else 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return Workshop.objects.get(join_code=normalise_join_code(code), owner=user)
    except Workshop.DoesNotExist:
        raise Http404 from None


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


def remember_participant(request: HttpRequest, workshop_id: int, participant_id: int) -> None:
    known = dict(request.session.get(PARTICIPANTS_SESSION_KEY) or {})
    known[str(workshop_id)] = participant_id
    request.session[PARTICIPANTS_SESSION_KEY] = known
