"""Themes: after a round the facilitator pulls its notes together into what they say.

Every write holds the round's row for its transaction (``select_for_update``),
so two consoles moving the same note at once queue up: the second reads what
the first left and the last move wins, on every screen alike. On SQLite the
IMMEDIATE transaction mode takes the write lock when the transaction begins,
which serialises writers the same way. Each write broadcasts ``themes.changed``
for the round (see ``buzzgroups/theme_live.py``).

A note is in at most one theme. Deleting a theme releases its notes; hiding or
editing a note leaves it in its theme (a hidden note is hidden there too).
"""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import override

from buzzgroups.models import THEME_TITLE_MAX_LENGTH, Note, Theme
from buzzgroups.screens import current_round
from buzzgroups.services import INVISIBLE
from sessions import broadcast
from sessions.models import BuzzRound, Event, Workshop


class ThemeError(ValueError):
    """A change to the themes that does not fit, with the reason to show."""


def _publish(buzz_round: BuzzRound) -> None:
    broadcast.publish(
        buzz_round.item.workshop,
        Event.Kind.THEMES_CHANGED,
        audience=Event.Audience.SCREENS,
        ref_id=buzz_round.pk,
    )


def _locked_round(round_id: int) -> BuzzRound:
    return (
        BuzzRound.objects.select_for_update(of=("self",))
        .select_related("item__workshop")
        .get(pk=round_id)
    )


def _fresh_theme(buzz_round: BuzzRound, theme: Theme) -> Theme:
    """The theme as it is now, once the round is held: another console may have removed it."""
    found = Theme.objects.filter(pk=theme.pk, round=buzz_round).first()
    if found is None:
        raise ThemeError(
            _("That theme no longer exists; the page shows the themes as they are now.")
        )
    return found


def _fresh_note(buzz_round: BuzzRound, note: Note) -> Note:
    found = Note.objects.filter(pk=note.pk, round=buzz_round).first()
    if found is None:
        raise ThemeError(_("That note is not part of this buzz round."))
    return found


def clean_title(title) -> str:
    if not isinstance(title, str):
        raise ThemeError(_("Give the theme a title."))
    title = INVISIBLE.sub(" ", title).strip()
    if "\x00" in title:
        raise ThemeError(_("The title holds a character that cannot be saved."))
    if len(title) > THEME_TITLE_MAX_LENGTH:
        raise ThemeError(
            _("A theme title can be at most %(max)s characters.") % {"max": THEME_TITLE_MAX_LENGTH}
        )
    return title


def _new_theme(buzz_round: BuzzRound, title: str) -> Theme:
    last = buzz_round.themes.aggregate(last=Max("order"))["last"]
    order = 1 if last is None else last + 1
    if not title:
        # A name to change: "Theme 3" until the facilitator says what the notes say.
        with override(buzz_round.item.workshop.language):
            title = _("Theme %(number)s") % {"number": buzz_round.themes.count() + 1}
    return Theme.objects.create(
        workshop=buzz_round.item.workshop, round=buzz_round, title=title, order=order
    )


def _renumber(buzz_round: BuzzRound, themes: list[Theme]) -> None:
    for order, theme in enumerate(themes, start=1):
        if theme.order != order:
            theme.order = order
            theme.save(update_fields=["order"])


def theme_create(*, buzz_round: BuzzRound, title: str = "", notes: list[Note] = ()) -> Theme:
    """A new theme at the end of the round's themes, holding ``notes`` if given."""
    title = clean_title(title)
    with transaction.atomic():
        buzz_round = _locked_round(buzz_round.pk)
        fresh = [_fresh_note(buzz_round, note) for note in notes]
        theme = _new_theme(buzz_round, title)
        Note.objects.filter(pk__in=[note.pk for note in fresh]).update(theme=theme)
        _publish(buzz_round)
    return theme


def theme_rename(*, theme: Theme, title: str) -> Theme:
    title = clean_title(title)
    if not title:
        raise ThemeError(_("Give the theme a title."))
    with transaction.atomic():
        buzz_round = _locked_round(theme.round_id)
        theme = _fresh_theme(buzz_round, theme)
        theme.title = title
        theme.save(update_fields=["title"])
        _publish(buzz_round)
    return theme


def theme_merge(*, theme: Theme, into: Theme) -> Theme:
    """The notes of ``theme`` join ``into``; ``theme`` is gone. Returns ``into``."""
    if theme.pk == into.pk:
        raise ThemeError(_("Choose another theme to merge with."))
    with transaction.atomic():
        buzz_round = _locked_round(theme.round_id)
        theme = _fresh_theme(buzz_round, theme)
        into = _fresh_theme(buzz_round, into)
        Note.objects.filter(theme=theme).update(theme=into)
        theme.delete()
        _renumber(buzz_round, list(buzz_round.themes.order_by("order", "id")))
        _clamp_step(buzz_round.item.workshop)
        _publish(buzz_round)
    return into


def theme_reorder(*, theme: Theme, position) -> Theme:
    """Move a theme to ``position`` (1 is first) among its round's themes."""
    try:
        position = int(position)
    except (TypeError, ValueError):
        raise ThemeError(_("Give the place as a whole number.")) from None
    with transaction.atomic():
        buzz_round = _locked_round(theme.round_id)
        theme = _fresh_theme(buzz_round, theme)
        others = list(buzz_round.themes.exclude(pk=theme.pk).order_by("order", "id"))
        if not 1 <= position <= len(others) + 1:
            raise ThemeError(_("Choose a place from 1 to %(max)s.") % {"max": len(others) + 1})
        others.insert(position - 1, theme)
        _renumber(buzz_round, others)
        _publish(buzz_round)
    theme.refresh_from_db()
    return theme


def theme_delete(*, theme: Theme) -> None:
    """The theme goes; its notes stay, in no theme."""
    with transaction.atomic():
        buzz_round = _locked_round(theme.round_id)
        theme = _fresh_theme(buzz_round, theme)
        Note.objects.filter(theme=theme).update(theme=None)
        theme.delete()
        _renumber(buzz_round, list(buzz_round.themes.order_by("order", "id")))
        _clamp_step(buzz_round.item.workshop)
        _publish(buzz_round)


def note_set_theme(*, note: Note, theme: Theme | None = None, onto: Note | None = None) -> Note:
    """Put a note in a theme, or in none; or drop it onto another note.

    Dropped onto a note in a theme, it joins that theme; onto a note in no
    theme, the two make a new theme.
    """
    if theme is not None and onto is not None:
        raise TypeError("note_set_theme takes a theme or a note to drop onto, not both")
    with transaction.atomic():
        buzz_round = _locked_round(note.round_id)
        note = _fresh_note(buzz_round, note)
        if onto is not None:
            onto = _fresh_note(buzz_round, onto)
            if onto.pk == note.pk:
                raise ThemeError(_("Drop the note onto another note or a theme."))
            if onto.theme_id is None:
                theme = _new_theme(buzz_round, "")
                onto.theme = theme
                onto.save(update_fields=["theme"])
            else:
                theme = onto.theme
        elif theme is not None:
            theme = _fresh_theme(buzz_round, theme)
        if note.theme_id == (theme.pk if theme else None):
            return note
        note.theme = theme
        # No updated_at: a note put in a theme was not edited.
        Note.objects.filter(pk=note.pk).update(theme=theme)
        _publish(buzz_round)
    return note


def _clamp_step(workshop: Workshop) -> None:
    """After a theme goes, the wall's step-through stays within the themes left."""
    workshop = Workshop.objects.get(pk=workshop.pk)
    if workshop.wall_theme_step is None:
        return
    buzz_round = current_round(workshop)
    count = buzz_round.themes.count() if buzz_round else 0
    step = min(workshop.wall_theme_step, count) or None
    if step != workshop.wall_theme_step:
        Workshop.objects.filter(pk=workshop.pk).update(wall_theme_step=step)


def wall_theme_step(*, workshop: Workshop, step) -> Workshop:
    """The wall shows the themes: one large (1 is the first), or all of them (``None``)."""
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if step is not None:
            try:
                step = int(step)
            except (TypeError, ValueError):
                raise ThemeError(_("Give the theme's place as a whole number.")) from None
            buzz_round = current_round(workshop)
            count = buzz_round.themes.count() if buzz_round else 0
            if not count:
                raise ThemeError(_("The buzz round on the wall has no themes yet."))
            if not 1 <= step <= count:
                raise ThemeError(_("Choose a theme from 1 to %(max)s.") % {"max": count})
        workshop.wall_theme_step = step
        workshop.wall_layout = Workshop.WallLayout.THEMES
        workshop.save(update_fields=["wall_theme_step", "wall_layout"])
        broadcast.publish(workshop, Event.Kind.WALL_CHANGED, audience=Event.Audience.SCREENS)
    return workshop
