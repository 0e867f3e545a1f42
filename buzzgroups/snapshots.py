"""A screen's whole live view as it is now: what a screen gets when it catches up.

A screen that reconnects, sees a gap it cannot close, or syncs now and then
gets one of these instead of a replay of every event it missed: the stage as a
show change renders it (the wall's stage holds every note of the round, the
console's panels too), and on a phone the stage, its group's heading and its
group's notes as cards, with the ids of the notes that are still there.
"""

from django.template.loader import render_to_string

from buzzgroups import screens
from buzzgroups.live import stage_frame
from buzzgroups.models import Note, Participant
from sessions.broadcast import PHONE, WALL, Frame, snapshot_renderer
from sessions.models import BuzzRound, Event, Workshop


@snapshot_renderer
def screen_snapshot(
    workshop_id: int, role: str, *, group_id: int | None = None, participant_id: int | None = None
) -> Frame:
    workshop = Workshop.objects.select_related("current_item").get(pk=workshop_id)
    # The show-change renderer, for an event that stands for "now".
    frame = stage_frame(Event(workshop_id=workshop_id, seq=workshop.seq), workshop, role)
    round_id = (frame.data or {}).get("round_id")
    if role != PHONE:
        shown = Note.objects.filter(round_id=round_id)
        if role == WALL:
            shown = shown.filter(hidden=False)
        frame.data = {**(frame.data or {}), "note_ids": list(shown.values_list("pk", flat=True))}
        return frame
    participant = (
        Participant.objects.select_related("group", "workshop").filter(pk=participant_id).first()
    )
    if participant is None or participant.group is None:
        return frame
    group = participant.group
    frame.html += render_to_string(
        "buzzgroups/_my_group.html",
        {"group": group, "people": group.participants.count(), "oob": True},
    )
    notes = screens.phone_notes(participant, BuzzRound(pk=round_id) if round_id else None)
    # Oldest first, each placed at the top: the newest ends up first, as on the page.
    frame.cards = [
        {
            "id": f"note-{note.pk}",
            "into": f"#group-notes-r{note.round_id}",
            "where": "afterbegin",
            "html": render_to_string(
                "buzzgroups/_phone_note.html", {"note": note, "mine": note.mine}
            ),
        }
        for note in reversed(notes)
    ]
    frame.data = {**(frame.data or {}), "note_ids": [note.pk for note in notes]}
    return frame
