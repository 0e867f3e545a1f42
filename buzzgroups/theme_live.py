"""The live frames of themes: the wall's theme layout follows, the consoles fetch their board.

The console's synthesis board holds forms, and HTML pushed over a socket carries
no CSRF token; so a console hears which round changed and fetches its board
(``static/summa/themes.js``), while the wall, which has no forms, gets its stage.
"""

from buzzgroups.live import once, show_frame
from buzzgroups.screens import current_round
from sessions.broadcast import WALL, Frame, renderer
from sessions.models import Event, Workshop


@renderer(Event.Kind.THEMES_CHANGED)
def themes_frame(event: Event, role: str) -> Frame:
    data = {"round_id": event.ref_id}
    if role != WALL:
        return Frame(data=data)
    workshop = once(
        event,
        "workshop",
        lambda: Workshop.objects.select_related("current_item").get(pk=event.workshop_id),
    )
    if workshop.wall_layout != Workshop.WallLayout.THEMES:
        return Frame(data=data)
    on_wall = once(event, "round", lambda: current_round(workshop))
    if on_wall is None or on_wall.pk != event.ref_id:
        return Frame(data=data)
    frame = show_frame(event, role)
    frame.data = {**(frame.data or {}), **data}
    return frame
