"""The facilitator's workshops and the run of the show."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions import services
from sessions.access import workshop_for_facilitator
from sessions.forms import ProgramUploadForm
from sessions.models import MAX_GROUPS, BuzzRound
from sessions.numbers import NumberError, whole_number
from sessions.program import ProgramError, decode_program, parse_program
from sessions.responses import console_action_done, console_action_refused


@login_required
def workshop_list(request: HttpRequest) -> HttpResponse:
    workshops = request.user.workshops.all()
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


def program_error_message(error: ProgramError) -> str:
    if error.line:
        return _("Line %(line)s: %(reason)s") % {"line": error.line, "reason": error.reason}
    return error.reason


def show_action(act):
    """A facilitator's POST that moves the show: anonymous to the login, owner only, else 404."""

    @login_required
    @require_POST
    def view(request: HttpRequest, code: str, **kwargs) -> HttpResponse:
        workshop = workshop_for_facilitator(request.user, code)
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
    from django.shortcuts import get_object_or_404

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
    from django.shortcuts import get_object_or_404

    item = get_object_or_404(workshop.items, number=number)
    services.item_plan(item=item, minutes=_minutes(request))


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
