"""The console's synthesis page: a round's notes pulled together into themes.

Owner only; 404 for anyone else, and for a round, theme or note of another
workshop. Every form works as a plain POST (then the page again); from
``static/summa/themes.js`` (an htmx-style request) the answer is the board,
with a sentence for screen readers in an ``HX-Trigger`` event.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from buzzgroups import theme_screens, themes
from buzzgroups.models import Note, Theme
from buzzgroups.screens import current_round
from sessions.access import Power, workshop_for_facilitator
from sessions.models import BuzzRound, Workshop

# Ids are database keys: anything outside a signed 64-bit integer is no id of ours.
MAX_ID = 2**63 - 1


def _id(value) -> int:
    """An id from a form or a URL, range-checked: ThemeError (a 400) if it is none."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise themes.ThemeError(
            _("That is not one of the notes or themes of this round.")
        ) from None
    if not 1 <= number <= MAX_ID:
        raise themes.ThemeError(_("That is not one of the notes or themes of this round."))
    return number


def _round(request: HttpRequest, code: str, round_id: int) -> tuple[Workshop, BuzzRound]:
    # Theming is running the show (the owner and co-facilitators).
    workshop = workshop_for_facilitator(request.user, code, need=Power.RUN)
    if not 1 <= round_id <= MAX_ID:
        raise Http404
    buzz_round = (
        BuzzRound.objects.filter(pk=round_id, item__workshop=workshop)
        .select_related("item")
        .first()
    )
    if buzz_round is None:
        raise Http404
    return workshop, buzz_round


def _in_path(model, buzz_round: BuzzRound, pk: int):
    """The note or theme a URL names, in this round; 404 if it is none of the round's."""
    found = model.objects.filter(pk=pk, round=buzz_round).first() if 1 <= pk <= MAX_ID else None
    if found is None:
        raise Http404
    return found


def _theme(buzz_round: BuzzRound, theme_id) -> Theme:
    theme = Theme.objects.filter(pk=_id(theme_id), round=buzz_round).first()
    if theme is None:
        raise themes.ThemeError(
            _("That theme no longer exists; the page shows the themes as they are now.")
        )
    return theme


def _note(buzz_round: BuzzRound, note_id) -> Note:
    note = Note.objects.filter(pk=_id(note_id), round=buzz_round).first()
    if note is None:
        raise themes.ThemeError(_("That is not one of the notes or themes of this round."))
    return note


def _context(request: HttpRequest, workshop: Workshop, buzz_round: BuzzRound) -> dict:
    board = theme_screens.theme_board(buzz_round, include_hidden=True, suggest=True)
    on_wall = current_round(workshop)
    board.step = workshop.wall_theme_step
    return {
        "workshop": workshop,
        "round": buzz_round,
        "item": buzz_round.item,
        "board": board,
        "on_wall": on_wall is not None and on_wall.pk == buzz_round.pk,
        "seq": workshop.seq,
    }


def synthesis(request: HttpRequest, code: str, round_id: int) -> HttpResponse:
    workshop, buzz_round = _round(request, code, round_id)
    context = _context(request, workshop, buzz_round)
    if request.htmx:
        return render(request, "buzzgroups/_theme_board.html", context)
    return render(request, "buzzgroups/themes.html", context)


def _done(request, code: str, buzz_round: BuzzRound, said: str) -> HttpResponse:
    if request.htmx:
        workshop = Workshop.objects.get(pk=buzz_round.item.workshop_id)
        response = render(
            request, "buzzgroups/_theme_board.html", _context(request, workshop, buzz_round)
        )
        return trigger_client_event(response, "summa:announce", {"text": said})
    messages.success(request, said)
    return redirect("buzzgroups:themes", code, buzz_round.pk)


def _refused(request, code: str, buzz_round: BuzzRound, error: Exception) -> HttpResponse:
    """A 400 with the reason: in the feedback area (themes.js), or on the page again."""
    if request.htmx:
        return render(
            request, "_message.html", {"message": str(error), "level": "error"}, status=400
        )
    workshop = Workshop.objects.get(pk=buzz_round.item.workshop_id)
    context = {**_context(request, workshop, buzz_round), "error": str(error)}
    return render(request, "buzzgroups/themes.html", context, status=400)


def theme_action(act):
    """A POST on a round's themes: owner only (404), a refusal is a 400 with its reason."""

    @require_POST
    def view(request: HttpRequest, code: str, round_id: int, **kwargs) -> HttpResponse:
        workshop, buzz_round = _round(request, code, round_id)
        try:
            said = act(request, buzz_round, **kwargs)
        except themes.ThemeError as error:
            return _refused(request, code, buzz_round, error)
        return _done(request, code, buzz_round, said)

    view.__name__ = act.__name__
    view.__doc__ = act.__doc__
    return view


@theme_action
def theme_create(request, buzz_round):
    theme = themes.theme_create(buzz_round=buzz_round, title=request.POST.get("title", ""))
    return _("Theme “%(title)s” made.") % {"title": theme.title}


@theme_action
def theme_rename(request, buzz_round, theme_id: int):
    theme = themes.theme_rename(
        theme=_in_path(Theme, buzz_round, theme_id), title=request.POST.get("title", "")
    )
    return _("Theme renamed to “%(title)s”.") % {"title": theme.title}


@theme_action
def theme_merge(request, buzz_round, theme_id: int):
    theme = _in_path(Theme, buzz_round, theme_id)
    into = themes.theme_merge(theme=theme, into=_theme(buzz_round, request.POST.get("into")))
    return _("“%(theme)s” merged into “%(into)s”.") % {"theme": theme.title, "into": into.title}


@theme_action
def theme_reorder(request, buzz_round, theme_id: int):
    theme = themes.theme_reorder(
        theme=_in_path(Theme, buzz_round, theme_id), position=request.POST.get("position")
    )
    return _("“%(title)s” is now theme %(position)s.") % {
        "title": theme.title,
        "position": theme.order,
    }


@theme_action
def theme_delete(request, buzz_round, theme_id: int):
    theme = _in_path(Theme, buzz_round, theme_id)
    themes.theme_delete(theme=theme)
    return _("Theme “%(title)s” removed; its notes are in no theme.") % {"title": theme.title}


@theme_action
def note_set_theme(request, buzz_round, note_id: int):
    """Move a note: ``theme`` is a theme id, "new" or empty (no theme); ``onto`` a note id."""
    note = _in_path(Note, buzz_round, note_id)
    if request.POST.get("onto", "").strip():
        note = themes.note_set_theme(note=note, onto=_note(buzz_round, request.POST["onto"]))
    else:
        choice = request.POST.get("theme", "").strip()
        if choice == "new":
            theme = themes.theme_create(buzz_round=buzz_round, notes=[note])
            return _("Note moved to a new theme, “%(title)s”.") % {"title": theme.title}
        theme = _theme(buzz_round, choice) if choice else None
        note = themes.note_set_theme(note=note, theme=theme)
    if note.theme is None:
        return _("Note moved out of its theme.")
    return _("Note moved to “%(title)s”.") % {"title": note.theme.title}


@theme_action
def wall_theme_step(request, buzz_round):
    """Step through the themes on the wall: a place (1, 2, ...) or "all"."""
    workshop = Workshop.objects.get(pk=buzz_round.item.workshop_id)
    on_wall = current_round(workshop)
    if on_wall is None or on_wall.pk != buzz_round.pk:
        raise themes.ThemeError(_("This buzz round is not the one on the wall."))
    raw = request.POST.get("step", "").strip()
    step = None if raw in ("", "all") else raw
    workshop = themes.wall_theme_step(workshop=workshop, step=step)
    if workshop.wall_theme_step is None:
        return _("The wall shows all themes.")
    return _("The wall shows theme %(number)s.") % {"number": workshop.wall_theme_step}
