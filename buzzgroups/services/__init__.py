"""Every write to groups, participants and notes, and the broadcast that follows.

``room`` holds the groups and the people in them; ``notes`` what they write.
Callers use ``services.note_create(...)`` and ``services.participant_join(...)``
as before: the names below are the package's interface.
"""

from buzzgroups.services.notes import (
    INVISIBLE,
    NoteError,
    TooFast,
    clean_note_text,
    note_approve,
    note_create,
    note_delete,
    note_edit,
    note_hide,
    note_highlight,
    parse_client_id,
)
from buzzgroups.services.room import (
    MAX_PARTICIPANT_CAP,
    GroupError,
    JoinClosed,
    clean_nickname,
    group_rename,
    groups_ensure,
    groups_set_count,
    groups_set_size,
    joining_closed,
    participant_join,
    participant_move,
    participant_rename,
    participants_purge,
    participants_remove,
    room_set,
    workshop_run_again,
)

__all__ = [
    "clean_nickname",
    "clean_note_text",
    "group_rename",
    "GroupError",
    "groups_ensure",
    "groups_set_count",
    "groups_set_size",
    "INVISIBLE",
    "JoinClosed",
    "joining_closed",
    "MAX_PARTICIPANT_CAP",
    "note_approve",
    "note_create",
    "note_delete",
    "note_edit",
    "note_hide",
    "note_highlight",
    "NoteError",
    "parse_client_id",
    "participant_join",
    "participant_move",
    "participant_rename",
    "participants_purge",
    "participants_remove",
    "room_set",
    "TooFast",
    "workshop_run_again",
]
