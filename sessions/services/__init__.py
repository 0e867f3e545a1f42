"""Every write to a workshop and its run of the show, and the broadcast that follows.

Views, consumers, commands and the admin call these; none of them writes
to the models directly. ``workshops`` makes, copies, shares and deletes a
workshop; ``show`` runs it (agenda, buzz rounds, the wall). Callers use
``services.show_next(...)`` and so on: the names below are the interface.
"""

from sessions.services.show import (
    MAX_ROUND_MINUTES,
    ROUND_FIELDS,
    SHOW_FIELDS,
    ShowError,
    close_overdue_rounds,
    current_round,
    item_plan,
    lock_open_round,
    open_round_closing_overdue,
    prompts_set,
    round_close,
    round_close_if_due,
    round_extend,
    round_open,
    show_back,
    show_goto,
    show_next,
    show_restore,
    show_snapshot,
    show_start,
    wall_set,
    workshop_end,
    workshop_hold_notes,
)
from sessions.services.workshops import (
    PeopleError,
    default_prompt_titles,
    membership_add,
    membership_remove,
    workshop_create,
    workshop_delete,
    workshop_duplicate,
)

__all__ = [
    "close_overdue_rounds",
    "current_round",
    "default_prompt_titles",
    "item_plan",
    "lock_open_round",
    "MAX_ROUND_MINUTES",
    "membership_add",
    "membership_remove",
    "open_round_closing_overdue",
    "PeopleError",
    "prompts_set",
    "round_close",
    "round_close_if_due",
    "round_extend",
    "ROUND_FIELDS",
    "round_open",
    "show_back",
    "SHOW_FIELDS",
    "show_goto",
    "show_next",
    "show_restore",
    "show_snapshot",
    "show_start",
    "ShowError",
    "wall_set",
    "workshop_create",
    "workshop_delete",
    "workshop_duplicate",
    "workshop_end",
    "workshop_hold_notes",
]
