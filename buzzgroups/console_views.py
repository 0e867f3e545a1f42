"""The facilitator's screens: the console on the laptop, the wall on the projector,
the table cards, the groups, and moderation of notes. Owner only; 404 for anyone else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from buzzgroups import screens, services, theme_screens
from buzzgroups.models import BuzzGroup, Note, Participant
from sessions.access import Power, workshop_for_facilitator
from sessions.models import MAX_GROUPS
from sessions.numbers import MAX_ID, NumberError, whole_number
from sessions.services import close_overdue_rounds


def _join_context(request: HttpRequest, workshop) -> dict:
    url = screens.join_url(workshop, request)
    return {
        "join_url": url,
        "join_qr": screens.qr_svg(url, title=_("Join %(code)s") % {"code": workshop.join_code}),
    }


def _screen(request: HttpRequest, code: str):
    """The workshop a facilitator's screen shows, brought up to date, and its stage."""
    workshop = workshop_for_facilitator(request.user, code, need=Power.VIEW)
    role, powers = workshop.role, workshop.powers
    close_overdue_rounds(workshop=workshop)
    workshop.refresh_from_db()
    workshop.role, workshop.powers = role, powers
    services.groups_ensure(workshop)
    context = screens.stage(workshop)
    context.update(
        _join_context(request, workshop),
        online=screens.phones_online(workshop),
        seq=workshop.seq,
    )
    return workshop, context


@login_required
def console(request: HttpRequest, code: str) -> HttpResponse:
    workshop, context = _screen(request, code)
    context.update(
        agenda=screens.agenda(workshop),
        columns=screens.wall_columns(workshop, context["round"], include_hidden=True),
        held=list(screens.held_queue(workshop)),
    )
    return render(request, "buzzgroups/console.html", context)


@login_required
def wall(request: HttpRequest, code: str) -> HttpResponse:
    workshop, context = _screen(request, code)
    context["themes"] = theme_screens.wall_board(workshop, context["round"])
    if context["themes"] is None:
        context["columns"] = screens.wall_columns(workshop, context["round"])
    # The room reads the wall in the workshop's language (its socket frames are in it too).
    with translation.override(workshop.language):
        return render(request, "buzzgroups/wall.html", context)


@login_required
def table_cards(request: HttpRequest, code: str) -> HttpResponse:
    """A printable card per group whose QR code puts a phone straight into that group."""
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    cards = []
    for group in services.groups_ensure(workshop):
        url = screens.join_url(workshop, request, group=group)
        cards.append(
            {"group": group, "url": url, "qr": screens.qr_svg(url, scale=8, title=group.name)}
        )
    return render(request, "buzzgroups/table_cards.html", {"workshop": workshop, "cards": cards})


@login_required
def groups(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    services.groups_ensure(workshop)
    context = {
        "workshop": workshop,
        "groups": screens.groups_with_counts(workshop),
        "participants": workshop.participants.select_related("group"),
    }
    return render(request, "buzzgroups/groups.html", context)


def _back_to_groups(
    request: HttpRequest, code: str, error: Exception | None = None
) -> HttpResponse:
    if error is not None:
        messages.error(request, str(error))
    return redirect("buzzgroups:groups", code)


@login_required
@require_POST
def groups_count(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    try:
        if request.POST.get("size", "").strip():
            size = whole_number(
                request.POST["size"], low=1, high=10_000, what=_("People per group")
            )
            services.groups_set_size(workshop=workshop, size=size)
        else:
            count = whole_number(
                request.POST.get("count", ""), low=1, high=MAX_GROUPS, what=_("Groups")
            )
            services.groups_set_count(workshop=workshop, count=count)
    except ValueError as error:  # NumberError or GroupError: the reason, on the page
        return _back_to_groups(request, code, error)
    messages.success(request, _("The groups are updated."))
    return _back_to_groups(request, code)


@login_required
@require_POST
def group_rename(request: HttpRequest, code: str, group_id: int) -> HttpResponse:
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    group = get_object_or_404(BuzzGroup, pk=group_id, workshop=workshop)
    try:
        services.group_rename(group=group, name=request.POST.get("name", ""))
    except services.GroupError as error:
        return _back_to_groups(request, code, error)
    return _back_to_groups(request, code)


@login_required
@require_POST
def participant_move(request: HttpRequest, code: str, participant_id: int) -> HttpResponse:
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    participant = get_object_or_404(Participant, pk=participant_id, workshop=workshop)
    try:
        group_id = whole_number(request.POST.get("group", ""), low=1, high=MAX_ID, what=_("Group"))
    except NumberError as error:
        return _back_to_groups(request, code, error)
    group = get_object_or_404(BuzzGroup, pk=group_id, workshop=workshop)
    services.participant_move(participant=participant, group=group)
    return _back_to_groups(request, code)


@require_POST
def room_set(request: HttpRequest, code: str) -> HttpResponse:
    """Lock or open the room, and set the most participants it takes."""
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    locked = {"1": True, "0": False}.get(request.POST.get("locked", ""))
    cap = request.POST.get("cap", "").strip()
    try:
        cap_number = None
        if cap:
            cap_number = whole_number(
                cap, low=1, high=services.MAX_PARTICIPANT_CAP, what=_("Most participants")
            )
        services.room_set(workshop=workshop, locked=locked, cap=cap_number)
    except ValueError as error:  # NumberError or GroupError: the reason, on the page
        return _back_to_groups(request, code, error)
    return _back_to_groups(request, code)


@require_POST
def participant_remove(request: HttpRequest, code: str, participant_id: int) -> HttpResponse:
    """Take a participant and all their notes out of the workshop, on every screen."""
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    participant = get_object_or_404(Participant, pk=participant_id, workshop=workshop)
    name = str(participant)
    count = services.participants_remove(workshop=workshop, participant_ids=[participant.pk])
    messages.success(
        request,
        ngettext(
            "%(name)s and %(count)s note were removed.",
            "%(name)s and %(count)s notes were removed.",
            count,
        )
        % {"name": name, "count": count},
    )
    return _back_to_groups(request, code)


@require_POST
def run_again(request: HttpRequest, code: str) -> HttpResponse:
    """A new workshop from this one's agenda and groups, with a new join code."""
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    copy = services.workshop_run_again(workshop=workshop, owner=request.user)
    messages.success(
        request,
        _("A new workshop from the same agenda is ready. Its join code is %(code)s.")
        % {"code": copy.join_code},
    )
    return redirect("buzzgroups:console", copy.join_code)


def _moderated(request: HttpRequest, code: str, note: Note) -> HttpResponse:
    if request.htmx:
        return render(
            request, "buzzgroups/_console_note.html", {"note": note, "workshop": note.workshop}
        )
    return redirect("buzzgroups:console", code)


def _note(request: HttpRequest, code: str, note_id: int) -> Note:
    workshop = workshop_for_facilitator(request.user, code, need=Power.MODERATE)
    return get_object_or_404(
        Note.objects.select_related("group", "author", "prompt", "topic"),
        pk=note_id,
        workshop=workshop,
    )


@login_required
@require_POST
def note_hide(request: HttpRequest, code: str, note_id: int) -> HttpResponse:
    hidden = request.POST.get("hidden", "1") == "1"
    note = services.note_hide(note=_note(request, code, note_id), hidden=hidden)
    return _moderated(request, code, note)


@login_required
@require_POST
def note_approve(request: HttpRequest, code: str, note_id: int) -> HttpResponse:
    note = services.note_approve(note=_note(request, code, note_id))
    return _moderated(request, code, note)


@require_POST
def note_highlight(request: HttpRequest, code: str, note_id: int) -> HttpResponse:
    highlighted = request.POST.get("highlighted", "1") == "1"
    note = services.note_highlight(note=_note(request, code, note_id), highlighted=highlighted)
    return _moderated(request, code, note)
