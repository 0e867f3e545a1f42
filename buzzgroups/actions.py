"""What the sockets may do, as plain synchronous functions (the consumers stay thin).

Every function checks who is asking against the workshop it names.
"""

from dataclasses import dataclass
from importlib import import_module
from urllib.parse import parse_qs

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _

from buzzgroups import services as notes
from buzzgroups.models import Note, Participant
from sessions import services as show
from sessions.access import (
    Power,
    participant_id_in_session,
    phone_socket_in_session,
    workshop_for_facilitator,
)
from sessions.models import MAX_GROUPS, BuzzRound, Workshop, normalise_join_code
from sessions.numbers import MAX_ID, NumberError, whole_number

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class ActionError(ValueError):
    """An incoming message that cannot be carried out; its text goes back as an error frame."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


def ui_language(scope, *, default: str) -> str:
    """The language of the page that opened the socket (``?lang=``), else the cookie's.

    A screen's live frames must speak the language its page was rendered in,
    whatever decided that (the workshop, the browser, the language switch).
    """
    query = parse_qs((scope.get("query_string") or b"").decode("latin-1"))
    for chosen in (
        *query.get("lang", [])[:1],
        (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME),
    ):
        if chosen in LANGUAGE_CODES:
            return chosen
    return default


def facilitator_workshop(scope, code: str) -> Workshop:
    return workshop_for_facilitator(scope.get("user"), code, need=Power.VIEW)


# What each console action needs; anything else needs the power to run the show.
CONSOLE_NEEDS = {
    "note.hide": Power.MODERATE,
    "note.highlight": Power.MODERATE,
    "note.approve": Power.MODERATE,
}


def console_may(scope, workshop_id: int, kind: str) -> None:
    """Checked before every console action, so a role taken away ends its powers at once."""
    code = Workshop.objects.values_list("join_code", flat=True).get(pk=workshop_id)
    try:
        workshop_for_facilitator(scope.get("user"), code, need=CONSOLE_NEEDS.get(kind, Power.RUN))
    except Http404:
        raise ActionError(
            _("Your role in this workshop does not allow that."), "forbidden"
        ) from None


def session_still_valid(scope) -> bool:
    """Is the browser session behind this socket still logged in as the same user?"""
    session = scope.get("session")
    user = scope.get("user")
    if session is None or not session.session_key or not getattr(user, "is_authenticated", False):
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session.session_key)
    return store.load().get("_auth_user_id") == str(user.pk)


@dataclass
class PhoneSeat:
    """Who is on the other end of a phone's socket, and the group it listens to."""

    workshop_id: int
    participant_id: int
    group_id: int | None
    language: str


def phone_seat(scope, code: str) -> PhoneSeat:
    """The participant this browser session is in the workshop with that code; else 404.

    The session says it without a query (it is loaded for the socket anyway); a
    session from before it did asks the database. The session's group is the one
    its phone page showed: a phone moved since finds its group on its first
    resume, which it sends on open, and a participant removed since is let go then.
    """
    session = scope.get("session")
    if session is not None and (known := phone_socket_in_session(session, code)):
        return PhoneSeat(*known)
    participant = session_participant(scope, code)
    return PhoneSeat(
        participant.workshop_id,
        participant.pk,
        participant.group_id,
        participant.workshop.language,
    )


def session_participant(scope, code: str) -> Participant:
    """The participant this browser session is in the workshop with that code; else 404."""
    session = scope.get("session")
    workshop = Workshop.objects.filter(join_code=normalise_join_code(code)).first()
    if session is None or workshop is None:
        raise Http404
    participant_id = participant_id_in_session(session, workshop.pk)
    if participant_id is None:
        raise Http404
    return Participant.objects.select_related("workshop").get(pk=participant_id, workshop=workshop)


def phone_position(participant_id: int) -> tuple[int | None, int]:
    """The group a participant is in now and its workshop's sequence number, in one
    query; ``Participant.DoesNotExist`` once the participant is gone."""
    return Participant.objects.values_list("group_id", "workshop__seq").get(pk=participant_id)


def presence_announce(workshop_id: int) -> None:
    """Tell the wall and the console how many phones are online now."""
    from django.template.loader import render_to_string

    from buzzgroups.screens import phones_online
    from sessions import broadcast

    online = phones_online(Workshop(pk=workshop_id))
    html = render_to_string("buzzgroups/_online.html", {"online": online, "oob": True})
    broadcast.send_unsequenced(
        workshop_id,
        "presence",
        roles=(broadcast.WALL, broadcast.CONSOLE),
        html=html,
        data={"online": online},
    )


def close_overdue(workshop_id: int) -> None:
    show.close_overdue_rounds(workshop=Workshop.objects.get(pk=workshop_id))


def _int(message: dict, key: str, *, optional: bool = False, low: int = 1, high: int = MAX_ID):
    """A whole number from a frame, checked as the HTTP form's field is (sessions.numbers)."""
    value = message.get(key)
    if value is None and optional:
        return None
    try:
        return whole_number(
            value if not isinstance(value, str) else None, low=low, high=high, what=f'"{key}"'
        )
    except NumberError as error:
        raise ActionError(str(error), "bad_shape") from None


def _bool(message: dict, key: str, default: bool) -> bool:
    value = message.get(key, default)
    if not isinstance(value, bool):
        raise ActionError(_('"%(key)s" must be true or false.') % {"key": key}, "bad_shape")
    return value


def _round(workshop: Workshop, message: dict) -> BuzzRound:
    return BuzzRound.objects.select_related("item__workshop").get(
        pk=_int(message, "round"), item__workshop=workshop
    )


def _note(workshop: Workshop, message: dict) -> Note:
    return Note.objects.select_related("workshop").get(pk=_int(message, "note"), workshop=workshop)


def console_action(workshop_id: int, kind: str, message: dict) -> None:
    """Carry out one facilitator action sent over the console's socket."""
    workshop = Workshop.objects.select_related("current_item").get(pk=workshop_id)
    match kind:
        case "show.start":
            show.show_start(workshop=workshop)
        case "show.next":
            show.show_next(workshop=workshop)
        case "show.back":
            show.show_back(workshop=workshop)
        case "show.goto":
            show.show_goto(workshop=workshop, number=_int(message, "number", high=10_000))
        case "round.open":
            show.round_open(
                buzz_round=_round(workshop, message),
                minutes=_int(message, "minutes", optional=True, high=24 * 60),
            )
        case "round.extend":
            show.round_extend(
                buzz_round=_round(workshop, message),
                minutes=_int(message, "minutes", low=-24 * 60, high=24 * 60),
            )
        case "round.close":
            show.round_close(buzz_round=_round(workshop, message))
        case "note.hide":
            notes.note_hide(note=_note(workshop, message), hidden=_bool(message, "hidden", True))
        case "note.approve":
            notes.note_approve(note=_note(workshop, message))
        case "note.highlight":
            notes.note_highlight(
                note=_note(workshop, message), highlighted=_bool(message, "highlighted", True)
            )
        case "wall.layout":
            layout = message.get("layout")
            if not isinstance(layout, str):
                raise ActionError(_('"layout" must be text.'), "bad_shape")
            show.wall_set(workshop=workshop, layout=layout)
        case "wall.reveal":
            show.wall_set(
                workshop=workshop,
                revealed_groups=_int(message, "count", optional=True, low=0, high=MAX_GROUPS),
            )
        case "workshop.end":
            show.workshop_end(workshop=workshop)
        case _:
            raise ActionError(_("Unknown message type."), "unknown_type")
