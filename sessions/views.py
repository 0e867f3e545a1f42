"""The facilitator's workshops and the run of the show."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from sessions import agenda_services, services
from sessions.access import OWNER, POWERS, Power, workshop_for_facilitator, workshops_of
from sessions.forms import ProgramUploadForm
from sessions.models import MAX_GROUPS, AgendaItem, BuzzRound, Membership
from sessions.numbers import NumberError, whole_number
from sessions.program import ProgramError, decode_program, parse_program
from sessions.program_export import program_filename, program_text
from sessions.responses import console_action_done, console_action_refused


def login_locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """What django-axes answers a locked-out login (AXES_LOCKOUT_CALLABLE): 429 and when to retry."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"lockout_minutes": minutes}, status=429)


@login_required
def workshop_list(request: HttpRequest) -> HttpResponse:
    workshops = list(
        workshops_of(request.user).select_related("owner").prefetch_related("memberships")
    )
    for workshop in workshops:
        workshop.role = OWNER
        for membership in workshop.memberships.all():
            if membership.user_id == request.user.pk:
                workshop.role = membership.role
        workshop.powers = {power.value: True for power in POWERS[workshop.role]}
    return render(request, "sessions/workshop_list.html", {"workshops": workshops})


@login_required
def workshop_new(request: HttpRequest) -> HttpResponse:
    form = ProgramUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = parse_program(decode_program(form.cleaned_data["program"].read()))
        except ProgramError as error:
            form.add_error("program", program_error_message(error))
        else:
            workshop = services.workshop_create(
                owner=request.user,
                program=program,
                title=form.cleaned_data["title"] or None,
                language=form.cleaned_data["language"],
            )
            messages.success(
                request,
                _("The workshop is ready. Its join code is %(code)s.")
                % {"code": workshop.join_code},
            )
            return redirect("buzzgroups:console", workshop.join_code)
    status = 400 if form.errors else 200
    return render(request, "sessions/workshop_new.html", {"form": form}, status=status)


@require_safe
@never_cache
def program_download(request: HttpRequest, code: str) -> HttpResponse:
    """The agenda as a program file, in the format the import reads."""
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    return HttpResponse(
        program_text(workshop),
        content_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{program_filename(workshop)}"'},
    )


def program_error_message(error: ProgramError) -> str:
    if error.line:
        return _("Line %(line)s: %(reason)s") % {"line": error.line, "reason": error.reason}
    return error.reason


def show_action(act):
    """A facilitator's POST that moves the show: anonymous to the login, the owner and
    co-facilitators, 404 for anyone else."""

    @login_required
    @require_POST
    def view(request: HttpRequest, code: str, **kwargs) -> HttpResponse:
        workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
        try:
            act(request, workshop, **kwargs)
        except ValueError as error:  # ShowError, or a number that is not one
            return console_action_refused(request, code, error)
        return console_action_done(request, code)

    view.__name__ = act.__name__
    return view


def _minutes(request: HttpRequest, default: int | None = None) -> int | None:
    raw = request.POST.get("minutes", "").strip()
    if not raw:
        return default
    try:
        return whole_number(raw, low=-24 * 60, high=24 * 60, what=_("Minutes"))
    except NumberError:
        raise services.ShowError(_("Give the minutes as a whole number.")) from None


def _round(workshop, round_id: int) -> BuzzRound:
    return get_object_or_404(BuzzRound, pk=round_id, item__workshop=workshop)


@show_action
def show_start(request, workshop):
    services.show_start(workshop=workshop)


@show_action
def show_next(request, workshop):
    services.show_next(workshop=workshop)


@show_action
def show_back(request, workshop):
    services.show_back(workshop=workshop)


@show_action
def show_goto(request, workshop, number: int):
    services.show_goto(workshop=workshop, number=number)


@show_action
def workshop_end(request, workshop):
    services.workshop_end(workshop=workshop)


@show_action
def round_open(request, workshop, round_id: int):
    services.round_open(buzz_round=_round(workshop, round_id), minutes=_minutes(request))


@show_action
def round_extend(request, workshop, round_id: int):
    services.round_extend(buzz_round=_round(workshop, round_id), minutes=_minutes(request, 2))


@show_action
def round_close(request, workshop, round_id: int):
    services.round_close(buzz_round=_round(workshop, round_id))


@show_action
def round_prompts(request, workshop, round_id: int):
    titles = request.POST.get("prompts", "").splitlines()
    services.prompts_set(buzz_round=_round(workshop, round_id), titles=titles)


@show_action
def item_plan(request, workshop, number: int):
    item = get_object_or_404(workshop.items, number=number)
    services.item_plan(item=item, minutes=_minutes(request))


@show_action
def hold_notes(request, workshop):
    services.workshop_hold_notes(workshop=workshop, hold=request.POST.get("hold") == "1")


@show_action
def wall_layout(request, workshop):
    services.wall_set(workshop=workshop, layout=request.POST.get("layout", ""))


@show_action
def wall_reveal(request, workshop):
    raw = request.POST.get("count", "").strip()
    count = (
        None
        if raw in ("all", "")
        else whole_number(raw, low=0, high=MAX_GROUPS, what=_("The number of groups to show"))
    )
    services.wall_set(workshop=workshop, revealed_groups=count)


def people(request: HttpRequest, code: str) -> HttpResponse:
    """Who helps run the workshop: the owner adds and removes co-facilitators and moderators."""
    workshop = workshop_for_facilitator(request.user, code, need=Power.MANAGE)
    context = {
        "workshop": workshop,
        "memberships": workshop.memberships.select_related("user"),
        "roles": Membership.Role.choices,
    }
    return render(request, "sessions/people.html", context)


@require_POST
def people_add(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_facilitator(request.user, code, need=Power.MANAGE)
    try:
        membership = services.membership_add(
            workshop=workshop,
            username=request.POST.get("username", ""),
            role=request.POST.get("role", ""),
        )
    except services.PeopleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s in this workshop.")
            % {"name": membership.user, "role": membership.get_role_display().lower()},
        )
    return redirect("sessions:people", workshop.join_code)


@require_POST
def people_remove(request: HttpRequest, code: str, membership_id: int) -> HttpResponse:
    workshop = workshop_for_facilitator(request.user, code, need=Power.MANAGE)
    membership = get_object_or_404(Membership, pk=membership_id, workshop=workshop)
    services.membership_remove(membership=membership)
    messages.success(
        request, _("%(name)s no longer helps run this workshop.") % {"name": membership.user}
    )
    return redirect("sessions:people", workshop.join_code)


@require_POST
def workshop_delete(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_for_facilitator(request.user, code, need=Power.MANAGE)
    if request.POST.get("confirm") != workshop.join_code:
        messages.error(request, _("Type the join code to confirm that the workshop goes."))
        return redirect("sessions:people", workshop.join_code)
    services.workshop_delete(workshop=workshop)
    messages.success(request, _("The workshop “%(title)s” is deleted.") % {"title": workshop.title})
    return redirect("sessions:workshop_list")


# --- The agenda editor ---------------------------------------------------------


def agenda(request: HttpRequest, code: str) -> HttpResponse:
    """Edit the agenda: items, their text, order and buzz-group segments."""
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    items = workshop.items.prefetch_related("topics", "buzz_rounds__prompts").order_by("number")
    for item in items:
        item.points_text = "\n".join(
            f"{p['label']}: {p['text']}" if p.get("label") else p["text"] for p in item.points
        )
        item.topics_text = "\n".join(f"{t.name}. {t.description}" for t in item.topics.all())
        item.body_text = "\n".join(item.body)
    return render(request, "sessions/agenda.html", {"workshop": workshop, "items": items})


def agenda_action(act):
    """A POST from the agenda editor: the owner and co-facilitators; back to the editor."""

    @require_POST
    def view(request: HttpRequest, code: str, **kwargs) -> HttpResponse:
        workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
        anchor = ""
        try:
            anchor = act(request, workshop, **kwargs) or ""
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The agenda is saved."))
        return redirect(reverse("sessions:agenda", args=[workshop.join_code]) + anchor)

    view.__name__ = act.__name__
    return view


def _item(workshop, item_id: int) -> AgendaItem:
    return get_object_or_404(AgendaItem, pk=item_id, workshop=workshop)


@agenda_action
def agenda_item_new(request, workshop):
    item = agenda_services.item_create(workshop=workshop, title=request.POST.get("title", ""))
    return f"#item-{item.pk}"


@agenda_action
def agenda_item_edit(request, workshop, item_id: int):
    minutes = _minutes(request)
    with transaction.atomic():  # the text and the plan are saved together, or neither
        item = agenda_services.item_update(
            item=_item(workshop, item_id),
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
            points=request.POST.get("points", ""),
            topics=request.POST.get("topics", ""),
        )
        services.item_plan(item=item, minutes=minutes)
    return f"#item-{item.pk}"


@agenda_action
def agenda_item_move(request, workshop, item_id: int):
    item = _item(workshop, item_id)
    steps = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if steps is None:
        raise services.ShowError(_("Move an item up or down."))
    agenda_services.item_move(item=item, to=item.number + steps)
    return f"#item-{item.pk}"


@agenda_action
def agenda_item_delete(request, workshop, item_id: int):
    agenda_services.item_delete(item=_item(workshop, item_id))


@agenda_action
def agenda_segment_add(request, workshop, item_id: int):
    item = _item(workshop, item_id)
    agenda_services.segment_add(item=item, minutes=_minutes(request, 10))
    return f"#item-{item.pk}"


@agenda_action
def agenda_segment_edit(request, workshop, round_id: int):
    buzz_round = _round(workshop, round_id)
    agenda_services.segment_update(
        buzz_round=buzz_round,
        prompts=request.POST.get("prompts", "").splitlines(),
        minutes=_minutes(request, buzz_round.duration_minutes),
    )
    return f"#item-{buzz_round.item_id}"


@agenda_action
def agenda_segment_remove(request, workshop, round_id: int):
    buzz_round = _round(workshop, round_id)
    agenda_services.segment_remove(buzz_round=buzz_round)
    return f"#item-{buzz_round.item_id}"
