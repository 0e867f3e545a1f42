"""The one place that names channel groups and sends to them.

Every write that others should see calls ``publish`` inside its transaction.
That takes the workshop's next sequence number, keeps an ``Event`` row (the
database is the truth; the socket is a hint), and after the commit renders one
frame per screen role and sends it to the channel groups that should see it.

A frame is JSON: ``{"type": kind, "seq": n, "html": "...", "data": {...}}``.
Frames may arrive late or out of order (several server processes send them);
a screen applies each by what it shows (a card by its id), never drops one for
its number. After a reconnect, a gap it cannot close, or now and then, a screen
asks to ``resume`` after the last point it knows it is complete up to, and gets
``catch_up(...)``: nothing if it missed nothing, else one snapshot of its view.

Renderers are registered by kind (``@renderer(Event.Kind.NOTE_ADDED)``; every kind is
declared once, in ``Event.Kind``) by the app that
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

    ``html`` holds out-of-band swaps (``data-hx-swap-oob``) that htmx applies as they
    are; ``cards`` are elements to insert or replace by id (a note may already
    be on the screen, from the page or from a post's answer) or remove.
    """

    html: str = ""
    data: dict | None = None
    cards: list[dict] | None = None


Renderer = Callable[[Event, str], Frame | None]
Snapshot = Callable[..., Frame]
LANGUAGES = [code for code, _name in settings.LANGUAGES]
_renderers: dict[str, Renderer] = {}
_snapshot: Snapshot = lambda workshop_id, role, **ids: Frame()  # noqa: E731 - until registered


def renderer(kind: Event.Kind) -> Callable[[Renderer], Renderer]:
    """Register the function that renders frames of one kind (``Event.Kind``) for a role."""
    kind = Event.Kind(kind)  # a kind nobody declared is a mistake, found at import

    def register(func: Renderer) -> Renderer:
        if kind in _renderers:
            raise ValueError(f"{kind} already renders with {_renderers[kind].__qualname__}")
        _renderers[kind] = func
        return func

    return register


def renderer_of(kind: str) -> Renderer | None:
    """What renders an event kind's frames (``None`` for a kind nobody renders yet)."""
    return _renderers.get(kind)


def publish(
    workshop: Workshop,
    kind: Event.Kind,
    *,
    audience: str = Event.Audience.ALL,
    group_id: int | None = None,
    ref_id: int | None = None,
) -> Event:
    """Record an event in the current transaction and send it once it commits."""
    kind = Event.Kind(kind)  # refuses a kind that is not declared in Event.Kind
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


def render_frame(event: Event, role: str, language: str) -> str:
    """The frame one role sees for an event, as JSON text, in one language.

    Renderers show the current state of what the event is about, so a frame
    that comes late, or twice, is safe to apply.
    """
    func = renderer_of(event.kind)
    with translation.override(language):
        frame = (func(event, role) if func else None) or Frame()
    body = {
        "type": event.kind,
        "seq": event.seq,
        "html": frame.html,
        "data": frame.data or {},
        "cards": frame.cards or [],
    }
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


def send_unsequenced(
    workshop_id: int,
    kind: str,
    *,
    roles: tuple[str, ...],
    html: str,
    data: dict,
    close_user: int | None = None,
):
    """A passing hint that no screen needs to catch up on (how many phones are online).

    ``close_user``: the screens of that user hear the hint and are then closed
    (their role in the workshop was taken away), whatever their page does with it.
    """
    layer = get_channel_layer()
    text = json.dumps(
        {"type": kind, "seq": None, "html": html, "data": data, "cards": []}, ensure_ascii=False
    )
    groups = {WALL: wall_group(workshop_id), CONSOLE: console_group(workshop_id)}
    for role in roles:
        try:
            message = {"type": "summa.frame", "texts": dict.fromkeys(LANGUAGES, text)}
            if close_user is not None:
                message["close_user"] = close_user
            async_to_sync(layer.group_send)(groups[role], message)
        except Exception:
            # Only a hint: a phone's socket must not fail because Redis is restarting.
            log.warning("could not send %s to workshop %s", kind, workshop_id, exc_info=True)


def snapshot_renderer(func: Snapshot) -> Snapshot:
    """Register the function that renders a screen's whole live view (one per project)."""
    global _snapshot
    _snapshot = func
    return func


def catch_up(
    workshop_id: int,
    after: int,
    role: str,
    *,
    group_id: int | None = None,
    participant_id: int | None = None,
    language: str = "nb",
    now: int | None = None,
) -> tuple[list[str], int]:
    """What a screen that has seen everything up to ``after`` needs: ``(frames, now)``.

    Nothing if no event it may see came since; otherwise one snapshot of its
    whole live view as it is now, however many events it missed: a bounded
    number of queries, and bytes in proportion to what the screen shows. ``now``
    is the workshop's sequence number the answer is complete up to (events are
    numbered in the order they commit, under the workshop's row lock); a caller
    that read it already, after its socket joined its channel groups, passes it.
    """
    if now is None:
        now = Workshop.objects.values_list("seq", flat=True).get(pk=workshop_id)
    if after >= now:
        return [], now
    missed = Event.objects.filter(workshop_id=workshop_id, seq__gt=after, seq__lte=now)
    if role == PHONE:
        missed = missed.filter(
            Q(audience=Event.Audience.ALL) | Q(audience=Event.Audience.GROUP, group_id=group_id)
        )
    elif role not in (WALL, CONSOLE):
        raise ValueError(f"unknown role {role!r}")
    if not missed.exists():
        return [], now
    with translation.override(language):
        frame = _snapshot(workshop_id, role, group_id=group_id, participant_id=participant_id)
    body = {
        "type": "snapshot",
        "seq": now,
        "html": frame.html,
        "data": frame.data or {},
        "cards": frame.cards or [],
    }
    return [json.dumps(body, ensure_ascii=False)], now
