"""The participant's pages: the front page, joining, and the phone with its notes.

Every page works as a plain form without JavaScript; htmx and static/summa/phone.js
make it live and keep unsent notes safe on the phone.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from buzzgroups import screens, services, throttle
from buzzgroups.models import BuzzGroup, Note, Participant
from sessions.access import (
    joinable_workshop,
    participant_id_in_session,
    remember_participant,
    remember_phone_socket,
)
from sessions.models import Workshop, normalise_join_code

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def use_language(request: HttpRequest, workshop: Workshop) -> str:
    """The workshop's language, unless the participant chose another."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = chosen if chosen in LANGUAGE_CODES else workshop.language
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def unknown_code(request: HttpRequest, status: int = 404) -> HttpResponse:
    """One page for unknown and closed codes: nobody learns which codes exist."""
    if status == 404:
        throttle.record_wrong_code(request)
    return render(request, "buzzgroups/unknown_code.html", status=status)


def _joinable_or_none(request: HttpRequest, code: str) -> Workshop | None:
    try:
        return joinable_workshop(code)
    except Http404:
        return None


def home(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if throttle.wrong_codes_exceeded(request):
            return unknown_code(request, status=429)
        code = normalise_join_code(request.POST.get("code", ""))
        if code and _joinable_or_none(request, code):
            return redirect("buzzgroups:join", code)
        return unknown_code(request)
    return render(request, "buzzgroups/home.html")


def _participant(request: HttpRequest, workshop: Workshop) -> Participant | None:
    participant_id = participant_id_in_session(request.session, workshop.pk)
    if participant_id is None:
        return None
    return (
        Participant.objects.select_related("group", "workshop")
        .filter(pk=participant_id, workshop=workshop)
        .first()
    )


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str, number: int | None = None) -> HttpResponse:
    if throttle.wrong_codes_exceeded(request):
        return unknown_code(request, status=429)
    workshop = _joinable_or_none(request, code)
    if workshop is None:
        return unknown_code(request)
    use_language(request, workshop)
    group = None
    if number is not None:
        services.groups_ensure(workshop)
        group = BuzzGroup.objects.filter(workshop=workshop, number=number).first()
        if group is None:
            return unknown_code(request)
    participant = _participant(request, workshop)
    if participant is not None:
        if group is not None and participant.group_id != group.pk:
            services.participant_move(participant=participant, group=group)
        return redirect("buzzgroups:phone", workshop.join_code)
    context = {"workshop": workshop, "group": group, "error": None}
    if closed := services.joining_closed(workshop):
        # Locked or full: phones already in keep working, new ones wait outside.
        context["error"] = closed
        return render(request, "buzzgroups/join.html", context, status=403)
    if request.method == "POST":
        if throttle.joins_exceeded(request):
            context["error"] = _(
                "Very many phones joined from this network just now. Wait a minute and try again."
            )
            return render(request, "buzzgroups/join.html", context, status=429)
        try:
            participant = services.participant_join(
                workshop=workshop, nickname=request.POST.get("nickname", ""), group=group
            )
        except services.JoinClosed as problem:
            context["error"] = str(problem)
            return render(request, "buzzgroups/join.html", context, status=403)
        except (services.NoteError, services.GroupError) as problem:
            context["error"] = str(problem)
        else:
            throttle.record_join(request)
            # A new identity in the room: a new session key (no fixation).
            request.session.cycle_key()
            remember_participant(request, workshop, participant.pk, participant.group_id)
            return redirect("buzzgroups:phone", workshop.join_code)
    status = 400 if context["error"] else 200
    return render(request, "buzzgroups/join.html", context, status=status)


def _phone_context(request: HttpRequest, workshop: Workshop, participant: Participant) -> dict:
    context = screens.stage(workshop)
    group = participant.group
    context.update(
        participant=participant,
        group=group,
        people=group.participants.count() if group else 0,
        notes=screens.phone_notes(participant, context["round"]),
        new_client_id=uuid.uuid4(),
        seq=workshop.seq,
    )
    return context


def _phone_or_join(request: HttpRequest, code: str):
    workshop = get_object_or_404(Workshop, join_code=normalise_join_code(code))
    participant = _participant(request, workshop)
    if participant is None:
        raise Http404
    use_language(request, workshop)
    return workshop, participant


def phone(request: HttpRequest, code: str) -> HttpResponse:
    workshop = get_object_or_404(Workshop, join_code=normalise_join_code(code))
    participant = _participant(request, workshop)
    if participant is None:
        if workshop.is_ended:
            return unknown_code(request)
        return redirect("buzzgroups:join", workshop.join_code)
    use_language(request, workshop)
    # The socket connects with what the session says (written only if it changed:
    # after a move, or a session from before sockets read it).
    remember_phone_socket(request, workshop, participant.pk, participant.group_id)
    return render(request, "buzzgroups/phone.html", _phone_context(request, workshop, participant))


def phone_notes(request: HttpRequest, code: str) -> HttpResponse:
    """The group's notes in the current round, and the group's heading.

    The phone fetches it when a round starts and when it is moved to another group.
    """
    workshop, participant = _phone_or_join(request, code)
    context = _phone_context(request, workshop, participant)
    return render(request, "buzzgroups/_phone_notes_refresh.html", context)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
def note_create(request: HttpRequest, code: str) -> HttpResponse:
    workshop, participant = _phone_or_join(request, code)
    try:
        note, created = services.note_create(
            author=participant,
            text=request.POST.get("text", ""),
            prompt_id=request.POST.get("prompt"),
            topic_id=request.POST.get("topic") or None,
            client_id=request.POST.get("client_id"),
        )
    except services.NoteError as error:
        status = 429 if isinstance(error, services.TooFast) else 400
        return _note_refused(request, workshop, participant, str(error), status)
    if _wants_json(request):
        card = render(request, "buzzgroups/_phone_note.html", {"note": note, "mine": True}).content
        return JsonResponse(
            {
                "ok": True,
                "created": created,
                "note": {"id": note.pk, "client_id": str(note.client_id)},
                "html": card.decode(),
            },
            status=201 if created else 200,
        )
    messages.success(request, _("Your note was sent."))
    return redirect("buzzgroups:phone", workshop.join_code)


def _note_refused(request, workshop, participant, error: str, status: int) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": error}, status=status)
    context = _phone_context(request, workshop, participant)
    context.update(form_error=error, draft=request.POST.get("text", "")[:5000])
    return render(request, "buzzgroups/phone.html", context, status=status)


@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, code: str, note_id: int) -> HttpResponse:
    workshop, participant = _phone_or_join(request, code)
    note = get_object_or_404(Note, pk=note_id, author=participant, workshop=workshop)
    error = None
    if request.method == "POST":
        try:
            note = services.note_edit(
                author=participant, note_id=note.pk, text=request.POST.get("text", "")
            )
        except services.NoteError as problem:
            error = str(problem)
        else:
            if request.htmx:
                return render(request, "buzzgroups/_phone_note.html", {"note": note, "mine": True})
            return redirect("buzzgroups:phone", workshop.join_code)
    context = {
        "workshop": workshop,
        "note": note,
        "error": error,
        "draft": request.POST.get("text", note.text),
    }
    template = (
        "buzzgroups/note_edit.html#edit-form" if request.htmx else "buzzgroups/note_edit.html"
    )
    return render(request, template, context, status=400 if error else 200)


@require_POST
def note_delete(request: HttpRequest, code: str, note_id: int) -> HttpResponse:
    workshop, participant = _phone_or_join(request, code)
    get_object_or_404(Note, pk=note_id, author=participant, workshop=workshop)
    try:
        services.note_delete(author=participant, note_id=note_id)
    except services.NoteError as error:
        if request.htmx:
            return render(
                request, "_message.html", {"message": str(error), "level": "error"}, status=400
            )
        messages.error(request, str(error))
        return redirect("buzzgroups:phone", workshop.join_code)
    if request.htmx:
        return HttpResponse("")
    return redirect("buzzgroups:phone", workshop.join_code)
