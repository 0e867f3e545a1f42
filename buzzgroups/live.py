"""The live frames of the screens: what the wall, the console and a phone see of each event.

Each renderer reads the current state from the database, so a frame replayed
after a reconnect shows the note as it is now (hidden, edited or gone).
"""

from django.template.loader import render_to_string

from buzzgroups import screens, theme_screens
from buzzgroups.models import BuzzGroup, Note
from sessions.broadcast import CONSOLE, PHONE, WALL, Frame, renderer
from sessions.models import Event, Workshop

NOTE_TEMPLATES = {
    WALL: "buzzgroups/_wall_note.html",
    CONSOLE: "buzzgroups/_console_note.html",
    PHONE: "buzzgroups/_phone_note.html",
}


def note_data(note: Note) -> dict:
    return {
        "id": note.pk,
        "client_id": str(note.client_id),
        "group_id": note.group_id,
        "round_id": note.round_id,
        "prompt_id": note.prompt_id,
        "topic_id": note.topic_id,
        "text": note.text,
        "hidden": note.hidden,
        "highlighted": note.highlighted,
        "approval": note.approval,
    }


def note_container(workshop: Workshop, note: Note, role: str) -> tuple[str, str]:
    if role == PHONE:
        return f"#group-notes-r{note.round_id}", "afterbegin"
    return f"#col-r{note.round_id}-{screens.note_column_key(workshop, note)}", "beforeend"


def once(event: Event, key, load):
    """Load something for an event once, for all the roles and languages rendered from it."""
    cache = event.__dict__.setdefault("_summa_loaded", {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


def _count_card(event: Event, group_id: int, round_id: int) -> dict:
    """The group's note count, replaced where a screen shows it (never inserted)."""
    count = once(
        event,
        "count",
        lambda: (
            Note.objects.filter(group_id=group_id, round_id=round_id, hidden=False)
            .exclude(approval=Note.Approval.WAITING)
            .count()
        ),
    )
    html = render_to_string(
        "buzzgroups/_note_count.html", {"group_id": group_id, "round_id": round_id, "count": count}
    )
    return {"id": f"count-r{round_id}-g{group_id}", "html": html}


@renderer(Event.Kind.NOTE_ADDED)
@renderer(Event.Kind.NOTE_CHANGED)
def note_frame(event: Event, role: str) -> Frame:
    note = once(
        event,
        "note",
        lambda: (
            Note.objects.filter(pk=event.ref_id)
            .select_related("workshop", "group", "author", "prompt", "topic")
            .first()
        ),
    )
    if note is None:
        return Frame(cards=[{"id": f"note-{event.ref_id}", "remove": True}])
    workshop = note.workshop
    counts = [] if role == PHONE else [_count_card(event, note.group_id, note.round_id)]
    if note.is_waiting and not note.hidden and role == PHONE:
        # Held for approval: the author has the card from their post; nobody else may see it.
        return Frame()
    if (note.hidden or note.is_waiting) and role == WALL:
        return Frame(cards=[{"id": f"note-{note.pk}", "remove": True}, *counts])
    if note.hidden and role == PHONE:
        # Replaced where it is shown: the author's phone says it was hidden (phone.js
        # keeps the text there); the group's other phones stop showing it.
        card = render_to_string(NOTE_TEMPLATES[role], {"note": note, "workshop": workshop})
        return Frame(cards=[{"id": f"note-{note.pk}", "html": card}])
    if role == CONSOLE:
        counts.append(_queue_card(note))
        counts.append(_newest_card(note, added=event.kind == Event.Kind.NOTE_ADDED))
    into, where = note_container(workshop, note, role)
    card = render_to_string(NOTE_TEMPLATES[role], {"note": note, "workshop": workshop})
    return Frame(
        data={"note": note_data(note)},
        cards=[{"id": f"note-{note.pk}", "into": into, "where": where, "html": card}, *counts],
    )


def _newest_card(note: Note, *, added: bool) -> dict:
    """The console's feed of the newest notes: a new note goes on top (the feed keeps
    the newest few); a changed one is redrawn only where the feed still shows it."""
    card = {
        "id": f"newest-note-{note.pk}",
        "html": render_to_string("buzzgroups/_newest_note.html", {"note": note}),
    }
    if added:
        card.update(
            into=f"#newest-notes-r{note.round_id}", where="afterbegin", keep=screens.NEWEST_NOTES
        )
    return card


def _queue_card(note: Note) -> dict:
    """The console's queue of held notes: a waiting note is in it, any other is not."""
    if not note.is_waiting or note.hidden:
        return {"id": f"queue-note-{note.pk}", "remove": True}
    html = render_to_string("buzzgroups/_held_note.html", {"note": note, "workshop": note.workshop})
    return {
        "id": f"queue-note-{note.pk}",
        "into": "#held-queue",
        "where": "beforeend",
        "html": html,
    }


@renderer(Event.Kind.NOTE_DELETED)
def note_deleted_frame(event: Event, role: str) -> Frame:
    cards = [{"id": f"note-{event.ref_id}", "remove": True}]
    if role == CONSOLE:
        cards.append({"id": f"newest-note-{event.ref_id}", "remove": True})
    return Frame(cards=cards, data={"note": {"id": event.ref_id}})


@renderer(Event.Kind.GROUP_CHANGED)
def group_frame(event: Event, role: str) -> Frame:
    group = once(
        event,
        "group",
        lambda: BuzzGroup.objects.filter(pk=event.ref_id).select_related("workshop").first(),
    )
    if group is None:
        return Frame()
    members = once(event, "members", lambda: list(group.participants.values_list("pk", flat=True)))
    context = {"group": group, "people": len(members)}
    if role == PHONE:
        html = render_to_string("buzzgroups/_my_group.html", {**context, "oob": True})
        return Frame(html=html, data={"group_id": group.pk, "members": members})
    # The wall shows group heads only during a round: replace them where they are.
    head = render_to_string("buzzgroups/_group_head.html", context)
    return Frame(
        data={"group_id": group.pk, "people": len(members)},
        cards=[{"id": f"group-head-{group.pk}", "html": head}],
    )


def stage_frame(event: Event, workshop: Workshop, role: str, *, board: bool = True) -> Frame:
    """The stage of a role; with ``board``, the round's notes too (the wall's and the console's
    columns, or the wall's themes), each an out-of-band block of its own."""
    context = {**once(event, "stage", lambda: screens.stage(workshop)), "oob": True}
    buzz_round = context["round"]
    data = {
        "item": workshop.current_item.number if workshop.current_item_id else None,
        "round_id": buzz_round.pk if buzz_round else None,
        "round_state": buzz_round.state if buzz_round else None,
        "closes_at": buzz_round.closes_at.isoformat()
        if buzz_round and buzz_round.closes_at
        else None,
        "state": workshop.state,
    }
    if role == PHONE:
        return Frame(html=render_to_string("buzzgroups/_phone_stage.html", context), data=data)
    data["board"] = board
    if role == WALL:
        html = render_to_string("buzzgroups/_wall_head.html", context)
        if board:
            context["themes"] = once(
                event, "themes", lambda: theme_screens.wall_board(workshop, buzz_round)
            )
            if context["themes"] is None:
                context["columns"] = once(
                    event, "wall", lambda: screens.wall_columns(workshop, buzz_round)
                )
            html += render_to_string("buzzgroups/_wall_board.html", context)
        return Frame(html=html, data=data)
    context["agenda"] = once(event, "agenda", lambda: screens.agenda(workshop))
    names = ["buzzgroups/_console_agenda.html", "buzzgroups/_console_round_head.html"]
    if board:
        context["columns"] = once(
            event,
            "console",
            lambda: screens.wall_columns(workshop, buzz_round, include_hidden=True),
        )
        names.append("buzzgroups/_console_columns.html")
    # The vote panel too: what there is to vote on changes with the round (its notes).
    names.append("buzzgroups/_vote_console.html")
    html = "".join(render_to_string(name, {**context, "vote_oob": True}) for name in names)
    return Frame(html=html, data=data)


def keeps_board(event: Event, buzz_round) -> bool:
    """A show change that left the round on the screens as it was (``sessions.services``
    names that round in ``ref_id``): its notes are on the screens already."""
    return (
        event.kind == Event.Kind.SHOW_CHANGED
        and event.ref_id is not None
        and buzz_round is not None
        and buzz_round.pk == event.ref_id
    )


@renderer(Event.Kind.SHOW_CHANGED)
@renderer(Event.Kind.WALL_CHANGED)
def show_frame(event: Event, role: str) -> Frame:
    workshop = once(
        event,
        "workshop",
        lambda: Workshop.objects.select_related("current_item").get(pk=event.workshop_id),
    )
    if role == PHONE:
        return stage_frame(event, workshop, role)
    buzz_round = once(event, "stage", lambda: screens.stage(workshop))["round"]
    return stage_frame(event, workshop, role, board=not keeps_board(event, buzz_round))
