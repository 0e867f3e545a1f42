"""The one place that names channel groups and sends to them.

Every write that others should see calls ``publish`` inside its transaction.
That takes the workshop's next sequence number, keeps an ``Event`` row (the
database is the truth; the socket is a hint), and after the commit renders one
frame per screen role and sends it to the channel groups that should see it.

A frame is JSON: ``{"type": kind, "seq": n, "html": "...", "data": {...}}``.
A screen remembers the last ``seq`` it saw; after a reconnect, or when it sees
a gap, it asks for ``frames_since(...)`` and gets exactly what it missed.

Renderers are registered by kind (``@renderer("note.added")``) by the app that
owns the screens, so this module never imports the apps that build on it.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import translation

from sessions.models import Event, Workshop

log = logging.getLogger("summa.broadcast")

WALL = "wall"
CONSOLE = "console"
PHONE = "phone"
# The order frames are rendered and sent in: the room's phones first. A phone's
# frame is small; the wall's and the console's can carry every note of a round,
# and a room of phones should not wait for those to render.
ROLES = (PHONE, WALL, CONSOLE)

# More missed events than this, and a screen is told to reload instead.
MAX_CATCH_UP = 1000


def wall_group(workshop_id: int) -> str:
    return f"summa.{workshop_id}.wall"


def console_group(workshop_id: int) -> str:
    return f"summa.{workshop_id}.console"


def phones_group(workshop_id: int) -> str:
    return f"summa.{workshop_id}.phones"


def buzz_group(workshop_id: int, group_id: int) -> str:
    return f"summa.{workshop_id}.group.{group_id}"


def participant_group(workshop_id: int, participant_id: int) -> str:
    """The sockets of one participant's phone (it hears when it is moved to another group)."""
    return f"summa.{workshop_id}.participant.{participant_id}"


@dataclass
class Frame:
    """What one role sees of an event.

    ``html`` holds out-of-band swaps (``hx-swap-oob``) that htmx applies as they
    are; ``cards`` are elements to insert or replace by id (a note may already
    be on the screen, from the page or from a post's answer) or remove.
    """

    html: str = ""
    data: dict | None = None
    cards: list[dict] | None = None


Renderer = Callable[[Event, str], Frame | None]
LANGUAGES = [code for code, _name in settings.LANGUAGES]
_renderers: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register the function that renders frames of one kind for a role."""

    def register(func: Renderer) -> Renderer:
        _renderers[kind] = func
        return func

    return register


def publish(
    workshop: Workshop,
    kind: str,
    *,
    audience: str = Event.Audience.ALL,
    group_id: int | None = None,
    ref_id: int | None = None,
) -> Event:
    """Record an event in the current transaction and send it once it commits."""
    Workshop.objects.filter(pk=workshop.pk).update(seq=F("seq") + 1)
    seq = Workshop.objects.values_list("seq", flat=True).get(pk=workshop.pk)
    workshop.seq = seq
    event = Event.objects.create(
        workshop=workshop,
        seq=seq,
        kind=kind,
        audience=audience,
        group_id=group_id,
        ref_id=ref_id,
    )
    transaction.on_commit(lambda: send_event(event))
    return event


def roles_for(event: Event) -> tuple[str, ...]:
    if event.audience == Event.Audience.SCREENS:
        return (WALL, CONSOLE)
    return ROLES


def channel_group_for(event: Event, role: str) -> str:
    if role == WALL:
        return wall_group(event.workshop_id)
    if role == CONSOLE:
        return console_group(event.workshop_id)
    if event.audience == Event.Audience.GROUP:
        return buzz_group(event.workshop_id, event.group_id)
    return phones_group(event.workshop_id)


def render_frame(event: Event, role: str, language: str, *, replay: bool = False) -> str:
    """The frame one role sees for an event, as JSON text, in one language.

    Renderers show the current state of what the event is about, so a frame
    sent again (``replay``: from the database, after a reconnect or a periodic
    sync) is safe to apply twice.
    """
    func = _renderers.get(event.kind)
    with translation.override(language):
        frame = (func(event, role) if func else None) or Frame()
    body = {
        "type": event.kind,
        "seq": event.seq,
        "html": frame.html,
        "data": frame.data or {},
        "cards": frame.cards or [],
    }
    if replay:
        body["replay"] = True
    return json.dumps(body, ensure_ascii=False)


def send_event(event: Event) -> None:
    """Send an event's frames; each socket picks the text in its own language."""
    layer = get_channel_layer()
    for role in roles_for(event):
        message = {
            "type": "summa.frame",
            "texts": {lang: render_frame(event, role, lang) for lang in LANGUAGES},
        }
        try:
            async_to_sync(layer.group_send)(channel_group_for(event, role), message)
        except Exception:
            # The event is in the database: screens catch up on their next resume.
            log.exception("could not send event %s of workshop %s", event.seq, event.workshop_id)


def regroup(workshop_id: int, participant_id: int, group_id: int) -> None:
    """Once the transaction commits, tell a participant's phone sockets to follow its new group.

    A hint: a phone that misses it (offline, or the layer away) finds its group
    again from the database on its next connect or resume.
    """

    def send() -> None:
        try:
            async_to_sync(get_channel_layer().group_send)(
                participant_group(workshop_id, participant_id),
                {"type": "summa.regroup", "group_id": group_id},
            )
        except Exception:
            log.warning("could not move participant %s's sockets", participant_id, exc_info=True)

    transaction.on_commit(send)


def send_unsequenced(workshop_id: int, kind: str, *, roles: tuple[str, ...], html: str, data: dict):
    """A passing hint that no screen needs to catch up on (how many phones are online)."""
    layer = get_channel_layer()
    text = json.dumps(
        {"type": kind, "seq": None, "html": html, "data": data, "cards": []}, ensure_ascii=False
    )
    groups = {WALL: wall_group(workshop_id), CONSOLE: console_group(workshop_id)}
    for role in roles:
        try:
            async_to_sync(layer.group_send)(
                groups[role], {"type": "summa.frame", "texts": dict.fromkeys(LANGUAGES, text)}
            )
        except Exception:
            # Only a hint: a phone's socket must not fail because Redis is restarting.
            log.warning("could not send %s to workshop %s", kind, workshop_id, exc_info=True)


def frames_since(
    workshop_id: int, after: int, role: str, group_id: int | None = None, language: str = "nb"
) -> list[str]:
    """The frames a screen missed after ``after``, in order; a reload hint if too many."""
    events = Event.objects.filter(workshop_id=workshop_id, seq__gt=after)
    if role == PHONE:
        events = events.filter(
            Q(audience=Event.Audience.ALL) | Q(audience=Event.Audience.GROUP, group_id=group_id)
        )
    events = list(events.order_by("seq")[: MAX_CATCH_UP + 1])
    if len(events) > MAX_CATCH_UP:
        return [json.dumps({"type": "reload", "seq": None, "html": "", "data": {}, "cards": []})]
    return [render_frame(event, role, language, replay=True) for event in events]
